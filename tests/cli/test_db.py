"""``smartspot db upgrade`` migrates either backend: an SQLite database from an older Smart
Spot keeps everything, a fresh PostgreSQL database gets the whole schema, and a second run
changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smartspot.cli.main import main
from smartspot.geo.regions import Regions
from smartspot.store.migrations import HISTORY
from smartspot.store.open import open_store
from tests.hotspot_fixtures import TREKANTEN, draft, new_service
from tests.pg_cluster import SUPERUSER, Cluster


def upgrade(db: str | Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["db", "upgrade", "--db", str(db), "--json"])
    return code, json.loads(capsys.readouterr().out or "{}")


def test_an_older_sqlite_database_upgrades_without_loss(
    tmp_path: Path,
    regions: Regions,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "old.db"
    with monkeypatch.context() as patch:  # a Smart Spot from before migration 2
        patch.setattr("smartspot.store.migrations.HISTORY", HISTORY[:1])
        old = new_service(path, regions)
        hotspot = old.register(draft(), TREKANTEN, user="a")
        history = old.store.audit.entries()
        old.store.close()
    assert upgrade(path, capsys) == (0, {"db": str(path), "from": 1, "to": len(HISTORY)})
    with open_store(path) as upgraded:
        assert upgraded.hotspots.get(hotspot.id) == hotspot
        assert [e.after for e in upgraded.audit.entries()][: len(history)] == [
            e.after for e in history
        ]
        assert upgraded.verify_audit().ok
    assert upgrade(path, capsys)[1]["from"] == len(HISTORY)


def test_an_empty_postgresql_database_gets_the_whole_schema(
    pg_cluster: Cluster, regions: Regions, capsys: pytest.CaptureFixture[str]
) -> None:
    with pg_cluster.admin() as conn:
        conn.execute("CREATE DATABASE bare")  # not from the migrated template
    url = pg_cluster.url("bare", user=SUPERUSER)  # the owner migrates
    try:
        code, result = upgrade(url, capsys)
        assert (code, result["from"], result["to"]) == (0, 0, len(HISTORY))
        service = new_service(pg_cluster.url("bare"), regions)  # the service role works on it
        service.register(draft(), TREKANTEN, user="a")
        service.store.close()
        assert upgrade(url, capsys)[1] == {
            "db": url,
            "from": len(HISTORY),
            "to": len(HISTORY),
        }
    finally:
        pg_cluster.drop_database("bare")


def test_the_service_role_cannot_migrate_and_is_told_what_to_run(
    pg_cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    with pg_cluster.admin() as conn:
        conn.execute("CREATE DATABASE bare2")
    try:
        code = main(["db", "upgrade", "--db", pg_cluster.url("bare2")])
        assert code == 5  # storage
        assert "smartspot db upgrade" in capsys.readouterr().err
        with pytest.raises(Exception, match="smartspot db upgrade"):
            open_store(pg_cluster.url("bare2"))
    finally:
        pg_cluster.drop_database("bare2")
