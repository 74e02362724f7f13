"""The budgets part of a dialogue priority's chain: the proposals that carried it to a planning cycle."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sauti.budgets.models import Proposal
from sauti.dialogues.charts import Step
from sauti.dialogues.models import Priority


def proposal_steps(priority: Priority) -> list[Step]:
    proposals = list(Proposal.objects.filter(priorities=priority).order_by("created_at", "id"))
    if not proposals:
        return []
    decided = [
        p
        for p in proposals
        if p.fate in (Proposal.Fate.ACCEPTED, Proposal.Fate.PARTLY, Proposal.Fate.REJECTED)
    ]
    return [
        Step(
            "proposal",
            _("Proposal to the next planning cycle"),
            True,
            proposals[0].created_at,
            [f"{p.title} ({p.cycle}) — {p.get_fate_display()}" for p in proposals],
        ),
        Step(
            "planning",
            _("Outcome in the plan or budget"),
            bool(decided),
            max((p.fate_at for p in decided if p.fate_at), default=None),
            [
                f"{p.cycle}: {p.get_fate_display()}" + (f" — {p.fate_note}" if p.fate_note else "")
                for p in decided
            ],
        ),
    ]
