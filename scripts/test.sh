#!/usr/bin/env bash
# All tests of the project. Tests that read ../shared/data skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace
