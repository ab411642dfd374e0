#!/usr/bin/env bash
# Installs Debian's PostgreSQL server and PostGIS, so the store's, the live engine's and the API's
# tests also run on PostGIS (tests/pg_cluster.py starts a throwaway cluster in a temporary
# folder, as an unprivileged user, on a free port). Unattended; only when missing.
set -euo pipefail
have_postgis() {
  for bindir in /usr/lib/postgresql/*/bin; do
    version=$(basename "$(dirname "$bindir")")
    if [ -x "$bindir/initdb" ] && [ -x "$bindir/postgres" ] &&
      [ -f "/usr/share/postgresql/$version/extension/postgis.control" ]; then
      return 0
    fi
  done
  return 1
}
if have_postgis; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: PostgreSQL with PostGIS is missing and cannot be installed here (needs root and" \
    "apt-get); the PostGIS variants of the tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# postgresql + postgresql-postgis (what the `postgis` package recommends): Debian's default server
# version with its matching PostGIS extension. The package's own cluster is not used (the tests
# start their own).
apt-get install -y -qq --no-install-recommends postgresql postgresql-postgis >/dev/null
have_postgis
