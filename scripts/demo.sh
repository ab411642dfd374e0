#!/usr/bin/env bash
# Sets everything up and serves the vagtcentral map with the demo districts on the embedded
# database at http://127.0.0.1:8000 (Ctrl-C stops it). The CLI walkthrough of the hotspot
# register runs on its own: bash scripts/walkthrough.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

export SMARTSPOT_DB="${SMARTSPOT_DB:-$PWD/var/demo/smartspot.db}"
# A fixed key keeps browser logins valid across demo restarts; never use it in production.
export SMARTSPOT_SECRET_KEY="${SMARTSPOT_SECRET_KEY:-smartspot-demo-key-not-for-production}"
host="${SMARTSPOT_HOST:-127.0.0.1}"
port="${SMARTSPOT_PORT:-8000}"
password="demo-holstebro-vagt"
mkdir -p "$(dirname "$SMARTSPOT_DB")"

smartspot init --demo --db "$SMARTSPOT_DB"
for login in "operator operator" "analytiker analyst" "planlaegger planner"; do
  set -- $login
  status=0
  # the demo has cars and hotspots in both its districts: its logins see all politikredse
  printf '%s\n' "$password" | smartspot users add "$1" --role "$2" --password-stdin \
    --district alle --db "$SMARTSPOT_DB" --by demo >/dev/null 2>&1 || status=$?
  if [ "$status" != 0 ] && [ "$status" != 4 ]; then  # 4: the login exists already
    echo "demo: could not create the login $1 (exit code $status)" >&2
    exit "$status"
  fi
done

cat <<INFO

  Smart Spot demo: http://$host:$port/   (API documentation: http://$host:$port/docs)
  Demo logins (password: $password)
    operator     operatør: cars, callouts, proposals
    analytiker   analytiker: draws and edits hotspots
    planlaegger  planlægger: reads everything
  Database: $SMARTSPOT_DB

INFO
exec smartspot serve --host "$host" --port "$port" --demo
