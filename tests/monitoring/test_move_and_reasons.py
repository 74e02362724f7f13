"""Review of issue 16: the move page with a case that has no place, the likely cases first with their
reason, and the reason a report was grouped, kept after its case has grown."""

from __future__ import annotations

import pytest

from django.test import Client

from sauti.monitoring.models import Case
from tests.conftest import World
from tests.monitoring.test_grouping_events import api, report  # noqa: F401 (fixture)

LIKELY = {"en": "Likely:", "sw": "Huenda:"}
UNKNOWN = {"en": "place unknown", "sw": "mahali hapajulikani"}
PUT_HERE = {"en": "Sauti put this report here:", "sw": "Sauti imeweka ripoti hii hapa:"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "sw"])
def test_the_move_page_lists_a_case_with_no_place(world: World, api: Client, language: str) -> None:  # noqa: F811
    nowhere = report(api, "Something odd happened, nobody said where", "", "")
    assert nowhere.case is not None and nowhere.case.ward_id is None and nowhere.case.county_id is None
    stray = report(api, "Nyumba zinabomolewa Kiamaiko na kanjo", "Kiamaiko", "housing")
    url = f"/cases/{stray.case_id}/reports/{stray.pk}/move/"
    client = world.client_for(world.bob)
    client.cookies["sauti_language"] = language
    for query in ({}, {"words": "water"}, {"q": "odd"}):
        page = client.get(url, query)
        assert page.status_code == 200, query
        body = page.content.decode()
        assert nowhere.case.reference in body and UNKNOWN[language] in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "sw"])
def test_the_move_page_lists_the_likely_case_first_with_its_reason(
    world: World,
    api: Client,  # noqa: F811
    language: str,
) -> None:
    water = report(api, "Maji yamekatwa Kiamaiko tangu jana", "Kiamaiko", "water", 1)
    sewage = report(api, "Maji taka yanafurika Kiamaiko sokoni", "Kiamaiko", "sanitation", 0)
    # The same water cut, told late: too far apart for grouping to join it, so it opened a case of its own.
    stray = report(api, "Water disconnected in Kiamaiko, maji hakuna", "Kiamaiko", "water", 14)
    assert stray.case_id not in (water.case_id, sewage.case_id)
    assert water.case is not None and sewage.case is not None
    url = f"/cases/{stray.case_id}/reports/{stray.pk}/move/"
    client = world.client_for(world.bob)
    client.cookies["sauti_language"] = language
    for query in ({"q": "maji", "place": "Kiamaiko"}, {"place": "Kiamaiko"}, {}):
        body = client.get(url, query).content.decode()
        first, second = body.index(water.case.reference), body.index(sewage.case.reference)
        assert first < second, query
        assert body.count(LIKELY[language]) == 1, query
        assert first < body.index(LIKELY[language]) < second, query
        assert ("13 days apart" if language == "en" else "13") in body


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "sw"])
def test_a_grouped_report_keeps_its_reason_after_the_case_has_grown(
    world: World,
    api: Client,  # noqa: F811
    language: str,
) -> None:
    first = report(api, "Maji yamekatwa Kiamaiko", "Kiamaiko", "water", 30)
    joined = [
        report(api, text, "Kiamaiko", "water", days)
        for text, days in (
            ("Bado hakuna maji Kiamaiko", 21),
            ("Still no water in Kiamaiko", 12),
            ("Maji bado yamekatwa Kiamaiko", 3),
        )
    ]
    assert {r.case_id for r in joined} == {first.case_id}
    assert first.case is not None
    case = Case.objects.get(pk=first.case.pk)
    told = joined[0].occurred_on
    assert case.occurred_to is not None and told is not None and (case.occurred_to - told).days == 18
    client = world.client_for(world.bob)
    client.cookies["sauti_language"] = language
    page = client.get(f"/cases/{case.pk}/")
    body = page.content.decode()
    assert body.count(PUT_HERE[language]) == 3
    if language == "en":
        assert body.count("9 days apart") >= 3
