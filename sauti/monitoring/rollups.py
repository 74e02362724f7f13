"""The daily report rollup behind the dashboard: kept exact by the actions, rebuilt by a command.

A million reports joined to their cases take seconds to count; the same question on the rollup reads a few
thousand rows. Every action that can change what a report counts under (its case; the case's organisation,
category or status) runs inside `recounting(...)`, which counts the affected reports before and after and
applies the difference in the same transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from sauti.monitoring.models import Report, ReportRollup

# (organisation id, day received, case category id or 0, case status, channel)
Key = tuple[int, date, int, str, str]
# The same syntax on SQLite (>= 3.24) and PostgreSQL; concurrent actions on one key add up rather than clash.
UPSERT = (
    "INSERT INTO monitoring_reportrollup (organisation_id, day, category, status, channel, reports) "
    "VALUES (%s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (organisation_id, day, category, status, channel) "
    "DO UPDATE SET reports = monitoring_reportrollup.reports + excluded.reports"
)
DROP_ZERO = (
    "DELETE FROM monitoring_reportrollup WHERE organisation_id = %s AND day = %s AND category = %s "
    "AND status = %s AND channel = %s AND reports = 0"
)


def tally(reports: QuerySet[Report]) -> Counter[Key]:
    """What these reports add to the rollup (reports outside any case count nowhere). One query."""
    rows = (
        reports.filter(case__isnull=False)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_default_timezone()))
        .order_by()
        .values_list("case__organisation_id", "day", "case__category_id", "case__status", "channel")
        .annotate(n=Count("pk"))
    )
    return Counter({(org, day, cat or 0, status, channel): n for org, day, cat, status, channel, n in rows})


def apply(deltas: Counter[Key] | dict[Key, int]) -> None:
    """Add `deltas` to the rollup (an upsert per key, both vendors' syntax); drop keys that reach zero."""
    changes = [(*key, n) for key, n in deltas.items() if n]
    if not changes:
        return
    with connection.cursor() as cursor:
        cursor.executemany(UPSERT, changes)
        gone = [change[:5] for change in changes if change[5] < 0]
        if gone:
            cursor.executemany(DROP_ZERO, gone)


@contextmanager
def recounting(reports: QuerySet[Report]) -> Iterator[None]:
    """Count `reports` before and after the block and apply the difference (within one transaction)."""
    with transaction.atomic():
        before = tally(reports)
        yield
        after = tally(reports)
        after.subtract(before)
        apply(after)


def rebuild(
    organisation_ids: list[int] | None = None,
    chunk: int = 100_000,
    progress: Callable[[int, int], Any] = lambda done, total: None,
    *,
    models: tuple[Any, Any] = (Report, ReportRollup),
) -> int:
    """Recount the rollup from the reports (of these organisations' cases, or all); returns rows written.

    `models`: (Report, ReportRollup), or their historical versions in a data migration.
    """
    report_model, rollup_model = models
    reports = report_model.objects.all()
    rollup = rollup_model.objects.all()
    if organisation_ids is not None:
        reports = reports.filter(case__organisation_id__in=organisation_ids)
        rollup = rollup.filter(organisation_id__in=organisation_ids)
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
        rollup.delete()
        rollup_model.objects.bulk_create(
            (
                rollup_model(
                    organisation_id=org, day=day, category=cat, status=status, channel=channel, reports=n
                )
                for (org, day, cat, status, channel), n in counts.items()
                if n
            ),
            batch_size=5000,
        )
    return sum(1 for n in counts.values() if n)
