#!/usr/bin/env bash
# All tests of the project. Tests that read ../shared/data skip with a "SKIP:" line when it
# is absent (under CI=true they fail instead). Ends with one summary line, "tests: N passed,
# M failed, S skipped", over every suite run; the skipped ones are listed above it.
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# --release: the burn trainer's tests run real training steps; one profile for the
# build and every test keeps burn compiled once. The default members (core, native,
# tests) only: the browser crate's dependencies turn on `std` features of crates that sit
# under wgpu/cubecl, so building them together would rebuild burn after README's main job
# (`cargo build --release -p cmgems-native`). The browser crate's host tests run alone.
cargo test --release --no-fail-fast 2>&1 | tee "$log" || status=$?
cargo test --release -p cmgems-web 2>&1 | tee -a "$log" || status=$?
# The inspector's pure modules (www/js: state, formatting, geometry, input checks...) under
# node --test, without a browser. Required in CI; elsewhere skipped with a message when Node
# is missing.
if command -v node >/dev/null || [ "${CI:-}" = true ]; then
  bash scripts/node-test.sh "www unit" www/test/unit/*.test.js 2>&1 | tee -a "$log" || status=$?
else
  echo "SKIP: unit tests of the inspector page (install Node 20)"
fi
# Browser tests need Chromium, chromedriver and the wasm-bindgen CLI (.ci/run installs
# them). In CI they are required; elsewhere they are skipped with a message if missing.
if command -v chromium >/dev/null && command -v chromedriver >/dev/null \
  && command -v wasm-pack >/dev/null && command -v wasm-bindgen >/dev/null \
  || [ "${CI:-}" = true ]; then
  bash scripts/test-browser.sh 2>&1 | tee -a "$log" || status=$?
else
  echo "SKIP: browser tests (install chromium, chromium-driver, wasm-pack and wasm-bindgen-cli, or run .ci/run)"
fi
# The Python package (python/): needs the venv .ci/run makes (torch, transformers, maturin...).
# Required in CI; elsewhere skipped with a message when that venv is missing.
if [ -x "${CMGEMS_PYTHON:-$HOME/.cache/cmgems-py/bin/python}" ] || [ "${CI:-}" = true ]; then
  bash scripts/test-python.sh 2>&1 | tee -a "$log" || status=$?
else
  echo "SKIP: Python package tests (no venv at \$CMGEMS_PYTHON or ~/.cache/cmgems-py; see .ci/run)"
fi
passed=$(grep -Eo '(ok|FAILED)\. [0-9]+ passed' "$log" | grep -Eo '[0-9]+' | paste -sd+ | bc)
failed=$(grep -Eo '[0-9]+ passed; [0-9]+ failed' "$log" | sed -E 's/.* ([0-9]+) failed/\1/' | paste -sd+ | bc)
# A suite that failed before counting (a build error, a file that does not load) counts as
# one failed test, so the summary never reads "0 failed" over a failure.
if [ "$status" != 0 ] && [ "${failed:-0}" = 0 ]; then failed=1; fi
skips=$(grep -E '^SKIP:' "$log" || true)
echo
[ -z "$skips" ] || echo "$skips"
echo "tests: ${passed:-0} passed, ${failed:-0} failed, $(grep -c . <<<"$skips") skipped"
exit "$status"
