// Parity of the browser search engine with `casebook search`: for a set of
// generated queries (one, two and three words, prefixes, words absent from the
// corpus, punctuation), the top 10 of the engine under Node must equal the
// CLI's top 10; two results may swap only where their scores differ by at
// most 1e-5.
//
//   node tests/js/parity.mjs SITE_DIR CASEBOOK_BINARY [QUERIES=220] [SEED=7]
//
// Closes with "N passed, M failed"; exit 1 on any mismatch.

import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";

const [site, binary, countArg, seedArg] = process.argv.slice(2);
if (!site || !binary) {
  console.error("usage: parity.mjs SITE_DIR CASEBOOK_BINARY [QUERIES] [SEED]");
  process.exit(2);
}
const count = Number(countArg || 220);
let seed = Number(seedArg || 7) >>> 0 || 7;
const rand = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 4294967296; };
const pick = (list) => list[Math.floor(rand() * list.length)];

const searchDir = path.join(site, "search");
const manifest = JSON.parse(fs.readFileSync(path.join(searchDir, "manifest.json"), "utf8"));
const vocabulary = [];
for (let i = 0; i < manifest.chunks.length; i++) {
  const chunk = JSON.parse(fs.readFileSync(path.join(searchDir, `w-${manifest.chunk_set}-${i}.json`), "utf8"));
  for (const [word, [, df]] of Object.entries(chunk.words)) vocabulary.push([word, df]);
}
vocabulary.sort((a, b) => b[1] - a[1]);
const alphabetic = vocabulary.filter(([w]) => /^[a-z]{3,}$/.test(w)).map(([w]) => w);
// Words across the frequency range: common, middling, rare.
const bands = [alphabetic.slice(0, 200), alphabetic.slice(200, 2000), alphabetic.slice(2000)].filter((b) => b.length);
const word = () => pick(pick(bands));

const queries = [];
const add = (q) => { if (!queries.includes(q)) queries.push(q); };
const fixed = ["us-east-1", "p99.9", "read-only transaction", "SQLSTATE 25006", "x509: certificate has expired", "5xx/4xx", "TLS 1.3", "(timeout)", "node.js", "C++ build",
  "zzqxv", "qwertyuiopasdfgh", "failover ", "Certificate EXPIRED ", "  dns  ", "-", "", "a", "the", "postmortem incident"];
for (const q of fixed) add(q);
const plan = [
  [Math.round(count * 0.3), () => word()],
  [Math.round(count * 0.2), () => `${word()} ${word()}`],
  [Math.round(count * 0.15), () => `${word()} ${word()} ${word()}`],
  [Math.round(count * 0.2), () => { const w = word(); return w.slice(0, 2 + Math.floor(rand() * Math.max(1, w.length - 2))); }],
  [Math.round(count * 0.1), () => `${word()} ${word().slice(0, 3)}`],
];
for (const [n, make] of plan) for (let i = 0; i < n; i++) add(make());
while (queries.length < count) add(`${word()} ${word()}`);

const { createEngine } = await import(pathToFileURL(path.join(site, "static", "search.js")).href);
const engine = await createEngine("", async (name) => {
  const file = path.join(searchDir, name);
  return fs.existsSync(file) ? { ok: true, status: 200, text: async () => fs.readFileSync(file, "utf8") } : { ok: false, status: 404, text: async () => "" };
});

function agree(js, cli) {
  if (js.length !== cli.length) return `lengths ${js.length} vs ${cli.length}`;
  for (let i = 0; i < js.length; i++) {
    if (Math.abs(js[i].score - cli[i].score) > 1e-5) return `score at ${i + 1}: ${js[i].score} vs ${cli[i].score}`;
    if (js[i].id !== cli[i].id) {
      // A swap is fine only between results whose scores are within 1e-5.
      const near = (list) => list.filter((r) => Math.abs(r.score - cli[i].score) <= 1e-5).map((r) => r.id);
      const tiedJs = near(js), tiedCli = near(cli);
      const atCut = i >= js.length - tiedCli.length;
      if (!tiedJs.includes(cli[i].id) && !atCut) return `id at ${i + 1}: ${js[i].id} vs ${cli[i].id}`;
    }
  }
  return null;
}

let passed = 0;
let failed = 0;
for (const q of queries) {
  const { results } = await engine.search(q, { limit: 10 });
  const js = results.map((r) => ({ id: r.id, score: r.score }));
  let cli;
  try {
    cli = JSON.parse(execFileSync(binary, ["search", q, "--site", site, "--json", "--limit", "10"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  } catch (e) {
    // Exit 1 means no results; its stdout is still the JSON array.
    if (e.status === 1) cli = JSON.parse(e.stdout);
    else { failed++; console.log(`FAIL ${JSON.stringify(q)}: casebook search failed: ${e.stderr}`); continue; }
  }
  const problem = agree(js, cli);
  if (problem) { failed++; console.log(`FAIL ${JSON.stringify(q)}: ${problem}`); }
  else passed++;
}
console.log(`parity over ${queries.length} queries on ${manifest.docs} documents`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
