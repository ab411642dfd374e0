"""The one exit-code table: every error kind has its code, and the README lists them all."""

from __future__ import annotations

import re

import pytest

from smartspot.cli.exit_codes import ExitCode, exit_code
from smartspot.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SmartspotError,
    StorageError,
    UnavailableError,
)
from smartspot.resources import DATA_DIR


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidInputError("x"), 2),
        (NotFoundError("x"), 3),
        (ConflictError("x"), 4),
        (StorageError("x"), 5),
        (AuthError("x"), 6),
        (UnavailableError("x"), 7),
        (SmartspotError("x"), 1),
    ],
)
def test_each_error_kind_has_its_exit_code(error: SmartspotError, code: int) -> None:
    assert exit_code(error) == code


def test_the_readme_lists_exactly_the_exit_code_table() -> None:
    readme = (DATA_DIR.parent / "README.md").read_text(encoding="utf-8")
    listed = {int(n) for n in re.findall(r"^\| (\d+) \| ", readme, flags=re.MULTILINE)}
    assert listed == {int(code) for code in ExitCode}
