"""What only the PostgreSQL + PostGIS schema has, beside the shared tables
(:mod:`smartspot.store.tables`), and the service role's rights.

* PostGIS: ``geom`` columns in EPSG:25832, generated from the stored WKB or coordinates (so
  they can never disagree with them), with GiST indexes; bbox filters run on them in the
  database. Two more indexes the audit and retention queries use.
* The guards: append-only tables refuse UPDATE, DELETE and TRUNCATE outright; the tables the
  engine updates accept an UPDATE only from a session that says it is Smart Spot
  (``smartspot.writer``, set by the store on its connections) and refuse DELETE. ``audit
  verify`` checks every trigger below calls its function and every function has exactly
  this body, which is the one the migrations (``schema_postgres_history.py``) have always
  created: change one only with a migration, and here alike.
* The service should connect as a member of ``smartspot_app``, a role that may read and insert
  but has no DELETE or TRUNCATE and no UPDATE on the history tables, and that cannot drop or
  alter a trigger (it owns nothing).

:func:`create_script` is what a fresh PostgreSQL database is created with.
"""

from __future__ import annotations

from smartspot.store.ddl import Index
from smartspot.store.tables import TABLES

EXTENSIONS = "CREATE EXTENSION IF NOT EXISTS postgis;"

_POINT = (
    "geom geometry(Point, 25832) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(x, y), 25832)) STORED"
)

#: PostGIS geometry columns, by table (after the shared columns).
GEOMETRY: dict[str, tuple[str, ...]] = {
    "hotspot_versions": (
        "geom geometry(Geometry, 25832) GENERATED ALWAYS AS "
        "(ST_GeomFromWKB(geometry, 25832)) STORED",
    ),
    "patrols": (_POINT,),
    "callouts": (_POINT,),
    "followup_versions": (_POINT,),
}

#: The indexes only PostgreSQL has, by table: GiST on the geometry that is searched by place,
#: and two for queries SQLite answers from other indexes well enough. Not on the cars' last
#: positions (``patrols.geom``, migration 8): every AVL fix moves one, nothing searches them
#: by place, and an index on them kept every move from being a HOT update (see
#: :data:`OPTIONS`).
INDEXES: dict[str, tuple[Index, ...]] = {
    "hotspot_versions": (Index("hotspot_versions_geom", ("geom",), using="gist"),),
    "audit_log": (Index("audit_log_entity_id", ("entity_id",)),),
    "positions": (Index("positions_at", ("at",)),),
    "callouts": (Index("callouts_geom", ("geom",), using="gist"),),
    "followup_versions": (Index("followup_versions_geom", ("geom",), using="gist"),),
}

#: Storage parameters, by table. ``patrols``: each AVL batch rewrites up to 100 cars' rows
#: (2,000 a second under the national stress load); with room left in each page and no index
#: on what changes, each new row version stays in its page (a HOT update) and the old one is
#: pruned there. Before (an index on the position, full pages) the 400-row table grew to
#: 2.5 MB and its index to 3.8 MB in 1,000 batches, until autovacuum came by, and every batch
#: and clear read through it (issue 10 §7, session 7).
OPTIONS: dict[str, str] = {"patrols": "fillfactor = 25"}

#: The guard functions. smartspot_refuse: always (append-only, never deleted).
#: smartspot_guard: only Smart Spot's own sessions may update. The others: an object's pointer
#: moves one version forward, never back; personal data never changes after erasure; an
#: attempt gets its outcome once.
FUNCTIONS = """
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
"""

TRIGGERS = """
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

#: The role the service's login should be a member of (created when the migrating role may).
APP_ROLE = "smartspot_app"


#: Grants for the service role, re-run after every migration (new tables get theirs too).
GRANTS = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        BEGIN
            CREATE ROLE {APP_ROLE} NOLOGIN;
        EXCEPTION WHEN insufficient_privilege OR unique_violation OR duplicate_object THEN
            NULL;  -- a DBA creates the role (README, "Production"); or another did meanwhile
        END;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        GRANT USAGE ON SCHEMA public TO {APP_ROLE};
        GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {APP_ROLE};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE};
        GRANT UPDATE ON id_counters, hotspots, users, patrols, callouts, visits, proposals,
            proposal_stops, stays TO {APP_ROLE};
        IF to_regclass('followups') IS NOT NULL THEN
            GRANT UPDATE ON followups, followup_citizens, followup_attempts TO {APP_ROLE};
        END IF;
        GRANT DELETE ON stays TO {APP_ROLE};
        IF to_regclass('login_throttle') IS NOT NULL THEN
            GRANT UPDATE, DELETE ON login_throttle TO {APP_ROLE};
        END IF;
    END IF;
END $$;
"""


def create_script() -> str:
    """The whole current schema as one PostgreSQL script (without the grants, which run
    after every migration)."""
    parts = [EXTENSIONS]
    for table in TABLES:
        parts.append(table.render("postgresql", extra=GEOMETRY.get(table.name, ())))
        parts += table.render_indexes()
        parts += [index.render(table.name) for index in INDEXES.get(table.name, ())]
        if table.name in OPTIONS:
            parts.append(f"ALTER TABLE {table.name} SET ({OPTIONS[table.name]});")
    return "\n".join(parts) + "\n" + FUNCTIONS + TRIGGERS
