#!/usr/bin/env bash
# Browser tests of the inspector, in Debian's headless Chromium (nothing is downloaded):
#   1. wasm-bindgen tests of cmgems-web (web/tests/browser.rs), run by wasm-pack through
#      chromedriver;
#   2. the page end to end (www/test/e2e.test.js and researcher.test.js: playwright-core +
#      node --test). The page's pure modules have unit tests without a browser
#      (www/test/unit), which scripts/test.sh runs itself.
# Needs (once): apt-get install -y chromium chromium-driver; rustup target add
# wasm32-unknown-unknown; cargo install wasm-bindgen-cli --version <pinned in Cargo.toml>;
# cargo install wasm-pack; Node 20 + npm (npm ci in www/ is run here if node_modules is
# missing). wasm-pack runs with --mode no-install: it uses the wasm-bindgen CLI on PATH
# and never downloads one.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in chromium chromedriver wasm-pack wasm-bindgen node npm; do
  command -v "$tool" >/dev/null || { echo "test-browser: $tool is not installed (see the header of this script)" >&2; exit 1; }
done

export CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver)}
echo "== wasm-bindgen tests of cmgems-web in headless Chromium (wasm-pack test)"
# chromedriver sometimes does not start listening in time ("driver failed to bind port during
# startup": seen once in a warm CI run on 2 busy cores, before any test ran); that start, and
# only that one, is tried once more. A failing test fails at once.
wasm_log=$(mktemp)
if ! wasm-pack test --headless --chrome --mode no-install web 2>&1 | tee "$wasm_log"; then
  grep -q "driver failed to bind port during startup" "$wasm_log" || exit 1
  echo "test-browser: chromedriver did not start; trying once more" >&2
  wasm-pack test --headless --chrome --mode no-install web
fi
rm -f "$wasm_log"

echo "== building the page (www/build.sh)"
bash www/build.sh

cd www
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund
echo "== end-to-end test of the page (node --test)"
bash ../scripts/node-test.sh e2e test/e2e.test.js test/researcher.test.js
