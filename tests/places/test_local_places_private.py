"""A local place added by one organisation is used and shown only for that organisation (issue 16,
session 5): its name may be a person's ("Mama Njeri") and says where that organisation's members meet."""

from __future__ import annotations

import json
from io import StringIO

import pytest

from django.core.management import call_command

from sauti.places.actions import do_add_local_place
from sauti.places.models import Ward
from sauti.places.services import extract_places, find_places
from tests.conftest import World


def names(candidates: list) -> set[str]:  # type: ignore[type-arg]
    return {c.name for c in candidates}


def find_json(*args: str) -> list[dict[str, object]]:
    out = StringIO()
    call_command("places", "find", *args, "--json", stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_a_local_place_is_matched_only_for_the_organisation_that_added_it(world: World) -> None:
    do_add_local_place("haki", "Kwa Mama Njeri Chapati", Ward.objects.get(code=1446), aliases=["Mama Njeri"])
    haki, umoja = world.haki.operating_area(), world.umoja.operating_area()
    assert "Kwa Mama Njeri Chapati" in names(find_places("Mama Njeri", area=haki))
    assert "Kwa Mama Njeri Chapati" in names(extract_places("Maji hakuna kwa Mama Njeri leo", area=haki))
    assert "Kwa Mama Njeri Chapati" not in names(find_places("Mama Njeri", area=umoja))
    assert "Kwa Mama Njeri Chapati" not in names(extract_places("Maji hakuna kwa Mama Njeri leo", area=umoja))
    # Without an organisation (the public place search, `messaging parse` without --org) only the gazetteer.
    assert "Kwa Mama Njeri Chapati" not in names(find_places("Mama Njeri"))
    assert "Kwa Mama Njeri Chapati" not in names(extract_places("Maji hakuna kwa Mama Njeri leo"))
    assert not any(c["name"] == "Kwa Mama Njeri Chapati" for c in find_json("Mama Njeri", "--org", "umoja"))
    assert any(c["name"] == "Kwa Mama Njeri Chapati" for c in find_json("Mama Njeri", "--org", "haki"))
    assert not any(c["name"] == "Kwa Mama Njeri Chapati" for c in find_json("Mama Njeri"))


@pytest.mark.django_db
def test_other_organisations_do_not_see_a_local_place_anywhere(world: World) -> None:
    do_add_local_place("haki", "Kwa Mama Njeri Chapati", Ward.objects.get(code=1446), aliases=["Mama Njeri"])
    umoja = world.client_for(world.wanjiku)
    assert "Mama Njeri" not in umoja.get("/cases/places/umoja/").content.decode()
    picker = "/report/place/"
    for client, org in ((umoja, "umoja"), (umoja, "haki"), (world.client_for(None), "haki")):
        shown = client.get(picker, {"org": org, "place_text": "Mama Njeri"}).content.decode()
        assert "Kwa Mama Njeri Chapati" not in shown, org
    shown = (
        world.client_for(world.bob).get(picker, {"org": "haki", "place_text": "Mama Njeri"}).content.decode()
    )
    assert "Kwa Mama Njeri Chapati" in shown
    public = umoja.get("/places/search.json", {"q": "Mama Njeri"}).json()["results"]
    assert not any(r["name"] == "Kwa Mama Njeri Chapati" for r in public)
    assert "Kwa Mama Njeri Chapati" in world.client_for(world.bob).get("/cases/places/haki/").content.decode()


@pytest.mark.django_db
def test_the_phone_flows_find_the_organisations_own_places_and_no_others(world: World) -> None:
    from sauti.conversations.services import OrgServices

    ward = Ward.objects.get(code=1446)
    do_add_local_place("haki", "Kwa Mama Njeri Chapati", ward, aliases=["Mama Njeri"])
    county = ward.constituency.county.code
    haki = [c.code for c in OrgServices(world.haki, None).find_wards(county, "Mama Njeri")]
    umoja = [c.code for c in OrgServices(world.umoja, None).find_wards(county, "Mama Njeri")]
    assert haki == [1446] and 1446 not in umoja
