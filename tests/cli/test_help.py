from __future__ import annotations

import pytest

from smartspot.cli.main import main


def test_help_texts_are_danish_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["hotspots", "close", "--help"])
    out = capsys.readouterr().out
    assert "hvorfor opgaven lukkes" in out
    assert "why the hotspot is closed" not in out


def test_help_texts_follow_smartspot_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTSPOT_LANGUAGE", "en")
    with pytest.raises(SystemExit):
        main(["hotspots", "close", "--help"])
    assert "why the hotspot is closed" in capsys.readouterr().out
