"""The district planning policy: every rule refuses a bad value by key, in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest

from smartspot.errors import InvalidInputError
from smartspot.i18n import translator
from smartspot.live.policy import load_policies, parse_policy
from smartspot.resources import SCENARIOS_DIR

BASE = {"politikreds": "Midt- og Vestjyllands Politi"}


def refusal(changes: dict[str, Any]) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as refused:
        parse_policy({**BASE, **changes})
    return refused.value


@pytest.mark.parametrize(
    ("changes", "key", "danish"),
    [
        ({"politikreds": " "}, "politikreds", "mangler; angiv politikredsen"),
        ({"detour_budget_min": 500}, "detour_budget_min", "500; tilladt er 0–240"),
        ({"time_limit_ms": "fast"}, "time_limit_ms", "'fast'; et tal 1–60000"),
        ({"jitter": 1.5}, "jitter", "tilladt er 0 (fra) op til under 1"),
        ({"coverage_guard_min": 300}, "coverage_guard_min", "0–240 eller udeladt (fra)"),
        ({"shift_starts": ["15:00", "07:00"]}, "shift_starts", "sorteret liste"),
        ({"solver": "magic"}, "solver", "'magic'; vælg mellem auto, greedy"),
        ({"harm": {"dragons": 2}}, "harm", "en ukendt kategori 'dragons'"),
        ({"detection": {"radius_m": 5}}, "detection.radius_m", "5; tilladt er 10–2000"),
        ({"idle_short_only": "yes"}, "idle_short_only", "'yes'; true eller false"),
        ({"idle_cover_min": 500}, "idle_cover_min", "500; tilladt er 1–120, eller 0"),
    ],
)
def test_each_rule_names_its_key_in_danish(changes: dict[str, Any], key: str, danish: str) -> None:
    error = refusal(changes)
    text = translator("da").render(error.message)
    assert error.field == key
    assert text.startswith(f"strategi: {key} er ") and danish in text, text
    assert "allowed" not in text and "choose from" not in text


def test_english_is_there_for_who_asks() -> None:
    text = translator("en").render(refusal({"jitter": 1.5}).message)
    assert text == "policy: jitter is 1.5; allowed 0 (off) up to below 1"


def test_a_sweep_point_with_an_unknown_setting_is_refused() -> None:
    policy = parse_policy(BASE)
    with pytest.raises(InvalidInputError) as refused:
        policy.with_changes(budget=10)
    assert translator("da").render(refused.value.message) == "strategi: sweep er ukendt: budget"
    assert policy.with_changes(coverage_guard_min=0).coverage_guard_min is None


def test_idle_rounds_value_only_hotspots_short_of_the_week_unless_switched_off() -> None:
    policy = parse_policy(BASE)
    assert policy.idle_short_only and policy.idle_value.short_only
    assert not policy.value.short_only  # a car on its way home may still look in
    off = policy.with_changes(idle_short_only=0.0)  # a sweep's 0 / 1
    assert off.idle_short_only is False and not off.idle_value.short_only
    assert parse_policy({**BASE, "idle_short_only": False}).idle_short_only is False
    assert parse_policy({**BASE, "idle_cover_min": 0}).idle_cover_min is None  # off
    assert policy.with_changes(idle_cover_min=15.0).idle_cover_min == 15.0


def test_the_bundled_districts_policies_load() -> None:
    policies = load_policies(SCENARIOS_DIR)
    assert set(policies) == {"Midt- og Vestjyllands Politi", "Østjyllands Politi"}
