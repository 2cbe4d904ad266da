#!/usr/bin/env bash
# Builds the inspector's WebAssembly into www/pkg/ (cargo + the wasm-bindgen CLI, no
# wasm-pack, no wasm-opt). Needs: rustup target add wasm32-unknown-unknown, and
# cargo install wasm-bindgen-cli --version <the version pinned in Cargo.toml>.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "wasm-bindgen CLI ${have:-missing}, but Cargo.toml pins $want:" >&2
  echo "  cargo install wasm-bindgen-cli --version $want" >&2
  exit 1
fi

profile=${PROFILE:-release}
cargo build -p cmgems-web --target wasm32-unknown-unknown --profile "$profile"
target_dir=${CARGO_TARGET_DIR:-target}
dir=$profile; [ "$profile" = dev ] && dir=debug
rm -rf www/pkg
wasm-bindgen --target web --no-typescript --out-dir www/pkg \
  "$target_dir/wasm32-unknown-unknown/$dir/cmgems_web.wasm"
ls -l www/pkg
