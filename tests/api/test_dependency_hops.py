"""The request dependencies that read no store run on the event loop: FastAPI sends a plain
``def`` dependency to its threadpool and back, a wait for a thread and for the interpreter
lock each way, on every request (issue 10 §7: a clear met ~5 of them before its engine call)."""

from __future__ import annotations

import inspect
from typing import Any, get_args

import pytest

from api.auth import Permission, current_principal, requires
from api.deps import ServicesDep, get_services
from api.language import Language

pytestmark = pytest.mark.sqlite_only  # no store behaviour: dependency plumbing only


def _dependency(annotated: Any) -> Any:
    return next(a for a in get_args(annotated) if hasattr(a, "dependency")).dependency


@pytest.mark.parametrize(
    "dependency",
    [requires(Permission.READ), get_services, _dependency(Language), _dependency(ServicesDep)],
    ids=["role check", "services", "language", "services (annotated)"],
)
def test_a_dependency_without_store_reads_is_a_coroutine(dependency: Any) -> None:
    assert inspect.iscoroutinefunction(dependency)


def test_the_token_check_reads_the_accounts_so_it_stays_in_the_threadpool() -> None:
    assert not inspect.iscoroutinefunction(current_principal)
