#!/usr/bin/env bash
# The GPU check (issue 22, item 8): everything a lent GPU should measure, in one run of
# under 8 minutes, without network, writing ONE JSON file of figures.
#
#   scripts/gpu-check.sh [--cpu] [OUT.json]      (default OUT: gpu-check.json)
#
# It runs, each step under its own time limit (a step that fails or times out is recorded
# as such and the next one runs):
#   1. `train devices`;
#   2. `train bench --backend wgpu` against `scripts/bench_torch.py --device cuda` (stock
#      logits and labelled-only logits), at the tiny, logo and dnabert6 presets;
#   3. the collator's share of a CUDA training step (scripts/collator_share.py, logo preset);
#   4. a short CM-GEMS run of examples/hf_pretrain.py on CUDA (on `train synth`'s FASTA:
#      ../shared/data is not on the GPU machine).
#
# What travels (the run tool carries the working tree, at most 64 MiB): this script, and in
# the git-ignored folder .gpu-check/ (name it in the run tool's `carry`):
#   .gpu-check/train.gz        the stripped release `train`, gzipped (~27 MB), built with the
#                              wgpu backend (the default features);
#   .gpu-check/cmgems-*.whl    the abi3 wheel of the Python package (scripts/test-python.sh
#                              shows how it is built), installed with --no-index --no-deps
#                              into a scratch folder: the GPU image has torch + transformers.
# Prepare them here:
#   cargo build --release -p cmgems-native --bin train && mkdir -p .gpu-check &&
#   strip -o .gpu-check/train target/release/train && gzip -f .gpu-check/train
#   maturin build --release -m python/Cargo.toml -o .gpu-check
# Without them, the script uses ${CARGO_TARGET_DIR:-target}/release/train and the `cmgems`
# module the interpreter already has.
#
# --cpu is the rehearsal on a machine without a GPU: the cpu backend for `train bench`,
# torch on the CPU, tiny sizes and the tiny preset only, each step's limit 4 times as long,
# so that every step and the JSON are exercised (bench/gpu-check-cpu-rehearsal.json).
# Environment: CMGEMS_PYTHON (interpreter with torch + transformers; default python3),
#   GPU_CHECK_BUDGET (seconds after which no step starts; default 450).
set -uo pipefail
cd "$(dirname "$0")/.."
mode=cuda
if [ "${1:-}" = --cpu ]; then
  mode=cpu
  shift
fi
out="${1:-gpu-check.json}"
py="${CMGEMS_PYTHON:-python3}"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
start=$(date +%s)

# The binary and the wheel that travelled, else the local build and module.
if [ -f .gpu-check/train.gz ]; then
  gunzip -c .gpu-check/train.gz >"$scratch/train" && chmod +x "$scratch/train"
  bin="$scratch/train"
else
  bin="${CARGO_TARGET_DIR:-target}/release/train"
fi
wheel=$(ls .gpu-check/cmgems-*.whl 2>/dev/null | head -1)
if [ -n "$wheel" ]; then
  "$py" -m pip install --quiet --no-index --no-deps --target "$scratch/py" "$wheel" >&2
  export PYTHONPATH="$scratch/py${PYTHONPATH:+:$PYTHONPATH}"
fi

# Step limits are sized for the GPU machine; the CPU rehearsal gets `slow` times as long.
slow=1
if [ "$mode" = cuda ]; then
  burn_backend=wgpu
  presets=(tiny logo dnabert6)
  steps=10 warmup=3 batch=10
  hf=(--steps 300 --eval-every 50 --batch-size 10 --accumulation 2 --pieces 4000 --workers 2)
  share=(--preset logo --seq-len 512 --steps 10)
else
  slow=4
  burn_backend=cpu
  presets=(tiny)
  steps=2 warmup=1 batch=4
  hf=(--steps 20 --eval-every 5 --batch-size 4 --accumulation 1 --pieces 300 --workers 0)
  share=(--preset tiny --seq-len 128 --steps 2)
fi

# Each step's output as a JSON fragment file, joined at the end.
parts="$scratch/parts"
mkdir -p "$parts"
# The whole check stops starting steps past this many seconds (7.5 minutes), so that it
# ends within 8 even when a step is slow; a step never gets more than what is left.
budget=${GPU_CHECK_BUDGET:-450}
# run NAME SECONDS CMD...: stdout kept as the step's text, its status and seconds recorded
# (exit 124: it ran past its limit; "skipped": no time was left to start it).
run() {
  local name=$1 limit=$2
  shift 2
  local t0 t1 rc left
  left=$((budget - ($(date +%s) - start)))
  if [ "$left" -lt 15 ]; then
    echo "{\"name\": \"$name\", \"skipped\": \"out of time\", \"exit\": null}" >"$parts/$name.json"
    echo "[$name] skipped: out of time" >&2
    return
  fi
  limit=$((limit * slow))
  [ "$limit" -gt "$left" ] && limit=$left
  t0=$(date +%s.%N)
  timeout "$limit" "$@" >"$scratch/$name.out" 2>"$scratch/$name.err"
  rc=$?
  t1=$(date +%s.%N)
  echo "[$name] exit $rc, $(awk "BEGIN {print $t1 - $t0}") s" >&2
  tail -3 "$scratch/$name.err" >&2
  "$py" - "$name" "$rc" "$t0" "$t1" "$scratch/$name.out" "$scratch/$name.err" >"$parts/$name.json" <<'EOF'
import json, sys
name, rc, t0, t1, out, err = sys.argv[1:]
text = open(out).read()
lines = []
for line in text.splitlines():
    try:
        lines.append(json.loads(line))
    except ValueError:
        pass
record = {"name": name, "exit": int(rc), "seconds": round(float(t1) - float(t0), 2)}
if lines:
    record["results"] = lines
else:
    record["text"] = text[-4000:]
if int(rc) != 0:
    record["stderr_tail"] = open(err).read()[-2000:]
print(json.dumps(record))
EOF
}

run devices 60 "$bin" devices
for p in "${presets[@]}"; do
  if [ "$p" = tiny ]; then seq=128; else seq=512; fi
  shape=(--preset "$p" --batch-size "$batch" --seq-len "$seq" --steps "$steps" --warmup "$warmup")
  run "bench-burn-$p" 100 "$bin" bench --backend "$burn_backend" "${shape[@]}"
  run "bench-torch-$p" 60 "$py" scripts/bench_torch.py "${shape[@]}" --device "$mode" --logits all
  run "bench-torch-labelled-$p" 60 "$py" scripts/bench_torch.py "${shape[@]}" --device "$mode" --logits labelled
done
"$bin" synth --out "$scratch/synth.fa" --records 20 --record-len 20000 >&2
run collator-share 90 "$py" scripts/collator_share.py --fasta "$scratch/synth.fa" --device "$mode" "${share[@]}"
run hf-pretrain-cm-gems 150 "$py" examples/hf_pretrain.py --fasta "$scratch/synth.fa" \
  --out "$scratch/hf-run" --strategy cm-gems --threshold "1%" --min-count 5 "${hf[@]}"

"$py" - "$mode" "$start" "$out" "$parts" <<'EOF'
import datetime, json, os, platform, sys, time
mode, start, out, parts = sys.argv[1:]
steps = [json.load(open(os.path.join(parts, f))) for f in sorted(os.listdir(parts))]
order = {"devices": 0, "collator-share": 2, "hf-pretrain-cm-gems": 3}
steps.sort(key=lambda s: (order.get(s["name"], 1), s["name"]))
ok = [s for s in steps if s.get("exit") == 0]
try:
    import torch
    torch_info = {"version": torch.__version__, "cuda": torch.cuda.is_available(),
                  "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"}
except ImportError:
    torch_info = None
report = {
    "mode": mode,
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": platform.machine(),
    "cpus": os.cpu_count(),
    "torch": torch_info,
    "total_seconds": round(time.time() - int(start), 1),
    "steps": steps,
}
with open(out, "w") as f:
    json.dump(report, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {out}: {len(ok)} of {len(steps)} steps ok", file=sys.stderr)
EOF
