"""Inbound processing: opt-out keywords, quarantine (rate and spam), release, idempotency, handlers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from django.utils import translation
from django.utils.translation import gettext

from sauti.conversations.models import SmsConversation
from sauti.core.crypto import lookup_hash
from sauti.messaging import actions
from sauti.messaging.models import Channel, InboundMessage, OptOut, OutboundMessage
from sauti.monitoring.models import Report
from sauti.people.models import Organisation
from tests.conftest import World

Post = Callable[..., Any]
PHONE = "+254711000001"


def sms(channel: Channel, post: Post, text: str, provider_id: str, phone: str = PHONE) -> InboundMessage:
    data = {
        "from": phone,
        "to": channel.address,
        "text": text,
        "date": "2026-11-25 08:00:00",
        "id": provider_id,
    }
    assert post(f"/messaging/hooks/dev/{channel.token}/incoming/", data).status_code == 200
    return InboundMessage.objects.get(channel=channel, provider_id=provider_id)


def replies(message: InboundMessage) -> list[str]:
    return [m.text for m in OutboundMessage.objects.filter(in_reply_to=message).order_by("pk")]


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


STOPPED = "You will get no more messages from us. Send ANZA or START to receive them again."
STARTED = "Welcome back: you will receive our messages again. Send ACHA or STOP to stop."


@pytest.mark.parametrize(
    ("word", "language"), [("STOP", "en"), ("ACHA", "sw"), ("simama", "sw"), ("Stop please", "en")]
)
def test_opt_out_keywords_are_recorded_and_confirmed_in_the_senders_language(
    world: World, dev_channel: Channel, post: Post, word: str, language: str
) -> None:
    message = sms(dev_channel, post, word, "1")
    assert message.status == "processed"
    assert actions.is_opted_out(world.umoja, lookup_hash(PHONE))
    assert OptOut.objects.get().how == "sms"
    assert replies(message) == [in_language(language, STOPPED)]
    assert not Report.objects.exists()
    # Nothing else reaches the number afterwards.
    assert (
        actions.do_queue_sms(world.umoja, to_phone=PHONE, text="Mkutano kesho", channel=dev_channel) is None
    )


def test_a_known_contacts_language_wins(world: World, dev_channel: Channel, post: Post) -> None:
    message = sms(dev_channel, post, "STOP", "1", phone="+254712000001")  # Njeri, a Kiswahili speaker
    assert replies(message) == [in_language("sw", STOPPED)]


@pytest.mark.parametrize("word", ["START", "ANZA"])
def test_start_and_anza_opt_back_in(world: World, dev_channel: Channel, post: Post, word: str) -> None:
    sms(dev_channel, post, "ACHA", "1")
    message = sms(dev_channel, post, word, "2")
    assert not actions.is_opted_out(world.umoja, lookup_hash(PHONE))
    assert len(replies(message)) == 1 and "ACHA" in replies(message)[0]


def test_a_report_starting_with_acha_is_a_report_not_an_opt_out(
    world: World, dev_channel: Channel, post: Post
) -> None:
    sms(dev_channel, post, "Acha nikwambie, polisi wamepiga vijana Kibera jana", "1")
    assert not OptOut.objects.exists()
    assert Report.objects.count() == 1


def test_a_status_query_answers_with_the_cases_status(world: World, dev_channel: Channel, post: Post) -> None:
    sms(dev_channel, post, "Maji yamekatwa Mathare 4A tangu jana", "1")
    report = Report.objects.get()
    assert report.case is not None
    message = sms(dev_channel, post, f"HALI {report.pk}", "2")
    (reply,) = replies(message)
    assert reply.startswith(
        in_language("sw", "Report %(ref)s: %(status)s") % {"ref": report.reference, "status": ""}
    )
    other = sms(dev_channel, post, f"STATUS {report.pk}", "3", phone="+254711000002")
    assert replies(other) == [
        in_language("en", "We found no report R%(number)s sent from this number. Check the number.")
        % {"number": report.pk}
    ]


def test_too_many_messages_in_a_minute_are_quarantined_not_dropped(
    world: World, dev_channel: Channel, post: Post, settings: Any
) -> None:
    settings.SAUTI_SMS_RATE_LIMIT = 3
    messages = [sms(dev_channel, post, f"Maji yamekatwa Mathare 4A mara ya {i}", str(i)) for i in range(5)]
    statuses = [m.status for m in messages]
    assert statuses == ["processed", "processed", "processed", "quarantined", "quarantined"]
    assert "in a minute" in messages[3].error
    assert Report.objects.count() == 3
    assert InboundMessage.objects.count() == 5  # every one kept


def test_spam_is_quarantined_and_a_person_can_release_it(
    world: World, dev_channel: Channel, post: Post
) -> None:
    message = sms(dev_channel, post, "Umeshinda zawadi! Tuma pesa kwa http://bit.ly/xyz", "1")
    assert message.status == "quarantined" and "spam" in message.error
    assert not Report.objects.exists() and not replies(message)
    released = actions.do_release(message, world.wanjiku)
    assert released is not None and released.status == "processed"
    # Released, it reaches the conversation layer, which asks where it happened.
    assert SmsConversation.objects.count() == 1 and len(replies(message)) == 1
    assert actions.do_release(message, world.wanjiku) is None  # only quarantined messages


def test_processing_twice_does_nothing_the_second_time(
    world: World, dev_channel: Channel, post: Post
) -> None:
    message = sms(dev_channel, post, "Maji yamekatwa Mathare 4A", "1")
    InboundMessage.objects.filter(pk=message.pk).update(status="received")  # as if the task ran again
    actions.do_process_inbound(message.pk)
    assert Report.objects.count() == 1  # the report is idempotent on sms:<inbound id>
    assert len(replies(message)) == 1  # and the reply is not queued again
    assert actions.do_process_inbound(message.pk) is None


def test_a_failing_handler_marks_the_message_failed_and_keeps_it(
    world: World, dev_channel: Channel, post: Post, settings: Any
) -> None:
    settings.SAUTI_SMS_HANDLER = "tests.messaging.test_processing.broken_handler"
    message = sms(dev_channel, post, "Maji yamekatwa", "1")
    assert message.status == "failed" and "RuntimeError" in message.error
    assert not OutboundMessage.objects.exists()


def broken_handler(**kwargs: Any) -> list[str]:
    raise RuntimeError("boom")


CALLS: list[dict[str, Any]] = []


def recording_handler(
    *, organisation: Organisation, phone: str, text: str, received_at: datetime, inbound_id: int
) -> list[str]:
    CALLS.append(
        {
            "organisation": organisation,
            "phone": phone,
            "text": text,
            "received_at": received_at,
            "inbound_id": inbound_id,
        }
    )
    return ["one", "two"]


def test_the_configured_handler_gets_the_documented_arguments_and_its_replies_are_queued(
    world: World, dev_channel: Channel, post: Post, settings: Any
) -> None:
    settings.SAUTI_SMS_HANDLER = "tests.messaging.test_processing.recording_handler"
    CALLS.clear()
    message = sms(dev_channel, post, "Habari", "1")
    assert [
        {
            "organisation": world.umoja,
            "phone": PHONE,
            "text": "Habari",
            "received_at": message.received_at,
            "inbound_id": message.pk,
        }
    ] == CALLS
    assert replies(message) == ["one", "two"]
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"delivered"}  # the dev channel


def test_received_at_is_sautis_time_and_the_providers_time_is_kept(dev_channel: Channel, post: Post) -> None:
    with time_machine.travel(datetime(2026, 11, 25, 8, 0, 5, tzinfo=UTC), tick=False):
        message = sms(dev_channel, post, "Maji yamekatwa", "1")
    assert message.received_at.isoformat() == "2026-11-25T08:00:05+00:00"
    assert message.provider_time is not None
    assert message.provider_time.isoformat() == "2026-11-25T08:00:00+00:00"
    assert not message.provider_time_implausible
