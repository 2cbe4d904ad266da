#!/usr/bin/env bash
# The genome-store benchmark (issue 21, Rust half): generates the seeded synthetic genome
# (24 records sized like hg38's chromosomes times SCALE, N runs, soft-masked stretches) as
# FASTA, builds the store with `train genome`, deletes the FASTA (disk is short: at most one
# 3.1 Gbp FASTA exists at a time), counts the NPMI table from the store, then starts `train
# pretrain --corpus genome.2bit` for one step. Measures wall time and peak resident memory
# (/usr/bin/time -v) of each, and for pretraining the peak of its private (RssAnon) and
# file-backed (RssFile: the shared mapping's pages) memory, sampled from /proc every 0.1 s.
# Appends one line to bench/genome_store.csv.
#
# Usage: scripts/bench-genome.sh [SCALE] [WORKDIR]   (SCALE 1.0 = 3.1 Gbp; default 1.0)
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-1.0}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
trap 'rm -f "$work/genome.fa"' EXIT
cargo build --release -p cmgems-native --bin train >/dev/null
bin="${CARGO_TARGET_DIR:-target}/release/train"
timed() { # timed NAME CMD...: runs CMD under /usr/bin/time -v; sets NAME_s and NAME_rss_mb
  local name=$1; shift
  /usr/bin/time -v -o "$work/$name.time" "$@" 2>"$work/$name.err" >/dev/null \
    || { cat "$work/$name.err" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/$name.time")
  printf -v "${name}_s" '%s' "$wall"
  printf -v "${name}_rss_mb" '%s' "$rss"
  echo "$name: ${wall} s, peak RSS ${rss} MB" >&2
}
timed synth "$bin" synth --genome --scale "$scale" --seed 21 --out "$work/genome.fa"
fasta_bytes=$(stat -c %s "$work/genome.fa")
timed build "$bin" genome --fasta "$work/genome.fa" --out "$work/genome.2bit"
rm -f "$work/genome.fa" "$work/genome.2bit.sources.json"
store_bytes=$(stat -c %s "$work/genome.2bit")
nt=$(sed -n 's/.* records, \([0-9]*\) nucleotides.*/\1/p' "$work/build.err")
timed npmi "$bin" npmi --fasta "$work/genome.2bit" --out "$work/table.json"
# Pretraining: one step of the tiny model on the CPU, the table given (counted above); the
# wall time bounds the time to the first batch (it includes the step, one evaluation
# batch and the final checkpoint).
rm -rf "$work/run"
/usr/bin/time -v -o "$work/pretrain.time" "$bin" pretrain --corpus "$work/genome.2bit" \
  --table "$work/table.json" --preset tiny --backend cpu --steps 1 --batch-size 8 \
  --accumulation 1 --eval-every 1 --eval-batches 1 --out "$work/run" 2>"$work/pretrain.err" &
tpid=$!
pid="" anon=0 file=0
while kill -0 "$tpid" 2>/dev/null; do
  [ -n "$pid" ] || pid=$(pgrep -P "$tpid" | head -1 || true)
  if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
    a=$(awk '/RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    f=$(awk '/RssFile/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${a:-0}" -gt "$anon" ] && anon=$a
    [ "${f:-0}" -gt "$file" ] && file=$f
  fi
  sleep 0.1
done
wait "$tpid" || { cat "$work/pretrain.err" >&2; exit 1; }
pretrain_s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/pretrain.time")
pretrain_rss_mb=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/pretrain.time")
pieces=$(sed -n 's/.*pieces: \([0-9]*\) train.*/\1/p' "$work/pretrain.err")
echo "pretrain (to the end of step 1): ${pretrain_s} s, peak RSS ${pretrain_rss_mb} MB (private $((anon / 1024)) MB, file-backed $((file / 1024)) MB); $pieces training pieces" >&2
out=bench/genome_store.csv
[ -f "$out" ] || echo "date,scale,nucleotides,fasta_bytes,store_bytes,synth_s,build_s,build_rss_mb,npmi_s,npmi_rss_mb,pretrain_first_step_s,pretrain_rss_mb,pretrain_private_mb,pretrain_file_mb,train_pieces,load,command" > "$out"
load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')
echo "$(date -u +%F),$scale,$nt,$fasta_bytes,$store_bytes,$synth_s,$build_s,$build_rss_mb,$npmi_s,$npmi_rss_mb,$pretrain_s,$pretrain_rss_mb,$((anon / 1024)),$((file / 1024)),$pieces,$load,scripts/bench-genome.sh $scale" >> "$out"
