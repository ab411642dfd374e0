from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smartspot.cli.main import main
from smartspot.demo import demo_files
from smartspot.resources import SCENARIOS_DIR

ADD = [
    "hotspots", "add",
    "--title", "Trekanten: unge samles",
    "--category", "youth_nuisance",
    "--priority", "4",
    "--description", "Grupper af unge samles ved Trekanten om aftenen.",
    "--instruction", "Parker synligt og gå en runde.",
    "--step", "Parker ved Trekanten", "--step", "Gå en runde",
    "--window", "fri,sat 20:00-02:00",
    "--lon", "8.6375", "--lat", "56.3560",
    "--source", "lokalraad", "--source-ref", "LR-2026-03",
]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "cli.db"
    assert main(["init", "--db", str(path)]) == 0
    capsys.readouterr()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    out = json.loads(captured.out) if "--json" in argv and captured.out.strip() else captured.out
    return code, out, captured.err


def test_add_show_and_list_as_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, added, _ = run(capsys, *ADD, "--db", str(db), "--user", "ana", "--json")
    assert code == 0
    assert added["id"] == "HS-000001"
    assert added["geometry"] == {"type": "Point", "coordinates": [8.6375, 56.356]}
    props = added["properties"]
    assert (props["kommunekode"], props["created_by"], props["version"]) == ("0661", "ana", 1)
    assert props["steps"] == ["Parker ved Trekanten", "Gå en runde"]
    code, shown, _ = run(capsys, "hotspots", "show", "HS-000001", "--db", str(db), "--json")
    assert code == 0 and shown == added
    code, listed, _ = run(
        capsys, "hotspots", "list", "--db", str(db), "--kommune", "Holstebro", "--json"
    )
    assert code == 0 and listed["type"] == "FeatureCollection"
    assert [f["id"] for f in listed["features"]] == ["HS-000001"]


def test_update_close_and_history(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, *ADD, "--db", str(db), "--user", "ana")
    code, updated, _ = run(
        capsys, "hotspots", "update", "HS-000001", "--expected-version", "1",
        "--priority", "5", "--user", "bo", "--db", str(db), "--json",
    )  # fmt: skip
    assert code == 0 and updated["properties"]["version"] == 2
    code, _, err = run(
        capsys, "hotspots", "update", "HS-000001", "--expected-version", "1",
        "--priority", "3", "--db", str(db),
    )  # fmt: skip
    assert code == 4
    assert err.count("\n") == 1 and "i version 2" in err and "version 1" in err
    code, closed, _ = run(
        capsys, "hotspots", "close", "HS-000001", "--reason", "Roligt nu", "--db", str(db), "--json"
    )
    assert code == 0 and closed["properties"]["status"] == "closed"
    code, history, _ = run(capsys, "hotspots", "history", "HS-000001", "--db", str(db), "--json")
    assert code == 0
    assert [v["properties"]["version"] for v in history["versions"]] == [1, 2, 3]
    assert [a["action"] for a in history["audit"]] == ["create", "update", "close"]
    assert history["audit"][1]["actor"] == "bo"
    code, text, _ = run(capsys, "hotspots", "history", "HS-000001", "--db", str(db))
    assert "priority: 4 → 5" in text and "begrundelse: Roligt nu" in text


def test_update_needs_expected_version_or_force(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, *ADD, "--db", str(db))
    with pytest.raises(SystemExit) as caught:
        main(["hotspots", "update", "HS-000001", "--priority", "3", "--db", str(db)])
    assert caught.value.code == 2
    code, forced, _ = run(
        capsys,
        "hotspots",
        "update",
        "HS-000001",
        "--force",
        "--priority",
        "3",
        "--db",
        str(db),
        "--json",
    )
    assert code == 0 and forced["properties"]["priority"] == 3


@pytest.mark.parametrize(
    ("argv", "exit_code", "message"),
    [
        (["hotspots", "show", "HS-000042"], 3, "ingen opgave 'HS-000042'"),
        (["hotspots", "close", "HS-000042", "--reason", "x"], 3, "ingen opgave"),
        ([*ADD[:-8], "--lon", "56.356", "--lat", "8.6375"], 2, "breddegrad/længdegrad"),
        ([*ADD[:-8], "--lon", "7.95", "--lat", "56.3"], 2, "uden for dansk land"),
        ([*ADD[:-8]], 2, "angiv stedet"),
        (["hotspots", "list", "--kommune", "Atlantis"], 3, "ingen kommune ved navn"),
        (["hotspots", "list", "--politikreds", "Atlantis Politi"], 3, "ingen politikreds ved navn"),
        (["hotspots", "list", "--bbox", "1,2,3"], 2, "--bbox"),
    ],
)
def test_errors_are_one_line_with_their_exit_code(
    db: Path, capsys: pytest.CaptureFixture[str], argv: list[str], exit_code: int, message: str
) -> None:
    code, _, err = run(capsys, *argv, "--db", str(db))
    assert code == exit_code
    assert err.count("\n") == 1 and err.startswith("smartspot: fejl:")
    assert message in err


def test_a_missing_database_is_a_storage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "hotspots", "list", "--db", str(tmp_path / "none.db"))
    assert code == 5 and "smartspot init" in err


def test_database_path_comes_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTSPOT_DB", str(tmp_path / "env.db"))
    code, result, _ = run(capsys, "init", "--json")
    assert code == 0 and result["db"] == str(tmp_path / "env.db")
    assert (tmp_path / "env.db").exists()


def test_importing_an_export_again_is_refused_with_a_report(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, *ADD, "--db", str(db))
    for name in ("out.geojson", "out.gpkg"):
        path = tmp_path / name
        code, exported, _ = run(capsys, "hotspots", "export", str(path), "--db", str(db), "--json")
        assert code == 0 and exported["exported"] == 1
        code, _, err = run(capsys, "hotspots", "import", str(path), "--db", str(db))
        assert code == 2
        assert err.startswith('objekt 0 (id HS-000001, "Trekanten: unge samles"): id: ')
        assert "--update" in err
    code, listed, _ = run(capsys, "hotspots", "list", "--db", str(db), "--json")
    assert [f["id"] for f in listed["features"]] == ["HS-000001"]


def test_export_then_import_update_changes_nothing_in_either_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "demo.db")
    run(capsys, "init", "--demo", "--db", db)
    run(capsys, "hotspots", "update", "HS-000002", "--expected-version", "1", "--priority", "1",
        "--db", db)  # fmt: skip
    run(capsys, "hotspots", "close", "HS-000003", "--reason", "Løst", "--db", db)
    _, before, _ = run(capsys, "hotspots", "list", "--db", db, "--json")
    count = len(before["features"])
    assert count > 90
    for name in ("all.geojson", "all.gpkg"):
        path = tmp_path / name
        run(capsys, "hotspots", "export", str(path), "--db", db)
        code, imported, _ = run(
            capsys, "hotspots", "import", str(path), "--update", "--db", db, "--json"
        )
        assert code == 0, imported
        assert (imported["created"], imported["updated"]) == ([], [])
        assert len(imported["unchanged"]) == count
        _, after, _ = run(capsys, "hotspots", "list", "--db", db, "--json")
        assert after == before  # every hotspot, version, status and field
    code, text, _ = run(capsys, "hotspots", "import", str(path), "--update", "--db", db)
    assert text.strip() == f"importerede 0 opgaver; 0 opdateret, {count} uændret"


def test_show_and_history_are_for_people(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, *ADD, "--db", str(db), "--user", "ana")
    code, text, _ = run(capsys, "hotspots", "show", "HS-000001", "--db", str(db))
    assert code == 0
    assert text.splitlines()[0] == "HS-000001  Trekanten: unge samles  (version 1, open)"
    assert "[" not in text and "'" not in text and "None" not in text
    assert "  1. Parker ved Trekanten\n" in text and "  2. Gå en runde\n" in text
    run(capsys, "hotspots", "update", "HS-000001", "--expected-version", "1",
        "--step", "Kun ét trin", "--db", str(db))  # fmt: skip
    code, text, _ = run(capsys, "hotspots", "history", "HS-000001", "--db", str(db))
    assert "steps: Parker ved Trekanten; Gå en runde → Kun ét trin" in text
    assert "[" not in text and "'" not in text


def test_rejected_import_prints_the_report_and_exits_2(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [8.6375, 56.356]},
            "properties": {"title": "t", "category": "speeding", "description": "d",
                           "instruction": "i", "priority": 3}}  # fmt: skip
    bad_priority = {**good, "properties": {**good["properties"], "priority": 9}}
    sea = {**good, "geometry": {"type": "Point", "coordinates": [7.95, 56.3]}}
    path = tmp_path / "in.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": [good, bad_priority, sea]})
    )
    code, report, err = run(capsys, "hotspots", "import", str(path), "--db", str(db), "--json")
    assert code == 2
    assert report["imported"] == 0
    assert [(r["index"], r["field"]) for r in report["rejected"]] == [
        (1, "priority"),
        (2, "geometry"),
    ]
    assert "2 af 3 objekter er ugyldige" in err
    code, listed, _ = run(capsys, "hotspots", "list", "--db", str(db), "--json")
    assert listed["features"] == []


def test_init_demo_loads_every_scenario_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "demo.db")
    code, first, _ = run(capsys, "init", "--demo", "--db", path, "--json")
    assert code == 0
    assert set(first["demo_loaded"]) == {f.parent.name for f in demo_files(SCENARIOS_DIR)}
    assert first["hotspots"] == sum(first["demo_loaded"].values())
    code, second, _ = run(capsys, "init", "--demo", "--db", path, "--json")
    assert code == 0 and second["demo_loaded"] == {} and second["hotspots"] == first["hotspots"]
    for politikreds in ("Midt- og Vestjyllands Politi", "Østjyllands Politi"):
        code, listed, _ = run(
            capsys, "hotspots", "list", "--politikreds", politikreds, "--db", path, "--json"
        )
        assert code == 0 and len(listed["features"]) >= 30, politikreds
        assert {f["properties"]["created_by"] for f in listed["features"]} == {"demo"}
