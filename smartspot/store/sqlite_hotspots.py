"""Hotspots in SQLite: one row per version, a pointer to the current one, audited writes."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import shapely
from shapely.geometry import Point, Polygon

from smartspot.domain import (
    Category,
    HandlingInstruction,
    Hotspot,
    HotspotStatus,
    Location,
    Source,
)
from smartspot.errors import ConflictError, NotFoundError, StorageError
from smartspot.i18n import msg
from smartspot.store.port import HotspotQuery
from smartspot.store.sql import Dialect, Row
from smartspot.store.timestamps import from_iso, iso
from smartspot.store.versioned import Pointers, check_follows
from smartspot.windows import ActiveWindow

if TYPE_CHECKING:
    from smartspot.store.sql import SqlStore

ENTITY = "hotspot"
ID_PREFIX = "HS"

COLUMNS = (
    "hotspot_id",
    "version",
    "title",
    "category",
    "description",
    "instruction",
    "steps",
    "minutes_on_site",
    "priority",
    "geometry",
    "minx",
    "miny",
    "maxx",
    "maxy",
    "windows",
    "valid_from",
    "valid_to",
    "visits_per_week",
    "source",
    "source_ref",
    "kommunekode",
    "kommunenavn",
    "politikreds",
    "status",
    "close_reason",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
)
_INSERT = (
    f"INSERT INTO hotspot_versions ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in COLUMNS)})"
)
#: The id_counters kind that counts the hotspot versions written (PostgreSQL's revision).
REVISION = "hotspot_versions"
_COUNT_VERSION = (
    f"INSERT INTO id_counters (kind, last) VALUES ('{REVISION}', 1) "
    "ON CONFLICT (kind) DO UPDATE SET last = id_counters.last + 1"
)
_CURRENT = (
    "SELECT v.* FROM hotspots h JOIN hotspot_versions v "
    "ON v.hotspot_id = h.id AND v.version = h.current_version"
)


def to_row(hotspot: Hotspot) -> dict[str, Any]:
    """The column values of one hotspot version."""
    minx, miny, maxx, maxy = hotspot.geometry.bounds
    return {
        "hotspot_id": hotspot.id,
        "version": hotspot.version,
        "title": hotspot.title,
        "category": hotspot.category.value,
        "description": hotspot.description,
        "instruction": hotspot.instruction.text,
        "steps": json.dumps(list(hotspot.instruction.steps), ensure_ascii=False),
        "minutes_on_site": hotspot.instruction.minutes_on_site,
        "priority": hotspot.priority,
        "geometry": shapely.to_wkb(hotspot.geometry),
        "minx": minx,
        "miny": miny,
        "maxx": maxx,
        "maxy": maxy,
        "windows": json.dumps([w.label() for w in hotspot.windows]),
        "valid_from": hotspot.valid_from.isoformat(),
        "valid_to": None if hotspot.valid_to is None else hotspot.valid_to.isoformat(),
        "visits_per_week": float(hotspot.visits_per_week),
        "source": hotspot.source.value,
        "source_ref": hotspot.source_ref,
        "kommunekode": hotspot.location.kommunekode,
        "kommunenavn": hotspot.location.kommunenavn,
        "politikreds": hotspot.location.politikreds,
        "status": hotspot.status.value,
        "close_reason": hotspot.close_reason,
        "created_by": hotspot.created_by,
        "created_at": iso(hotspot.created_at),
        "updated_by": hotspot.updated_by,
        "updated_at": iso(hotspot.updated_at),
    }


def audit_record(hotspot: Hotspot) -> dict[str, Any]:
    """A hotspot version as JSON for the audit log (geometry as WKT in EPSG:25832, cm)."""
    record = to_row(hotspot)
    for key in ("geometry", "minx", "miny", "maxx", "maxy"):
        del record[key]
    record["steps"] = list(hotspot.instruction.steps)
    record["windows"] = [w.label() for w in hotspot.windows]
    record["geometry_wkt_epsg25832"] = shapely.to_wkt(hotspot.geometry, rounding_precision=2)
    return record


def from_row(row: Row) -> Hotspot:
    geometry = shapely.from_wkb(row["geometry"])
    if not isinstance(geometry, Point | Polygon):
        raise StorageError(
            msg(
                "hotspot {hotspot_id} has a stored {geom_type}",
                hotspot_id=row["hotspot_id"],
                geom_type=geometry.geom_type,
            )
        )
    return Hotspot(
        id=row["hotspot_id"],
        title=row["title"],
        category=Category(row["category"]),
        description=row["description"],
        instruction=HandlingInstruction(
            text=row["instruction"],
            steps=tuple(json.loads(row["steps"])),
            minutes_on_site=int(row["minutes_on_site"]),
        ),
        priority=int(row["priority"]),
        geometry=geometry,
        location=Location(
            kommunekode=row["kommunekode"],
            kommunenavn=row["kommunenavn"],
            politikreds=row["politikreds"],
        ),
        source=Source(row["source"]),
        valid_from=date.fromisoformat(row["valid_from"]),
        valid_to=None if row["valid_to"] is None else date.fromisoformat(row["valid_to"]),
        windows=tuple(ActiveWindow.parse(text) for text in json.loads(row["windows"])),
        visits_per_week=float(row["visits_per_week"]),
        source_ref=row["source_ref"],
        status=HotspotStatus(row["status"]),
        close_reason=row["close_reason"],
        created_by=row["created_by"],
        created_at=from_iso(row["created_at"]),
        updated_by=row["updated_by"],
        updated_at=from_iso(row["updated_at"]),
        version=int(row["version"]),
    )


_POINTERS = Pointers("hotspots")


class SqliteHotspots:
    """The :class:`~smartspot.store.port.HotspotRepository` on SQLite."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def next_id(self) -> str:
        return f"{ID_PREFIX}-{self._store.next_number(ENTITY):06d}"

    def add(self, hotspot: Hotspot, *, action: str = "create") -> None:
        if hotspot.version != 1:
            raise ConflictError(
                msg("a new hotspot starts at version 1, not {version}", version=hotspot.version)
            )
        with self._store.transaction():
            _POINTERS.create(
                self._store,
                hotspot.id,
                taken=lambda: ConflictError(msg("hotspot {id} already exists", id=hotspot.id)),
            )
            self._write(hotspot, action, before=None)

    def save_version(self, hotspot: Hotspot, *, expected_version: int, action: str) -> None:
        check_follows(hotspot.version, expected_version)
        with self._store.transaction():
            before = self.get(hotspot.id)
            _POINTERS.move(
                self._store,
                hotspot.id,
                version=hotspot.version,
                expected_version=expected_version,
                stale=lambda: ConflictError(
                    msg(
                        "hotspot {id} is at version {version}, not {expected_version}: someone changed it meanwhile; reload and try again",
                        id=hotspot.id,
                        version=before.version,
                        expected_version=expected_version,
                    )
                ),
            )
            self._write(hotspot, action, before=before)

    def _write(self, hotspot: Hotspot, action: str, *, before: Hotspot | None) -> None:
        """The new version's row and its audit row (after the pointer is set)."""
        self._store.execute(_INSERT, to_row(hotspot))
        if self._store.dialect == "postgresql":  # the revision, counted in the write itself
            self._store.hold(_COUNT_VERSION, (), table="id_counters")
        self._store.write_audit(
            at=hotspot.updated_at,
            actor=hotspot.updated_by,
            action=action,
            entity=ENTITY,
            entity_id=hotspot.id,
            before=None if before is None else audit_record(before),
            after=audit_record(hotspot),
        )

    def revision(self) -> int:
        """A number that changes with every hotspot write (any process): caches of open
        hotspots are keyed by it, so a closed hotspot is never planned with."""
        if self._store.dialect == "postgresql":
            # the versions written, counted by each write (COUNT(*) read the whole table:
            # ~4 ms for 10,000 hotspots, for every clear and every AVL batch); before the
            # first write of a database from before the counter, 0
            row = self._store.execute(
                f"SELECT COALESCE((SELECT last FROM id_counters WHERE kind = '{REVISION}'), 0)"
            ).fetchone()
        else:
            row = self._store.execute("SELECT MAX(rowid) FROM hotspot_versions").fetchone()
        return int(row[0] or 0)

    def get(self, hotspot_id: str) -> Hotspot:
        row = self._store.execute(_CURRENT + " WHERE h.id = ?", (hotspot_id,)).fetchone()
        if row is None:
            raise NotFoundError(
                msg("no hotspot {hotspot_id!r}; ids look like HS-000042", hotspot_id=hotspot_id)
            )
        return from_row(row)

    def history(self, hotspot_id: str) -> list[Hotspot]:
        rows = self._store.execute(
            "SELECT * FROM hotspot_versions WHERE hotspot_id = ? ORDER BY version",
            (hotspot_id,),
        ).fetchall()
        if not rows:
            raise NotFoundError(
                msg("no hotspot {hotspot_id!r}; ids look like HS-000042", hotspot_id=hotspot_id)
            )
        return [from_row(row) for row in rows]

    def list(self, query: HotspotQuery | None = None) -> list[Hotspot]:
        query = query or HotspotQuery()
        where, params = _where(query, self._store.dialect)
        rows = self._store.execute(
            f"{_CURRENT}{where} ORDER BY h.id LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        ).fetchall()
        return [from_row(row) for row in rows]

    def count(self, query: HotspotQuery | None = None) -> int:
        query = query or HotspotQuery()
        where, params = _where(query, self._store.dialect)
        sql = _CURRENT.replace("SELECT v.*", "SELECT COUNT(*)", 1) + where
        return int(self._store.execute(sql, params).fetchone()[0])


def _where(query: HotspotQuery, dialect: Dialect) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.politikreds is not None:
        clauses.append("v.politikreds = ?")
        params.append(query.politikreds)
    if query.within is not None:
        marks = ", ".join("?" for _ in query.within) or "NULL"
        clauses.append(f"v.politikreds IN ({marks})")
        params.extend(sorted(query.within))
    if query.kommune is not None:
        clauses.append("(v.kommunekode = ? OR lower(v.kommunenavn) = lower(?))")
        params.extend([query.kommune, query.kommune])
    if query.status is not None:
        clauses.append("v.status = ?")
        params.append(HotspotStatus(query.status).value)
    if query.category is not None:
        clauses.append("v.category = ?")
        params.append(Category(query.category).value)
    if query.bbox is not None:
        minx, miny, maxx, maxy = query.bbox
        if dialect == "postgresql":  # the GiST index on the PostGIS geometry
            clauses.append("v.geom && ST_MakeEnvelope(?, ?, ?, ?, 25832)")
            params.extend([minx, miny, maxx, maxy])
        else:
            clauses.append("v.maxx >= ? AND v.minx <= ? AND v.maxy >= ? AND v.miny <= ?")
            params.extend([minx, maxx, miny, maxy])
    if query.after is not None:
        clauses.append("h.id > ?")
        params.append(query.after)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
