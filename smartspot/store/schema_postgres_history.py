"""The PostgreSQL + PostGIS texts of migrations 4–6: frozen history, numbered like SQLite's.

:mod:`smartspot.store.migrations` lists every migration once and applies it with one loop;
these are the PostgreSQL texts it refers to, never edited once landed (later migrations keep
their texts inline in ``migrations.HISTORY``). A fresh database is created from the one table
definition (:mod:`smartspot.store.tables`) with PostgreSQL's own parts
(:mod:`smartspot.store.schema_postgres`); ``tests/store/test_schema_identity.py`` holds both
roads to the same catalog. The first PostgreSQL database was created at :data:`BASELINE`, the
state SQLite reaches after its migrations 1–4 (there were no older PostgreSQL databases to
carry along).

Types are chosen so that a row reads back as the same Python values on both backends (text
timestamps in ISO 8601 UTC, 0/1 integers for flags, ``double precision`` for SQLite's REAL,
``bytea`` for WKB): the audit chain's state hashes then do not depend on the backend.
"""

from __future__ import annotations

#: The SQLite migration number a fresh PostgreSQL database starts at.
BASELINE = 4

_BASELINE_SQL = """
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE id_counters (
    kind TEXT PRIMARY KEY,
    last BIGINT NOT NULL
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
    steps TEXT NOT NULL,
    minutes_on_site INTEGER NOT NULL,
    priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    geometry BYTEA NOT NULL,
    minx DOUBLE PRECISION NOT NULL,
    miny DOUBLE PRECISION NOT NULL,
    maxx DOUBLE PRECISION NOT NULL,
    maxy DOUBLE PRECISION NOT NULL,
    windows TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    visits_per_week DOUBLE PRECISION NOT NULL,
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
    geom geometry(Geometry, 25832) GENERATED ALWAYS AS (ST_GeomFromWKB(geometry, 25832)) STORED,
    PRIMARY KEY (hotspot_id, version)
);
CREATE INDEX hotspot_versions_geom ON hotspot_versions USING gist (geom);
CREATE INDEX hotspot_versions_politikreds ON hotspot_versions (politikreds);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    state_hash TEXT,
    prev_hash TEXT,
    hash TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_entity_id ON audit_log (entity_id);

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('operator', 'analyst', 'planner', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE patrols (
    call_sign TEXT PRIMARY KEY,
    home_station TEXT NOT NULL,
    status TEXT NOT NULL,
    x DOUBLE PRECISION,
    y DOUBLE PRECISION,
    position_at TEXT,
    geom geometry(Point, 25832) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(x, y), 25832)) STORED,
    CHECK ((x IS NULL) = (position_at IS NULL) AND (y IS NULL) = (position_at IS NULL))
);
CREATE INDEX patrols_geom ON patrols USING gist (geom);

CREATE TABLE positions (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_sign TEXT NOT NULL REFERENCES patrols(call_sign),
    at TEXT NOT NULL,
    x DOUBLE PRECISION NOT NULL,
    y DOUBLE PRECISION NOT NULL
);
CREATE INDEX positions_by_car ON positions (call_sign, at);
CREATE INDEX positions_at ON positions (at);

CREATE TABLE callouts (
    id TEXT PRIMARY KEY,
    urgent INTEGER NOT NULL CHECK (urgent IN (0, 1)),
    x DOUBLE PRECISION NOT NULL,
    y DOUBLE PRECISION NOT NULL,
    kommunekode TEXT,
    kommunenavn TEXT,
    politikreds TEXT,
    received_at TEXT NOT NULL,
    dispatched_at TEXT,
    arrived_at TEXT,
    cleared_at TEXT,
    patrol TEXT REFERENCES patrols(call_sign),
    geom geometry(Point, 25832) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(x, y), 25832)) STORED
);
CREATE INDEX callouts_received ON callouts (received_at);
CREATE INDEX callouts_geom ON callouts USING gist (geom);

CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    hotspot_id TEXT NOT NULL REFERENCES hotspots(id),
    patrol TEXT NOT NULL REFERENCES patrols(call_sign),
    arrived_at TEXT NOT NULL,
    left_at TEXT,
    outcome TEXT,
    persons INTEGER,
    action TEXT NOT NULL,
    note TEXT NOT NULL,
    detected INTEGER NOT NULL CHECK (detected IN (0, 1))
);
CREATE INDEX visits_by_hotspot ON visits (hotspot_id, arrived_at);
CREATE INDEX visits_by_patrol ON visits (patrol, arrived_at);

CREATE TABLE proposals (
    id TEXT PRIMARY KEY,
    patrol TEXT NOT NULL REFERENCES patrols(call_sign),
    politikreds TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('pending', 'accepted', 'rejected', 'voided', 'superseded', 'completed', 'empty')),
    problem TEXT NOT NULL,
    solution TEXT NOT NULL,
    plan TEXT NOT NULL DEFAULT '{}',
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX proposals_by_patrol ON proposals (patrol, created_at);
CREATE INDEX proposals_by_status ON proposals (status, patrol);

CREATE TABLE proposal_stops (
    proposal_id TEXT NOT NULL REFERENCES proposals(id),
    position INTEGER NOT NULL CHECK (position >= 0),
    hotspot_id TEXT NOT NULL,
    title TEXT NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    eta TEXT NOT NULL,
    start TEXT NOT NULL,
    leave TEXT NOT NULL,
    minutes_on_site INTEGER NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    PRIMARY KEY (proposal_id, position)
);
CREATE INDEX proposal_stops_by_hotspot ON proposal_stops (hotspot_id);

CREATE TABLE stays (
    call_sign TEXT PRIMARY KEY REFERENCES patrols(call_sign),
    hotspot_id TEXT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL
);

CREATE TABLE events (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);

-- The guards. smartspot_refuse: always (append-only, never deleted). smartspot_guard: only
-- Smart Spot's own sessions may update. smartspot_hotspot_guard: a hotspot's pointer moves
-- one version forward, never back.
CREATE FUNCTION smartspot_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END $$;

CREATE FUNCTION smartspot_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('smartspot.writer', true) IS DISTINCT FROM 'on' THEN
        RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION smartspot_hotspot_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('smartspot.writer', true) IS DISTINCT FROM 'on'
        OR NEW.current_version IS DISTINCT FROM OLD.current_version + 1
        OR NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'a hotspot changes only by a new version'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('the audit log is append-only');
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION smartspot_refuse('the audit log is append-only');
CREATE TRIGGER hotspot_versions_append_only BEFORE UPDATE OR DELETE ON hotspot_versions
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('hotspot versions are append-only');
CREATE TRIGGER hotspot_versions_no_truncate BEFORE TRUNCATE ON hotspot_versions
FOR EACH STATEMENT EXECUTE FUNCTION smartspot_refuse('hotspot versions are append-only');
CREATE TRIGGER positions_append_only BEFORE UPDATE OR DELETE ON positions
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('position history is append-only');
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('the event log is append-only');

CREATE TRIGGER hotspots_guard_update BEFORE UPDATE ON hotspots
FOR EACH ROW EXECUTE FUNCTION smartspot_hotspot_guard();
CREATE TRIGGER hotspots_no_delete BEFORE DELETE ON hotspots
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('hotspots are closed, never deleted');
CREATE TRIGGER users_guard_update BEFORE UPDATE ON users
FOR EACH ROW EXECUTE FUNCTION smartspot_guard('users change only through Smart Spot');
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('users are deactivated, never deleted');
CREATE TRIGGER patrols_guard_update BEFORE UPDATE ON patrols
FOR EACH ROW EXECUTE FUNCTION smartspot_guard('patrols change only through Smart Spot');
CREATE TRIGGER patrols_no_delete BEFORE DELETE ON patrols
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('patrols are kept, never deleted');
CREATE TRIGGER callouts_guard_update BEFORE UPDATE ON callouts
FOR EACH ROW EXECUTE FUNCTION smartspot_guard('callouts change only through Smart Spot');
CREATE TRIGGER callouts_no_delete BEFORE DELETE ON callouts
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('callouts are kept, never deleted');
CREATE TRIGGER visits_guard_update BEFORE UPDATE ON visits
FOR EACH ROW EXECUTE FUNCTION smartspot_guard('visits change only through Smart Spot');
CREATE TRIGGER visits_no_delete BEFORE DELETE ON visits
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('visits are kept, never deleted');
CREATE TRIGGER proposals_guard_update BEFORE UPDATE ON proposals
FOR EACH ROW EXECUTE FUNCTION smartspot_guard('proposals change only through Smart Spot');
CREATE TRIGGER proposals_no_delete BEFORE DELETE ON proposals
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('proposals are kept for review, never deleted');
CREATE TRIGGER proposal_stops_guard_update BEFORE UPDATE ON proposal_stops
FOR EACH ROW EXECUTE FUNCTION smartspot_guard('proposal stops change only through Smart Spot');
CREATE TRIGGER proposal_stops_no_delete BEFORE DELETE ON proposal_stops
FOR EACH ROW EXECUTE FUNCTION
    smartspot_refuse('proposal stops are kept for review, never deleted');
"""

#: 5: tryghedsopfølgninger (the SQLite migration 5's comment says what each table holds).
_FOLLOWUPS_SQL = """
CREATE TABLE followups (
    id TEXT PRIMARY KEY,
    current_version INTEGER NOT NULL CHECK (current_version >= 1)
);

CREATE TABLE followup_versions (
    followup_id TEXT NOT NULL REFERENCES followups(id),
    version INTEGER NOT NULL CHECK (version >= 1),
    case_ref TEXT NOT NULL,
    category TEXT NOT NULL,
    task TEXT NOT NULL,
    address TEXT NOT NULL,
    x DOUBLE PRECISION NOT NULL,
    y DOUBLE PRECISION NOT NULL,
    kommunekode TEXT NOT NULL,
    kommunenavn TEXT NOT NULL,
    politikreds TEXT NOT NULL,
    due_by TEXT NOT NULL,
    windows TEXT NOT NULL,
    minutes_on_site INTEGER NOT NULL,
    priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    status TEXT NOT NULL CHECK (status IN
        ('open', 'done_in_person', 'done_by_phone', 'not_reached', 'cancelled')),
    queue TEXT NOT NULL CHECK (queue IN ('visit', 'phone')),
    queue_reason TEXT,
    attempts INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL,
    closed_at TEXT,
    close_reason TEXT NOT NULL,
    erased_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    geom geometry(Point, 25832) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(x, y), 25832)) STORED,
    PRIMARY KEY (followup_id, version)
);
CREATE INDEX followup_versions_district ON followup_versions (politikreds, status);
CREATE INDEX followup_versions_geom ON followup_versions USING gist (geom);

CREATE TABLE followup_citizens (
    followup_id TEXT PRIMARY KEY REFERENCES followups(id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    salt TEXT NOT NULL,
    erased_at TEXT
);

CREATE TABLE followup_attempts (
    followup_id TEXT NOT NULL REFERENCES followups(id),
    number INTEGER NOT NULL CHECK (number >= 1),
    patrol TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT CHECK (outcome IS NULL OR outcome IN ('reached', 'not_home', 'refused')),
    left_behind TEXT CHECK (left_behind IS NULL OR
                            left_behind IN ('leaflet', 'neighbour', 'nothing')),
    note TEXT NOT NULL,
    detected INTEGER NOT NULL CHECK (detected IN (0, 1)),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (followup_id, number)
);

CREATE FUNCTION smartspot_followup_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('smartspot.writer', true) IS DISTINCT FROM 'on'
        OR NEW.current_version IS DISTINCT FROM OLD.current_version + 1
        OR NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'a follow-up changes only by a new version'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION smartspot_citizen_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('smartspot.writer', true) IS DISTINCT FROM 'on'
        OR OLD.erased_at IS NOT NULL OR NEW.followup_id IS DISTINCT FROM OLD.followup_id THEN
        RAISE EXCEPTION 'personal data changes only through Smart Spot, never after erasure'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION smartspot_attempt_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('smartspot.writer', true) IS DISTINCT FROM 'on'
        OR OLD.outcome IS NOT NULL OR NEW.followup_id IS DISTINCT FROM OLD.followup_id
        OR NEW.number IS DISTINCT FROM OLD.number THEN
        RAISE EXCEPTION 'an attempt gets its outcome once, then stays as it is'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER followups_guard_update BEFORE UPDATE ON followups
FOR EACH ROW EXECUTE FUNCTION smartspot_followup_guard();
CREATE TRIGGER followups_no_delete BEFORE DELETE ON followups
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('follow-ups are closed, never deleted');
CREATE TRIGGER followup_versions_append_only BEFORE UPDATE OR DELETE ON followup_versions
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('follow-up versions are append-only');
CREATE TRIGGER followup_citizens_guard_update BEFORE UPDATE ON followup_citizens
FOR EACH ROW EXECUTE FUNCTION smartspot_citizen_guard();
CREATE TRIGGER followup_citizens_no_delete BEFORE DELETE ON followup_citizens
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('personal data is erased in place, never deleted');
CREATE TRIGGER followup_attempts_guard_update BEFORE UPDATE ON followup_attempts
FOR EACH ROW EXECUTE FUNCTION smartspot_attempt_guard();
CREATE TRIGGER followup_attempts_no_delete BEFORE DELETE ON followup_attempts
FOR EACH ROW EXECUTE FUNCTION smartspot_refuse('attempts are kept, never deleted');
"""

#: 6: users belong to districts (JSON list of politikreds names, sorted; ``["*"]`` = all);
#: the Python step ``sqlite_users.assign_existing_districts`` (migration 6 in
#: ``migrations.HISTORY``) gives existing accounts theirs, each with an audit row.
_DISTRICTS_SQL = """
ALTER TABLE users ADD COLUMN districts TEXT NOT NULL DEFAULT '[]'
    CHECK (districts::jsonb IS NOT NULL AND jsonb_typeof(districts::jsonb) = 'array');
"""

#: Migration number → its SQL, from BASELINE to 6.
MIGRATIONS: dict[int, str] = {
    BASELINE: _BASELINE_SQL,
    5: _FOLLOWUPS_SQL,
    6: _DISTRICTS_SQL,
}
