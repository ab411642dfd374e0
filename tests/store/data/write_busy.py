"""busy-vN.db: the busy database as a main at schema version N writes it, plus two
follow-ups (one with a not-home attempt, one closed by phone). Run from a checkout of that
main: ``PYTHONPATH=. python write_busy.py N OUT.db FOLDER``."""

import sqlite3
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api import create_app
from api.app import services_of
from smartspot.clock import FixedClock
from tests.api.conftest import NOW, login, make_settings
from tests.store.audit_fixtures import busy_database

version, out, folder = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
busy = busy_database(folder)
app = create_app(make_settings(folder), clock=FixedClock(NOW))
client = TestClient(app)
analyst, operator = login(client, "analyst"), login(client, "operator")
ids = []
for serial, (lon, lat) in enumerate([(8.3125, 56.5486), (10.2, 56.16)], start=1):
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "case_ref": f"4100-76543-{serial:05d}-26",
            "category": "burglary",
            "task": "Tryghedsopfølgning efter indbrud",
            "name": "Jens Jensen",
            "phone": "+45 20 30 40 50",
            "address": "Vestergade 12",
            "windows": ["mon-sun 08:00-20:00"],
        },
    }
    made = client.post("/followups", json=feature, headers=analyst)
    assert made.status_code == 201, made.text
    ids.append(made.json()["id"])
attempt = client.post(
    f"/followups/{ids[0]}/attempts",
    json={"patrol": "MV-21", "outcome": "not_home", "left": "leaflet"},
    headers=operator,
)
assert attempt.status_code == 200, attempt.text
closed = client.post(
    f"/followups/{ids[1]}/close", json={"status": "done_by_phone"}, headers=operator
)
assert closed.status_code == 200, closed.text
store = services_of(app).store
assert store.schema_version == version
assert store.verify_audit().ok
store.backup(out)
services_of(app).close()
conn = sqlite3.connect(out)
conn.execute("VACUUM")
conn.close()
print(busy, ids)
