"""POST /api/reports/: what is stored, what is refused and why, idempotent retries; filters and pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from sauti.monitoring.models import Case, Report
from sauti.places.models import County
from sauti.places.services import ward_at
from tests.api.conftest import Data, submit, token_client
from tests.conftest import World

TODAY = timezone.localdate()
DROP = object()


def post(client: Client, body: Any, **extra: Any) -> Any:
    return client.post("/api/reports/", body, content_type="application/json", **extra)


def test_a_report_is_stored_placed_and_grouped_into_a_case(world: World) -> None:
    response = post(
        token_client(world.wanjiku),
        {
            "org": "umoja",
            "description": "Maji yamekatwa tangu jana",
            "occurred_on": str(TODAY - timedelta(days=1)),
            "place_text": "Kwa Reuben",
            "categories": ["water-disconnection", "Water"],
            "people_affected": 200,
            "language": "sw",
            "external_id": "app-1",
        },
    )
    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get(pk=body["id"])
    assert report.channel == "web" and report.submitted_by == world.wanjiku
    assert body["ward"] == 1408 and body["county"]["code"] == 47
    assert body["precision"] == "ward" and set(body["categories"]) == {"water-disconnection", "water"}
    assert body["case"] == report.case_id and body["case_status"] == "new"
    assert body["people_affected"] == 200 and body["language"] == "sw" and body["reporter"] is None
    assert Case.objects.get(pk=body["case"]).report_count == 1


@pytest.mark.parametrize(
    ("place_text", "ward"), [("Huruma", 1447), ("Mwiki", None), ("Mathare 4A", None), ("Kayole", None)]
)
def test_place_text_is_resolved_for_the_organisations_area_and_ward_is_a_bare_iebc_code(
    world: World, place_text: str, ward: int | None
) -> None:
    world.umoja.area_counties.set([County.objects.get(code=47)])  # a Nairobi organisation
    response = post(
        token_client(world.wanjiku),
        {"org": "umoja", "description": "Maji yamekatwa tangu jana", "place_text": place_text},
    )
    assert response.status_code == 201
    body = response.json()
    report = Report.objects.select_related("ward__county").get(pk=body["id"])
    assert report.ward is not None
    assert isinstance(body["ward"], int) and body["ward"] == report.ward.code
    assert report.ward.county.code == 47 and body["county"]["code"] == 47
    if ward is not None:
        assert body["ward"] == ward
    assert body["case"] == report.case_id and body["place_choices"] == []


def test_a_report_without_a_place_has_a_null_ward(world: World) -> None:
    response = post(token_client(world.wanjiku), {"org": "umoja", "description": "Maji yamekatwa tangu jana"})
    assert response.status_code == 201
    assert response.json()["ward"] is None


def test_field_monitors_report_on_the_monitor_channel_with_coordinates_and_a_reporter(
    world: World, data: Data
) -> None:
    response = post(
        token_client(world.otieno),
        {
            "org": "umoja",
            "description": "Sewage flowing into houses",
            "lat": -1.2621,
            "lon": 36.8576,
            "reporter": data.reporter.pseudonym,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["channel"] == "monitor" and body["precision"] == "point"
    ward = ward_at(-1.2621, 36.8576)
    assert ward is not None and body["ward"] == ward.ward_code
    assert body["reporter"] == data.reporter.pseudonym
    assert Report.objects.get(pk=body["id"]).reporter == data.reporter


def test_the_same_external_id_returns_the_stored_report_with_200(world: World) -> None:
    client = token_client(world.wanjiku)
    body = {"org": "umoja", "description": "Demolitions in Mabatini", "external_id": "phone-42"}
    first = post(client, body)
    again = post(client, {**body, "description": "a retry with other text"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["description"] == "Demolitions in Mabatini"
    assert Report.objects.filter(external_id="phone-42").count() == 1
    other = post(client, {**body, "external_id": "phone-43"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("no description", {"description": DROP}, "description"),
    ("null description", {"description": None}, "description"),
    ("blank description", {"description": "   "}, "description"),
    ("description too long", {"description": "x" * 5001}, "description"),
    ("description not text", {"description": {"a": 1}}, "description"),
    ("future date", {"occurred_on": str(TODAY + timedelta(days=2))}, "occurred_on"),
    ("before 1963", {"occurred_on": "1962-12-31"}, "occurred_on"),
    ("impossible date", {"occurred_on": "2024-02-30"}, "occurred_on"),
    ("date as number", {"occurred_on": 20240101}, "occurred_on"),
    ("outside Kenya", {"lat": 51.5, "lon": -0.12}, "lat"),
    ("latitude only", {"lat": -1.26}, "lat"),
    ("latitude not a number", {"lat": "north", "lon": 36.8}, "lat"),
    ("latitude beyond the pole", {"lat": 91, "lon": 36.8}, "lat"),
    ("huge longitude", {"lat": -1.2, "lon": 1e308}, "lon"),
    ("infinite longitude", {"lat": -1.2, "lon": "Infinity"}, "lon"),
    ("unknown category", {"categories": ["water", "aliens"]}, "categories"),
    ("category not a list", {"categories": "water"}, "categories"),
    ("category not text", {"categories": [{"key": "water"}]}, "categories.0"),
    ("too many categories", {"categories": ["water"] * 21}, "categories"),
    ("negative people", {"people_affected": -1}, "people_affected"),
    ("too many people", {"people_affected": 10**30}, "people_affected"),
    ("people as text", {"people_affected": "many"}, "people_affected"),
    ("unknown language", {"language": "fr"}, "language"),
    ("unknown county", {"county": 48}, "county"),
    ("reporter who is not a pseudonym", {"reporter": "Njeri Wambui"}, "reporter"),
    ("unknown reporter", {"reporter": "P-ZZZZZZZZ"}, "reporter"),
    ("null character", {"description": "water\x00cut"}, "description"),
    ("external id too long", {"external_id": "x" * 121}, "external_id"),
]


@pytest.mark.parametrize(("label", "change", "field"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_input_is_refused_with_the_field_and_a_reason_and_nothing_is_saved(
    world: World, label: str, change: dict[str, Any], field: str
) -> None:
    body = {"org": "umoja", "description": "Water cut in Kwa Reuben", **change}
    body = {k: v for k, v in body.items() if v is not DROP}
    response = post(token_client(world.wanjiku), body)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert list(errors) == [field] and all(isinstance(m, str) and m for m in errors[field])
    assert not Report.objects.exists() and not Case.objects.exists()


def test_a_reporter_of_another_organisation_is_unknown(world: World, data: Data) -> None:
    response = post(
        token_client(world.bob), {"org": "haki", "description": "x", "reporter": data.reporter.pseudonym}
    )
    assert response.status_code == 400 and list(response.json()) == ["reporter"]


@pytest.mark.parametrize(
    ("org", "status"), [("nowhere", 404), ("haki", 404), ("Not a slug!", 400), ("", 400), (None, 400)]
)
def test_an_unknown_or_foreign_organisation_is_not_found(world: World, org: Any, status: int) -> None:
    response = post(token_client(world.wanjiku), {"org": org, "description": "x"})
    assert response.status_code == status
    assert not Report.objects.exists()


def test_malformed_json_and_other_content_types_are_refused(world: World) -> None:
    client = token_client(world.wanjiku)
    broken = client.post("/api/reports/", '{"org": "umoja", ', content_type="application/json")
    assert broken.status_code == 400 and "detail" in broken.json()
    for body in ("[1, 2]", '"text"', "null", "42"):
        response = client.post("/api/reports/", body, content_type="application/json")
        assert response.status_code == 400, body
    for body in (
        "[" * 100_000 + "]" * 100_000,  # nested deeper than Python's recursion limit
        '{"org": "umoja", "description": "x", "lat": NaN, "lon": 36.8}',
        '{"org": "umoja", "description": "x", "people_affected": 1' + "0" * 5000 + "}",
    ):
        response = client.post("/api/reports/", body, content_type="application/json")
        assert response.status_code == 400 and response.json()["detail"]
    latin = client.generic(
        "POST", "/api/reports/", b"\xff{", content_type="application/json; charset=latin-1"
    )
    assert latin.status_code == 400
    huge = client.post(
        "/api/reports/", {"org": "umoja", "description": "x" * 3_000_000}, content_type="application/json"
    )
    assert huge.status_code == 413 and huge.json()["detail"]
    form = client.post("/api/reports/", {"org": "umoja", "description": "x"})
    assert form.status_code == 415 and "detail" in form.json()
    xml = client.post("/api/reports/", "<report/>", content_type="application/xml")
    assert xml.status_code == 415
    assert not Report.objects.exists()


def test_errors_come_in_the_language_asked_for(world: World) -> None:
    client = token_client(world.wanjiku)
    response = post(
        client, {"org": "umoja", "description": "x", "lat": 51.5, "lon": 0}, HTTP_ACCEPT_LANGUAGE="sw"
    )
    assert response.status_code == 400 and response["Content-Language"] == "sw"
    world.wanjiku.preferred_language = "sw"
    world.wanjiku.save()
    # Token clients that send no Accept-Language get the language saved on the account.
    assert token_client(world.wanjiku).get("/api/reports/?limit=0")["Content-Language"] == "sw"


def test_unknown_methods_are_405(world: World, data: Data) -> None:
    client = token_client(world.wanjiku)
    assert client.delete(f"/api/reports/{data.report.pk}/").status_code == 405
    assert client.put("/api/reports/", {}, content_type="application/json").status_code == 405


def test_any_other_url_under_api_is_a_json_404(world: World) -> None:
    client = token_client(world.wanjiku)
    for url in ("/api/reports/abc/", "/api/reports/-1/", "/api/nothing/", "/api/reports"):
        response = client.get(url)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}, url
    assert post(client, {"org": "umoja"}).status_code == 400
    assert client.post("/api/reports", {}, content_type="application/json").status_code == 404
    assert client.get("/api/docs")["Location"] == "/api/docs/"


# Lists ----------------------------------------------------------------------------------------------


def ids(client: Client, query: str) -> list[int]:
    response = client.get(f"/api/reports/?{query}")
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["results"]]


def test_reports_filter_by_every_field(world: World, data: Data) -> None:
    sms = submit(world.umoja, "Maji machafu Mathare", "Mathare", "water-quality")
    Report.objects.filter(pk=sms.pk).update(channel="sms", received_at=timezone.now() - timedelta(days=10))
    client = token_client(world.wanjiku)
    a, b, c = data.report.pk, data.referred.pk, sms.pk
    assert set(ids(client, "")) == {a, b, c}
    assert ids(client, "") == [b, a, c]  # newest first
    assert set(ids(client, "org=umoja")) == {a, b, c}
    assert set(ids(client, "category=water")) == {a, c}  # a top-level key includes its sub-categories
    assert ids(client, "category=water-quality") == [c]
    assert ids(client, "status=referred") == [b]
    assert ids(client, "channel=sms") == [c]
    assert set(ids(client, "county=47")) == {a, b, c}
    assert ids(client, "ward=1446") == [b]
    assert ids(client, "q=DEMOLISHED") == [b]
    assert ids(client, "q=kwa reuben") == [a]
    day = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert ids(client, f"date_from={day}&date_to={day}") == [c]
    assert set(ids(client, f"date_from={timezone.localdate().isoformat()}")) == {a, b}
    assert ids(client, "county=1") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("channel=pigeon", "channel"),
        ("category=aliens", "category"),
        ("county=48", "county"),
        ("county=abc", "county"),
        ("county=", "county"),
        ("ward=99999999999999999999999", "ward"),
        ("date_from=2024-13-01", "date_from"),
        ("date_from=1900-01-01", "date_from"),
        ("date_from=2024-05-02&date_to=2024-05-01", "date_to"),
        ("q=" + "x" * 201, "q"),
        ("q=a%00b", "q"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("offset=99999999999999999999", "offset"),
    ],
)
def test_bad_filters_are_400_with_the_parameter(world: World, query: str, field: str) -> None:
    for url in ("/api/reports/", "/api/cases/"):
        if url == "/api/cases/" and query.startswith("channel"):
            continue
        response = token_client(world.wanjiku).get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert list(response.json()) == [field]


def test_an_organisation_filter_outside_ones_own_is_404(world: World, data: Data) -> None:
    client = token_client(world.wanjiku)
    for url in ("/api/reports/?org=haki", "/api/cases/?org=haki", "/api/categories/?org=nowhere"):
        assert client.get(url).status_code == 404


def test_pages_follow_limit_and_offset(world: World) -> None:
    for n in range(7):
        submit(world.umoja, f"Stalled borehole number {n}", "", "public-projects-stalled")
    client = token_client(world.wanjiku)
    first = client.get("/api/reports/?limit=3").json()
    assert first["count"] == 7 and len(first["results"]) == 3 and first["previous"] is None
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert len(second["results"]) == 3 and len(third["results"]) == 1 and third["next"] is None
    seen = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert sorted(seen) == sorted(Report.objects.values_list("pk", flat=True))
    assert client.get("/api/reports/?offset=100").json()["results"] == []
    assert len(client.get("/api/reports/").json()["results"]) == 7


def test_a_list_page_makes_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        submit(world.umoja, f"Evictions in Mukuru, family {n}", "Mukuru", "housing-eviction")
    client = token_client(world.wanjiku)
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/reports/").json()["results"]) == 12
    with django_assert_max_num_queries(12):
        client.get("/api/cases/")
