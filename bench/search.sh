#!/usr/bin/env bash
# Search benchmark: for generated corpora of 1,000 and 10,000 records, the time
# to index and export, the size and file count of search/, and what queries
# fetch (gzip bytes, cold and warm, p50/p95; request rounds).
#
#   bench/search.sh [COUNTS...]        default: 1000 10000
#
# Needs a Rust toolchain and Node.js. Corpora go to ${BENCH_DIR:-/tmp/casebook-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(1000 10000)
work=${BENCH_DIR:-/tmp/casebook-bench}
mkdir -p "$work"
cargo build --release --quiet --example gen-corpus
cargo build --release --quiet
bin=target/release/casebook

printf '%-8s %-10s %-12s %-8s %-10s %-10s %-10s %-10s %-10s %-7s\n' records index_ms search_MB files cold_p50 cold_p95 warm_p50 warm_p95 build_s rounds
for n in "${counts[@]}"; do
  corpus="$work/corpus-$n"
  [ -d "$corpus" ] || target/release/examples/gen-corpus --count "$n" --seed 1 --out "$corpus" >/dev/null
  rm -rf "$work/site-$n"
  log=$("$bin" build "$corpus" -o "$work/site-$n" --timings --today 2026-11-27 2>&1)
  index_ms=$(echo "$log" | awk '/indexing for search/ {print $4}')
  build_s=$(echo "$log" | sed -n 's/.* in \([0-9.]*\) s.*/\1/p' | head -1)
  stats=$(node bench/search-bytes.mjs "$work/site-$n" 200)
  field() { echo "$stats" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
  mb=$(du -sm "$work/site-$n/search" | cut -f1)
  printf '%-8s %-10s %-12s %-8s %-10s %-10s %-10s %-10s %-10s %-7s\n' "$n" "$index_ms" "$mb" "$(field static_files)" \
    "$(field cold_gzip_p50)" "$(field cold_gzip_p95)" "$(field warm_gzip_p50)" "$(field warm_gzip_p95)" "$build_s" "$(field rounds_after_manifest_max)"
done
