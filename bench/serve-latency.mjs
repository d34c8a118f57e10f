// How fast `casebook serve` shows an edit: starts the server on a copy of a
// knowledge base, waits for the first build, changes one record's title, and
// polls that record's page until the new title is served, then waits for the
// full rebuild that follows.
//
//   node bench/serve-latency.mjs CASEBOOK_BINARY KB_DIR [EDITS=5]
//
// Prints one JSON object with the milliseconds of each edit.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [binary, source, editsArg] = process.argv.slice(2);
const edits = Number(editsArg || 5);
const kb = fs.mkdtempSync(path.join(os.tmpdir(), "casebook-serve-bench-"));
fs.cpSync(source, kb, { recursive: true });
const server = spawn(binary, ["serve", kb, "--port", "0", "--today", "2026-11-27"], { stdio: ["ignore", "ignore", "pipe"] });
let log = "";
const started = Date.now();
const port = await new Promise((resolve, reject) => {
  server.stderr.on("data", (c) => { log += c; const m = log.match(/http:\/\/127\.0\.0\.1:(\d+)\//); if (m) resolve(Number(m[1])); });
  server.on("exit", (code) => reject(new Error(`serve exited ${code}\n${log}`)));
});
const firstBuildMs = Date.now() - started;
const get = async (p) => { const r = await fetch(`http://127.0.0.1:${port}${p}`); return r.text(); };
const records = fs.readdirSync(path.join(kb, "incidents"), { recursive: true })
  .filter((f) => f.endsWith(".md") && !fs.readFileSync(path.join(kb, "incidents", f), "utf8").includes('status = "draft"'))
  .sort();
const results = [];
for (let i = 0; i < edits; i++) {
  const rel = records[Math.floor((i + 0.5) * records.length / edits)];
  const file = path.join(kb, "incidents", rel);
  const id = path.basename(rel, ".md");
  const text = fs.readFileSync(file, "utf8");
  const title = `Edited title number ${i} ${Date.now()}`;
  const before = JSON.parse(await get("/__casebook/version")).version;
  const t0 = performance.now();
  fs.writeFileSync(file, text.replace(/^title = .*$/m, `title = "${title}"`));
  let pageMs = null;
  while (pageMs === null) {
    if ((await get(`/incidents/${id}/`)).includes(title)) pageMs = performance.now() - t0;
    else await new Promise((r) => setTimeout(r, 5));
  }
  // The full rebuild publishes one more version after the preview.
  while (JSON.parse(await get("/__casebook/version")).version < before + 2) await new Promise((r) => setTimeout(r, 20));
  results.push({ record: id, page_ms: Math.round(pageMs), full_rebuild_ms: Math.round(performance.now() - t0) });
}
server.kill("SIGINT");
fs.rmSync(kb, { recursive: true, force: true });
const pages = results.map((r) => r.page_ms).sort((a, b) => a - b);
console.log(JSON.stringify({ records: records.length, first_build_ms: firstBuildMs, page_ms_median: pages[Math.floor(pages.length / 2)], page_ms_max: pages[pages.length - 1], edits: results }));
