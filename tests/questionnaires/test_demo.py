"""The demo questionnaires: labelled, invented, idempotent, with results and a session whose figures are
real (issue 20, session 5: the water-point answers have wards, the group's ward shows non-zero figures, the
agreed conclusion cites a figure that says what its words say and is a priority of a demo programme)."""

from __future__ import annotations

import random
import re

import pytest

from django.test import Client

from sauti.dialogues.models import Programme
from sauti.people.models import Group, Membership, Organisation, Role, User
from sauti.places.models import Ward
from sauti.questionnaires.demo import build_demo_questionnaires
from sauti.questionnaires.models import AnalysisSession, Finding, Questionnaire, Submission
from sauti.questionnaires.results import contract_counts


@pytest.mark.django_db
def test_demo_questionnaires_are_labelled_idempotent_and_their_session_has_real_figures() -> None:
    org = Organisation.objects.create(name="Haki Mtaani (demo)", slug="haki-mtaani-demo")
    Group.objects.create(
        organisation=org,
        name="Mathare 4A Residents' Association",
        kind="residents",
        ward=Ward.objects.get(code=1446),
    )
    coordinator = User.objects.create(username="coord")
    Membership.objects.create(user=coordinator, organisation=org, role=Role.COORDINATOR)
    build_demo_questionnaires(random.Random(7), log=lambda _m: None)
    build_demo_questionnaires(random.Random(7), log=lambda _m: None)
    forms = Questionnaire.objects.filter(organisation=org)
    assert sorted(f.form_id for f in forms) == ["eviction_monitoring", "water_point"]
    assert all("invented" in f.title for f in forms)
    assert Submission.objects.count() == 144
    assert not Submission.objects.exclude(instance_id__startswith="demo:").exists()
    water = forms.get(form_id="water_point")
    assert water.short and contract_counts(water)["submissions"] == 120
    # Every water-point answer has a ward among the seeds' Mathare/Korogocho wards.
    assert not Submission.objects.filter(questionnaire=water, ward__isnull=True).exists()
    codes = set(Submission.objects.filter(questionnaire=water).values_list("ward__code", flat=True))
    assert 1446 in codes and codes <= {1405, 1445, 1446, 1447, 1450}
    session = AnalysisSession.objects.get()
    finding = Finding.objects.get()
    assert finding.status == "conclusion" and finding.priority is not None
    assert Programme.objects.filter(organisation=org).count() == 1
    # The figure the conclusion cites is a real, non-zero count in the group's ward.
    key = finding.figures[0]["key"]
    assert key == "disconnected=yes"
    cited = int(re.search(r"— (\d+) \(", finding.figures[0]["text"]).group(1))  # type: ignore[union-attr]
    in_ward = Submission.objects.filter(questionnaire=water, ward__code=1446)
    assert cited == sum(1 for s in in_ward if s.answers.get("disconnected") == "yes") > 0
    before, after = (float(n) for n in re.findall(r"(\d+(?:\.\d+)?)%", finding.text)[-2:])
    assert after > before  # the words say disconnections rose; the figures in them say so too
    # Issue 20, session 6: every percentage the words cite is one of the figures the finding links.
    cited_in_text = set(re.findall(r"(\d+(?:\.\d+)?)%", finding.text))
    linked = {p for f in finding.figures for p in re.findall(r"(\d+(?:\.\d+)?)%", f["text"])}
    assert cited_in_text and cited_in_text <= linked, (finding.text, finding.figures)
    assert finding.priority.title == finding.text or finding.text in finding.priority.title
    client = Client()
    client.force_login(coordinator)
    page = client.get(f"/forms/sessions/{session.pk}/").content.decode()
    assert f"{in_ward.count()} submissions" in page and not re.search(r"\b0 submissions", page)
    shared = Client().get(f"/forms/shared/{session.token}/").content.decode()
    assert f"{in_ward.count()} submissions" in shared
