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


def test_argparse_own_words_are_danish_too(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["hotspots", "nope"])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.startswith("brug: smartspot hotspots")
    assert "fejl: argument ACTION: ugyldigt valg: 'nope'" in err
    assert "usage" not in err and "invalid choice" not in err
    with pytest.raises(SystemExit):
        main(["hotspots", "close", "--help"])
    out = capsys.readouterr().out
    assert "tilvalg:" in out and "vis denne hjælp og afslut" in out


def test_argparse_words_follow_smartspot_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(SystemExit):
        main(["hotspots", "nope"])  # Danish first: the English run must not keep its words
    monkeypatch.setenv("SMARTSPOT_LANGUAGE", "en")
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["hotspots"])
    err = capsys.readouterr().err
    assert "usage: smartspot hotspots" in err
    assert "error: the following arguments are required: ACTION" in err
