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
# its module fixtures are built once
echo "== pytest";        pytest -n "${SMARTSPOT_TEST_WORKERS:-2}" --dist loadfile "$@"
