"""The triage inbox: filters, pages, the live poll, bulk moves and the cost in queries."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlencode

import pytest

from django.test import Client
from django.utils import timezone

from sauti.monitoring import views
from sauti.monitoring.models import Case, Category, Report, Status
from sauti.people.models import Office
from tests.conftest import World
from tests.monitoring.test_cases import Seeded, seed, submit

TODAY = timezone.localdate()


def refs(response: Any) -> list[str]:
    """Case references in the order the inbox lists them."""
    return re.findall(r'<span class="ref">(C\d+)</span>', response.content.decode())


def inbox(client: Client, **params: str) -> Any:
    return client.get("/cases/?" + urlencode(params))


@pytest.fixture
def seeded(world: World) -> Seeded:
    return seed(world)


def test_a_coordinator_sees_the_organisations_cases_newest_first(world: World, seeded: Seeded) -> None:
    response = inbox(world.client_for(world.wanjiku))
    assert response.status_code == 200
    assert refs(response) == [seeded.other.reference, seeded.referred.reference, seeded.case.reference]
    assert seeded.haki_case.reference not in refs(response)


def test_an_official_sees_only_what_was_referred_to_the_office(world: World, seeded: Seeded) -> None:
    response = inbox(world.client_for(world.chief))
    assert refs(response) == [seeded.referred.reference]
    assert 'name="case"' not in response.content.decode()  # no bulk selection


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "referred"}, ["referred"]),
        ({"status": "new"}, ["other", "case"]),
        ({"category": "housing"}, ["case"]),  # the case's category
        ({"category": "housing-demolition"}, ["case"]),  # a report's sub-category
        ({"category": "water"}, ["referred"]),
        ({"county": "22"}, ["other"]),
        ({"county": "47"}, ["referred", "case"]),
        ({"place": "Mabatini"}, ["case"]),
        ({"place": "kwa reuben"}, ["referred"]),
        ({"place": "Atlantis"}, []),
        ({"ward": "1446"}, ["case"]),
        ({"channel": "web"}, ["other", "referred", "case"]),
        ({"channel": "sms"}, []),
        ({"q": "chief's camp"}, ["case"]),
        ({"q": "KIOSK"}, ["referred"]),
        ({"unconfirmed": "on"}, []),
        (
            {"date_from": (TODAY - timedelta(days=3)).isoformat(), "date_to": TODAY.isoformat()},
            ["other", "referred", "case"],
        ),
        ({"date_to": (TODAY - timedelta(days=3)).isoformat()}, []),
    ],
)
@pytest.mark.parametrize("window", [2000, 1], ids=["recent-cases-first", "whole-table"])
def test_each_filter_narrows_the_list(
    world: World,
    seeded: Seeded,
    params: dict[str, str],
    expected: list[str],
    window: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Filters on reports try the newest cases first, then the whole table: both must agree.
    monkeypatch.setattr(views, "RECENT_WINDOW", window)
    response = inbox(world.client_for(world.wanjiku), **params)
    assert response.status_code == 200
    assert refs(response) == [getattr(seeded, name).reference for name in expected]


def test_search_finds_a_case_or_report_by_its_number(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.wanjiku)
    assert refs(inbox(client, q=seeded.other.reference)) == [seeded.other.reference]
    assert refs(inbox(client, q=f"r{seeded.report.pk}")) == [seeded.case.reference]
    assert refs(inbox(client, q=seeded.haki_case.reference)) == []


def test_search_matches_the_words_of_later_reports_in_a_case(world: World, seeded: Seeded) -> None:
    added = submit(
        world, "Also bulldozers came with police", place_text="Mabatini", category_keys=["housing"]
    )
    Report.objects.filter(pk=added.pk).update(case=seeded.case)
    assert refs(inbox(world.client_for(world.wanjiku), q="bulldozers")) == [seeded.case.reference]


def test_cases_waiting_for_a_grouping_decision_can_be_listed(world: World, seeded: Seeded) -> None:
    Report.objects.filter(pk=seeded.report.pk).update(grouping_confirmed=False)
    response = inbox(world.client_for(world.wanjiku), unconfirmed="on")
    assert refs(response) == [seeded.case.reference]
    assert "needs confirmation" in response.content.decode()


def test_an_administrator_of_several_organisations_can_pick_one(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.alice)
    assert seeded.haki_case.reference in refs(inbox(client))
    assert refs(inbox(client, org="haki")) == [seeded.haki_case.reference]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "lost"}, "Select a valid choice"),
        ({"date_from": "yesterday"}, "Enter a valid date"),
        ({"date_from": "2025-03-02", "date_to": "2025-03-01"}, "The start date is after the end date"),
        ({"before": "not-a-cursor"}, "This page link is not valid"),
        ({"county": "99"}, "Select a valid choice"),
    ],
)
def test_a_bad_filter_is_refused_with_the_reason(
    world: World, seeded: Seeded, params: dict[str, str], message: str
) -> None:
    response = inbox(world.client_for(world.wanjiku), **params)
    assert response.status_code == 400
    assert message in response.content.decode() and refs(response) == []


def test_an_unknown_place_says_so(world: World, seeded: Seeded) -> None:
    response = inbox(world.client_for(world.wanjiku), place="Atlantis")
    assert "No place matches “Atlantis”" in response.content.decode()


def test_htmx_gets_only_the_results(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.wanjiku)
    response = client.get("/cases/?status=new", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-results")
    html = response.content.decode()
    assert html.startswith('<div id="inbox-results">') and "<html" not in html
    assert refs(response) == [seeded.other.reference, seeded.case.reference]
    assert "status=new" in html  # the poller keeps the filters


def _many_cases(world: World, n: int) -> list[Case]:
    now = timezone.now()
    cases = Case.objects.bulk_create(
        [
            Case(
                organisation=world.umoja,
                title=f"Case number {i}",
                updated_at=now - timedelta(minutes=i // 3),  # ties, so the id breaks them
                created_at=now - timedelta(days=1),
                report_count=1,
            )
            for i in range(n)
        ]
    )
    Report.objects.bulk_create(
        [Report(organisation=world.umoja, case=c, description=c.title, channel="sms") for c in cases]
    )
    return cases


def test_pages_of_fifty_follow_each_other_without_gaps_or_repeats(world: World) -> None:
    cases = _many_cases(world, 120)
    client = world.client_for(world.wanjiku)
    seen: list[str] = []
    url = "/cases/?channel=sms"
    for expected in (50, 50, 20):
        response = client.get(url)
        page = refs(response)
        assert len(page) == expected
        seen += page
        older = re.search(r'href="\?([^"]*before=[^"]*)">Older cases', response.content.decode())
        url = "/cases/?" + older.group(1).replace("&amp;", "&") if older else ""
        assert "channel=sms" in url or expected == 20
    assert not url
    ordered = sorted(cases, key=lambda c: (c.updated_at, c.pk), reverse=True)
    assert seen == [c.reference for c in ordered]


def test_the_inbox_costs_the_same_queries_for_five_or_sixty_cases(
    world: World, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    other = Category.objects.get(organisation=world.umoja, key="other")

    def add(n: int) -> None:
        _many_cases(world, n)
        Case.objects.update(category=other)
        Report.objects.update(grouping_confirmed=False)

    add(5)
    client = world.client_for(world.wanjiku)
    client.get("/cases/")  # session and language warm-up
    urls = ["/cases/", "/cases/?q=Case&category=other&channel=sms&unconfirmed=on&status=new"]
    counts = []
    for url in urls:
        with django_assert_max_num_queries(15) as small:
            assert len(refs(client.get(url))) == 5
        counts.append(len(small.captured_queries))
    add(55)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            assert len(refs(client.get(url))) == 50


def since(at: datetime) -> str:
    return urlencode({"since": at.isoformat()})


def test_the_poll_returns_only_cases_changed_since_the_newest_shown(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.wanjiku)
    cutoff = timezone.now()
    Case.objects.filter(organisation=world.umoja).update(updated_at=cutoff - timedelta(minutes=5))
    fresh = submit(
        world, "New eviction notice in Kwa Reuben", place_text="Kwa Reuben", category_keys=["security"]
    )
    assert fresh.case_id is not None
    response = client.get(f"/cases/poll/?{since(cutoff)}")
    html = response.content.decode()
    assert response.status_code == 200
    assert refs(response) == [f"C{fresh.case_id}"]
    assert "is-fresh" in html and 'hx-swap-oob="true"' in html and 'id="inbox-poll"' in html
    assert 'id="inbox-empty" hx-swap-oob="delete"' in html
    # The next poller asks from a few seconds ago on (a write may commit just after a poll).
    found = re.search(r"since=([^\"&]+)", html)
    assert found is not None
    next_since = datetime.fromisoformat(unquote(found.group(1)))
    assert timezone.now() - timedelta(seconds=10) < next_since < timezone.now()
    Case.objects.filter(pk=fresh.case_id).update(updated_at=next_since - timedelta(seconds=1))
    later = client.get(f"/cases/poll/?{since(next_since)}")
    assert refs(later) == [] and 'id="inbox-poll"' in later.content.decode()


def test_the_poll_keeps_the_filters_and_the_access_rules(world: World, seeded: Seeded) -> None:
    cutoff = timezone.now() - timedelta(minutes=1)
    Case.objects.update(updated_at=cutoff + timedelta(seconds=30))
    wanjiku = world.client_for(world.wanjiku)
    assert refs(wanjiku.get(f"/cases/poll/?status=referred&{since(cutoff)}")) == [seeded.referred.reference]
    assert seeded.haki_case.reference not in refs(wanjiku.get(f"/cases/poll/?{since(cutoff)}"))
    assert refs(world.client_for(world.chief).get(f"/cases/poll/?{since(cutoff)}")) == [
        seeded.referred.reference
    ]


@pytest.mark.parametrize("value", ["", "yesterday", "2026-01-01T10:00:00"])
def test_the_poll_refuses_a_bad_cursor(world: World, value: str) -> None:
    response = world.client_for(world.wanjiku).get("/cases/poll/?" + urlencode({"since": value}))
    assert response.status_code == 400


def test_the_first_page_polls_every_thirty_seconds_and_older_pages_do_not(world: World) -> None:
    _many_cases(world, 60)
    client = world.client_for(world.wanjiku)
    first = client.get("/cases/").content.decode()
    assert 'hx-trigger="every 30s, poll-now"' in first and "/cases/poll/?since=" in first
    # A browser asking to save data gets no live updates (issue 16).
    assert "inbox-poll" not in client.get("/cases/", headers={"Save-Data": "on"}).content.decode()
    older = re.search(r'href="\?([^"]*)">Older cases', first)
    assert older is not None
    assert "inbox-poll" not in client.get("/cases/?" + older.group(1).replace("&amp;", "&")).content.decode()


def bulk(client: Client, cases: list[Case], **fields: str) -> Any:
    data: dict[str, Any] = {"case": [c.pk for c in cases], "next": "/cases/?status=new", **fields}
    return client.post("/cases/bulk/", data, follow=True)


def test_a_bulk_move_applies_the_single_case_rules_and_reports_each_failure(
    world: World, seeded: Seeded
) -> None:
    client = world.client_for(world.wanjiku)
    response = bulk(
        client, [seeded.case, seeded.other, seeded.referred, seeded.haki_case], to_status="triaged"
    )
    html = response.content.decode()
    assert response.redirect_chain[-1] == ("/cases/?status=new", 302)
    assert "2 cases are now “Triaged”." in html
    assert (
        f"{seeded.referred.reference}: A case that is “Referred / actioned” cannot become “Triaged”." in html
    )
    assert f"{seeded.haki_case.reference}: not found, or not yours to change." in html
    statuses = dict(Case.objects.values_list("pk", "status"))
    assert statuses[seeded.case.pk] == statuses[seeded.other.pk] == Status.TRIAGED
    assert statuses[seeded.referred.pk] == Status.REFERRED and statuses[seeded.haki_case.pk] == Status.NEW
    event = seeded.case.events.get(kind="status")
    assert (event.actor, event.from_status, event.to_status) == (world.wanjiku, "new", "triaged")


def test_a_bulk_verification_needs_a_method_like_a_single_one(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.wanjiku)
    bulk(client, [seeded.case, seeded.other], to_status="triaged")
    html = bulk(client, [seeded.case, seeded.other], to_status="verified").content.decode()
    assert html.count("Say how the case was verified.") == 2
    html = bulk(client, [seeded.case, seeded.other], to_status="verified", method="photo").content.decode()
    assert "2 cases are now “Verified”." in html
    assert set(
        Case.objects.filter(pk__in=[seeded.case.pk, seeded.other.pk]).values_list(
            "verification_method", flat=True
        )
    ) == {"photo"}


def test_a_bulk_referral_names_the_office(world: World, seeded: Seeded) -> None:
    office = Office.objects.get(name="Chief, Mabatini")
    client = world.client_for(world.wanjiku)
    bulk(client, [seeded.case], to_status="triaged")
    bulk(client, [seeded.case], to_status="verified", method="site_visit")
    bulk(client, [seeded.case], to_status="referred", referred_to=str(office.pk))
    assert Case.objects.get(pk=seeded.case.pk).referred_to == office


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to_status": "triaged", "case": []}, "Select at least one case."),
        ({"to_status": "sideways"}, "Select a valid choice"),
        ({"to_status": "triaged", "case": ["C1"]}, "The selection is not valid."),
    ],
)
def test_a_bad_bulk_request_is_refused_and_changes_nothing(
    world: World, seeded: Seeded, fields: dict[str, Any], message: str
) -> None:
    data: dict[str, Any] = {"case": [seeded.case.pk], "next": "/cases/?status=new", **fields}
    response = world.client_for(world.wanjiku).post("/cases/bulk/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert '<input type="hidden" name="next" value="/cases/?status=new">' in response.content.decode()
    assert not Case.objects.exclude(status__in=[Status.NEW, Status.REFERRED]).exists()


def test_a_bulk_move_never_redirects_off_site(world: World, seeded: Seeded) -> None:
    response = world.client_for(world.wanjiku).post(
        "/cases/bulk/", {"case": [seeded.case.pk], "to_status": "triaged", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/cases/"


@pytest.mark.parametrize("persona", ["otieno", "achieng", "kamau", "chief", "outsider"])
def test_only_those_who_triage_may_move_cases_in_bulk(world: World, seeded: Seeded, persona: str) -> None:
    client = world.client_for(getattr(world, persona))
    response = client.post("/cases/bulk/", {"case": [seeded.referred.pk], "to_status": "resolved"})
    assert response.status_code == 403
    assert Case.objects.get(pk=seeded.referred.pk).status == Status.REFERRED


def test_dates_in_the_filter_take_the_day_first_form_too(world: World, seeded: Seeded) -> None:
    day = date(2025, 3, 14)
    Case.objects.filter(pk=seeded.case.pk).update(occurred_from=day, occurred_to=day)
    response = inbox(world.client_for(world.wanjiku), date_from="14/03/2025", date_to="14/03/2025")
    assert refs(response) == [seeded.case.reference]
