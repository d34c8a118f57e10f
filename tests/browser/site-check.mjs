// Loads pages of a built Casebook site in headless Chromium, served over HTTP
// from 127.0.0.1 under a sub-path (as on a GitHub Pages project site), and
// fails on console errors, page errors, failed requests or missing content.
// Saves a screenshot of each page.
//
//   node tests/browser/site-check.mjs SITE_DIR SCREENSHOT_DIR [HOSTILE_SITE_DIR]
//
// Also types into the search box and checks results, keyboard navigation, and
// (with HOSTILE_SITE_DIR, a site whose records hold script injections) that
// results render as text.
//
// Prints one line per check and closes with "N passed, M failed".

import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const [siteDir, shotDir, hostileDir] = process.argv.slice(2);
if (!siteDir || !shotDir) {
  console.error("usage: site-check.mjs SITE_DIR SCREENSHOT_DIR");
  process.exit(2);
}
const PREFIX = "/kb/";
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".json": "application/json", ".xml": "application/xml" };

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (!url.pathname.startsWith(PREFIX)) { res.writeHead(404); res.end("outside the site"); return; }
  let rel = decodeURIComponent(url.pathname.slice(PREFIX.length));
  let file = path.join(siteDir, rel);
  if (!path.resolve(file).startsWith(path.resolve(siteDir))) { res.writeHead(403); res.end(); return; }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!fs.existsSync(file)) {
    // As GitHub Pages serves a project site: the site's own 404.html, at the missing address.
    res.writeHead(404, { "content-type": types[".html"] });
    fs.createReadStream(path.join(siteDir, "404.html")).pipe(res);
    return;
  }
  res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}${PREFIX}`;

const firstDir = (sub) => fs.readdirSync(path.join(siteDir, sub), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()[0];
const incident = firstDir("incidents");
const category = firstDir("categories");
const quarters = fs.readdirSync(path.join(siteDir, "review")).sort();
const latestQuarter = quarters[quarters.length - 1];
const pages = [
  { path: "", expect: "Is the learning sticking?" },
  { path: `incidents/${incident}/`, expect: "Key facts" },
  { path: `incidents/${incident}/brief/`, expect: "Risk posture" },
  { path: `categories/${category}/`, expect: "Remedies" },
  { path: "actions/", expect: "Action tracker" },
  { path: "incidents/", expect: "Incidents", sortable: true },
  { path: "metrics/", expect: "Learning metrics", charts: 7 },
  { path: "recurring/", expect: "Detected, not yet linked" },
  { path: "start/", expect: "Why read it" },
  { path: "glossary/", expect: "time to detect" },
  { path: `review/${quarters[0]}/`, expect: "Response times", neighbours: true },
  { path: `review/${latestQuarter}/`, expect: "Recurring failures", neighbours: true },
];

fs.mkdirSync(shotDir, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let passed = 0;
let failed = 0;
for (const scheme of ["light", "dark"]) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
  for (const p of pages) {
    const page = await context.newPage();
    const problems = [];
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); });
    page.on("requestfailed", (r) => problems.push(`failed request ${r.url()}`));
    const response = await page.goto(base + p.path, { waitUntil: "load" });
    if (!response || response.status() !== 200) problems.push(`status ${response && response.status()}`);
    const body = await page.textContent("main");
    if (!body || !body.includes(p.expect)) problems.push(`"${p.expect}" not in <main>`);
    const css = await page.evaluate(() => getComputedStyle(document.body).getPropertyValue("--border").trim());
    if (!css) problems.push("style.css did not apply");
    if (p.sortable) {
      // The sort script turns headings into buttons; sorting by severity puts SEV1 first.
      const button = page.locator("th button.sort").nth(1);
      if ((await button.count()) === 0) problems.push("no sort buttons");
      else {
        await button.click();
        const first = (await page.locator("table.incidents tbody tr td:nth-child(2)").first().textContent()).trim();
        if (first !== "SEV1") problems.push(`sorting by severity put ${first} first`);
      }
    }
    if (p.charts) {
      // Every chart draws visible data marks in the theme's colours (a stray
      // CSS rule once zeroed the bars' width while the SVG still validated).
      const charts = await page.evaluate(() => [...document.querySelectorAll("svg.chart")].map((svg) => {
        const marks = [...svg.querySelectorAll("rect.datum, rect.s0, rect.s1, rect.s2, rect.s3")]
          .filter((r) => !r.closest("g.legend"));
        const visible = marks.filter((r) => r.getBoundingClientRect().width > 1 && r.getBoundingClientRect().height > 1);
        const fills = new Set(visible.map((r) => getComputedStyle(r).fill));
        return { title: svg.querySelector("title")?.textContent, visible: visible.length, fills: [...fills] };
      }));
      if (charts.length < p.charts) problems.push(`${charts.length} charts, expected ${p.charts}`);
      for (const c of charts) {
        if (c.visible === 0) problems.push(`chart "${c.title}" draws nothing`);
        if (c.fills.some((f) => f === "none" || f === "rgb(0, 0, 0)")) problems.push(`chart "${c.title}" fills ${c.fills}`);
      }
    }
    if (p.neighbours) {
      // The links to the previous and next quarter, and back to the list, lead to pages.
      const hrefs = await page.locator(".review-nav a").evaluateAll((as) => as.map((a) => a.href));
      if (!hrefs.some((h) => h.endsWith("metrics/#reviews"))) problems.push("no link back to the list of reviews");
      for (const href of hrefs) {
        const r = await context.request.get(href);
        if (r.status() !== 200) problems.push(`${href}: HTTP ${r.status()}`);
      }
    }
    const name = (p.path.replace(/\/$/, "").replace(/\//g, "_") || "home") + `-${scheme}.png`;
    await page.screenshot({ path: path.join(shotDir, name), fullPage: false });
    if (problems.length) {
      failed++;
      console.log(`FAIL ${scheme} /${p.path}\n  ${problems.join("\n  ")}`);
    } else {
      passed++;
      console.log(`ok   ${scheme} /${p.path}`);
    }
    await page.close();
  }
  await context.close();
}
// The not-found page, served at missing addresses of every depth: styled, its
// links and search form lead into the site, its search box holds the words of
// the address.
async function notFoundChecks(missing, words, scheme) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error" && !/404/.test(m.text())) problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  const response = await page.goto(base + missing, { waitUntil: "load" });
  if (!response || response.status() !== 404) problems.push(`status ${response && response.status()}, expected 404`);
  const css = await page.evaluate(() => getComputedStyle(document.body).getPropertyValue("--border").trim());
  if (!css) problems.push("not styled");
  await page.waitForFunction(() => document.getElementById("notfound-q").value !== "", null, { timeout: 5000 })
    .catch(() => problems.push("search box not prefilled"));
  const query = await page.inputValue("#notfound-q");
  if (query !== words) problems.push(`search box holds ${JSON.stringify(query)}, expected ${JSON.stringify(words)}`);
  const targets = await page.evaluate(() => [
    ...[...document.querySelectorAll("a[href]")].map((a) => a.href),
    ...[...document.querySelectorAll("form[action]")].map((f) => f.action),
  ]);
  const img = await page.evaluate(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
  if (!img) problems.push("an image did not load");
  for (const url of new Set(targets)) {
    if (!url.startsWith(base)) { problems.push(`link leaves the site: ${url}`); continue; }
    const r = await fetch(url.split("#")[0]);
    if (r.status !== 200) problems.push(`link ${url} → HTTP ${r.status}`);
  }
  if (targets.length < 10) problems.push(`only ${targets.length} links`);
  // The header search works from here too.
  await page.fill("#site-search-q", "certificate");
  await page.waitForSelector("#site-search-results li a", { timeout: 15000 }).catch(() => problems.push("header search gave no results"));
  const name = `404-${missing.split("/").filter(Boolean).length}-deep-${scheme}`;
  await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: false });
  await page.keyboard.press("Escape");
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 390) problems.push(`at 390 px the page is ${wide} px wide`);
  await page.screenshot({ path: path.join(shotDir, `${name}-390.png`), fullPage: true });
  await context.close();
  return [problems, targets.length];
}
for (const scheme of ["light", "dark"]) {
  for (const [missing, words] of [
    ["gone", "gone"],
    ["incidents/2023-01-renamed-incident/brief/", "renamed incident"],
    ["no/such/folder/here.html", "no such folder here"],
  ]) {
    const [problems, links] = await notFoundChecks(missing, words, scheme);
    if (problems.length) { failed++; console.log(`FAIL ${scheme} not-found page at /${missing}\n  ${problems.join("\n  ")}`); }
    else { passed++; console.log(`ok   ${scheme} not-found page at /${missing}: styled, ${links} links resolve, search prefilled`); }
  }
}

// Filters on the incident list and the action tracker: every row left
// carries the value chosen, and the count matches; a filter in the address
// applies on load; without JavaScript every row is listed.
{
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(base + "incidents/");
  const total = await page.locator("table.incidents tbody tr").count();
  await page.selectOption("select[name=severity]", "SEV1");
  const sev = await page.locator("table.incidents tbody tr:not([hidden]) td:nth-child(2)").allTextContents();
  if (!sev.length || sev.length === total || !sev.every((t) => t.trim() === "SEV1")) problems.push(`severity filter left ${JSON.stringify(sev)}`);
  const category = await page.locator("select[name=category] option").nth(1).getAttribute("value");
  await page.selectOption("select[name=category]", category);
  const rows = await page.locator("table.incidents tbody tr:not([hidden])").evaluateAll((rs) => rs.map((r) => [r.dataset.severity, r.dataset.category]));
  if (!rows.every(([s, c]) => s === "SEV1" && c.split("|").includes(category))) problems.push(`two filters left ${JSON.stringify(rows)}`);
  const said = await page.textContent(".filter-status");
  if (!said.startsWith(`${rows.length} of ${total}`)) problems.push(`status says "${said}" for ${rows.length} of ${total}`);
  await page.goto(base + "actions/?status=in-progress");
  const statuses = await page.locator("#open table tbody tr:not([hidden]) td:nth-child(4) .badge").allTextContents();
  if (!statuses.length || !statuses.every((t) => t.trim() === "in progress")) problems.push(`status from the address left ${JSON.stringify(statuses)}`);
  const owner = await page.locator("#open select[name=owner] option").nth(1).getAttribute("value");
  await page.selectOption("#open select[name=owner]", owner);
  const owners = await page.locator("#open table tbody tr:not([hidden]) td:nth-child(2)").allTextContents();
  if (!owners.every((t) => t.trim() === owner)) problems.push(`owner filter left ${JSON.stringify(owners)}`);
  await page.screenshot({ path: path.join(shotDir, "actions-filtered.png") });
  await context.close();
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const bare = await plain.newPage();
  await bare.goto(base + "incidents/?severity=SEV1");
  const all = await bare.locator("table.incidents tbody tr").count();
  const hidden = await bare.locator("table.incidents tbody tr[hidden]").count();
  if (all !== total || hidden) problems.push(`without JavaScript: ${all - hidden} of ${total} rows`);
  await plain.close();
  if (problems.length) { failed++; console.log(`FAIL filters\n  ${problems.join("\n  ")}`); }
  else { passed++; console.log(`ok   filters on incidents (severity, category) and actions (status from the address, owner); full list without JavaScript`); }
}

// Every service page prints as a one-page on-call sheet (A4).
{
  const services = fs.readdirSync(path.join(siteDir, "services"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  const context = await browser.newContext({ colorScheme: "dark" });
  const long = [];
  for (const s of services) {
    const page = await context.newPage();
    await page.goto(`${base}services/${s}/`);
    const pdf = await page.pdf({ format: "A4" });
    const count = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
    if (count !== 1) long.push(`${s}: ${count} pages`);
    await page.close();
  }
  await context.close();
  if (long.length || !services.length) { failed++; console.log(`FAIL on-call sheets\n  ${long.join("\n  ") || "no services"}`); }
  else { passed++; console.log(`ok   every one of ${services.length} service pages prints on one A4 page`); }
}

// On a phone: a trend chart keeps its value axis in view wherever its
// columns are scrolled, and the home page lists only the 5 most overdue actions.
async function phoneChecks(scheme) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: scheme, isMobile: true });
  const page = await context.newPage();
  const problems = [];
  await page.goto(base + "metrics/");
  const frames = page.locator(".chart-frame");
  if ((await frames.count()) < 4) problems.push(`${await frames.count()} trend charts with an axis of their own`);
  const frame = frames.first();
  await frame.scrollIntoViewIfNeeded();
  for (const end of ["start", "end"]) {
    await frame.locator(".chart-scroll").evaluate((box, end) => { box.scrollLeft = end === "start" ? -box.scrollWidth : box.scrollWidth; }, end);
    const axis = await frame.locator("svg.chart-axis").boundingBox();
    const scroll = await frame.locator(".chart-scroll").boundingBox();
    if (!axis || axis.x < 0 || axis.x + axis.width > scroll.x + 1) problems.push(`columns scrolled to the ${end}: the axis is at ${JSON.stringify(axis)}`);
  }
  if ((await frame.locator("svg.chart").boundingBox()).width <= (await frame.locator(".chart-scroll").boundingBox()).width) problems.push("the columns do not scroll at 390 px");
  await page.screenshot({ path: path.join(shotDir, `metrics-phone-${scheme}.png`) });
  await page.goto(base);
  const shown = await page.locator("#overdue ~ .table-scroll tbody tr").evaluateAll((rows) => rows.filter((r) => r.offsetHeight > 0).length);
  if (shown > 5) problems.push(`${shown} overdue actions shown on the home page`);
  const all = await page.locator("a[href$='actions/#overdue']").count();
  if (!all) problems.push("no link to every overdue action");
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  if (height > 6000) problems.push(`the home page is ${height} px tall`);
  await context.close();
  return problems;
}
for (const scheme of ["light", "dark"]) {
  const problems = await phoneChecks(scheme);
  if (problems.length) { failed++; console.log(`FAIL ${scheme} phone\n  ${problems.join("\n  ")}`); }
  else { passed++; console.log(`ok   ${scheme} phone: trend axes stay in view, home lists 5 overdue actions`); }
}

// Search: the header box on the home page, then the search page.
async function searchChecks(base, scheme) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => { problems.push(`a dialog opened: ${d.message()}`); d.dismiss(); });
  await page.goto(base);
  await page.fill("#site-search-q", "read-only transac");
  await page.waitForSelector("#site-search-results li a", { timeout: 15000 }).catch(() => problems.push("no results under the header box"));
  const first = await page.locator("#site-search-results li a").first().textContent().catch(() => "");
  if (!/read-only transaction/i.test(first)) problems.push(`header box: first result is ${JSON.stringify(first)}`);
  await page.keyboard.press("ArrowDown");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.closest("#site-search-results") !== null);
  if (!focused) problems.push("ArrowDown did not move focus into the results");
  const last = await page.locator("#site-search-results li").last();
  const all = await last.locator("a").getAttribute("href").catch(() => "");
  if (!/search\/\?q=read-only%20transac$/.test(all || "")) problems.push(`the dropdown does not end with a link to all results: ${all}`);
  await page.screenshot({ path: path.join(shotDir, `search-box-${scheme}.png`) });
  await page.goto(base + "search/?q=certificate%20expired");
  await page.waitForSelector("#search-results li", { timeout: 15000 }).catch(() => problems.push("no results on the search page"));
  const titles = await page.locator("#search-results .search-title").allTextContents();
  if (!titles.some((t) => /certificate/i.test(t))) problems.push(`search page results: ${JSON.stringify(titles.slice(0, 3))}`);
  const marks = await page.locator("#search-results mark").count();
  if (marks === 0) problems.push("no highlighted words in snippets");
  // The remedy that answers the query, linked to its anchor.
  const remedy = await page.locator("#search-results .search-passage a").first().getAttribute("href").catch(() => "");
  if (!/incidents\/[^/]+\/#remedy-\d+$/.test(remedy || "")) problems.push(`no remedy linked from the first result: ${remedy}`);
  await page.selectOption("#f-severity", "SEV1");
  await page.waitForTimeout(300);
  const severities = await page.locator("#search-results .search-meta").allTextContents();
  if (!severities.length || !severities.every((m) => m.startsWith("SEV1"))) problems.push(`severity filter: ${JSON.stringify(severities)}`);
  await page.screenshot({ path: path.join(shotDir, `search-page-${scheme}.png`), fullPage: false });
  // A typo is corrected, and the page offers the words as typed.
  await page.goto(base + "search/?q=certficate");
  await page.waitForSelector("#search-correction:not([hidden])", { timeout: 15000 }).catch(() => problems.push("no correction shown for a typo"));
  const note = await page.locator("#search-correction").textContent().catch(() => "");
  if (!/Showing results for certificate\. Search instead for certficate/.test(note || "")) problems.push(`correction note: ${JSON.stringify(note)}`);
  await page.locator("#search-correction a").click().catch(() => problems.push("no 'search instead' link"));
  await page.waitForTimeout(500);
  const status = await page.locator("#search-status").textContent().catch(() => "");
  if (!/No incident matches/.test(status || "") || !(await page.locator("#search-correction").isHidden())) problems.push(`searching as typed: ${JSON.stringify(status)}`);
  await context.close();
  return problems;
}
for (const scheme of ["light", "dark"]) {
  const problems = await searchChecks(base, scheme);
  if (problems.length) { failed++; console.log(`FAIL ${scheme} search\n  ${problems.join("\n  ")}`); }
  else { passed++; console.log(`ok   ${scheme} search: header box, keyboard, all results, search page, highlighting, remedy link, filters, typo correction`); }
}

if (hostileDir) {
  const hostile = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    let file = path.join(hostileDir, decodeURIComponent(url.pathname));
    if (!path.resolve(file).startsWith(path.resolve(hostileDir))) { res.writeHead(403); res.end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => hostile.listen(0, "127.0.0.1", resolve));
  const page = await browser.newPage();
  const problems = [];
  page.on("dialog", (d) => { problems.push(`script ran: ${d.message()}`); d.dismiss(); });
  await page.goto(`http://127.0.0.1:${hostile.address().port}/search/?q=alert`);
  await page.waitForSelector("#search-results li", { timeout: 15000 }).catch(() => problems.push("no results"));
  const title = await page.locator("#search-results .search-title").first().textContent().catch(() => "");
  if (!title.includes("<script>alert(1)</script>")) problems.push(`hostile title not shown as text: ${JSON.stringify(title)}`);
  const injected = await page.locator("#search-results script, #search-results img").count();
  if (injected) problems.push(`${injected} elements injected into the results`);
  await page.waitForTimeout(300);
  await page.close();
  hostile.close();
  if (problems.length) { failed++; console.log(`FAIL hostile search results\n  ${problems.join("\n  ")}`); }
  else { passed++; console.log("ok   hostile titles render as text in search results"); }
}

await browser.close();
server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
