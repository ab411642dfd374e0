from __future__ import annotations

import json

import pytest

from smartspot.cli.main import main


def test_where_prints_kommune_and_politikreds_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["where", "8.624585", "56.370607", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["kommunekode"] == "0661"
    assert result["kommunenavn"] == "Holstebro"
    assert result["politikreds"] == "Midt- og Vestjyllands Politi"
    assert result["nearest_station"]["id"] == "st01"


def test_where_in_the_sea_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["where", "7.95", "56.3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "uden for dansk land" in err


def test_where_with_swapped_coordinates_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["where", "56.37", "8.62"]) == 2
    assert "breddegrad/længdegrad" in capsys.readouterr().err


def test_a_closed_pipe_ends_quietly_not_as_an_internal_error() -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "smartspot.cli.main", "where", "8.62", "56.37", "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before the answer is written, like `| head`
    with process.stderr:
        stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "internal error" not in stderr
    assert "Traceback" not in stderr


def test_where_prints_a_danish_line_for_people(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["where", "8.97", "56.14"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Herning Kommune (0657), Midt- og Vestjyllands Politi; nærmeste station:")
    assert " km)" in out and "{" not in out  # no Python dict for people
    monkeypatch.setenv("SMARTSPOT_LANGUAGE", "en")
    assert main(["where", "8.97", "56.14"]) == 0
    assert "nearest station:" in capsys.readouterr().out
