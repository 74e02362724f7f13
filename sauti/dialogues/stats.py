"""Figures for programme pages and the dashboard: attendance disaggregated, commitments by status."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import median

from django.db.models import Count, Sum
from django.utils import timezone

from sauti.dialogues import results
from sauti.dialogues.models import (
    Attendance,
    Commitment,
    CommitmentStatus,
    Meeting,
    ShowOfHands,
    VerificationAnswer,
)
from sauti.dialogues.results import Verdict


@dataclass(frozen=True)
class AttendanceBreakdown:
    total: int
    by_sex: dict[str, int]
    by_age: dict[str, int]
    by_group: dict[str, int]
    by_role: dict[str, int]


def attendance_breakdown(meetings: Iterable[Meeting]) -> AttendanceBreakdown:
    rows = list(
        Attendance.objects.filter(meeting__in=list(meetings)).values_list(
            "sex", "age_band", "group__name", "role"
        )
    )
    return AttendanceBreakdown(
        total=len(rows),
        by_sex=dict(Counter(r[0] for r in rows)),
        by_age=dict(Counter(r[1] for r in rows)),
        by_group=dict(Counter(r[2] or "" for r in rows)),
        by_role=dict(Counter(r[3] for r in rows)),
    )


def commitments_by_status(commitments: Iterable[Commitment]) -> dict[str, int]:
    counts = Counter(c.status for c in commitments)
    return {s: counts.get(s, 0) for s in CommitmentStatus.values}


def days_to_fulfilment(commitments: Iterable[Commitment]) -> list[int]:
    return sorted(
        (c.completed_on - c.created_at.date()).days
        for c in commitments
        if c.status == CommitmentStatus.FULFILLED and c.completed_on is not None
    )


def median_days(values: list[int]) -> float | None:
    return median(values) if values else None


# --- The community's verdict and the result (issue 15; the rule is in results.py) -----------------


def verdicts(commitment_ids: Iterable[int]) -> dict[int, Verdict]:
    """Answers to verification questions plus shows of hands, per commitment, in two grouped queries."""
    ids = list(commitment_ids)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"yes": 0, "no": 0, "unsure": 0})
    for cid, answer, n in (
        VerificationAnswer.objects.filter(survey__commitment_id__in=ids)
        .values_list("survey__commitment_id", "answer")
        .annotate(n=Count("pk"))
    ):
        counts[cid][answer] += n
    for cid, yes, no, unsure in (
        ShowOfHands.objects.filter(commitment_id__in=ids)
        .values("commitment_id")
        .annotate(y=Sum("yes"), n=Sum("no"), u=Sum("unsure"))
        .values_list("commitment_id", "y", "n", "u")
    ):
        counts[cid]["yes"] += yes or 0
        counts[cid]["no"] += no or 0
        counts[cid]["unsure"] += unsure or 0
    return {cid: Verdict(**counts[cid]) for cid in ids}


@dataclass(frozen=True)
class Scored:
    commitment: Commitment
    verdict: Verdict
    result: str

    @property
    def result_label(self) -> str:
        return results.label(self.result)


def score(commitments: Sequence[Commitment], today: dt.date | None = None) -> list[Scored]:
    """Each commitment with the community's verdict and its result under the one rule."""
    today = today or timezone.localdate()
    found = verdicts(c.pk for c in commitments)
    return [
        Scored(c, found[c.pk], results.result_of(c.status, found[c.pk], c.due_on, today)) for c in commitments
    ]


def result_of(c: Commitment, today: dt.date | None = None) -> Scored:
    return score([c], today)[0]


def public_commitments(organisation_id: int | None = None) -> list[Commitment]:
    qs = Commitment.objects.select_related("office", "priority__programme__organisation").order_by(
        "due_on", "pk"
    )
    if organisation_id is not None:
        qs = qs.filter(priority__programme__organisation_id=organisation_id)
    return list(qs)


def scorecard_json(organisation_id: int | None = None, today: dt.date | None = None) -> dict[str, object]:
    """The contract of `sauti dialogues scorecard --json` (README): commitments and a summary."""
    scored = score(public_commitments(organisation_id), today)
    s = results.summary(x.result for x in scored)
    return {
        "commitments": [
            {
                "id": x.commitment.pk,
                "office": x.commitment.office.name,
                "official": x.commitment.official_name,
                "text": x.commitment.what,
                "due": x.commitment.due_on.isoformat(),
                "official_status": x.commitment.status,
                "progress": x.commitment.progress,
                "verdict": x.verdict.as_dict(),
                "result": x.result,
            }
            for x in scored
        ],
        "summary": {"kept_pct": s.kept_pct, "counted": s.counted},
    }
