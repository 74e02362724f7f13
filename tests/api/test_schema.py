"""The served OpenAPI schema, the reference page built from it, API tokens, categories and places."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
import yaml
from rest_framework.authtoken.models import Token

from django.core.management import CommandError, call_command
from django.test import Client

from sauti.api.errors import flatten
from tests.api.conftest import token_client
from tests.conftest import World

OPERATIONS = {
    ("get", "/api/categories/"),
    ("get", "/api/places/"),
    ("get", "/api/places/at/"),
    ("get", "/api/reports/"),
    ("post", "/api/reports/"),
    ("get", "/api/reports/{id}/"),
    ("get", "/api/cases/"),
    ("get", "/api/cases/{id}/"),
    ("post", "/api/cases/{id}/transition/"),
    ("get", "/api/programmes/"),
    ("get", "/api/meetings/"),
    ("get", "/api/priorities/"),
    ("get", "/api/rounds/"),
    ("get", "/api/responses/"),
    ("get", "/api/commitments/"),
    ("get", "/api/follow-ups/"),
}


def operations(schema: dict[str, object]) -> set[tuple[str, str]]:
    paths = schema["paths"]
    assert isinstance(paths, dict)
    return {(method, path) for path, item in paths.items() for method in item}


def test_the_schema_is_json_by_default_and_yaml_on_request(db: None) -> None:
    client = Client()
    plain = client.get("/api/schema/")
    assert plain.status_code == 200 and plain["Content-Type"].startswith("application/json")
    schema = plain.json()
    assert schema["openapi"].startswith("3.") and operations(schema) == OPERATIONS
    by_format = client.get("/api/schema/?format=yaml")
    by_accept = client.get("/api/schema/", headers={"Accept": "application/yaml"})
    for response in (by_format, by_accept):
        assert response.status_code == 200
        assert response["Content-Type"].startswith(("application/yaml", "application/vnd.oai.openapi"))
        assert yaml.safe_load(response.content) == schema
    assert client.get("/api/schema/?format=json").json() == schema


def test_every_operation_documents_its_answers_and_errors(db: None) -> None:
    schema = Client().get("/api/schema/").json()
    for method, path in OPERATIONS:
        op = schema["paths"][path][method]
        assert op["summary"], (method, path)
        codes = set(op["responses"])
        assert {"401"} <= codes and codes & {"200", "201"}, (method, path)
        if method == "post" or "{id}" not in path:
            assert "400" in codes, (method, path)
        for code, response in op["responses"].items():
            if code.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    report = schema["components"]["schemas"]["Report"]["properties"]
    assert report["reporter"]["type"] == "string" and report["reporter"]["nullable"] is True
    assert not {"name", "phone", "reporter_name", "reporter_phone"} & set(report)


def test_the_schema_validates_without_warnings() -> None:
    out, err = StringIO(), StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=err)
    assert "Warning" not in err.getvalue() and "Error" not in err.getvalue()


def test_the_schema_is_translated_and_only_into_languages_we_have(db: None) -> None:
    client = Client()
    assert client.get("/api/schema/?lang=sw").status_code == 200
    response = client.get("/api/schema/?lang=xx")
    assert response.status_code == 400 and "lang" in response.json()


def test_the_reference_page_lists_every_operation_and_object_without_inline_code(db: None) -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    for method, path in OPERATIONS:
        assert f"{method.upper()} {path}" in page
    for name in ("Report", "ReportCreate", "CaseDetail", "Transition", "Place", "Error"):
        assert f'id="schema-{name}"' in page
    assert "<script>" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page and not re.search(r"\son[a-z]+=", page)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_token_page_shows_and_replaces_ones_own_token(world: World) -> None:
    anonymous = Client().get("/api/token/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    client = world.client_for(world.otieno)
    page = client.get("/api/token/")
    assert page.status_code == 200 and not Token.objects.filter(user=world.otieno).exists()
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert client.post("/api/token/").status_code == 302
    first = Token.objects.get(user=world.otieno).key
    assert first in client.get("/api/token/").content.decode()
    client.post("/api/token/")
    second = Token.objects.get(user=world.otieno).key
    assert second != first and first not in client.get("/api/token/").content.decode()
    assert Client(headers={"Authorization": f"Token {second}"}).get("/api/cases/").status_code == 200
    assert Client(headers={"Authorization": f"Token {first}"}).get("/api/cases/").status_code == 401
    assert client.put("/api/token/").status_code == 405


def test_the_api_token_command_prints_makes_and_replaces_tokens(world: World) -> None:
    def run(*args: str) -> str:
        out = StringIO()
        call_command("api_token", *args, stdout=out)
        return out.getvalue().strip()

    first = run("kamau")
    assert run("kamau") == first == Token.objects.get(user=world.kamau).key
    replaced = run("kamau", "--new")
    assert replaced != first and Token.objects.get(user=world.kamau).key == replaced
    with pytest.raises(CommandError, match="no user"):
        run("nobody")
    world.outsider.is_active = False
    world.outsider.save()
    with pytest.raises(CommandError, match="inactive"):
        run("outsider")


def test_categories_carry_keys_parents_and_both_languages(world: World) -> None:
    rows = token_client(world.wanjiku).get("/api/categories/?org=umoja").json()
    by_key = {r["key"]: r for r in rows}
    assert by_key["water-disconnection"] == {
        "organisation": "umoja",
        "key": "water-disconnection",
        "parent": "water",
        "name_en": "Water disconnection",
        "name_sw": "Kukatiwa maji",
        "is_active": True,
    }
    assert by_key["water"]["parent"] is None
    assert {"housing", "gbv", "public-projects", "other"} <= set(by_key)
    everything = token_client(world.alice).get("/api/categories/").json()
    assert {r["organisation"] for r in everything} == {"umoja", "haki"}
    assert token_client(world.outsider).get("/api/categories/").json() == []


def test_places_follow_the_cli_contract(world: World) -> None:
    client = token_client(world.chief)
    found = client.get("/api/places/?q=Mathare 4A&limit=3").json()["results"]
    assert 1 <= len(found) <= 3
    for place in found:
        assert {"kind", "name", "ward_code", "constituency_code", "county_code", "score"} <= set(place)
        assert place["kind"] in {"county", "constituency", "ward", "settlement"} and 0 <= place["score"] <= 1
    assert found[0]["county_code"] == 47
    at = client.get("/api/places/at/?lat=-1.2621&lon=36.8576").json()["result"]
    assert at["kind"] == "ward" and at["county_code"] == 47 and at["ward_code"]
    assert client.get("/api/places/at/?lat=51.5&lon=-0.12").json() == {"result": None}


@pytest.mark.parametrize(
    "query",
    [
        "/api/places/",
        "/api/places/?q=",
        "/api/places/?q=Kibra&county=99",
        "/api/places/?q=Kibra&limit=1000",
        "/api/places/at/?lat=-1.2",
        "/api/places/at/?lat=abc&lon=36.8",
        "/api/places/at/?lat=nan&lon=36.8",
        "/api/places/at/?lat=1e999&lon=36.8",
        "/api/places/at/?lat=-91&lon=36.8",
        "/api/places/at/?lat=-1.2&lon=181",
    ],
)
def test_bad_place_queries_are_400(world: World, query: str) -> None:
    response = token_client(world.wanjiku).get(query)
    assert response.status_code == 400 and response.json()


def test_nested_errors_are_flattened_to_one_level() -> None:
    assert flatten({"categories": {0: ["Not a valid string."]}, "org": ["Bad."]}) == {
        "categories.0": ["Not a valid string."],
        "org": ["Bad."],
    }
    assert flatten(["Whole body wrong."]) == {"non_field_errors": ["Whole body wrong."]}
    assert flatten({"a": [{}, {"b": ["x"]}]}) == {"a.1.b": ["x"]}
    assert json.dumps(flatten({"x": "plain"})) == '{"x": ["plain"]}'


def test_every_drf_message_the_api_can_send_is_marked_for_our_catalog() -> None:
    from rest_framework import exceptions, serializers

    from sauti.api import serializers as api_serializers
    from sauti.api.drf_messages import DRF_MESSAGES

    def messages(serializer: serializers.Serializer[object]) -> set[str]:
        found = {str(m) for m in serializer.error_messages.values()}
        for field in serializer.fields.values():
            found |= {str(m) for m in field.error_messages.values()}
            if isinstance(field, serializers.ListField):
                found |= {str(m) for m in field.child.error_messages.values()}
            if isinstance(field, serializers.Serializer):
                found |= messages(field)
        return found

    sent: set[str] = set()
    for obj in vars(api_serializers).values():
        if (
            isinstance(obj, type)
            and issubclass(obj, serializers.Serializer)
            and obj.__module__ == api_serializers.__name__
        ):
            sent |= messages(obj())
    for exc in (
        exceptions.ParseError,
        exceptions.AuthenticationFailed,
        exceptions.NotAuthenticated,
        exceptions.PermissionDenied,
        exceptions.NotFound,
        exceptions.MethodNotAllowed,
        exceptions.NotAcceptable,
        exceptions.UnsupportedMediaType,
    ):
        sent.add(str(exc.default_detail))
    assert sent - DRF_MESSAGES == set()
