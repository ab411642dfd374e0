#!/usr/bin/env bash
# The translation catalogs (Babel): extract | update | compile | check. Run from anywhere.
#
#   extract  write smartspot/locale/{smartspot,map}.pot from the code (msg(), msg_n(), N_(),
#            gettext() in Python; t() and data-i18n attributes in the map)
#   update   extract, then merge the templates into smartspot/locale/da/LC_MESSAGES/*.po
#            (new texts arrive empty: translate them; tests/test_i18n.py fails until you do)
#   compile  build the .mo files the program reads (done by scripts/setup.d/40-i18n.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=${PYBABEL:-.venv/bin/pybabel}
locale=smartspot/locale
keywords=(-k msg -k "msg_n:1,2" -k N_ -k help_text)

extract() {
  "$pybabel" -q extract --no-wrap --ignore-dirs "node_modules .* _*" --no-location --sort-output --omit-header -F "$locale/python.cfg" \
    "${keywords[@]}" -o "$locale/smartspot.pot" .
  "$pybabel" -q extract --no-wrap --ignore-dirs "node_modules .* _*" --no-location --sort-output --omit-header -F "$locale/map.cfg" \
    --no-default-keywords -k t -k N_ -o "$locale/map.pot" .
}

case "${1:-}" in
  extract) extract ;;
  update)
    extract
    for domain in smartspot map; do
      "$pybabel" -q update --no-wrap --omit-header --ignore-obsolete --no-fuzzy-matching \
        -D "$domain" -i "$locale/$domain.pot" -d "$locale" -l da
    done
    ;;
  compile)
    for domain in smartspot map; do
      "$pybabel" -q compile -D "$domain" -d "$locale" -l da
    done
    ;;
  *) echo "usage: scripts/i18n.sh extract|update|compile" >&2; exit 2 ;;
esac
