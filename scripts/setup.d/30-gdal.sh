#!/usr/bin/env bash
# Installs Debian's gdal-bin so the OGC API - Features endpoint is tested with a real client
# (ogrinfo's OAPIF driver). Unattended; only when ogrinfo is missing.
set -euo pipefail
if command -v ogrinfo >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: ogrinfo (gdal-bin) is missing and cannot be installed here; the OAPIF client" \
    "test will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends gdal-bin >/dev/null
