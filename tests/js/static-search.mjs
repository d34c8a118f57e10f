// Runs the browser search engine (themes/default/static/search.js, as copied
// into a built site) under Node against a built site's files, and prints the
// same JSON as `casebook search --json`.
//
//   node tests/js/static-search.mjs SITE_DIR QUERY [--limit N] [--stats]
//
// With --stats, also prints on stderr one JSON line
// {"files": F, "bytes": B, "gzip_bytes": G, "rounds": R} for what the query read,
// the manifest included in files and bytes; R counts the query's sequential
// request rounds after the manifest.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); if (i < 0) return null; const v = args[i + 1]; args.splice(i, 2); return v; };
const stats = args.includes("--stats");
if (stats) args.splice(args.indexOf("--stats"), 1);
const limit = Number(flag("--limit") || 10);
const [site, query] = args;
if (!site || query === undefined) {
  console.error("usage: static-search.mjs SITE_DIR QUERY [--limit N] [--stats]");
  process.exit(2);
}
const { createEngine } = await import(pathToFileURL(path.join(site, "static", "search.js")).href);

let gzip = 0;
let rounds = 0;
let inFlight = 0;
async function fetchFile(url) {
  // A "round" is a batch of requests started while none was in flight.
  if (inFlight === 0) rounds++;
  inFlight++;
  await new Promise((r) => setImmediate(r));
  inFlight--;
  const file = path.join(site, "search", url);
  if (!fs.existsSync(file)) return { ok: false, status: 404, text: async () => "" };
  const bytes = fs.readFileSync(file);
  gzip += zlib.gzipSync(bytes).length;
  return { ok: true, status: 200, text: async () => bytes.toString("utf8") };
}

const engine = await createEngine("", fetchFile);
// Rounds are counted for the query itself; the manifest loads with the page.
const manifestRounds = rounds;
rounds = 0;
const { results } = await engine.search(query, { limit });
const out = results.map((r) => ({
  id: r.id, matched: r.matched, passage: r.passage, score: r.score, title: r.title, url: r.url,
}));
console.log(JSON.stringify(out, null, 2));
if (stats) console.error(JSON.stringify({ files: engine.stats.files, bytes: engine.stats.bytes, gzip_bytes: gzip, rounds, manifest_rounds: manifestRounds }));
