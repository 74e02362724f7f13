from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from django.test import Client

from sauti.messaging.models import CHANNEL_CACHE, Channel, ChannelKind
from sauti.monitoring.actions import do_seed_taxonomy
from tests.conftest import World
from tests.messaging.fakes import FakeProvider, serve

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def _fresh_channel_cache() -> Iterator[None]:
    CHANNEL_CACHE.clear()
    yield
    CHANNEL_CACHE.clear()


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    yield from serve(FakeProvider())


@pytest.fixture
def at_channel(world: World, fake_provider: FakeProvider) -> Channel:
    do_seed_taxonomy(world.umoja)
    channel = Channel(
        organisation=world.umoja,
        kind=ChannelKind.AFRICASTALKING,
        name="AT",
        address="21512",
        ussd_code="*384*1234#",
        base_url=fake_provider.url,
    )
    channel.credentials = {"username": "umoja", "api_key": "at-secret-key"}
    channel.save()
    return channel


@pytest.fixture
def dev_channel(world: World) -> Channel:
    do_seed_taxonomy(world.umoja)
    return Channel.objects.create(organisation=world.umoja, kind=ChannelKind.DEV, name="Dev", address="SIM")


@pytest.fixture
def post(django_capture_on_commit_callbacks: Capture) -> Callable[..., Any]:
    """POST a form as a provider does (no cookies, no CSRF token), running on-commit tasks as the
    worker would."""
    client = Client(enforce_csrf_checks=True)

    def _post(url: str, data: dict[str, str], **headers: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, headers=headers)

    return _post
