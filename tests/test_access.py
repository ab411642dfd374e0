"""The district rule: a user covers their own politikredse (a national user all of them), and
names typed by people become canonical ones."""

from __future__ import annotations

import pytest

from smartspot.access import ALL_DISTRICTS, Districts, choose_districts, default_districts
from smartspot.errors import ForbiddenError, InvalidInputError

MV, OJ = "Midt- og Vestjyllands Politi", "Østjyllands Politi"
KNOWN = (MV, "Midt- og Vestsjællands Politi", OJ, "Sydøstjyllands Politi")


def test_a_user_covers_only_their_own_districts() -> None:
    mine = Districts.of([MV])
    assert mine.covers(MV) and not mine.covers(OJ) and not mine.covers(None)
    mine.require(MV, what="HS-000001")
    with pytest.raises(ForbiddenError, match=f"HS-000002 belongs to {OJ}, outside"):
        mine.require(OJ, what="HS-000002")
    assert mine.allowed(KNOWN) == [MV]


def test_a_national_user_covers_everything_even_what_lies_in_no_district() -> None:
    national = Districts.of([ALL_DISTRICTS])
    assert national.everywhere and national.covers(OJ) and national.covers(None)
    assert national.allowed(KNOWN) == sorted(KNOWN)


def test_a_user_without_districts_covers_nothing() -> None:
    assert not Districts.of([]).covers(MV)


def test_typed_names_become_canonical_and_unclear_ones_are_refused() -> None:
    assert choose_districts(["østjylland", MV.upper()], KNOWN) == (MV, OJ)
    assert choose_districts(["alle"], KNOWN) == (ALL_DISTRICTS,)
    for typed in (["Midt- og Vest"], ["Atlantis"], [], ["all", OJ]):
        with pytest.raises(InvalidInputError):
            choose_districts(typed, KNOWN)


def test_new_accounts_get_all_districts_as_admins_else_the_deployments() -> None:
    assert default_districts("admin", MV) == (ALL_DISTRICTS,)
    assert default_districts("operator", MV) == (MV,)
