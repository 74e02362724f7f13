"""Grouping a coordinator can trust (issue 16): one event per case, reasons in words, moving by search."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from sauti.monitoring.models import Case, Report
from sauti.places.models import County
from tests.api.conftest import token_client
from tests.conftest import World

TODAY = timezone.localdate()


def report(client: Client, text: str, place: str, category: str, days_ago: int = 0, **extra: Any) -> Report:
    response = client.post(
        "/api/reports/",
        {
            "org": "haki",
            "description": text,
            "place_text": place,
            "categories": [category] if category else [],
            "occurred_on": str(TODAY - timedelta(days=days_ago)),
            **extra,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Report.objects.get(pk=response.json()["id"])


@pytest.fixture
def api(world: World) -> Client:
    world.haki.county = County.objects.get(code=47)
    world.haki.save()
    return token_client(world.bob)


@pytest.mark.django_db
def test_a_demolition_does_not_join_a_water_case_in_the_same_place(api: Client) -> None:
    water = report(api, "Maji yamekatwa Kiamaiko tangu jana", "Kiamaiko", "water", 1)
    demolition = report(api, "Nyumba zinabomolewa Kiamaiko na kanjo", "Kiamaiko", "housing")
    assert water.case_id != demolition.case_id


@pytest.mark.django_db
def test_the_same_problem_in_another_ward_is_another_case(api: Client) -> None:
    first = report(api, "Maji yamekatwa Kiamaiko tangu jana", "Kiamaiko", "water", 1)
    other = report(api, "Maji yamekatwa Mabatini tangu jana", "Mabatini", "water")
    assert first.case_id != other.case_id


@pytest.mark.django_db
def test_the_same_trouble_weeks_later_is_a_new_case(api: Client) -> None:
    first = report(api, "Maji yamekatwa Kiamaiko", "Kiamaiko", "water", 40)
    later = report(api, "Maji yamekatwa tena Kiamaiko", "Kiamaiko", "water")
    assert first.case_id != later.case_id


@pytest.mark.django_db
def test_reports_of_one_event_share_a_case_and_the_page_says_why_in_words(world: World, api: Client) -> None:
    first = report(
        api, "Maji yamekatwa Kiamaiko tangu jana, watu 200", "Kiamaiko", "water", 2, people_affected=200
    )
    second = report(api, "No water in Kiamaiko since Monday", "Kiamaiko", "water", 0, people_affected=150)
    assert first.case_id is not None and first.case_id == second.case_id
    case = Case.objects.get(pk=first.case_id)
    assert case.people_affected == 200  # the largest count reported, not the sum of duplicates
    page = world.client_for(world.bob).get(f"/cases/{case.pk}/").content.decode()
    assert "2 days apart" in page and ("same settlement" in page or "same ward" in page)
    assert "match 0." not in page


@pytest.mark.django_db
def test_moving_a_report_lists_likely_cases_first_and_searches_by_words_and_place(
    world: World, api: Client
) -> None:
    water = report(api, "Maji yamekatwa Kiamaiko", "Kiamaiko", "water", 1)
    sewage = report(api, "Sewage flowing at Mabatini market", "Mabatini", "sanitation", 3)
    stray = report(api, "Nyumba zinabomolewa Kiamaiko na kanjo", "Kiamaiko", "housing")
    client = world.client_for(world.bob)
    url = f"/cases/{stray.case_id}/reports/{stray.pk}/move/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert water.case is not None and sewage.case is not None
    assert body.index(water.case.reference) < body.index(sewage.case.reference)  # same ward first
    found = client.get(url, {"q": "sewage"}).content.decode()
    assert sewage.case.reference in found and water.case.reference not in found
    by_place = client.get(url, {"place": "Mabatini"}).content.decode()
    assert sewage.case.reference in by_place and water.case.reference not in by_place
    moved = client.post(url, {"target": f"C{water.case_id}"})
    assert moved.status_code == 302
    stray.refresh_from_db()
    assert stray.case_id == water.case_id
    # A monitor may not move reports.
    assert world.client_for(world.otieno).get(url).status_code in (403, 404)


@pytest.mark.django_db
def test_the_case_page_shows_a_small_map_of_its_ward(world: World, api: Client) -> None:
    first = report(api, "Maji yamekatwa Kiamaiko", "Kiamaiko", "water", 1)
    page = world.client_for(world.bob).get(f"/cases/{first.case_id}/").content.decode()
    assert '<figure class="ward-sketch"><svg' in page and ">Kiamaiko</text>" in page
    assert ">Mabatini</text>" in page or ">Huruma</text>" in page  # a neighbour, labelled
