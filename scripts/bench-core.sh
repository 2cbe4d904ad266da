#!/usr/bin/env bash
# Runs the core's criterion benches and writes their mean times and throughputs to
# bench/core.csv (one row per bench, with the date, the machine's core count and the
# command), so figures quoted in bench/README.md are kept as data.
#
# Usage: scripts/bench-core.sh [criterion filter]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
rm -rf "$target/criterion"
cargo bench -p cmgems-benches --benches -- --warm-up-time 1 --measurement-time 4 ${1:+"$1"}
python3 - "$target/criterion" "scripts/bench-core.sh ${1:-}" <<'PY'
import json, os, sys, datetime, pathlib
root, command = pathlib.Path(sys.argv[1]), sys.argv[2].strip()
rows = []
for est in sorted(root.glob("**/new/estimates.json")):
    bench = json.loads((est.parent / "benchmark.json").read_text())
    mean_ns = json.loads(est.read_text())["mean"]["point_estimate"]
    tp = bench.get("throughput") or {}
    kind, amount = next(iter(tp.items()), (None, None))
    per_s = amount / (mean_ns * 1e-9) if amount else None
    unit = {"Bytes": "bytes/s", "Elements": "elements/s"}.get(kind, "")
    rows.append((bench["full_id"], mean_ns, per_s, unit))
out = pathlib.Path("bench/core.csv")
new = not out.exists()
with out.open("a") as f:
    if new:
        f.write("date,cores,bench,mean_ns,throughput_per_s,unit,command\n")
    today = datetime.date.today().isoformat()
    for name, ns, per_s, unit in rows:
        f.write(f"{today},{os.cpu_count()},{name},{ns:.1f},{'' if per_s is None else f'{per_s:.4g}'},{unit},{command}\n")
for name, ns, per_s, unit in rows:
    print(f"{name:55s} {ns/1e3:12.2f} µs  {'' if per_s is None else f'{per_s:.4g} {unit}'}")
PY
