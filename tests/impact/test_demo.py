"""The demo's invented community–police programme (Korogocho, Kayole, Mathare) fills every figure of its
organisation's impact report. Slow (builds the whole demo, as tests/dialogues/test_demo.py does)."""

from __future__ import annotations

import re
from io import StringIO

import pytest

from django.core.management import call_command
from django.test import Client

from sauti.dialogues.demo import POLICE_TITLE
from sauti.dialogues.models import Programme, ProgrammeOutcome
from sauti.people import security
from sauti.people.models import User


@pytest.mark.django_db
def test_the_demo_impact_report_has_every_figure() -> None:
    call_command("demo_data", stdout=StringIO())
    call_command("demo_data", stdout=StringIO())  # idempotent: the outcomes are not added twice
    programme = Programme.objects.get(title=POLICE_TITLE)
    outcomes = ProgrammeOutcome.objects.filter(programme=programme)
    assert outcomes.count() == 5 and all("invented" in o.description for o in outcomes)
    assert programme.meetings.filter(venue__contains="Kayole").exists()
    assert programme.meetings.filter(venue__contains="Mathare").exists()
    client = Client()
    client.force_login(User.objects.get(username="zawadi"))
    session = client.session
    session[security.SESSION_KEY] = True  # zawadi has passed two-factor
    session.save()
    r = client.get(f"/impact/{programme.organisation.slug}/")
    assert r.status_code == 200
    figures = dict(re.findall(r'id="n-(\w+)"><a href="[^"]+">([\d,]+)</a>', r.content.decode()))
    assert int(figures["people"].replace(",", "")) > 50
    assert int(figures["women_leaders"]) == 6 and int(figures["groups_formed"]) == 3
    assert int(figures["sessions"]) > 0 and int(figures["activities"]) > 0 and int(figures["trust"]) > 0
    assert client.get(f"/impact/{programme.organisation.slug}/report.pdf").content.startswith(b"%PDF")
