"""What only the SQLite schema has, beside the shared tables (:mod:`smartspot.store.tables`).

* The bounding-box index of hotspot versions: a bbox query is an indexed range comparison on
  the plain ``minx``/``maxx``/``miny``/``maxy`` columns (PostgreSQL has a GiST index instead).
* The guard triggers. Version, audit and event tables are append-only; the tables Smart Spot
  updates accept an UPDATE only from a connection that defines ``smartspot_writer()`` (every
  connection the store opens; another program's write fails with "no such function:
  smartspot_writer") and refuse DELETE. ``audit verify`` checks that every trigger below is in
  the database with exactly this text, so the text is the one the migrations (``schema.py``)
  have always created: change a trigger only with a migration, and here alike.

:func:`create_script` is what a fresh SQLite database is created with.
"""

from __future__ import annotations

from smartspot.store.ddl import Index
from smartspot.store.tables import TABLES

#: The indexes only SQLite has, by table.
INDEXES: dict[str, tuple[Index, ...]] = {
    "hotspot_versions": (Index("hotspot_versions_bbox", ("minx", "maxx", "miny", "maxy")),),
}

TRIGGERS = """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    WHEN OLD.hash IS NOT NULL OR NEW.seq IS NOT OLD.seq
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER hotspots_no_delete BEFORE DELETE ON hotspots
    BEGIN SELECT RAISE(ABORT, 'hotspots are closed, never deleted'); END;
    CREATE TRIGGER hotspots_guard_update BEFORE UPDATE ON hotspots
    WHEN smartspot_writer() IS NOT 1
        OR NEW.current_version IS NOT OLD.current_version + 1 OR NEW.id IS NOT OLD.id
    BEGIN SELECT RAISE(ABORT, 'a hotspot changes only by a new version'); END;
    CREATE TRIGGER hotspot_versions_no_update BEFORE UPDATE ON hotspot_versions
    BEGIN SELECT RAISE(ABORT, 'hotspot versions are append-only'); END;
    CREATE TRIGGER hotspot_versions_no_delete BEFORE DELETE ON hotspot_versions
    BEGIN SELECT RAISE(ABORT, 'hotspot versions are append-only'); END;
    CREATE TRIGGER users_guard_update BEFORE UPDATE ON users WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'users change only through Smart Spot'); END;
    CREATE TRIGGER users_no_delete BEFORE DELETE ON users
    BEGIN SELECT RAISE(ABORT, 'users are deactivated, never deleted'); END;
    CREATE TRIGGER patrols_guard_update BEFORE UPDATE ON patrols WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'patrols change only through Smart Spot'); END;
    CREATE TRIGGER patrols_no_delete BEFORE DELETE ON patrols
    BEGIN SELECT RAISE(ABORT, 'patrols are kept, never deleted'); END;
    CREATE TRIGGER positions_no_update BEFORE UPDATE ON positions
    BEGIN SELECT RAISE(ABORT, 'position history is append-only'); END;
    CREATE TRIGGER positions_no_delete BEFORE DELETE ON positions
    BEGIN SELECT RAISE(ABORT, 'position history is append-only'); END;
    CREATE TRIGGER callouts_guard_update BEFORE UPDATE ON callouts
    WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'callouts change only through Smart Spot'); END;
    CREATE TRIGGER callouts_no_delete BEFORE DELETE ON callouts
    BEGIN SELECT RAISE(ABORT, 'callouts are kept, never deleted'); END;
    CREATE TRIGGER visits_guard_update BEFORE UPDATE ON visits WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'visits change only through Smart Spot'); END;
    CREATE TRIGGER visits_no_delete BEFORE DELETE ON visits
    BEGIN SELECT RAISE(ABORT, 'visits are kept, never deleted'); END;
    CREATE TRIGGER proposals_no_delete BEFORE DELETE ON proposals
    BEGIN SELECT RAISE(ABORT, 'proposals are kept for review, never deleted'); END;
    CREATE TRIGGER proposals_guard_update BEFORE UPDATE ON proposals
    WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'proposals change only through Smart Spot'); END;
    CREATE TRIGGER proposal_stops_no_delete BEFORE DELETE ON proposal_stops
    BEGIN SELECT RAISE(ABORT, 'proposal stops are kept for review, never deleted'); END;
    CREATE TRIGGER proposal_stops_guard_update BEFORE UPDATE ON proposal_stops
    WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'proposal stops change only through Smart Spot'); END;
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER followups_guard_update BEFORE UPDATE ON followups
    WHEN smartspot_writer() IS NOT 1
        OR NEW.current_version IS NOT OLD.current_version + 1 OR NEW.id IS NOT OLD.id
    BEGIN SELECT RAISE(ABORT, 'a follow-up changes only by a new version'); END;
    CREATE TRIGGER followups_no_delete BEFORE DELETE ON followups
    BEGIN SELECT RAISE(ABORT, 'follow-ups are closed, never deleted'); END;
    CREATE TRIGGER followup_versions_no_update BEFORE UPDATE ON followup_versions
    BEGIN SELECT RAISE(ABORT, 'follow-up versions are append-only'); END;
    CREATE TRIGGER followup_versions_no_delete BEFORE DELETE ON followup_versions
    BEGIN SELECT RAISE(ABORT, 'follow-up versions are append-only'); END;
    CREATE TRIGGER followup_citizens_guard_update BEFORE UPDATE ON followup_citizens
    WHEN smartspot_writer() IS NOT 1 OR OLD.erased_at IS NOT NULL
        OR NEW.followup_id IS NOT OLD.followup_id
    BEGIN SELECT RAISE(ABORT, 'personal data changes only through Smart Spot, never after erasure'); END;
    CREATE TRIGGER followup_citizens_no_delete BEFORE DELETE ON followup_citizens
    BEGIN SELECT RAISE(ABORT, 'personal data is erased in place, never deleted'); END;
    CREATE TRIGGER followup_attempts_guard_update BEFORE UPDATE ON followup_attempts
    WHEN smartspot_writer() IS NOT 1 OR OLD.outcome IS NOT NULL
        OR NEW.followup_id IS NOT OLD.followup_id OR NEW.number IS NOT OLD.number
    BEGIN SELECT RAISE(ABORT, 'an attempt gets its outcome once, then stays as it is'); END;
    CREATE TRIGGER followup_attempts_no_delete BEFORE DELETE ON followup_attempts
    BEGIN SELECT RAISE(ABORT, 'attempts are kept, never deleted'); END;
"""


def create_script() -> str:
    """The whole current schema as one SQLite script (tables, indexes, triggers)."""
    parts: list[str] = []
    for table in TABLES:
        parts.append(table.render("sqlite"))
        parts += table.render_indexes()
        parts += [index.render(table.name) for index in INDEXES.get(table.name, ())]
    return "\n".join(parts) + "\n" + TRIGGERS
