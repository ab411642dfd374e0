"""QGIS as a real client: Debian's PyQGIS (3.22, the analysts' version) opens the GeoPackage
export and the OGC API – Features layers with HTTP Basic authentication against a running
server, and sees one geometry type per layer, every feature and typed date fields.

PyQGIS runs under Debian's /usr/bin/python3 in a subprocess (the venv's python cannot import
qgis), headless (QT_QPA_PLATFORM=offscreen); scripts/setup.d/45-qgis.sh installs it."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.app import services_of
from tests.api.conftest import (
    PASSWORD,
    add_users,
    login,
    make_settings,
    point_feature,
    polygon_feature,
)
from tests.api.live_server import serving

SYSTEM_PYTHON = Path("/usr/bin/python3")
CLIENT = Path(__file__).with_name("qgis_client.py")
LAYERS = ["hotspot_points", "hotspot_areas"]


def _qgis_missing() -> str:
    if not SYSTEM_PYTHON.exists():
        return "no /usr/bin/python3 for PyQGIS"
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import qgis.core"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return (
            "PyQGIS is not installed (python3-qgis, qgis-providers); scripts/setup.d/45-qgis.sh "
            "installs them as root with apt-get"
        )
    return ""


MISSING = _qgis_missing()
# sqlite_only: QGIS reads /ogc, which test_ogc runs on both backends
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=MISSING),
    pytest.mark.sqlite_only,
]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """Three points and two areas, one of the points closed."""
    app = create_app(make_settings(tmp_path))
    add_users(app)
    client = TestClient(app)
    analyst = login(client, "analyst")
    features = [
        point_feature(title="Trekanten"),
        point_feature(10.2108, 56.1529, title="Aarhus Banegård"),
        point_feature(10.5972, 55.8326, title="Tranebjerg"),
        polygon_feature(title="Holstebro bypark"),
        polygon_feature(10.5972, 55.8326, title="Tranebjerg havn"),
    ]
    ids = []
    for feature in features:
        answer = client.post("/hotspots", json=feature, headers=analyst)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    closing = {"reason": "Løst", "expected_version": 1}
    assert client.post(f"/hotspots/{ids[2]}/close", json=closing, headers=analyst).is_success
    with serving(app) as base:
        yield base
    services_of(app).close()


def _qgis(tmp_path: Path, spec: dict[str, Any]) -> dict[str, Any]:
    profile = tmp_path / "qgis-profile"
    profile.mkdir()
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps({**spec, "profile": str(profile)}), encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "QGIS_AUTH_DB_DIR_PATH": str(profile),
        "XDG_RUNTIME_DIR": str(runtime),
        "LANG": "C.UTF-8",
    }
    done = subprocess.run(
        [str(SYSTEM_PYTHON), str(CLIENT), str(spec_path)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    result: dict[str, Any] = json.loads(last)
    return result


def test_qgis_opens_the_geopackage_and_the_oapif_layers_with_basic_auth(
    server: str, tmp_path: Path
) -> None:
    token = httpx.post(f"{server}/auth/token", data={"username": "planner", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    export = httpx.get(f"{server}/hotspots/export", params={"format": "gpkg"}, headers=bearer)
    assert export.status_code == 200
    gpkg = tmp_path / "hotspots.gpkg"
    gpkg.write_bytes(export.content)

    seen = _qgis(
        tmp_path,
        {
            "gpkg": str(gpkg),
            "oapif": f"{server}/ogc",
            "user": "planner",
            "password": PASSWORD,
            "layers": LAYERS,
        },
    )
    assert seen["auth_stored"]
    for source in ("gpkg", "oapif"):
        points, areas = seen[source]["hotspot_points"], seen[source]["hotspot_areas"]
        assert points["valid"] and areas["valid"], (source, points["error"], areas["error"])
        assert (points["count"], points["geometry"]) == (3, "Point"), source
        assert (areas["count"], areas["geometry"]) == (2, "Polygon"), source
        assert points["titles"] == ["Aarhus Banegård", "Tranebjerg", "Trekanten"]
        assert areas["titles"] == ["Holstebro bypark", "Tranebjerg havn"]
    fields = {k: v.lower() for k, v in seen["gpkg"]["hotspot_points"]["fields"].items()}
    assert (fields["valid_from"], fields["valid_to"]) == ("date", "date")
    assert (fields["created_at"], fields["updated_at"]) == ("datetime", "datetime")
    assert fields["priority"].startswith("int")
