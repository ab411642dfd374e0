#!/usr/bin/env bash
# Installs Debian's chromium for the map's browser test (driven by Python playwright with
# executable_path=/usr/bin/chromium; never `playwright install`). Unattended; only when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: /usr/bin/chromium is missing and cannot be installed here (needs root and apt-get);" \
    "the browser test will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
