#!/usr/bin/env bash
# Times a full training step (forward, backward, AdamW) of cmgems on burn (`train bench
# --backend cpu`) and of PyTorch + transformers `BertForMaskedLM` (scripts/bench_torch.py)
# with the same preset, batch, optimizer and thread count, one after the other in one run,
# and appends one JSON line to bench/burn_vs_torch.jsonl: both results, burn/PyTorch
# tokens-per-second ratios, the date and the command.
#
# PyTorch is timed twice: `logits: all` is the stock `model(..., labels=...)` call (MLM logits
# at every position, as DNABERT's run_pretrain.py computes them); `logits: labelled` runs the
# head only at the ~15% labelled positions, as cmgems does, so the arithmetic is the same.
#
# Usage: scripts/bench-burn-vs-torch.sh [PRESET] [STEPS]
#   PRESET: tiny, logo (default) or dnabert6; STEPS: timed steps (default 5, as `train bench`).
# Environment: CMGEMS_PYTHON (interpreter with torch + transformers; default python3),
#   THREADS (default: all cores), BATCH_SIZE (10), SEQ_LEN (512; 128 for tiny), WARMUP (2),
#   DEVICES (1): burn runs data parallel over this many CPU replicas (`--devices`), each on
#   BATCH_SIZE / DEVICES rows, so both frameworks still do BATCH_SIZE rows per step;
#   GLIBC_TUNABLES, if set, applies to both frameworks and is recorded with the command.
# The `train` binary is ${CARGO_TARGET_DIR:-target}/release/train, built if absent (building
# burn from scratch takes about 25 minutes on 2 cores); rebuild it yourself after changes.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-logo}"
steps="${2:-5}"
threads="${THREADS:-$(nproc)}"
batch="${BATCH_SIZE:-10}"
warmup="${WARMUP:-2}"
if [ "$preset" = tiny ]; then seq="${SEQ_LEN:-128}"; else seq="${SEQ_LEN:-512}"; fi
py="${CMGEMS_PYTHON:-python3}"
devices="${DEVICES:-1}"
if [ $((batch % devices)) -ne 0 ]; then
  echo "error: BATCH_SIZE $batch is not a multiple of DEVICES $devices" >&2
  exit 1
fi

if ! "$py" -c 'import torch, transformers' 2>/dev/null; then
  echo "error: $py cannot import torch and transformers." >&2
  echo "Install them (the CPU wheel is enough), e.g.:" >&2
  echo "  python3 -m venv .venv && .venv/bin/pip install torch transformers" >&2
  echo "then run with CMGEMS_PYTHON=.venv/bin/python $0 $*" >&2
  exit 1
fi

bin="${CARGO_TARGET_DIR:-target}/release/train"
if [ ! -x "$bin" ]; then
  echo "building $bin (burn from scratch: about 25 minutes)..." >&2
  cargo build --release -p cmgems-native --bin train
fi

shape=(--preset "$preset" --batch-size "$batch" --seq-len "$seq" --steps "$steps" --warmup "$warmup")
burn_shape=(--preset "$preset" --batch-size $((batch / devices)) --devices "$devices" \
  --seq-len "$seq" --steps "$steps" --warmup "$warmup")
burn=$(RAYON_NUM_THREADS="$threads" "$bin" bench --backend cpu "${burn_shape[@]}")
echo "$burn" >&2
torch_all=$("$py" scripts/bench_torch.py "${shape[@]}" --threads "$threads" --logits all)
echo "$torch_all" >&2
torch_labelled=$("$py" scripts/bench_torch.py "${shape[@]}" --threads "$threads" --logits labelled)
echo "$torch_labelled" >&2

# The command as run, with the environment settings that change what is measured.
command="scripts/bench-burn-vs-torch.sh $*"
for var in GLIBC_TUNABLES WARMUP SEQ_LEN BATCH_SIZE THREADS DEVICES; do
  if [ -n "${!var:-}" ]; then command="$var=${!var} $command"; fi
done
record=$("$py" - "$burn" "$torch_all" "$torch_labelled" "$threads" "$command" <<'EOF'
import datetime, json, sys
burn, torch_all, torch_labelled = (json.loads(a) for a in sys.argv[1:4])
burn["threads"] = int(sys.argv[4])
print(json.dumps({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "command": sys.argv[5].strip(),
    "burn": burn,
    "torch": torch_all,
    "torch_labelled_logits": torch_labelled,
    "burn_over_torch": burn["tokens_per_s"] / torch_all["tokens_per_s"],
    "burn_over_torch_labelled_logits": burn["tokens_per_s"] / torch_labelled["tokens_per_s"],
}, sort_keys=True))
EOF
)
mkdir -p bench
echo "$record" >> bench/burn_vs_torch.jsonl
"$py" - "$record" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
b, t, tl = r["burn"], r["torch"], r["torch_labelled_logits"]
print(f"{b['preset']} {b['batch_size'] * b.get('devices', 1)}x{b['seq_len']}, {b['threads']} threads, "
      f"burn on {b.get('devices', 1)} replica(s): "
      f"burn {b['tokens_per_s']:.0f} tokens/s; PyTorch {t['tokens_per_s']:.0f} (all logits), "
      f"{tl['tokens_per_s']:.0f} (labelled logits); burn/PyTorch = "
      f"{r['burn_over_torch']:.2f} / {r['burn_over_torch_labelled_logits']:.2f}")
EOF
