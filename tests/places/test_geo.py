"""Point -> ward over the shipped polygons, re-keyed to the IEBC listing (no database)."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import Point, shape

from sauti.places import gazetteer
from sauti.places.geo import NEAREST_SLIVER, POLYGONLESS_WARD, locator, ward_at


def _inside_shapefile_polygon(shapefile_code: int) -> tuple[float, float]:
    """A point surely inside the polygon the shapefile labels with this code, as (lat, lon)."""
    boundary = next(b for b in gazetteer.boundaries("wards") if b.code == shapefile_code)
    point = shape(boundary.geometry).representative_point()
    return point.y, point.x


def test_a_point_in_the_polygon_named_makongeni_is_ward_1430_makongeni() -> None:
    # gaithoben's centre for shapefile code 1433, whose polygon the shapefile names MAKONGENI.
    found = ward_at(-1.293957, 36.852375)
    assert found is not None
    assert (found.ward_code, found.name, found.constituency_code, found.county_code, found.score) == (
        1430,
        "Makongeni",
        287,
        47,
        1.0,
    )


def test_the_polygon_labelled_1430_is_ward_1431_maringo_hamza() -> None:
    found = ward_at(*_inside_shapefile_polygon(1430))
    assert found is not None and (found.ward_code, found.name) == (1431, "Maringo/Hamza")


def test_kapchok_and_kasei_points_land_in_the_right_wards() -> None:
    in_kasei = ward_at(*_inside_shapefile_polygon(653))
    in_kapchok = ward_at(*_inside_shapefile_polygon(654))
    assert in_kasei is not None and (in_kasei.ward_code, in_kasei.name) == (654, "Kasei")
    assert in_kapchok is not None and (in_kapchok.ward_code, in_kapchok.name) == (653, "Kapckok")


def test_a_ward_moved_to_another_constituency_reports_the_listing_constituency() -> None:
    found = ward_at(*_inside_shapefile_polygon(289))  # polygon named KIBIRICHIA
    assert found is not None
    assert (found.ward_code, found.name, found.constituency_name) == (285, "Kibirichia", "Buuri")


def test_a_point_where_a_ward_has_no_polygon_goes_to_that_ward_with_a_lower_score() -> None:
    point = (-1.25598, 36.86756)  # in Mathare constituency, outside every ward polygon
    loc = locator()
    assert loc.constituency_polygons[290].contains(Point(point[1], point[0]))
    assert not any(g.contains(Point(point[1], point[0])) for g in loc.polygons.values())
    found = ward_at(*point)
    assert found is not None
    assert (found.ward_code, found.name, found.score) == (1448, "Ngei", POLYGONLESS_WARD)


def test_the_published_centre_of_a_polygonless_ward_finds_it() -> None:
    found = ward_at(-3.996591, 39.432625)
    assert found is not None and (found.ward_code, found.name, found.score) == (
        50,
        "Kasemeni",
        POLYGONLESS_WARD,
    )


def test_a_point_in_a_simplification_gap_goes_to_the_nearest_ward_of_its_constituency() -> None:
    found = ward_at(-4.06, 39.68)  # Mombasa island shore, inside Mvita's outline only
    assert found is not None and (found.ward_code, found.constituency_code, found.score) == (
        26,
        6,
        NEAREST_SLIVER,
    )


def test_the_sdi_kibera_point_lies_in_mugumo_ini_90_m_from_lindi() -> None:
    lat, lon = -1.314389, 36.788472
    found = ward_at(lat, lon)
    assert found is not None
    assert (found.ward_code, found.name, found.constituency_name, found.score) == (
        1383,
        "Mugumo-Ini",
        "Langata",
        1.0,
    )
    assert locator().polygons[1387].distance(Point(lon, lat)) < 0.0015  # Lindi, Kibra


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(-4.5, 40.5), (-3.0, 41.5), (0.3476, 32.5825), (-6.79, 39.21), (9.03, 38.74), (0.0, 0.0)],
    ids=["indian-ocean", "off-lamu", "kampala", "dar-es-salaam", "addis-ababa", "null-island"],
)
def test_points_outside_kenya_have_no_ward(lat: float, lon: float) -> None:
    assert ward_at(lat, lon) is None


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (91.0, 36.8),
        (-1.3, 181.0),
        (math.nan, 36.8),
        (-1.3, math.inf),
        ("-1.3", 36.8),
        (True, 36.8),
        (None, 1.0),
    ],
)
def test_garbage_coordinates_raise_value_error(lat: object, lon: object) -> None:
    with pytest.raises(ValueError, match=r"latitude|longitude"):
        ward_at(lat, lon)  # type: ignore[arg-type]


def test_every_ward_label_point_lies_in_its_own_polygon() -> None:
    loc = locator()
    for code, geometry in loc.polygons.items():
        lat, lon = loc.label_points[code]
        assert geometry.contains(Point(lon, lat)), code
    # 1431's label point comes from the polygon the shapefile numbers 1430.
    lat, lon = loc.label_points[1431]
    assert shape(next(b for b in gazetteer.boundaries("wards") if b.code == 1430).geometry).contains(
        Point(lon, lat)
    )


def test_ward_at_returns_names_for_display() -> None:
    found = ward_at(-1.2621, 36.8577)
    assert found is not None
    assert found.kind == "ward" and found.constituency_name == "Mathare" and found.county_name == "Nairobi"
    assert found.lat is not None and found.lon is not None
