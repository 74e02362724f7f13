"""Settlement points from other open sources (settlements/settlement_points.csv, issue 16)."""

from __future__ import annotations

import pytest

from sauti.places import gazetteer, geo
from sauti.places.loader import _check_point
from sauti.places.models import Settlement


def test_every_point_row_names_its_source_licence_and_address() -> None:
    rows = gazetteer.settlement_points()
    assert {r.key for r in rows} >= {"sauti:kawangware", "sauti:eastleigh", "sauti:mukuru-kwa-njenga"}
    for row in rows:
        assert row.source and row.note and row.url.startswith("https://"), row.key
        assert row.licence.startswith("CC BY-SA") or row.licence == "CC BY 4.0", row.key
        assert ("GeoNames" in row.source) == (row.licence == "CC BY 4.0"), row.key


def test_accepted_points_lie_in_their_county_and_constituency_and_rejected_ones_do_not() -> None:
    curated = {c.key: c for c in gazetteer.curated_settlements()}
    locator = geo.locator()
    for row in gazetteer.settlement_points():
        found = locator.ward_at(row.lat, row.lon)
        assert found is not None and found.score == geo.INSIDE, row.key
        known = curated[row.key].constituency_code if row.key in curated else None
        inside = found.county_code == row.county_code and known in (None, found.constituency_code)
        if row.ward_from_point and row.key in curated:  # a point that chooses the ward must agree with ours
            inside = inside and curated[row.key].ward_code in (None, found.ward_code)
        assert inside == row.accepted, (row.key, found.ward_name, found.constituency_name)


def test_a_point_outside_the_constituency_we_know_stops_the_load() -> None:
    curated = {c.key: c for c in gazetteer.curated_settlements()}
    njenga = next(r for r in gazetteer.settlement_points() if r.key == "sauti:mukuru-kwa-njenga")
    settlement = gazetteer.SettlementRow(
        "sauti", "mukuru-kwa-njenga", "Mukuru kwa Njenga", 47, None, None, None
    )
    with pytest.raises(ValueError, match="mukuru-kwa-njenga lies outside"):
        _check_point(njenga, settlement, curated[njenga.key], geo.locator())


@pytest.mark.django_db
def test_named_settlements_get_the_sourced_point_and_keep_a_sure_placement() -> None:
    kawangware = Settlement.objects.select_related("ward").get(source="sauti", source_ref="kawangware")
    assert (kawangware.lat, kawangware.lon) == (-1.283, 36.75)
    assert kawangware.ward is not None and kawangware.ward.name == "Kawangware"
    # Eastleigh spans three wards: its point is drawn, its placement stays the constituency.
    eastleigh = Settlement.objects.select_related("constituency").get(source="sauti", source_ref="eastleigh")
    assert (eastleigh.lat, eastleigh.lon) == (-1.26667, 36.85)
    assert eastleigh.ward is None and eastleigh.constituency is not None
    assert eastleigh.constituency.name == "Kamukunji" and eastleigh.placement == "curated"
    # A rejected point is not used: Mukuru kwa Njenga keeps its ward and has no point.
    njenga = Settlement.objects.select_related("ward").get(source="sauti", source_ref="mukuru-kwa-njenga")
    assert njenga.lat is None and njenga.ward is not None and njenga.ward.name == "Kwa Njenga"
    # Majengo's ward is the one its Wikipedia article names, no longer its parent's by approximation.
    majengo = Settlement.objects.select_related("ward").get(source="sauti", source_ref="majengo-nairobi")
    assert majengo.ward is not None and majengo.ward.name == "Pumwani" and majengo.placement == "curated"


@pytest.mark.django_db
def test_every_settlement_point_lies_in_its_county() -> None:
    locator = geo.locator()
    outside = []
    for s in Settlement.objects.exclude(lat=None).select_related("county"):
        found = locator.ward_at(s.lat, s.lon)  # type: ignore[arg-type]
        if found is None or found.county_code != s.county.code:
            outside.append(s.name)
    assert not outside


@pytest.mark.django_db
def test_geonames_points_place_nyeri_settlements_in_the_ward_they_lie_in() -> None:
    locator = geo.locator()
    for ref, ward_name in [
        ("42", "Kamakwa/Mukaro"),
        ("43", "Kiganjo/Mathari"),
        ("49", "Ruring'u"),
        ("57", "Iria-Ini"),
        ("54", "Magutu"),
        ("47", "Kamakwa/Mukaro"),
        ("58", "Iriaini"),
        ("45", "Wamagana"),
        ("56", "Dedan Kimanthi"),
        ("59", "Gatitu/Muruguru"),
    ]:
        s = Settlement.objects.select_related("ward", "county").get(source="kisip", source_ref=ref)
        assert s.lat is not None and s.lon is not None and s.ward is not None, s.name
        assert s.ward.name == ward_name and s.placement == "point" and s.county.name == "Nyeri", s.name
        found = locator.ward_at(s.lat, s.lon)
        assert found is not None and found.ward_code == s.ward.code and found.score == geo.INSIDE, s.name


@pytest.mark.django_db
def test_kibera_resolves_to_a_settlement_with_a_ward_and_a_point_in_its_constituency() -> None:
    from sauti.places.services import find_places

    kibera = Settlement.objects.select_related("ward", "constituency").get(source="aoi", source_ref="kibera")
    assert kibera.lat is not None and kibera.lon is not None
    assert kibera.ward is not None and kibera.constituency is not None
    assert kibera.constituency.name == "Kibra" and kibera.ward.constituency_id == kibera.constituency.pk
    # The Atlas point lies 90 m outside Kibra (in Mugumo-ini); Kibera is placed in the Kibra ward nearest it.
    at_point = geo.locator().ward_at(kibera.lat, kibera.lon)
    assert at_point is not None and at_point.ward_name == "Mugumo-Ini"
    named = [c for c in find_places("Kibera") if c.settlement_id == kibera.pk]
    assert named and named[0].ward_code == kibera.ward.code and named[0].lat == kibera.lat


@pytest.mark.django_db
def test_settlement_counts_do_not_fall_back() -> None:
    """228 settlements: 124 with a point (105 before the GeoNames rows), 166 with a ward (153 before)."""
    assert Settlement.objects.exclude(source="local").count() == 228
    assert Settlement.objects.exclude(lat=None).count() >= 124
    assert Settlement.objects.exclude(ward=None).count() >= 166


@pytest.mark.django_db
def test_kibera_villages_named_by_a_geonames_school_take_the_ward_of_that_point() -> None:
    """Olympic, Soweto West and Raila had Lindi only as Kibera's ward; their own points lie in Sarangombe."""
    for ref, ward_name in [
        ("kibera-olympic", "Sarangombe"),
        ("kibera-raila", "Sarangombe"),
        ("kibera-soweto-west", "Sarangombe"),
        ("kibera-mashimoni", "Lindi"),
    ]:
        s = Settlement.objects.select_related("ward").get(source="sauti", source_ref=ref)
        assert s.lat is not None and s.ward is not None and s.ward.name == ward_name, ref
        assert s.placement == "curated", ref
    assert Settlement.objects.filter(placement="parent").count() <= 20


@pytest.mark.django_db
def test_a_geonames_point_outside_the_ward_we_know_is_not_used() -> None:
    """Kariobangi's point lies in its ward and is drawn; Kangemi's lies 430 m outside Kangemi ward, Dandora's
    outside Embakasi North: both keep their placement and get no point."""
    kariobangi = Settlement.objects.select_related("ward").get(source="sauti", source_ref="kariobangi")
    assert (kariobangi.lat, kariobangi.lon) == (-1.25367, 36.88202)
    assert kariobangi.ward is not None and kariobangi.ward.name == "Kariobangi North"
    kangemi = Settlement.objects.select_related("ward").get(source="sauti", source_ref="kangemi")
    assert kangemi.lat is None and kangemi.ward is not None and kangemi.ward.name == "Kangemi"
    dandora = Settlement.objects.select_related("constituency").get(source="sauti", source_ref="dandora")
    assert dandora.lat is None and dandora.constituency is not None
    assert dandora.constituency.name == "Embakasi North"
