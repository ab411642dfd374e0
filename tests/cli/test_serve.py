"""``smartspot serve`` refuses set-ups that cannot work: several workers on SQLite, a shared
service without a fixed secret key, a short key, a port another program holds (its own exit
code, not "not found")."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from api.settings import Settings, deployment_problem
from smartspot.cli.common import ExitCode
from smartspot.cli.main import build_parser, main
from smartspot.cli.serve import workers_options

KEY = "k" * 32


def test_several_workers_on_sqlite_are_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTSPOT_SECRET_KEY", KEY)
    code = main(["serve", "--workers", "2", "--db", str(tmp_path / "x.db")])
    assert code == 2
    error = capsys.readouterr().err
    assert "--workers 2" in error and "SQLite database serves one worker" in error
    assert "postgresql://" in error.lower()
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened


def test_a_short_secret_key_is_refused_naming_the_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMARTSPOT_SECRET_KEY", "for-kort")
    assert main(["serve", "--db", str(tmp_path / "x.db")]) == 2
    error = capsys.readouterr().err
    assert "SMARTSPOT_SECRET_KEY" in error and "32 bytes" in error


def test_postgresql_without_a_secret_key_is_refused_outside_the_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SMARTSPOT_SECRET_KEY", raising=False)
    shared = Settings(db="postgresql://smartspot@db/smartspot")  # type: ignore[arg-type]
    assert shared.backend == "postgresql"
    problem = deployment_problem(shared, workers=1, demo=False)
    assert problem is not None and "SMARTSPOT_SECRET_KEY" in problem
    assert deployment_problem(shared, workers=1, demo=True) is None
    keyed = Settings(db="postgresql://smartspot@db/smartspot", secret_key=KEY)  # type: ignore[arg-type]
    assert deployment_problem(keyed, workers=4, demo=False) is None


def test_one_worker_on_sqlite_may_use_a_key_made_up_per_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMARTSPOT_SECRET_KEY", raising=False)
    settings = Settings(db=tmp_path / "x.db")
    assert not settings.secret_key_given and len(settings.secret_key) >= 32
    assert deployment_problem(settings, workers=1, demo=False) is None
    assert (
        deployment_problem(settings, workers=0, demo=False) == "--workers must be at least 1, not 0"
    )


def test_a_busy_port_exits_unavailable_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--port", str(port), "--db", str(tmp_path / "s.db")])
    err = capsys.readouterr().err
    assert code == ExitCode.UNAVAILABLE == 7
    assert f"port {port} på 127.0.0.1 bruges af et andet program" in err
    assert not (tmp_path / "s.db").exists()  # refused before anything was built


def test_several_workers_get_the_configured_time_to_answer_the_supervisor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """uvicorn's supervisor kills a worker that leaves its ping unanswered for 5 s by default:
    on a busy machine that killed workers in their warm-up, again and again. The service's own
    setting (30 s unless set) is what the supervisor is given."""
    args = build_parser().parse_args(["serve", "--workers", "2", "--port", "8123"])
    assert workers_options(args, Settings(secret_key=KEY))["timeout_worker_healthcheck"] == 30
    monkeypatch.setenv("SMARTSPOT_WORKER_HEALTHCHECK_S", "90")
    options = workers_options(args, Settings(secret_key=KEY))
    assert options["timeout_worker_healthcheck"] == 90
    assert options["workers"] == 2 and options["port"] == 8123 and options["factory"] is True
    monkeypatch.setenv("SMARTSPOT_WORKER_HEALTHCHECK_S", "0.5")
    with pytest.raises(ValueError, match="worker_healthcheck_s"):
        Settings(secret_key=KEY)
