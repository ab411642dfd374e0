from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shapely.geometry import Point, Polygon

from smartspot.clock import FixedClock
from smartspot.domain import Category, HotspotStatus
from smartspot.drafts import FeatureIn
from smartspot.errors import ConflictError, InvalidInputError, NotFoundError
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotFilter, HotspotService, ImportRejectedError
from smartspot.i18n import msg
from smartspot.store.sqlite import SqliteStore
from tests.hotspot_fixtures import SAMSOE, SILKEBORG_CW, TREKANTEN, draft, new_service, props


@pytest.fixture
def service(tmp_path: Path, regions: Regions) -> Iterator[HotspotService]:
    svc = new_service(tmp_path / "smartspot.db", regions)
    yield svc
    svc.store.close()


def clock_of(service: HotspotService) -> FixedClock:
    assert isinstance(service.clock, FixedClock)
    return service.clock


def test_register_derives_kommune_and_politikreds_from_the_geometry(
    service: HotspotService,
) -> None:
    hotspot = service.register(draft(), TREKANTEN, user="analytiker")
    assert hotspot.id == "HS-000001"
    assert hotspot.version == 1
    assert hotspot.location.kommunekode == "0661"
    assert hotspot.location.kommunenavn == "Holstebro"
    assert hotspot.location.politikreds == "Midt- og Vestjyllands Politi"
    assert service.show(hotspot.id) == hotspot


def test_register_accepts_a_geojson_polygon_and_stores_it_counter_clockwise(
    service: HotspotService,
) -> None:
    geojson = {"type": "Polygon", "coordinates": [list(SILKEBORG_CW.exterior.coords)]}
    hotspot = service.register(draft(), geojson, user="a")
    assert isinstance(hotspot.geometry, Polygon)
    assert hotspot.geometry.exterior.is_ccw
    assert hotspot.location.kommunenavn == "Silkeborg"
    assert hotspot.location.politikreds == "Midt- og Vestjyllands Politi"


def test_register_in_the_sea_is_refused_and_stores_nothing(service: HotspotService) -> None:
    with pytest.raises(InvalidInputError, match="outside Danish land"):
        service.register(draft(), Point(7.95, 56.3), user="a")
    assert service.count() == 0
    assert service.store.audit.entries() == []


def test_add_update_close_keeps_every_version_and_audits_each_write(
    service: HotspotService,
) -> None:
    created = service.register(draft(), TREKANTEN, user="ana")
    clock_of(service).advance(3600)
    updated = service.update(created.id, {"priority": 5}, expected_version=1, user="bo")
    clock_of(service).advance(3600)
    closed = service.close(created.id, "Roligt i tre måneder", user="ana")

    assert (updated.version, updated.priority, updated.updated_by) == (2, 5, "bo")
    assert updated.created_by == "ana" and updated.created_at == created.created_at
    assert closed.status is HotspotStatus.CLOSED and closed.close_reason == "Roligt i tre måneder"
    history = service.history(created.id)
    assert [h.version for h in history] == [1, 2, 3]
    assert history[0] == created and history[1] == updated and history[2] == closed

    audit = service.store.audit.entries(entity="hotspot", entity_id=created.id)
    assert [(e.action, e.actor) for e in audit] == [
        ("create", "ana"),
        ("update", "bo"),
        ("close", "ana"),
    ]
    assert audit[0].before is None
    assert audit[1].before is not None and audit[1].after is not None
    assert (audit[1].before["priority"], audit[1].after["priority"]) == (4, 5)
    assert audit[2].after is not None and audit[2].after["status"] == "closed"
    assert audit[2].at == closed.updated_at


def test_closed_hotspot_keeps_its_history_and_cannot_change(service: HotspotService) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    service.close(created.id, "Flyttet til ny adresse", user="a")
    with pytest.raises(ConflictError, match="closed"):
        service.update(created.id, {"priority": 2}, expected_version=2, user="a")
    with pytest.raises(ConflictError, match="already closed"):
        service.close(created.id, "igen", user="a")
    assert len(service.history(created.id)) == 2
    assert service.list(HotspotFilter(status=HotspotStatus.CLOSED))[0].id == created.id


def test_stale_update_is_refused_naming_both_versions(service: HotspotService) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    service.update(created.id, {"priority": 5}, expected_version=1, user="first")
    with pytest.raises(ConflictError, match=r"at version 2.*based on version 1"):
        service.update(created.id, {"priority": 2}, expected_version=1, user="second")
    assert service.show(created.id).priority == 5
    assert len(service.history(created.id)) == 2


def test_update_needs_an_expected_version_unless_forced_and_force_is_audited(
    service: HotspotService,
) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    with pytest.raises(InvalidInputError, match="expected_version"):
        service.update(created.id, {"priority": 2}, expected_version=None, user="a")
    forced = service.update(
        created.id, {"priority": 2}, expected_version=None, user="b", force=True
    )
    assert forced.version == 2
    assert service.store.audit.entries()[-1].action == "update-forced"


def test_update_of_the_geometry_moves_the_location(service: HotspotService) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    moved = service.update(
        created.id,
        {"geometry": {"type": "Point", "coordinates": list(SAMSOE.coords[0])}},
        expected_version=1,
        user="a",
    )
    assert (moved.location.kommunekode, moved.location.kommunenavn) == ("0741", "Samsø")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kommunekode": "0101"}, "kommunekode"),
        ({"priority": 9}, "priority"),
        ({"windows": ["someday 25:00-26:00"]}, "windows"),
        ({"valid_to": "2020-01-01"}, "valid_to"),
    ],
)
def test_update_refuses_derived_fields_and_bad_values(
    service: HotspotService, changes: dict[str, object], field: str
) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    with pytest.raises(InvalidInputError) as caught:
        service.update(created.id, changes, expected_version=1, user="a")
    assert field in str(caught.value) or caught.value.field == field
    assert len(service.history(created.id)) == 1


def test_update_without_a_change_is_refused(service: HotspotService) -> None:
    created = service.register(draft(), TREKANTEN, user="a")
    with pytest.raises(InvalidInputError, match="nothing to change"):
        service.update(created.id, {"priority": 4}, expected_version=1, user="a")


def test_unknown_id_is_not_found(service: HotspotService) -> None:
    with pytest.raises(NotFoundError, match="HS-000099"):
        service.show("HS-000099")
    with pytest.raises(NotFoundError):
        service.close("HS-000099", "x", user="a")


def test_list_filters_by_politikreds_kommune_status_category_and_bbox(
    service: HotspotService,
) -> None:
    trekanten = service.register(draft(), TREKANTEN, user="a")
    silkeborg = service.register(draft(category="drugs_near_school"), SILKEBORG_CW, user="a")
    samsoe = service.register(draft(category="speeding"), SAMSOE, user="a")
    service.close(samsoe.id, "Fartdæmpning bygget", user="a")

    def ids(**where: object) -> list[str]:
        return [h.id for h in service.list(HotspotFilter(**where))]  # type: ignore[arg-type]

    assert ids() == [trekanten.id, silkeborg.id, samsoe.id]
    assert ids(politikreds="Østjyllands Politi") == [samsoe.id]
    assert ids(politikreds="Midt- og Vestjyllands Politi") == [trekanten.id, silkeborg.id]
    assert ids(kommune="holstebro") == ids(kommune="0661") == ids(kommune="661") == [trekanten.id]
    assert ids(status=HotspotStatus.OPEN) == [trekanten.id, silkeborg.id]
    assert ids(category=Category.DRUGS_NEAR_SCHOOL) == [silkeborg.id]
    assert ids(bbox=(8.5, 56.3, 8.7, 56.4)) == [trekanten.id]
    assert ids(bbox=(9.5, 56.1, 9.6, 56.2)) == [silkeborg.id]
    assert ids(limit=1, offset=1) == [silkeborg.id]
    assert service.count(HotspotFilter(status=HotspotStatus.OPEN)) == 2
    with pytest.raises(NotFoundError, match="no kommune named"):
        ids(kommune="Atlantis")
    with pytest.raises(NotFoundError, match="no politikreds"):
        ids(politikreds="Atlantis Politi")


def _feature(index: int, geometry: object, **overrides: object) -> FeatureIn:
    return FeatureIn(index, props(**overrides), geometry)  # type: ignore[arg-type]


def test_import_report_lists_every_bad_feature_and_imports_nothing(
    service: HotspotService,
) -> None:
    bowtie = Polygon([(8.62, 56.36), (8.63, 56.37), (8.63, 56.36), (8.62, 56.37)])
    features = [
        _feature(0, TREKANTEN),
        _feature(1, bowtie),
        _feature(2, Point(7.95, 56.3)),  # North Sea
        _feature(3, Point(56.3560, 8.6375)),  # lat/lon swapped
        _feature(4, TREKANTEN, priority=9),
        _feature(5, TREKANTEN, category="rowdy_seagulls"),
        FeatureIn(6, props(), None, msg("unreadable geometry: {error}", error="bad coordinates")),
        _feature(7, SAMSOE),
    ]
    with pytest.raises(ImportRejectedError) as caught:
        service.import_features(features, user="a")
    report = {(p.index, p.field): str(p.reason) for p in caught.value.problems}
    assert sorted(report) == [
        (1, "geometry"),
        (2, "geometry"),
        (3, "geometry"),
        (4, "priority"),
        (5, "category"),
        (6, "geometry"),
    ]
    assert "edges cross each other" in report[(1, "geometry")]
    assert "outside Danish land" in report[(2, "geometry")]
    assert "latitude/longitude order" in report[(3, "geometry")]
    assert "1 (low) to 5" in report[(4, "priority")]
    assert "rowdy_seagulls" in report[(5, "category")]
    assert "6 of 8 features" in str(caught.value)
    assert service.count() == 0
    assert service.store.audit.entries() == []


def test_a_good_import_registers_every_feature_in_one_go(service: HotspotService) -> None:
    result = service.import_features([_feature(0, TREKANTEN), _feature(1, SAMSOE)], user="importer")
    assert [h.id for h in result.created] == ["HS-000001", "HS-000002"]
    assert {e.action for e in service.store.audit.entries()} == {"import"}


def test_import_failing_mid_write_leaves_nothing(service: HotspotService) -> None:
    store = service.store
    assert isinstance(store, SqliteStore)
    # The second hotspot's audit entry fails inside the transaction, after the first and the
    # second hotspot's version rows were written.
    store.connection.execute(
        "CREATE TEMP TRIGGER fail_second AFTER INSERT ON main.audit_log "
        "WHEN NEW.seq = 2 BEGIN SELECT RAISE(ABORT, 'forced failure'); END"
    )
    with pytest.raises(ConflictError, match="forced failure"):
        service.import_features([_feature(0, TREKANTEN), _feature(1, SAMSOE)], user="a")
    assert service.count() == 0
    assert store.audit.entries() == []
    assert store.connection.execute("SELECT COUNT(*) FROM hotspot_versions").fetchone()[0] == 0
    store.connection.execute("DROP TRIGGER fail_second")
    assert service.register(draft(), TREKANTEN, user="a").id == "HS-000001"  # counter rolled back
