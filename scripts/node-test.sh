#!/usr/bin/env bash
# Runs `node --test` on the given test files (paths as node sees them from the current
# folder) and ends with one line in cargo test's summary shape,
#   "<label> test result: ok. N passed; M failed"
# which scripts/test.sh adds to its total. Usage: node-test.sh LABEL FILE...
set -euo pipefail
label=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# TAP, whatever the terminal: its last "# pass N" / "# fail N" lines are the run's totals
# (subtests' lines are indented, so ^# matches the top level only).
node --test --test-reporter=tap "$@" 2>&1 | tee "$log" || status=$?
pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log" | tail -1)
fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log" | tail -1)
# A run that failed before counting says FAILED; scripts/test.sh counts it as a failure.
echo "$label test result: $([ "$status" = 0 ] && echo ok || echo FAILED). ${pass:-0} passed; ${fail:-0} failed"
exit "$status"
