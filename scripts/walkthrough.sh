#!/usr/bin/env bash
# A CLI walkthrough of the analyst's work on real Danish geography (until the API serves a map).
# Uses a fresh database under var/ (git-ignored; SMARTSPOT_WALKTHROUGH_DIR overrides), so it
# runs the same on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${SMARTSPOT_WALKTHROUGH_DIR:-var/walkthrough}
rm -rf "$work"
mkdir -p "$work"
db="$work/smartspot.db"

echo "== Where is Holstebro politistation?"
smartspot where 8.624585 56.370607 --json

echo
echo "== Create the database with the demo districts"
smartspot init --demo --db "$db"

echo
echo "== Register a hotspot in Trekanten, Holstebro (kommune and politikreds are derived)"
id=$(smartspot hotspots add --db "$db" --user analytiker.mvj --json \
  --title "Trekanten: unge samles ved butikstorvet" \
  --category youth_nuisance --priority 3 \
  --description "Grupper af unge samles ved butikstorvet i Trekanten fredag og lørdag aften; beboere føler sig utrygge." \
  --instruction "Parker synligt ved butikstorvet, gå en runde og tal med de unge." \
  --step "Parker synligt ved butikstorvet" --step "Gå en runde mellem blokkene" \
  --step "Tal med de unge; notér antal personer" \
  --minutes 15 --window "fri,sat 20:00-02:00" --visits-per-week 2 \
  --source lokalraad --source-ref "Lokalråd Holstebro 2026-03" \
  --lon 8.6375 --lat 56.3560 | python -c 'import json, sys; print(json.load(sys.stdin)["id"])')
smartspot hotspots show "$id" --db "$db"

echo
echo "== Update it (based on version 1): higher priority, also Thursday evenings"
smartspot hotspots update "$id" --db "$db" --user analytiker.mvj --expected-version 1 \
  --priority 4 --window "fri,sat 20:00-02:00" --window "thu 19:00-23:00"

echo
echo "== A second analyst still looking at version 1 is refused (exit code 4), not overwritten"
if smartspot hotspots update "$id" --db "$db" --user analytiker2 --expected-version 1 --priority 1; then
  echo "a stale update went through" >&2
  exit 1
fi

echo
echo "== Close it with a reason; its history stays"
smartspot hotspots close "$id" --db "$db" --user analytiker.mvj \
  --reason "Lokalrådet melder roligt efter tre måneders indsats"

echo
echo "== Its history"
smartspot hotspots history "$id" --db "$db"

echo
echo "== Open hotspots in Midt- og Vestjyllands Politi (the first 12)"
smartspot hotspots list --db "$db" --politikreds "Midt- og Vestjyllands Politi" --status open --limit 12

echo
echo "== Export GeoJSON and GeoPackage"
smartspot hotspots export "$work/hotspots.geojson" --db "$db"
smartspot hotspots export "$work/hotspots.gpkg" --db "$db"

echo
echo "== Read the exports back with geopandas"
python - "$work/hotspots.geojson" "$work/hotspots.gpkg" <<'PY'
import sys

import geopandas as gpd
import pandas as pd
import pyogrio

for path in sys.argv[1:]:
    # the GeoPackage has a point and an area layer; GeoJSON one collection
    layers = [name for name, _ in pyogrio.list_layers(path)] if path.endswith(".gpkg") else [None]
    frame = pd.concat([gpd.read_file(path, layer=layer) for layer in layers])
    closed = int((frame["status"] == "closed").sum())
    print(f"{path}: {len(frame)} rows in {len(layers)} layer(s), CRS {frame.crs.to_string()}, {closed} closed")
PY
