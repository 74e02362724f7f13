"""Every API endpoint as every persona: the same access rules as the web pages, and no identities."""

from __future__ import annotations

import json

import pytest

from django.test import Client

from sauti.people.models import IdentityAccess
from tests.api.conftest import NAME, PERSONAS, PHONE, Data, token_client
from tests.conftest import World


def reads(d: Data) -> dict[str, str]:
    return {
        "categories": "/api/categories/",
        "categories_umoja": "/api/categories/?org=umoja",
        "places": "/api/places/?q=Mathare",
        "place_at": "/api/places/at/?lat=-1.2621&lon=36.8576",
        "reports": "/api/reports/",
        "reports_umoja": "/api/reports/?org=umoja",
        "report": f"/api/reports/{d.report.pk}/",
        "referred_report": f"/api/reports/{d.referred.pk}/",
        "haki_report": f"/api/reports/{d.haki_report.pk}/",
        "cases": "/api/cases/",
        "case": f"/api/cases/{d.case.pk}/",
        "referred_case": f"/api/cases/{d.referred_case.pk}/",
        "haki_case": f"/api/cases/{d.haki_case.pk}/",
    }


OK = 200
EVERYONE = {"categories": OK, "places": OK, "place_at": OK, "reports": OK, "cases": OK}
UMOJA_MEMBER = {
    **EVERYONE,
    "categories_umoja": OK,
    "reports_umoja": OK,
    "report": OK,
    "referred_report": OK,
    "haki_report": 404,
    "case": OK,
    "referred_case": OK,
    "haki_case": 404,
}
READ_MATRIX: dict[str, dict[str, int]] = {
    "alice": dict.fromkeys(["categories_umoja", "reports_umoja", "report", "referred_report", "haki_report", "case", "referred_case", "haki_case"], OK) | EVERYONE,
    "wanjiku": UMOJA_MEMBER,
    "otieno": UMOJA_MEMBER,
    "achieng": UMOJA_MEMBER,
    "kamau": UMOJA_MEMBER,
    "bob": {**EVERYONE, "categories_umoja": 404, "reports_umoja": 404, "report": 404, "referred_report": 404, "haki_report": OK, "case": 404, "referred_case": 404, "haki_case": OK},
    # The official sees only what was referred to the office.
    "chief": {**EVERYONE, "categories_umoja": OK, "reports_umoja": OK, "report": 404, "referred_report": OK, "haki_report": 404, "case": 404, "referred_case": OK, "haki_case": 404},
    "outsider": {**EVERYONE, "categories_umoja": 404, "reports_umoja": 404, "report": 404, "referred_report": 404, "haki_report": 404, "case": 404, "referred_case": 404, "haki_case": 404},
}  # fmt: skip

# persona -> (POST a report to Umoja, triage Umoja's new case, resolve the referred case)
WRITE_MATRIX: dict[str, tuple[int, int, int]] = {
    "alice": (201, 200, 200),
    "wanjiku": (201, 200, 200),
    "bob": (404, 404, 404),
    "otieno": (201, 403, 403),
    "achieng": (201, 403, 403),
    "kamau": (403, 403, 403),
    "chief": (403, 404, 403),
    "outsider": (404, 404, 404),
}
VISIBLE = {
    "alice": {"report", "referred", "haki_report"},
    "wanjiku": {"report", "referred"},
    "otieno": {"report", "referred"},
    "achieng": {"report", "referred"},
    "kamau": {"report", "referred"},
    "bob": {"haki_report"},
    "chief": {"referred"},
    "outsider": set(),
}

# Members who see Umoja's cases; Bob's organisation has no report from Njeri, the chief is an official.
SEE_PSEUDONYMS = {"alice", "wanjiku", "otieno", "achieng", "kamau"}


def post(client: Client, url: str, body: object) -> int:
    return client.post(url, body, content_type="application/json").status_code


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_read_endpoint_allows_and_denies_by_role(world: World, data: Data, persona: str) -> None:
    client = token_client(getattr(world, persona))
    got = {key: client.get(url).status_code for key, url in reads(data).items()}
    assert got == READ_MATRIX[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_write_endpoint_allows_and_denies_by_role(world: World, data: Data, persona: str) -> None:
    client = token_client(getattr(world, persona))
    report = {"org": "umoja", "description": "Sewage flowing into houses", "place_text": "Mabatini"}
    got = (
        post(client, "/api/reports/", report),
        post(client, f"/api/cases/{data.case.pk}/transition/", {"status": "triaged"}),
        post(client, f"/api/cases/{data.referred_case.pk}/transition/", {"status": "resolved"}),
    )
    assert got == WRITE_MATRIX[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_hold_only_what_the_persona_may_see(world: World, data: Data, persona: str) -> None:
    client = token_client(getattr(world, persona))
    names = {data.report.pk: "report", data.referred.pk: "referred", data.haki_report.pk: "haki_report"}
    reports = {names[r["id"]] for r in client.get("/api/reports/").json()["results"]}
    assert reports == VISIBLE[persona]
    cases = {r["id"] for r in client.get("/api/cases/").json()["results"]}
    assert cases == {getattr(data, k).case_id for k in VISIBLE[persona]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_identities_never_leave_and_pseudonyms_only_reach_members(
    world: World, data: Data, persona: str
) -> None:
    client = token_client(getattr(world, persona))
    answers = [client.get(url).content.decode() for url in reads(data).values()]
    answers.append(client.get("/api/reports/?q=Mabatini").content.decode())
    dump = "\n".join(answers)
    assert NAME not in dump and PHONE not in dump and "712000001" not in dump
    assert (data.reporter.pseudonym in dump) == (persona in SEE_PSEUDONYMS)
    assert not IdentityAccess.objects.exists()


def test_officials_see_no_pseudonyms_actors_or_notes(world: World, data: Data) -> None:
    from sauti.monitoring.actions import do_add_note

    do_add_note(data.referred_case, world.wanjiku, "Internal: the chief's brother owns the plot")
    body = token_client(world.chief).get(f"/api/cases/{data.referred_case.pk}/").json()
    assert [r["reporter"] for r in body["reports"]] == [None]
    assert {e["actor"] for e in body["timeline"]} == {None}
    assert "note" not in {e["kind"] for e in body["timeline"]}
    assert "brother" not in json.dumps(body)
    member = token_client(world.kamau).get(f"/api/cases/{data.referred_case.pk}/").json()
    assert [r["reporter"] for r in member["reports"]] == [data.reporter.pseudonym]
    assert "wanjiku" in {e["actor"] for e in member["timeline"]}
    assert "note" in {e["kind"] for e in member["timeline"]}


def test_without_a_token_or_session_every_endpoint_answers_401(data: Data) -> None:
    client = Client()
    for url in reads(data).values():
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"
    assert post(client, "/api/reports/", {"org": "umoja", "description": "x"}) == 401
    assert post(client, f"/api/cases/{data.case.pk}/transition/", {"status": "triaged"}) == 401


def test_a_wrong_or_revoked_token_is_refused(world: World, data: Data) -> None:
    from sauti.api.actions import do_regenerate_token

    client = token_client(world.wanjiku)
    assert client.get("/api/reports/").status_code == 200
    do_regenerate_token(world.wanjiku)
    assert client.get("/api/reports/").status_code == 401
    assert Client(headers={"Authorization": "Token nonsense"}).get("/api/reports/").status_code == 401
    world.otieno.is_active = False
    world.otieno.save()
    assert token_client(world.otieno).get("/api/reports/").status_code == 401


def test_a_browser_session_works_and_its_writes_need_the_csrf_token(world: World, data: Data) -> None:
    session = world.client_for(world.wanjiku)
    assert session.get("/api/reports/").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.wanjiku)
    response = strict.post(
        "/api/reports/", {"org": "umoja", "description": "x"}, content_type="application/json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
