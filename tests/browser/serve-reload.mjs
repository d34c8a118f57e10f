// `casebook serve` in headless Chromium: an open page reloads by itself after
// a record is edited, and shows the error overlay when an edit breaks it.
//
//   node tests/browser/serve-reload.mjs CASEBOOK_BINARY KB_DIR SCREENSHOT_DIR
//
// KB_DIR is copied to a temporary folder first. Closes with "N passed, M failed".

import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [binary, source, shotDir] = process.argv.slice(2);
if (!binary || !source || !shotDir) {
  console.error("usage: serve-reload.mjs CASEBOOK_BINARY KB_DIR SCREENSHOT_DIR");
  process.exit(2);
}
const kb = fs.mkdtempSync(path.join(os.tmpdir(), "casebook-serve-"));
fs.cpSync(source, kb, { recursive: true });
fs.mkdirSync(shotDir, { recursive: true });

const server = spawn(binary, ["serve", kb, "--port", "0", "--today", "2026-11-27"], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
let log = "";
const port = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("serve did not start:\n" + log)), 60000);
  server.stderr.on("data", (chunk) => {
    log += chunk;
    const m = log.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    if (m) { clearTimeout(timer); resolve(Number(m[1])); }
  });
  server.on("exit", (code) => reject(new Error(`serve exited with ${code}:\n${log}`)));
});

const record = fs.readdirSync(path.join(kb, "incidents"), { recursive: true })
  .filter((f) => f.endsWith(".md") && !fs.readFileSync(path.join(kb, "incidents", f), "utf8").includes('status = "draft"'))
  .sort()[0];
const recordPath = path.join(kb, "incidents", record);
const id = path.basename(record, ".md");
const original = fs.readFileSync(recordPath, "utf8");
const titleLine = original.split("\n").find((l) => l.startsWith("title = "));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let passed = 0;
let failed = 0;
async function check(name, fn) {
  try { await fn(); passed++; console.log(`ok   ${name}`); }
  catch (e) { failed++; console.log(`FAIL ${name}\n  ${e.message}`); }
}
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
await page.goto(`http://127.0.0.1:${port}/incidents/${id}/`);

await check("the page reloads by itself after the record is edited", async () => {
  await page.evaluate(() => { window.__before_edit = true; });
  fs.writeFileSync(recordPath, original.replace(titleLine, 'title = "Edited while the page was open"'));
  await page.waitForFunction(() => !window.__before_edit && document.querySelector("h1").textContent.includes("Edited while the page was open"), null, { timeout: 20000 });
  await page.screenshot({ path: path.join(shotDir, "serve-after-edit.png") });
});

await check("a broken edit shows the overlay over the last good page", async () => {
  fs.writeFileSync(recordPath, original.replace(titleLine, 'title = "Unclosed'));
  await page.waitForSelector("#casebook-overlay", { timeout: 20000 });
  const text = await page.textContent("#casebook-overlay");
  if (!text.includes(record.replace(/\\/g, "/"))) throw new Error(`overlay does not name the file: ${text}`);
  const h1 = await page.textContent("h1");
  if (!h1.includes("Edited while the page was open")) throw new Error(`last good page not shown: ${h1}`);
  await page.screenshot({ path: path.join(shotDir, "serve-overlay.png") });
});

await check("fixing it clears the overlay", async () => {
  fs.writeFileSync(recordPath, original);
  await page.waitForFunction(() => !document.querySelector("#casebook-overlay"), null, { timeout: 20000 });
});

await check("no page errors", async () => {
  if (errors.length) throw new Error(errors.join("\n"));
});

await browser.close();
server.kill("SIGINT");
fs.rmSync(kb, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
