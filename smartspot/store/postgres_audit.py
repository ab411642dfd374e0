"""The audit chain on PostgreSQL: where the chain ends, and checking the guards.

The chaining, hashing and state checks are the SQLite adapter's (``sqlite_audit``), run
through :class:`~smartspot.store.postgres.PostgresStore`'s ``execute``. What differs: the
highest sequence number ever handed out is kept in ``id_counters`` (kind ``audit_log``, in the
write's transaction, so a rolled-back write leaves no gap while a deleted last row is still
seen), and the guards are triggers calling PL/pgSQL functions, checked against the
migrations' own text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from smartspot.store.audit import GENESIS, Break
from smartspot.store.schema_postgres import MIGRATIONS
from smartspot.store.sqlite_audit import Executor, Verdict, check

COUNTER = "audit_log"


def _counter(conn: Executor) -> int | None:
    row = conn.execute("SELECT last FROM id_counters WHERE kind = ?", (COUNTER,)).fetchone()
    return None if row is None else int(row[0])


def head(conn: Executor) -> tuple[int, str]:
    """The highest sequence number handed out and the last row's hash."""
    last = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq = max(_counter(conn) or 0, int(last[0]) if last else 0)
    return seq, (last[1] if last and last[1] else GENESIS)


def advance(conn: Executor, seq: int) -> None:
    """Record ``seq`` as handed out (after appending its row)."""
    conn.execute(
        "INSERT INTO id_counters (kind, last) VALUES (?, ?) ON CONFLICT (kind) "
        "DO UPDATE SET last = GREATEST(id_counters.last, excluded.last)",
        (COUNTER, seq),
    )


def expected_triggers() -> dict[str, str]:
    """Every guard trigger the migrations create → the function it calls."""
    found: dict[str, str] = {}
    for script in MIGRATIONS.values():
        for name, function in re.findall(
            r"CREATE TRIGGER (\w+) .*?EXECUTE FUNCTION\s+(\w+)", script, flags=re.S
        ):
            found[name] = function
    return found


def expected_functions() -> dict[str, str]:
    """Every guard function the migrations create → its body."""
    found: dict[str, str] = {}
    for script in MIGRATIONS.values():
        for name, body in re.findall(
            r"CREATE FUNCTION (\w+)\(\) RETURNS trigger LANGUAGE plpgsql AS \$\$(.*?)\$\$",
            script,
            flags=re.S,
        ):
            found[name] = body
    return found


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
    return check(conn, last_seq=_counter(conn), anchors=anchors, triggers=postgres_triggers)
