#!/usr/bin/env bash
# Creates .venv and installs Smart Spot with everything it needs. Idempotent and quick when
# nothing changed. Set SMARTSPOT_PYTHON to choose the interpreter (default: python3, >= 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${SMARTSPOT_PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -e ".[dev]"
  touch "$stamp"
fi
for extra in scripts/setup.d/*.sh; do
  [ -e "$extra" ] && bash "$extra"
done
exit 0
