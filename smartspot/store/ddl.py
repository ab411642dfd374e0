"""A small declarative table definition, rendered as each backend's ``CREATE TABLE``.

Why not SQLAlchemy Core's ``MetaData``: the schema is 17 tables with five column types, and
what matters is the exact type on each side (a REAL must be ``double precision`` on
PostgreSQL, never ``real``, or the audit chain's state hashes differ; a 0/1 flag stays an
INTEGER, not a BOOLEAN; the audit sequence is assigned by the chain, not by an identity).
SQLAlchemy's generic types would put a mapping between us and that, it would render neither
SQLite's guard triggers nor PostgreSQL's generated PostGIS columns without custom DDL
elements, and the store would carry a new dependency for ~100 lines of rendering. Here each
type names its two spellings, and a column renders in one fixed order: name, type,
``PRIMARY KEY``, ``NOT NULL``, ``DEFAULT``, ``CHECK``, ``REFERENCES``.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartspot.store.sql import Dialect


@dataclass(frozen=True, slots=True)
class Type:
    """A column type as each backend spells it."""

    sqlite: str
    postgresql: str

    def render(self, dialect: Dialect) -> str:
        return self.sqlite if dialect == "sqlite" else self.postgresql


TEXT = Type("TEXT", "TEXT")
INTEGER = Type("INTEGER", "INTEGER")
#: A counter that may pass 2³¹ (SQLite's INTEGER is 64 bits anyway).
BIGINT = Type("INTEGER", "BIGINT")
#: SQLite's REAL is a 64-bit float: PostgreSQL's ``double precision``, never ``real``.
REAL = Type("REAL", "DOUBLE PRECISION")
BLOB = Type("BLOB", "BYTEA")
#: A row number the database hands out, never reused (the positions, the event log).
SERIAL = Type(
    "INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
)
#: The audit log's sequence: SQLite's AUTOINCREMENT; on PostgreSQL the chain assigns it
#: (from ``id_counters``, in the audit row's own transaction), so no number is ever skipped.
AUDIT_SEQ = Type("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGINT PRIMARY KEY")


@dataclass(frozen=True, slots=True)
class Check:
    """A CHECK whose expression differs between the backends (e.g. JSON functions)."""

    sqlite: str
    postgresql: str

    def render(self, dialect: Dialect) -> str:
        return self.sqlite if dialect == "sqlite" else self.postgresql


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: Type
    not_null: bool = False
    primary_key: bool = False
    default: str | None = None  # an SQL literal, e.g. "'[]'" or "1"
    check: str | Check | None = None
    references: str | None = None  # "table(column)"

    def render(self, dialect: Dialect) -> str:
        parts = [self.name, self.type.render(dialect)]
        if self.primary_key:
            parts.append("PRIMARY KEY")
        if self.not_null:
            parts.append("NOT NULL")
        if self.default is not None:
            parts.append(f"DEFAULT {self.default}")
        if self.check is not None:
            text = self.check if isinstance(self.check, str) else self.check.render(dialect)
            parts.append(f"CHECK ({text})")
        if self.references is not None:
            parts.append(f"REFERENCES {self.references}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    columns: tuple[str, ...]
    using: str | None = None  # e.g. "gist" (PostgreSQL)

    def render(self, table: str) -> str:
        how = f" USING {self.using}" if self.using else ""
        return f"CREATE INDEX {self.name} ON {table}{how} ({', '.join(self.columns)});"


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()  # a key of several columns
    checks: tuple[str, ...] = ()  # CHECKs over several columns
    indexes: tuple[Index, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def render(self, dialect: Dialect, *, extra: tuple[str, ...] = ()) -> str:
        """``CREATE TABLE`` in ``dialect``; ``extra``: that dialect's own column definitions
        (e.g. a PostGIS geometry column), after the shared columns."""
        lines = [c.render(dialect) for c in self.columns] + list(extra)
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        lines += [f"CHECK ({check})" for check in self.checks]
        body = ",\n    ".join(lines)
        return f"CREATE TABLE {self.name} (\n    {body}\n);"

    def render_indexes(self) -> list[str]:
        return [index.render(self.name) for index in self.indexes]
