// Parity of the browser search engine with `casebook search`: for a set of
// generated queries (one, two and three words, prefixes, words absent from the
// corpus, other word forms, typos, synonyms, quoted phrases, punctuation), the
// top 10 of the engine under Node must equal the CLI's top 10 (ids, words
// matched, the quoted passage) and the corrections must be the same; two
// results may swap only where they match as many words and their scores
// differ by at most 1e-5.
//
//   node tests/js/parity.mjs SITE_DIR CASEBOOK_BINARY [QUERIES=220] [SEED=7]
//
// Closes with "N passed, M failed"; exit 1 on any mismatch.

import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
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
// Other forms of corpus words, typos of them (a letter dropped, two swapped),
// synonyms of the thesaurus, quoted phrases of adjacent words.
const forms = (w) => [w + "s", w + "ing", w + "ed", w.replace(/e$/, "") + "ation"];
const typo = (w) => {
  const i = 1 + Math.floor(rand() * (w.length - 2));
  return rand() < 0.5 ? w.slice(0, i) + w.slice(i + 1) : w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
};
const synonyms = manifest.synonyms.flat().filter((m) => !m.includes(" "));
plan.push(
  [Math.round(count * 0.1), () => `${pick(forms(word()))} `],
  [Math.round(count * 0.1), () => `${typo(pick(alphabetic.slice(0, 3000)))} ${word()} `],
  [Math.round(count * 0.05), () => `${pick(synonyms)} ${word()}`],
  [Math.round(count * 0.1), () => `"${word()} ${word()}" ${word()}`],
);
const fixedMore = ["throttling ", "renewals", "certficate expiry", "\"disk full\"", "rate limited", "OOM ", "out of memory", "too many clients", "read-only transaction ", "\"unclosed phrase"];
for (const q of fixedMore) add(q);
for (const [n, make] of plan) for (let i = 0; i < n; i++) add(make());
while (queries.length < count) add(`${word()} ${word()}`);

const { createEngine } = await import(pathToFileURL(path.join(site, "static", "search.js")).href);
const engine = await createEngine("", async (name) => {
  const file = path.join(searchDir, name);
  return fs.existsSync(file) ? { ok: true, status: 200, text: async () => fs.readFileSync(file, "utf8") } : { ok: false, status: 404, text: async () => "" };
});

// Scores agree to 1e-5, or to 2 units in the sixth significant digit for large ones.
const close = (a, b) => Math.abs(a - b) <= Math.max(1e-5, 2e-6 * Math.abs(b));
function agree(js, cli) {
  if (js.length !== cli.length) return `lengths ${js.length} vs ${cli.length}`;
  for (let i = 0; i < js.length; i++) {
    if (!close(js[i].score, cli[i].score)) return `score at ${i + 1}: ${js[i].score} vs ${cli[i].score}`;
    if (js[i].matched !== cli[i].matched) return `words matched at ${i + 1}: ${js[i].matched} vs ${cli[i].matched}`;
    if (js[i].id !== cli[i].id) {
      // A swap is fine only between results whose scores are within 1e-5.
      const near = (list) => list.filter((r) => r.matched === cli[i].matched && close(r.score, cli[i].score)).map((r) => r.id);
      const tiedJs = near(js), tiedCli = near(cli);
      const atCut = i >= js.length - tiedCli.length;
      if (!tiedJs.includes(cli[i].id) && !atCut) return `id at ${i + 1}: ${js[i].id} vs ${cli[i].id}`;
    } else if (js[i].anchor !== cli[i].anchor) return `passage at ${i + 1}: ${js[i].anchor} vs ${cli[i].anchor}`;
  }
  return null;
}

// The CLI says what it corrected on stderr: "showing results for `fixed`: no incident contains `typed` ...".
const correctionsOf = (stderr) => [...stderr.matchAll(/showing results for `([^`]*)`: no incident contains `([^`]*)`/g)].map((m) => [m[2], m[1]]);

let passed = 0;
let failed = 0;
const kinds = { corrected: 0, phrase: 0, partial: 0 };
for (const q of queries) {
  const { results, corrections } = await engine.search(q, { limit: 10 });
  const js = results.map((r) => ({ id: r.id, score: r.score, matched: r.matched, anchor: r.passage ? r.passage.anchor : null }));
  const args = ["search", q, "--site", site, "--json", "--limit", "10"];
  const run = spawnSync(binary, args, { encoding: "utf8" });
  // Exit 1 means no results; its stdout is still the JSON array.
  if (run.status !== 0 && run.status !== 1) { failed++; console.log(`FAIL ${JSON.stringify(q)}: casebook search failed: ${run.stderr}`); continue; }
  const cli = JSON.parse(run.stdout).map((r) => ({ id: r.id, score: r.score, matched: r.matched, anchor: r.passage ? r.passage.anchor : null }));
  if (corrections.length) kinds.corrected++;
  if (q.includes('"')) kinds.phrase++;
  if (cli.some((r) => r.matched < cli[0].matched)) kinds.partial++;
  const fixed = correctionsOf(run.stderr);
  const problem = JSON.stringify(fixed) !== JSON.stringify(corrections)
    ? `corrections ${JSON.stringify(corrections)} vs ${JSON.stringify(fixed)}`
    : agree(js, cli);
  if (problem) { failed++; console.log(`FAIL ${JSON.stringify(q)}: ${problem}`); }
  else passed++;
}
console.log(`parity over ${queries.length} queries on ${manifest.docs} documents (${kinds.corrected} corrected, ${kinds.phrase} with quotes, ${kinds.partial} ranking partial matches below full ones)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
