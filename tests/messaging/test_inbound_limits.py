"""Every inbound path reads offsets in dates and never stores more than MAX_TEXT characters (review of issue 13)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine

from sauti.messaging.models import Channel, InboundMessage
from sauti.messaging.providers.africastalking.views import parse_date
from sauti.messaging.webhooks import MAX_TEXT, BadRequest
from sauti.monitoring.models import Report
from tests.messaging.test_at_callbacks import echo_ussd, ussd
from tests.messaging.test_at_incoming import form, url
from tests.messaging.test_fast_ingest import DB_TASKS, Django, call, environ
from tests.messaging.test_twilio import inbound, sign, twilio_channel  # noqa: F401 (fixture)

Post = Callable[..., Any]
HUGE = "A" * 200_000

__all__ = ["echo_ussd"]


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("2026-11-25T09:04:45+03:00", datetime(2026, 11, 25, 6, 4, 45, tzinfo=UTC)),
        ("2026-11-25 09:04:45+0300", datetime(2026, 11, 25, 6, 4, 45, tzinfo=UTC)),
        ("2026-11-25T01:04:45.5-05:00", datetime(2026, 11, 25, 6, 4, 45, 500000, tzinfo=UTC)),
        ("2026-11-25T06:04:45+00:00", datetime(2026, 11, 25, 6, 4, 45, tzinfo=UTC)),
        ("2026-11-25T06:04:45Z", datetime(2026, 11, 25, 6, 4, 45, tzinfo=UTC)),
        ("2026-11-25 06:04:45", datetime(2026, 11, 25, 6, 4, 45, tzinfo=UTC)),
    ],
)
def test_a_date_with_an_offset_is_read_and_converted_to_utc(raw: str, utc: datetime) -> None:
    assert parse_date(raw) == utc


@pytest.mark.parametrize(
    "raw", ["2026-11-25T09:04:45+25:00", "2026-11-25T09:04:45+3", "2026-11-25T09:04:45 EAT"]
)
def test_a_malformed_offset_is_still_refused(raw: str) -> None:
    with pytest.raises(BadRequest):
        parse_date(raw)


@pytest.mark.parametrize("language", ["en", "sw"])
def test_an_at_callback_with_an_offset_is_stored_in_utc(
    at_channel: Channel, post: Post, language: str
) -> None:
    with time_machine.travel(datetime(2026, 11, 25, 6, 10, tzinfo=UTC), tick=False):
        response = post(
            url(at_channel), form(date="2026-11-25T09:04:45+03:00"), HTTP_ACCEPT_LANGUAGE=language
        )
    assert response.status_code == 200, response.content
    message = InboundMessage.objects.get()
    assert message.provider_time == datetime(2026, 11, 25, 6, 4, 45, tzinfo=UTC)
    assert not message.provider_time_implausible


def test_the_fast_lane_reads_an_offset_too(at_channel: Channel, settings: Any) -> None:
    settings.TASKS = DB_TASKS
    body = urlencode(form(id="lane-offset", date="2026-11-25T09:04:45+03:00")).encode()
    django = Django()
    status, _headers, _body = call_lane(django, environ(url(at_channel), body))
    assert status == "200 OK" and django.bodies == []
    assert InboundMessage.objects.get().provider_time == datetime(2026, 11, 25, 6, 4, 45, tzinfo=UTC)


def call_lane(django: Django, env: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    from sauti.messaging.fastlane import InboundFastLane

    return call(InboundFastLane(django), env)


def test_a_huge_at_text_is_cut_by_the_view(at_channel: Channel, post: Post) -> None:
    assert post(url(at_channel), form(text=HUGE)).status_code == 200
    message = InboundMessage.objects.get()
    assert len(message.text) == MAX_TEXT
    assert all(len(r.description) <= MAX_TEXT for r in Report.objects.all())


def test_a_huge_at_text_is_cut_by_the_fast_lane(at_channel: Channel, settings: Any) -> None:
    settings.TASKS = DB_TASKS
    body = urlencode(form(id="lane-huge", text=HUGE)).encode()
    status, _headers, _body = call_lane(Django(), environ(url(at_channel), body))
    assert status == "200 OK"
    assert len(InboundMessage.objects.get().text) == MAX_TEXT


def test_a_huge_at_text_through_the_whole_wsgi_application_is_cut(at_channel: Channel, settings: Any) -> None:
    from sauti.wsgi import application

    settings.TASKS = DB_TASKS
    body = urlencode(form(id="wsgi-huge", text=HUGE)).encode()
    status, _headers, _body = call(application, environ(url(at_channel), body))
    assert status.startswith(("200", "413", "400"))
    assert all(len(m.text) <= MAX_TEXT for m in InboundMessage.objects.all())


def test_a_huge_twilio_body_is_cut(twilio_channel: Channel, post: Post) -> None:  # noqa: F811
    target = f"http://testserver/messaging/hooks/twilio/{twilio_channel.token}/incoming/"
    data = inbound(Body=HUGE)
    assert post(target, data, **{"X-Twilio-Signature": sign(target, data)}).status_code == 200
    assert len(InboundMessage.objects.get().text) == MAX_TEXT


def test_a_huge_dev_text_is_cut(dev_channel: Channel, post: Post) -> None:
    data = form(text=HUGE, to="SIM")
    assert post(f"/messaging/hooks/dev/{dev_channel.token}/incoming/", data).status_code == 200
    assert len(InboundMessage.objects.get().text) == MAX_TEXT


def test_a_huge_ussd_text_never_reaches_the_handler_whole(
    at_channel: Channel, post: Post, settings: Any
) -> None:
    settings.SAUTI_USSD_HANDLER = "tests.messaging.test_at_callbacks.echo_ussd"
    response = ussd(at_channel, post, HUGE)
    assert response.status_code in (200, 400, 413)
    assert len(response.content) < 1000
