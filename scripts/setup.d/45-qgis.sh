#!/usr/bin/env bash
# Installs Debian's PyQGIS (python3-qgis, qgis-providers) so the QGIS client test loads the
# GeoPackage export and the OGC API - Features layer the way an analyst's QGIS does. It runs
# under Debian's /usr/bin/python3 (the venv's python cannot import qgis). Unattended; only when
# missing.
set -euo pipefail
if [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: PyQGIS (python3-qgis, qgis-providers) is missing and cannot be installed here" \
    "(needs root and apt-get); the QGIS client test will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3-qgis qgis-providers >/dev/null
