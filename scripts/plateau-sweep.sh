#!/usr/bin/env bash
# Where does a model on real DNA leave the unigram plateau? Pretrains short runs of a grid of
# (preset, sequence length, batch, learning rate) on GUE's human TF set 0 training sequences,
# and collects every held-out evaluation beside its unigram baseline (the perplexity of a model
# that knows only the 6-mer frequencies) into experiments/plateau/curves.csv, with one summary
# line per configuration in experiments/plateau/summary.md: the first evaluated step at which
# the model's perplexity is below 0.9x the baseline, and where it ends.
#
# Usage: scripts/plateau-sweep.sh [STEPS]  (default 1000; about 10 min on 2 cores)
# Needs ../shared/data (the GUE copy); the `train` binary is
# ${CARGO_TARGET_DIR:-target}/release/train, built if absent.
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-1000}"
corpus=../shared/data/GUE/tf/0/train.csv.gz
[ -f "$corpus" ] || { echo "plateau-sweep: $corpus is absent (see ../shared/data/MANIFEST.md)" >&2; exit 1; }
train="${CARGO_TARGET_DIR:-target}/release/train"
[ -x "$train" ] || cargo build --release -p cmgems-native --bin train
out=experiments/plateau
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
# preset seq_len batch lr: the same rows x positions per step (2,048) at each length.
grid=(
  "tiny 128 16 2e-3" "tiny 128 16 6e-3" "tiny 64 32 2e-3" "tiny 64 32 6e-3" "logo 128 16 6e-4"
)
echo "config,step,eval_perplexity,unigram_perplexity" >"$out/curves.csv"
{
  echo "# Leaving the unigram plateau ($steps steps, random-span masking, GUE tf/0, seed 42)"
  echo
  echo "Command: \`scripts/plateau-sweep.sh $steps\`. Batch x sequence = 2,048 positions a step."
  echo
  echo "| config | first step below 0.9 x unigram | last perplexity | unigram | ratio | seconds |"
  echo "|---|---:|---:|---:|---:|---:|"
} >"$out/summary.md"
for cfg in "${grid[@]}"; do
  read -r preset seq batch lr <<<"$cfg"
  name="$preset-seq$seq-b$batch-lr$lr"
  start=$(date +%s)
  "$train" pretrain --out "$work/$name" --backend cpu --preset "$preset" --corpus "$corpus" \
    --seq-len "$seq" --batch-size "$batch" --accumulation 1 --steps "$steps" --lr "$lr" \
    --warmup-steps $((steps / 10)) --eval-every $((steps / 10)) --eval-batches 16 \
    --masking random --checkpoint-every "$steps" --seed 42 >"$work/$name.log" 2>&1
  secs=$(( $(date +%s) - start ))
  evals="$work/$name/evals.csv"
  jq -r 'select(.eval_perplexity) | [.step, .eval_perplexity, .unigram_perplexity] | @csv' \
    "$work/$name/metrics.jsonl" >"$evals"
  sed "s/^/$name,/" "$evals" >>"$out/curves.csv"
  awk -F, -v name="$name" -v secs="$secs" '
    !first && $2 < 0.9 * $3 { first = $1 }
    { last = $2; uni = $3 }
    END { printf "| %s | %s | %.1f | %.1f | %.3f | %d |\n", name, first ? first : "never",
          last, uni, last / uni, secs }' "$evals" >>"$out/summary.md"
  echo "plateau-sweep: $name done in ${secs}s" >&2
done
echo "wrote $out/curves.csv and $out/summary.md" >&2
