"""Africa's Talking inbound SMS callback: durable, idempotent, strict about malformed input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from django.test import Client
from django.utils import timezone

from sauti.messaging.models import Channel, InboundMessage, InboundStatus, OutboundMessage
from sauti.monitoring.models import Report
from tests.conftest import World
from tests.messaging.fakes import FakeProvider, at_success

Post = Callable[..., Any]


def form(**overrides: str) -> dict[str, str]:
    data = {
        "from": "+254791541111",
        "to": "21512",
        "text": "Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji",
        "date": "2017-05-03T06:04:45Z",
        "id": "ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3",
        "linkId": "03090445075804249226",
        "networkCode": "63902",
    }
    data.update(overrides)
    return data


def url(channel: Channel, action: str = "incoming") -> str:
    return f"/messaging/hooks/at/{channel.token}/{action}/"


def test_it_turns_a_message_into_a_located_report_and_queues_and_sends_a_confirmation(
    world: World, at_channel: Channel, post: Post, fake_provider: FakeProvider
) -> None:
    fake_provider.answer(201, at_success("+254791541111"))
    response = post(url(at_channel), form())
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED, message.error
    assert message.phone == "+254791541111"
    report = Report.objects.get(external_id=f"sms:{message.pk}")
    assert report.channel == "sms" and report.organisation == world.umoja
    assert report.settlement is not None and report.settlement.name == "Mathare 4A"
    assert report.precision == "settlement" and report.people_affected == 200
    assert [c.key for c in report.categories.all()] == ["water"]
    reply = OutboundMessage.objects.get(in_reply_to=message)
    assert report.reference in reply.text
    assert reply.status == "sent" and reply.provider_id == "ATXid_0000"
    sent = fake_provider.requests[0]
    assert sent.path == "/version1/messaging"
    assert sent.headers["apikey"] == "at-secret-key"
    assert sent.form["to"] == ["+254791541111"] and sent.form["from"] == ["21512"]
    assert sent.form["message"] == [reply.text]


@pytest.mark.parametrize("date", ["2017-05-03T06:04:45Z", "2017-05-03 06:04:45", "2017-05-03 06:04:45.123"])
def test_it_reads_both_date_formats_as_utc(at_channel: Channel, post: Post, date: str) -> None:
    now = timezone.now()
    with time_machine.travel(datetime(2017, 5, 3, 6, 10, tzinfo=UTC), tick=False):
        assert post(url(at_channel), form(date=date, text="")).status_code == 200
    message = InboundMessage.objects.get()
    stated = message.provider_time
    assert stated is not None and not message.provider_time_implausible
    assert (stated.year, stated.hour, stated.minute, stated.second) == (2017, 6, 4, 45)
    assert stated.utcoffset() is not None and stated.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert message.received_at == datetime(2017, 5, 3, 6, 10, tzinfo=UTC) < now


@pytest.mark.parametrize("date", ["9999-12-31 23:59:59", "0001-01-01 00:00:00", "2017-05-03 06:04:45"])
def test_the_providers_date_is_data_clamped_and_flagged_never_sautis_clock(
    world: World, at_channel: Channel, post: Post, fake_provider: FakeProvider, date: str
) -> None:
    """Issue 13, defect 4: `date=9999-12-31` made the inbox answer 500 on every load; `0001-01-01`
    failed processing; the provider's date set the rate-limit window."""
    fake_provider.answer(201, at_success("+254791541111"))
    before = timezone.now()
    assert post(url(at_channel), form(date=date)).status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED, message.error
    assert before <= message.received_at <= timezone.now()
    assert message.provider_time_implausible
    assert message.provider_time is not None
    assert abs(message.provider_time - message.received_at) <= timedelta(days=30)
    page = world.client_for(world.wanjiku).get(f"/messaging/{world.umoja.slug}/inbox/")
    assert page.status_code == 200


def test_a_spoofed_date_does_not_escape_the_rate_limit(
    world: World, at_channel: Channel, post: Post, fake_provider: FakeProvider, settings: Any
) -> None:
    settings.SAUTI_SMS_RATE_LIMIT = 2
    fake_provider.answer(201, at_success("+254791541111"))
    for i, year in enumerate((2001, 2011, 2021, 2031)):
        data = form(id=f"s{i}", text=f"Maji yamekatwa Mathare 4A siku {i}", date=f"{year}-01-01 00:00:00")
        assert post(url(at_channel), data).status_code == 200
    statuses = list(InboundMessage.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["processed", "processed", "quarantined", "quarantined"]


def test_a_retry_with_the_same_id_answers_200_and_creates_nothing(
    at_channel: Channel, post: Post, fake_provider: FakeProvider
) -> None:
    fake_provider.answer(201, at_success("+254791541111"))
    first = post(url(at_channel), form())
    again = post(url(at_channel), form())
    assert first.status_code == again.status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Report.objects.count() == 1
    assert OutboundMessage.objects.count() == 1
    assert len(fake_provider.requests) == 1


@pytest.mark.parametrize("missing", ["from", "to", "text", "date", "id"])
def test_a_missing_field_is_a_400_naming_it(at_channel: Channel, post: Post, missing: str) -> None:
    data = form()
    del data[missing]
    response = post(url(at_channel), data)
    assert response.status_code == 400
    assert missing in response.content.decode()
    assert InboundMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("date", "yesterday", "not a date"),
        ("date", "2017-13-40 06:04:45", "not a date"),
        ("from", "hello", "not a phone number"),
        ("id", "   ", "Missing field"),
        ("to", "99999", "Unknown short code"),
        ("text", "nul\x00byte", "null character"),
    ],
)
def test_malformed_fields_are_a_400_with_the_reason(
    at_channel: Channel, post: Post, field: str, value: str, reason: str
) -> None:
    response = post(url(at_channel), form(**{field: value}))
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert InboundMessage.objects.count() == 0


def test_the_reason_is_given_in_the_callers_language(at_channel: Channel, post: Post) -> None:
    data = form()
    del data["id"]
    response = post(url(at_channel), data, **{"Accept-Language": "sw"})
    assert response.status_code == 400
    assert response["Content-Language"] == "sw"


def test_an_unknown_or_inactive_channel_is_a_404(at_channel: Channel, post: Post) -> None:
    assert post("/messaging/hooks/at/not-a-token/incoming/", form()).status_code == 404
    assert post(f"/messaging/hooks/twilio/{at_channel.token}/incoming/", form()).status_code == 404
    at_channel.active = False
    at_channel.save()
    assert post(url(at_channel), form()).status_code == 404
    assert InboundMessage.objects.count() == 0


def test_get_is_not_allowed(at_channel: Channel, client: Any) -> None:
    assert client.get(url(at_channel)).status_code == 405


def test_an_empty_text_is_stored_and_answered_with_nothing(at_channel: Channel, post: Post) -> None:
    assert post(url(at_channel), form(text="")).status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED and "Empty" in message.error
    assert not OutboundMessage.objects.exists() and not Report.objects.exists()


def test_non_gsm_and_long_texts_are_kept_whole(
    at_channel: Channel, post: Post, fake_provider: FakeProvider
) -> None:
    fake_provider.answer(201, at_success("+254791541111"))
    text = "Nyumba zimebomolewa Kibera 😢 “leo” " + "x" * 1000
    assert post(url(at_channel), form(text=text)).status_code == 200
    message = InboundMessage.objects.get()
    assert message.text == text
    assert message.status == InboundStatus.PROCESSED
    assert Report.objects.get().description.startswith("Nyumba zimebomolewa Kibera 😢")


def test_a_second_message_from_the_same_sender_reuses_the_contact(
    at_channel: Channel, post: Post, fake_provider: FakeProvider
) -> None:
    fake_provider.answer(201, at_success("+254791541111"))
    post(url(at_channel), form(id="a"))
    post(url(at_channel), form(id="b", text="Polisi wamepiga watu Kibera"))
    reporters = set(Report.objects.values_list("reporter", flat=True))
    assert len(reporters) == 1 and None not in reporters


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"from": "", "to": "", "text": "", "date": "", "id": ""},
        {"from": "+254791541111" * 50, "to": "21512", "text": "x", "date": "2017-05-03 06:04:45", "id": "z"},
        {"from": "+254791541111", "to": "21512", "text": "x", "date": "9" * 500, "id": "q"},
        {"from": "٠٧١٢٣٤٥٦٧٨", "to": "21512", "text": "x", "date": "2017-05-03 06:04:45", "id": "y"},
        {
            "id": "x" * 5000,
            "from": "+254791541111",
            "to": "21512",
            "text": "x",
            "date": "2017-05-03 06:04:45",
        },
    ],
)
def test_garbage_never_gets_a_500(at_channel: Channel, post: Post, data: dict[str, str]) -> None:
    response = post(url(at_channel), data)
    assert response.status_code < 500


def test_a_binary_body_never_gets_a_500(at_channel: Channel, client: Any) -> None:
    response = client.post(
        url(at_channel), data=b"\xff\xfe\x00garbage", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_a_database_failure_is_a_503_so_the_provider_retries(
    at_channel: Channel, post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from sauti.messaging import actions

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(actions, "do_receive_sms", broken)
    response = post(url(at_channel), form())
    assert response.status_code == 503


def test_with_the_database_backend_the_stored_message_is_the_queue_entry(
    world: World, at_channel: Channel, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from sauti.messaging.actions import do_process_waiting, waiting_inbound

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    url = f"/messaging/hooks/at/{at_channel.token}/incoming/"
    for i in range(3):
        data = form(id=f"x{i}", text=f"Maji yamekatwa Mathare 4A siku {i}", date="2026-11-25 08:00:00")
        for _attempt in range(3):  # the provider retries
            assert Client().post(url, data).status_code == 200
    first, second, third = InboundMessage.objects.order_by("pk")
    assert waiting_inbound(10) == [first.pk, second.pk, third.pk] and not DBTaskResult.objects.exists()
    # Another worker got to the second one first: it is skipped, never processed twice.
    InboundMessage.objects.filter(pk=second.pk).update(status=InboundStatus.PROCESSING)
    assert do_process_waiting(limit=10) == 2 and waiting_inbound(10) == []
    assert Report.objects.count() == 2 and do_process_waiting() == 0
    assert InboundMessage.objects.get(pk=first.pk).status == InboundStatus.PROCESSED
