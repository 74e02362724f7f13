"""Cases grouped into grid cells sized for the map's zoom, and the cases of one cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db.models import Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Round

from sauti.insights.filters import BBox
from sauti.monitoring.models import Case
from sauti.places import geo
from sauti.places.models import Ward

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
