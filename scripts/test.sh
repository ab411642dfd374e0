#!/usr/bin/env bash
# Sets everything up, then runs the whole check: lint, format, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff (lint)";   ruff check .
echo "== ruff (format)"; ruff format --check .
echo "== mypy";          mypy
# both cores (SMARTSPOT_TEST_WORKERS=0: one process); a module's tests stay on one worker, so
# its module fixtures are built once. Schemathesis gives all 66 operations' cases one test id,
# which xdist collapses into one test: that module runs in one process after the rest.
workers="${SMARTSPOT_TEST_WORKERS:-2}"
if [ "$workers" = 0 ]; then
  echo "== pytest";      pytest "$@"
else
  echo "== pytest";      pytest -n "$workers" --dist loadfile --ignore=tests/api/test_schemathesis.py "$@"
  echo "== pytest (schemathesis, one process)"; pytest tests/api/test_schemathesis.py
fi
