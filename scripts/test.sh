#!/usr/bin/env bash
# Sets everything up, then runs the whole check: lint, format, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff (lint)";   ruff check .
echo "== ruff (format)"; ruff format --check .
echo "== mypy";          mypy
echo "== pytest";        pytest "$@"
