"""The outbox: who may be sent to, claiming without double sends, retries with backoff, broadcasts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from django.utils import timezone

from sauti.messaging import actions
from sauti.messaging.models import Channel, OutboundMessage
from sauti.people.actions import contacts_with_phone, do_record_consent
from sauti.people.models import Contact, Organisation
from tests.conftest import World
from tests.messaging.fakes import FakeProvider, at_success

NJERI = "+254712000001"  # Mathare group member, no consent recorded (see tests/conftest.py)


def find_contact(org: Organisation, phone: str) -> Contact | None:
    """The persona's record of this number (group members are their group's records: Contact.scope)."""
    return next(iter(contacts_with_phone(org, phone)), None)


def queue(
    world: World, channel: Channel, text: str = "Mkutano kesho", phone: str = "+254711000001"
) -> OutboundMessage:
    message = actions.do_queue_sms(world.umoja, to_phone=phone, text=text, channel=channel)
    assert message is not None
    return message


def test_it_counts_segments_after_normalising_smart_quotes(world: World, at_channel: Channel) -> None:
    message = queue(world, at_channel, text="Tunakutana ‘leo’ — saa tatu " + "x" * 140)
    assert message.encoding == "GSM-7" and message.segments == 2
    assert "'leo'" in message.text
    emoji = queue(world, at_channel, text="Asante 🙏")
    assert emoji.encoding == "UCS-2" and emoji.segments == 1


def test_an_opted_out_number_gets_nothing(world: World, at_channel: Channel) -> None:
    actions.do_set_opt_out(world.umoja, "+254711000001", active=True, how="staff")
    assert actions.do_queue_sms(world.umoja, to_phone="+254711000001", text="Hi", channel=at_channel) is None
    actions.do_set_opt_out(world.umoja, "+254711000001", active=False, how="sms")
    assert (
        actions.do_queue_sms(world.umoja, to_phone="+254711000001", text="Hi", channel=at_channel) is not None
    )


def test_an_opt_out_is_per_organisation(world: World, at_channel: Channel) -> None:
    actions.do_set_opt_out(world.haki, "+254711000001", active=True, how="sms")
    assert (
        actions.do_queue_sms(world.umoja, to_phone="+254711000001", text="Hi", channel=at_channel) is not None
    )


def test_withdrawn_consent_blocks_and_broadcasts_need_consent(world: World, at_channel: Channel) -> None:
    njeri = find_contact(world.umoja, NJERI)
    assert njeri is not None
    # A reply to someone who wrote to us needs no recorded consent; a broadcast does.
    assert actions.do_queue_sms(world.umoja, to_contact=njeri, text="Hi", channel=at_channel) is not None
    assert (
        actions.do_queue_sms(
            world.umoja, to_contact=njeri, text="Hi", channel=at_channel, require_consent=True
        )
        is None
    )
    do_record_consent(njeri, "messaging", False, "verbal", None)
    assert actions.do_queue_sms(world.umoja, to_contact=njeri, text="Hi", channel=at_channel) is None


def test_nothing_is_queued_without_text_or_channel(world: World) -> None:
    assert actions.do_queue_sms(world.umoja, to_phone="+254711000001", text="Hi") is None  # no channel
    assert actions.do_queue_sms(world.umoja, to_phone="+254711000001", text="   ") is None


def test_a_message_is_claimed_once(world: World, at_channel: Channel, fake_provider: FakeProvider) -> None:
    fake_provider.answer(201, at_success("+254711000001"))
    message = queue(world, at_channel)
    assert actions.claim(message.pk)
    assert not actions.claim(message.pk)
    assert actions.do_send(message.pk) is None  # already claimed: no second request
    assert fake_provider.requests == []


def test_sending_twice_sends_once(world: World, at_channel: Channel, fake_provider: FakeProvider) -> None:
    fake_provider.answer(201, at_success("+254711000001"))
    message = queue(world, at_channel)
    first = actions.do_send(message.pk)
    assert first is not None and first.status == "sent" and first.attempts == 1
    assert actions.do_send(message.pk) is None
    assert len(fake_provider.requests) == 1


def test_retryable_errors_back_off_then_fail_after_three_attempts(
    world: World, at_channel: Channel, fake_provider: FakeProvider
) -> None:
    fake_provider.answer(503, "busy", "text/plain")
    message = queue(world, at_channel)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sent = actions.do_send(message.pk)
        assert sent is not None and sent.status == "queued" and sent.attempts == 1
        assert sent.next_attempt_at == timezone.now() + timedelta(minutes=5)
        assert actions.do_send(message.pk) is None  # not due yet
        clock.shift(timedelta(minutes=5))
        assert actions.do_send_due() == 1
        message.refresh_from_db()
        assert message.attempts == 2 and message.next_attempt_at == timezone.now() + timedelta(minutes=10)
        clock.shift(timedelta(minutes=10))
        actions.do_send_due()
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 3 and "503" in message.last_error
    assert len(fake_provider.requests) == 3


def test_a_permanent_error_fails_at_once(
    world: World, at_channel: Channel, fake_provider: FakeProvider
) -> None:
    fake_provider.answer(201, {"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}})
    sent = actions.do_send(queue(world, at_channel).pk)
    assert sent is not None and sent.status == "failed" and "InvalidSenderId" in sent.last_error


def test_a_blacklisted_recipient_becomes_an_opt_out(
    world: World, at_channel: Channel, fake_provider: FakeProvider
) -> None:
    answer = at_success("+254711000001")
    answer["SMSMessageData"]["Recipients"][0].update(status="UserInBlacklist", statusCode=406)  # type: ignore[index]
    fake_provider.answer(201, answer)
    actions.do_send(queue(world, at_channel).pk)
    assert actions.do_queue_sms(world.umoja, to_phone="+254711000001", text="Hi", channel=at_channel) is None


def test_a_message_stuck_in_sending_is_never_sent_twice_without_an_idempotency_key(
    world: World, at_channel: Channel, fake_provider: FakeProvider
) -> None:
    """A worker claimed it and died: the provider may have it already, and Africa's Talking cannot drop a
    duplicate, so the sweep marks it failed with the reason instead of sending it again (issue 13)."""
    fake_provider.answer(201, at_success("+254711000001"))
    message = queue(world, at_channel)
    assert actions.claim(message.pk)
    message.refresh_from_db()
    assert message.claimed_at is not None and message.claimed_by
    with time_machine.travel(timezone.now() + timedelta(seconds=299)):
        actions.do_send_due()
    message.refresh_from_db()
    assert message.status == "sending"  # still within the lease
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        assert actions.do_send_due() == 0
    message.refresh_from_db()
    assert message.status == "failed" and message.last_error == actions.UNKNOWN_OUTCOME
    assert fake_provider.requests == []


def test_a_message_stuck_in_sending_through_a_deduplicating_provider_is_sent_again(
    world: World, dev_channel: Channel
) -> None:
    message = queue(world, dev_channel)
    assert actions.claim(message.pk)
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        assert actions.do_send_due() == 1
    message.refresh_from_db()
    assert message.status == "delivered" and message.attempts == 2 and message.claimed_by == ""


def test_queued_messages_are_sent_by_the_task_after_commit(
    world: World, at_channel: Channel, fake_provider: FakeProvider, django_capture_on_commit_callbacks: object
) -> None:
    fake_provider.answer(201, at_success("+254711000001"))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        message = queue(world, at_channel)
    message.refresh_from_db()
    assert message.status == "sent"


@pytest.fixture
def consenting(world: World) -> World:
    for phone in ("+254712000001", "+254712000002"):
        contact = find_contact(world.umoja, phone)
        assert contact is not None
        do_record_consent(contact, "messaging", True, "paper", None)
    mumbua = find_contact(world.umoja, "+254712000002")
    assert mumbua is not None
    mumbua.language = "en"
    mumbua.save()
    return world


def test_a_broadcast_is_personalised_in_each_language_and_skips_who_cannot_receive_it(
    consenting: World, at_channel: Channel
) -> None:
    world = consenting
    extra = world.umoja.contacts.create(language="sw")
    extra.name, extra.phone = "Amina Hassan", "+254712000009"
    extra.save()
    actions.do_set_opt_out(world.umoja, "+254712000009", active=True, how="sms")
    contacts = list(world.umoja.contacts.all())
    plan = actions.plan_broadcast(
        world.umoja,
        contacts,
        text_en="Hello {name}, meeting tomorrow",
        text_sw="Habari {name}, mkutano kesho",
        price_per_segment=Decimal("0.80"),
    )
    assert sorted(plan.texts.values()) == ["Habari Njeri, mkutano kesho", "Hello Mumbua, meeting tomorrow"]
    assert plan.blocked == {"opted out": 1}
    assert plan.cost.messages == 2 and plan.cost.segments == 2 and plan.cost.cost == Decimal("1.60")
    queued = actions.do_broadcast(
        world.umoja,
        contacts,
        text_en="Hello {name}, meeting tomorrow",
        text_sw="Habari {name}, mkutano kesho",
        channel=at_channel,
        by=world.wanjiku,
    )
    assert sorted(m.text for m in queued) == sorted(plan.texts.values())
    assert {m.purpose for m in queued} == {"broadcast"}


def test_unknown_placeholders_are_left_as_written(consenting: World) -> None:
    njeri = find_contact(consenting.umoja, "+254712000001")
    assert njeri is not None
    assert actions.personalise("{name}: {unknown} {0}", njeri) == "Njeri: {unknown} {0}"


def test_estimate_cost_counts_parts_at_the_channels_price(at_channel: Channel) -> None:
    at_channel.price_per_segment = Decimal("0.80")
    estimate = actions.estimate_cost(["Habari", "x" * 161, "Asante 🙏", ""], at_channel)
    assert (estimate.messages, estimate.segments, estimate.cost) == (3, 4, Decimal("3.20"))
    assert (estimate.gsm7_messages, estimate.ucs2_messages) == (2, 1)
