"""The engine's reasons: a stable code and parameters, words in the reader's language."""

from __future__ import annotations

from api.language import localised_event
from smartspot.i18n import translator
from smartspot.reasons import Reason, message, messages_joined

DA, EN = translator("da"), translator("en")


def test_the_issues_reasons_read_in_danish_with_danish_durations() -> None:
    reasons = [
        Reason("remote", {"station_s": 22 * 60}),
        Reason("never_visited"),
        Reason("none_yet", {"target": 3}),
    ]
    assert EN(messages_joined(reasons)) == (
        "remote: nearest station 22 min; never visited; no visit yet of 3 a week"
    )
    assert DA(messages_joined(reasons)) == (
        "yderområde: nærmeste station 22 min.; aldrig besøgt; endnu intet af 3 besøg om ugen"
    )
    assert DA(message(Reason("not_visited_for", {"since_s": 9 * 86400}))) == "ikke besøgt i 9 dage"
    assert DA(message(Reason("cooldown", {"ago_s": 5 * 3600}))) == "hviletid: besøgt for 5 t siden"


def test_a_category_code_is_named_in_words() -> None:
    reason = Reason("priority", {"priority": 4, "category": "youth_nuisance"})
    assert DA(message(reason)) == "prioritet 4, uro blandt unge"
    assert EN(message(reason)) == reason.text() == "priority 4, youth nuisance"


def test_english_words_match_the_engines_own_text() -> None:
    for reason in (
        Reason("coverage", {"kommune": "Lemvig", "minutes": 20}),
        Reason("urgent_queue", {"politikreds": "Østjyllands Politi"}),
        Reason("opens_in", {"opens_s": 1500, "window": "fri,sat 20:00-02:00"}),
        Reason("not_visited_for", {"since_s": 3 * 3600}),
    ):
        assert EN(message(reason)) == reason.text()


def test_an_event_is_rendered_for_its_reader_and_keeps_its_codes() -> None:
    stored = {
        "id": "P-1",
        "stops": [
            {
                "hotspot": "HS-1",
                "why": "never visited",
                "reasons": [{"code": "never_visited", "params": {}, "text": "never visited"}],
            }
        ],
        "blocked": None,
        "left_out": {
            "HS-2": {"code": "claimed", "params": {}, "text": "another car is working it"}
        },
    }
    shown = localised_event("proposal", stored, DA)
    assert shown["stops"][0]["why"] == "aldrig besøgt"
    assert shown["stops"][0]["reasons"][0]["code"] == "never_visited"
    assert shown["left_out"]["HS-2"]["text"] == "en anden vogn er i gang med den"
    assert stored["stops"][0]["why"] == "never visited"  # the stored event is left as it was
    assert localised_event("patrol", {"call_sign": "MV-21"}, DA) == {"call_sign": "MV-21"}
