#!/usr/bin/env bash
# Sets everything up and runs the main job on the embedded default database.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
exec bash scripts/walkthrough.sh "$@"
