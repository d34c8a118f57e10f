// The search box in every page's header and the /search/ page. Results render
// as text (never as HTML), update as you type, and are reachable from the
// keyboard: ArrowDown/ArrowUp move through them, Escape returns to the box.
import { createEngine } from "./search.js";

const root = document.documentElement.getAttribute("data-root") || "./";
let enginePromise = null;
const engine = () => (enginePromise = enginePromise || createEngine(root + "search/"));

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// `text` as a node list with the searched words in <mark>.
function marked(parent, text, matchWords, api) {
  for (const [piece, hit] of api.highlight(text, matchWords)) parent.append(hit ? el("mark", {}, piece) : document.createTextNode(piece));
  return parent;
}

// The remedy (or finding) a result quotes: what was seen and what was done,
// linking straight to it on the incident page.
// In the header's dropdown (`compact`), only a remedy, without its symptom.
function passage(r, matchWords, api, compact) {
  const p = r.passage;
  const box = el("p", { class: "search-passage" });
  const link = marked(el("a", { href: `${root}${r.url}#${p.anchor}` }), p.text, matchWords, api);
  const label = (text) => box.append(el("span", { class: "label" }, text), document.createTextNode(" "));
  if (!p.anchor.startsWith("remedy-")) label("Finding");
  else if (compact) label("Remedy");
  else if (p.symptom) {
    label("If you see");
    marked(box, p.symptom, matchWords, api);
    box.append(document.createTextNode(" "));
    label("do");
  } else label("Remedy");
  box.append(link);
  return box;
}

function renderResults(list, results, matchWords, api, compact) {
  list.replaceChildren();
  for (const r of results) {
    const item = el("li", { class: "search-result" });
    const link = el("a", { href: root + r.url, class: "search-title" }, r.title);
    item.append(link);
    const meta = el("p", { class: "muted search-meta" }, [r.severity, r.started, (r.categories || []).join(", ")].filter(Boolean).join(" · "));
    item.append(meta);
    if (!compact && r.summary) item.append(marked(el("p", { class: "search-snippet" }, undefined), r.summary, matchWords, api));
    if (r.passage && !(compact && !r.passage.anchor.startsWith("remedy-"))) item.append(passage(r, matchWords, api, compact));
    list.append(item);
  }
}

// "Showing results for …; search instead for …" when a word was corrected.
function correctionNote(note, query, corrections, href) {
  if (!note) return;
  note.replaceChildren();
  note.hidden = !corrections.length;
  if (!corrections.length) return;
  let fixed = query;
  for (const [typed, word] of corrections) fixed = fixed.replace(new RegExp(typed, "i"), word);
  note.append(document.createTextNode("Showing results for "), el("strong", {}, fixed), document.createTextNode(". "));
  note.append(el("a", { href }, `Search instead for ${query}`));
}

function keyboard(input, list) {
  const links = () => [...list.querySelectorAll("a")];
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && links().length) { e.preventDefault(); links()[0].focus(); }
  });
  list.addEventListener("keydown", (e) => {
    const all = links();
    const i = all.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && i < all.length - 1) { e.preventDefault(); all[i + 1].focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? all[i - 1] : input).focus(); }
    if (e.key === "Escape") input.focus();
  });
}

function filtersFrom(form) {
  const pick = (name) => [...form.querySelectorAll(`[name="${name}"]`)].map((s) => s.value).filter(Boolean);
  return { categories: pick("category"), severities: pick("severity"), services: pick("service"), years: pick("year") };
}

async function page() {
  const form = document.getElementById("search-form");
  if (!form) return;
  const input = form.querySelector("input[name=q]");
  const list = document.getElementById("search-results");
  const status = document.getElementById("search-status");
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  const api = await engine();
  const facets = await api.facets();
  for (const [name, values] of [["category", facets.categories], ["severity", facets.severities], ["service", facets.services], ["year", facets.years]]) {
    const select = form.querySelector(`select[name="${name}"]`);
    if (!select) continue;
    for (const v of [...values].sort()) select.append(el("option", { value: v }, v));
    if (params.get(name)) select.value = params.get(name);
  }
  const note = document.getElementById("search-correction");
  // `exact=1` (the "search instead" link) searches the words as typed.
  let exact = params.get("exact") === "1";
  let seq = 0;
  async function run() {
    const q = input.value;
    const mine = ++seq;
    if (!q.trim()) { list.replaceChildren(); correctionNote(note, q, [], ""); status.textContent = "Type to search every postmortem."; return; }
    const { results, total, words, corrections, matchWords } = await api.search(q, { limit: 20, filters: filtersFrom(form), correct: !exact });
    if (mine !== seq) return;
    renderResults(list, results, matchWords, api, false);
    const all = results.filter((r) => r.matched === words).length;
    const partial = words > 1 && all < results.length ? ` Results matching every word come first (${all === results.length ? "all" : all} shown).` : "";
    status.textContent = total ? `${total} incidents match; showing ${results.length}.${partial}` : "No incident matches.";
    const url = new URL(location.href);
    url.searchParams.set("q", q);
    if (exact) url.searchParams.set("exact", "1"); else url.searchParams.delete("exact");
    const instead = new URL(url);
    instead.searchParams.set("exact", "1");
    correctionNote(note, q, corrections, instead.href);
    history.replaceState(null, "", url);
  }
  let timer;
  input.addEventListener("input", () => { exact = false; clearTimeout(timer); timer = setTimeout(run, 80); });
  form.addEventListener("change", run);
  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
  keyboard(input, list);
  run();
}

function headerBox() {
  const form = document.getElementById("site-search");
  if (!form || document.getElementById("search-form")) return;
  const input = form.querySelector("input");
  const list = el("ul", { class: "search-dropdown", id: "site-search-results", "aria-label": "Search results" });
  form.append(list);
  let seq = 0;
  input.addEventListener("input", async () => {
    const q = input.value;
    const mine = ++seq;
    if (!q.trim()) { list.replaceChildren(); return; }
    const api = await engine();
    const { results, total, matchWords } = await api.search(q, { limit: 6 });
    if (mine !== seq) return;
    renderResults(list, results, matchWords, api, true);
    if (total) {
      const more = el("li", { class: "search-all" });
      more.append(el("a", { href: `${root}search/?q=${encodeURIComponent(q)}` }, total > results.length ? `All ${total} results` : "Open on the search page"));
      list.append(more);
    }
  });
  keyboard(input, list);
}

headerBox();
page().catch((e) => {
  const status = document.getElementById("search-status");
  if (status) status.textContent = "Search is unavailable: " + e.message;
});
