"""Point -> ward, over the shipped IEBC ward polygons (no database needed).

Polygons are re-keyed from the shapefile's codes to the IEBC listing's (see `gazetteer.resolve_ward_polygons`).
Thirteen wards have no polygon; a point in the part of a constituency that no ward polygon covers goes to
the constituency's polygonless ward, with a lower score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from sauti.places import gazetteer
from sauti.places.matching import PlaceCandidate

INSIDE = 1.0
POLYGONLESS_WARD = 0.6  # in a constituency, outside every ward polygon, and only one ward lacks a polygon
NEAREST_SLIVER = 0.7  # within SLIVER_DEGREES of a ward polygon of the containing constituency
NEAREST = 0.5
SLIVER_DEGREES = 0.002  # ~220 m: gaps left by simplifying neighbouring polygons separately
COAST_DEGREES = 0.01  # ~1.1 km: shores and islands shaved off by simplification
# Kenya's extent with a margin; anything outside is answered without touching the trees.
_BBOX = (-5.0, 33.8, 5.1, 42.0)


@dataclass(frozen=True, slots=True)
class WardInfo:
    code: int
    name: str
    constituency_code: int
    constituency_name: str
    county_code: int
    county_name: str


def label_point(geometry: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) of the centroid if it falls inside, else of a point surely inside (concave wards)."""
    point = geometry.centroid
    if not geometry.contains(point):
        point = geometry.representative_point()
    return round(point.y, 6), round(point.x, 6)


def check_point(lat: object, lon: object) -> tuple[float, float]:
    """The point as floats, or ValueError for anything that is not a latitude/longitude pair."""
    values: list[float] = []
    for label, value, bound in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{label} must be a number, not {value!r}")
        number = float(value)
        if not math.isfinite(number) or abs(number) > bound:
            raise ValueError(f"{label} must be between -{bound:g} and {bound:g}, not {value!r}")
        values.append(number)
    return values[0], values[1]


class WardLocator:
    def __init__(self) -> None:
        counties = {c.code: c.name for c in gazetteer.counties()}
        constituencies = {c.code: c.name for c in gazetteer.constituencies()}
        ward_rows = gazetteer.wards()
        self.wards = {
            w.code: WardInfo(
                w.code,
                w.name,
                w.constituency_code,
                constituencies[w.constituency_code],
                w.county_code,
                counties[w.county_code],
            )
            for w in ward_rows
        }
        polygons = gazetteer.boundaries("wards")
        self.matches = gazetteer.resolve_ward_polygons(ward_rows, polygons)
        self.polygons: dict[int, BaseGeometry] = {
            self.matches[p.code].ward_code: shape(p.geometry) for p in polygons
        }
        self._ward_codes = list(self.polygons)
        self._ward_tree = STRtree(list(self.polygons.values()))
        const_polys = gazetteer.boundaries("constituencies")
        self.constituency_polygons: dict[int, BaseGeometry] = {p.code: shape(p.geometry) for p in const_polys}
        self._const_codes = list(self.constituency_polygons)
        self._const_tree = STRtree(list(self.constituency_polygons.values()))
        self.polygonless: dict[int, list[int]] = {}
        self._by_constituency: dict[int, list[int]] = {}
        for w in ward_rows:
            self._by_constituency.setdefault(w.constituency_code, []).append(w.code)
            if w.code not in self.polygons:
                self.polygonless.setdefault(w.constituency_code, []).append(w.code)
        self.label_points: dict[int, tuple[float, float]] = {
            code: label_point(geom) for code, geom in self.polygons.items()
        }
        for w in ward_rows:
            if w.code in self.polygons or w.centroid_lat is None or w.centroid_lon is None:
                continue
            # Published centre of a polygonless ward: kept only if it lies in the ward's constituency.
            const = self.constituency_polygons.get(w.constituency_code)
            if const is not None and const.contains(Point(w.centroid_lon, w.centroid_lat)):
                self.label_points[w.code] = (w.centroid_lat, w.centroid_lon)

    def candidate(self, ward_code: int, score: float) -> PlaceCandidate:
        info = self.wards[ward_code]
        lat, lon = self.label_points.get(ward_code, (None, None))
        return PlaceCandidate(
            kind="ward",
            name=info.name,
            ward_code=info.code,
            constituency_code=info.constituency_code,
            county_code=info.county_code,
            score=score,
            county_name=info.county_name,
            constituency_name=info.constituency_name,
            ward_name=info.name,
            lat=lat,
            lon=lon,
            source="iebc",
        )

    def ward_at(self, lat: float, lon: float) -> PlaceCandidate | None:
        lat, lon = check_point(lat, lon)
        south, west, north, east = _BBOX
        if not (south <= lat <= north and west <= lon <= east):
            return None
        point = Point(lon, lat)
        inside = [self._ward_codes[i] for i in self._ward_tree.query(point, predicate="intersects")]
        if inside:
            # Simplified neighbours overlap a little, and a point on a shared edge touches both: take the
            # ward the point lies deepest inside.
            code = max(inside, key=lambda c: (float(shapely.distance(self.polygons[c].boundary, point)), -c))
            return self.candidate(code, INSIDE)
        consts = [self._const_codes[i] for i in self._const_tree.query(point, predicate="intersects")]
        if consts:
            const = min(consts)
            missing = self.polygonless.get(const, [])
            if len(missing) == 1:
                return self.candidate(missing[0], POLYGONLESS_WARD)
            code, distance = self._nearest(point, self._by_constituency.get(const, []))
            if code is not None:
                return self.candidate(code, NEAREST_SLIVER if distance <= SLIVER_DEGREES else NEAREST)
        found, distances = self._ward_tree.query_nearest(
            point, max_distance=COAST_DEGREES, return_distance=True
        )
        if len(found):
            nearest = min(zip(distances, found, strict=True), key=lambda d: (d[0], self._ward_codes[d[1]]))
            return self.candidate(self._ward_codes[nearest[1]], NEAREST)
        return None

    def ward_in_constituency(self, lat: float, lon: float, constituency_code: int) -> PlaceCandidate | None:
        """The ward of this constituency at the point, else the one nearest to it (a settlement's mapped
        point a little outside the constituency it is known to belong to, e.g. Kibera's)."""
        found = self.ward_at(lat, lon)
        if found is not None and found.constituency_code == constituency_code and found.score >= INSIDE:
            return found
        lat, lon = check_point(lat, lon)
        code, _distance = self._nearest(Point(lon, lat), self._by_constituency.get(constituency_code, []))
        return self.candidate(code, NEAREST) if code is not None else None

    def _nearest(self, point: Point, codes: list[int]) -> tuple[int | None, float]:
        best: tuple[int | None, float] = (None, math.inf)
        for code in codes:
            geom = self.polygons.get(code)
            if geom is not None:
                distance = float(shapely.distance(geom, point))
                if distance < best[1]:
                    best = (code, distance)
        return best


def near_ward(lat: float, lon: float, ward_code: int) -> bool | None:
    """Whether the point lies in the ward's polygon or within `SLIVER_DEGREES` of it (simplified edges);
    None when the ward has no polygon."""
    lat, lon = check_point(lat, lon)
    geom = locator().polygons.get(ward_code)
    if geom is None:
        return None
    return float(shapely.distance(geom, Point(lon, lat))) <= SLIVER_DEGREES


@cache
def locator() -> WardLocator:
    return WardLocator()


def ward_at(lat: float, lon: float) -> PlaceCandidate | None:
    """The ward containing the point (score 1.0), a fallback guess (lower score), or None outside Kenya."""
    check_point(lat, lon)
    return locator().ward_at(lat, lon)


def boundary_label_points(level: str) -> dict[int, tuple[float, float]]:
    """Label points of county or constituency polygons, by code."""
    return {b.code: label_point(shape(b.geometry)) for b in gazetteer.boundaries(level)}


@cache
def _county_shapes() -> dict[int, BaseGeometry]:
    return {b.code: shape(b.geometry) for b in gazetteer.boundaries("counties")}


def area_bounds(counties: Iterable[int], wards: Iterable[int] = ()) -> list[list[float]] | None:
    """[[south, west], [north, east]] around these counties and wards (IEBC codes); None if none is known."""
    shapes = [_county_shapes()[c] for c in counties if c in _county_shapes()]
    shapes += [locator().polygons[w] for w in wards if w in locator().polygons]
    if not shapes:
        return None
    west, south, east, north = shapely.union_all(shapes).bounds
    return [[round(south, 4), round(west, 4)], [round(north, 4), round(east, 4)]]


@dataclass(frozen=True)
class Sketch:
    """A small map of a ward and its neighbours, drawn as SVG paths in a `width` × `height` box."""

    width: int
    height: int
    ward: str  # the ward's path
    neighbours: tuple[tuple[str, str, float, float], ...]  # (path, name, label x, label y)
    name: str
    label: tuple[float, float]
    point: tuple[float, float] | None


def sketch(
    ward_code: int, lat: float | None = None, lon: float | None = None, width: int = 280
) -> Sketch | None:
    """The ward (and the wards touching it, labelled) with an optional point: a map that needs no
    JavaScript, no tiles and a few kilobytes (the case page)."""
    loc = locator()
    geom = loc.polygons.get(ward_code)
    if geom is None:
        return None
    west, south, east, north = geom.buffer(0.004).bounds
    scale_x = math.cos(math.radians((south + north) / 2))
    span_x, span_y = (east - west) * scale_x, north - south
    height = max(80, min(260, round(width * span_y / span_x)))
    k = min(width / span_x, height / span_y)

    def xy(x: float, y: float) -> tuple[float, float]:
        return round((x - west) * scale_x * k, 1), round((north - y) * k, 1)

    def path(g: BaseGeometry) -> str:
        rings = []
        for poly in getattr(g, "geoms", [g]):
            if poly.geom_type != "Polygon":
                continue
            for ring in (poly.exterior, *poly.interiors):
                rings.append("M" + "L".join(f"{a},{b}" for a, b in (xy(x, y) for x, y in ring.coords)) + "Z")
        return "".join(rings)

    box = shapely.box(west, south, east, north)
    neighbours = []
    for i in loc._ward_tree.query(box, predicate="intersects"):
        code = loc._ward_codes[i]
        if code == ward_code:
            continue
        other = loc.polygons[code].intersection(box)
        if other.is_empty:
            continue
        spot = other.representative_point()
        neighbours.append((path(other), loc.wards[code].name, *xy(spot.x, spot.y)))
    centre = geom.representative_point()
    point = xy(lon, lat) if lat is not None and lon is not None and box.contains(Point(lon, lat)) else None
    return Sketch(
        width, height, path(geom), tuple(neighbours), loc.wards[ward_code].name, xy(centre.x, centre.y), point
    )


def _rounded(coords: Any, places: int) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), places)
    return [_rounded(c, places) for c in coords]


def outline_feature(
    code: int, name: str, geometry: BaseGeometry, places: int, tolerance: float
) -> dict[str, Any]:
    """A GeoJSON feature of an outline, simplified, with `label`: where a map writes its name, a point
    inside it (a centre can fall outside a crescent)."""
    simple = geometry.simplify(tolerance, preserve_topology=True) if tolerance else geometry
    mapping = simple.__geo_interface__
    inside = geometry.representative_point()
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "label": [round(inside.y, 4), round(inside.x, 4)]},
        "geometry": {"type": mapping["type"], "coordinates": _rounded(mapping["coordinates"], places)},
    }


# The ward layer's simplification (insights' ward outlines): a small map and the big one draw the same lines.
WARD_PLACES, WARD_TOLERANCE = 4, 0.0012


@lru_cache(maxsize=256)
def ward_surroundings(ward_code: int) -> tuple[dict[str, Any], ...]:
    """The ward's outline (first, `"main": true`) and the wards around it clipped to a margin around
    it, as GeoJSON features: a small map of a place that reads without tiles. Empty without a polygon."""
    loc = locator()
    geom = loc.polygons.get(ward_code)
    if geom is None:
        return ()
    main = outline_feature(ward_code, loc.wards[ward_code].name, geom, WARD_PLACES, WARD_TOLERANCE)
    main["properties"]["main"] = True
    box = shapely.box(*geom.buffer(0.01).bounds)
    around = []
    for i in sorted(loc._ward_tree.query(box, predicate="intersects")):
        code = loc._ward_codes[i]
        other = loc.polygons[code].intersection(box) if code != ward_code else None
        if other is None or other.is_empty or other.area < 1e-7:
            continue
        around.append(outline_feature(code, loc.wards[code].name, other, WARD_PLACES, WARD_TOLERANCE))
    return (main, *around)
