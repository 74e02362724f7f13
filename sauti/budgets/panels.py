"""What budgets adds to questionnaires' pages (through `questionnaires.panels`): on a submission, the project
it is about and, for coordinators, a form to choose one (a list narrowed by a search, no JavaScript); on an
agreed conclusion, the memoranda it is an item of and a form to add it to one being drafted."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from sauti.budgets.models import Project, Proposal, ProposalConclusion, SubmissionLink
from sauti.people.access import Perm, can
from sauti.questionnaires.models import Finding, Submission
from sauti.questionnaires.panels import Panel

CHOICES = 200


def project_choices(org_id: int, search: str) -> list[Project]:
    qs = Project.objects.filter(organisation_id=org_id).order_by("number")
    search = search.strip()
    if search:
        found = Q(name__icontains=search) | Q(code__icontains=search) | Q(ward__name__icontains=search)
        if search.isdigit():
            found |= Q(number=int(search))
        qs = qs.filter(found)
    return list(qs.only("number", "name", "financial_year")[:CHOICES])


def _submission(request: HttpRequest, sub: Submission) -> dict[str, Any] | None:
    org = sub.questionnaire.organisation
    if not can(request.user, Perm.VIEW_BUDGETS, org):
        return None
    link = SubmissionLink.objects.filter(submission=sub).select_related("project", "linked_by").first()
    manage = can(request.user, Perm.MANAGE_BUDGETS, org)
    search = request.GET.get("project_q", "")[:100]
    return {
        "sub": sub,
        "org": org,
        "link": link,
        "manage": manage,
        "search": search,
        "projects": project_choices(org.pk, search) if manage else [],
    }


def _conclusion(request: HttpRequest, finding: Finding) -> dict[str, Any] | None:
    org = finding.session.organisation
    if not can(request.user, Perm.VIEW_BUDGETS, org):
        return None
    items = ProposalConclusion.objects.filter(finding=finding).select_related("proposal")
    manage = can(request.user, Perm.MANAGE_BUDGETS, org)
    taken = {i.proposal_id for i in items}
    drafts = (
        [
            p
            for p in Proposal.objects.filter(organisation=org, fate=Proposal.Fate.DRAFTED).order_by(
                "-created_at"
            )
            if p.pk not in taken
        ]
        if manage
        else []
    )
    return {"finding": finding, "org": org, "items": items, "manage": manage, "drafts": drafts}


SUBMISSION = Panel("budgets.project", "budgets/_submission_panel.html", _submission)
CONCLUSION = Panel("budgets.memorandum", "budgets/_conclusion_panel.html", _conclusion)
