"""A coordinator's local place is checked before it is added (issue 16 review items 2 and 8): its point must
lie in the ward chosen, and a name that is already a place of the area needs a confirmation."""

from __future__ import annotations

from typing import Any

import pytest

from django.conf import settings

from sauti.places.models import County, Settlement
from tests.conftest import World

URL = "/cases/places/umoja/"
IN_MWIKI = (-1.232681, 36.963298)  # the label point of Mwiki ward (1397, Kasarani, Nairobi)
ON_THE_MOMBASA_COAST = (-4.05, 39.66)  # Majengo ward, Mombasa


@pytest.fixture
def nairobi(world: World) -> World:
    world.umoja.area_counties.set([County.objects.get(code=47)])
    return world


def add(world: World, lang: str = "en", **fields: Any) -> Any:
    data = {"name": "Pointy", "ward": 1397, "aliases": "", "lat": "", "lon": ""} | fields
    client = world.client_for(world.wanjiku)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client.post(URL, data)


def local(name: str) -> Any:
    return Settlement.objects.filter(source="local", name=name)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "This point is not in Mwiki ward: it is in Majengo, Mvita, Mombasa."),
     ("sw", "Mahali hapa hapako katika wadi ya Mwiki: ni Majengo, Mvita, Mombasa.")],
)  # fmt: skip
def test_a_point_outside_the_chosen_ward_is_refused_with_the_ward_it_is_in(
    nairobi: World, lang: str, words: str
) -> None:
    lat, lon = ON_THE_MOMBASA_COAST
    response = add(nairobi, lang, lat=lat, lon=lon)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not local("Pointy").exists()


def test_a_point_inside_the_chosen_ward_is_accepted(nairobi: World) -> None:
    lat, lon = IN_MWIKI
    assert add(nairobi, lat=lat, lon=lon).status_code == 302
    place = local("Pointy").get()
    assert place.ward is not None and place.ward.code == 1397 and (place.lat, place.lon) == IN_MWIKI


def test_a_ward_without_a_boundary_takes_any_point(nairobi: World) -> None:
    lat, lon = IN_MWIKI
    assert add(nairobi, ward=1448, lat=lat, lon=lon).status_code == 302  # Ngei has no polygon
    assert local("Pointy").get().ward.code == 1448


@pytest.mark.parametrize(
    ("lang", "words", "box"),
    [("en", "“Huruma” is already a place in your area: Huruma, Mathare, Nairobi.",
      "Add it anyway with this name"),
     ("sw", "“Huruma” tayari ni mahali katika eneo lenu: Huruma, Mathare, Nairobi.",
      "Iongeze hata hivyo kwa jina hili")],
)  # fmt: skip
def test_a_name_that_is_already_a_place_of_the_area_asks_for_confirmation(
    nairobi: World, lang: str, words: str, box: str
) -> None:
    response = add(nairobi, lang, name="Huruma")
    assert response.status_code == 400
    page = response.content.decode()
    assert words in page and box in page and 'name="same_name_ok"' in page
    assert not local("Huruma").exists()
    confirmed = add(nairobi, lang, name="Huruma", same_name_ok="on")
    assert confirmed.status_code == 302
    assert local("Huruma").get().ward.code == 1397


def test_an_alias_that_is_already_a_place_asks_too_and_a_new_name_does_not(nairobi: World) -> None:
    page = add(nairobi, name="Kwa Mama Njeri", aliases="Mama Njeri, Huruma")
    assert page.status_code == 400 and "“Huruma” is already a place in your area" in page.content.decode()
    assert add(nairobi, name="Kwa Mama Njeri", aliases="Mama Njeri").status_code == 302
    # The form shows no confirmation box until there is something to confirm.
    form = nairobi.client_for(nairobi.wanjiku).get(URL).content.decode()
    assert 'type="checkbox" name="same_name_ok"' not in form
