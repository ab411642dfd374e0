"""The login back-off holds across workers: two real ``smartspot serve`` processes on one
database (what ``--workers 2`` or two API nodes behind a load balancer are), on SQLite and on
PostGIS. Failures on one throttle the login on the other; after the back-off the right
password works; a success starts the user's count afresh on both."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.auth import new_account
from smartspot.store.open import open_store
from tests.api.conftest import NOW, PASSWORD
from tests.api.test_workers import _serve

pytestmark = pytest.mark.slow


@pytest.fixture
def shared(database: str | Path) -> Iterator[str]:
    """A database with one operator, for both servers."""
    with open_store(database, create=True) as store:
        store.users.add(
            new_account("operator", "operator", PASSWORD, now=NOW, districts=("*",)), actor="test"
        )
    yield str(database)


def _try(base: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base}/auth/token", data={"username": "operator", "password": password}, timeout=60
    )


def test_failures_on_one_worker_throttle_the_login_on_the_other(shared: str) -> None:
    with _serve(shared) as (_, a), _serve(shared) as (_, b):
        assert [_try(a, "forkert kode").status_code for _ in range(5)] == [401] * 5
        assert _try(b, "forkert kode").status_code == 401  # the 6th is checked, then back-off
        blocked = _try(b, PASSWORD)  # on the other worker: the right password waits too
        assert blocked.status_code == 429
        assert "prøv igen" in blocked.json()["detail"]
        assert _try(a, PASSWORD).status_code == 429
        time.sleep(int(blocked.headers["Retry-After"]) + 0.2)
        assert _try(a, PASSWORD).status_code == 200  # after the back-off it works
        # The success reset the count on both: five more failures are free again.
        assert [_try(b, "forkert kode").status_code for _ in range(5)] == [401] * 5
        assert _try(a, PASSWORD).status_code == 200
