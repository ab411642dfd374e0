"""The SQLite texts of migrations 1–6: frozen history.

The migrations themselves (numbers, descriptions, each backend's SQL and Python steps) are
listed once in :mod:`smartspot.store.migrations`, which one loop applies to either backend;
these are the SQLite texts it refers to, kept here as they landed. ``PRAGMA user_version``
holds how many migrations a database file has had. Never edit a text that has landed; a new
migration is one new entry in ``migrations.HISTORY`` (its texts inline) and the change in
``tables.py``.

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
    # 2: users, patrols and their positions, callouts, visits, proposals
    """
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
        x REAL,                           -- last position, EPSG:25832
        y REAL,
        position_at TEXT,
        CHECK ((x IS NULL) = (position_at IS NULL) AND (y IS NULL) = (position_at IS NULL))
    );

    CREATE TABLE positions (              -- every AVL fix, append-only
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        call_sign TEXT NOT NULL REFERENCES patrols(call_sign),
        at TEXT NOT NULL,
        x REAL NOT NULL,
        y REAL NOT NULL
    );
    CREATE INDEX positions_by_car ON positions (call_sign, at);
    CREATE TRIGGER positions_no_update BEFORE UPDATE ON positions
    BEGIN SELECT RAISE(ABORT, 'position history is append-only'); END;
    CREATE TRIGGER positions_no_delete BEFORE DELETE ON positions
    BEGIN SELECT RAISE(ABORT, 'position history is append-only'); END;

    CREATE TABLE callouts (
        id TEXT PRIMARY KEY,
        urgent INTEGER NOT NULL CHECK (urgent IN (0, 1)),
        x REAL NOT NULL,
        y REAL NOT NULL,
        kommunekode TEXT,
        kommunenavn TEXT,
        politikreds TEXT,
        received_at TEXT NOT NULL,
        dispatched_at TEXT,
        arrived_at TEXT,
        cleared_at TEXT,
        patrol TEXT REFERENCES patrols(call_sign)
    );
    CREATE INDEX callouts_received ON callouts (received_at);

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
        created_at TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('pending', 'accepted', 'rejected', 'voided', 'superseded')),
        problem TEXT NOT NULL,            -- JSON: the problem file the optimiser saw
        solution TEXT NOT NULL,           -- JSON: what it answered
        decided_by TEXT,
        decided_at TEXT,
        reason TEXT NOT NULL DEFAULT '',
        decision TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX proposals_by_patrol ON proposals (patrol, created_at);
    CREATE TRIGGER proposals_no_delete BEFORE DELETE ON proposals
    BEGIN SELECT RAISE(ABORT, 'proposals are kept for review, never deleted'); END;
    """,
    # 3: the live engine's state, so a restart or a second process changes nothing anyone can
    #    observe: each proposal's politikreds and typed plan, its stops in their own table
    #    (what is held is one query), stays being detected, and the persisted event log that
    #    the live stream resumes from (Last-Event-ID). Old proposals keep their JSON; their
    #    stops are copied out of it.
    """
    CREATE TABLE proposals_v3 (
        id TEXT PRIMARY KEY,
        patrol TEXT NOT NULL REFERENCES patrols(call_sign),
        politikreds TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN
            ('pending', 'accepted', 'rejected', 'voided', 'superseded', 'completed', 'empty')),
        problem TEXT NOT NULL,            -- JSON: the problem file the optimiser saw
        solution TEXT NOT NULL,           -- JSON: what it answered
        plan TEXT NOT NULL DEFAULT '{}',  -- JSON: the typed plan's other fields
        decided_by TEXT,
        decided_at TEXT,
        reason TEXT NOT NULL DEFAULT '',
        decision TEXT NOT NULL DEFAULT '{}'
    );
    INSERT INTO proposals_v3 (id, patrol, created_at, status, problem, solution, decided_by,
                              decided_at, reason, decision)
    SELECT id, patrol, created_at, status, problem, solution, decided_by, decided_at, reason,
           decision FROM proposals;
    DROP TABLE proposals;                 -- (its no-delete trigger goes with it)
    ALTER TABLE proposals_v3 RENAME TO proposals;
    CREATE INDEX proposals_by_patrol ON proposals (patrol, created_at);
    CREATE INDEX proposals_by_status ON proposals (status, patrol);
    CREATE TRIGGER proposals_no_delete BEFORE DELETE ON proposals
    BEGIN SELECT RAISE(ABORT, 'proposals are kept for review, never deleted'); END;

    CREATE TABLE proposal_stops (
        proposal_id TEXT NOT NULL REFERENCES proposals(id),
        position INTEGER NOT NULL CHECK (position >= 0),
        hotspot_id TEXT NOT NULL,
        title TEXT NOT NULL,
        lon REAL NOT NULL,
        lat REAL NOT NULL,
        eta TEXT NOT NULL,
        start TEXT NOT NULL,
        leave TEXT NOT NULL,
        minutes_on_site INTEGER NOT NULL,
        value REAL NOT NULL,
        reasons TEXT NOT NULL DEFAULT '[]',   -- JSON list of {code, params}
        removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
        done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
        PRIMARY KEY (proposal_id, position)
    );
    CREATE INDEX proposal_stops_by_hotspot ON proposal_stops (hotspot_id);
    CREATE TRIGGER proposal_stops_no_delete BEFORE DELETE ON proposal_stops
    BEGIN SELECT RAISE(ABORT, 'proposal stops are kept for review, never deleted'); END;

    INSERT INTO proposal_stops
        (proposal_id, position, hotspot_id, title, lon, lat, eta, start, leave,
         minutes_on_site, value, reasons, removed)
    SELECT p.id, CAST(s.key AS INTEGER), json_extract(s.value, '$.hotspot'),
           COALESCE(json_extract(s.value, '$.title'), ''),
           COALESCE(json_extract(s.value, '$.lon'), 0), COALESCE(json_extract(s.value, '$.lat'), 0),
           json_extract(s.value, '$.eta'), json_extract(s.value, '$.start'),
           json_extract(s.value, '$.start'),
           COALESCE(json_extract(s.value, '$.minutes_on_site'), 0),
           COALESCE(json_extract(s.value, '$.value'), 0),
           json_array(json_object('code', 'legacy', 'params',
                                  json_object('text', json_extract(s.value, '$.why')))),
           CASE WHEN EXISTS (SELECT 1 FROM json_each(p.decision, '$.removed_stops') r
                             WHERE r.value = json_extract(s.value, '$.hotspot'))
                THEN 1 ELSE 0 END
    FROM proposals p, json_each(p.solution, '$.advice.stops') s;

    CREATE TABLE stays (                  -- a car inside a hotspot now, until it leaves
        call_sign TEXT PRIMARY KEY REFERENCES patrols(call_sign),
        hotspot_id TEXT NOT NULL,
        first_at TEXT NOT NULL,
        last_at TEXT NOT NULL
    );

    CREATE TABLE events (                 -- the live stream, in order; ids never reused
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL                -- JSON
    );
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    """,
    # 4: a tamper-evident record. Every audit row gets the SHA-256 of the audited object's rows
    #    after the write (state_hash) and is chained to the row before it (prev_hash, hash; see
    #    smartspot/store/audit.py). Existing rows are chained, and each existing object gets a
    #    "seal" row with its current state, by the Python step that runs in the same
    #    transaction (smartspot/store/sqlite_audit.py). A sealed audit row can no longer be
    #    changed at all. Tables that hold history, decisions or users refuse UPDATE and DELETE
    #    from any connection but Smart Spot's own (which define smartspot_writer()); another
    #    program's write fails with "no such function: smartspot_writer".
    """
    ALTER TABLE audit_log ADD COLUMN state_hash TEXT;
    ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
    ALTER TABLE audit_log ADD COLUMN hash TEXT;
    DROP TRIGGER audit_log_no_update;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    WHEN OLD.hash IS NOT NULL OR NEW.seq IS NOT OLD.seq
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    CREATE TRIGGER hotspots_guard_update BEFORE UPDATE ON hotspots
    WHEN smartspot_writer() IS NOT 1
        OR NEW.current_version IS NOT OLD.current_version + 1 OR NEW.id IS NOT OLD.id
    BEGIN SELECT RAISE(ABORT, 'a hotspot changes only by a new version'); END;
    CREATE TRIGGER users_guard_update BEFORE UPDATE ON users WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'users change only through Smart Spot'); END;
    CREATE TRIGGER users_no_delete BEFORE DELETE ON users
    BEGIN SELECT RAISE(ABORT, 'users are deactivated, never deleted'); END;
    CREATE TRIGGER patrols_guard_update BEFORE UPDATE ON patrols WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'patrols change only through Smart Spot'); END;
    CREATE TRIGGER patrols_no_delete BEFORE DELETE ON patrols
    BEGIN SELECT RAISE(ABORT, 'patrols are kept, never deleted'); END;
    CREATE TRIGGER callouts_guard_update BEFORE UPDATE ON callouts
    WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'callouts change only through Smart Spot'); END;
    CREATE TRIGGER callouts_no_delete BEFORE DELETE ON callouts
    BEGIN SELECT RAISE(ABORT, 'callouts are kept, never deleted'); END;
    CREATE TRIGGER visits_guard_update BEFORE UPDATE ON visits WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'visits change only through Smart Spot'); END;
    CREATE TRIGGER visits_no_delete BEFORE DELETE ON visits
    BEGIN SELECT RAISE(ABORT, 'visits are kept, never deleted'); END;
    CREATE TRIGGER proposals_guard_update BEFORE UPDATE ON proposals
    WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'proposals change only through Smart Spot'); END;
    CREATE TRIGGER proposal_stops_guard_update BEFORE UPDATE ON proposal_stops
    WHEN smartspot_writer() IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'proposal stops change only through Smart Spot'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    """,
    # 5: tryghedsopfølgninger (smartspot/followups.py). A task has every version (like a
    #    hotspot); its attempts at the door are append-only, except that a stay the AVL detected
    #    gets its outcome once, when the patrol reports it. The citizen's name and phone number
    #    live only in followup_citizens, one row per task, never in a version, an audit row or an
    #    event: erasure after the retention period blanks that row in place, and the erase audit
    #    row records the new state, so the chain still verifies. Its random salt is part of the
    #    state hash and is erased too, so the state hashes recorded before erasure cannot be used
    #    to test a guessed name or number.
    """
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
        x REAL NOT NULL,                  -- the address point, EPSG:25832
        y REAL NOT NULL,
        kommunekode TEXT NOT NULL,
        kommunenavn TEXT NOT NULL,
        politikreds TEXT NOT NULL,
        due_by TEXT NOT NULL,             -- local date
        windows TEXT NOT NULL,            -- JSON list of "mon-fri 16:00-20:00"
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
        PRIMARY KEY (followup_id, version)
    );
    CREATE INDEX followup_versions_district ON followup_versions (politikreds, status);

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
    """,
    # 6: users belong to districts: the politikredse whose hotspots, cars, callouts,
    #    proposals and visits a user may read and change (JSON list of politikreds names,
    #    sorted; ["*"] = all). The Python step (smartspot/store/sqlite_users.py
    #    assign_existing_districts) gives existing accounts theirs, each with an audit row.
    """
    ALTER TABLE users ADD COLUMN districts TEXT NOT NULL DEFAULT '[]'
        CHECK (json_valid(districts) AND json_type(districts) = 'array');
    """,
)
