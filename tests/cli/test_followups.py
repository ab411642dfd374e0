"""``smartspot followups``: add, list without personal data, show, attempts, close, import
(all or nothing, CSV and GeoJSON), purge as the nightly job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smartspot.cli.main import main
from smartspot.clock import FixedClock
from smartspot.domain import PatrolStatus
from smartspot.geo.regions import Regions
from smartspot.plans import ProposalStatus
from smartspot.store.open import open_store
from tests.followup_fixtures import NAME, PHONE, draft
from tests.live.conftest import HERNING, NOW, engine_on, place, to_clear

ADD = [
    "followups", "add",
    "--case-ref", "4100-76543-00123-26",
    "--category", "burglary",
    "--task", "Spørg til trygheden efter indbruddet; giv folderen",
    "--name", NAME, "--phone", PHONE,
    "--address", "Vestergade 12, 7620 Lemvig",
    "--lon", "8.3125", "--lat", "56.5486",
    "--window", "mon-fri 16:00-20:00",
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


def test_add_list_and_show(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, added, _ = run(capsys, *ADD, "--db", str(db), "--json", "--user", "ana")
    assert code == 0
    assert added["id"] == "TO-000001"
    assert added["properties"]["kommunenavn"] == "Lemvig"
    assert added["properties"]["personal"] == "withheld"
    code, listed, _ = run(capsys, "followups", "list", "--db", str(db))
    assert code == 0 and "TO-000001" in listed and "Lemvig" in listed
    code, listed_json, _ = run(capsys, "followups", "list", "--db", str(db), "--json")
    assert NAME not in json.dumps(listed_json, ensure_ascii=False)
    assert PHONE not in json.dumps(listed_json, ensure_ascii=False)
    code, shown, _ = run(capsys, "followups", "show", "TO-000001", "--db", str(db))
    assert code == 0 and NAME in shown and PHONE in shown
    assert "sag" in shown and "frist" in shown  # Danish labels by default


#: The issue's four bad inputs: (what changes, the field named, Danish words of the reason).
BAD_INPUT = [
    ({"lon": "12.57", "lat": "59.91"}, "geometry", "uden for Danmark"),  # Oslo
    ({"lon": "56.5486", "lat": "8.3125"}, "geometry", "breddegrad/længdegrad"),  # swapped
    ({"due_by": "2020-01-01"}, "due_by", "overskredet"),
    ({"case_ref": "sag-17"}, "case_ref", "journalnummer"),
]


def _changed(change: dict[str, str]) -> list[str]:
    flags = {"lon": "--lon", "lat": "--lat", "case_ref": "--case-ref", "due_by": "--due-by"}
    argv = list(ADD)
    for key, value in change.items():
        if flags[key] in argv:
            argv[argv.index(flags[key]) + 1] = value
        else:
            argv += [flags[key], value]
    return argv


@pytest.mark.parametrize(("change", "field", "words"), BAD_INPUT)
def test_bad_input_is_refused_with_the_field_named_in_danish(
    db: Path, capsys: pytest.CaptureFixture[str], change: dict[str, str], field: str, words: str
) -> None:
    code, _, err = run(capsys, *_changed(change), "--db", str(db))
    assert code == 2
    assert err.startswith(f"smartspot: fejl: {field}: ") and words in err
    code, listed, _ = run(capsys, "followups", "list", "--db", str(db), "--json")
    assert listed["features"] == []


@pytest.mark.parametrize(("change", "field", "words"), BAD_INPUT)
def test_an_import_names_the_same_field_in_danish(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, str],
    field: str,
    words: str,
) -> None:
    row = {
        "lon": "8.3125", "lat": "56.5486", "case_ref": "4100-76543-00123-26",
        "category": "burglary", "task": "Opfølgning", "name": "Ole", "due_by": "",
    } | change  # fmt: skip
    path = tmp_path / "opfoelgninger.csv"
    path.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    code, report, _ = run(capsys, "followups", "import", str(path), "--db", str(db), "--json")
    assert code == 2
    [problem] = report["rejected"]
    assert (problem["index"], problem["field"]) == (0, field)
    assert words in problem["reason"]


def test_attempts_to_phone_queue_then_close_and_purge(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, *ADD, "--db", str(db))
    for _ in range(2):
        code, after, _ = run(
            capsys, "followups", "attempt", "TO-000001", "--patrol", "MV-11",
            "--outcome", "not_home", "--left", "leaflet", "--db", str(db), "--json",
        )  # fmt: skip
        assert code == 0
    assert after["properties"]["queue"] == "phone"
    code, closed, _ = run(
        capsys, "followups", "close", "TO-000001", "--status", "done_by_phone", "--db", str(db),
        "--json",
    )  # fmt: skip
    assert code == 0 and closed["properties"]["status"] == "done_by_phone"
    code, kept, _ = run(capsys, "followups", "purge", "--db", str(db), "--json")
    assert code == 0 and kept["erased"] == []  # closed just now: within the 90 days
    code, purged, _ = run(
        capsys, "followups", "purge", "--retention-days", "0", "--db", str(db), "--json"
    )
    assert code == 0 and purged["erased"] == ["TO-000001"]
    code, shown, _ = run(capsys, "followups", "show", "TO-000001", "--db", str(db))
    assert NAME not in shown and PHONE not in shown and "slettet" in shown
    code, verdict, _ = run(capsys, "audit", "verify", "--db", str(db))
    assert code == 0, verdict


def test_import_csv_is_all_or_nothing_and_reports_each_bad_field(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = "lon,lat,case_ref,category,task,name,phone,priority,windows\n"
    good = f'8.3125,56.5486,4100-76543-00123-26,burglary,Opfølgning,{NAME},20304050,3,"mon-fri 16:00-20:00"\n'
    swapped = "56.5486,8.3125,4100-76543-00124-26,violence,Opfølgning,Ole,,4,\n"
    bad = "8.3125,56.5486,17,nonsense,Opfølgning,Ole,,9,\n"
    path = tmp_path / "opfoelgninger.csv"
    path.write_text(header + good + swapped + bad, encoding="utf-8")
    code, report, _ = run(capsys, "followups", "import", str(path), "--db", str(db), "--json")
    assert code != 0
    assert {(r["index"], r["field"]) for r in report["rejected"]} == {
        (1, "geometry"),
        (2, "case_ref"),
        (2, "category"),
        (2, "priority"),
    }
    code, _, err = run(capsys, "followups", "import", str(path), "--db", str(db))
    lines = err.splitlines()
    assert code == 2 and len(lines) == 5  # a line per bad field, then the error itself
    assert lines[1].startswith('objekt 2 ("17"): case_ref: ')
    code, listed, _ = run(capsys, "followups", "list", "--db", str(db), "--json")
    assert listed["features"] == []
    path.write_text(header + good, encoding="utf-8")
    code, done, _ = run(capsys, "followups", "import", str(path), "--db", str(db), "--json")
    assert code == 0 and done["ids"] == ["TO-000001"]


def test_import_geojson(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [8.3125, 56.5486]},
        "properties": {
            "case_ref": "4100-76543-00123-26", "category": "threats",
            "task": "Opfølgning", "name": NAME, "phone": PHONE,
        },
    }  # fmt: skip
    path = tmp_path / "f.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    code, done, _ = run(capsys, "followups", "import", str(path), "--db", str(db), "--json")
    assert code == 0 and done["imported"] == 1


def test_an_attempt_on_an_accepted_proposals_stop_goes_through_the_live_engine(
    tmp_path: Path, regions: Regions, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same path as the API's route: the car's planned stop is done, its proposal completed,
    the car heads home, each step audited and on the map's stream."""
    path = tmp_path / "live.db"
    clock = FixedClock(NOW)
    engine = engine_on(path, regions, clock)
    followup = engine.register_followup(
        draft(windows=[]), {"type": "Point", "coordinates": [8.80, 56.25]}, actor="analytiker"
    )
    engine.add_patrol("MV-21", "st01", actor="op")
    place(engine, "MV-21", HERNING, clock.current)
    _, [proposal] = engine.clear(to_clear(engine, "MV-21", HERNING), actor="op")
    engine.accept(proposal.id, [], actor="op")
    assert [s.hotspot for s in proposal.kept] == [followup.id]
    engine.ctx.store.close()

    code, after, _ = run(
        capsys, "followups", "attempt", followup.id, "--patrol", "MV-21", "--outcome",
        "reached", "--db", str(path), "--user", "mv21-leder", "--json",
    )  # fmt: skip
    assert code == 0 and after["properties"]["status"] == "done_in_person"
    with open_store(path) as store:
        done = store.proposals.get(proposal.id)
        assert done.status is ProposalStatus.COMPLETED
        assert all(s.done for s in done.kept)
        assert store.patrols.get("MV-21").status is PatrolStatus.RETURNING
        audited = {(e.entity, e.action, e.actor) for e in store.audit.entries()}
        kinds = [e.kind for e in store.events.after(0, limit=1000)]
    assert ("followup", "attempt", "mv21-leder") in audited
    assert ("proposal", "completed", "avl") in audited
    assert kinds[-3:] == ["proposal", "patrol", "followup"]
    code, verdict, _ = run(capsys, "audit", "verify", "--db", str(path))
    assert code == 0, verdict
