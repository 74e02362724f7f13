"""The coordinator pages fit a 360 px phone for a coordinator of two organisations and an administrator of
all of them (review of issue 16: /cases/ was 391 px wide for the one, a hidden checkbox, and 644 px for the
other, a row of "Local places of <org>" links that did not wrap)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command

from sauti.monitoring.models import Case
from sauti.people.models import Membership, Organisation, Role, User
from tests.browser.helpers import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "sauti-demo-2026"


def test_coordinator_pages_fit_a_360_px_phone(
    browser: Browser, live_server: LiveServer, settings: Any
) -> None:
    settings.SAUTI_REQUIRE_2FA = False
    # A transactional test before this one flushed the migration-loaded gazetteer.
    call_command("places", "load", stdout=StringIO())
    call_command("demo_data", stdout=StringIO())
    amina = User.objects.create_user(username="amina", password=PASSWORD, email="amina@example.org")
    for org in Organisation.objects.all():
        Membership.objects.create(user=amina, organisation=org, role=Role.ADMIN)
    case = Case.objects.filter(organisation__memberships__user__username="zawadi").first()
    assert case is not None
    wide: dict[str, int] = {}
    for username in ("zawadi", "amina"):
        for language in ("en", "sw"):
            wide |= _widths(browser, live_server, username, language, [f"/cases/{case.pk}/"])
    assert {url: w for url, w in wide.items() if w > 360} == {}


def _widths(
    browser: Browser, live_server: LiveServer, username: str, language: str, extra: list[str]
) -> dict[str, int]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, locale=language, is_mobile=True
    )
    page = context.new_page()
    login(page, live_server, username, PASSWORD)
    page.goto("/cases/")
    links = page.eval_on_selector_all(
        "header a[href^='/'], nav a[href^='/'], .page-links a[href^='/']",
        "els => els.map(e => e.getAttribute('href'))",
    )
    urls = sorted(
        {u for u in links if u and not u.startswith(("/accounts/", "/i18n/"))} | {"/cases/", *extra}
    )
    assert "/cases/" in urls and len(urls) > 5, urls
    out = {}
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        out[f"{username}:{language}:{url}"] = int(page.evaluate("document.documentElement.scrollWidth"))
        shot(page, f"coordinator-360-{username}-{language}{url}")
    context.close()
    return out
