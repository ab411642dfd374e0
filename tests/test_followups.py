"""The follow-up rules: attempts, the phone queue, closing, erasure, validation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from shapely.geometry import Point

from smartspot.domain import Location
from smartspot.errors import ConflictError, InvalidInputError
from smartspot.followup_rules import (
    close,
    erasable,
    erase,
    queue_reason_message,
    record_attempt,
    to_phone,
)
from smartspot.followups import (
    Attempt,
    AttemptOutcome,
    Citizen,
    FollowUp,
    FollowUpCategory,
    FollowUpRules,
    FollowUpStatus,
    LeftBehind,
    PhoneReason,
    Queue,
    check_case_ref,
    check_due_by,
)
from smartspot.windows import ActiveWindow

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
RULES = FollowUpRules()


def task(**change: object) -> FollowUp:
    base = FollowUp(
        id="TO-000001",
        case_ref="4100-76543-00123-26",
        category=FollowUpCategory.BURGLARY,
        task="Spørg til tryghed efter indbruddet; giv forebyggelsesfolder",
        position=Point(490_000, 6_250_000),
        location=Location("0661", "Holstebro", "Midt- og Vestjyllands Politi"),
        due_by=date(2026, 3, 16),
        created_by="ana",
        created_at=NOW,
        updated_by="ana",
        updated_at=NOW,
        citizen=Citizen("Karen Jensen", "20 30 40 50"),
    )
    return dataclasses.replace(base, **change)  # type: ignore[arg-type]


def attempt(outcome: AttemptOutcome | None, number: int = 1, **extra: object) -> Attempt:
    left = LeftBehind.LEAFLET if outcome is AttemptOutcome.NOT_HOME else None
    fields: dict[str, object] = {"left": left, **extra}
    return Attempt("TO-000001", number, "MV-11", NOW, outcome, **fields)  # type: ignore[arg-type]


def test_reached_in_person_closes_the_task_as_done_in_person() -> None:
    done = record_attempt(task(), attempt(AttemptOutcome.REACHED), rules=RULES, user="op", now=NOW)
    assert done.status is FollowUpStatus.DONE_IN_PERSON
    assert done.closed_at == NOW
    assert (done.attempts, done.failed_attempts, done.version) == (1, 0, 2)


def test_two_failed_attempts_send_the_task_to_the_phone_queue_with_the_reason() -> None:
    once = record_attempt(task(), attempt(AttemptOutcome.NOT_HOME), rules=RULES, user="op", now=NOW)
    assert (once.queue, once.failed_attempts, once.is_open) == (Queue.VISIT, 1, True)
    twice = record_attempt(
        once, attempt(AttemptOutcome.NOT_HOME, 2), rules=RULES, user="op", now=NOW
    )
    assert (twice.queue, twice.queue_reason) == (Queue.PHONE, PhoneReason.FAILED_ATTEMPTS)
    assert twice.is_open
    assert "2 attempts" in str(queue_reason_message(twice))
    assert not twice.for_patrols(NOW)


def test_the_number_of_failed_attempts_before_the_phone_queue_is_configurable() -> None:
    rules = FollowUpRules(max_failed_attempts=1)
    once = record_attempt(task(), attempt(AttemptOutcome.NOT_HOME), rules=rules, user="op", now=NOW)
    assert once.queue is Queue.PHONE


def test_a_refusal_closes_the_task_as_cancelled_with_the_reason() -> None:
    done = record_attempt(task(), attempt(AttemptOutcome.REFUSED), rules=RULES, user="op", now=NOW)
    assert done.status is FollowUpStatus.CANCELLED
    assert "declined" in done.close_reason


def test_a_detected_stay_without_outcome_changes_nothing_yet() -> None:
    before = task()
    assert (
        record_attempt(before, attempt(None, detected=True), rules=RULES, user="avl", now=NOW)
        is before
    )


def test_no_attempt_on_a_closed_task() -> None:
    done = record_attempt(task(), attempt(AttemptOutcome.REACHED), rules=RULES, user="op", now=NOW)
    with pytest.raises(ConflictError):
        record_attempt(done, attempt(AttemptOutcome.REACHED, 2), rules=RULES, user="op", now=NOW)


def test_not_home_needs_what_was_left_and_only_then() -> None:
    with pytest.raises(InvalidInputError) as error:
        Attempt("TO-000001", 1, "MV-11", NOW, AttemptOutcome.NOT_HOME)
    assert error.value.field == "left"
    with pytest.raises(InvalidInputError):
        Attempt("TO-000001", 1, "MV-11", NOW, AttemptOutcome.REACHED, left=LeftBehind.LEAFLET)


def test_closing_by_phone_and_cancelling_needs_a_reason() -> None:
    by_phone = close(task(), FollowUpStatus.DONE_BY_PHONE, reason="", user="ana", now=NOW)
    assert by_phone.status is FollowUpStatus.DONE_BY_PHONE
    with pytest.raises(InvalidInputError) as error:
        close(task(), FollowUpStatus.CANCELLED, reason=" ", user="ana", now=NOW)
    assert error.value.field == "close_reason"
    with pytest.raises(InvalidInputError):
        close(task(), FollowUpStatus.OPEN, reason="x", user="ana", now=NOW)
    with pytest.raises(ConflictError):
        close(by_phone, FollowUpStatus.NOT_REACHED, reason="", user="ana", now=NOW)


def test_moving_to_the_phone_queue_by_hand_says_so() -> None:
    phone = to_phone(task(), user="ana", now=NOW)
    assert (phone.queue, phone.queue_reason) == (Queue.PHONE, PhoneReason.REGISTERED)
    with pytest.raises(ConflictError):
        to_phone(phone, user="ana", now=NOW)


def test_personal_data_is_erasable_only_after_the_retention_period_from_closing() -> None:
    done = close(task(), FollowUpStatus.DONE_BY_PHONE, reason="", user="ana", now=NOW)
    assert not erasable(task(), NOW + timedelta(days=400), RULES)
    assert not erasable(done, NOW + timedelta(days=89), RULES)
    assert erasable(done, NOW + timedelta(days=90), RULES)
    erased = erase(done, user="purge", now=NOW + timedelta(days=90))
    assert erased.citizen is None and erased.erased
    assert erased.status is FollowUpStatus.DONE_BY_PHONE
    assert not erasable(erased, NOW + timedelta(days=900), RULES)
    with pytest.raises(ConflictError):
        erase(task(), user="purge", now=NOW)


def test_preferred_hours_limit_when_patrols_are_asked() -> None:
    evenings = task(windows=(ActiveWindow.parse("mon-fri 16:00-20:00"),))
    assert not evenings.for_patrols(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))  # Monday 11:00
    assert evenings.for_patrols(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))  # Monday 18:00


def test_a_case_reference_must_be_a_journal_number() -> None:
    assert check_case_ref(" 4100-76543-00123-26 ") == "4100-76543-00123-26"
    for bad in ("4100-76543-123-26", "sag 12", "", "41007654300123 26"):
        with pytest.raises(InvalidInputError) as error:
            check_case_ref(bad)
        assert error.value.field == "case_ref"


def test_a_new_task_is_not_due_in_the_past() -> None:
    assert check_due_by(date(2026, 3, 2), date(2026, 3, 2)) == date(2026, 3, 2)
    with pytest.raises(InvalidInputError) as error:
        check_due_by(date(2026, 3, 1), date(2026, 3, 2))
    assert error.value.field == "due_by"


@pytest.mark.parametrize("phone", ["2030405", "abc", "+45 2030 40 50 60 70 80 90 12"])
def test_a_phone_number_has_8_to_15_digits(phone: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        Citizen("Karen Jensen", phone)
    assert error.value.field == "phone"


def test_a_phone_number_may_be_danish_or_international() -> None:
    assert Citizen("K", "+45 20 30 40 50").phone == "+45 20 30 40 50"
    assert Citizen("K", "").phone == ""


def test_rules_refuse_nonsense() -> None:
    with pytest.raises(InvalidInputError):
        FollowUpRules(max_failed_attempts=0)
    with pytest.raises(InvalidInputError):
        FollowUpRules(retention_days=-1)


def test_an_erased_or_open_task_is_consistent() -> None:
    with pytest.raises(InvalidInputError):
        task(erased_at=NOW)  # open and erased
    with pytest.raises(InvalidInputError):
        task(queue=Queue.PHONE)  # phone queue without reason
    with pytest.raises(InvalidInputError):
        task(status=FollowUpStatus.DONE_IN_PERSON)  # closed without closing time


def test_without_citizen_keeps_everything_but_the_personal_fields() -> None:
    plain = task().without_citizen()
    assert plain.citizen is None
    assert dataclasses.replace(plain, citizen=task().citizen) == task()
