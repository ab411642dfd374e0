"""A database's schema in a form two databases can be compared by: every table, index and
trigger with its SQL as tokens (no comments, whitespace or identifier quotes, keywords and
names in lower case); on PostgreSQL from the catalog (columns, constraints, indexes,
triggers and Smart Spot's functions)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import psycopg

_TOKEN = re.compile(r"--[^\n]*|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\w+|>=|<=|<>|!=|\|\||\S")


def tokens(sql: str) -> tuple[str, ...]:
    """The SQL's tokens: comments dropped, quoted names unquoted, all but strings lowered."""
    found: list[str] = []
    for token in _TOKEN.findall(sql):
        if token.startswith("--"):
            continue
        if token.startswith('"'):
            token = token[1:-1].replace('""', '"')
        found.append(token if token.startswith("'") else token.lower())
    return tuple(found)


def sqlite_shape(path: Path) -> dict[tuple[str, str], Any]:
    """(type, name) → (its table, its SQL's tokens) for every table, index and trigger."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return {(t, n): (table, None if sql is None else tokens(sql)) for t, n, table, sql in rows}


def postgres_shape(url: str) -> dict[str, Any]:
    """The public schema as the catalog describes it (not PostGIS's own tables)."""
    own = "c.relnamespace = 'public'::regnamespace AND c.relname NOT IN " + (
        "('spatial_ref_sys', 'smartspot_schema')"
    )
    queries = {
        "columns": (
            "SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), "
            "a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            f"WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind = 'r' AND {own}"
        ),
        "constraints": (
            "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            f"JOIN pg_class c ON c.oid = k.conrelid WHERE {own}"
        ),
        "indexes": (
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            f"JOIN pg_class c ON c.oid = i.indrelid WHERE {own}"
        ),
        "triggers": (
            "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            f"JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND {own}"
        ),
        "options": (  # storage parameters (fillfactor)
            "SELECT c.relname, c.reloptions FROM pg_class c "
            f"WHERE c.reloptions IS NOT NULL AND {own}"
        ),
        "functions": (
            "SELECT proname, pg_get_function_arguments(oid), prorettype::regtype::text, prosrc "
            "FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
            "AND proname LIKE 'smartspot%'"
        ),
    }
    with psycopg.connect(url) as conn:
        return {key: sorted(conn.execute(sql).fetchall()) for key, sql in queries.items()}


def table_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of an SQLite file, in storage order (to compare a database
    before and after an upgrade)."""
    with sqlite3.connect(path) as conn:
        names = [
            n
            for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not n.startswith("sqlite_")
        ]
        return {n: conn.execute(f"SELECT * FROM {n} ORDER BY rowid").fetchall() for n in names}
