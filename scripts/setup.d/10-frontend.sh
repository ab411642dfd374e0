#!/usr/bin/env bash
# Installs the front-end packages (Leaflet for the map, Swagger UI for /docs) from api/package-lock.json into
# api/node_modules (git-ignored); the app serves them itself, so the map needs no CDN.
set -euo pipefail
cd "$(dirname "$0")/../../api"
if [ -f node_modules/leaflet/dist/leaflet.js ] && [ -f node_modules/swagger-ui-dist/swagger-ui-bundle.js ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq npm >/dev/null
  else
    echo "setup: npm is missing; install Node.js and npm, then run scripts/setup.sh again" >&2
    exit 1
  fi
fi
npm ci --no-audit --no-fund --loglevel=error
