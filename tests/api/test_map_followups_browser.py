"""The map's follow-ups in headless Chromium: their own symbol, the detail panel, the
citizen's name and phone only on an analyst's screen (or, for the patrol, on request once its
car has accepted the task), and the panel's outcome and close buttons for the roles that may
record them."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.test_map_browser import ARTIFACTS, _open, _token, browser, pytestmark, server
from tests.followup_fixtures import NAME, PHONE

__all__ = ["browser", "pytestmark", "server"]


def _register(server: str, lonlat: tuple[float, float], case_ref: str) -> str:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": list(lonlat)},
        "properties": {
            "case_ref": case_ref, "category": "burglary",
            "task": "Spørg til trygheden efter indbruddet", "name": NAME, "phone": PHONE,
            "address": "Vestergade 12, 7620 Lemvig",
        },
    }  # fmt: skip
    answer = httpx.post(f"{server}/followups", json=feature, headers=_token(server, "analyst"))
    answer.raise_for_status()
    return str(answer.json()["id"])


def _marker(followup_id: str) -> str:
    return f'.followup-marker[data-followup="{followup_id}"]'


def test_the_map_shows_follow_ups_and_the_citizen_only_to_whom_may_see_it(
    server: str, browser: Any
) -> None:
    followup_id = _register(server, (8.3125, 56.5486), "4100-76543-00123-26")  # Lemvig
    marker = _marker(followup_id)

    page = _open(browser, server, "operator")
    page.locator(marker).click()
    panel = page.locator("#detail-panel")
    panel.wait_for()
    text = panel.inner_text()
    assert "Opfølgning" in page.locator("#detail-title").inner_text()
    assert "Spørg til trygheden" in text and "Vestergade 12" in text and "Indbrud" in text
    assert NAME not in page.content() and PHONE not in page.content()
    page.locator("#followup-contact-button").click()
    page.wait_for_selector("#followup-contact:not(:empty)")
    assert "accepteret" in page.locator("#followup-contact").inner_text()  # no car has it yet
    assert NAME not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "operator_followup.png"))
    page.close()

    analyst = _open(browser, server, "analyst")
    analyst.locator(marker).click()
    analyst.locator("#detail-panel").wait_for()
    shown = analyst.locator("#detail-panel").inner_text()
    assert NAME in shown and PHONE in shown
    analyst.close()


def test_an_operator_records_outcomes_and_closes_follow_ups_from_the_panel(
    server: str, browser: Any
) -> None:
    first = _register(server, (8.59, 56.49), "4100-76543-00124-26")  # Struer
    second = _register(server, (8.24, 56.09), "4100-76543-00125-26")  # Ringkøbing
    reader = _token(server, "planner")

    page = _open(browser, server, "operator")
    page.locator(_marker(first)).click()
    panel = page.locator("#detail-panel")
    panel.wait_for()
    assert page.locator("#followup-patrol").input_value() == "MV-21"  # the only car on duty
    labels = [b.inner_text() for b in panel.locator("button.outcome").all()]
    assert labels == [
        "Truffet personligt", "Ikke hjemme: folder efterladt",
        "Ikke hjemme: nabo eller pårørende kontaktet", "Ikke hjemme: intet efterladt", "Afvist",
    ]  # fmt: skip
    panel.locator("button.outcome", has_text="folder efterladt").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#detail-body dd')].some(d => d.textContent === '1')"
    )
    [attempt] = httpx.get(f"{server}/followups/{first}/attempts", headers=reader).json()
    assert (attempt["patrol"], attempt["outcome"], attempt["left"]) == (
        "MV-21",
        "not_home",
        "leaflet",
    )
    assert attempt["recorded_by"] == "operator"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "operator_followup_outcomes.png"))
    panel.locator("button.outcome", has_text="Truffet personligt").click()
    page.locator(_marker(first)).wait_for(state="detached")  # done: off the map
    # the event stream may take the marker off before the answer closes the panel
    panel.wait_for(state="hidden")
    done = httpx.get(f"{server}/followups/{first}", headers=reader).json()
    assert (done["properties"]["status"], done["properties"]["attempts"]) == ("done_in_person", 2)

    page.once("dialog", lambda dialog: dialog.accept("Borgeren er flyttet"))
    page.locator(_marker(second)).click()
    panel.locator("button.closing", has_text="Annullér opgaven").click()
    page.locator(_marker(second)).wait_for(state="detached")
    cancelled = httpx.get(f"{server}/followups/{second}", headers=reader).json()["properties"]
    assert (cancelled["status"], cancelled["close_reason"]) == ("cancelled", "Borgeren er flyttet")
    assert NAME not in page.content() and PHONE not in page.content()
    page.close()


def test_a_planner_reads_a_follow_up_without_outcome_buttons(server: str, browser: Any) -> None:
    followup_id = _register(server, (8.42, 56.18), "4100-76543-00126-26")  # Videbæk
    page = _open(browser, server, "planner")
    page.locator(_marker(followup_id)).click()
    page.locator("#detail-panel").wait_for()
    assert "Spørg til trygheden" in page.locator("#detail-panel").inner_text()
    assert page.locator("#detail-panel button").count() == 0
    page.close()
