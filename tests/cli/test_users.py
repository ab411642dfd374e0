"""``smartspot users``: every login belongs to politikredse, named in full or by a short
start, all of them for an admin by default."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from smartspot.cli.main import main

MV, OJ = "Midt- og Vestjyllands Politi", "Østjyllands Politi"
PASSWORD = "en lang adgangskode"


def _add(monkeypatch: pytest.MonkeyPatch, db: Path, name: str, role: str, *extra: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return main(["users", "add", name, "--role", role, "--password-stdin", "--db", str(db), *extra])


def _listed(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, list[str]]:
    capsys.readouterr()
    assert main(["users", "list", "--json", "--db", str(db)]) == 0
    return {u["name"]: u["districts"] for u in json.loads(capsys.readouterr().out)}


def test_users_get_the_districts_named_or_the_deployments_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.db"
    monkeypatch.setenv("SMARTSPOT_DISTRICT", OJ)
    assert _add(monkeypatch, db, "vagt1", "operator") == 0
    assert _add(monkeypatch, db, "chef", "admin") == 0
    assert (
        _add(monkeypatch, db, "ana", "analyst", "--district", "midt- og vestj", "--district", OJ)
        == 0
    )
    assert _listed(db, capsys) == {"vagt1": [OJ], "chef": ["*"], "ana": [MV, OJ]}


def test_set_districts_changes_them_and_unknown_names_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "s.db"
    assert _add(monkeypatch, db, "vagt1", "operator", "--district", "Østjylland") == 0
    assert main(["users", "set-districts", "vagt1", "alle", "--db", str(db)]) == 0
    assert "alle politikredse" in capsys.readouterr().out
    assert _listed(db, capsys) == {"vagt1": ["*"]}
    assert main(["users", "set-districts", "vagt1", "Syd", "--db", str(db)]) == 2  # ambiguous
    assert "ingen enkelt politikreds" in capsys.readouterr().err
    assert main(["users", "set-districts", "vagt1", "all", OJ, "--db", str(db)]) == 2
    assert _add(monkeypatch, db, "vagt2", "operator", "--district", "Atlantis") == 2
    assert _listed(db, capsys) == {"vagt1": ["*"]}
