"""Every page of the demo's Pamoja Mtaani programme and its analysis session fits a 360 px phone (review,
session 6: the reach, trust, practice, mapping, session and submissions pages scrolled sideways)."""

from __future__ import annotations

from io import StringIO

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from django.core.management import call_command

from sauti.dialogues.models import Programme
from sauti.mapping.models import MappingExercise
from sauti.peers.models import Practice
from sauti.questionnaires.models import AnalysisSession, Questionnaire
from sauti.trust.models import TrustSurvey
from tests.browser.helpers import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_pages_fit_a_360_px_phone(browser: Browser, live_server: LiveServer) -> None:
    # A transactional test before this one flushed the migration-loaded gazetteer.
    call_command("places", "load", stdout=StringIO())
    call_command("demo_data", stdout=StringIO())
    police = Programme.objects.get(title__contains="Pamoja")
    session = AnalysisSession.objects.first()
    assert session is not None
    pages = {
        "reach": f"/dialogues/{police.pk}/reach/",
        "trust": f"/trust/{TrustSurvey.objects.get(programme=police).pk}/",
        "practice": f"/peers/practices/{Practice.objects.filter(shareable=True).first().pk}/",  # type: ignore[union-attr]
        "mapping": f"/mapping/{MappingExercise.objects.filter(meeting__programme=police).first().pk}/",  # type: ignore[union-attr]
        "session": f"/forms/sessions/{session.pk}/",
        "submissions": f"/forms/{Questionnaire.objects.filter(organisation=session.organisation).first().pk}/submissions/",  # type: ignore[union-attr]
    }
    coordinator = session.organisation.memberships.filter(role="coordinator").first()
    assert coordinator is not None
    wide = _widths(
        browser, live_server, "zawadi", [pages[n] for n in ("reach", "trust", "practice", "mapping")]
    )
    wide |= _widths(browser, live_server, coordinator.user.username, [pages["session"], pages["submissions"]])
    assert {url: w for url, w in wide.items() if w > 360} == {}


def _widths(browser: Browser, live_server: LiveServer, username: str, urls: list[str]) -> dict[str, int]:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, locale="sw", is_mobile=True
    )
    page = context.new_page()
    login(page, live_server, username, "sauti-demo-2026")
    out = {}
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        out[url] = int(page.evaluate("document.documentElement.scrollWidth"))
        shot(page, f"phone-360{url}")
    context.close()
    return out
