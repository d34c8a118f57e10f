// Measures what search queries fetch from a built site, as a browser would:
// cold (a fresh engine per query, manifest included) and warm (one engine,
// the bytes each further query adds), gzip sizes, and sequential rounds.
//
//   node bench/search-bytes.mjs SITE_DIR [QUERIES=200] [SEED=3]
//
// Prints one JSON object.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { pathToFileURL } from "node:url";

const [site, countArg, seedArg] = process.argv.slice(2);
const count = Number(countArg || 200);
let seed = Number(seedArg || 3) >>> 0 || 3;
const rand = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 4294967296; };
const searchDir = path.join(site, "search");
const manifest = JSON.parse(fs.readFileSync(path.join(searchDir, "manifest.json"), "utf8"));
const vocabulary = [];
for (let i = 0; i < manifest.chunks.length; i++) {
  for (const [w, [, df]] of Object.entries(JSON.parse(fs.readFileSync(path.join(searchDir, `w-${manifest.chunk_set}-${i}.json`), "utf8")).words)) if (/^[a-z]{3,}$/.test(w)) vocabulary.push([w, df]);
}
vocabulary.sort((a, b) => b[1] - a[1]);
// Queries weighted like real use: mostly mid-frequency words, some common, some prefixes.
const word = () => vocabulary[Math.floor(Math.pow(rand(), 2) * vocabulary.length)][0];
const queries = [];
for (let i = 0; i < count; i++) {
  const r = rand();
  queries.push(r < 0.4 ? word() : r < 0.7 ? `${word()} ${word()}` : r < 0.85 ? `${word()} ${word()} ${word()}` : word().slice(0, 3 + Math.floor(rand() * 3)));
}

const { createEngine } = await import(pathToFileURL(path.join(site, "static", "search.js")).href);
const gz = new Map();
function gzipSize(name, bytes) {
  if (!gz.has(name)) gz.set(name, zlib.gzipSync(bytes).length);
  return gz.get(name);
}
function makeFetch(counter) {
  let inFlight = 0;
  return async (name) => {
    if (inFlight === 0) counter.rounds++;
    inFlight++;
    await new Promise((r) => setImmediate(r));
    inFlight--;
    const bytes = fs.readFileSync(path.join(searchDir, name));
    counter.files++;
    counter.bytes += bytes.length;
    counter.gzip += gzipSize(name, bytes);
    return { ok: true, status: 200, text: async () => bytes.toString("utf8") };
  };
}
const pct = (list, p) => { const s = [...list].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

const cold = [], coldRounds = [], coldFiles = [];
for (const q of queries) {
  const c = { rounds: 0, files: 0, bytes: 0, gzip: 0 };
  const engine = await createEngine("", makeFetch(c));
  c.rounds = 0;
  await engine.search(q, { limit: 10 });
  cold.push(c.gzip);
  coldRounds.push(c.rounds);
  coldFiles.push(c.files);
}
const warm = [];
const w = { rounds: 0, files: 0, bytes: 0, gzip: 0 };
const shared = await createEngine("", makeFetch(w));
for (const q of queries) {
  const before = w.gzip;
  await shared.search(q, { limit: 10 });
  warm.push(w.gzip - before);
}
const all = fs.readdirSync(searchDir).filter((f) => f.endsWith(".json"));
console.log(JSON.stringify({
  docs: manifest.docs,
  queries: queries.length,
  static_files: all.length,
  static_bytes: all.reduce((n, f) => n + fs.statSync(path.join(searchDir, f)).size, 0),
  cold_gzip_p50: pct(cold, 0.5), cold_gzip_p95: pct(cold, 0.95), cold_gzip_max: Math.max(...cold),
  warm_gzip_p50: pct(warm, 0.5), warm_gzip_p95: pct(warm, 0.95),
  cold_files_p95: pct(coldFiles, 0.95),
  rounds_after_manifest_max: Math.max(...coldRounds),
}));
