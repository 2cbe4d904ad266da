#!/usr/bin/env bash
# Tests of the Python package (python/): builds its one abi3 wheel with maturin, installs it
# into the venv of $CMGEMS_PYTHON (the one .ci/run makes, holding torch, transformers,
# accelerate, pytest, hypothesis and maturin) and runs pytest on python/tests. Then the same
# wheel is tested on the oldest and the newest CPython it claims (pyproject.toml:
# requires-python >= 3.9; 3.13 is the newest on the machine), each in a venv of its own
# under ~/.cache (made on first use): with torch where PyPI has a torch wheel for that
# Python (3.13), else the tests that need only numpy (3.9: torch has no wheel for it).
# Each run ends with one line, "python<version> test result: ok. N passed; M failed",
# that scripts/test.sh counts.
# `--prepare` only makes those venvs (download-bound: .ci/run may run it in the background).
# Tests that need the `train` binary find it through CMGEMS_TRAIN (default: the release
# build of $CARGO_TARGET_DIR, which scripts/test.sh has just built).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${CMGEMS_PYTHON:-$HOME/.cache/cmgems-py/bin/python}"
bin="$(dirname "$python")"
# The other CPythons: VERSION:numpy (tests without torch) or VERSION:torch (all tests, with
# torch, transformers and accelerate at the versions of $python's venv).
others="${CMGEMS_PY_OTHERS-3.9:numpy 3.13:torch}"

# Skips with a message, or fails under CI=true, where CI must have it.
need() {
  if [ "${CI:-}" = true ]; then echo "test-python: $1" >&2; exit 1; fi
  echo "SKIP: $1"
}

# The interpreter of CPython $1: on PATH (pyenv's shims run only the global version, so
# each candidate is run), in pyenv's versions, or Debian's.
find_python() {
  local v="$1" root c
  root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
  for c in "python$v" "$root"/versions/"$v".*/bin/"python$v" "/usr/bin/python$v" "/usr/local/bin/python$v"; do
    if "$c" -c "import sys; assert '%d.%d' % sys.version_info[:2] == '$v'" >/dev/null 2>&1; then
      command -v "$c"
      return 0
    fi
  done
  return 1
}

# Makes (once) the venv of CPython $1 for mode $2 and prints its python. Returns 1 when
# there is no such CPython, 2 when its venv cannot be made.
other_venv() {
  local v="$1" mode="$2" base venv pkgs
  venv="$HOME/.cache/cmgems-py$v-$mode"
  pkgs=(numpy pytest hypothesis)
  if [ "$mode" = torch ]; then
    # The versions the main venv tests, so one suite meets the same libraries; py2bit is the
    # independent .2bit reader of the genome tests (which need torch).
    mapfile -t pins < <("$python" -m pip freeze 2>/dev/null | grep -E '^(torch|transformers|accelerate|safetensors|py2bit)==')
    pkgs+=("${pins[@]}")
  fi
  local mods="numpy, pytest, hypothesis$([ "$mode" = torch ] && echo ", torch, transformers, accelerate, py2bit")"
  if ! "$venv/bin/python" -c "import $mods" 2>/dev/null; then
    # A venv that exists only lacks a package: install it there (torch is ~5 GB).
    if ! "$venv/bin/python" -c "import numpy" 2>/dev/null; then
      base="$(find_python "$v")" || return 1
      "$base" -m venv --clear "$venv" >&2 || return 2
    fi
    "$venv/bin/python" -m pip install -q "${pkgs[@]}" >&2 || return 2
  fi
  echo "$venv/bin/python"
}

# Runs pytest on python/tests with interpreter $1, labelled $2; appends its summary line.
run_pytest() {
  local py="$1" label="$2" log status=0 summary passed failed word
  log=$(mktemp)
  echo "== pytest python/tests on $label ($("$py" -c 'import sys; print(sys.version.split()[0])'); train binary: $CMGEMS_TRAIN)"
  # From tests/, so that python/cmgems (sources without the extension) does not shadow the
  # installed package.
  (cd python/tests && OMP_NUM_THREADS=1 "$py" -m pytest -q -p no:cacheprovider -rs .) 2>&1 \
    | tee "$log" || status=$?
  summary=$(grep -E '^=*\s*[0-9]+ (passed|failed)|^[0-9]+ (passed|failed)' "$log" | tail -1)
  rm -f "$log"
  passed=$(echo "$summary" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)
  failed=$(echo "$summary" | grep -Eo '[0-9]+ (failed|error)' | grep -Eo '[0-9]+' | paste -sd+ | bc || echo 0)
  [ "$status" = 0 ] && word=ok || word=FAILED
  summaries+=("$label test result: $word. ${passed:-0} passed; ${failed:-0} failed")
  return "$status"
}

if [ "${1:-}" = --prepare ]; then
  for o in $others; do
    rc=0
    other_venv "${o%%:*}" "${o##*:}" >/dev/null || rc=$?
    [ "$rc" = 2 ] && { echo "test-python: cannot make the venv of CPython ${o%%:*}" >&2; exit 1; }
    [ "$rc" = 1 ] && need "no CPython ${o%%:*} for the Python package's tests"
  done
  exit 0
fi

missing=$("$python" -c "
import importlib.util as u
print(' '.join(m for m in ['torch', 'transformers', 'accelerate', 'pytest', 'hypothesis', 'numpy'] if u.find_spec(m) is None))
" 2>/dev/null || echo "python")
if [ -n "$missing" ] || [ ! -x "$bin/maturin" ]; then
  need "Python package tests: the venv of $python lacks: $missing $([ -x "$bin/maturin" ] || echo maturin) (.ci/run installs them)"
  exit 0
fi
# The bindings link the library only, not the `train` binary's terminal crates (issue 20).
echo "== the Python package links no terminal crate (cargo tree)"
# A failing `cargo tree` is a failure, not an empty (passing) list.
tree=$(cargo tree --manifest-path python/Cargo.toml -e normal) \
  || { echo "test-python: cargo tree of python/ failed" >&2; exit 1; }
terminal=$(grep -E 'clap|indicatif|anyhow' <<<"$tree" || true)
if [ -n "$terminal" ]; then
  echo "test-python: python/ links terminal crates through cmgems-native:" >&2
  echo "$terminal" >&2
  exit 1
fi
target="${CARGO_TARGET_DIR:-$PWD/target}"
export CMGEMS_TRAIN="${CMGEMS_TRAIN:-$target/release/train}"
echo "== building the cmgems wheel (maturin, abi3: one wheel for CPython >= 3.9)"
dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT
# Its own target folder: the bindings are another workspace, with other features of core.
py_target="${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR-py}"
PATH="$bin:$PATH" CARGO_TARGET_DIR="${py_target:-$PWD/target/python}" \
  "$bin/maturin" build --release --quiet -m python/Cargo.toml -i "$python" --out "$dist"
wheel=$(ls "$dist"/cmgems-*.whl)
echo "wheel: $(basename "$wheel")"
status=0
summaries=()
"$python" -m pip install -q --force-reinstall --no-deps "$wheel"
run_pytest "$python" "python" || status=$?
for o in $others; do
  v="${o%%:*}" mode="${o##*:}"
  rc=0
  py=$(other_venv "$v" "$mode") || rc=$?
  if [ "$rc" = 1 ]; then
    need "Python package tests on CPython $v: no python$v (pyenv, Debian) to make its venv from"
    continue
  elif [ "$rc" != 0 ]; then
    echo "test-python: cannot make the venv of CPython $v" >&2
    summaries+=("python$v test result: FAILED. 0 passed; 1 failed")
    status=1
    continue
  fi
  "$py" -m pip install -q --force-reinstall --no-deps "$wheel"
  run_pytest "$py" "python$v" || status=$?
done
printf '%s\n' "${summaries[@]}"
exit "$status"
