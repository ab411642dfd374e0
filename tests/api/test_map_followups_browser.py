"""The map's follow-ups in headless Chromium: their own symbol, the detail panel, and the
citizen's name and phone only on an analyst's screen (or, for the patrol, on request once its
car has accepted the task)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.test_map_browser import ARTIFACTS, _open, _token, browser, pytestmark, server
from tests.followup_fixtures import NAME, PHONE

__all__ = ["browser", "pytestmark", "server"]


def test_the_map_shows_follow_ups_and_the_citizen_only_to_whom_may_see_it(
    server: str, browser: Any
) -> None:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [8.3125, 56.5486]},
        "properties": {
            "case_ref": "4100-76543-00123-26", "category": "burglary",
            "task": "Spørg til trygheden efter indbruddet", "name": NAME, "phone": PHONE,
            "address": "Vestergade 12, 7620 Lemvig",
        },
    }  # fmt: skip
    answer = httpx.post(f"{server}/followups", json=feature, headers=_token(server, "analyst"))
    answer.raise_for_status()
    followup_id = answer.json()["id"]
    marker = f'.followup-marker[data-followup="{followup_id}"]'

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
