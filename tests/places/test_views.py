"""The public place search page, its htmx fragment and the JSON endpoints."""

from __future__ import annotations

import pytest

from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_search_page_works_without_javascript(client: Client) -> None:
    empty = client.get(reverse("place_search"))
    assert empty.status_code == 200
    assert b'name="q"' in empty.content and b'name="lat"' in empty.content
    page = client.get(reverse("place_search"), {"q": "Mathare 4A"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mathare 4A" in html and "Nairobi" in html and "1.00" in html
    assert 'hx-get="/places/results/"' in html and "keyup changed delay:300ms" in html
    assert html.count("<option") == 48  # "any county" and the 47 counties, to prefer one


def test_the_county_choice_reorders_the_results(client: Client) -> None:
    html = client.get(reverse("place_search"), {"q": "Bondeni", "county": "42"}).content.decode()
    assert '<option value="42" selected>Kisumu</option>' in html
    results = html[html.index('id="place-results"') :]
    assert results.index("Kisumu") < results.index("Machakos")


def test_the_fragment_holds_only_the_results(client: Client) -> None:
    response = client.get(reverse("place_search_results"), {"q": "Kisumu Ndogo", "county": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<script" not in html and "style=" not in html
    assert html.index("Mombasa") < html.index("Nairobi")


def test_a_search_with_no_match_says_so(client: Client) -> None:
    response = client.get(reverse("place_search_results"), {"q": "Zzyzx"})
    assert response.status_code == 200 and b"No place found" in response.content


def test_the_point_form_shows_the_ward(client: Client) -> None:
    response = client.get(reverse("place_search"), {"lat": "-1.293957", "lon": "36.852375"})
    assert response.status_code == 200
    assert "Makongeni ward (1430), Makadara constituency, Nairobi county" in response.content.decode()
    approximate = client.get(reverse("place_search"), {"lat": "-1.25598", "lon": "36.86756"})
    assert b"Ngei" in approximate.content and b"Approximate" in approximate.content
    sea = client.get(reverse("place_search"), {"lat": "-4.5", "lon": "40.5"})
    assert sea.status_code == 200 and b"not in any Kenyan ward" in sea.content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 201}, b"at most 200 characters"),
        ({"q": "Kibera", "county": "99"}, b"County code"),
        ({"lat": "-1.3", "lon": "abc"}, b"Longitude"),
        ({"lat": "120", "lon": "36.8"}, b"Latitude"),
        ({"lat": "-1.3"}, b"Longitude"),
    ],
)
def test_bad_input_on_the_page_is_a_400_with_a_message(
    client: Client, params: dict[str, str], message: bytes
) -> None:
    response = client.get(reverse("place_search"), params)
    assert response.status_code == 400
    assert message in response.content


def test_search_json_feeds_place_pickers(client: Client) -> None:
    response = client.get(reverse("place_search_json"), {"q": "Kibera", "limit": "3"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert 1 <= len(results) <= 3
    assert results[0]["constituency_code"] == 278
    assert {"kind", "name", "ward_code", "constituency_code", "county_code", "score"} <= results[0].keys()


@pytest.mark.parametrize(
    "params", [{}, {"q": ""}, {"q": "x" * 201}, {"q": "Kibera", "limit": "0"}, {"q": "Kibera", "county": "x"}]
)
def test_search_json_rejects_bad_input_with_400(client: Client, params: dict[str, str]) -> None:
    response = client.get(reverse("place_search_json"), params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_at_json_returns_the_ward_or_null(client: Client) -> None:
    found = client.get(reverse("place_at_json"), {"lat": "-1.314389", "lon": "36.788472"}).json()["result"]
    assert (found["ward_code"], found["name"]) == (1383, "Mugumo-Ini")
    assert client.get(reverse("place_at_json"), {"lat": "-4.5", "lon": "40.5"}).json() == {"result": None}
    bad = client.get(reverse("place_at_json"), {"lat": "nan", "lon": "36"})
    assert bad.status_code == 400 and bad.json()["error"]


def test_the_search_is_public_and_read_only(client: Client) -> None:
    assert client.post(reverse("place_search"), {"q": "Kibera"}).status_code == 405
    assert client.get(reverse("place_search_json"), {"q": "Kibera"}).status_code == 200
