"""Cases through the API: detail with reports and timeline, filters, and the lifecycle transitions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from sauti.monitoring.models import Case, CaseEvent
from tests.api.conftest import Data, submit, token_client
from tests.conftest import World


def move(client: Client, case: Case, body: Any) -> Any:
    return client.post(f"/api/cases/{case.pk}/transition/", body, content_type="application/json")


def test_a_case_comes_with_its_reports_and_timeline(world: World, data: Data) -> None:
    body = token_client(world.wanjiku).get(f"/api/cases/{data.referred_case.pk}/").json()
    assert body["status"] == "referred" and body["reference"] == f"C{data.referred_case.pk}"
    assert body["referred_to"] == {"id": data.office.pk, "name": "Chief, Mabatini"}
    assert body["verification_method"] == "site_visit" and body["category"] == "housing"
    assert body["ward"] == 1446 and body["report_count"] == 1
    assert [r["id"] for r in body["reports"]] == [data.referred.pk]
    steps = [(e["kind"], e["from_status"], e["to_status"]) for e in body["timeline"]]
    assert steps == [
        ("created", "", "new"),
        ("status", "new", "triaged"),
        ("status", "triaged", "verified"),
        ("status", "verified", "referred"),
    ]
    assert body["timeline"][2]["reason"] == "Seen by Otieno" and body["timeline"][2]["actor"] == "wanjiku"


def test_a_coordinator_takes_a_case_from_new_to_resolved(world: World, data: Data) -> None:
    client = token_client(world.wanjiku)
    case = data.case
    assert move(client, case, {"status": "triaged"}).json()["status"] == "triaged"
    verified = move(
        client, case, {"status": "verified", "method": "photo", "reason": "Photos from two people"}
    )
    assert verified.status_code == 200 and verified.json()["verification_method"] == "photo"
    referred = move(client, case, {"status": "referred", "referred_to": data.office.pk})
    assert referred.json()["referred_to"]["id"] == data.office.pk
    resolved = move(client, case, {"status": "resolved", "reason": "Water back on"})
    assert resolved.status_code == 200
    event = CaseEvent.objects.filter(case=case, kind="status").last()
    assert event is not None and event.actor == world.wanjiku and event.reason == "Water back on"
    assert resolved.json()["timeline"][-1]["to_status"] == "resolved"
    # Referred to the chief's office: the official now sees it.
    assert token_client(world.chief).get(f"/api/cases/{case.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "verified"}, "non_field_errors"),  # new cannot become verified
        ({"status": "rejected"}, "non_field_errors"),  # no reason
        ({"status": "rejected", "reason": "   "}, "non_field_errors"),
        ({"status": "closed"}, "status"),
        ({}, "status"),
        ({"status": None}, "status"),
        ({"status": "triaged", "method": "rumour"}, "method"),
        ({"status": "triaged", "referred_to": 999999}, "referred_to"),
        ({"status": "triaged", "referred_to": 2**80}, "referred_to"),
        ({"status": "triaged", "referred_to": "chief"}, "referred_to"),
        ({"status": "triaged", "reason": "x" * 4001}, "reason"),
        ({"status": ["triaged"]}, "status"),
    ],
)
def test_a_bad_transition_is_400_and_changes_nothing(world: World, data: Data, body: Any, field: str) -> None:
    events = CaseEvent.objects.count()
    response = move(token_client(world.wanjiku), data.case, body)
    assert response.status_code == 400 and list(response.json()) == [field]
    assert all(isinstance(m, str) and m for m in response.json()[field])
    data.case.refresh_from_db()
    assert data.case.status == "new" and CaseEvent.objects.count() == events


def test_verifying_needs_the_method_and_rejecting_the_reason(world: World, data: Data) -> None:
    client = token_client(world.wanjiku)
    move(client, data.case, {"status": "triaged"})
    refused = move(client, data.case, {"status": "verified"})
    assert refused.status_code == 400 and "verified" in refused.json()["non_field_errors"][0]
    rejected = move(client, data.case, {"status": "rejected", "reason": "Duplicate of a known case"})
    assert rejected.status_code == 200 and rejected.json()["rejection_reason"] == "Duplicate of a known case"


def test_cases_filter_by_status_category_place_date_and_text(world: World, data: Data) -> None:
    old = submit(world.umoja, "Borehole stalled since 2019", "Githunguri", "public-projects-stalled")
    assert old.case is not None
    Case.objects.filter(pk=old.case.pk).update(created_at=timezone.now() - timedelta(days=40))
    client = token_client(world.kamau)

    def found(query: str) -> set[int]:
        response = client.get(f"/api/cases/?{query}")
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    a, b, c = data.case.pk, data.referred_case.pk, old.case.pk
    assert found("") == {a, b, c}
    assert found("status=referred") == {b}
    assert found("category=housing") == {b}
    assert found("category=water-disconnection") == {a}
    assert found("ward=1446") == {b}
    assert found("county=47") == {a, b}
    assert found("q=borehole") == {c}
    day = (timezone.localdate() - timedelta(days=40)).isoformat()
    assert found(f"date_to={day}") == {c}
    assert found(f"date_from={timezone.localdate().isoformat()}") == {a, b}
