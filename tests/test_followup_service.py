"""The follow-up register on a real SQLite store: register, attempts, phone queue, close,
import, the audit trail without personal data, retention."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from shapely.geometry import Point

from smartspot.clock import FixedClock
from smartspot.drafts import FeatureIn
from smartspot.errors import ConflictError, InvalidInputError, NotFoundError
from smartspot.followup_service import FollowUpService
from smartspot.followups import AttemptOutcome, FollowUpStatus, LeftBehind, PhoneReason, Queue
from smartspot.geo.regions import Regions
from smartspot.imports import ImportRejectedError
from smartspot.store.port import FollowUpQuery
from tests.followup_fixtures import LEMVIG, NAME, PHONE, PHONE_DIGITS, START, draft, new_service
from tests.followup_fixtures import props as followup_props


@pytest.fixture
def service(tmp_path: Path, regions: Regions) -> Iterator[FollowUpService]:
    svc = new_service(tmp_path / "smartspot.db", regions)
    yield svc
    svc.store.close()


def clock_of(service: FollowUpService) -> FixedClock:
    assert isinstance(service.clock, FixedClock)
    return service.clock


def audit_text(service: FollowUpService) -> str:
    return json.dumps(
        [(e.action, e.before, e.after) for e in service.store.audit.entries()], ensure_ascii=False
    )


def test_register_places_the_task_and_keeps_the_citizen_apart(service: FollowUpService) -> None:
    followup = service.register(draft(due_by=None), LEMVIG, user="analytiker")
    assert followup.id == "TO-000001"
    assert followup.location.kommunenavn == "Lemvig"
    assert followup.location.politikreds == "Midt- og Vestjyllands Politi"
    assert followup.due_by == START.date() + timedelta(days=14)
    assert followup.minutes_on_site == 10
    assert (followup.status, followup.queue) == (FollowUpStatus.OPEN, Queue.VISIT)
    stored = service.show(followup.id)
    assert stored == followup
    assert stored.citizen is not None and stored.citizen.name == NAME
    assert [v.citizen for v in service.history(followup.id)] == [None]


def test_no_audit_row_holds_the_name_or_phone_number(service: FollowUpService) -> None:
    followup = service.register(draft(), LEMVIG, user="analytiker")
    service.record_attempt(
        followup.id,
        patrol="MV-11",
        outcome=AttemptOutcome.NOT_HOME,
        left=LeftBehind.LEAFLET,
        user="operatør",
    )
    service.close(followup.id, FollowUpStatus.DONE_BY_PHONE, user="analytiker")
    text = audit_text(service)
    assert [e.action for e in service.store.audit.entries()] == ["create", "attempt", "close"]
    assert '"personal": "held"' in text
    for secret in (NAME, PHONE, PHONE_DIGITS, "Mikkelsen"):
        assert secret not in text


def test_two_not_home_attempts_send_the_task_to_the_phone_queue(service: FollowUpService) -> None:
    followup = service.register(draft(), LEMVIG, user="analytiker")
    for _ in range(2):
        after = service.record_attempt(
            followup.id,
            patrol="MV-11",
            outcome=AttemptOutcome.NOT_HOME,
            left=LeftBehind.NEIGHBOUR,
            user="operatør",
        )
    assert (after.queue, after.queue_reason, after.failed_attempts) == (
        Queue.PHONE,
        PhoneReason.FAILED_ATTEMPTS,
        2,
    )
    assert [a.number for a in service.attempts(followup.id)] == [1, 2]
    assert service.count(FollowUpQuery(queue=Queue.PHONE)) == 1
    last = service.store.audit.entries()[-1]
    assert last.after is not None and last.after["queue_reason"] == "failed_attempts"
    assert last.after["attempt"]["left"] == "neighbour"


def test_the_patrols_report_completes_the_stay_the_avl_detected(service: FollowUpService) -> None:
    followup = service.register(draft(), LEMVIG, user="analytiker")
    stay = service.record_stay(followup.id, patrol="MV-11", at=START, user="avl")
    assert stay.outcome is None
    assert service.show(followup.id).attempts == 0
    done = service.record_attempt(
        followup.id, patrol="MV-11", outcome=AttemptOutcome.REACHED, user="operatør"
    )
    assert done.status is FollowUpStatus.DONE_IN_PERSON
    (attempt,) = service.attempts(followup.id)
    assert (attempt.number, attempt.detected, attempt.at) == (1, True, START)
    assert [e.action for e in service.store.audit.entries()] == ["create", "stay", "attempt"]
    assert service.store.verify_audit().ok


def test_a_closed_task_takes_no_attempt_and_no_second_close(service: FollowUpService) -> None:
    followup = service.register(draft(), LEMVIG, user="analytiker")
    service.close(followup.id, FollowUpStatus.NOT_REACHED, user="analytiker")
    with pytest.raises(ConflictError):
        service.record_attempt(
            followup.id, patrol="MV-11", outcome=AttemptOutcome.REACHED, user="operatør"
        )
    with pytest.raises(ConflictError):
        service.close(followup.id, FollowUpStatus.CANCELLED, reason="x", user="analytiker")
    with pytest.raises(NotFoundError):
        service.show("TO-999999")


@pytest.mark.parametrize(
    ("place", "words"),
    [
        (Point(12.57, 59.91), "outside Denmark"),  # Oslo
        (Point(56.5486, 8.3125), "latitude/longitude order"),  # Lemvig, swapped
        (Point(7.95, 56.3), "outside Danish land"),  # the North Sea
        (
            {
                "type": "Polygon",
                "coordinates": [[[8.3, 56.5], [8.31, 56.5], [8.3, 56.51], [8.3, 56.5]]],
            },
            "address point",
        ),
    ],
)
def test_a_bad_place_is_refused_with_its_field(
    service: FollowUpService, place: object, words: str
) -> None:
    with pytest.raises(InvalidInputError, match=words) as error:
        service.register(draft(), place, user="analytiker")  # type: ignore[arg-type]
    assert error.value.field == "geometry"
    assert service.count() == 0


def test_a_due_date_in_the_past_is_refused(service: FollowUpService) -> None:
    with pytest.raises(InvalidInputError) as error:
        draft(due_by="2026-03-05")
    assert error.value.field == "due_by"


def test_the_draft_names_every_bad_field(service: FollowUpService) -> None:
    with pytest.raises(InvalidInputError) as error:
        draft(case_ref="sag 17", category="knallert", phone="12", priority=9, name="")
    text = str(error.value)
    for field in ("case_ref", "category", "name", "priority"):
        assert f"{field}:" in text


def test_an_import_is_all_or_nothing_with_a_report_per_field(service: FollowUpService) -> None:
    good = FeatureIn(0, followup_props(), LEMVIG)
    swapped = FeatureIn(1, followup_props(case_ref="4100-76543-00124-26"), Point(56.5486, 8.3125))
    bad_ref = FeatureIn(2, followup_props(case_ref="17"), LEMVIG)
    with pytest.raises(ImportRejectedError) as error:
        service.import_features([good, swapped, bad_ref], user="analytiker")
    assert [(p.index, p.field) for p in error.value.problems] == [(1, "geometry"), (2, "case_ref")]
    assert service.count() == 0
    assert service.store.audit.entries() == []
    created = service.import_features([good], user="analytiker")
    assert [f.id for f in created] == ["TO-000001"]
    assert service.store.audit.entries()[-1].action == "import"


def test_an_import_refuses_a_registered_id(service: FollowUpService) -> None:
    feature = FeatureIn(0, followup_props(id="TO-000007"), LEMVIG)
    with pytest.raises(ImportRejectedError) as error:
        service.import_features([feature], user="analytiker")
    assert error.value.problems[0].field == "id"


MV = "Midt- og Vestjyllands Politi"
AARHUS = Point(10.2039, 56.1629)  # Østjyllands Politi


def test_an_import_within_districts_refuses_an_address_outside_them(
    service: FollowUpService,
) -> None:
    here = FeatureIn(0, followup_props(), LEMVIG)
    there = FeatureIn(1, followup_props(case_ref="4100-76543-00124-26"), AARHUS)
    with pytest.raises(ImportRejectedError) as error:
        service.import_features([here, there], user="analytiker", within={MV})
    [problem] = error.value.problems
    assert (problem.index, problem.field) == (1, "geometry")
    assert "Østjyllands Politi" in str(problem.reason) and MV in str(problem.reason)
    assert service.count() == 0
    assert len(service.import_features([here, there], user="rigsadmin")) == 2  # national


def test_purge_within_districts_erases_only_theirs(tmp_path: Path, regions: Regions) -> None:
    svc = new_service(tmp_path / "districts.db", regions, retention_days=0)
    here = svc.register(draft(), LEMVIG, user="analytiker")
    there = svc.register(draft(), AARHUS, user="analytiker")
    for followup in (here, there):
        svc.close(followup.id, FollowUpStatus.DONE_BY_PHONE, user="analytiker")
    assert svc.purge(within={MV}).erased == (here.id,)
    assert svc.show(there.id).citizen is not None
    assert svc.purge().erased == (there.id,)
    svc.store.close()


def test_purge_erases_name_and_phone_after_the_retention_period_and_audit_verifies(
    service: FollowUpService,
) -> None:
    old = service.register(draft(), LEMVIG, user="analytiker")
    service.close(old.id, FollowUpStatus.DONE_BY_PHONE, user="analytiker")
    recent_open = service.register(draft(), LEMVIG, user="analytiker")
    clock_of(service).advance(80 * 86400)
    recent = service.register(draft(due_by="2026-06-30"), LEMVIG, user="analytiker")
    service.close(recent.id, FollowUpStatus.CANCELLED, reason="flyttet", user="analytiker")
    clock_of(service).advance(10 * 86400)  # old closed 90 days ago, recent 10 days ago
    result = service.purge()
    assert result.erased == (old.id,)
    erased = service.show(old.id)
    assert erased.citizen is None and erased.erased
    assert erased.status is FollowUpStatus.DONE_BY_PHONE  # the outcome stays
    assert service.show(recent.id).citizen is not None
    assert service.show(recent_open.id).citizen is not None
    assert service.store.audit.entries()[-1].action == "erase"
    assert service.store.verify_audit().ok
    assert service.purge().erased == ()  # nothing left to erase: the nightly job is idempotent
    row = service.store.execute(
        "SELECT name, phone, salt, erased_at FROM followup_citizens WHERE followup_id = ?",
        (old.id,),
    ).fetchone()
    assert (row[0], row[1], row[2]) == ("", "", "") and row[3] is not None


def test_the_retention_period_is_configurable(tmp_path: Path, regions: Regions) -> None:
    svc = new_service(tmp_path / "short.db", regions, retention_days=0)
    followup = svc.register(draft(), LEMVIG, user="analytiker")
    svc.close(followup.id, FollowUpStatus.DONE_BY_PHONE, user="analytiker")
    assert svc.purge().erased == (followup.id,)
    svc.store.close()


def test_personal_data_cannot_be_changed_or_restored_behind_smart_spots_back(
    service: FollowUpService, tmp_path: Path
) -> None:
    followup = service.register(draft(), LEMVIG, user="analytiker")
    service.record_attempt(
        followup.id, patrol="MV-11", outcome=AttemptOutcome.REACHED, user="operatør"
    )
    raw = sqlite3.connect(tmp_path / "smartspot.db")
    with pytest.raises(sqlite3.DatabaseError):
        raw.execute("UPDATE followup_citizens SET phone = '11111111'")
    with pytest.raises(sqlite3.DatabaseError):
        raw.execute("DELETE FROM followup_attempts")
    raw.close()
    clock_of(service).advance(91 * 86400)
    service.purge()
    with pytest.raises(ConflictError, match="never after erasure"):
        service.store.execute("UPDATE followup_citizens SET name = 'X'")


def test_a_citizen_edited_outside_smart_spot_breaks_audit_verify(
    service: FollowUpService, tmp_path: Path
) -> None:
    followup = service.register(draft(), LEMVIG, user="analytiker")
    raw = sqlite3.connect(tmp_path / "smartspot.db")
    raw.create_function("smartspot_writer", 0, lambda: 1)  # a forger who read the code
    raw.execute("UPDATE followup_citizens SET phone = '11111111'")
    raw.commit()
    raw.close()
    verdict = service.store.verify_audit()
    assert not verdict.ok
    assert verdict.problem is not None and followup.id in verdict.problem.message


def test_contact_is_refused_until_a_car_accepts_the_task(service: FollowUpService) -> None:
    followup = service.register(draft(), LEMVIG, user="analytiker")
    with pytest.raises(ConflictError, match="accepted"):
        service.contact(followup.id, user="operatør")
    assert [e.action for e in service.store.audit.entries()] == ["create"]


def test_the_last_failed_attempt_time_is_known_per_task(service: FollowUpService) -> None:
    followup = service.register(draft(), LEMVIG, user="analytiker")
    assert service.store.followups.last_failed_at() == {}
    service.record_attempt(
        followup.id,
        patrol="MV-11",
        outcome=AttemptOutcome.NOT_HOME,
        left=LeftBehind.NOTHING,
        user="operatør",
        at=START + timedelta(hours=1),
    )
    assert service.store.followups.last_failed_at() == {followup.id: START + timedelta(hours=1)}


def test_erased_names_and_numbers_are_gone_from_the_database_file(
    tmp_path: Path, regions: Regions
) -> None:
    path = tmp_path / "bytes.db"
    svc = new_service(path, regions)
    for _ in range(30):
        followup = svc.register(draft(), LEMVIG, user="analytiker")
        svc.close(followup.id, FollowUpStatus.DONE_BY_PHONE, user="analytiker")
    clock_of(svc).advance(91 * 86400)
    assert len(svc.purge().erased) == 30
    svc.store.close()  # the last connection checkpoints the WAL into the file
    for file in tmp_path.glob("bytes.db*"):
        data = file.read_bytes()
        assert NAME.encode() not in data and PHONE.encode() not in data, file.name
