"""The map in a real headless Chromium (Debian's, driven by Playwright): an operator sees
hotspots and cars, receives a proposal when a callout clears and accepts it; an analyst draws
a polygon hotspot with its handling instruction. Screenshots go to tests/api/_artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api import create_app
from api.app import services_of
from api.auth import new_account
from smartspot.clock import FixedClock
from smartspot.demo import load_demo_hotspots
from smartspot.resources import SCENARIOS_DIR
from tests.api.conftest import NOW, PASSWORD, add_users, make_settings
from tests.api.live_server import serving

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
TIMEOUT_MS = 20_000
OJ = "Østjyllands Politi"

pytestmark = [
    pytest.mark.sqlite_only,  # the browser drives pages whose data paths run on both backends
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium (scripts/setup.d/20-browser.sh)"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, with the demo hotspots and one car."""
    app = create_app(make_settings(tmp_path_factory.mktemp("browser")), clock=FixedClock(NOW))
    add_users(app)
    services = services_of(app)
    load_demo_hotspots(services.hotspots, SCENARIOS_DIR)
    services.engine.add_patrol("MV-21", "st02", actor="test")
    services.engine.add_patrol("OJ-11", "st12", actor="test")  # Aarhus
    local = new_account("vagt-oj", "operator", PASSWORD, now=NOW, districts=(OJ,))
    services.store.users.add(local, actor="test")
    with serving(app) as base:
        fixes = [
            {"call_sign": "MV-21", "lon": 8.97, "lat": 56.14, "at": NOW.isoformat()},
            {"call_sign": "OJ-11", "lon": 10.21, "lat": 56.15, "at": NOW.isoformat()},
        ]
        answer = httpx.post(
            f"{base}/patrols/positions",
            json={"positions": fixes},
            headers=_token(base, "operator"),
        )
        answer.raise_for_status()
        yield base
    services.close()


def _token(base: str, name: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/auth/token", data={"username": name, "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _open(browser: Any, base: str, user: str, locale: str = "da-DK") -> Any:
    # the locale sets the browser's Accept-Language, which chooses the map's language
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale=locale)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(base + "/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]")
    return page


def test_operator_sees_the_map_gets_a_proposal_and_accepts_it(server: str, browser: Any) -> None:
    page = _open(browser, server, "operator")
    assert page.locator("#district").inner_text() == "Midt- og Vestjyllands Politi"
    assert page.locator("#whoami").inner_text() == "operator (operatør)"
    # boundaries and hotspots are drawn as SVG paths; the car has its call sign on the map
    assert page.locator(".leaflet-land-pane path").count() > 90
    assert page.locator(".leaflet-overlay-pane path").count() > 40
    # town names from GeoNames at district zoom, and the data's credits always in view
    assert page.locator(".town-label", has_text="Holstebro").is_visible()
    credits = page.locator(".leaflet-control-attribution")
    assert credits.is_visible()
    for source in ("DAGI", "GeoNames", "OpenStreetMap"):
        assert source in credits.inner_text()
    car = page.locator('.car-label[data-car="MV-21"]')
    assert car.is_visible()
    assert "MV-21" in car.inner_text()
    assert (
        page.locator('#patrols tr[data-car="MV-21"]').inner_text().split("\t")[1].strip() == "Ledig"
    )
    # the analyst's tools are hidden from an operator
    assert not page.locator("#draw-polygon").is_visible()

    # the car moves live when the AVL feed reports a new position (server-sent events)
    op = _token(server, "operator")
    before = car.bounding_box()
    fix = {
        "call_sign": "MV-21",
        "lon": 9.05,
        "lat": 56.14,
        "at": (NOW + timedelta(seconds=30)).isoformat(),
    }
    httpx.post(
        f"{server}/patrols/positions", json={"positions": [fix]}, headers=op
    ).raise_for_status()
    page.wait_for_function(
        "x => document.querySelector('.car-label[data-car=\"MV-21\"]').getBoundingClientRect().x > x + 20",
        arg=before["x"],
    )

    # a callout runs its course over the API; the map hears the proposal by SSE (no polling)
    callout = httpx.post(
        f"{server}/callouts", json={"urgent": True, "lon": 8.9, "lat": 56.2}, headers=op
    ).json()
    for step, body in (("dispatch", {"patrol": "MV-21"}), ("arrive", None), ("clear", None)):
        httpx.post(
            f"{server}/callouts/{callout['id']}/{step}", json=body, headers=op
        ).raise_for_status()
    card = page.locator('.proposal[data-car="MV-21"]')
    card.wait_for()
    assert "stop på vejen hjem" in card.inner_text()
    assert card.locator("li").count() >= 1
    assert (
        page.locator('#patrols tr[data-car="MV-21"]').inner_text().split("\t")[1].strip()
        == "På vej hjem"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "operator_proposal.png"))

    proposal_id = card.get_attribute("data-proposal")
    card.locator("button.accept").click()
    page.wait_for_selector('#patrols tr[data-car="MV-21"] .st-on_task')
    assert card.count() == 0
    decided = httpx.get(f"{server}/proposals/{proposal_id}", headers=op).json()
    assert (decided["status"], decided["decided_by"]) == ("accepted", "operator")
    page.screenshot(path=str(ARTIFACTS / "operator_accepted.png"))
    page.close()


def test_a_user_of_another_district_opens_on_it_and_sees_only_its_cars_and_hotspots(
    server: str, browser: Any
) -> None:
    page = _open(browser, server, "vagt-oj")
    assert page.locator("#district").inner_text() == OJ
    lon, lat = page.evaluate("() => { const c = map.getCenter(); return [c.lng, c.lat]; }")
    assert 9.6 < lon < 11.0 and 55.8 < lat < 56.8, (lon, lat)  # Østjylland, not Holstebro
    assert page.locator('.car-label[data-car="OJ-11"]').is_visible()
    assert page.locator('.car-label[data-car="MV-21"]').count() == 0
    assert page.locator("#patrols tr[data-car]").count() == 1
    # the hotspots are all Østjylland's: the map's own call, made from the page
    kredse = page.evaluate(
        "async () => [...new Set((await api('/hotspots?status=open&limit=10000'))"
        ".features.map(f => f.properties.politikreds))]"
    )
    assert kredse == [OJ]
    # the live stream moves the district's own car
    car = page.locator('.car-label[data-car="OJ-11"]')
    before = car.bounding_box()
    fix = {
        "call_sign": "OJ-11",
        "lon": 10.30,
        "lat": 56.15,
        "at": (NOW + timedelta(seconds=20)).isoformat(),
    }
    httpx.post(
        f"{server}/patrols/positions", json={"positions": [fix]}, headers=_token(server, "vagt-oj")
    ).raise_for_status()
    page.wait_for_function(
        "x => document.querySelector('.car-label[data-car=\"OJ-11\"]').getBoundingClientRect().x > x + 5",
        arg=before["x"],
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "operator_own_district.png"))
    page.close()


def test_analyst_draws_a_polygon_hotspot_with_its_instruction(server: str, browser: Any) -> None:
    page = _open(browser, server, "analyst")
    # Zoom to a school in Herning. The page's own fit to the district may still be animating
    # when it reports ready, and would undo a single setView: set it until it holds.
    page.wait_for_function(
        """() => {
            if (map._animatingZoom) return false;
            if (map.getZoom() === 16) return true;
            map.setView([56.128, 8.995], 16, {animate: false});
            return false;
        }"""
    )
    # Herning has no OSM road data in the project: the map says so instead of a blank plane
    page.wait_for_selector(".basemap-note", state="visible")
    assert "Ingen vejdata her" in page.locator(".basemap-note").inner_text()
    page.click("#draw-polygon")
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-120, -80), (120, -80), (140, 90), (-100, 100)):
        page.mouse.click(cx + dx, cy + dy)
    page.click("#draw-finish")
    form = page.locator("#hotspot-form")
    form.wait_for()
    form.locator("input[name=title]").fill("Unge samles ved Fredhøj Skole")
    form.locator("select[name=category]").select_option("youth_nuisance")
    form.locator("select[name=priority]").select_option("4")
    form.locator("textarea[name=description]").fill(
        "Larm og knallertkørsel på skolens område om aftenen"
    )
    form.locator("textarea[name=instruction]").fill(
        "Kør ind på P-pladsen, gå en runde og tal med de unge"
    )
    form.locator("textarea[name=steps]").fill("Parker synligt\nGå en runde\nNoter antal personer")
    form.locator("textarea[name=windows]").fill("fri,sat 20:00-02:00")
    page.screenshot(path=str(ARTIFACTS / "analyst_drawing.png"))
    page.click("#hotspot-save")
    page.wait_for_selector("#toast.show")
    assert "er gemt" in page.locator("#toast").inner_text()
    assert page.locator("#draw-panel").is_hidden()
    # the detail panel shows the new hotspot's title once, as its heading
    detail = page.locator("#detail-panel")
    assert detail.inner_text().count("Unge samles ved Fredhøj Skole") == 1
    assert page.locator("#detail-title").inner_text() == "Unge samles ved Fredhøj Skole"

    planner = _token(server, "planner")
    found = httpx.get(f"{server}/hotspots", params={"limit": 1000}, headers=planner).json()
    [mine] = [
        f for f in found["features"] if f["properties"]["title"] == "Unge samles ved Fredhøj Skole"
    ]
    assert mine["geometry"]["type"] == "Polygon"
    assert len(mine["geometry"]["coordinates"][0]) == 5
    props = mine["properties"]
    assert (props["created_by"], props["kommunenavn"], props["priority"]) == (
        "analyst",
        "Herning",
        4,
    )
    assert props["steps"] == ["Parker synligt", "Gå en runde", "Noter antal personer"]
    assert props["windows"] == ["fri,sat 20:00-02:00"]

    # edit it from its detail panel: a new version
    page.click("#edit-hotspot")
    form.locator("select[name=priority]").select_option("5")
    page.click("#hotspot-save")
    page.wait_for_selector("#toast.show:has-text('version 2')")
    current = httpx.get(f"{server}/hotspots/{mine['id']}", headers=planner).json()
    assert (current["properties"]["version"], current["properties"]["priority"]) == (2, 5)

    # someone else changes it meanwhile: the map says so instead of overwriting
    page.click("#edit-hotspot")
    admin = _token(server, "admin")
    change = {"expected_version": 2, "properties": {"minutes_on_site": 10}}
    httpx.patch(f"{server}/hotspots/{mine['id']}", json=change, headers=admin).raise_for_status()
    form.locator("input[name=title]").fill("Unge ved Fredhøj Skole")
    page.click("#hotspot-save")
    page.wait_for_selector("#form-error:has-text('En anden har ændret opgaven')")
    current = httpx.get(f"{server}/hotspots/{mine['id']}", headers=planner).json()
    assert (current["properties"]["version"], current["properties"]["title"]) == (
        3,
        "Unge samles ved Fredhøj Skole",
    )
    page.close()


def test_a_wrong_password_shows_a_danish_message(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="da-DK")
    page.goto(server + "/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", "forkert-kode")
    page.click("#login-form button[type=submit]")
    error = page.wait_for_selector("#login-error:has-text('Forkert brugernavn eller adgangskode')")
    assert error is not None and error.is_visible()
    page.close()


def _watch_csp(page: Any) -> list[str]:
    """Every Content-Security-Policy complaint the page makes."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_the_map_and_the_docs_run_under_the_content_security_policy(
    server: str, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="da-DK")
    page.set_default_timeout(TIMEOUT_MS)
    complaints = _watch_csp(page)
    page.goto(server + "/")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#live:not(.down)")  # the event stream opened with its cookie
    page.click("#draw-point")  # the drawing tool and its form
    page.goto(server + "/docs")  # same tab: the map's login is in sessionStorage
    page.wait_for_selector(".swagger-ui .opblock-tag")
    assert page.locator(".opblock-tag").count() >= 3
    assert complaints == []
    page.close()


def test_the_docs_ask_for_a_login_without_one(server: str, browser: Any) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server + "/docs")
    assert page.wait_for_selector("#docs-login:not([hidden])").is_visible()
    # an English browser (Playwright's default en-US) reads the note in English
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "The documentation needs a login" in page.locator("#docs-login").inner_text()


# Aarhus C, inside the shipped OSM extract (data/osm/aarhus_c_marselis.osm.pbf)
AARHUS_C = (56.1405, 10.2165)
MAJOR_ROAD = (0xF6, 0xC3, 0x4A)  # app.js ROAD_STYLE.major
MINOR_ROAD = (0xFF, 0xFF, 0xFF)


def _pixels_near(image: Any, colour: tuple[int, int, int], box: tuple[int, ...]) -> int:
    import numpy as np

    rgb = np.asarray(image.convert("RGB").crop(box), dtype=np.int16)
    return int((np.abs(rgb - np.array(colour)).max(axis=2) <= 12).sum())


def test_street_zoom_over_aarhus_c_draws_the_offline_road_network(
    server: str, browser: Any
) -> None:
    from PIL import Image

    page = _open(browser, server, "operator")
    page.wait_for_function(
        """([lat, lon]) => {
            if (map._animatingZoom) return false;
            if (map.getZoom() !== 16) { map.setView([lat, lon], 16, {animate: false}); return false; }
            return basemap.shown === "street@16";
        }""",
        arg=list(AARHUS_C),
    )
    in_view = page.evaluate(
        "() => basemap.roads.filter((road) => map.getBounds().intersects(road.getBounds())).length"
    )
    assert in_view > 40  # road features of the street level drawn in view
    assert page.locator(".leaflet-roads-pane canvas").count() == 1
    streets = page.locator(".street-label")
    assert streets.count() >= 5
    assert page.locator(".street-label", has_text="Marselis Boulevard").count() == 1
    assert page.locator(".basemap-note").is_hidden()
    credits = page.locator(".leaflet-control-attribution")
    assert credits.is_visible() and "OpenStreetMap" in credits.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "street_zoom_aarhus_c.png"
    page.screenshot(path=str(shot))
    box = page.locator("#map").bounding_box()
    crop = (
        int(box["x"]),
        int(box["y"]),
        int(box["x"] + box["width"]),
        int(box["y"] + box["height"]),
    )
    with Image.open(shot) as image:
        major = _pixels_near(image, MAJOR_ROAD, crop)
        minor = _pixels_near(image, MINOR_ROAD, crop)
    area = (crop[2] - crop[0]) * (crop[3] - crop[1])
    assert major > 0.01 * area, f"{major} yellow main-road pixels of {area}"
    assert minor > 0.002 * area, f"{minor} white local-road pixels of {area}"
    page.close()


def _english_on_page(page: Any) -> list[str]:
    """The map catalog's English texts that show on the page where Danish should be."""
    from smartspot.i18n import catalog_messages

    danish = catalog_messages("da", "map")
    # the user's own name ("operator") is no text of the page's
    shown = page.evaluate(
        "document.body.innerText.replace(document.querySelector('#whoami').innerText, '')"
        " + ' ' + document.title"
    )
    return [
        english
        for english, dansk in danish.items()
        if english != dansk and len(english) > 3 and "{" not in english and english in shown
    ]


def test_a_danish_operator_reads_no_english_and_an_english_one_no_danish(
    server: str, browser: Any
) -> None:
    page = _open(browser, server, "operator")
    assert page.evaluate("document.documentElement.lang") == "da"
    assert page.locator("#patrol-panel h2").inner_text() == "Patruljer"
    assert _english_on_page(page) == []
    page.close()
    english = _open(browser, server, "operator", locale="en-GB")
    assert english.evaluate("document.documentElement.lang") == "en"
    assert english.locator("#patrol-panel h2").inner_text() == "Patrols"
    assert english.locator("#whoami").inner_text() == "operator (operator)"
    english.close()


def test_hotspots_behind_their_desired_visits_are_marked_until_visited(
    server: str, browser: Any
) -> None:
    planner = _token(server, "planner")
    week = {"since": "2026-03-09T00:00:00+01:00", "until": "2026-03-16T00:00:00+01:00"}
    report = httpx.get(f"{server}/reports/visits", params=week, headers=planner).json()
    rows = report["fulfilment"]["hotspots"]
    behind = {r["hotspot"] for r in rows if r["behind"]}
    # Saturday 22:00: a hotspot wanting one visit a week and not visited yet is behind
    spot = next(r for r in rows if r["behind"] and r["desired"] == 1 and r["achieved"] == 0)
    page = _open(browser, server, "operator")
    marked = page.locator(".leaflet-overlay-pane path.hotspot.behind")
    assert marked.count() == len(behind) > 0
    ring = page.locator(f".leaflet-overlay-pane path.hs-{spot['hotspot']}")
    assert "behind" in (ring.first.get_attribute("class") or "")
    assert page.locator("#legend").inner_text().count("bagud") == 1
    # a crew reports a visit: the stream brings it, the map re-reads fulfilment, the ring goes
    arrived = NOW - timedelta(hours=1)
    visit = {
        "hotspot": spot["hotspot"],
        "patrol": "MV-21",
        "arrived_at": arrived.isoformat(),
        "left_at": (arrived + timedelta(minutes=15)).isoformat(),
    }
    answer = httpx.post(f"{server}/visits", json=visit, headers=_token(server, "operator"))
    assert answer.status_code == 201, answer.text
    page.wait_for_function(
        "id => { const p = document.querySelector(`.leaflet-overlay-pane path.hs-${id}`);"
        " return p && !p.classList.contains('behind'); }",
        arg=spot["hotspot"],
    )
    assert marked.count() == len(behind) - 1
    page.close()
