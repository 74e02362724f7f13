"""Place names read in the light of the organisation's area of operation (issue 16).

"Huruma" is a ward of Nairobi and a ward of Uasin Gishu: a Nairobi organisation's report goes to Nairobi's;
an organisation working elsewhere is asked which one was meant, never placed silently.
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest

from django.core.management import call_command
from django.test import Client

from sauti.monitoring.models import Report
from sauti.people.models import Organisation
from sauti.places.matching import Area, PlaceCandidate, conflicting, resolve
from sauti.places.models import County, Ward
from sauti.places.services import find_places, resolve_place
from tests.api.conftest import token_client
from tests.conftest import World

NAIROBI, KIAMBU, UASIN_GISHU = 47, 22, 27
HURUMA_NAIROBI, HURUMA_UASIN_GISHU = 1447, 713


def nairobi(world: World) -> Organisation:
    world.haki.county = County.objects.get(code=NAIROBI)
    world.haki.save()
    return world.haki


def place(kind: str, name: str, ward: int | None, const: int | None, county: int, score: float = 1.0) -> Any:
    return PlaceCandidate(kind, name, ward, const, county, score)


def test_resolve_takes_the_one_inside_the_area_and_asks_between_two_outside() -> None:
    a = place("ward", "Huruma", HURUMA_UASIN_GISHU, 142, UASIN_GISHU)
    b = place("ward", "Huruma", HURUMA_NAIROBI, 290, NAIROBI)
    assert resolve([a, b], Area(counties=frozenset({NAIROBI}))).place == b
    asked = resolve([a, b], Area(counties=frozenset({KIAMBU})))
    assert asked.place is None and asked.ambiguous and set(asked.choices) == {a, b}
    assert resolve([a, b]).ambiguous  # no area: ask
    # A single ward of another county can be part of the area.
    assert resolve([a, b], Area(counties=frozenset({KIAMBU}), wards=frozenset({713}))).place == a


def test_nested_candidates_are_one_place_not_a_question() -> None:
    settlement = place("settlement", "Kibera", None, 288, NAIROBI)
    constituency = place("constituency", "Kibra", None, 288, NAIROBI, 0.95)
    assert not conflicting(settlement, constituency)
    assert resolve([settlement, constituency]).place == settlement
    far = place("ward", "Kibera", None, 12, 3, 0.97)
    assert resolve([settlement, far]).ambiguous


def test_a_weaker_match_outside_does_not_make_it_ambiguous() -> None:
    best = place("ward", "Kayole North", 1416, 285, NAIROBI)
    typo = place("ward", "Kayole", 1, 2, 3, 0.80)
    assert resolve([best, typo]).place == best


@pytest.mark.django_db
def test_find_ranks_the_organisations_area_first() -> None:
    plain = find_places("Huruma", limit=5)
    assert {c.county_code for c in plain[:2]} == {NAIROBI, UASIN_GISHU}
    assert plain[0].score == plain[1].score == 1.0  # the defect: nothing to choose by
    ranked = find_places("Huruma", limit=5, area=Area(counties=frozenset({UASIN_GISHU})))
    assert ranked[0].ward_code == HURUMA_UASIN_GISHU and ranked[1].score < 1.0
    assert resolve_place("Mwiki", Area(counties=frozenset({NAIROBI}))).place is not None
    mwiki = resolve_place("Mwiki", Area(counties=frozenset({NAIROBI}))).place
    assert mwiki is not None and mwiki.county_code == NAIROBI


@pytest.mark.django_db
def test_places_find_with_org_ranks_for_that_organisation(world: World) -> None:
    nairobi(world)
    out = StringIO()
    call_command("places", "find", "Huruma", "--org", "haki", "--json", stdout=out)
    found = json.loads(out.getvalue())
    assert found[0]["ward_code"] == HURUMA_NAIROBI and found[0]["county_code"] == NAIROBI
    assert {"kind", "name", "ward_code", "constituency_code", "county_code", "score"} <= set(found[0])
    outside = [c for c in found if c["county_code"] == UASIN_GISHU]
    assert outside and outside[0]["score"] < found[0]["score"]


@pytest.mark.django_db
def test_places_find_with_an_unknown_org_is_a_clear_error() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organisation"):
        call_command("places", "find", "Huruma", "--org", "nobody", stdout=StringIO())


@pytest.mark.django_db
def test_an_organisation_without_an_area_works_in_its_home_county(world: World) -> None:
    org = nairobi(world)
    assert org.operating_area() == Area(counties=frozenset({NAIROBI}), owner=org.slug)
    org.area_counties.set([County.objects.get(code=KIAMBU)])
    org.area_wards.set([Ward.objects.get(code=HURUMA_UASIN_GISHU)])
    assert org.operating_area() == Area(
        counties=frozenset({KIAMBU}), wards=frozenset({HURUMA_UASIN_GISHU}), owner=org.slug
    )


def post(client: Client, body: Any) -> Any:
    return client.post("/api/reports/", body, content_type="application/json")


@pytest.mark.django_db
def test_api_report_in_huruma_goes_to_the_nairobi_ward_for_a_nairobi_organisation(world: World) -> None:
    nairobi(world)
    response = post(
        token_client(world.bob), {"org": "haki", "description": "Maji hakuna", "place_text": "Huruma"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ward"] == HURUMA_NAIROBI and body["county"]["code"] == NAIROBI
    assert body["case"] == Report.objects.get(pk=body["id"]).case_id is not None
    assert body["place_choices"] == []


@pytest.mark.django_db
def test_api_asks_rather_than_guessing_when_both_are_outside_the_area(world: World) -> None:
    world.umoja.county = County.objects.get(code=KIAMBU)
    world.umoja.save()
    client = token_client(world.wanjiku)
    response = post(client, {"org": "umoja", "description": "Maji hakuna", "place_text": "Huruma"})
    # Nothing is stored until the client chooses: no orphan report or case.
    assert response.status_code == 409, response.content
    keys = {c["key"] for c in response.json()["place_choices"]}
    assert keys == {f"ward:{HURUMA_NAIROBI}", f"ward:{HURUMA_UASIN_GISHU}"}
    assert not Report.objects.exists()
    # Sending the chosen key places it: one report.
    chosen = post(
        client,
        {"org": "umoja", "description": "Maji hakuna", "place_text": "Huruma", "place_key": "ward:713"},
    )
    assert chosen.status_code == 201, chosen.content
    assert chosen.json()["ward"] == HURUMA_UASIN_GISHU and chosen.json()["place_choices"] == []
    assert Report.objects.count() == 1 and Report.objects.get().case_id is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        {"place_text": "Huruma", "place_key": "ward:1"},  # not a place named Huruma
        {"place_text": "Huruma", "place_key": "ward:999999"},  # no such ward
        {"place_key": "ward:713"},  # a choice without the text it chooses from
    ],
)
def test_api_refuses_a_place_key_that_is_not_one_of_the_choices(world: World, extra: dict[str, str]) -> None:
    response = token_client(world.wanjiku).post(
        "/api/reports/",
        {"org": "umoja", "description": "Maji hakuna", **extra},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="sw",
    )
    assert response.status_code == 400, response.content
    assert "place_key" in response.json(), response.json()
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_public_form_shows_the_candidates_and_places_the_chosen_one(world: World) -> None:
    world.umoja.county = County.objects.get(code=KIAMBU)
    world.umoja.save()
    client = Client()
    form = {"description": "Maji yamekatwa", "place_text": "Huruma", "category": "water"}
    response = client.post("/report/?org=umoja", form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Uasin Gishu" in page and "Nairobi" in page and 'name="place_key"' in page
    assert not Report.objects.exists()
    response = client.post("/report/?org=umoja", {**form, "place_key": f"ward:{HURUMA_NAIROBI}"})
    assert response.status_code == 302, response.content.decode()[:2000]
    ward = Report.objects.get().ward
    assert ward is not None and ward.code == HURUMA_NAIROBI


@pytest.mark.django_db
def test_public_form_places_huruma_in_nairobi_for_the_nairobi_organisation(world: World) -> None:
    nairobi(world)
    response = Client().post(
        "/report/?org=haki", {"description": "Maji yamekatwa", "place_text": "Huruma", "category": "water"}
    )
    assert response.status_code == 302
    ward = Report.objects.get().ward
    assert ward is not None and ward.code == HURUMA_NAIROBI


@pytest.mark.django_db
def test_a_coordinator_adds_a_local_place_and_reports_naming_it_land_in_its_ward(world: World) -> None:
    client = world.client_for(world.wanjiku)
    page = client.get("/cases/places/umoja/")
    assert page.status_code == 200 and "Mabatini" in page.content.decode()
    response = client.post(
        "/cases/places/umoja/", {"name": "Soko Mjinga", "ward": "1446", "aliases": "Soko ya Mjinga"}
    )
    assert response.status_code == 302
    assert "Soko Mjinga" in client.get("/cases/places/umoja/").content.decode()
    body = post(
        token_client(world.wanjiku),
        {"org": "umoja", "description": "Maji hakuna", "place_text": "soko ya mjinga"},
    ).json()
    assert body["ward"] == 1446 and body["settlement"]["name"] == "Soko Mjinga"
    # The same name twice is refused with a message, not a 500.
    again = client.post("/cases/places/umoja/", {"name": "Soko  Mjinga", "ward": "1446"})
    assert again.status_code == 400 and "already" in again.content.decode()
    bad = client.post("/cases/places/umoja/", {"name": "Kwa Chief", "ward": "99999"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_report_forms_offer_use_my_location_and_the_ward_of_the_point(world: World) -> None:
    page = Client().get("/report/").content.decode()
    assert 'id="use-location"' in page and " hidden" in page and "sauti/locate.js" in page
    assert 'name="place_text"' in page  # typing the place still works without JavaScript
    monitor = world.client_for(world.otieno).get("/cases/new-report/").content.decode()
    assert 'id="use-location"' in monitor
    found = Client().get("/places/at.json", {"lat": "-1.2621", "lon": "36.8576"}).json()["result"]
    assert found["kind"] == "ward" and found["county_code"] == NAIROBI


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Mathare 4A", "Kibera", "Kayole", "Kariobangi", "Majengo", "Shauri Moyo"])
def test_nairobi_settlements_resolve_to_a_nairobi_ward_for_a_nairobi_organisation(text: str) -> None:
    resolution = resolve_place(text, Area(counties=frozenset({NAIROBI})))
    assert resolution.place is not None, (text, resolution.choices)
    assert resolution.place.county_code == NAIROBI and resolution.place.ward_code is not None, (
        resolution.place
    )
    assert Ward.objects.get(code=resolution.place.ward_code).county.code == NAIROBI
