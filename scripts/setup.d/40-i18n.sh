#!/usr/bin/env bash
# Compiles the translation catalogs (smartspot/locale/da/LC_MESSAGES/*.po → *.mo) with Babel.
# The .mo files are build output (git-ignored): the .po is the one source a translator edits,
# and a compiled file in git would go stale beside it. Quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
stale=0
for po in smartspot/locale/*/LC_MESSAGES/*.po; do
  [ -e "$po" ] || continue
  mo=${po%.po}.mo
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then stale=1; fi
done
[ "$stale" = 1 ] && bash scripts/i18n.sh compile
exit 0
