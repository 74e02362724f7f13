"""Issue 15: a resident reports on the public form, keeps the reference and code the thanks page gives, and
follows the report on the status page, without logging in and without JavaScript."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command

from sauti.people.models import Organisation
from tests.browser.helpers import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(db: None) -> Organisation:
    call_command("places", "load", stdout=StringIO())
    return Organisation.objects.create(name="Haki Mtaani", slug="haki")


def test_a_reporter_follows_a_web_report_with_its_reference_and_code(
    browser: Browser, live_server: LiveServer, organisation: Organisation
) -> None:
    public = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
    )
    page = public.new_page()
    page.goto("/report/")
    page.fill("#id_description", "Water cut off for a week at Mabatini; Mama Wanjiru 0722 111 222 saw it.")
    page.fill("#id_place_text", "Mabatini")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("h1")).to_contain_text("Thank you")
    reference = page.locator("#reference").inner_text()
    code = page.locator("#status-key").inner_text()
    assert re.fullmatch(r"R\d+", reference) and re.fullmatch(r"[A-Z2-9]{6}", code)
    expect(page.locator("#follow-by-sms")).to_contain_text(f"HALI {reference}")
    shot(page, "report-thanks-code")

    # Later, on another phone: the status page, with the reference and the code typed in.
    later = browser.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=False)
    status = later.new_page()
    status.goto("/report/status/")
    status.fill("#id_reference", reference)
    status.fill("#id_key", "WRONG2")
    status.get_by_role("button", name="Show the status").click()
    expect(status.locator("#status-error")).to_contain_text("We found no report with this reference and code")
    status.fill("#id_key", code.lower())
    status.get_by_role("button", name="Show the status").click()
    expect(status.locator("h1")).to_contain_text(f"Your report {reference}")
    expect(status.locator("#case-status")).to_have_text("New")
    expect(status.locator("#public-timeline")).to_contain_text(f"Your report {reference} was received")
    body = (
        status.locator("main").inner_text() if status.locator("main").count() else status.inner_text("body")
    )
    assert "0722" not in body and "Wanjiru" not in body
    shot(status, "report-status-page")

    # From the thanks page directly: one button, no typing.
    page.locator("#open-status").click()
    expect(page.locator("#case-status")).to_have_text("New")
    public.close()
    later.close()
