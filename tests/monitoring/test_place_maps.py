"""Issue 16, maps people read: a small map of the place on the case page and on the reporter's status page
(Leaflet only where there is a place), settlements for the big map, and the point of the report forms."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from sauti.monitoring.actions import ReportInput, do_submit_report, do_transition
from sauti.monitoring.models import Case, Report, Status
from sauti.people.models import Office
from sauti.places.models import County, Settlement
from tests.conftest import World

LEAFLET = "vendor/leaflet/leaflet"
LEAFLET_TAG = re.compile(r"<(?:script|link)[^>]+vendor/leaflet/")
KOROGOCHO = (-1.2475, 36.8887)  # a point in Korogocho ward, Ruaraka, Nairobi
MABATINI = 1446


def config(page: str, name: str) -> dict[str, Any] | None:
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found[1]) if found else None


def submit(world: World, **place: Any) -> Report:
    return do_submit_report(
        world.umoja,
        ReportInput(description="Maji yamekatwa", channel="web", occurred_on=timezone.localdate(), **place),
    )


def case_page(world: World, report: Report, user: Any = None) -> str:
    client = world.client_for(user or world.wanjiku)
    response = client.get(f"/cases/{report.case_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_with_a_point_shows_the_point_in_its_ward_with_the_wards_around(world: World) -> None:
    report = submit(world, lat=KOROGOCHO[0], lon=KOROGOCHO[1])
    page = case_page(world, report)
    assert f"{LEAFLET}.js" in page and "sauti/mapkit.js" in page and "sauti/smallmap.js" in page
    assert 'id="place-map"' in page
    data = config(page, "place-map-config")
    assert data is not None and data["point"] == [round(KOROGOCHO[0], 5), round(KOROGOCHO[1], 5)]
    main, *around = data["outlines"]["features"]
    assert main["properties"]["main"] is True and main["properties"]["name"] == "Korogocho"
    assert len(around) >= 3 and all(f["properties"]["label"] for f in around)  # neighbours, named
    assert '<figure class="ward-sketch">' in page  # what a phone without JavaScript shows


def test_a_case_placed_by_a_settlement_shows_the_settlement_not_a_made_up_point(world: World) -> None:
    settlement = Settlement.objects.filter(lat__isnull=False, ward__isnull=False, county__code=47).first()
    assert settlement is not None
    report = submit(world, place_text=settlement.name)
    assert report.settlement_id == settlement.pk, report.place_label
    data = config(case_page(world, report), "place-map-config")
    assert data is not None and data["point"] is None
    assert data["settlement"][2] == settlement.name
    assert data["outlines"]["features"][0]["properties"]["code"] == report.ward.code  # type: ignore[union-attr]


def test_a_case_without_a_place_has_no_map_and_no_leaflet(world: World) -> None:
    report = submit(world, place_text="")
    assert report.ward is None and report.lat is None
    page = case_page(world, report)
    assert not LEAFLET_TAG.search(page) and "smallmap.js" not in page and 'id="place-map"' not in page
    # A county is not worth a map either: a word says as much.
    county_only = submit(world, place_text="Nairobi")
    assert county_only.ward is None and county_only.county is not None
    assert not LEAFLET_TAG.search(case_page(world, county_only))


def test_an_office_reading_a_sensitive_case_sees_the_ward_on_the_map_never_the_point(world: World) -> None:
    report = submit(world, lat=KOROGOCHO[0], lon=KOROGOCHO[1])
    case = Case.objects.get(pk=report.case_id or 0)
    do_transition(case, Status.TRIAGED, world.wanjiku)
    do_transition(Case.objects.get(pk=case.pk), Status.VERIFIED, world.wanjiku, method="site_visit")
    Case.objects.filter(pk=case.pk).update(is_sensitive=True)
    office = Office.objects.get(name="Chief, Mabatini")
    do_transition(Case.objects.get(pk=case.pk), Status.REFERRED, world.wanjiku, referred_to=office)
    data = config(case_page(world, report, world.chief), "place-map-config")
    assert data is not None and data["point"] is None and data["settlement"] is None
    assert data["outlines"]["features"][0]["properties"]["name"] == "Korogocho"


def test_the_reporters_status_page_shows_the_place_they_reported(world: World) -> None:
    client = Client()
    response = client.post(
        "/report/?org=umoja",
        {
            "org": "umoja",
            "description": "Maji yamekatwa",
            "place_text": "",
            "lat": "-1.2475",
            "lon": "36.8887",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    thanks = client.get("/report/thanks/").content.decode()
    ref = re.search(r'id="reference">(R\d+)<', thanks)
    key = re.search(r'id="status-key">([A-Z0-9]{6})<', thanks)
    assert ref and key
    page = Client().post("/report/status/", {"reference": ref[1], "key": key[1]}).content.decode()
    data = config(page, "place-map-config")
    assert data is not None and data["point"] == [-1.2475, 36.8887] and f"{LEAFLET}.js" in page
    assert "Korogocho" in page


def test_the_submitted_point_sets_the_ward_on_both_forms(world: World) -> None:
    """The pin and 'use my location' only fill latitude and longitude: the server finds the ward."""
    public = Client().post(
        "/report/?org=umoja",
        {"org": "umoja", "description": "Choo cha umma kimejaa", "lat": "-1.2475", "lon": "36.8887"},
    )
    assert public.status_code == 302
    monitor = world.client_for(world.otieno).post(
        "/cases/new-report/",
        {"org": "umoja", "description": "Sewage on the road", "lat": "-1.2475", "lon": "36.8887"},
    )
    assert monitor.status_code == 302, monitor.content.decode()[:1500]
    for report in Report.objects.order_by("-pk")[:2]:
        assert report.ward is not None and report.ward.name == "Korogocho", report.description
        assert report.precision == "point"


def test_report_forms_offer_the_map_pin_without_loading_leaflet(world: World) -> None:
    world.umoja.area_counties.add(County.objects.get(code=47))
    pages = {
        "public": Client().get("/report/?org=umoja").content.decode(),
        "monitor": world.client_for(world.otieno).get("/cases/new-report/").content.decode(),
    }
    for name, page in pages.items():
        assert 'id="pin-open"' in page and 'id="pin-map"' in page and "sauti/locate.js" in page, name
        assert not LEAFLET_TAG.search(page), name  # fetched only when the map is opened
        pin = config(page, "pin-config")
        assert pin is not None and pin["assets"]["leaflet"].endswith("leaflet.js"), name
        south, west = pin["bounds"][0]
        north, east = pin["bounds"][1]
        assert south < KOROGOCHO[0] < north and west < KOROGOCHO[1] < east, name  # Umoja's Nairobi
        assert 'name="place_text"' in page and 'name="lat"' in page, name  # typing still works
    sw = Client().get("/report/?org=umoja", HTTP_ACCEPT_LANGUAGE="sw").content.decode()
    assert "Mark on a map" not in sw and "Tap the map where it happened." not in sw


def test_pages_without_a_map_load_no_leaflet(world: World) -> None:
    for user, path in [
        (None, "/"),
        (None, "/report/"),
        (world.wanjiku, "/cases/"),
        (world.kamau, "/dashboard/"),
    ]:
        page = world.client_for(user).get(path).content.decode()
        assert not LEAFLET_TAG.search(page), path


def test_settlements_of_a_county_for_the_map(world: World) -> None:
    response = Client().get("/map/data/settlements.json", {"county": "47"})
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    rows = response.json()["settlements"]
    mapped = Settlement.objects.filter(county__code=47, lat__isnull=False)
    assert len(rows) == mapped.count() > 10
    assert len(response.content) < 8_000  # small: it comes with the ward outlines
    lat, lon, _name = next(r for r in rows if r[2] == mapped.first().name)  # type: ignore[union-attr]
    assert -1.5 < lat < -1.1 and 36.6 < lon < 37.1
    for bad in ({}, {"county": "48"}, {"county": "x"}):
        refused = Client().get("/map/data/settlements.json", bad)
        assert refused.status_code == 400 and "error" in refused.json()
    sw = Client().get("/map/data/settlements.json", HTTP_ACCEPT_LANGUAGE="sw").json()["error"]
    assert sw != Client().get("/map/data/settlements.json").json()["error"]


@pytest.mark.parametrize("path", ["/map/", "/public/map/"])
def test_the_big_maps_know_where_the_settlements_are(world: World, path: str) -> None:
    page = world.client_for(world.kamau).get(path).content.decode()
    data = config(page, "map-config")
    assert data is not None and data["urls"]["settlements"] == "/map/data/settlements.json"
    assert "sauti/mapkit.js" in page and "sauti/mapkit.css" in page
