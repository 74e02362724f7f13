"""Reports over time: calendar weeks or months, per top-level category."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sauti.insights.figures import UNCATEGORISED
from sauti.insights.filters import FilterError, local_midnight
from sauti.monitoring.models import Category, Report

MAX_BUCKETS = 60


@dataclass(frozen=True, slots=True)
class Bucket:
    start: date
    end: date  # exclusive
    label: str
    short: str  # on the chart's axis
    sub: str = ""  # second line on the axis: the year, where it changes


def buckets(interval: str, start: date, end: date) -> list[Bucket]:
    """Calendar weeks (from Monday) or months covering start..end (inclusive)."""
    out: list[Bucket] = []
    if interval == "week":
        day = start - timedelta(days=start.weekday())
        while day <= end:
            label = date_format(day, "j M")
            out.append(Bucket(day, day + timedelta(days=7), label, label))
            day += timedelta(days=7)
            if len(out) > MAX_BUCKETS:
                break
    else:
        day = start.replace(day=1)
        while day <= end:
            following = (day + timedelta(days=32)).replace(day=1)
            year = str(day.year) if not out or day.month == 1 else ""
            out.append(Bucket(day, following, date_format(day, "M Y"), date_format(day, "M"), year))
            day = following
            if len(out) > MAX_BUCKETS:
                break
    if len(out) > MAX_BUCKETS:
        raise FilterError(
            _("That period has more than %(n)d weeks or months; choose a shorter one.") % {"n": MAX_BUCKETS}
        )
    return out


def default_range(interval: str, today: date) -> tuple[date, date]:
    if interval == "week":
        return today - timedelta(weeks=11, days=today.weekday()), today
    first = today.replace(day=1)
    for _month in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today


@dataclass
class TimeSeries:
    interval: str
    buckets: list[Bucket]
    # top-level category key -> reports per bucket, and its label
    series: dict[str, list[int]]
    labels: dict[str, str]


def top_categories(ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Category pk -> (top-level key, label), for the given categories. One query."""
    out: dict[int, tuple[str, str]] = {}
    for cat in Category.objects.filter(pk__in=set(ids)).select_related("parent"):
        top = cat.parent if cat.parent_id and cat.parent else cat
        out[cat.pk] = (top.key, top.label)
    return out


def reports_over_time(reports: QuerySet[Report], interval: str, start: date, end: date) -> TimeSeries:
    """Reports per week or month and per (top-level) category of their case; one scan with a count per bucket."""
    spans = buckets(interval, start, end)
    window = reports.filter(
        received_at__gte=local_midnight(spans[0].start), received_at__lt=local_midnight(spans[-1].end)
    )
    counts = {
        f"b{i}": Count(
            "pk", filter=Q(received_at__gte=local_midnight(b.start), received_at__lt=local_midnight(b.end))
        )
        for i, b in enumerate(spans)
    }
    rows = [
        (r["case__category_id"], [r[f"b{i}"] for i in range(len(spans))])
        for r in window.order_by().values("case__category_id").annotate(**counts)
    ]
    return series_from_rows(interval, spans, rows)


def series_from_rows(
    interval: str, spans: list[Bucket], rows: list[tuple[int | None, list[int]]]
) -> TimeSeries:
    tops = top_categories(cat for cat, _values in rows if cat is not None)
    series: dict[str, list[int]] = {}
    labels = dict(tops.values())
    labels[UNCATEGORISED] = _("Uncategorised")
    for cat, counts in rows:
        key = tops[cat][0] if cat in tops else UNCATEGORISED
        values = series.setdefault(key, [0] * len(spans))
        for i, n in enumerate(counts):
            values[i] += n
    return TimeSeries(interval, spans, {k: v for k, v in series.items() if any(v)}, labels)
