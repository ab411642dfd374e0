"""The audit chain on PostgreSQL: checking the guards.

The chaining, hashing and state checks are the SQLite adapter's (``sqlite_audit``), run
through :class:`~smartspot.store.postgres.PostgresStore`'s ``execute`` (which keeps the
highest sequence number handed out in ``id_counters``, in the write's transaction, so a
rolled-back write leaves no gap while a deleted last row is still seen). What differs: the
guards are triggers calling PL/pgSQL functions, checked against the schema's own text
(:mod:`smartspot.store.schema_postgres`, the text the migrations have always created).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from smartspot.store.audit import Break
from smartspot.store.schema_postgres import FUNCTIONS, TRIGGERS
from smartspot.store.sqlite_audit import Executor, Verdict, check, last_seq


def expected_triggers() -> dict[str, str]:
    """Every guard trigger of the schema → the function it calls."""
    return dict(
        re.findall(r"CREATE TRIGGER (\w+) .*?EXECUTE FUNCTION\s+(\w+)", TRIGGERS, flags=re.S)
    )


def expected_functions() -> dict[str, str]:
    """Every guard function of the schema → its body."""
    return dict(
        re.findall(
            r"CREATE FUNCTION (\w+)\(\) RETURNS trigger LANGUAGE plpgsql AS \$\$(.*?)\$\$",
            FUNCTIONS,
            flags=re.S,
        )
    )


def postgres_triggers(conn: Executor) -> Break | None:
    """The first guard trigger missing, disabled or calling another function, or a guard
    function whose body was changed."""
    rows = conn.execute(
        "SELECT t.tgname, t.tgenabled, p.proname FROM pg_trigger t "
        "JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace"
    ).fetchall()
    found = {row[0]: (row[1], row[2]) for row in rows}
    for name, function in sorted(expected_triggers().items()):
        if name not in found:
            return Break(None, "trigger", f"the guard trigger {name} is missing")
        enabled, calls = found[name]
        if enabled == "D":
            return Break(None, "trigger", f"the guard trigger {name} is disabled")
        if calls != function:
            return Break(None, "trigger", f"the guard trigger {name} was changed")
    bodies = dict(
        conn.execute(
            "SELECT proname, prosrc FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
            "AND proname LIKE 'smartspot%'"
        ).fetchall()
    )
    for name, body in sorted(expected_functions().items()):
        if bodies.get(name) != body:
            return Break(None, "trigger", f"the guard function {name} was changed")
    return None


def verify(conn: Executor, *, anchors: Mapping[int, str] | None = None) -> Verdict:
    """Check the chain, every object's state and the guards of a PostgreSQL database."""
    return check(conn, last_seq=last_seq(conn), anchors=anchors, triggers=postgres_triggers)
