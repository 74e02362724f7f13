"""Following the money in the browser: a coordinator imports Mombasa's CoB chapter, chooses a ward for a
project the gazetteer could not place, a monitor records a site visit with a photo, the public scorecard and
department view show it, and a memorandum goes to the next planning cycle with its outcome."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command

from sauti.budgets import cob
from sauti.budgets.models import Observation, Project, Proposal
from sauti.people.models import Membership, Organisation, Role
from sauti.places.models import County
from tests.browser.helpers import login, shot
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COB_TEXT = cob.__file__.replace("cob.py", "data/cob_cbirr_fy2024-25_mombasa.txt")


@pytest.fixture
def organisation(db: None) -> Organisation:
    call_command("places", "load", stdout=StringIO())
    org = Organisation.objects.create(
        name="Pwani Budget Watch", slug="pwani", county=County.objects.get(code=1)
    )
    Membership.objects.create(user=make_user("wanjiku"), organisation=org, role=Role.COORDINATOR)
    Membership.objects.create(user=make_user("otieno"), organisation=org, role=Role.MONITOR)
    return org


def test_from_the_published_budget_to_the_next_plan(
    page: Page, live_server: LiveServer, organisation: Organisation, tmp_path: Path
) -> None:
    login(page, live_server, "wanjiku", PASSWORD)
    page.goto("/budgets/pwani/import/")
    page.set_input_files("input[name=file]", COB_TEXT)
    page.select_option("select[name=county]", "1")
    page.click("#import-form button[type=submit]")
    expect(page.locator("#import-summary")).to_contain_text("10 project rows and 15 department rows read")
    expect(page.locator("#import-flags")).to_contain_text("Listed twice")
    shot(page, "budgets-import-result")

    bomu = Project.objects.get(organisation=organisation, location_published="BOMU")
    page.goto(f"/budgets/pwani/projects/{bomu.number}/")
    expect(page.locator("#ward-cell")).to_contain_text("not chosen yet")
    page.select_option("#ward-form select[name=ward_other]", label="Majengo")
    page.click("#ward-form button[type=submit]")
    expect(page.locator("#ward-cell")).to_contain_text("Majengo")
    shot(page, "budgets-project")

    page.goto("/budgets/pwani/departments/1/")
    expect(page.locator("#departments")).to_contain_text("Total (as published)")
    expect(page.locator("svg.hbar").first).to_be_visible()
    shot(page, "budgets-departments")

    # A monitor visits the stadium site.
    page.context.clear_cookies()
    login(page, live_server, "otieno", PASSWORD)
    photo = tmp_path / "site.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (120, 90, 30)).save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    page.goto(f"/budgets/pwani/projects/{bomu.number}/")
    page.check("#observation-form input[value=stalled]")
    page.fill("#observation-form textarea[name=note]", "Stand half roofed, nobody working")
    page.set_input_files("#observation-form input[name=photos]", str(photo))
    page.click("#observation-form button[type=submit]")
    expect(page.locator("#observations")).to_contain_text("Stalled")
    assert Observation.objects.filter(project=bomu, status="stalled").count() == 1

    # Anyone can read the scorecard.
    page.context.clear_cookies()
    page.goto("/budgets/pwani/scorecard/")
    expect(page.locator("#scorecard")).to_contain_text("Majengo")
    expect(page.locator("#scorecard")).to_contain_text("Tononoka")
    shot(page, "budgets-scorecard")

    # The coordinator takes the flagged projects to the next ADP and records the outcome.
    login(page, live_server, "wanjiku", PASSWORD)
    page.goto("/budgets/pwani/proposals/")
    page.locator("details#proposal-form, details").first.evaluate("d => d.open = true")
    page.fill("#proposal-form input[name=title]", "Memorandum to the ADP 2026/27 hearings")
    page.fill("#proposal-form input[name=cycle]", "ADP 2026/27")
    page.locator("#proposal-form select[name=projects]").select_option(index=0)
    page.click("#proposal-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Memorandum to the ADP 2026/27 hearings")
    with page.expect_download() as download:
        page.click("text=DOCX (Kiswahili)")
    assert download.value.suggested_filename.endswith("-sw.docx")
    page.locator("details").last.evaluate("d => d.open = true")
    page.select_option("#fate-form select[name=fate]", "accepted")
    page.fill("#fate-form textarea[name=note]", "ADP 2026/27 p. 88")
    page.click("#fate-form button[type=submit]")
    expect(page.locator("#fate")).to_contain_text("ADP 2026/27 p. 88")
    assert Proposal.objects.get().fate == "accepted"
    shot(page, "budgets-proposal")
