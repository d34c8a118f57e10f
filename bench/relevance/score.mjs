// Scores `casebook search` against a relevance set.
//
//   node bench/relevance/score.mjs CASEBOOK_BINARY SET.json (--dir KB | --site SITE) [--set tune|held|all] [--json] [--queries]
//
// Every query of the set runs through `CASEBOOK_BINARY search QUERY KB --json --limit 10`
// (or `--site SITE` in place of KB). The report gives nDCG@10 (gains 2^g - 1, log2
// discount, ideal ranking from the judgments) and MRR (first result with grade >= 1)
// per kind and overall, for tune and held separately, then the 10 worst queries
// with their top 3. --json prints the summary figures as JSON instead; --queries also
// lists every query with its figures and top 3.
// Node 20, no dependencies.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mean, ndcg, reciprocalRank } from "./metrics.mjs";

const USAGE =
  "usage: node bench/relevance/score.mjs CASEBOOK_BINARY SET.json (--dir KB | --site SITE) [--set tune|held|all] [--json] [--queries]";
const K = 10;

function fail(message) {
  console.error(`score.mjs: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const positional = [];
  const opts = { set: "all", json: false, queries: false, source: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--dir" || a === "--site") {
      if (opts.source) fail(`give one of --dir and --site\n${USAGE}`);
      const value = argv[++i];
      if (!value) fail(`${a} needs a path\n${USAGE}`);
      opts.source = [a, value];
    } else if (a === "--set") {
      opts.set = argv[++i];
      if (!["tune", "held", "all"].includes(opts.set)) fail(`--set must be tune, held or all\n${USAGE}`);
    } else if (a === "--json") {
      opts.json = true;
    } else if (a === "--queries") {
      opts.queries = true;
    } else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith("--")) {
      fail(`unknown option ${a}\n${USAGE}`);
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 2 || !opts.source) fail(USAGE);
  [opts.binary, opts.setFile] = positional;
  return opts;
}

function loadSet(path) {
  let data;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    fail(`cannot read ${path}: ${e.message}`);
  }
  const queries = Array.isArray(data) ? data : data.queries;
  if (!Array.isArray(queries)) fail(`${path}: expected a list of queries or {"queries": [...]}`);
  queries.forEach((q, i) => {
    const where = `${path}: query ${i + 1}`;
    if (typeof q.query !== "string" || q.query.trim() === "") fail(`${where}: "query" must be a non-empty string`);
    if (typeof q.relevant !== "object" || q.relevant === null || Object.keys(q.relevant).length === 0)
      fail(`${where} (${q.query}): "relevant" must map at least one id to a grade`);
    for (const [id, g] of Object.entries(q.relevant))
      if (![1, 2].includes(g)) fail(`${where} (${q.query}): grade of ${id} must be 1 or 2, not ${g}`);
    if (!["tune", "held"].includes(q.set)) fail(`${where} (${q.query}): "set" must be "tune" or "held"`);
    if (typeof q.kind !== "string" || q.kind === "") fail(`${where} (${q.query}): "kind" must be a string`);
  });
  return queries;
}

function search(opts, query) {
  // The knowledge base directory is search's positional argument; a built site is --site.
  const [flag, path] = opts.source;
  const where = flag === "--dir" ? [path] : ["--site", path];
  const args = ["search", query, ...where, "--json", "--limit", String(K)];
  const run = spawnSync(opts.binary, args, { encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.error) fail(`cannot run ${opts.binary}: ${run.error.message}`);
  // Exit 1 means no results; stdout still holds [].
  if (run.status !== 0 && run.status !== 1)
    fail(`${opts.binary} ${args.join(" ")} exited with ${run.status}:\n${run.stderr}`);
  let hits;
  try {
    hits = JSON.parse(run.stdout);
  } catch (e) {
    fail(`output of search ${JSON.stringify(query)} is not JSON: ${e.message}`);
  }
  return hits;
}

function summarise(rows) {
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  const group = (rs) => ({
    queries: rs.length,
    ndcg: mean(rs.map((r) => r.ndcg)),
    mrr: mean(rs.map((r) => r.mrr)),
  });
  const bySet = {};
  for (const set of ["tune", "held"]) {
    const rs = rows.filter((r) => r.set === set);
    if (rs.length === 0) continue;
    bySet[set] = { overall: group(rs), kinds: {} };
    for (const kind of kinds) {
      const ks = rs.filter((r) => r.kind === kind);
      if (ks.length) bySet[set].kinds[kind] = group(ks);
    }
  }
  return { sets: bySet, all: group(rows) };
}

function worst(rows, n) {
  return [...rows].sort((a, b) => a.ndcg - b.ndcg || a.mrr - b.mrr || a.query.localeCompare(b.query)).slice(0, n);
}

const fmt = (x) => x.toFixed(3);

function printTable(summary) {
  for (const [set, s] of Object.entries(summary.sets)) {
    console.log(`\n${set}`);
    console.log(`  ${"kind".padEnd(10)} ${"queries".padStart(7)} ${"nDCG@10".padStart(8)} ${"MRR".padStart(6)}`);
    for (const [kind, g] of Object.entries(s.kinds))
      console.log(`  ${kind.padEnd(10)} ${String(g.queries).padStart(7)} ${fmt(g.ndcg).padStart(8)} ${fmt(g.mrr).padStart(6)}`);
    const o = s.overall;
    console.log(`  ${"overall".padEnd(10)} ${String(o.queries).padStart(7)} ${fmt(o.ndcg).padStart(8)} ${fmt(o.mrr).padStart(6)}`);
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const queries = loadSet(opts.setFile).filter((q) => opts.set === "all" || q.set === opts.set);
  if (queries.length === 0) fail(`no queries in set ${opts.set}`);
  const rows = queries.map((q) => {
    const hits = search(opts, q.query);
    const ranking = hits.map((h) => h.id);
    return {
      query: q.query,
      set: q.set,
      kind: q.kind,
      ndcg: ndcg(ranking, q.relevant, K),
      mrr: reciprocalRank(ranking, q.relevant, K),
      results: hits.length,
      top: ranking.slice(0, 3),
      relevant: q.relevant,
    };
  });
  const summary = summarise(rows);
  const bad = worst(rows, 10);
  if (opts.json) {
    const round = (x) => Math.round(x * 1000) / 1000;
    const r = (g) => ({ queries: g.queries, ndcg: round(g.ndcg), mrr: round(g.mrr) });
    const sets = {};
    for (const [set, s] of Object.entries(summary.sets))
      sets[set] = {
        overall: r(s.overall),
        kinds: Object.fromEntries(Object.entries(s.kinds).map(([k, g]) => [k, r(g)])),
      };
    const out = {
      set_file: opts.setFile,
      source: { [opts.source[0].slice(2)]: opts.source[1] },
      k: K,
      sets,
      all: r(summary.all),
      worst: bad.map((w) => ({ query: w.query, set: w.set, kind: w.kind, ndcg: round(w.ndcg), mrr: round(w.mrr), top: w.top })),
    };
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  console.log(`${opts.setFile}: ${rows.length} queries against ${opts.source.join(" ")} (nDCG@${K}, MRR@${K})`);
  printTable(summary);
  const line = (w) => {
    const top = w.top.length ? w.top.map((id) => (w.relevant[id] ? `*${id}` : id)).join(", ") : "(no results)";
    console.log(`  ${fmt(w.ndcg)} ${fmt(w.mrr)}  [${w.set}/${w.kind}] ${w.query}`);
    console.log(`      ${top}`);
  };
  console.log(`\nworst ${bad.length} queries (nDCG, MRR, top 3; * marks a judged result)`);
  bad.forEach(line);
  if (opts.queries) {
    console.log(`\nall queries`);
    rows.forEach(line);
  }
}

main();
