"""Per-client throttles on the public report form and opinion votes (issue 13, defect 5): 429 with a
translated message past the limit; coordinators see and tune their organisation's limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from django.test import Client

from sauti.throttles.models import ThrottleLimit
from tests.conftest import World


@pytest.fixture(autouse=True)
def start_of_a_window() -> Iterator[None]:
    # Windows are fixed (aligned to the epoch): a test that crossed a window's end would see its count reset.
    with time_machine.travel(datetime(2026, 12, 7, 0, 0, 1, tzinfo=UTC), tick=True):
        yield


def report(client: Client, n: int, **headers: str) -> Any:
    return client.post(
        "/report/?org=umoja", {"description": f"Maji yamekatwa mara ya {n}"}, headers=headers or None
    )


def test_the_public_form_answers_429_past_the_limit(world: World, settings: Any) -> None:
    settings.SAUTI_THROTTLE_REPORTS = 3
    client = world.client_for(None)
    assert [report(client, i).status_code for i in range(3)] == [302, 302, 302]
    refused = report(client, 4)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600  # seconds until the window ends
    assert "Too many reports from this connection" in refused.content.decode()
    kiswahili = report(client, 5, **{"Accept-Language": "sw"})
    assert kiswahili.status_code == 429 and "Too many reports" not in kiswahili.content.decode()


def test_forwarded_addresses_count_only_from_trusted_proxies(world: World, settings: Any) -> None:
    settings.SAUTI_THROTTLE_REPORTS = 1
    settings.SAUTI_TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert report(proxy, 1, **{"X-Forwarded-For": "196.201.1.1"}).status_code == 302
    assert report(proxy, 2, **{"X-Forwarded-For": "196.201.1.2"}).status_code == 302  # another client
    assert report(proxy, 3, **{"X-Forwarded-For": "196.201.1.1"}).status_code == 429
    # From an untrusted address the header is ignored: spoofing it does not reset the count.
    direct = Client(REMOTE_ADDR="196.201.9.9")
    assert report(direct, 4, **{"X-Forwarded-For": "1.1.1.1"}).status_code == 302
    assert report(direct, 5, **{"X-Forwarded-For": "2.2.2.2"}).status_code == 429


@pytest.mark.parametrize(
    ("persona", "status"), [("wanjiku", 200), ("alice", 200), ("kamau", 403), ("bob", 404)]
)
def test_the_limits_page_is_for_the_organisations_coordinators(
    world: World, persona: str, status: int
) -> None:
    assert world.client_for(getattr(world, persona)).get("/throttles/umoja/").status_code == status


def test_a_coordinator_sees_and_tunes_the_limit(world: World, settings: Any) -> None:
    settings.SAUTI_THROTTLE_REPORTS = 2
    client = world.client_for(world.wanjiku)
    page = client.get("/throttles/umoja/").content.decode()
    assert "Public report form" in page and "Opinion votes" in page
    saved = client.post("/throttles/umoja/", {"scope": "report", "limit": "5", "window_seconds": "60"})
    assert saved.status_code == 302
    limit = ThrottleLimit.objects.get(organisation=world.umoja, scope="report")
    assert (limit.limit, limit.window_seconds, limit.changed_by) == (5, 60, world.wanjiku)
    anonymous = world.client_for(None)
    assert [report(anonymous, i).status_code for i in range(6)] == [302] * 5 + [429]
    assert "1" in client.get("/throttles/umoja/").content.decode()  # one address past the limit
    bad = client.post("/throttles/umoja/", {"scope": "report", "limit": "-1", "window_seconds": "5"})
    assert bad.status_code == 400
    client.post("/throttles/umoja/", {"scope": "report", "limit": "5", "window_seconds": "60", "reset": "1"})
    assert not ThrottleLimit.objects.exists()
