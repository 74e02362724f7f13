"""Aggregates behind the map and the dashboards, computed in the database so a million reports stay fast.

The plain functions (`county_counts`, `ward_counts`, `grid_clusters`, `status_counts`, `channel_counts`,
`reports_over_time`, `hotspots`, `totals`) take a queryset of cases that the caller has already limited
to what the user may see (`sauti.monitoring.access.cases_for`) or to what the public may see (`public_cases`).
They group by plain columns or by `Round` expressions that SQLite and PostgreSQL both run natively, and
look names up afterwards in a second, tiny query rather than joining the gazetteer into the big one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlencode

from django.db.models import Avg, Count, F, FloatField, Max, Q, QuerySet, Sum, When
from django.db.models import Case as Conditional
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sauti.monitoring import charts
from sauti.monitoring.models import (
    Case,
    CaseRollup,
    Category,
    Channel,
    Report,
    ReportMonthRollup,
    ReportRollup,
    Status,
)
from sauti.people.models import Organisation
from sauti.places import gazetteer, geo
from sauti.places.models import County, Ward

EARLIEST = date(1963, 1, 1)
MAX_ZOOM = 19
# Grid cells are about a quarter of a 256 px tile wide: ~64 px on screen, whatever the zoom.
CELLS_PER_TILE = 4
# Individual points are sent only from this zoom, and only when there are at most MAX_POINTS of them.
POINTS_FROM_ZOOM = 13
MAX_POINTS = 300
# Up to this zoom (cells of 0.35 degree, ~40 km, and more) clusters count each case at its ward's centre.
WARD_GRID_MAX_ZOOM = 8
# A case's point lies in its ward's polygon, or within a few hundred metres of it (simplified edges,
# coasts); a settlement placed by hand may be a little further. Wider than both, to be safe.
WARD_MARGIN = 0.05
CASE_LIST_LIMIT = 50
MAX_BUCKETS = 60
HOTSPOT_DAYS = 30
# Later stages of the lifecycle: a case in one of these has been triaged / verified.
TRIAGED_OR_LATER = (Status.TRIAGED, Status.VERIFIED, Status.REFERRED, Status.RESOLVED, Status.UNRESOLVED)
VERIFIED_OR_LATER = (Status.VERIFIED, Status.REFERRED, Status.RESOLVED, Status.UNRESOLVED)
UNCATEGORISED = "uncategorised"


class FilterError(ValueError):
    """A query parameter the map or dashboard cannot use; the message is for the user."""


# Filters -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    organisation: Organisation | None = None
    statuses: tuple[str, ...] = ()
    category: str = ""
    category_ids: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def apply(self, qs: QuerySet[Case], *, dates: bool = True) -> QuerySet[Case]:
        if self.organisation is not None:
            qs = qs.filter(organisation=self.organisation)
        if self.statuses:
            qs = qs.filter(status__in=self.statuses)
        if self.category:
            qs = qs.filter(category_id__in=self.category_ids)
        if dates:
            start, end = self.window()
            if start is not None:
                qs = qs.filter(created_at__gte=start)
            if end is not None:
                qs = qs.filter(created_at__lt=end)
        return qs

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The date range as aware datetimes: from the start of `date_from` to the end of `date_to`."""
        start = local_midnight(self.date_from) if self.date_from else None
        end = local_midnight(self.date_to + timedelta(days=1)) if self.date_to else None
        return start, end

    def params(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.organisation is not None:
            out.append(("org", self.organisation.slug))
        out.extend(("status", s) for s in self.statuses)
        if self.category:
            out.append(("category", self.category))
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        return out

    def query_string(self) -> str:
        return urlencode(self.params())


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _date_param(params: Mapping[str, Any], name: str, label: str) -> date | None:
    raw = str(params.get(name, "") or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw[:10]) if len(raw) <= 10 else None
    except ValueError:
        day = None
    if day is None:
        raise FilterError(_("%(field)s: give a date as YYYY-MM-DD.") % {"field": label})
    if day < EARLIEST:
        raise FilterError(_("%(field)s: the date is before 1963.") % {"field": label})
    return day


def parse_filters(params: Any, organisations: QuerySet[Organisation]) -> Filters:
    """Filters from GET parameters (a QueryDict); `organisations` are those the caller may choose from."""
    org = None
    slug = str(params.get("org", "") or "").strip()
    if slug:
        org = organisations.filter(slug=slug[:60]).first()
        if org is None:
            raise FilterError(_("Unknown organisation."))
    statuses = tuple(dict.fromkeys(s for s in params.getlist("status") if s))
    bad = [s for s in statuses if s not in Status.values]
    if bad:
        raise FilterError(_("Unknown status: %(value)s.") % {"value": bad[0][:40]})
    category = str(params.get("category", "") or "").strip().lower()
    category_ids: tuple[int, ...] = ()
    if category:
        scope = Category.objects.filter(organisation__in=[org] if org else organisations)
        category_ids = tuple(
            scope.filter(Q(key=category) | Q(parent__key=category)).values_list("pk", flat=True)
        )
        if not category_ids:
            raise FilterError(_("Unknown category: %(keys)s.") % {"keys": category[:40]})
    date_from = _date_param(params, "from", _("From"))
    date_to = _date_param(params, "to", _("To"))
    if date_from and date_from > timezone.localdate():
        raise FilterError(_("%(field)s: the date is in the future.") % {"field": _("From")})
    if date_from and date_to and date_from > date_to:
        raise FilterError(_("The start date is after the end date."))
    return Filters(org, statuses, category, category_ids, date_from, date_to)


def parse_zoom(raw: str | None) -> int:
    try:
        zoom = int(str(raw).strip())
    except ValueError:
        raise FilterError(_("Zoom must be a whole number from 0 to %(max)d.") % {"max": MAX_ZOOM}) from None
    if not 0 <= zoom <= MAX_ZOOM:
        raise FilterError(_("Zoom must be a whole number from 0 to %(max)d.") % {"max": MAX_ZOOM})
    return zoom


@dataclass(frozen=True, slots=True)
class BBox:
    west: float
    south: float
    east: float
    north: float


def parse_bbox(raw: str | None) -> BBox | None:
    """`west,south,east,north` in degrees (Leaflet's `toBBoxString()`), or None when not given."""
    if raw is None or not raw.strip():
        return None
    message = _("The map area (bbox) must be west,south,east,north in degrees, west < east, south < north.")
    parts = raw.split(",")
    if len(parts) != 4:
        raise FilterError(message)
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise FilterError(message) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise FilterError(message)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise FilterError(message)
    return BBox(west, south, east, north)


def parse_code(raw: str | None, label: str, valid: Collection[int]) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        code = int(raw.strip())
    except ValueError:
        code = None
    if code is None or code not in valid:
        raise FilterError(_("Unknown %(what)s: %(value)s.") % {"what": label, "value": raw.strip()[:20]})
    return code


# Counts by place -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaCount:
    code: int
    name: str
    cases: int
    reports: int
    county_code: int | None = None


def _per_area(qs: QuerySet[Case], column: str, reports: bool) -> list[dict[str, Any]]:
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

    `per_ward`: `_per_area(qs.exclude(ward=None), "ward_id", reports)` if the caller has it already.
    """
    rows = _per_area(qs.exclude(ward=None), "ward_id", reports) if per_ward is None else per_ward
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
        per_ward = _per_area(qs.exclude(ward=None), "ward_id", reports)
    county_of = dict(_wards([r["ward_id"] for r in per_ward]).values_list("pk", "county_id"))
    if loose is None:
        loose = _per_area(qs.filter(ward=None).exclude(county=None), "county_id", reports)
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


# Clustered points ----------------------------------------------------------------------------------


def cell_size(zoom: int) -> float:
    """Width in degrees of a grid cell at this zoom (a 256 px tile spans 360 / 2**zoom degrees)."""
    return 360.0 / (1 << zoom) / CELLS_PER_TILE


@dataclass
class Clusters:
    zoom: int
    cell: float
    total: int
    # (lat, lon, count, row, column): the mean position of the cell's cases and the cell's grid index.
    cells: list[tuple[float, float, int, int, int]] = field(default_factory=list)
    # (lat, lon, case pk): only when zoomed in and few.
    points: list[tuple[float, float, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "zoom": self.zoom,
            "cell": self.cell,
            "total": self.total,
            "clusters": [[round(a, 5), round(b, 5), n, r, c] for a, b, n, r, c in self.cells],
            "points": [[round(a, 5), round(b, 5), pk] for a, b, pk in self.points],
        }


def _located(qs: QuerySet[Case], bbox: BBox | None, lat: str, lon: str) -> QuerySet[Case]:
    qs = qs.filter(**{f"{lat}__isnull": False, f"{lon}__isnull": False})
    if bbox is not None:
        qs = qs.filter(
            **{f"{lat}__gte": bbox.south, f"{lat}__lte": bbox.north},
            **{f"{lon}__gte": bbox.west, f"{lon}__lte": bbox.east},
        )
    return qs


def _grid(zoom: int, lat: str, lon: str) -> tuple[Round, Round]:
    cell = cell_size(zoom)
    return Round(F(lat) / cell, output_field=FloatField()), Round(F(lon) / cell, output_field=FloatField())


@cache
def _ward_extents() -> tuple[tuple[int, tuple[float, float, float, float]], ...]:
    """(code, (west, south, east, north)) of each ward polygon, widened by WARD_MARGIN."""
    polygons = geo.locator().polygons
    return tuple(
        (code, (w - WARD_MARGIN, s - WARD_MARGIN, e + WARD_MARGIN, n + WARD_MARGIN))
        for code, (w, s, e, n) in ((code, polygon.bounds) for code, polygon in polygons.items())
    )


def _near(qs: QuerySet[Case], bbox: BBox | None) -> QuerySet[Case]:
    """Only cases whose ward could reach into `bbox` (or that have no ward with a polygon).

    The same cases as filtering on the coordinates alone, but the database finds them through the
    (organisation, ward) index instead of reading every row: a zoomed-in view stays fast.
    """
    if bbox is None:
        return qs
    near = [
        code
        for code, (w, s, e, n) in _ward_extents()
        if not (e < bbox.west or w > bbox.east or n < bbox.south or s > bbox.north)
    ]
    near += _wards_without_polygon()
    return qs.filter(Q(ward=None) | Q(ward_id__in=Ward.objects.filter(code__in=near).values("pk")))


@cache
def _wards_without_polygon() -> list[int]:
    locator = geo.locator()
    return sorted(set(locator.wards) - set(locator.polygons))


def _cell_of(lat: float, lon: float, cell: float) -> tuple[int, int]:
    return round(lat / cell), round(lon / cell)


def _ward_cells(zoom: int, bbox: BBox | None) -> tuple[dict[int, tuple[int, int, float, float]], list[int]]:
    """Wards whose centre is in `bbox`, each with its centre's grid cell; and the wards without a centre."""
    cell = cell_size(zoom)
    wards = Ward.objects.all()
    if bbox is not None:
        wards = wards.filter(
            Q(lat=None)
            | Q(lon=None)
            | Q(lat__gte=bbox.south, lat__lte=bbox.north, lon__gte=bbox.west, lon__lte=bbox.east)
        )
    placed: dict[int, tuple[int, int, float, float]] = {}
    unplaced: list[int] = []
    for pk, lat, lon in wards.values_list("pk", "lat", "lon"):
        if lat is None or lon is None:
            unplaced.append(pk)
        else:
            placed[pk] = (*_cell_of(lat, lon, cell), lat, lon)
    return placed, unplaced


def grid_clusters(
    qs: QuerySet[Case],
    zoom: int,
    bbox: BBox | None,
    *,
    lat: str = "lat",
    lon: str = "lon",
    points: bool = True,
    per_ward: list[dict[str, Any]] | None = None,
) -> Clusters:
    """Cases in `bbox`, grouped into grid cells sized for `zoom`.

    Up to WARD_GRID_MAX_ZOOM (cells of 40 km and more) a case counts at its ward's centre, so the database
    only counts cases per ward from its (organisation, ward) index: three queries, fast for the whole
    country. Closer in, cases are grouped by their own coordinates (`lat`/`lon` name the columns or
    annotations; the public map passes coarsened ones): one query. From POINTS_FROM_ZOOM, when no more
    than MAX_POINTS cases are in view, the points themselves come back (unless `points` is false: the
    public map lists a cell's cases, never a single case). `per_ward`: the cases per ward (`ward_id`,
    `cases`) of `qs` if the caller has them already (from the case rollup).
    """
    cell = cell_size(zoom)
    if zoom <= WARD_GRID_MAX_ZOOM:
        return _ward_grid(qs, zoom, bbox, lat, lon, per_ward)
    located = _located(_near(qs, bbox), bbox, lat, lon).order_by()
    if points and zoom >= POINTS_FROM_ZOOM:
        rows = list(located.values_list(lat, lon, "pk")[: MAX_POINTS + 1])
        if len(rows) <= MAX_POINTS:
            return Clusters(zoom, cell, len(rows), points=[(a, b, pk) for a, b, pk in rows])
    cells = _point_cells(located, zoom, lat, lon)
    cells.sort(key=lambda c: (-c[2], c[3], c[4]))
    return Clusters(zoom, cell, sum(c[2] for c in cells), cells=cells)


def _point_cells(
    located: QuerySet[Case], zoom: int, lat: str, lon: str
) -> list[tuple[float, float, int, int, int]]:
    row, col = _grid(zoom, lat, lon)
    grouped = (
        located.order_by()
        .annotate(grid_row=row, grid_col=col)
        .values("grid_row", "grid_col")
        .annotate(n=Count("pk"), mean_lat=Avg(lat), mean_lon=Avg(lon))
    )
    return [
        (float(r["mean_lat"]), float(r["mean_lon"]), r["n"], int(r["grid_row"]), int(r["grid_col"]))
        for r in grouped
    ]


def _ward_grid(
    qs: QuerySet[Case],
    zoom: int,
    bbox: BBox | None,
    lat: str,
    lon: str,
    per_ward: list[dict[str, Any]] | None = None,
) -> Clusters:
    placed, unplaced = _ward_cells(zoom, bbox)
    if per_ward is None:
        per_ward = list(qs.exclude(ward=None).order_by().values("ward_id").annotate(cases=Count("pk")))
    sums: dict[tuple[int, int], list[float]] = {}
    for r in per_ward:
        if r["ward_id"] not in placed:
            continue  # outside the box, or without a centre (counted with the loose cases below)
        row, col, wlat, wlon = placed[r["ward_id"]]
        acc = sums.setdefault((row, col), [0, 0.0, 0.0])
        acc[0] += r["cases"]
        acc[1] += wlat * r["cases"]
        acc[2] += wlon * r["cases"]
    # Cases without a ward (known only to the county) or in a ward without a centre: their own coordinates.
    loose = _located(qs.filter(Q(ward=None) | Q(ward_id__in=unplaced)), bbox, lat, lon)
    for mean_lat, mean_lon, n, row, col in _point_cells(loose, zoom, lat, lon):
        acc = sums.setdefault((row, col), [0, 0.0, 0.0])
        acc[0] += n
        acc[1] += mean_lat * n
        acc[2] += mean_lon * n
    cells = [(a[1] / a[0], a[2] / a[0], int(a[0]), row, col) for (row, col), a in sums.items()]
    cells.sort(key=lambda c: (-c[2], c[3], c[4]))
    return Clusters(zoom, cell_size(zoom), sum(c[2] for c in cells), cells=cells)


def in_cell(
    qs: QuerySet[Case], zoom: int, row: int, col: int, *, lat: str = "lat", lon: str = "lon"
) -> QuerySet[Case]:
    """The cases of one grid cell as `grid_clusters` drew it (same rule, so the same cases)."""
    cell = cell_size(zoom)
    # The box around the cell lets the database skip most rows before computing the rounding.
    box = BBox(
        max(-180.0, (col - 1) * cell), max(-90.0, (row - 1) * cell), min(180.0, (col + 1) * cell),
        min(90.0, (row + 1) * cell),
    )  # fmt: skip
    row_of, col_of = _grid(zoom, lat, lon)
    if zoom > WARD_GRID_MAX_ZOOM:
        return (
            _located(qs, box, lat, lon)
            .annotate(grid_row=row_of, grid_col=col_of)
            .filter(grid_row=row, grid_col=col)
        )
    placed, unplaced = _ward_cells(zoom, box)
    wards = [pk for pk, (r, c, _lat, _lon) in placed.items() if (r, c) == (row, col)]
    loose = (
        _located(qs.filter(Q(ward=None) | Q(ward_id__in=unplaced)), box, lat, lon)
        .annotate(grid_row=row_of, grid_col=col_of)
        .filter(grid_row=row, grid_col=col)
    )
    return qs.filter(Q(ward_id__in=wards) | Q(pk__in=loose.values("pk")))


def parse_cell(raw: str | None) -> tuple[int, int] | None:
    if raw is None or not raw.strip():
        return None
    try:
        row, col = (int(p) for p in raw.split(","))
    except ValueError:
        raise FilterError(_("The cell must be two whole numbers: row,column.")) from None
    if abs(row) > 10**8 or abs(col) > 10**8:
        raise FilterError(_("The cell must be two whole numbers: row,column."))
    return row, col


# Dashboard aggregates ------------------------------------------------------------------------------


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
    return {c: found.get(c, 0) for c in Channel.values}


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
    return _series(interval, spans, rows)


def _series(interval: str, spans: list[Bucket], rows: list[tuple[int | None, list[int]]]) -> TimeSeries:
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


# The same figures read from the rollups (monitoring.rollups), for a user who sees whole organisations: the
# rollups count every report and case of an organisation, never a part of them.


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
    return _series(interval, spans, list(per_category.items()))


def rolled_channel_counts(organisation_ids: Collection[int], filters: Filters) -> dict[str, int]:
    """`channel_counts(reports_of(cases, filters))` from the rollups."""
    found: dict[str, int] = {}
    for rows in _report_periods(organisation_ids, filters, filters.date_from, filters.date_to):
        for channel, n in rows.order_by().values_list("channel").annotate(n=Sum("reports")):
            found[channel] = found.get(channel, 0) + n
    return {c: found.get(c, 0) for c in Channel.values}


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


# Public view ---------------------------------------------------------------------------------------


def public_cases(organisation: Organisation | None = None) -> QuerySet[Case]:
    """Cases an organisation chose to publish (never rejected ones), with coordinates safe to show.

    `plat`/`plon`: the case's point, or for a sensitive case its ward's centre (else its county's), so
    the exact point of a sensitive case never leaves the database, not even through a bbox query.
    """
    qs = Case.objects.filter(is_public=True).exclude(status=Status.REJECTED)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.annotate(
        plat=Conditional(
            When(is_sensitive=False, then=F("lat")),
            default=Coalesce(F("ward__lat"), F("county__lat")),
            output_field=FloatField(),
        ),
        plon=Conditional(
            When(is_sensitive=False, then=F("lon")),
            default=Coalesce(F("ward__lon"), F("county__lon")),
            output_field=FloatField(),
        ),
    )


def public_rows(
    qs: QuerySet[Case], limit: int = CASE_LIST_LIMIT, *, labels: bool = True
) -> list[dict[str, Any]]:
    """What the public may read about each case: category, place (ward and county), status, month.

    Without `labels` the rows hold only keys, so the JSON is the same in every language (cacheable).
    """
    rows = qs.select_related("category__parent", "ward", "county").order_by("-created_at", "-pk")[:limit]
    out = []
    for case in rows:
        top = case.category.parent if case.category and case.category.parent else case.category
        day = case.occurred_from or timezone.localdate(case.created_at)
        row: dict[str, Any] = {
            "category": top.key if top else UNCATEGORISED,
            "status": case.status,
            "month": day.strftime("%Y-%m"),
            "ward": case.ward.name if case.ward else "",
            "county": case.county.name if case.county else "",
        }
        if labels:
            row["category_label"] = top.label if top else _("Uncategorised")
            row["status_label"] = case.get_status_display()
            row["month_label"] = date_format(day, "F Y")
        out.append(row)
    return out


def public_fingerprint() -> str:
    """Changes whenever a case is published, edited or withdrawn: part of the ETag of public responses."""
    agg = Case.objects.filter(is_public=True).aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return hashlib.sha256(f"{agg['n']}|{agg['last']}|{agg['top']}".encode()).hexdigest()[:20]


# Boundaries ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """A JSON document served as is, with its gzip form and an ETag, built once per process."""

    body: bytes
    gzipped: bytes
    etag: str


def _payload(document: Mapping[str, Any]) -> Payload:
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return Payload(body, gzip.compress(body, 9, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


def _rounded(coords: Any, places: int) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), places)
    return [_rounded(c, places) for c in coords]


def _feature(code: int, name: str, geometry: Any, places: int, tolerance: float) -> dict[str, Any]:
    shape = geometry.simplify(tolerance, preserve_topology=True) if tolerance else geometry
    mapping = shape.__geo_interface__
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name},
        "geometry": {"type": mapping["type"], "coordinates": _rounded(mapping["coordinates"], places)},
    }


@cache
def county_boundaries() -> Payload:
    """All 47 county outlines (~60 KB, ~20 KB gzipped): enough for the national view."""
    from shapely.geometry import shape

    names = {c.code: c.name for c in gazetteer.counties()}
    features = [
        _feature(b.code, names.get(b.code, b.name), shape(b.geometry), 3, 0.003)
        for b in sorted(gazetteer.boundaries("counties"), key=lambda b: b.code)
    ]
    return _payload({"type": "FeatureCollection", "features": features})


@cache
def county_codes() -> frozenset[int]:
    return frozenset(c.code for c in gazetteer.counties())


@cache
def ward_codes() -> frozenset[int]:
    return frozenset(w.code for w in gazetteer.wards())


@lru_cache(maxsize=64)
def ward_boundaries(county_code: int) -> Payload:
    """The ward outlines of one county, keyed by IEBC ward code (wards without a polygon are left out)."""
    locator = geo.locator()
    features = [
        _feature(code, locator.wards[code].name, polygon, 4, 0.0012)
        for code, polygon in sorted(locator.polygons.items())
        if locator.wards[code].county_code == county_code
    ]
    return _payload({"type": "FeatureCollection", "features": features})


# What each page shows (one call per view) ----------------------------------------------------------


def category_choices(organisations: QuerySet[Organisation]) -> list[tuple[str, str]]:
    """Top-level categories of these organisations as (key, label), in taxonomy order, one per key."""
    out: dict[str, str] = {}
    for cat in Category.objects.filter(organisation__in=organisations, parent=None).order_by(
        "position", "key", "organisation_id"
    ):
        out.setdefault(cat.key, cat.label)
    return list(out.items())


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
        per_ward = _per_area(scoped.exclude(ward=None), "ward_id", True)
    status_labels = dict(Status.choices)
    channel_labels = dict(Channel.choices)
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
