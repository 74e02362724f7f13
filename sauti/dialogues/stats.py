"""Figures for programme pages and the dashboard: attendance disaggregated, commitments by status."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

from sauti.dialogues.models import Attendance, Commitment, CommitmentStatus, Meeting


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
