"""POST /api/reports/ honours an explicit place_key whenever it is one of the places place_text names, even
when the name alone would resolve (issue 16 review item 3; README contract)."""

from __future__ import annotations

from typing import Any

import pytest

from sauti.monitoring.models import Report
from sauti.places.models import County
from tests.api.conftest import token_client
from tests.conftest import World


def post(world: World, body: dict[str, Any], lang: str = "en") -> Any:
    world.umoja.area_counties.set([County.objects.get(code=47)])  # Nairobi only: "Huruma" is 1447 there
    body = {"org": "umoja", "description": "Fence put up on the public field", "place_text": "Huruma"} | body
    return token_client(world.wanjiku).post(
        "/api/reports/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang
    )


def test_without_a_key_the_areas_huruma_is_taken(world: World) -> None:
    response = post(world, {})
    assert response.status_code == 201 and response.json()["ward"] == 1447


def test_a_key_naming_another_huruma_is_honoured_although_the_name_alone_is_clear(world: World) -> None:
    response = post(world, {"place_key": "ward:713"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["ward"] == 713 and body["county"]["code"] == 27
    assert Report.objects.get(pk=body["id"]).ward.code == 713  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("key", "lang", "words"),
    [("ward:575", "en", "This place_key is not one of the places named “Huruma”."),
     ("ward:999999", "en", "This place_key is not one of the places named “Huruma”."),
     ("ward:575", "sw", "place_key hii si mojawapo ya mahali panapoitwa “Huruma”.")],
)  # fmt: skip
def test_a_key_that_is_not_one_of_the_names_places_is_a_400_and_nothing_is_stored(
    world: World, key: str, lang: str, words: str
) -> None:
    response = post(world, {"place_key": key}, lang)
    assert response.status_code == 400
    assert words in str(response.json()) and "place_key" in response.json()
    assert not Report.objects.exists()
