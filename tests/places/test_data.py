"""What migration 0002 leaves in every database, and `places load` re-syncing it."""

from __future__ import annotations

import pytest

from django.apps import apps

from sauti.places import gazetteer
from sauti.places.loader import GazetteerModels, load_gazetteer
from sauti.places.models import Constituency, County, PlaceAlias, Settlement, SubCounty, Ward

pytestmark = pytest.mark.django_db


def test_every_database_holds_the_full_gazetteer() -> None:
    assert County.objects.count() == 47
    assert Constituency.objects.count() == 290
    assert Ward.objects.count() == 1450
    assert SubCounty.objects.count() == 301
    assert Settlement.objects.count() == len(gazetteer.settlements()) + sum(
        1 for c in gazetteer.curated_settlements() if c.key.startswith("sauti:")
    )
    assert PlaceAlias.objects.filter(source="sauti").exists()


def test_iebc_and_iso_county_numbers_are_stored_apart() -> None:
    mombasa = County.objects.get(code=1)
    nairobi = County.objects.get(code=47)
    assert (mombasa.name, mombasa.iso_3166_2) == ("Mombasa", "KE-28")
    assert (nairobi.name, nairobi.iso_3166_2) == ("Nairobi", "KE-30")
    assert County.objects.get(iso_3166_2="KE-01").code == 30  # Baringo


def test_sub_counties_are_not_constituencies() -> None:
    ward = Ward.objects.select_related("constituency", "sub_county").get(code=157)
    assert (ward.name, ward.constituency.name) == ("Hulugho", "Ijara")
    assert ward.sub_county is not None and ward.sub_county.name == "Hulugho"
    # Every ward's KNBS sub-county is linked, except where wards.csv leaves it blank.
    blank = sum(1 for w in gazetteer.wards() if not w.sub_county)
    assert Ward.objects.filter(sub_county=None).count() == blank == 12


def test_wards_take_their_point_and_shapefile_label_from_the_right_polygon() -> None:
    ward = Ward.objects.get(code=1431)
    assert (ward.name, ward.shapefile_code, ward.shapefile_name, ward.has_boundary) == (
        "Maringo/Hamza",
        1430,
        "Maringo/Hamza",
        True,
    )
    from sauti.places.services import ward_at

    assert ward.lat is not None and ward.lon is not None
    found = ward_at(ward.lat, ward.lon)
    assert found is not None and found.ward_code == 1431


def test_wards_without_a_polygon_are_flagged() -> None:
    missing = Ward.objects.filter(has_boundary=False)
    assert sorted(missing.values_list("code", flat=True)) == [
        50,
        53,
        74,
        76,
        120,
        209,
        572,
        641,
        734,
        735,
        992,
        1427,
        1448,
    ]
    assert Ward.objects.get(code=1448).lat is None  # no polygon, no published centre
    assert Ward.objects.get(code=50).lat == pytest.approx(-3.996591)


def test_settlement_wards_come_from_our_polygons_not_the_published_shapefile_code() -> None:
    published = {
        r["settlement"]: r["ward_code_as_published"]
        for r in gazetteer._rows("settlements/kyc_settlements_kenya.csv")
    }
    assert published["Mlolongo"] == "1430"
    mlolongo = Settlement.objects.select_related("ward").get(source="kyc", source_ref="nairobi/mlolongo")
    assert mlolongo.ward is not None and (mlolongo.ward.code, mlolongo.ward.name) == (1431, "Maringo/Hamza")
    assert mlolongo.placement == "point"


def test_the_kibera_label_point_is_kept_but_kibera_is_placed_in_kibra() -> None:
    kibera = Settlement.objects.select_related("constituency").get(source="aoi", source_ref="kibera")
    assert (kibera.lat, kibera.lon) == (-1.314389, 36.788472)
    # The point lies 90 m outside Kibra: the ward is the nearest of Kibra's (issue 16), not Mugumo-ini.
    assert kibera.ward is not None and kibera.ward.name == "Lindi"
    assert kibera.constituency is not None and kibera.constituency.name == "Kibra"
    assert kibera.placement == "curated"
    assert set(kibera.villages.values_list("name", flat=True)) >= {
        "Kianda",
        "Laini Saba",
        "Makina",
        "Gatwekera",
    }


def test_villages_hang_under_their_settlement_and_name_their_source() -> None:
    village = Settlement.objects.select_related("parent", "constituency").get(
        source="sauti", source_ref="mathare-4a"
    )
    assert village.parent is not None and village.parent.name == "Mathare"
    assert village.constituency is not None and village.constituency.code == 290
    # No source maps Mathare 4A itself: it takes the ward of Mathare's mapped point (issue 16).
    assert village.ward is not None and village.ward == village.parent.ward and village.placement == "parent"
    assert Settlement.objects.get(source="sauti", source_ref="mathare-mabatini").ward.code == 1446  # type: ignore[union-attr]


def test_names_repeated_in_one_city_are_kept_apart() -> None:
    milimani = Settlement.objects.filter(source="kyc", county__code=47, name="Milimani")
    assert milimani.count() == 2


def test_reloading_changes_nothing_and_keeps_staff_aliases() -> None:
    PlaceAlias.objects.create(kind="ward", code="1408", alias="Reuben", source="staff")
    Settlement.objects.filter(source="kyc", source_ref="nairobi/kianda").update(name="Renamed")
    messages: list[str] = []
    tallies = load_gazetteer(GazetteerModels.from_apps(apps), log=messages.append)
    assert tallies["settlements"].updated == 1 and tallies["settlements"].created == 0
    assert all(t.created == 0 and t.deleted == 0 for t in tallies.values())
    assert sum(t.updated for t in tallies.values()) == 1
    assert Settlement.objects.get(source="kyc", source_ref="nairobi/kianda").name == "Kianda"
    assert PlaceAlias.objects.filter(alias="Reuben", source="staff").exists()
    assert messages[0].startswith("counties: 47")
