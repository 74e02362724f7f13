"""What an official is asked to do for their office: their home page and the "My office" page (issue 15).

Only what concerns the office, and never an identity: cases referred to it are listed by reference, title
and place.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sauti.dialogues import actions, results, stats
from sauti.dialogues.models import Commitment, CommitmentStatus, Invitation, Meeting, Response
from sauti.monitoring.models import Case
from sauti.people.access import official_offices
from sauti.people.models import Office


def office_business(user: Any) -> dict[str, Any]:
    """What an official is asked to do for their office (their home page and the office page)."""
    offices = official_offices(user)
    invitations = list(
        Invitation.objects.filter(office__in=offices)
        .exclude(status=Invitation.Status.DRAFTED)
        .select_related("programme", "office", "round", "meeting")
    )
    answered = set(Response.objects.filter(office__in=offices).values_list("priority_id", "office_id"))
    asked = []
    for inv in invitations:
        if inv.status == Invitation.Status.SENT:
            continue
        meetings = [
            m
            for m in inv.programme.meetings.filter(kind__in=actions.TAKES_RESPONSES).exclude(
                status=Meeting.Status.CANCELLED
            )
            if m.starts_at <= timezone.now()
        ]
        for prio in actions.agreed_priorities(inv.round):
            if (prio.pk, inv.office_id) not in answered:
                asked.append({"invitation": inv, "priority": prio, "meetings": meetings})
    commitments = stats.score(
        list(Commitment.objects.filter(office__in=offices).select_related("priority", "office"))
    )
    return {
        "offices": Office.objects.filter(pk__in=offices),
        "to_answer": [
            i for i in invitations if i.status in (Invitation.Status.SENT, Invitation.Status.ACKNOWLEDGED)
        ],
        "invitations": invitations,
        "asked": asked,
        "commitments": commitments,
        "to_update": [
            x
            for x in commitments
            if x.commitment.status in ("agreed", "in_progress") or x.result == results.DISPUTED
        ],
        "referred": Case.objects.filter(referred_to__in=offices)
        .exclude(status__in=["rejected", "resolved"])
        .order_by("-updated_at")[:50],
        "statuses": CommitmentStatus.choices,
    }
