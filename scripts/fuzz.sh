#!/usr/bin/env bash
# Runs the cargo-fuzz (libFuzzer) targets of tests/fuzz, one at a time, each for SECONDS
# (default 60), and appends one row per target to tests/fuzz/runs.csv:
#   bash scripts/fuzz.sh [SECONDS] [TARGET..]
# Needs `cargo install cargo-fuzz`. libFuzzer needs nightly compiler flags; on a stable
# toolchain RUSTC_BOOTSTRAP=1 unlocks them. CI does not fuzz: it runs the regression tests
# that each crash found here left next to the code it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fasta fasta_gz sequences table_json genemask_csv tokenizer maskers)
export RUSTC_BOOTSTRAP=1
# Its own build folder: sanitizer flags must not invalidate the main build's.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/tests/fuzz/target}"
runs=tests/fuzz/runs.csv
[ -f "$runs" ] || echo "target,seconds,execs,crashes,date,command" > "$runs"
for t in "${targets[@]}"; do
  corpus="$CARGO_TARGET_DIR/corpus/$t"   # grows while fuzzing; kept out of the repository
  mkdir -p "$corpus"
  cmd="cargo fuzz run --fuzz-dir tests/fuzz $t $corpus tests/fuzz/seeds/$t -- -max_total_time=$seconds -max_len=8192 -rss_limit_mb=1024"
  echo "== $cmd"
  log="$(mktemp)"
  status=0
  $cmd 2>&1 | tee "$log" | grep -E '^(#[0-9]+.*(DONE|pulse)|==[0-9]+==|SUMMARY|thread)' || status=$?
  # Runs done: libFuzzer's final count, or its last status line when a crash stopped it.
  execs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
  [ -n "$execs" ] || execs=$(grep -Eo '^#[0-9]+' "$log" | tr -d '#' | tail -1 || true)
  crashes=$(grep -c 'Test unit written to' "$log" || true)
  echo "$t,$seconds,${execs:-0},${crashes:-0},$(date -u +%F),bash scripts/fuzz.sh $seconds $t" >> "$runs"
  rm -f "$log"
  if [ "${crashes:-0}" -gt 0 ]; then
    echo "CRASH in $t: reproduce with the artifact under tests/fuzz/artifacts/$t"
    failed=1
  fi
done
exit "${failed:-0}"
