"""The demo questionnaires: labelled, invented, idempotent, with results and a session."""

from __future__ import annotations

import random

import pytest

from sauti.people.models import Group, Membership, Organisation, Role, User
from sauti.places.models import Ward
from sauti.questionnaires.demo import build_demo_questionnaires
from sauti.questionnaires.models import AnalysisSession, Finding, Questionnaire, Submission
from sauti.questionnaires.results import contract_counts


@pytest.mark.django_db
def test_demo_questionnaires_are_labelled_and_idempotent() -> None:
    org = Organisation.objects.create(name="Haki Mtaani (demo)", slug="haki-mtaani-demo")
    Group.objects.create(
        organisation=org,
        name="Mathare 4A Residents' Association",
        kind="residents",
        ward=Ward.objects.get(code=1446),
    )
    Membership.objects.create(
        user=User.objects.create(username="coord"), organisation=org, role=Role.COORDINATOR
    )
    build_demo_questionnaires(random.Random(7), log=lambda _m: None)
    build_demo_questionnaires(random.Random(7), log=lambda _m: None)
    forms = Questionnaire.objects.filter(organisation=org)
    assert sorted(f.form_id for f in forms) == ["eviction_monitoring", "water_point"]
    assert all("invented" in f.title for f in forms)
    assert Submission.objects.count() == 144
    assert not Submission.objects.exclude(instance_id__startswith="demo:").exists()
    water = forms.get(form_id="water_point")
    assert water.short and contract_counts(water)["submissions"] == 120
    assert AnalysisSession.objects.count() == 1 and Finding.objects.get().status == "conclusion"
