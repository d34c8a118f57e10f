#!/usr/bin/env bash
# Search parity at scale: generates a 10,000-record corpus (seed 1), builds it
# with the release binary, and runs the browser engine against
# `casebook search` on 220+ generated queries (tests/js/parity.mjs).
# About 8 minutes on 2 cores after the release build; CI runs the same
# parity on the example knowledge base through `cargo test`.
#
#   bench/parity-10k.sh [COUNT=10000] [QUERIES=220]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
queries=${2:-220}
work=${BENCH_DIR:-/tmp/casebook-bench}
mkdir -p "$work"
cargo build --release --quiet --example gen-corpus
cargo build --release --quiet
corpus="$work/corpus-$count"
[ -d "$corpus" ] || target/release/examples/gen-corpus --count "$count" --seed 1 --out "$corpus"
rm -rf "$work/site-$count"
target/release/casebook build "$corpus" -o "$work/site-$count" --today 2026-11-27
node tests/js/parity.mjs "$work/site-$count" target/release/casebook "$queries"
