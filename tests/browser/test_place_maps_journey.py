"""Maps on pages and forms, on a 360×740 phone: the inbox shows its first case above the fold with the
filters folded; the case page shows the small map of its place; on the public form a tap on the map sets
the point and says the ward, and "Use my location" does the same from the phone's position."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command

from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.monitoring.models import Report
from sauti.people.models import Membership, Organisation, Role
from sauti.places.models import County
from tests.browser.helpers import login, shot
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KOROGOCHO = (-1.2475, 36.8887)
# What sticks out beyond the screen's right edge (for the failure message).
WIDER = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 360.5
  && !e.closest('.leaflet-pane')).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '
  + e.getBoundingClientRect().right)"""


@pytest.fixture
def report(db: None) -> Report:
    call_command("places", "load", stdout=StringIO())
    org = Organisation.objects.create(name="Haki Mtaani", slug="haki")
    org.area_counties.add(County.objects.get(code=47))
    coordinator = make_user("wanjiku", first_name="Wanjiku", last_name="Kamau")
    Membership.objects.create(user=coordinator, organisation=org, role=Role.COORDINATOR)
    for text in ("Sewage on the road", "No water at the kiosk for a week"):
        last = do_submit_report(
            org, ReportInput(description=text, channel="web", lat=KOROGOCHO[0], lon=KOROGOCHO[1])
        )
    return last


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="en-GB", is_mobile=True,
        has_touch=True, permissions=["geolocation"], geolocation={"latitude": -1.2475, "longitude": 36.8887},
    )  # fmt: skip
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_inbox_and_case_page_on_a_phone(
    phone: BrowserContext, live_server: LiveServer, report: Report
) -> None:
    page: Page = phone.new_page()
    login(page, live_server, "wanjiku", PASSWORD)
    page.goto("/cases/")
    first = page.locator("#case-list .case-row").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box is not None and box["y"] < 740, f"the first case starts at {box}: below the fold"
    expect(page.locator("#id_status")).to_be_hidden()  # the filters are folded
    expect(page.locator("label[for=filters-toggle]")).to_be_visible()
    shot(page, "maps-inbox-360")
    first.locator("a.case-link").click()
    expect(page.locator("#place-map.is-live")).to_be_visible()
    expect(page.locator("#place-map .area-label", has_text="Korogocho")).to_be_attached()
    expect(page.locator(".ward-sketch")).to_be_hidden()  # the map replaces the no-JavaScript sketch
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.evaluate(WIDER)
    shot(page, "maps-case-360")


def test_the_pin_and_use_my_location_on_the_public_form(
    phone: BrowserContext, live_server: LiveServer, report: Report
) -> None:
    page: Page = phone.new_page()
    leaflet: list[str] = []
    page.on("request", lambda r: leaflet.append(r.url) if "vendor/leaflet" in r.url else None)
    page.goto("/report/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.evaluate(WIDER)
    assert leaflet == []  # the form alone does not fetch the map
    page.locator("#pin-open").click()
    node = page.locator("#pin-map.is-live")
    expect(node).to_be_visible()
    assert any(u.endswith("leaflet.js") for u in leaflet)
    # Open on Nairobi (the organisation's area), tap somewhere: the point and its ward appear.
    node.scroll_into_view_if_needed()
    box = node.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#location-status")).to_contain_text("Ward:")
    expect(page.locator("#location-status")).to_contain_text("Nairobi")
    lat, lon = float(page.locator("#id_lat").input_value()), float(page.locator("#id_lon").input_value())
    assert -1.45 < lat < -1.15 and 36.6 < lon < 37.11
    shot(page, "maps-pin-360")
    # The phone's position (in Korogocho) moves the pin and names its ward.
    page.locator("#use-location").click()
    expect(page.locator("#location-status")).to_have_text("Ward: Korogocho, Ruaraka, Nairobi")
    assert page.locator("#id_lat").input_value() == "-1.24750"
    assert page.locator("#id_lon").input_value() == "36.88870"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.evaluate(WIDER)
