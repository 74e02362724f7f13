"""The rollups behind the dashboard and the map: kept exact by the actions, rebuilt by a command (the write
side; `sauti.insights.rolled` reads them).

A million reports joined to their cases take seconds to count, and even 250,000 cases take a large part of
a page's time budget; the same questions on the rollups read a few thousand rows.

- `ReportRollup`: reports of cases per day received, case category, case status and channel;
  `ReportMonthRollup`: the same per month (the month charts and any whole months of a date range).
- `CaseRollup`: cases (with their reports and people affected summed) per category, status, county and
  ward, without time: the dashboard's and the map's figures per status and per place when no dates are set.

Every action that can change what a report counts under (its case; the case's organisation, category or
status) runs inside `recounting(...)`, and every change to a case's counted columns (created; its
organisation, category, status, county, ward, report count or people affected) inside
`recounting_cases(...)`. Each counts the affected rows before and after and applies the difference in the
same transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.db import connection, transaction
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from sauti.monitoring.models import Case, Report

# (organisation id, day received, case category id or 0, case status, channel)
Key = tuple[int, date, int, str, str]
# (organisation id, case category id or 0, case status, county id or 0, ward id or 0)
CaseKey = tuple[int, int, str, int, int]
# cases, their reports (report_count), people affected
Sums = tuple[int, int, int]

# The same syntax on SQLite (>= 3.24) and PostgreSQL; concurrent actions on one key add up rather than clash.
# (upsert, delete the key when it reached zero) per report rollup table.
REPORT_SQL = {
    "day": (
        "INSERT INTO monitoring_reportrollup (organisation_id, day, category, status, channel, reports) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (organisation_id, day, category, status, channel) "
        "DO UPDATE SET reports = monitoring_reportrollup.reports + excluded.reports",
        "DELETE FROM monitoring_reportrollup WHERE organisation_id = %s AND day = %s AND category = %s "
        "AND status = %s AND channel = %s AND reports = 0",
    ),
    "month": (
        "INSERT INTO monitoring_reportmonthrollup (organisation_id, month, category, status, channel, reports) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (organisation_id, month, category, status, channel) "
        "DO UPDATE SET reports = monitoring_reportmonthrollup.reports + excluded.reports",
        "DELETE FROM monitoring_reportmonthrollup WHERE organisation_id = %s AND month = %s AND category = %s "
        "AND status = %s AND channel = %s AND reports = 0",
    ),
}
CASE_UPSERT = (
    "INSERT INTO monitoring_caserollup (organisation_id, category, status, county, ward, cases, reports, "
    "people) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (organisation_id, category, status, county, ward) DO UPDATE SET "
    "cases = monitoring_caserollup.cases + excluded.cases, "
    "reports = monitoring_caserollup.reports + excluded.reports, "
    "people = monitoring_caserollup.people + excluded.people"
)
# A key without cases has no reports or people either (they are sums over its cases).
CASE_DROP_ZERO = (
    "DELETE FROM monitoring_caserollup WHERE organisation_id = %s AND category = %s AND status = %s "
    "AND county = %s AND ward = %s AND cases = 0"
)


def tally(reports: QuerySet[Report]) -> Counter[Key]:
    """What these reports add to the daily rollup (reports outside any case count nowhere). One query."""
    rows = (
        reports.filter(case__isnull=False)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_default_timezone()))
        .order_by()
        .values_list("case__organisation_id", "day", "case__category_id", "case__status", "channel")
        .annotate(n=Count("pk"))
    )
    return Counter({(org, day, cat or 0, status, channel): n for org, day, cat, status, channel, n in rows})


def by_month(counts: Counter[Key] | dict[Key, int]) -> Counter[Key]:
    """Daily keys folded into monthly ones (the day becomes the first of its month)."""
    out: Counter[Key] = Counter()
    for (org, day, cat, status, channel), n in counts.items():
        out[(org, day.replace(day=1), cat, status, channel)] += n
    return out


def _apply_reports(period: str, deltas: Counter[Key] | dict[Key, int]) -> None:
    changes = [(*key, n) for key, n in deltas.items() if n]
    if not changes:
        return
    upsert, drop_zero = REPORT_SQL[period]
    with connection.cursor() as cursor:
        cursor.executemany(upsert, changes)
        gone = [change[:5] for change in changes if change[5] < 0]
        if gone:
            cursor.executemany(drop_zero, gone)


def apply(deltas: Counter[Key] | dict[Key, int]) -> None:
    """Add `deltas` to the daily and monthly report rollups (an upsert per key); drop keys that reach zero."""
    _apply_reports("day", deltas)
    _apply_reports("month", by_month(deltas))


@contextmanager
def recounting(reports: QuerySet[Report]) -> Iterator[None]:
    """Count `reports` before and after the block and apply the difference (within one transaction)."""
    with transaction.atomic():
        before = tally(reports)
        yield
        after = tally(reports)
        after.subtract(before)
        apply(after)


def tally_cases(cases: QuerySet[Case]) -> dict[CaseKey, Sums]:
    """What these cases add to the case rollup. One query."""
    rows = (
        cases.order_by()
        .values_list("organisation_id", "category_id", "status", "county_id", "ward_id")
        .annotate(n=Count("pk"), r=Coalesce(Sum("report_count"), 0), p=Coalesce(Sum("people_affected"), 0))
    )
    return {
        (org, cat or 0, status, county or 0, ward or 0): (n, r, p)
        for org, cat, status, county, ward, n, r, p in rows
    }


def apply_cases(deltas: dict[CaseKey, Sums]) -> None:
    """Add `deltas` to the case rollup (an upsert per key); drop keys left without cases."""
    changes = [(*key, *sums) for key, sums in deltas.items() if any(sums)]
    if not changes:
        return
    with connection.cursor() as cursor:
        cursor.executemany(CASE_UPSERT, changes)
        gone = [change[:5] for change in changes if change[5] < 0]
        if gone:
            cursor.executemany(CASE_DROP_ZERO, gone)


def _difference(after: dict[CaseKey, Sums], before: dict[CaseKey, Sums]) -> dict[CaseKey, Sums]:
    out: dict[CaseKey, Sums] = {}
    for key in after.keys() | before.keys():
        a, b = after.get(key, (0, 0, 0)), before.get(key, (0, 0, 0))
        out[key] = (a[0] - b[0], a[1] - b[1], a[2] - b[2])
    return out


@contextmanager
def recounting_cases(cases: QuerySet[Case]) -> Iterator[None]:
    """Count `cases` before and after the block and apply the difference (within one transaction).

    The cases are locked first, so a concurrent action on them waits instead of counting the same change.
    """
    with transaction.atomic():
        list(cases.select_for_update().values_list("pk", flat=True))
        before = tally_cases(cases)
        yield
        apply_cases(_difference(tally_cases(cases), before))


def rebuild(
    organisation_ids: list[int] | None = None,
    chunk: int = 100_000,
    progress: Callable[[int, int], Any] = lambda done, total: None,
    *,
    apps: Apps = installed_apps,
) -> int:
    """Recount every rollup (of these organisations' cases, or all); returns report rollup rows written.

    `apps`: the installed apps, or the historical ones in a data migration.
    """
    written = rebuild_reports(organisation_ids, chunk, progress, apps=apps)
    rebuild_cases(organisation_ids, apps=apps)
    return written


def rebuild_reports(
    organisation_ids: list[int] | None = None,
    chunk: int = 100_000,
    progress: Callable[[int, int], Any] = lambda done, total: None,
    *,
    apps: Apps = installed_apps,
    months: bool = True,
) -> int:
    """Recount the daily (and, with `months`, the monthly) report rollup; returns daily rows written."""
    report_model = apps.get_model("monitoring", "Report")
    day_model = apps.get_model("monitoring", "ReportRollup")
    reports = report_model.objects.all()
    targets = [(day_model, "day")]
    if months:
        targets.append((apps.get_model("monitoring", "ReportMonthRollup"), "month"))
    if organisation_ids is not None:
        reports = reports.filter(case__organisation_id__in=organisation_ids)
    bounds = reports.order_by().aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"] or 0, bounds["high"] if bounds["high"] is not None else -1
    counts: Counter[Key] = Counter()
    total = max(high - low + 1, 0)
    start = low
    while start <= high:
        counts.update(tally(reports.filter(pk__gte=start, pk__lt=start + chunk)))
        start += chunk
        progress(min(start - low, total), total)
    with transaction.atomic():
        for model, period in targets:
            rows = model.objects.all()
            if organisation_ids is not None:
                rows = rows.filter(organisation_id__in=organisation_ids)
            rows.delete()
            model.objects.bulk_create(
                (
                    model(
                        organisation_id=org, category=cat, status=status, channel=channel, reports=n,
                        **{period: when},
                    )
                    for (org, when, cat, status, channel), n in (
                        counts if period == "day" else by_month(counts)
                    ).items()
                    if n
                ),
                batch_size=5000,
            )  # fmt: skip
    return sum(1 for n in counts.values() if n)


def rebuild_cases(organisation_ids: list[int] | None = None, *, apps: Apps = installed_apps) -> int:
    """Recount the case rollup; returns rows written."""
    case_model = apps.get_model("monitoring", "Case")
    rollup_model = apps.get_model("monitoring", "CaseRollup")
    cases = case_model.objects.all()
    rollup = rollup_model.objects.all()
    if organisation_ids is not None:
        cases = cases.filter(organisation_id__in=organisation_ids)
        rollup = rollup.filter(organisation_id__in=organisation_ids)
    with transaction.atomic():
        counts = tally_cases(cases)
        rollup.delete()
        rollup_model.objects.bulk_create(
            (
                rollup_model(
                    organisation_id=org, category=cat, status=status, county=county, ward=ward,
                    cases=n, reports=r, people=p,
                )
                for (org, cat, status, county, ward), (n, r, p) in counts.items()
                if n
            ),
            batch_size=5000,
        )  # fmt: skip
    return sum(1 for n, _r, _p in counts.values() if n)
