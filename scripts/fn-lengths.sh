#!/usr/bin/env bash
# Functions that fit on a screen: fails, naming them, if any function in core/src or
# native/src is over 80 lines (issue 20). `bash scripts/fn-lengths.sh N` lists the N longest.
set -euo pipefail
cd "$(dirname "$0")/.."
limit=80
lengths=$(find core/src native/src -name '*.rs' -print0 | xargs -0 awk -f scripts/fn-lengths.awk | sort -rn)
if [ -n "${1:-}" ]; then
  head -n "$1" <<<"$lengths"
fi
long=$(awk -v m="$limit" '$1 > m' <<<"$lengths")
if [ -n "$long" ]; then
  echo "functions over $limit lines (split them):" >&2
  echo "$long" >&2
  exit 1
fi
echo "no function in core/src or native/src is over $limit lines (longest: $(head -n1 <<<"$lengths"))"
