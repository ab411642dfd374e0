"""Smart Spot's tables, defined once for both backends.

What a fresh database is created with, on SQLite and on PostgreSQL alike: every table's
columns, keys, checks and the indexes both backends share. :mod:`smartspot.store.ddl` renders
them in each dialect; what only one backend has (SQLite's guard triggers; PostgreSQL's guard
functions and triggers, PostGIS geometry columns with GiST indexes, the service role) lives
apart in :mod:`smartspot.store.schema_sqlite` and :mod:`smartspot.store.schema_postgres`.

The migrations (:mod:`smartspot.store.migrations`) are frozen history: they bring an existing
database to the same schema, step by step. A change to the schema is a new migration (one
entry at the end of ``migrations.HISTORY``) *and* a change here with :data:`VERSION` raised;
``tests/store/test_schema_identity.py`` holds a fresh database and one upgraded from each
older one to the same schema, on both backends.

Types are chosen so a row reads back as the same Python values on both backends (the audit
chain hashes rows as read): text timestamps in ISO 8601 UTC, 0/1 integers for flags.
"""

from __future__ import annotations

from smartspot.store.ddl import (
    AUDIT_SEQ,
    BIGINT,
    BLOB,
    INTEGER,
    REAL,
    SERIAL,
    TEXT,
    Check,
    Column,
    Index,
    Table,
)

#: The migration number these tables are at: a fresh database is created from them and
#: marked with it; an older one is migrated up to it.
VERSION = 8


def _flag(name: str, *, default: int | None = None) -> Column:
    """A 0/1 integer."""
    return Column(
        name,
        INTEGER,
        not_null=True,
        default=None if default is None else str(default),
        check=f"{name} IN (0, 1)",
    )


def _text(*names: str, not_null: bool = True) -> tuple[Column, ...]:
    return tuple(Column(n, TEXT, not_null=not_null) for n in names)


def _version(name: str) -> Column:
    return Column(name, INTEGER, not_null=True, check=f"{name} >= 1")


PRIORITY = Column("priority", INTEGER, not_null=True, check="priority BETWEEN 1 AND 5")

TABLES: tuple[Table, ...] = (
    Table("id_counters", (Column("kind", TEXT, primary_key=True), Column("last", BIGINT, True))),
    Table("hotspots", (Column("id", TEXT, primary_key=True), _version("current_version"))),
    Table(
        "hotspot_versions",
        (
            Column("hotspot_id", TEXT, True, references="hotspots(id)"),
            _version("version"),
            *_text("title", "category", "description", "instruction", "steps"),
            Column("minutes_on_site", INTEGER, True),
            PRIORITY,
            Column("geometry", BLOB, True),  # WKB, EPSG:25832
            *(Column(n, REAL, True) for n in ("minx", "miny", "maxx", "maxy")),
            Column("windows", TEXT, True),  # JSON list of "fri,sat 20:00-02:00"
            Column("valid_from", TEXT, True),
            Column("valid_to", TEXT),
            Column("visits_per_week", REAL, True),
            *_text("source", "source_ref", "kommunekode", "kommunenavn", "politikreds"),
            Column("status", TEXT, True, check="status IN ('open', 'closed')"),
            *_text("close_reason", "created_by", "created_at", "updated_by", "updated_at"),
        ),
        primary_key=("hotspot_id", "version"),
        indexes=(Index("hotspot_versions_politikreds", ("politikreds",)),),
    ),
    Table(
        "audit_log",
        (
            Column("seq", AUDIT_SEQ),
            *_text("at", "actor", "action", "entity", "entity_id"),
            *_text("before", "after", "state_hash", "prev_hash", "hash", not_null=False),
        ),
        indexes=(Index("audit_log_entity", ("entity", "entity_id")),),
    ),
    Table(
        "users",
        (
            Column("name", TEXT, primary_key=True),
            Column(
                "role",
                TEXT,
                True,
                check="role IN ('operator', 'analyst', 'planner', 'admin')",
            ),
            *_text("password_hash", "created_at"),
            _flag("active", default=1),
            Column(
                "districts",  # JSON list of politikreds names, sorted; ["*"] = all
                TEXT,
                True,
                default="'[]'",
                check=Check(
                    sqlite="json_valid(districts) AND json_type(districts) = 'array'",
                    postgresql="districts::jsonb IS NOT NULL "
                    "AND jsonb_typeof(districts::jsonb) = 'array'",
                ),
            ),
        ),
    ),
    Table(
        "patrols",
        (
            Column("call_sign", TEXT, primary_key=True),
            *_text("home_station", "status"),
            Column("x", REAL),  # last position, EPSG:25832
            Column("y", REAL),
            Column("position_at", TEXT),
        ),
        checks=("(x IS NULL) = (position_at IS NULL) AND (y IS NULL) = (position_at IS NULL)",),
    ),
    Table(
        "positions",  # every AVL fix, append-only
        (
            Column("seq", SERIAL),
            Column("call_sign", TEXT, True, references="patrols(call_sign)"),
            Column("at", TEXT, True),
            Column("x", REAL, True),
            Column("y", REAL, True),
        ),
        indexes=(Index("positions_by_car", ("call_sign", "at")),),
    ),
    Table(
        "callouts",
        (
            Column("id", TEXT, primary_key=True),
            _flag("urgent"),
            Column("x", REAL, True),
            Column("y", REAL, True),
            *_text("kommunekode", "kommunenavn", "politikreds", not_null=False),
            Column("received_at", TEXT, True),
            *_text("dispatched_at", "arrived_at", "cleared_at", not_null=False),
            Column("patrol", TEXT, references="patrols(call_sign)"),
        ),
        indexes=(Index("callouts_received", ("received_at",)),),
    ),
    Table(
        "visits",
        (
            Column("id", TEXT, primary_key=True),
            Column("hotspot_id", TEXT, True, references="hotspots(id)"),
            Column("patrol", TEXT, True, references="patrols(call_sign)"),
            Column("arrived_at", TEXT, True),
            *_text("left_at", "outcome", not_null=False),
            Column("persons", INTEGER),
            *_text("action", "note"),
            _flag("detected"),
        ),
        indexes=(
            Index("visits_by_hotspot", ("hotspot_id", "arrived_at")),
            Index("visits_by_patrol", ("patrol", "arrived_at")),
        ),
    ),
    Table(
        "proposals",
        (
            Column("id", TEXT, primary_key=True),
            Column("patrol", TEXT, True, references="patrols(call_sign)"),
            Column("politikreds", TEXT, True, default="''"),
            Column("created_at", TEXT, True),
            Column(
                "status",
                TEXT,
                True,
                check="status IN ('pending', 'accepted', 'rejected', 'voided', 'superseded', "
                "'completed', 'empty')",
            ),
            Column("problem", TEXT, True),  # JSON: the problem file the optimiser saw
            Column("solution", TEXT, True),  # JSON: what it answered
            Column("plan", TEXT, True, default="'{}'"),  # JSON: the typed plan's other fields
            *_text("decided_by", "decided_at", not_null=False),
            Column("reason", TEXT, True, default="''"),
            Column("decision", TEXT, True, default="'{}'"),
        ),
        indexes=(
            Index("proposals_by_patrol", ("patrol", "created_at")),
            Index("proposals_by_status", ("status", "patrol")),
        ),
    ),
    Table(
        "proposal_stops",
        (
            Column("proposal_id", TEXT, True, references="proposals(id)"),
            Column("position", INTEGER, True, check="position >= 0"),
            *_text("hotspot_id", "title"),
            Column("lon", REAL, True),
            Column("lat", REAL, True),
            *_text("eta", "start", "leave"),
            Column("minutes_on_site", INTEGER, True),
            Column("value", REAL, True),
            Column("reasons", TEXT, True, default="'[]'"),  # JSON list of {code, params}
            _flag("removed", default=0),
            _flag("done", default=0),
        ),
        primary_key=("proposal_id", "position"),
        indexes=(Index("proposal_stops_by_hotspot", ("hotspot_id",)),),
    ),
    Table(
        "stays",  # a car inside a hotspot now, until it leaves
        (
            Column("call_sign", TEXT, primary_key=True, references="patrols(call_sign)"),
            *_text("hotspot_id", "first_at", "last_at"),
        ),
    ),
    Table(
        "events",  # the live stream, in order; ids never reused
        (Column("seq", SERIAL), *_text("at", "kind", "data")),
    ),
    Table("followups", (Column("id", TEXT, primary_key=True), _version("current_version"))),
    Table(
        "followup_versions",
        (
            Column("followup_id", TEXT, True, references="followups(id)"),
            _version("version"),
            *_text("case_ref", "category", "task", "address"),
            Column("x", REAL, True),  # the address point, EPSG:25832
            Column("y", REAL, True),
            *_text("kommunekode", "kommunenavn", "politikreds"),
            Column("due_by", TEXT, True),  # local date
            Column("windows", TEXT, True),  # JSON list of "mon-fri 16:00-20:00"
            Column("minutes_on_site", INTEGER, True),
            PRIORITY,
            Column(
                "status",
                TEXT,
                True,
                check="status IN "
                "('open', 'done_in_person', 'done_by_phone', 'not_reached', 'cancelled')",
            ),
            Column("queue", TEXT, True, check="queue IN ('visit', 'phone')"),
            Column("queue_reason", TEXT),
            Column("attempts", INTEGER, True),
            Column("failed_attempts", INTEGER, True),
            Column("closed_at", TEXT),
            Column("close_reason", TEXT, True),
            Column("erased_at", TEXT),
            *_text("created_by", "created_at", "updated_by", "updated_at"),
        ),
        primary_key=("followup_id", "version"),
        indexes=(Index("followup_versions_district", ("politikreds", "status")),),
    ),
    Table(
        "followup_citizens",  # the only place of a citizen's name and phone number
        (
            Column("followup_id", TEXT, primary_key=True, references="followups(id)"),
            *_text("name", "phone", "salt"),
            Column("erased_at", TEXT),
        ),
    ),
    Table(
        "followup_attempts",
        (
            Column("followup_id", TEXT, True, references="followups(id)"),
            Column("number", INTEGER, True, check="number >= 1"),
            *_text("patrol", "at"),
            Column(
                "outcome",
                TEXT,
                check="outcome IS NULL OR outcome IN ('reached', 'not_home', 'refused')",
            ),
            Column(
                "left_behind",
                TEXT,
                check="left_behind IS NULL OR left_behind IN ('leaflet', 'neighbour', 'nothing')",
            ),
            Column("note", TEXT, True),
            _flag("detected"),
            *_text("recorded_by", "recorded_at"),
        ),
        primary_key=("followup_id", "number"),
    ),
    Table(
        "login_throttle",  # failed logins per key, for every worker; not part of the record
        (
            Column("key_hash", TEXT, primary_key=True),  # keyed hash of user:<name>/addr:<ip>
            Column("failures", INTEGER, True, check="failures >= 0"),
            *(Column(n, REAL, True) for n in ("last_failure", "blocked_until")),  # epoch s
            Column("pending", INTEGER, True, check="pending >= 0"),
            *(Column(n, REAL, True) for n in ("pending_until", "expires_at")),
        ),
        indexes=(Index("login_throttle_expiry", ("expires_at",)),),
    ),
)

#: The tables by name.
BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
