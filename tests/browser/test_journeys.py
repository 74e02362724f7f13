"""The foundation's journeys: log in, switch language, import a member list."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command

from sauti.people.models import Group
from tests.browser.helpers import REPO_ROOT, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SHOTS = REPO_ROOT / "docs" / "screenshots"


@pytest.fixture
def demo(db: None) -> None:
    # Transactional tests start from a flushed database: reload the gazetteer, then the demo.
    call_command("places", "load", stdout=StringIO())
    call_command("demo_data", stdout=StringIO())


def test_a_coordinator_logs_in_and_switches_to_kiswahili(
    page: Page, live_server: LiveServer, demo: None
) -> None:
    login(page, live_server, "wanjiku", "sauti-demo-2026")
    expect(page.locator("h1")).to_contain_text("Hello, Wanjiku")
    expect(page.locator(".demo-banner")).to_be_visible()
    en = shot(page, "home-en")

    page.locator("button[data-lang=sw]").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    expect(page.locator("h1")).to_contain_text("Habari, Wanjiku")
    expect(page.locator("nav")).to_contain_text("Vikundi")  # "Groups"
    sw = shot(page, "home-sw")

    page.goto("/groups/")
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    shot(page, "groups-sw")
    DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
    for path in (en, sw):
        shutil.copy(path, DOCS_SHOTS / path.name)


def test_a_coordinator_imports_a_member_list_and_fixes_a_bad_row(
    page: Page, live_server: LiveServer, demo: None, tmp_path: Path
) -> None:
    group = Group.objects.get(name="Kikuyu Young Mothers Chama")
    before = group.memberships.count()
    login(page, live_server, "wanjiku", "sauti-demo-2026")
    page.goto("/groups/")
    page.locator("#q").fill("Kikuyu")
    expect(page.locator("#group-rows")).not_to_contain_text("Githunguri")  # htmx filtered the rows
    page.get_by_role("link", name="Kikuyu Young Mothers Chama").click()
    page.get_by_role("link", name="Import a member list").click()

    bad = tmp_path / "members.csv"
    bad.write_text("jina,simu,jinsia,umri\nMercy Wanjiru,0722 410 001,F,29\nGrace Muthoni,07224,F,31\n")
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".notice.bad")).to_contain_text("Nothing was imported")
    expect(page.locator(".import-report")).to_contain_text("not a valid phone number")
    shot(page, "import-rejected")
    assert group.memberships.count() == before

    good = tmp_path / "members-fixed.csv"
    good.write_text(
        "jina,simu,jinsia,umri\nMercy Wanjiru,0722 410 001,F,29\nGrace Muthoni,0722 410 002,F,31\n"
    )
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator(".notice.ok")).to_contain_text("2 members added")
    shot(page, "import-done")
    assert group.memberships.count() == before + 2
