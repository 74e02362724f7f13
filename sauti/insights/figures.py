"""The dashboard's totals: cases, reports and people affected; cases per status; reports per channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sauti.insights.filters import Filters
from sauti.monitoring.models import Case, Report, ReportChannel, Status

# Later stages of the lifecycle: a case in one of these has been triaged / verified.
TRIAGED_OR_LATER = (Status.TRIAGED, Status.VERIFIED, Status.REFERRED, Status.RESOLVED, Status.UNRESOLVED)
VERIFIED_OR_LATER = (Status.VERIFIED, Status.REFERRED, Status.RESOLVED, Status.UNRESOLVED)
# The key under which figures count cases without a category.
UNCATEGORISED = "uncategorised"


@dataclass(frozen=True, slots=True)
class Totals:
    cases: int
    reports: int
    people_affected: int
    verified: int


def totals(qs: QuerySet[Case]) -> Totals:
    agg = qs.order_by().aggregate(
        cases=Count("pk"),
        reports=Coalesce(Sum("report_count"), 0),
        people=Coalesce(Sum("people_affected"), 0),
        verified=Count("pk", filter=Q(status__in=VERIFIED_OR_LATER)),
    )
    return Totals(agg["cases"], agg["reports"], agg["people"], agg["verified"])


def status_totals(qs: QuerySet[Case]) -> tuple[dict[str, int], Totals]:
    """`status_counts(qs)` and `totals(qs)` from one query."""
    rows = list(
        qs.order_by()
        .values_list("status")
        .annotate(
            n=Count("pk"),
            report_sum=Coalesce(Sum("report_count"), 0),
            people_sum=Coalesce(Sum("people_affected"), 0),
        )
    )
    found = {status: n for status, n, _reports, _people in rows}
    return {s: found.get(s, 0) for s in Status.values}, Totals(
        sum(r[1] for r in rows),
        sum(r[2] for r in rows),
        sum(r[3] for r in rows),
        sum(r[1] for r in rows if r[0] in VERIFIED_OR_LATER),
    )


def status_counts(qs: QuerySet[Case]) -> dict[str, int]:
    """Cases per status, every status present (zero when none)."""
    found = dict(qs.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {s: found.get(s, 0) for s in Status.values}


def funnel(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """How far cases got: received, triaged (or later), verified (or later), resolved."""
    return [
        (str(_("Received")), sum(counts.values())),
        (str(_("Triaged")), sum(counts.get(s, 0) for s in TRIAGED_OR_LATER)),
        (str(_("Verified")), sum(counts.get(s, 0) for s in VERIFIED_OR_LATER)),
        (str(_("Resolved")), counts.get(Status.RESOLVED, 0)),
    ]


def reports_of(cases: QuerySet[Case], filters: Filters | None = None) -> QuerySet[Report]:
    """The reports grouped into these cases (received within the filter's dates, if any)."""
    reports = Report.objects.filter(case__in=cases.order_by().values("pk"))
    if filters is not None:
        start, end = filters.window()
        if start is not None:
            reports = reports.filter(received_at__gte=start)
        if end is not None:
            reports = reports.filter(received_at__lt=end)
    return reports


def channel_counts(reports: QuerySet[Report]) -> dict[str, int]:
    """Reports per channel, every channel present."""
    found = dict(
        reports.order_by().values_list("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    return {c: found.get(c, 0) for c in ReportChannel.values}
