#!/usr/bin/env bash
# Times `train npmi` (counts n = 1..6 and builds the NPMI table) against
# `jellyfish count -m 6` (counts 6-mers only) on the same FASTA, same thread count, in one
# run, and appends the result to bench/npmi_vs_jellyfish.csv.
#
# Usage: scripts/bench-npmi-vs-jellyfish.sh [FASTA] [THREADS]
# Default FASTA: ../shared/data/corpora/dm3_upstream2000.fa.gz (decompressed to a temp
# file so both tools read plain FASTA), else 50 Mb of the synthetic corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${2:-$(nproc)}"
command -v jellyfish >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y jellyfish >/dev/null; }
cargo build --release -p cmgems-native --bin train >/dev/null
bin="${CARGO_TARGET_DIR:-target}/release/train"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
src="${1:-}"
if [ -z "$src" ] && [ -f ../shared/data/corpora/dm3_upstream2000.fa.gz ]; then
  src=../shared/data/corpora/dm3_upstream2000.fa.gz
fi
if [ -z "$src" ]; then
  "$bin" synth --out "$work/in.fa" --records 5000 --record-len 10000
  name="synthetic-50Mb"
else
  name="$(basename "$src")"
  case "$src" in
    *.gz) gzip -dc "$src" > "$work/in.fa" ;;
    *) cp "$src" "$work/in.fa" ;;
  esac
fi
nt=$(grep -v '^>' "$work/in.fa" | tr -d '\n' | wc -c)
time_of() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
# Warm the page cache once, then time each tool (best of 3).
cat "$work/in.fa" >/dev/null
best() { local b=999999 t; for _ in 1 2 3; do t=$(time_of "$@"); b=$(echo "if ($t < $b) $t else $b" | bc -l); done; echo "$b"; }
ours=$(RAYON_NUM_THREADS=$threads best "$bin" npmi --fasta "$work/in.fa" --out "$work/t.json")
jf=$(best jellyfish count -m 6 -s 10M -t "$threads" -o "$work/jf" "$work/in.fa")
ratio=$(echo "$jf / $ours" | bc -l)
printf 'train npmi (n=1..6 + NPMI): %.3f s; jellyfish count -m 6: %.3f s; jellyfish/ours = %.2f on %s (%s nt, %s threads)\n' "$ours" "$jf" "$ratio" "$name" "$nt" "$threads"
out=bench/npmi_vs_jellyfish.csv
[ -f "$out" ] || echo "date,input,nucleotides,threads,train_npmi_s,jellyfish_s,jellyfish_over_train,command" > "$out"
printf '%s,%s,%s,%s,%.3f,%.3f,%.2f,%s\n' "$(date -u +%F)" "$name" "$nt" "$threads" "$ours" "$jf" "$ratio" "scripts/bench-npmi-vs-jellyfish.sh $*" >> "$out"
