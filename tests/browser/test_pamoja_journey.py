"""Pamoja Mtaani in the browser (issue 18): import a sign-in sheet and see the indicators, record a hotspot mapping
exercise, open the organisation's impact report for a chosen period and download its PDF."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command
from django.utils import timezone

from sauti.dialogues import actions
from sauti.dialogues.models import Meeting, Programme
from sauti.dialogues.reach import ensure_default_segments
from sauti.people.models import Membership, Organisation, Role
from tests.browser.helpers import login, shot
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHEET = """Jina,Simu,Jinsia,Umri,Kundi
Amina Wanjiru,0712 345 678,F,18-24,Vijana
Brian Otieno,+254 722 000 111,Male,25–35,youth
Mama Njeri,,Mwanamke,60+,Wanawake
Officer Kiptoo,0733-000-222,M,36-59,Polisi
"""


@pytest.fixture
def held(db: None) -> Meeting:
    call_command("places", "load", stdout=StringIO())
    org = Organisation.objects.create(name="Amani Mtaani Youth Forum", slug="amani")
    zawadi = make_user("zawadi", first_name="Zawadi", last_name="Njeri")
    Membership.objects.create(user=zawadi, organisation=org, role=Role.COORDINATOR)
    today = timezone.localdate()
    programme = actions.do_create_programme(
        org, zawadi, title="Pamoja Mtaani — Korogocho", starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
    )  # fmt: skip
    ensure_default_segments(programme)
    start = timezone.now() - dt.timedelta(days=2)
    return actions.do_schedule_meeting(
        programme, zawadi, kind="community_police", title="Youth and police session", starts_at=start,
        ends_at=start + dt.timedelta(hours=2), already_held=True, venue="Korogocho chief's camp",
    )  # fmt: skip


def test_sheet_indicators_mapping_and_the_impact_report(
    page: Page, live_server: LiveServer, held: Meeting, tmp_path: Path
) -> None:
    login(page, live_server, "zawadi", PASSWORD)
    programme: Programme = held.programme

    # (a) A sign-in sheet as people write it, then the indicators count people.
    page.goto(f"/dialogues/meetings/{held.pk}/")
    page.locator("summary", has_text="Import a sign-in sheet").click()
    sheet = tmp_path / "sign-in.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    page.locator("#sheet-form input[type=file]").set_input_files(str(sheet))
    page.locator("#sheet-form button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("4 attendances added")
    page.goto(f"/dialogues/{programme.pk}/reach/")
    expect(page.locator("#n-people")).to_have_text("4")
    expect(page.locator("#n-sessions")).to_have_text("1")
    shot(page, "pamoja-indicators")

    # (b) A hotspot mapping exercise recorded at the meeting.
    page.goto(f"/mapping/meeting/{held.pk}/")
    page.fill("#exercise-form [name=title]", "Safe and unsafe places — youth and police")
    page.locator("#exercise-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Safe and unsafe places — youth and police")
    page.locator("summary", has_text="Mark a place").click()
    page.fill("#hotspot-form [name=label]", "Korogocho market at night")
    page.select_option("#hotspot-form [name=kind]", "unsafe")
    page.fill("#hotspot-form [name=reason]", "Muggings after 8 pm")
    page.select_option("#hotspot-form [name=segment]", "youth")
    page.locator("#hotspot-form button[type=submit]").click()
    expect(page.locator("#hotspots")).to_contain_text("Korogocho market at night")
    shot(page, "pamoja-hotspot")

    # (c) The impact report for a chosen period, then its PDF.
    today = timezone.localdate()
    page.goto("/impact/amani/")
    page.fill("#id_since", (today - dt.timedelta(days=30)).isoformat())
    page.fill("#id_until", today.isoformat())
    page.locator("#period-form button[type=submit]").click()
    expect(page.locator("#n-people")).to_have_text("4")
    expect(page.locator("#n-sessions")).to_have_text("1")
    shot(page, "pamoja-impact-report")
    page.locator("#n-people a").click()
    expect(page.locator("h1")).to_contain_text(": 4")
    expect(page.locator("#records")).not_to_contain_text("Amina")
    page.go_back()
    with page.expect_download() as download:
        page.locator("#download-pdf").click()
    pdf = tmp_path / "impact.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.endswith(".pdf")
