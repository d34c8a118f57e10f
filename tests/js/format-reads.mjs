// Which fields of the search files the browser code reads: runs the search
// page (themes/default/static/search-ui.js, as copied into a built site, in a
// minimal stand-in DOM) and through it the engine (static/search.js) against
// a built site's files, and records every property read on the parsed
// manifest, word and pair chunks and facet file, and on the results (metadata
// shard entries plus what the engine adds: `doc`, `score`, `matched`, `passage`).
// The default query has a typo, so that the correction's files are read too.
// Prints one JSON object:
//
//   {"manifest": [...], "chunk": [...], "pairs": [...], "facets": [...], "shard": [...],
//    "results": N, "errors": [...]}
//
//   node tests/js/format-reads.mjs SITE_DIR [QUERY] [SEVERITY]
//
// `tests/casebook/search.rs` compares these names with the fields of the Rust
// types in `src/index/format.rs`, both ways.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [site, query = "dsik full", severity = "SEV3"] = process.argv.slice(2);
if (!site) {
  console.error("usage: format-reads.mjs SITE_DIR [QUERY] [SEVERITY]");
  process.exit(2);
}
const searchDir = path.join(site, "search");
const reads = { manifest: new Set(), chunk: new Set(), pairs: new Set(), facets: new Set(), shard: new Set() };
const errors = [];

// A property read on a tracked object adds its name to the kind's set.
// `then` is read by `await` on any object, not by the code.
function track(value, kind) {
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === "string" && key !== "then") reads[kind].add(key);
      return Reflect.get(target, key, receiver);
    },
  });
}

// The engine parses each file it fetches with JSON.parse: track the result
// by the kind of file the text came from. (Shards are tracked as results:
// the engine copies their entries into the results it returns.)
const kindOfText = new Map();
const kindOfFile = (name) =>
  name === "manifest.json" ? "manifest" : name.startsWith("w-") ? "chunk" : name.startsWith("p-") ? "pairs"
    : name.startsWith("f-") ? "facets" : null;
const parse = JSON.parse;
JSON.parse = (text, reviver) => {
  const value = parse(text, reviver);
  const kind = kindOfText.get(text);
  return kind && value && typeof value === "object" ? track(value, kind) : value;
};
globalThis.fetch = async (url) => {
  const name = String(url).replace(/^(\.\/)?search\//, "");
  const file = path.join(searchDir, name);
  if (!fs.existsSync(file)) return { ok: false, status: 404, text: async () => "" };
  const text = fs.readFileSync(file, "utf8");
  const kind = kindOfFile(name);
  if (kind) kindOfText.set(text, kind);
  return { ok: true, status: 200, text: async () => text };
};

// search-ui.js imports "./search.js": give it, in a scratch folder, a
// search.js that wraps the site's engine and tracks every result it returns.
let resultCount = 0;
globalThis.__trackResults = (results) => {
  resultCount += results.length;
  return results.map((r) => track(r, "shard"));
};
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "casebook-format-reads-"));
const engineUrl = pathToFileURL(path.resolve(site, "static", "search.js")).href;
fs.writeFileSync(path.join(scratch, "search.js"), `import { createEngine as real } from ${JSON.stringify(engineUrl)};
export async function createEngine(base, fetchFn) {
  const engine = await real(base, fetchFn);
  const search = async (q, options) => {
    const out = await engine.search(q, options);
    return { ...out, results: globalThis.__trackResults(out.results) };
  };
  return { ...engine, search };
}
`);
fs.copyFileSync(path.join(site, "static", "search-ui.js"), path.join(scratch, "search-ui.js"));

// Just enough DOM for the search page: a form with the query box and the
// facet selects, the result list and the status line.
class Node {
  constructor(tag) { this.tag = tag; this.children = []; this.attributes = {}; this.value = ""; this.textContent = ""; }
  setAttribute(k, v) { this.attributes[k] = String(v); }
  getAttribute(k) { return this.attributes[k] ?? null; }
  append(...nodes) { this.children.push(...nodes); }
  replaceChildren(...nodes) { this.children = nodes; }
  addEventListener() {}
  querySelectorAll() { return []; }
}
const input = new Node("input");
const selects = Object.fromEntries(["category", "severity", "service", "year"].map((name) => [name, new Node("select")]));
const form = new Node("form");
form.querySelector = (selector) => {
  if (selector === "input[name=q]") return input;
  const m = selector.match(/^select\[name="(\w+)"\]$/);
  return m ? selects[m[1]] : null;
};
form.querySelectorAll = (selector) => {
  const m = selector.match(/^\[name="(\w+)"\]$/);
  return m && selects[m[1]] ? [selects[m[1]]] : [];
};
const status = new Node("p");
const byId = { "search-form": form, "search-results": new Node("ul"), "search-status": status };
const documentElement = new Node("html");
documentElement.setAttribute("data-root", "./");
globalThis.document = {
  documentElement,
  getElementById: (id) => byId[id] ?? null,
  createElement: (tag) => new Node(tag),
  createTextNode: (text) => Object.assign(new Node("#text"), { textContent: text }),
};
const params = new URLSearchParams({ q: query, severity });
globalThis.location = { search: `?${params}`, href: `http://localhost/search/?${params}` };
// run() ends by putting the query in the address: the page has searched.
let searched;
const done = new Promise((resolve) => { searched = resolve; });
globalThis.history = { replaceState: () => searched() };
// ... or says it cannot search.
let statusText = "";
Object.defineProperty(status, "textContent", {
  get: () => statusText,
  set: (text) => { statusText = text; if (text.startsWith("Search is unavailable")) searched(); },
});
process.on("unhandledRejection", (e) => { errors.push(String(e && e.stack || e)); searched(); });

try {
  await import(pathToFileURL(path.join(scratch, "search-ui.js")).href);
  const timeout = setTimeout(() => { errors.push("the search page did not finish a search in 10 s"); searched(); }, 10_000);
  await done;
  clearTimeout(timeout);
  if (statusText.startsWith("Search is unavailable")) errors.push(statusText);
  if (resultCount === 0) errors.push(`no results for ${JSON.stringify(query)} (severity ${severity}): shard fields went unread`);
} catch (e) {
  errors.push(String(e && e.stack || e));
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
const sorted = (set) => [...set].sort();
console.log(JSON.stringify({
  manifest: sorted(reads.manifest),
  chunk: sorted(reads.chunk),
  pairs: sorted(reads.pairs),
  facets: sorted(reads.facets),
  shard: sorted(reads.shard),
  results: resultCount,
  errors,
}));
