#!/usr/bin/env bash
# The long schemathesis run (issue 9 §10): tests/api/test_schemathesis.py with many examples
# per operation (default 50; each example is sent with every role's token) plus schemathesis'
# coverage phase (boundary values, wrong types and methods), all failures
# collected instead of stopping at the first. Figures go to benchmarks/out/schemathesis_long.json
# (requests, status codes, failures by operation, role and check) and the pytest log beside it.
#
#   bash scripts/schemathesis_long.sh [EXAMPLES]     # e.g. 200; SCHEMATHESIS_TIMEOUT_S bounds it
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-50}
out=benchmarks/out
mkdir -p "$out"
export SMARTSPOT_SCHEMATHESIS_EXAMPLES=$examples
export SMARTSPOT_SCHEMATHESIS_COVERAGE=1
export SMARTSPOT_SCHEMATHESIS_REPORT=$out/schemathesis_long.json
started=$(date +%s)
status=0
timeout "${SCHEMATHESIS_TIMEOUT_S:-3600}" .venv/bin/pytest -q -p no:cacheprovider \
  tests/api/test_schemathesis.py >"$out/schemathesis_long.log" 2>&1 || status=$?
echo "examples per operation and role: $examples, wall time: $(($(date +%s) - started)) s," \
  "pytest exit: $status (log: $out/schemathesis_long.log, figures: $SMARTSPOT_SCHEMATHESIS_REPORT)"
tail -n 3 "$out/schemathesis_long.log"
exit "$status"
