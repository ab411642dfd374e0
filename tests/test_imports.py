"""Importing files: known ids refused or updated, round trips that change nothing, reports
that name each bad feature by index, id and title."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import Point

from smartspot.domain import HotspotStatus
from smartspot.drafts import FeatureIn
from smartspot.geo.io import feature_collection, features_from_geojson
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotService
from smartspot.imports import ImportRejectedError
from tests.hotspot_fixtures import SAMSOE, SILKEBORG_CW, TREKANTEN, draft, new_service, props


@pytest.fixture
def service(tmp_path: Path, regions: Regions) -> Iterator[HotspotService]:
    svc = new_service(tmp_path / "smartspot.db", regions)
    yield svc
    svc.store.close()


@pytest.fixture
def register(service: HotspotService) -> HotspotService:
    """Three hotspots: one changed (v2), one closed (v2), one polygon as registered (v1)."""
    first = service.register(draft(title="Trekanten"), TREKANTEN, user="a")
    service.update(first.id, {"priority": 5}, expected_version=1, user="b")
    samsoe = service.register(draft(title="Tranebjerg"), SAMSOE, user="a")
    service.close(samsoe.id, "Roligt efter indsatsen", user="a")
    service.register(draft(title="Silkeborg"), SILKEBORG_CW, user="a")
    return service


def exported(service: HotspotService) -> list[FeatureIn]:
    return features_from_geojson(feature_collection(service.list()))


def snapshot(service: HotspotService) -> list[tuple[Any, ...]]:
    return [
        (h.id, h.version, h.status, h.title, h.priority, h.updated_at, len(service.history(h.id)))
        for h in service.list()
    ]


def test_importing_an_export_again_is_refused_naming_each_known_feature(
    register: HotspotService,
) -> None:
    before = snapshot(register)
    with pytest.raises(ImportRejectedError) as caught:
        register.import_features(exported(register), user="c")
    lines = {(p.index, p.id, p.title, p.field) for p in caught.value.problems}
    assert lines == {
        (0, "HS-000001", "Trekanten", "id"),
        (1, "HS-000002", "Tranebjerg", "id"),
        (2, "HS-000003", "Silkeborg", "id"),
    }
    assert "--update" in str(caught.value.problems[0].reason)
    assert 'feature 0 (id HS-000001, "Trekanten")' in str(caught.value)
    assert snapshot(register) == before


def test_export_then_import_with_update_changes_nothing(register: HotspotService) -> None:
    before = snapshot(register)
    audit_before = len(register.store.audit.entries())
    result = register.import_features(exported(register), user="c", update=True)
    assert (result.created, result.updated) == ((), ())
    assert result.unchanged == ("HS-000001", "HS-000002", "HS-000003")
    assert snapshot(register) == before
    assert len(register.store.audit.entries()) == audit_before


def test_update_makes_a_new_audited_version_and_keeps_the_status(
    register: HotspotService,
) -> None:
    features = exported(register)
    changed = {**features[0].properties, "priority": 2}
    del changed["status"]  # the file says nothing about the status: it stays open
    result = register.import_features(
        [FeatureIn(0, changed, features[0].geometry)], user="c", update=True
    )
    [new] = result.updated
    assert (new.id, new.version, new.priority, new.status) == ("HS-000001", 3, 2, "open")
    assert new.created_by == "a" and new.updated_by == "c"
    last = register.store.audit.entries(entity="hotspot", entity_id="HS-000001")[-1]
    assert (last.action, last.actor) == ("import-update", "c")


def test_update_leaves_out_properties_the_file_does_not_have(register: HotspotService) -> None:
    only = {"id": "HS-000003", "version": 1, "title": "Silkeborg Bypark"}
    result = register.import_features([FeatureIn(0, only, SILKEBORG_CW)], user="c", update=True)
    [new] = result.updated
    assert (new.title, new.priority, new.description) == (
        "Silkeborg Bypark",
        4,
        draft().description,
    )


def test_update_closes_when_the_file_says_closed_and_never_reopens(
    register: HotspotService,
) -> None:
    features = exported(register)
    closing = {**features[2].properties, "status": "closed", "close_reason": "Løst"}
    result = register.import_features(
        [FeatureIn(0, closing, features[2].geometry)], user="c", update=True
    )
    [closed] = result.updated
    assert (closed.status, closed.close_reason, closed.version) == (HotspotStatus.CLOSED, "Løst", 2)
    reopen = {**features[1].properties, "status": "open"}
    with pytest.raises(ImportRejectedError) as caught:
        register.import_features(
            [FeatureIn(0, reopen, features[1].geometry)], user="c", update=True
        )
    [problem] = caught.value.problems
    assert (problem.field, problem.id) == ("status", "HS-000002")
    assert "stay closed" in str(problem.reason)


def test_update_based_on_a_stale_version_is_refused(register: HotspotService) -> None:
    features = exported(register)
    register.update("HS-000003", {"priority": 1}, expected_version=1, user="b")
    with pytest.raises(ImportRejectedError) as caught:
        register.import_features(features, user="c", update=True)
    [problem] = caught.value.problems
    assert (problem.index, problem.id, problem.title, problem.field) == (
        2,
        "HS-000003",
        "Silkeborg",
        "version",
    )
    assert "version 1" in str(problem.reason) and "version 2" in str(problem.reason)
    assert register.show("HS-000003").priority == 1


def test_update_needs_the_version_column(register: HotspotService) -> None:
    feature = exported(register)[0]
    unversioned = {k: v for k, v in feature.properties.items() if k != "version"}
    with pytest.raises(ImportRejectedError, match="version"):
        register.import_features(
            [FeatureIn(0, unversioned, feature.geometry)], user="c", update=True
        )


def test_ids_from_another_register_and_duplicates_are_refused(service: HotspotService) -> None:
    features = [
        FeatureIn(0, props(id="HS-000042"), TREKANTEN),
        FeatureIn(1, props(id="DEMO-1"), TREKANTEN),
        FeatureIn(2, props(id="DEMO-1", title="Igen"), SAMSOE),
    ]
    with pytest.raises(ImportRejectedError) as caught:
        service.import_features(features, user="c")
    report = {(p.index, p.id): p.reason for p in caught.value.problems}
    assert set(report) == {(0, "HS-000042"), (2, "DEMO-1")}
    assert "another register" in str(report[(0, "HS-000042")])
    assert "feature 1" in str(report[(2, "DEMO-1")])
    assert service.count() == 0


def test_a_new_feature_the_file_calls_closed_is_registered_closed(
    service: HotspotService,
) -> None:
    result = service.import_features(
        [FeatureIn(0, props(id="DEMO-7", status="closed", close_reason="Løst i 2025"), SAMSOE)],
        user="c",
    )
    [hotspot] = result.created
    assert (hotspot.id, hotspot.status, hotspot.close_reason) == (
        "HS-000001",
        "closed",
        "Løst i 2025",
    )
    assert [h.status for h in service.history(hotspot.id)] == ["open", "closed"]


def test_a_bad_feature_is_named_by_index_id_and_title(service: HotspotService) -> None:
    features = [FeatureIn(0, props(id="X-1", title="Havnen", priority=9), Point(8.62, 56.37))]
    with pytest.raises(ImportRejectedError) as caught:
        service.import_features(features, user="c")
    [problem] = caught.value.problems
    assert str(problem.label()) == 'feature 0 (id X-1, "Havnen")'
    assert problem.field == "priority"
