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

function renderResults(list, results, matchWords, api, compact) {
  list.replaceChildren();
  for (const r of results) {
    const item = el("li", { class: "search-result" });
    const link = el("a", { href: root + r.url, class: "search-title" }, r.title);
    item.append(link);
    const meta = el("p", { class: "muted search-meta" }, [r.severity, r.started, (r.categories || []).join(", ")].filter(Boolean).join(" · "));
    item.append(meta);
    if (!compact && r.summary) {
      const p = el("p", { class: "search-snippet" });
      for (const [piece, hit] of api.highlight(r.summary, matchWords)) p.append(hit ? el("mark", {}, piece) : document.createTextNode(piece));
      item.append(p);
    }
    list.append(item);
  }
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
  let seq = 0;
  async function run() {
    const q = input.value;
    const mine = ++seq;
    if (!q.trim()) { list.replaceChildren(); status.textContent = "Type to search every postmortem."; return; }
    const { results, total, matchWords } = await api.search(q, { limit: 20, filters: filtersFrom(form) });
    if (mine !== seq) return;
    renderResults(list, results, matchWords, api, false);
    status.textContent = total ? `${total} incidents match; showing ${results.length}.` : "No incident matches.";
    const url = new URL(location.href);
    url.searchParams.set("q", q);
    history.replaceState(null, "", url);
  }
  let timer;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 80); });
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
    const { results, matchWords } = await api.search(q, { limit: 6 });
    if (mine === seq) renderResults(list, results, matchWords, api, true);
  });
  keyboard(input, list);
}

headerBox();
page().catch((e) => {
  const status = document.getElementById("search-status");
  if (status) status.textContent = "Search is unavailable: " + e.message;
});
