#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 30) on the machine's stable
# toolchain: cargo-fuzz with RUSTC_BOOTSTRAP=1 and no sanitizer (libFuzzer's
# coverage guidance still works; only ASan needs nightly's sanitizer runtime).
# Exits non-zero on the first crash, timeout or out-of-memory, printing the
# input that caused it. Usage: bash fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load markdown import query)

export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never
# One build directory, inside the repository's own target/.
target_dir=../target/fuzz

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  start=$SECONDS
  cargo install cargo-fuzz --locked --quiet
  echo "installed cargo-fuzz in $((SECONDS - start)) s"
fi
cargo fuzz --version

start=$SECONDS
cargo fuzz build --sanitizer none --target-dir "$target_dir" 2>&1 | tail -n 3 \
  || { echo "fuzz build failed"; exit 1; }
echo "built the fuzz targets in $((SECONDS - start)) s"

# New inputs the fuzzer finds go to a scratch corpus; the committed seeds in
# corpus/<target>/ are only read.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

failed=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  log="$scratch/$t.log"
  echo "== fuzzing $t for $seconds s"
  status=0
  cargo fuzz run --sanitizer none --target-dir "$target_dir" "$t" "$scratch/$t" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" || true
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "!! $t failed (exit $status):"
    grep -m1 -A8 -E 'panicked at|ERROR: libFuzzer|ALARM|out-of-memory' "$log" || grep -v '^#[0-9]' "$log" | tail -n 40
    # libFuzzer names the input it stopped on (under fuzz/artifacts/<target>/).
    grep -E 'Test unit written to' "$log" | sed -E 's/.*written to /crash input: /' || true
    echo "reproduce: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $t <crash input>"
  fi
done
exit "$failed"
