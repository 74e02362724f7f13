"""The demo dataset carries a labelled dialogue programme whose pages all render."""

from __future__ import annotations

import json
from io import StringIO

import pytest

from django.core.management import call_command
from django.test import Client

from sauti.dialogues.models import (
    Attendance,
    Commitment,
    ConsensusRound,
    FollowUpAction,
    Meeting,
    Participant,
    Priority,
    Programme,
    ShowOfHands,
    VerificationAnswer,
)
from sauti.dialogues.reach import indicators
from sauti.mapping.models import MappingExercise
from sauti.monitoring.models import Report
from sauti.peers.models import Adoption, Practice
from sauti.trust.models import TrustResponse, TrustSurvey


@pytest.mark.django_db
def test_the_demo_has_a_full_cycle_and_its_pages_render() -> None:
    call_command("demo_data", stdout=StringIO())
    call_command("demo_data", stdout=StringIO())
    # Umoja's two, and Haki's water and housing dialogue that its monitoring conclusion became a priority of
    assert Programme.objects.count() == 3
    assert all("(demo)" in p.title for p in Programme.objects.all())
    programme = Programme.objects.get(title__contains="Kiambu")
    rnd = ConsensusRound.objects.get(programme=programme)
    assert rnd.state == "frozen" and rnd.result is not None
    statuses = set(Commitment.objects.values_list("status", flat=True))
    assert {"fulfilled", "in_progress", "broken", "partly_fulfilled", "agreed"} <= statuses
    assert Meeting.objects.filter(kind="community_police").exclude(segment="").count() >= 8
    assert Meeting.objects.filter(kind="peace_action").exclude(peace_action="").count() >= 3
    client = Client()
    assert client.login(username="wanjiku", password="sauti-demo-2026")
    meeting = programme.meetings.get(kind="dialogue")
    commitment = Commitment.objects.filter(priority__programme=programme, status="fulfilled").first()
    assert commitment is not None
    for url in (
        "/dialogues/",
        f"/dialogues/{programme.pk}/",
        f"/dialogues/{programme.pk}/dashboard/",
        f"/dialogues/rounds/{rnd.pk}/",
        f"/dialogues/meetings/{meeting.pk}/",
        f"/dialogues/commitments/{commitment.pk}/",
        f"/dialogues/priorities/{commitment.priority_id}/",
        "/dialogues/scorecard/",
    ):
        assert client.get(url).status_code == 200, url
    assert "Recount matches" in client.get(f"/dialogues/rounds/{rnd.pk}/").content.decode()
    police = Programme.objects.get(title__contains="Pamoja")
    reached = indicators(police)
    assert reached["targets"]["unique_people"]["target"] == 700
    # Sessions rotate between Korogocho, Kayole and Mathare: people reached by place, not "unknown".
    assert {"Korogocho", "Kayole Central", "Hospital"} <= set(reached["by_ward"])
    # Sign-in sheets recognise people across sessions: fewer people than sheet attendances.
    sheet_attendances = Attendance.objects.filter(
        meeting__programme=police, participant__isnull=False
    ).count()
    people = Participant.objects.filter(attendances__meeting__programme=police).distinct().count()
    assert 0 < people < sheet_attendances
    zawadi = Client()
    assert zawadi.login(username="zawadi", password="sauti-demo-2026")
    for url in (f"/dialogues/{police.pk}/reach/", f"/dialogues/{police.pk}/participants/"):
        assert zawadi.get(url).status_code == 200, url
    survey = TrustSurvey.objects.get(programme=police)
    assert survey.waves.count() == 2
    assert TrustResponse.objects.filter(wave__survey=survey).count() == 115
    assert zawadi.get(f"/trust/{survey.pk}/").status_code == 200
    practice = Practice.objects.get(shareable=True)
    assert Adoption.objects.filter(practice=practice, status="running").exists()
    assert Client().get(f"/peers/practices/{practice.pk}/").status_code == 200
    exercises = list(MappingExercise.objects.filter(meeting__programme=police))
    assert len(exercises) == 2
    assert zawadi.get(f"/mapping/{exercises[1].pk}/compare/?with={exercises[0].pk}").status_code == 200


@pytest.mark.django_db
def test_a_fresh_demo_passes_verify_and_shows_the_communitys_verdict() -> None:
    """Defect (issue 15): commitments back-dated with QuerySet.update() broke `sauti verify`."""
    call_command("demo_data", stdout=StringIO())
    out = StringIO()
    call_command("verify", "--json", stdout=out)  # exits non-zero (SystemExit) on any problem
    assert json.loads(out.getvalue())["ok"] is True
    # SMS reports, verification answers and shows of hands give every page something real to show.
    assert Report.objects.filter(channel="sms").count() >= 3
    assert VerificationAnswer.objects.count() >= 10 and ShowOfHands.objects.exists()
    out = StringIO()
    call_command("dialogues", "scorecard", "--org", "umoja-demo", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert {"kept", "disputed", "not_kept"} <= {c["result"] for c in data["commitments"]}
    assert data["summary"]["counted"] >= 3
    # Review (issue 15): each follow-up action and each priority's evidence is about that priority.
    widows = FollowUpAction.objects.get(what="Accompany the widows to the lands registry")
    assert widows.priority is not None and widows.priority.title == "Widows evicted from family land"
    water = Priority.objects.get(title="Water kiosks closed in Githunguri")
    assert water.cases.exists()
    assert not water.cases.exclude(category__key="water").exclude(category__parent__key="water").exists()
    client = Client()
    assert client.login(username="njeri", password="sauti-demo-2026")
    home = client.get("/").content.decode()
    assert "Invitations to answer" in home and 'id="to-update"' in home
