#!/usr/bin/env bash
# A CLI walkthrough of the analyst's work on real Danish geography (until the API serves a map).
set -euo pipefail
echo "== Where is Holstebro politistation?"
smartspot where 8.624585 56.370607 --json
