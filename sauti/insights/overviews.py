"""What each page shows, one call per view: the figures under the map, the dashboard, the public map.

The figures come from `areas`, `figures`, `series` and (for whole organisations) `rolled`; the caller passes
cases already limited to what the user may see (`sauti.monitoring.access.cases_for`) or to what the public
may see (`public.public_cases`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sauti.insights import charts
from sauti.insights.areas import (
    HOTSPOT_DAYS,
    AreaCount,
    Hotspot,
    county_counts,
    hotspots,
    per_area,
    ward_counts,
)
from sauti.insights.figures import (
    Totals,
    channel_counts,
    funnel,
    reports_of,
    status_totals,
    totals,
)
from sauti.insights.filters import FilterError, Filters
from sauti.insights.public import public_cases, public_rows
from sauti.insights.rolled import (
    case_rollup_of,
    rolled_channel_counts,
    rolled_over_time,
    rolled_places,
    rolled_status_totals,
)
from sauti.insights.series import default_range, reports_over_time
from sauti.monitoring.models import Case, ReportChannel, Status
from sauti.places.models import County


def _with(filters: Filters, **extra: str | int) -> str:
    return urlencode([*filters.params(), *((k, str(v)) for k, v in extra.items())])


def area_chart(
    chart_id: str, title: str, areas: Sequence[AreaCount], filters: Filters, link: str = "", limit: int = 0
) -> charts.BarChart:
    """Areas as bars of cases, with reports beside; `link` names the parameter a row links with."""
    shown = areas[:limit] if limit else areas
    return charts.bar_chart(
        chart_id,
        title,
        [(a.name, a.cases) for a in shown],
        value_label=_("Cases"),
        extras=[a.reports for a in shown],
        extra_label=_("Reports"),
        hrefs=[f"?{_with(filters, **{link: a.code})}" for a in shown] if link else (),
    )


@dataclass
class MapOverview:
    filters: Filters
    totals: Totals
    counties: charts.BarChart
    county: County | None
    wards: charts.BarChart | None


def map_overview(cases: QuerySet[Case], filters: Filters, county_code: int | None) -> MapOverview:
    """The figures printed under the map (and instead of it without JavaScript)."""
    scoped = filters.apply(cases)
    county = County.objects.filter(code=county_code).first() if county_code is not None else None
    wards = None
    if county is not None:
        wards = area_chart(
            "wards",
            _("Cases per ward in %(county)s") % {"county": county.name},
            ward_counts(scoped.filter(county=county)),
            filters,
        )
    return MapOverview(
        filters,
        totals(scoped),
        area_chart("counties", _("Cases per county"), county_counts(scoped), filters, link="county"),
        county,
        wards,
    )


@dataclass
class Dashboard:
    filters: Filters
    interval: str
    start: date
    end: date
    totals: Totals
    over_time: charts.StackedChart
    funnel: charts.BarChart
    statuses: charts.BarChart
    channels: charts.BarChart
    counties: charts.BarChart
    wards: charts.BarChart
    hotspots: list[Hotspot]
    hotspot_chart: charts.BarChart


def dashboard(
    cases: QuerySet[Case],
    filters: Filters,
    interval: str,
    today: date,
    *,
    whole_organisations: Collection[int] | None = None,
) -> Dashboard:
    """Every figure of the dashboard for these (visible) cases under these filters.

    `whole_organisations`: when the visible cases are exactly these organisations' cases, the report
    figures are read from the report rollups instead of counting reports, and (without dates) the figures
    per status and place from the case rollup instead of counting cases.
    """
    if interval not in ("week", "month"):
        raise FilterError(_("Show by week or by month."))
    start, end = default_range(interval, filters.date_to or today)
    start, end = filters.date_from or start, filters.date_to or end
    scoped = filters.apply(cases)
    if whole_organisations is not None:
        over = rolled_over_time(whole_organisations, filters, interval, start, end)
        per_channel = rolled_channel_counts(whole_organisations, filters)
    else:
        over = reports_over_time(reports_of(filters.apply(cases, dates=False)), interval, start, end)
        per_channel = channel_counts(reports_of(filters.apply(cases, dates=False), filters))
    rolled = case_rollup_of(whole_organisations, filters)
    loose = None
    if rolled is not None:
        per_status, counted = rolled_status_totals(rolled)
        per_ward, loose = rolled_places(rolled)
    else:
        per_status, counted = status_totals(scoped)
        per_ward = per_area(scoped.exclude(ward=None), "ward_id", True)
    status_labels = dict(Status.choices)
    channel_labels = dict(ReportChannel.choices)
    rising = hotspots(filters.apply(cases, dates=False), today)
    what = _("by week") if interval == "week" else _("by month")
    return Dashboard(
        filters=filters,
        interval=interval,
        start=start,
        end=end,
        totals=counted,
        over_time=charts.stacked_bars(
            "over-time",
            _("Reports received %(by)s, by category") % {"by": what},
            _("%(start)s to %(end)s") % {"start": date_format(start), "end": date_format(end)},
            [b.label for b in over.buckets],
            [charts.Series(k, over.labels.get(k, k), v) for k, v in over.series.items()],
            [(b.short, b.sub) for b in over.buckets],
        ),
        funnel=charts.bar_chart("funnel", _("How far cases got"), funnel(per_status), value_label=_("Cases")),
        statuses=charts.bar_chart(
            "statuses",
            _("Cases by status"),
            [(str(status_labels[s]), n) for s, n in per_status.items()],
            value_label=_("Cases"),
            hrefs=[f"?{_with(filters, status=s)}" for s in per_status] if not filters.statuses else (),
        ),
        channels=charts.bar_chart(
            "channels",
            _("Reports by channel"),
            sorted(((str(channel_labels[c]), n) for c, n in per_channel.items()), key=lambda cn: -cn[1]),
            value_label=_("Reports"),
        ),
        counties=area_chart(
            "counties",
            _("Counties with the most cases"),
            county_counts(scoped, per_ward=per_ward, loose=loose),
            filters,
            limit=10,
        ),
        wards=area_chart(
            "wards", _("Wards with the most cases"), ward_counts(scoped, per_ward=per_ward), filters, limit=10
        ),
        hotspots=rising,
        hotspot_chart=charts.bar_chart(
            "hotspots",
            _("Rising: cases in the last %(n)d days") % {"n": HOTSPOT_DAYS},
            [(f"{h.name} ({h.county})", h.recent) for h in rising],
            value_label=_("Last %(n)d days") % {"n": HOTSPOT_DAYS},
            extras=[h.previous for h in rising],
            extra_label=_("%(n)d days before") % {"n": HOTSPOT_DAYS},
        ),
    )


@dataclass
class PublicOverview:
    filters: Filters
    total: int
    counties: charts.BarChart
    recent: list[dict[str, Any]]


def public_overview(filters: Filters) -> PublicOverview:
    cases = filters.apply(public_cases())
    areas = county_counts(cases)
    return PublicOverview(
        filters,
        cases.count(),
        charts.bar_chart(
            "public-counties",
            _("Published cases per county"),
            [(a.name, a.cases) for a in areas],
            value_label=_("Cases"),
        ),
        public_rows(cases),
    )
