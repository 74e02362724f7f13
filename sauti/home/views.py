"""The home page: what needs doing, by role (issue 15).

Coordinators: new cases, reports to confirm, commitments due or disputed, follow-ups overdue, messages in
quarantine, each a link. Field monitors: their reports and where they stand. Group leaders: their groups'
reports, meetings and ballots. Analysts: the dashboards. Officials: their office's business. A user with
several roles sees each part. No identities on this page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sauti.dialogues import office, results, stats
from sauti.dialogues.access import programmes_for
from sauti.dialogues.models import (
    OPEN_COMMITMENT,
    Commitment,
    ConsensusRound,
    FollowUpAction,
    FollowUpState,
    Meeting,
)
from sauti.messaging.models import InboundMessage, InboundStatus
from sauti.monitoring.models import Case, Report, Status
from sauti.monitoring.reporters import needs_decision
from sauti.people.access import Perm, can, official_offices, organisations_for, role_in
from sauti.people.models import Contact, Group, Organisation, Role, User

DUE_SOON_DAYS = 14
LISTED = 10


def _coordinator(orgs: list[Organisation], user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    cases = Case.objects.filter(organisation__in=orgs)
    new_cases = cases.filter(status=Status.NEW).order_by("-updated_at")
    to_confirm = Report.objects.filter(organisation__in=orgs, case__isnull=False, grouping_confirmed=False)
    commitments = list(
        Commitment.objects.filter(priority__programme__organisation__in=orgs).select_related(
            "office", "priority"
        )
    )
    scored = stats.score(commitments, today)
    due_or_disputed = [
        x
        for x in scored
        if x.result == results.DISPUTED
        or (
            x.commitment.status in OPEN_COMMITMENT
            and x.commitment.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS)
        )
    ]
    overdue = FollowUpAction.objects.filter(
        programme__organisation__in=orgs, state=FollowUpState.OPEN, due_on__lt=today
    ).select_related("programme")
    messaging_orgs = [o for o in orgs if can(user, Perm.MANAGE_MESSAGING, o)]
    quarantine = [
        (o, n)
        for o in messaging_orgs
        if (n := InboundMessage.objects.filter(organisation=o, status=InboundStatus.QUARANTINED).count())
    ]
    not_fixed = needs_decision(cases).order_by("-updated_at")
    return {
        "not_fixed": not_fixed[:LISTED],
        "n_not_fixed": not_fixed.count(),
        "new_cases": new_cases[:LISTED],
        "n_new_cases": new_cases.count(),
        "to_confirm": to_confirm.select_related("case").order_by("-received_at")[:LISTED],
        "n_to_confirm": to_confirm.count(),
        "due_or_disputed": due_or_disputed[:LISTED],
        "n_due_or_disputed": len(due_or_disputed),
        "follow_ups_overdue": overdue[:LISTED],
        "n_follow_ups_overdue": overdue.count(),
        "quarantine": quarantine,
    }


def _monitor(user: User, orgs: list[Organisation]) -> dict[str, Any]:
    # Only the organisations the monitor still belongs to: a case elsewhere would be a 404 link.
    mine = (
        Report.objects.filter(submitted_by=user, organisation__in=orgs)
        .select_related("case")
        .order_by("-received_at")
    )
    return {"my_reports": mine[:20], "n_my_reports": mine.count()}


def _leader(user: User, orgs: list[Organisation]) -> dict[str, Any]:
    groups = list(Group.objects.filter(leader_memberships__user=user, organisation__in=orgs).distinct())
    members = Contact.objects.filter(group_memberships__group__in=groups)
    reports = (
        Report.objects.filter(reporter__in=members).select_related("case").order_by("-received_at")
        if groups
        else Report.objects.none()
    )
    programmes = programmes_for(user).filter(groups__in=groups).distinct()
    now = timezone.now()
    return {
        "my_groups": groups,
        "group_reports": reports[:LISTED],
        "n_group_reports": reports.count(),
        "meetings": Meeting.objects.filter(programme__in=programmes, starts_at__gte=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("programme")[:LISTED],
        "ballots": ConsensusRound.objects.filter(programme__in=programmes, state=ConsensusRound.State.OPEN),
    }


def _analyst(user: User) -> dict[str, Any]:
    return {"programmes": programmes_for(user).annotate(n=Count("meetings"))}


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return render(request, "people/landing.html")
    assert isinstance(user, User)
    orgs = list(organisations_for(user))
    roles = {role_in(user, o) for o in orgs} | ({Role.ADMIN} if user.is_superuser else set())
    context: dict[str, Any] = {"organisations": orgs, "roles": roles}
    triage = [o for o in orgs if can(user, Perm.TRIAGE_CASES, o)]
    if triage:
        context["coordinator"] = _coordinator(triage, user)
    if Role.MONITOR in roles:
        context["monitor"] = _monitor(user, orgs)
    if Role.GROUP_LEADER in roles:
        context["leader"] = _leader(user, orgs)
    if roles & {Role.ANALYST, Role.ADMIN, Role.COORDINATOR}:
        context["analyst"] = _analyst(user)
    if official_offices(user):
        context["office"] = office.office_business(user)
    return render(request, "home/home.html", context)
