"""A report from a member of the public, through the coordinator's inbox, to a verified case."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command

from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.monitoring.models import Case, Report
from sauti.people.models import Membership, Organisation, Role
from tests.browser.helpers import login, shot
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(db: None) -> Organisation:
    # Transactional tests start from a flushed database: reload the gazetteer first.
    call_command("places", "load", stdout=StringIO())
    org = Organisation.objects.create(name="Haki Mtaani", slug="haki")  # gets the seeded taxonomy
    coordinator = make_user("wanjiku", first_name="Wanjiku", last_name="Kamau")
    Membership.objects.create(user=coordinator, organisation=org, role=Role.COORDINATOR)
    return org


def test_a_public_report_reaches_the_inbox_live_and_is_triaged_then_verified(
    page: Page, browser: Browser, live_server: LiveServer, organisation: Organisation
) -> None:
    login(page, live_server, "wanjiku", PASSWORD)
    page.goto("/cases/")
    expect(page.locator("#case-list")).to_contain_text("No cases match")
    page.evaluate("window.sautiNoReload = true")

    # A resident reports from a small phone, without logging in.
    public = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Africa/Nairobi",
        viewport={"width": 390, "height": 844},
    )
    form = public.new_page()
    form.goto("/report/")
    form.fill(
        "#id_description",
        "Bulldozers demolished 30 houses along the railway at night. Families sleep outside.",
    )
    form.fill("#id_place_text", "Mabat")
    form.locator("#place-options button", has_text="Mabatini").first.click()
    expect(form.locator("#place-field .picked")).to_contain_text("Chosen: Mabatini")
    expect(form.locator("#id_county_hint")).to_have_value("47")
    form.select_option("#id_category", label="Housing and evictions")
    form.fill("#id_people_affected", "120")
    shot(form, "report-form")
    form.get_by_role("button", name="Send the report").click()
    expect(form.locator("h1")).to_contain_text("your report was received")
    reference = form.locator("#reference").inner_text()
    report = Report.objects.get()
    assert reference == report.reference and report.ward is not None and report.ward.name == "Mabatini"
    public.close()

    # The coordinator's open inbox shows it within one poll (every 30 s while visible, issue 16), no reload.
    row = page.locator("#case-list .case-row", has_text="Bulldozers demolished")
    expect(row).to_be_visible(timeout=40_000)
    expect(row).to_have_class("case-row is-fresh")
    assert page.evaluate("window.sautiNoReload") is True
    expect(page.locator("#inbox-empty")).to_have_count(0)
    shot(page, "inbox")

    # Keyboard: j to the first case, o to open it.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    expect(row.locator(".case-link")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("o")
    case = Case.objects.get()
    assert page.url.endswith(f"/cases/{case.pk}/")
    expect(page.locator("#case-status")).to_have_text("New")

    page.locator("form.transition[data-to=triaged]").get_by_role("button", name="Mark as triaged").click()
    expect(page.locator("#case-status")).to_have_text("Triaged")
    verify = page.locator("form.transition[data-to=verified]")
    verify.locator("select[name=method]").select_option("site_visit")
    verify.locator("input[name=reason]").fill("Monitor visited on Tuesday; 30 houses down")
    verify.get_by_role("button", name="Verify").click()
    expect(page.locator("#case-status")).to_have_text("Verified")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Status: New → Triaged")
    expect(timeline).to_contain_text("Status: Triaged → Verified")
    expect(timeline).to_contain_text("Verified by: Site visit by a monitor")
    expect(timeline).to_contain_text("Wanjiku Kamau")
    shot(page, "case-verified")
    case.refresh_from_db()
    assert (case.status, case.verification_method) == ("verified", "site_visit")


def test_the_public_form_works_without_javascript(
    browser: Browser, live_server: LiveServer, organisation: Organisation
) -> None:
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto("/report/")
    page.fill("#id_description", "Sewage flowing into houses in Kibera")
    page.fill("#id_occurred_on", "2999-01-01")
    page.fill("#id_place_text", "Kibera")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("#form-errors")).to_contain_text("The date is in the future.")
    page.fill("#id_occurred_on", "")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("#reference")).to_have_text(f"R{Report.objects.get().pk}")
    context.close()


def test_a_coordinator_filters_as_she_types_and_triages_two_cases_with_the_keyboard(
    page: Page, live_server: LiveServer, organisation: Organisation
) -> None:
    for text, place in [
        ("Water kiosk closed in Kwa Reuben", "Kwa Reuben"),
        ("Sewage overflowing in Mabatini", "Mabatini"),
        ("Police beat hawkers in Kibera", "Kibera"),
    ]:
        do_submit_report(organisation, ReportInput(description=text, channel="sms", place_text=place))
    login(page, live_server, "wanjiku", PASSWORD)
    page.goto("/cases/")
    rows = page.locator("#case-list .case-row")
    expect(rows).to_have_count(3)

    page.keyboard.press("/")
    expect(page.locator("#id_q")).to_be_focused()
    page.keyboard.type("sewage")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/cases/\?.*q=sewage"))
    page.fill("#id_q", "")
    expect(rows).to_have_count(3)

    page.keyboard.press("Escape")
    for key in ["j", "x", "j", "x"]:
        page.keyboard.press(key)
    expect(page.locator("#case-list input.pick:checked")).to_have_count(2)
    page.select_option("#bulk-status", "triaged")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("2 cases are now “Triaged”.")
    shot(page, "inbox-bulk")
    assert sorted(Case.objects.values_list("status", flat=True)) == ["new", "triaged", "triaged"]
