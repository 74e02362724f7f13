from __future__ import annotations

import random
from io import StringIO

import pytest

from django.core.management import call_command

from sauti.budgets.demo import build_demo_budgets
from sauti.budgets.models import Observation, Project, Proposal, ProposalConclusion, SubmissionLink
from sauti.people.models import Organisation


@pytest.mark.django_db
def test_the_demo_imports_the_real_mombasa_figures_with_labelled_invented_observations() -> None:
    call_command("demo_data", stdout=StringIO())
    org = Organisation.objects.get(slug="pwani-demo")
    assert org.is_demo and org.name.endswith("(demo)")
    assert Project.objects.filter(organisation=org).count() == 10
    observations = Observation.objects.filter(organisation=org)
    assert observations.count() == 5
    assert all(o.invented and o.note.startswith("[Demo: invented observation]") for o in observations)
    flagged = set(Project.objects.filter(organisation=org, flagged=True).values_list("source_row", flat=True))
    assert {2, 3, 8} <= flagged  # listed twice; 100% complete as published but poor quality on site
    assert Proposal.objects.filter(organisation=org, fate=Proposal.Fate.SUBMITTED).count() == 1
    # Issue 20: survey answers about projects, and a group's conclusion in a draft memorandum.
    links = SubmissionLink.objects.filter(organisation=org)
    assert links.count() == 9 and links.values("project").distinct().count() == 3
    item = ProposalConclusion.objects.get(proposal__organisation=org)
    assert item.proposal.fate == Proposal.Fate.DRAFTED and "(demo conclusion)" in item.text and item.figures
    build_demo_budgets(random.Random(1), log=lambda _m: None)  # idempotent
    assert Observation.objects.filter(organisation=org).count() == 5
    assert SubmissionLink.objects.filter(organisation=org).count() == 9
