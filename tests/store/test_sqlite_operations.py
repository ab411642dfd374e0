"""Users, patrols and positions, callouts and visits in the SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from shapely.geometry import Point

from smartspot.domain import Callout, Location, Patrol, PatrolStatus, Visit, VisitOutcome
from smartspot.errors import ConflictError, InvalidInputError, NotFoundError
from smartspot.geo.regions import Regions
from smartspot.hotspots import HotspotService
from smartspot.store.migrations import HISTORY
from smartspot.store.open import Store
from smartspot.store.postgres import PostgresStore
from smartspot.store.records import PositionFix, Stay, UserAccount
from smartspot.store.sqlite import SqliteStore
from tests.hotspot_fixtures import SAMSOE, START, TREKANTEN, draft, new_service

HOLSTEBRO = Location("0661", "Holstebro", "Midt- og Vestjyllands Politi")
HERE = Point(477_600.0, 6_245_760.0)


@pytest.fixture
def service(database: str | Path, regions: Regions) -> Iterator[HotspotService]:
    svc = new_service(database, regions)
    yield svc
    svc.store.close()


@pytest.fixture
def store(service: HotspotService) -> Store:
    assert isinstance(service.store, SqliteStore | PostgresStore)
    return service.store


def add_car(store: Store, call_sign: str = "MVJ-11") -> Patrol:
    car = Patrol(call_sign, "st01")
    store.patrols.add(car, actor="admin", at=START)
    return car


def test_user_accounts_are_stored_and_changes_audited_without_the_hash(
    store: Store,
) -> None:
    store.users.add(UserAccount("ole", "operator", "$argon2id$secret", START), actor="admin")
    assert store.users.get("ole").role == "operator"
    changed = store.users.set_role("ole", "analyst", actor="admin", at=START)
    assert changed.role == "analyst" and changed.password_hash == "$argon2id$secret"
    store.users.set_password_hash("ole", "$argon2id$new", actor="ole", at=START)
    store.users.set_active("ole", False, actor="admin", at=START)
    assert store.users.get("ole").password_hash == "$argon2id$new"
    assert not store.users.get("ole").active
    audit = store.audit.entries(entity="user")
    assert [e.action for e in audit] == ["create", "set-role", "set-password", "deactivate"]
    assert "secret" not in str([(e.before, e.after) for e in audit])
    with pytest.raises(ConflictError, match="exists already"):
        store.users.add(UserAccount("ole", "admin", "h", START), actor="admin")
    with pytest.raises(InvalidInputError, match="unknown role"):
        store.users.set_role("ole", "sheriff", actor="admin", at=START)
    with pytest.raises(NotFoundError):
        store.users.get("nobody")
    assert [u.name for u in store.users.list()] == ["ole"]


def test_patrol_status_changes_are_audited(store: Store) -> None:
    add_car(store)
    after = store.patrols.set_status("MVJ-11", PatrolStatus.DISPATCHED, actor="ole", at=START)
    assert after.status is PatrolStatus.DISPATCHED
    assert [p.call_sign for p in store.patrols.list(status=PatrolStatus.DISPATCHED)] == ["MVJ-11"]
    audit = store.audit.entries(entity="patrol", entity_id="MVJ-11")
    assert [e.action for e in audit] == ["create", "set-status"]
    assert audit[1].before == {"call_sign": "MVJ-11", "home_station": "st01", "status": "available"}
    with pytest.raises(ConflictError):
        add_car(store)


def test_patrols_are_listed_by_their_home_stations(store: Store) -> None:
    for call_sign, station in (("A-1", "st01"), ("B-1", "st02"), ("A-2", "st01"), ("C-1", "st03")):
        store.patrols.add(Patrol(call_sign, station), actor="admin", at=START)
    store.patrols.set_status("A-2", PatrolStatus.RETURNING, actor="ole", at=START)
    listed = store.patrols.list(home_stations={"st01", "st03"})
    assert [p.call_sign for p in listed] == ["A-1", "A-2", "C-1"]
    both = store.patrols.list(status=PatrolStatus.RETURNING, home_stations=["st01", "st02"])
    assert [p.call_sign for p in both] == ["A-2"]
    assert store.patrols.list(home_stations=[]) == []
    assert len(store.patrols.list()) == 4


def test_position_batches_keep_history_and_the_newest_position(store: Store) -> None:
    add_car(store, "A")
    add_car(store, "B")
    later, earlier = START + timedelta(seconds=30), START
    fixes = [
        PositionFix("A", later, Point(1.0, 2.0)),
        PositionFix("A", earlier, Point(0.0, 0.0)),  # arrives late: history only
        PositionFix("B", earlier, Point(5.0, 5.0)),
    ]
    assert store.patrols.record_positions(fixes) == 3
    car = store.patrols.get("A")
    assert car.position == Point(1.0, 2.0) and car.position_at == later
    assert [f.at for f in store.patrols.positions("A")] == [earlier, later]
    assert store.patrols.positions("A", since=later) == [fixes[0]]


def test_a_batchs_cars_come_with_their_stays_as_the_two_reads_give_them(store: Store) -> None:
    for call_sign in ("A", "B", "C", "D"):
        add_car(store, call_sign)
    store.patrols.record_positions([PositionFix("A", START, HERE), PositionFix("B", START, HERE)])
    later = START + timedelta(minutes=3)
    store.stays.save([Stay("A", "h1", START, later), Stay("C", "h2", START, START)], ())
    store.stays.save([Stay("D", "h3", START, START)], ())
    store.stays.save([], ["D"])  # D left its hotspot: no stay
    wanted = {"A", "B", "C", "D", "GHOST"}
    cars, stays = store.patrols.with_stays(wanted)
    assert cars == store.patrols.list(call_signs=wanted)  # GHOST is unknown: not there
    assert [c.call_sign for c in cars] == ["A", "B", "C", "D"]
    assert cars[0].position == HERE and cars[0].position_at == START
    assert (
        stays
        == store.stays.of(wanted)
        == {
            "A": Stay("A", "h1", START, later),
            "C": Stay("C", "h2", START, START),
        }
    )
    assert store.patrols.with_stays({"B"}) == ([cars[1]], {})
    assert store.patrols.with_stays(()) == ([], {})


def test_a_position_batch_with_an_unknown_car_writes_nothing(store: Store) -> None:
    add_car(store, "A")
    with pytest.raises(NotFoundError, match="GHOST"):
        store.patrols.record_positions(
            [PositionFix("A", START, HERE), PositionFix("GHOST", START, HERE)]
        )
    assert store.patrols.positions("A") == []
    assert store.patrols.get("A").position is None


def test_callouts_progress_and_list_by_place_and_time(store: Store) -> None:
    add_car(store)
    with store.transaction():
        callout = Callout(store.callouts.next_id(), urgent=True, position=HERE, received_at=START)
        store.callouts.add(callout, location=HOLSTEBRO, actor="ole", at=START)
    assert callout.id == "CO-000001"
    dispatched = Callout(
        callout.id, True, HERE, START, dispatched_at=START + timedelta(minutes=1), patrol="MVJ-11"
    )
    store.callouts.update(dispatched, actor="ole", at=START, action="dispatched")
    assert store.callouts.get(callout.id) == dispatched
    assert store.callouts.location(callout.id) == HOLSTEBRO
    assert store.callouts.list(kommunekode="0661", urgent=True) == [(dispatched, HOLSTEBRO)]
    assert store.callouts.list(since=START + timedelta(seconds=1)) == []
    assert [e.action for e in store.audit.entries(entity="callout")] == ["create", "dispatched"]
    with pytest.raises(NotFoundError):
        store.callouts.get("CO-999999")


def test_visits_are_stored_updated_and_give_the_last_visit(
    store: Store, service: HotspotService
) -> None:
    hotspot = service.register(draft(), TREKANTEN, user="a")
    add_car(store)
    stored = store.visits.add(Visit(hotspot.id, "MVJ-11", START), actor="ole", at=START)
    assert stored.id == "VI-000001"
    left = Visit(
        hotspot.id,
        "MVJ-11",
        START,
        left_at=START + timedelta(minutes=14),
        outcome=VisitOutcome.OBSERVED,
        persons=6,
        action="Talte med de unge",
    )
    store.visits.update(stored.id, left, actor="ole", at=START)
    assert store.visits.get(stored.id).visit == left
    assert [v.id for v in store.visits.list(hotspot=hotspot.id)] == [stored.id]
    assert store.visits.last_visit_times() == {hotspot.id: START}
    with pytest.raises(ConflictError, match="(?i)FOREIGN KEY"):  # no hotspot: 409, not 503
        store.visits.add(Visit("HS-999999", "MVJ-11", START), actor="ole", at=START)


def test_a_version_1_database_is_migrated_keeping_its_hotspots(
    tmp_path: Path, regions: Regions, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with monkeypatch.context() as patch:  # a Smart Spot from before migration 2
        patch.setattr("smartspot.store.migrations.HISTORY", HISTORY[:1])
        old = new_service(path, regions)
        hotspot = old.register(draft(), TREKANTEN, user="a")
        assert isinstance(old.store, SqliteStore) and old.store.schema_version == 1
        old.store.close()
    with SqliteStore(path) as upgraded:
        assert upgraded.schema_version == len(HISTORY)
        assert upgraded.hotspots.get(hotspot.id) == hotspot
        assert upgraded.users.list() == []


def test_visits_are_listed_per_district_of_their_hotspot(
    store: Store, service: HotspotService
) -> None:
    holstebro = service.register(draft(), TREKANTEN, user="a")
    samsoe = service.register(draft(), SAMSOE, user="a")
    assert holstebro.location.politikreds != samsoe.location.politikreds
    add_car(store)
    for hotspot, minutes in ((holstebro, 0), (samsoe, 5), (holstebro, 10), (holstebro, -60)):
        at = START + timedelta(minutes=minutes)
        store.visits.add(Visit(hotspot.id, "MVJ-11", at), actor="ole", at=at)
    since = START - timedelta(minutes=1)
    everywhere = store.visits.list(since=since)
    mine = store.visits.list(since=since, politikreds=holstebro.location.politikreds)
    theirs = store.visits.list(since=since, politikreds=samsoe.location.politikreds)
    assert [v.visit.hotspot for v in mine] == [holstebro.id, holstebro.id]
    assert [v.visit.hotspot for v in theirs] == [samsoe.id]
    assert sorted(mine + theirs, key=lambda v: v.id) == sorted(everywhere, key=lambda v: v.id)
    assert store.visits.list(since=since, politikreds="Bornholms Politi") == []
