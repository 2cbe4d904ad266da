#!/usr/bin/env bash
# Tests of the Python package (python/): builds it with maturin, installs it into the venv
# of $CMGEMS_PYTHON (the one .ci/run makes, holding torch, transformers, accelerate, pytest,
# hypothesis and maturin) and runs pytest on python/tests. Ends with one line,
# "python test result: ok. N passed; M failed", that scripts/test.sh counts.
# Tests that need the `train` binary find it through CMGEMS_TRAIN (default: the release
# build of $CARGO_TARGET_DIR, which scripts/test.sh has just built).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${CMGEMS_PYTHON:-$HOME/.cache/cmgems-py/bin/python}"
bin="$(dirname "$python")"
missing=$("$python" -c "
import importlib.util as u
print(' '.join(m for m in ['torch', 'transformers', 'accelerate', 'pytest', 'hypothesis', 'numpy'] if u.find_spec(m) is None))
" 2>/dev/null || echo "python")
if [ -n "$missing" ] || [ ! -x "$bin/maturin" ]; then
  msg="the venv of $python lacks: $missing $([ -x "$bin/maturin" ] || echo maturin) (.ci/run installs them)"
  if [ "${CI:-}" = true ]; then echo "test-python: $msg" >&2; exit 1; fi
  echo "SKIP: Python package tests: $msg"
  exit 0
fi
# The bindings link the library only, not the `train` binary's terminal crates (issue 20).
# indicatif joins this list once npmi_job.rs no longer draws progress bars itself.
echo "== the Python package links no terminal crate (cargo tree)"
terminal=$(cargo tree --manifest-path python/Cargo.toml -e normal | grep -E 'clap|anyhow' || true)
if [ -n "$terminal" ]; then
  echo "test-python: python/ links terminal crates through cmgems-native:" >&2
  echo "$terminal" >&2
  exit 1
fi
target="${CARGO_TARGET_DIR:-$PWD/target}"
export CMGEMS_TRAIN="${CMGEMS_TRAIN:-$target/release/train}"
echo "== building and installing the cmgems Python package (maturin, pip install ./python)"
# Its own target folder: the bindings are another workspace, with other features of core.
py_target="${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR-py}"
PATH="$bin:$PATH" CARGO_TARGET_DIR="${py_target:-$PWD/target/python}" \
  "$python" -m pip install -q --no-build-isolation --force-reinstall --no-deps ./python
echo "== pytest python/tests (train binary: $CMGEMS_TRAIN)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# From tests/, so that python/cmgems (sources without the extension) does not shadow the
# installed package.
(cd python/tests && OMP_NUM_THREADS=1 "$python" -m pytest -q -p no:cacheprovider -rs .) 2>&1 \
  | tee "$log" || status=$?
summary=$(grep -E '^=*\s*[0-9]+ (passed|failed)|^[0-9]+ (passed|failed)' "$log" | tail -1)
passed=$(echo "$summary" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)
failed=$(echo "$summary" | grep -Eo '[0-9]+ (failed|error)' | grep -Eo '[0-9]+' | paste -sd+ | bc || echo 0)
[ "$status" = 0 ] && word=ok || word=FAILED
echo "python test result: $word. ${passed:-0} passed; ${failed:-0} failed"
exit "$status"
