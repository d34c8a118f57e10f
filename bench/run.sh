#!/usr/bin/env bash
# Casebook's benchmark harness: check and build at 1,000 and 10,000 generated
# records, side by side with Hugo on the same records: one table of medians,
# then each run's build ÷ hugo ratio and check time, and how each median grew
# from one size to the next.
#
#   bench/run.sh                 1,000 and 10,000 records, 3 runs each
#   bench/run.sh --runs 5        more runs (medians are reported)
#   bench/run.sh --sizes 1000    only some sizes
#   bench/run.sh --with-50k      also 50,000 records (slow; needs disk space)
#   bench/run.sh --instructions  also count the instructions `check` runs at
#                                each size (valgrind; about 2 minutes per
#                                10,000 records): what the work grows by,
#                                whatever else the machine is doing
#
# Needs /usr/bin/time (GNU time) and Hugo (`apt-get install -y hugo`; the
# script installs both when it runs as root). Corpora and outputs go to
# $BENCH_DIR (default /tmp/casebook-bench) and are reused between runs.
#
# The Hugo site is the minimum that compares fairly: a list page, one page per
# record, and the categories and tags taxonomies, no search, with the same
# Markdown files as content (Hugo reads their TOML front matter as is).
# Machines here are noisy: compare ratios from one run, and read medians.
# Each measured command starts after `sync`, so the previous step's pending
# writes (hundreds of MB) are not counted against it, and no output is deleted
# until the table is printed (see `stash`): keep a few GB free ($BENCH_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
sizes="1000 10000"
instructions=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --with-50k) sizes="$sizes 50000"; shift ;;
    --instructions) instructions=1; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

bench=${BENCH_DIR:-/tmp/casebook-bench}
mkdir -p "$bench"
# Left by an interrupted run.
rm -rf "$bench/trash"
mkdir -p "$bench/trash"

# stash DIR: move an earlier output out of the way instead of deleting it.
# On ext4 without a journal (as on these machines) the kernel does not reuse
# an inode freed in the last 5 s, or the last 305 s once its inode-table block
# has been written again, and scans past each such inode for every file it
# creates. Deleting the previous run's tens of thousands of files right before
# a measured build added 10-30 s of system time to it (to Hugo's as well),
# more than the build's own work; see docs/performance.md. The stashed
# outputs are deleted after the table is printed.
stash() {
  if [ -e "$1" ]; then mv "$1" "$bench/trash/$(basename "$1").$(date +%s%N)"; fi
}

need=()
[ -x /usr/bin/time ] || need+=(time)
command -v hugo >/dev/null 2>&1 || need+=(hugo)
[ -z "$instructions" ] || command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "bench/run.sh: install ${need[*]} first (apt-get install -y ${need[*]})" >&2
    exit 2
  fi
fi

echo "building casebook (release) at $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes')"
cargo build --release --quiet --bin casebook --example gen-corpus
casebook=target/release/casebook
gen=target/release/examples/gen-corpus

# measure NAME CMD... : runs CMD under GNU time; appends "seconds kilobytes
# cpu-seconds" (wall time, peak RSS, user + system time) to $bench/NAME.times
measure() {
  local name=$1; shift
  local log="$bench/$name.last"
  # Let the previous step's writes reach the disk first, so they are not
  # counted against this one.
  sync
  if ! /usr/bin/time -v "$@" >"$log.out" 2>"$log"; then
    echo "bench/run.sh: $name failed:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { print s }' "$log")
  echo "$wall $rss $cpu" >>"$bench/$name.times"
}

# instructions CORPUS: the instructions `casebook check` runs on CORPUS
# (callgrind): the same count on a busy machine as on a quiet one.
instructions() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$casebook" check "$1" --today 2026-11-27 2>&1 >/dev/null |
    awk '/Collected :/ { print $NF }'
}

# median FILE COLUMN
median() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

hugo_site() {
  local corpus=$1 site=$2
  [ -f "$site/hugo.toml" ] && return
  mkdir -p "$site/layouts/_default" "$site/content"
  cp -r "$corpus/incidents" "$site/content/incidents"
  cat >"$site/hugo.toml" <<'EOF'
baseURL = "https://example.invalid/"
title = "Benchmark"
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
[taxonomies]
  category = "categories"
  tag = "tags"
EOF
  cat >"$site/layouts/_default/baseof.html" <<'EOF'
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><nav><a href="{{ "/" | relURL }}">Home</a></nav><main>{{ block "main" . }}{{ end }}</main></body></html>
EOF
  cat >"$site/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1>
<p>{{ range .Params.categories }}<a href="{{ "/categories/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
{{ .Content }}{{ end }}
EOF
  cat >"$site/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
EOF
  cp "$site/layouts/_default/list.html" "$site/layouts/_default/taxonomy.html"
  cp "$site/layouts/_default/list.html" "$site/layouts/_default/term.html"
}

rows=()
per_run=()
growth=()
counted=()
prev=""
for n in $sizes; do
  corpus="$bench/corpus-$n"
  if [ ! -d "$corpus/incidents" ]; then
    echo "generating $n records into $corpus"
    rm -rf "$corpus"
    "$gen" --count "$n" --seed 1 --out "$corpus" >/dev/null
  fi
  hugo_site "$corpus" "$bench/hugo-$n"
  words=$(find "$corpus/incidents" -name "*.md" -exec cat {} + | wc -w)
  mb=$(du -sm "$corpus/incidents" | cut -f1)
  rm -f "$bench"/{check,build,hugo}-"$n".times
  for run in $(seq "$runs"); do
    echo "  $n records, run $run/$runs"
    measure "check-$n" "$casebook" check "$corpus" --today 2026-11-27
    stash "$bench/out-$n"
    measure "build-$n" "$casebook" build "$corpus" -o "$bench/out-$n" --today 2026-11-27
    stash "$bench/hugo-out-$n"
    measure "hugo-$n" hugo --quiet -s "$bench/hugo-$n" -d "$bench/hugo-out-$n"
  done
  files=$(find "$bench/out-$n" -type f | wc -l)
  size=$(du -sm "$bench/out-$n" | cut -f1)
  hfiles=$(find "$bench/hugo-out-$n" -type f | wc -l)
  hsize=$(du -sm "$bench/hugo-out-$n" | cut -f1)
  cw=$(median "$bench/check-$n.times" 1); cr=$(median "$bench/check-$n.times" 2)
  bw=$(median "$bench/build-$n.times" 1); br=$(median "$bench/build-$n.times" 2)
  hw=$(median "$bench/hugo-$n.times" 1); hr=$(median "$bench/hugo-$n.times" 2)
  cc=$(median "$bench/check-$n.times" 3); bc=$(median "$bench/build-$n.times" 3); hc=$(median "$bench/hugo-$n.times" 3)
  ci=""
  if [ -n "$instructions" ]; then
    echo "  counting the instructions of check"
    ci=$(instructions "$corpus")
  fi
  ratio=$(awk -v a="$bw" -v b="$hw" 'BEGIN { printf "%.2f", a / b }')
  rss_ratio=$(awk -v a="$br" -v b="$hr" 'BEGIN { printf "%.2f", a / b }')
  rows+=("$(printf '| %s (%s MB, %s words) | %.2f s / %d MB | %.2f s / %d MB | %s files, %s MB | %.2f s / %d MB | %s files, %s MB | %s× | %s× |' \
    "$n" "$mb" "$words" "$cw" $((cr / 1024)) "$bw" $((br / 1024)) "$files" "$size" "$hw" $((hr / 1024)) "$hfiles" "$hsize" "$ratio" "$rss_ratio")")
  # Runs alternate (check, build, hugo), so run k of each saw the same machine.
  # Columns: build's wall, RSS, CPU, then Hugo's, then check's.
  per_run+=("$(paste "$bench/build-$n.times" "$bench/hugo-$n.times" "$bench/check-$n.times" | awk -v n="$n" '
    { r = r sprintf(" %.2f×", $1 / $4); c = c sprintf(" %.2f", $7) }
    END { printf "%s records, run by run: build ÷ hugo%s; check%s s", n, r, c }')")
  # How each median grew from the previous size: linear growth is the
  # records' ratio. CPU time (user + system) in brackets.
  if [ -n "$prev" ]; then
    read -r pn pc pb ph pcc pbc phc pci <<<"$prev"
    growth+=("$(awk -v a="$pn" -v b="$n" -v pc="$pc" -v c="$cw" -v pb="$pb" -v bb="$bw" -v ph="$ph" -v h="$hw" \
      -v pcc="$pcc" -v cc="$cc" -v pbc="$pbc" -v bc="$bc" -v phc="$phc" -v hc="$hc" -v pci="$pci" -v ci="$ci" 'BEGIN {
      printf "%s → %s records (×%.2f): check ×%.2f (CPU ×%.2f), build ×%.2f (CPU ×%.2f), hugo ×%.2f (CPU ×%.2f)",
        a, b, b / a, c / pc, cc / pcc, bb / pb, bc / pbc, h / ph, hc / phc
      if (pci != "-" && ci != "") printf "; check instructions ×%.2f", ci / pci }')")
  fi
  [ -z "$ci" ] || counted+=("$(awk -v n="$n" -v i="$ci" 'BEGIN { printf "%s records: check runs %.2f G instructions, %.0f per record", n, i / 1e9, i / n }')")
  prev="$n $cw $bw $hw $cc $bc $hc ${ci:--}"
  echo "  phases of the last build:"
  stash "$bench/out-$n"
  "$casebook" build "$corpus" -o "$bench/out-$n" --today 2026-11-27 --timings 2>&1 | grep ' ms$' | sed 's/^/  /'
done

echo
echo "casebook $(git rev-parse --short HEAD), $(hugo version | cut -d' ' -f1-2), $(nproc) cores, median of $runs runs (wall / peak RSS)"
echo
echo "| records | casebook check | casebook build | build output | hugo | hugo output | build ÷ hugo (time) | build ÷ hugo (RSS) |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
printf '%s\n' "${per_run[@]}"
[ ${#growth[@]} -eq 0 ] || printf '%s\n' "${growth[@]}"
[ ${#counted[@]} -eq 0 ] || printf '%s\n' "${counted[@]}"

# Now that nothing is measured any more. The disk scans past these freed
# inodes for a few minutes (see `stash`): wait before timing anything else.
rm -rf "$bench/trash"
echo "(outputs of earlier runs deleted: wait five minutes before timing builds again on this disk)"
