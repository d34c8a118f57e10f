// How fast `casebook serve` answers pages while live-reload streams are open:
// starts the server on KB as it is (nothing is edited or written), opens
// STREAMS event streams (as open tabs do), then sends REQUESTS page requests,
// half over keep-alive connections and half each on a fresh connection,
// CONCURRENCY at a time, and prints the latency percentiles. Last, it sends
// SIGINT with the streams still open and times the exit.
//
//   node bench/serve-load.mjs CASEBOOK_BINARY KB_DIR [REQUESTS=2000] [STREAMS=6] [CONCURRENCY=4]
//
// Loopback only; bounded: REQUESTS requests, each given up to 10 s, and the
// whole run at most 120 s. No npm packages. Prints one JSON object.

import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const [binary, kb, requestsArg, streamsArg, concurrencyArg] = process.argv.slice(2);
if (!binary || !kb) {
  console.error("usage: node bench/serve-load.mjs CASEBOOK_BINARY KB_DIR [REQUESTS=2000] [STREAMS=6] [CONCURRENCY=4]");
  process.exit(2);
}
const total = Number(requestsArg || 2000);
const streamCount = Number(streamsArg || 6);
const concurrency = Number(concurrencyArg || 4);
const REQUEST_TIMEOUT_MS = 10_000;
const RUN_DEADLINE = Date.now() + 120_000;

const server = spawn(binary, ["serve", kb, "--port", "0", "--today", "2026-11-27"], { stdio: ["ignore", "ignore", "pipe"] });
let log = "";
let exited = null;
server.on("exit", (code, signal) => { exited = { code, signal, at: performance.now() }; });
const port = await new Promise((resolve, reject) => {
  server.stderr.on("data", (c) => { log += c; const m = log.match(/http:\/\/127\.0\.0\.1:(\d+)\//); if (m) resolve(Number(m[1])); });
  server.on("exit", (code) => reject(new Error(`serve exited ${code}\n${log}`)));
  setTimeout(() => reject(new Error(`serve did not start in 60 s\n${log}`)), 60_000);
});

// Pages to ask for: the home page, the lists, every record's page, the stylesheet.
const ids = fs.readdirSync(path.join(kb, "incidents"), { recursive: true })
  .filter((f) => f.endsWith(".md") && !fs.readFileSync(path.join(kb, "incidents", f), "utf8").includes('status = "draft"'))
  .map((f) => path.basename(f, ".md"))
  .sort();
const paths = ["/", "/incidents/", "/static/style.css", ...ids.map((id) => `/incidents/${id}/`)];

function get(p, agent) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.get({ host: "127.0.0.1", port, path: p, agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on("end", () => resolve({ ms: performance.now() - t0, status: res.statusCode }));
    });
    req.on("timeout", () => { req.destroy(); resolve({ ms: performance.now() - t0, status: "timeout" }); });
    req.on("error", (e) => resolve({ ms: performance.now() - t0, status: e.code || "error" }));
  });
}

// The live-reload streams: each must deliver its first event.
const streams = [];
const streamsReady = await Promise.all(Array.from({ length: streamCount }, () => new Promise((resolve) => {
  const req = http.get({ host: "127.0.0.1", port, path: "/__casebook/events", agent: false }, (res) => {
    res.setEncoding("utf8");
    let seen = "";
    res.on("data", (d) => { seen += d; if (seen.includes("data: ")) resolve(true); });
    res.on("error", () => resolve(false));
  });
  req.on("error", () => resolve(false));
  setTimeout(() => resolve(false), REQUEST_TIMEOUT_MS);
  streams.push(req);
})));

async function run(mode, count) {
  const agent = mode === "keep-alive" ? new http.Agent({ keepAlive: true, maxSockets: concurrency }) : false;
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < count && Date.now() < RUN_DEADLINE) {
      const i = next++;
      results.push(await get(paths[i % paths.length], agent));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (agent) agent.destroy();
  return results;
}

function summary(results) {
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const at = (q) => ms.length ? Math.round(ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] * 10) / 10 : null;
  const failed = results.filter((r) => r.status !== 200).length;
  return { requests: results.length, failed, p50_ms: at(0.5), p95_ms: at(0.95), p99_ms: at(0.99), max_ms: ms.length ? Math.round(ms[ms.length - 1] * 10) / 10 : null };
}

const keepAlive = await run("keep-alive", Math.ceil(total / 2));
const fresh = await run("fresh", Math.floor(total / 2));

// Ctrl-C with the streams still open.
const t0 = performance.now();
server.kill("SIGINT");
while (!exited && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 5));
const stopMs = exited ? Math.round(exited.at - t0) : null;
for (const s of streams) s.destroy();
if (!exited) server.kill("SIGKILL");

const all = summary([...keepAlive, ...fresh]);
console.log(JSON.stringify({
  pages: paths.length,
  streams_open: streamsReady.filter(Boolean).length,
  concurrency,
  keep_alive: summary(keepAlive),
  fresh: summary(fresh),
  all,
  p99_target_ms: 100,
  p99_ok: all.failed === 0 && all.p99_ms !== null && all.p99_ms <= 100,
  sigint_exit_ms: stopMs,
  exit_code: exited ? exited.code : "killed after 10 s",
}));
process.exit(0);
