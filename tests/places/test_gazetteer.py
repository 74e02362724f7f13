"""The shipped files and the polygon -> ward resolution (no database)."""

from __future__ import annotations

from collections import Counter

import pytest

from sauti.places import gazetteer
from sauti.places.gazetteer import Boundary, PolygonMatch


@pytest.fixture(scope="module")
def matches() -> dict[int, PolygonMatch]:
    return gazetteer.resolve_ward_polygons(gazetteer.wards(), gazetteer.boundaries("wards"))


def test_the_shipped_files_hold_the_full_iebc_and_knbs_lists() -> None:
    assert len(gazetteer.counties()) == 47
    assert len(gazetteer.constituencies()) == 290
    assert sorted(w.code for w in gazetteer.wards()) == list(range(1, 1451))
    assert len(gazetteer.sub_counties()) == 301
    assert len(gazetteer.boundaries("counties")) == 47
    assert len(gazetteer.boundaries("constituencies")) == 290
    assert len(gazetteer.boundaries("wards")) == 1437


def test_counties_carry_iebc_and_iso_codes_separately() -> None:
    by_name = {c.name: c for c in gazetteer.counties()}
    assert (by_name["Mombasa"].code, by_name["Mombasa"].iso_3166_2) == (1, "KE-28")
    assert (by_name["Nairobi"].code, by_name["Nairobi"].iso_3166_2) == (47, "KE-30")
    assert (by_name["Baringo"].code, by_name["Baringo"].iso_3166_2) == (30, "KE-01")


def test_thirteen_wards_have_no_polygon() -> None:
    with_polygon = {b.code for b in gazetteer.boundaries("wards")}
    missing = sorted(set(range(1, 1451)) - with_polygon)
    assert missing == [50, 53, 74, 76, 120, 209, 572, 641, 734, 735, 992, 1427, 1448]


def test_every_polygon_resolves_to_a_different_ward(matches: dict[int, PolygonMatch]) -> None:
    assert len(matches) == 1437
    assert len({m.ward_code for m in matches.values()}) == 1437


def test_codes_swapped_inside_a_constituency_resolve_by_name(matches: dict[int, PolygonMatch]) -> None:
    # The polygon the shapefile numbers 1430 is named MARINGO/HAMZA: it outlines IEBC ward 1431.
    assert (matches[1430].shapefile_name, matches[1430].ward_code) == ("Maringo/Hamza", 1431)
    assert matches[1431].ward_code == 1433  # Viwandani
    assert matches[1433].ward_code == 1430  # Makongeni
    assert (matches[1441].ward_code, matches[1442].ward_code) == (1442, 1441)  # Pangani, Ziwani/Kariokor
    assert [matches[c].ward_code for c in (228, 229, 230, 231, 232)] == [230, 231, 232, 229, 228]
    assert [matches[c].ward_code for c in (1062, 1064, 1065)] == [1064, 1065, 1062]
    assert [matches[c].ward_code for c in (1111, 1112)] == [1112, 1111]
    assert [matches[c].ward_code for c in (360, 361)] == [361, 360]


def test_kapckok_and_kasei_are_a_swap_though_the_listing_flags_one_as_spelling(
    matches: dict[int, PolygonMatch],
) -> None:
    by_code = {w.code: w for w in gazetteer.wards()}
    assert (by_code[653].name, by_code[654].name) == ("Kapckok", "Kasei")
    assert by_code[654].code_agreement == "spelling_or_rename"
    assert (matches[653].shapefile_name, matches[653].ward_code) == ("Kasei", 654)
    assert (matches[654].shapefile_name, matches[654].ward_code, matches[654].method) == (
        "Kapchok",
        653,
        "fuzzy",
    )


def test_codes_attached_to_another_constituency_resolve_across_it(matches: dict[int, PolygonMatch]) -> None:
    by_code = {w.code: w for w in gazetteer.wards()}
    # Polygon 289 (shapefile constituency 57 Buuri) is Kibirichia, which the listing numbers 285.
    assert matches[289].ward_code == 285 and by_code[285].constituency_code == 57
    assert matches[285].ward_code == 286 and by_code[286].constituency_code == 58
    assert [matches[c].ward_code for c in (286, 287, 288)] == [287, 288, 289]


def test_renames_keep_their_code(matches: dict[int, PolygonMatch]) -> None:
    assert (matches[97].shapefile_name, matches[97].ward_code, matches[97].method) == ("Hirimani", 97, "code")
    assert (matches[813].shapefile_name, matches[813].ward_code, matches[813].method) == (
        "Githiga",
        813,
        "code",
    )
    assert (matches[1383].shapefile_name, matches[1383].ward_code) == ("Mugumu-Ini", 1383)


def test_resolution_moves_exactly_the_conflicting_codes(matches: dict[int, PolygonMatch]) -> None:
    moved = sorted(code for code, m in matches.items() if m.ward_code != code)
    flagged = sorted(
        w.code for w in gazetteer.wards() if w.code_agreement.startswith("conflict") or w.code == 654
    )
    assert moved == flagged
    assert len(moved) == 24


def test_a_polygon_matching_no_ward_of_its_county_is_an_error() -> None:
    stray = Boundary(code=9999, name="Nowhere", constituency_code=1, county_code=1, geometry={})
    with pytest.raises(ValueError, match="matches no ward"):
        gazetteer.resolve_ward_polygons(gazetteer.wards(), [stray])


def test_two_polygons_claiming_one_ward_is_an_error() -> None:
    twice = [Boundary(1, "Port Reitz", 1, 1, {}), Boundary(2, "Port Reitz", 1, 1, {})]
    with pytest.raises(ValueError, match="several polygons"):
        gazetteer.resolve_ward_polygons(gazetteer.wards(), twice)


def test_settlement_references_are_unique_even_when_names_repeat() -> None:
    rows = gazetteer.settlements()
    assert len({r.key for r in rows}) == len(rows)
    milimani = sorted(r.key for r in rows if r.name == "Milimani")
    assert milimani == ["kyc:nairobi/milimani", "kyc:nairobi/milimani-2"]
    assert Counter(r.source for r in rows) == {"kyc": 90, "aoi": 12, "kisip": 82}


def test_names_are_tidied_without_changing_their_words() -> None:
    assert gazetteer.display_name("JAM CITY") == "Jam City"
    assert gazetteer.display_name("MANYATTA  ARAB") == "Manyatta Arab"
    assert gazetteer.display_name("KMC") == "KMC"
    assert gazetteer.tidy_ward_name("Dandora Area Iii") == "Dandora Area III"
    assert gazetteer.tidy_ward_name("Ewuaso Oonkidong'i") == "Ewuaso Oonkidong'i"


def test_curated_rows_point_at_known_places() -> None:
    by_code = {w.code: w for w in gazetteer.wards()}
    keys = {r.key for r in gazetteer.settlements()}
    curated = gazetteer.curated_settlements()
    new_keys = {c.key for c in curated if c.key.startswith("sauti:")}
    for row in curated:
        assert row.key.startswith("sauti:") or row.key in keys, row.key
        assert not row.parent or row.parent in keys | new_keys, row.parent
        assert row.placement in {"curated", "point"}
        assert row.source in {"iebc", "kyc", "aoi", "sauti", "wikipedia"} and row.note
        if row.ward_code is not None:
            ward = by_code[row.ward_code]
            assert (ward.constituency_code, ward.county_code) == (row.constituency_code, row.county_code)


def test_every_alias_row_names_its_source() -> None:
    rows = gazetteer.aliases()
    assert rows and all(r.source in {"iso", "iebc", "aoi", "sauti"} and r.note for r in rows)
    assert ("constituency", "278", "Kibera") in {(r.kind, r.code, r.alias) for r in rows}
