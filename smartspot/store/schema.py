"""The SQLite schema as an ordered list of migrations.

``PRAGMA user_version`` holds how many migrations a database file has had. Migrations are only
ever appended: never edit one that has landed, add the next one instead.

Geometries are WKB in EPSG:25832 with their bounding box in plain columns, so a bbox query is
an indexed range comparison and a PostGIS adapter can hold the same data in a geometry column.
Version and audit tables are append-only: triggers refuse UPDATE and DELETE on them.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: hotspots with every version, id counters, the audit log
    """
    CREATE TABLE id_counters (
        kind TEXT PRIMARY KEY,
        last INTEGER NOT NULL
    );

    CREATE TABLE hotspots (
        id TEXT PRIMARY KEY,
        current_version INTEGER NOT NULL CHECK (current_version >= 1)
    );

    CREATE TABLE hotspot_versions (
        hotspot_id TEXT NOT NULL REFERENCES hotspots(id),
        version INTEGER NOT NULL CHECK (version >= 1),
        title TEXT NOT NULL,
        category TEXT NOT NULL,
        description TEXT NOT NULL,
        instruction TEXT NOT NULL,
        steps TEXT NOT NULL,              -- JSON list of str
        minutes_on_site INTEGER NOT NULL,
        priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
        geometry BLOB NOT NULL,           -- WKB, EPSG:25832
        minx REAL NOT NULL,
        miny REAL NOT NULL,
        maxx REAL NOT NULL,
        maxy REAL NOT NULL,
        windows TEXT NOT NULL,            -- JSON list of "fri,sat 20:00-02:00"
        valid_from TEXT NOT NULL,
        valid_to TEXT,
        visits_per_week REAL NOT NULL,
        source TEXT NOT NULL,
        source_ref TEXT NOT NULL,
        kommunekode TEXT NOT NULL,
        kommunenavn TEXT NOT NULL,
        politikreds TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        close_reason TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (hotspot_id, version)
    );
    CREATE INDEX hotspot_versions_bbox ON hotspot_versions (minx, maxx, miny, maxy);
    CREATE INDEX hotspot_versions_politikreds ON hotspot_versions (politikreds);

    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        before TEXT,                      -- JSON or NULL
        after TEXT                        -- JSON or NULL
    );
    CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER hotspot_versions_no_update BEFORE UPDATE ON hotspot_versions
    BEGIN SELECT RAISE(ABORT, 'hotspot versions are append-only'); END;
    CREATE TRIGGER hotspot_versions_no_delete BEFORE DELETE ON hotspot_versions
    BEGIN SELECT RAISE(ABORT, 'hotspot versions are append-only'); END;
    CREATE TRIGGER hotspots_no_delete BEFORE DELETE ON hotspots
    BEGIN SELECT RAISE(ABORT, 'hotspots are closed, never deleted'); END;
    """,
)
