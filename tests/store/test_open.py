"""Which store a database name selects, and that a password never leaves in a message."""

from __future__ import annotations

from pathlib import Path

from smartspot.store.open import is_postgres, redacted, sqlite_path


def test_a_postgresql_url_is_told_from_an_sqlite_path() -> None:
    assert is_postgres("postgresql://u@h/db") and is_postgres("postgres://u@h/db")
    assert not is_postgres("/srv/smartspot.db") and not is_postgres("sqlite:///x.db")


def test_sqlite_urls_name_relative_and_absolute_files() -> None:
    assert sqlite_path("sqlite:///var/x.db") == Path("var/x.db")
    assert sqlite_path("sqlite:////srv/x.db") == Path("/srv/x.db")
    assert sqlite_path("/srv/x.db") == Path("/srv/x.db")


def test_the_password_of_a_url_is_hidden_and_nothing_else_changes() -> None:
    assert redacted("postgresql://svc:s3cret@db:5432/smartspot") == (
        "postgresql://svc:***@db:5432/smartspot"
    )
    assert redacted("postgresql://svc@db/smartspot") == "postgresql://svc@db/smartspot"
    assert redacted("/srv/x.db") == "/srv/x.db"
