"""Maps people read, on a phone: the public map at 360×740 fits the screen, its legend folds away, the
outlines carry their names; the organisation's map opens on its area."""

from __future__ import annotations

from io import StringIO

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command

from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.monitoring.models import Case
from sauti.people.models import Organisation
from tests.browser.helpers import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(db: None) -> Organisation:
    call_command("places", "load", stdout=StringIO())
    org = Organisation.objects.create(name="Haki Mtaani", slug="haki")
    for text in ("No water at the kiosk for a week", "Sewage flowing into homes"):
        do_submit_report(
            org, ReportInput(description=text, channel="web", place_text="Mabatini", lat=-1.2621, lon=36.8577)
        )
    Case.objects.update(is_public=True)
    return org


# What sticks out beyond the screen's right edge (for the failure message).
WIDER = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361
  && !e.closest('.leaflet-pane')).slice(0, 8).map(e => e.tagName + '.' + e.className + ' '
  + Math.round(e.getBoundingClientRect().right))"""


def test_the_public_map_fits_a_360_px_phone_with_a_folded_legend_and_named_outlines(
    browser: Browser, live_server: LiveServer, published: Organisation
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="en-GB", is_mobile=True
    )
    page: Page = context.new_page()
    try:
        page.goto("/public/map/")
        expect(page.locator("#map.is-live")).to_be_visible()
        legend = page.locator(".map-legend")
        expect(legend).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.evaluate(WIDER)
        assert legend.evaluate("e => e.open") is False  # folded on a phone
        map_box = page.locator("#map").bounding_box()
        legend_box = legend.bounding_box()
        assert map_box is not None and legend_box is not None
        share = legend_box["width"] * legend_box["height"] / (map_box["width"] * map_box["height"])
        assert share < 0.25, f"the legend covers {share:.0%} of the map"
        shot(page, "maps-public-360")
        legend.locator("summary").click()  # the reader can unfold it
        assert legend.evaluate("e => e.open") is True
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "maps-public-360-legend")
        # Zoomed in, the outlines carry their names (no tiles are configured here).
        nairobi = page.locator(".area-label", has_text="Nairobi")
        for _step in range(4):  # from the national view to county names (zoom 7)
            if nairobi.count():
                break
            page.locator(".leaflet-control-zoom-in").click()
            expect(page.locator(".leaflet-zoom-anim")).to_have_count(0)
            page.wait_for_load_state("networkidle")
        expect(nairobi.first).to_be_attached()
        shot(page, "maps-public-360-labels")
    finally:
        context.close()
