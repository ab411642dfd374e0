"""The follow-ups' revision on both backends: the open-hotspot cache (with the doors of the
open follow-ups) is keyed by it, so every write must move it, and only a committed one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smartspot.clock import FixedClock
from smartspot.followup_service import FollowUpService
from smartspot.followups import AttemptOutcome, FollowUpRules, FollowUpStatus, LeftBehind
from smartspot.geo.regions import Regions
from smartspot.store.open import open_store
from tests.followup_fixtures import LEMVIG, START, draft


@pytest.fixture
def service(database: str | Path, regions: Regions) -> Iterator[FollowUpService]:
    store = open_store(database, create=True)
    yield FollowUpService(store, regions, FixedClock(START), FollowUpRules())
    store.close()


def test_every_follow_up_write_moves_the_revision_and_a_rolled_back_one_does_not(
    service: FollowUpService,
) -> None:
    store = service.store
    seen = [store.followups.revision()]
    followup = service.register(draft(), LEMVIG, user="analytiker")
    seen.append(store.followups.revision())
    service.record_stay(followup.id, patrol="MV-11", at=START, user="avl")  # no new version
    seen.append(store.followups.revision())
    # the stay's outcome: the attempt's row is updated (with the task's next version)
    service.record_attempt(
        followup.id,
        patrol="MV-11",
        outcome=AttemptOutcome.NOT_HOME,
        left=LeftBehind.LEAFLET,
        user="operatør",
    )
    seen.append(store.followups.revision())
    with store.transaction():  # two writes in one transaction: a read inside sees both
        other = service.register(draft(), LEMVIG, user="analytiker")
        service.close(other.id, FollowUpStatus.CANCELLED, reason="i testen", user="analytiker")
        seen.append(store.followups.revision())
    assert seen[-1] == store.followups.revision()
    assert len(set(seen)) == len(seen)
    with pytest.raises(RuntimeError), store.transaction():
        service.register(draft(), LEMVIG, user="analytiker")
        raise RuntimeError("rolled back")
    assert store.followups.revision() == seen[-1]
    assert store.verify_audit().ok
