#!/usr/bin/env bash
# Builds the inspector's WebAssembly into www/pkg/ with wasm-pack (`--mode no-install`: the
# wasm-bindgen CLI on PATH, never a download; wasm-opt is off in web/Cargo.toml because
# Debian's binaryen 108 emits wasm that fails to load). Needs: rustup target add
# wasm32-unknown-unknown, cargo install wasm-pack, and cargo install wasm-bindgen-cli
# --version <the version pinned in Cargo.toml>.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "wasm-bindgen CLI ${have:-missing}, but Cargo.toml pins $want:" >&2
  echo "  cargo install wasm-bindgen-cli --version $want" >&2
  exit 1
fi
command -v wasm-pack >/dev/null || { echo "wasm-pack is missing: cargo install wasm-pack" >&2; exit 1; }

profile=--release
[ "${PROFILE:-release}" = dev ] && profile=--dev
rm -rf www/pkg
wasm-pack build --mode no-install --target web --no-typescript --no-pack "$profile" \
  --out-dir ../www/pkg web
ls -l www/pkg
