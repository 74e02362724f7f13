"""The read side of the rollups: the dashboard's and the map's figures read from the rows that
`sauti.monitoring.rollups` keeps exact, for a user who sees whole organisations (the rollups count every
report and case of an organisation, never a part of them)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet, Sum

from sauti.insights.figures import VERIFIED_OR_LATER, Totals
from sauti.insights.filters import Filters
from sauti.insights.series import TimeSeries, buckets, series_from_rows
from sauti.monitoring.models import CaseRollup, ReportChannel, ReportMonthRollup, ReportRollup, Status


def rollup_of(
    organisation_ids: Collection[int], filters: Filters, model: Any = ReportRollup
) -> QuerySet[Any]:
    """The rows of a rollup (`ReportRollup`, `ReportMonthRollup` or `CaseRollup`) of these organisations'
    cases that pass the filters' organisation, status and category."""
    rows: QuerySet[Any] = model.objects.filter(organisation_id__in=organisation_ids)
    if filters.organisation is not None:
        rows = rows.filter(organisation=filters.organisation)
    if filters.statuses:
        rows = rows.filter(status__in=filters.statuses)
    if filters.category:
        rows = rows.filter(category__in=filters.category_ids)
    return rows


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _report_periods(
    organisation_ids: Collection[int], filters: Filters, start: date | None, end: date | None
) -> list[QuerySet[Any]]:
    """Rollup rows covering the days start..end (inclusive, open where None): the whole months from the
    monthly rollup, the days before and after them from the daily one."""
    days, months = (
        rollup_of(organisation_ids, filters),
        rollup_of(organisation_ids, filters, ReportMonthRollup),
    )
    stop = end + timedelta(days=1) if end is not None else None  # exclusive
    first = start if start is None or start.day == 1 else _next_month(start)
    last = stop if stop is None or stop.day == 1 else stop.replace(day=1)
    if first is not None and last is not None and first >= last:
        return [days.filter(day__gte=start, day__lt=stop)]
    if first is not None:
        months = months.filter(month__gte=first)
    if last is not None:
        months = months.filter(month__lt=last)
    out = [months]
    if start is not None and first is not None and start < first:
        out.append(days.filter(day__gte=start, day__lt=first))
    if stop is not None and last is not None and last < stop:
        out.append(days.filter(day__gte=last, day__lt=stop))
    return out


def rolled_over_time(
    organisation_ids: Collection[int], filters: Filters, interval: str, start: date, end: date
) -> TimeSeries:
    """`reports_over_time` from the rollups: reports per category and day (or month), put into buckets here."""
    spans = buckets(interval, start, end)
    starts = [b.start for b in spans]
    if interval == "month":  # buckets are whole months
        rows = rollup_of(organisation_ids, filters, ReportMonthRollup)
        period = "month"
        window = {"month__gte": spans[0].start, "month__lt": spans[-1].end}
    else:
        rows, period = rollup_of(organisation_ids, filters), "day"
        window = {"day__gte": spans[0].start, "day__lt": spans[-1].end}
    found = rows.filter(**window).order_by().values_list("category", period).annotate(n=Sum("reports"))
    per_category: dict[int | None, list[int]] = {}
    for category, day, n in found:
        values = per_category.setdefault(category or None, [0] * len(spans))
        values[bisect_right(starts, day) - 1] += n
    return series_from_rows(interval, spans, list(per_category.items()))


def rolled_channel_counts(organisation_ids: Collection[int], filters: Filters) -> dict[str, int]:
    """`channel_counts(reports_of(cases, filters))` from the rollups."""
    found: dict[str, int] = {}
    for rows in _report_periods(organisation_ids, filters, filters.date_from, filters.date_to):
        for channel, n in rows.order_by().values_list("channel").annotate(n=Sum("reports")):
            found[channel] = found.get(channel, 0) + n
    return {c: found.get(c, 0) for c in ReportChannel.values}


def case_rollup_of(organisation_ids: Collection[int] | None, filters: Filters) -> QuerySet[CaseRollup] | None:
    """The case rollup rows for these whole organisations under the filters, or None when it cannot answer:
    the user sees only part of an organisation's cases (None given), or the filters set dates."""
    if organisation_ids is None or filters.date_from or filters.date_to:
        return None
    return rollup_of(organisation_ids, filters, CaseRollup)


def rolled_status_totals(rows: QuerySet[CaseRollup]) -> tuple[dict[str, int], Totals]:
    """`status_totals` from the case rollup."""
    found = {
        status: (n, r, p)
        for status, n, r, p in rows.order_by()
        .values_list("status")
        .annotate(n=Sum("cases"), r=Sum("reports"), p=Sum("people"))
    }
    counts = {s: found[s][0] if s in found else 0 for s in Status.values}
    return counts, Totals(
        sum(v[0] for v in found.values()),
        sum(v[1] for v in found.values()),
        sum(v[2] for v in found.values()),
        sum(v[0] for s, v in found.items() if s in VERIFIED_OR_LATER),
    )


def rolled_places(rows: QuerySet[CaseRollup]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(cases and reports per ward, per county of the cases without a ward) from the case rollup: the
    `per_ward` and `loose` of `county_counts`."""
    per_ward = [
        {"ward_id": ward, "cases": n, "reports": r}
        for ward, n, r in rows.exclude(ward=0)
        .order_by()
        .values_list("ward")
        .annotate(n=Sum("cases"), r=Sum("reports"))
    ]
    loose = [
        {"county_id": county, "cases": n, "reports": r}
        for county, n, r in rows.filter(ward=0)
        .exclude(county=0)
        .order_by()
        .values_list("county")
        .annotate(n=Sum("cases"), r=Sum("reports"))
    ]
    return per_ward, loose
