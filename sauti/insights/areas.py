"""Cases and reports per county and per ward, and the wards where cases are rising.

Each function takes a queryset of cases the caller has already limited to what the user (or the public) may
see. They group by plain columns the (organisation, ward) index serves, and look names up afterwards in a
second, tiny query rather than joining the gazetteer into the big one.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from sauti.insights.filters import local_midnight
from sauti.monitoring.models import Case
from sauti.places.models import County, Ward

HOTSPOT_DAYS = 30


@dataclass(frozen=True, slots=True)
class AreaCount:
    code: int
    name: str
    cases: int
    reports: int
    county_code: int | None = None


def per_area(qs: QuerySet[Case], column: str, reports: bool) -> list[dict[str, Any]]:
    # Counting cases alone reads only the (organisation, ward) index; summing reports reads the rows.
    counts: dict[str, Any] = {"cases": Count("pk")}
    if reports:
        counts["reports"] = Coalesce(Sum("report_count"), 0)
    return list(qs.order_by().values(column).annotate(**counts))


def _wards(ids: Collection[int]) -> QuerySet[Ward]:
    # A country-wide count names most of the ~1,450 wards: reading them all beats a parameter per ward.
    return Ward.objects.all() if len(ids) > 300 else Ward.objects.filter(pk__in=ids)


def ward_counts(
    qs: QuerySet[Case], *, reports: bool = True, per_ward: list[dict[str, Any]] | None = None
) -> list[AreaCount]:
    """Cases (and reports, unless `reports` is false) per ward, most cases first. Two queries.

    `per_ward`: `per_area(qs.exclude(ward=None), "ward_id", reports)` if the caller has it already.
    """
    rows = per_area(qs.exclude(ward=None), "ward_id", reports) if per_ward is None else per_ward
    wards = {
        pk: (code, name, county_code)
        for pk, code, name, county_code in _wards([r["ward_id"] for r in rows]).values_list(
            "pk", "code", "name", "county__code"
        )
    }
    out = [
        AreaCount(*wards[r["ward_id"]][:2], r["cases"], r.get("reports", 0), wards[r["ward_id"]][2])
        for r in rows
    ]
    out.sort(key=lambda a: (-a.cases, a.name))
    return out


def county_counts(
    qs: QuerySet[Case],
    *,
    reports: bool = True,
    per_ward: list[dict[str, Any]] | None = None,
    loose: list[dict[str, Any]] | None = None,
) -> list[AreaCount]:
    """Cases (and reports, unless `reports` is false) per county, most cases first. Four small queries.

    A case placed in a ward counts in that ward's county: grouping by ward first lets the database answer
    from the (organisation, ward) index; only cases known to the county alone (`loose`) are grouped by county.
    """
    totals: dict[int, list[int]] = {}
    if per_ward is None:
        per_ward = per_area(qs.exclude(ward=None), "ward_id", reports)
    county_of = dict(_wards([r["ward_id"] for r in per_ward]).values_list("pk", "county_id"))
    if loose is None:
        loose = per_area(qs.filter(ward=None).exclude(county=None), "county_id", reports)
    for county_id, row in [(county_of[r["ward_id"]], r) for r in per_ward] + [
        (r["county_id"], r) for r in loose
    ]:
        found = totals.setdefault(county_id, [0, 0])
        found[0] += row["cases"]
        found[1] += row.get("reports", 0)
    names = {
        pk: (code, name)
        for pk, code, name in County.objects.filter(pk__in=totals).values_list("pk", "code", "name")
    }
    out = [AreaCount(names[pk][0], names[pk][1], n, r, names[pk][0]) for pk, (n, r) in totals.items()]
    out.sort(key=lambda a: (-a.cases, a.name))
    return out


def breaks(top: int, classes: int = 5) -> list[int]:
    """Lower bounds of the choropleth classes for counts 1..top, on a roughly logarithmic scale."""
    if top <= 0:
        return []
    out: list[int] = []
    for i in range(classes):
        bound = max(1, math.ceil(top ** (i / classes)))
        if not out or bound > out[-1]:
            out.append(bound)
    return out


@dataclass(frozen=True, slots=True)
class Hotspot:
    code: int
    name: str
    county: str
    recent: int
    previous: int

    @property
    def change(self) -> int:
        return self.recent - self.previous


def hotspots(qs: QuerySet[Case], today: date, days: int = HOTSPOT_DAYS, limit: int = 10) -> list[Hotspot]:
    """Wards whose case count rose most in the last `days` days against the `days` before. Two queries."""
    end = local_midnight(today + timedelta(days=1))
    middle, start = end - timedelta(days=days), end - timedelta(days=2 * days)
    rows = list(
        qs.filter(created_at__gte=start, created_at__lt=end)
        .exclude(ward=None)
        .order_by()
        .values("ward_id")
        .annotate(
            recent=Count("pk", filter=Q(created_at__gte=middle)),
            previous=Count("pk", filter=Q(created_at__lt=middle)),
        )
    )
    rising = sorted(
        (r for r in rows if r["recent"] > r["previous"]),
        key=lambda r: (-(r["recent"] - r["previous"]), -r["recent"], r["ward_id"]),
    )[:limit]
    wards = {
        w.pk: w for w in Ward.objects.filter(pk__in=[r["ward_id"] for r in rising]).select_related("county")
    }
    return [
        Hotspot(
            wards[r["ward_id"]].code,
            wards[r["ward_id"]].name,
            wards[r["ward_id"]].county.name,
            r["recent"],
            r["previous"],
        )
        for r in rising
    ]
