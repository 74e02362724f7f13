"""Crash-safe processing (issue 13, defect 2): a claim records when and by whom; a worker killed
mid-message leaves only the claim, which the sweep takes back after the lease; processing again writes
the report, the replies, the opinion vote or the ballot once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine

from django.db import OperationalError
from django.utils import timezone

from sauti.messaging import actions
from sauti.messaging.models import Channel, InboundMessage, OutboundMessage
from sauti.monitoring.models import Report
from tests.conftest import World

Post = Callable[..., Any]
PHONE = "+254711000001"
REPORT = "RIPOTI maji Nairobi Mathare Maji yamekatwa wiki nzima, watu 200 hawana maji"


class Killed(BaseException):
    """Stands for kill -9: not an Exception, so nothing in the worker catches it."""


def store(channel: Channel, text: str, provider_id: str) -> InboundMessage:
    message, created = actions.do_receive_sms(
        channel, provider_id=provider_id, phone=PHONE, text=text, received_at=timezone.now()
    )
    assert created
    return message


def killed_after_the_handler(message: InboundMessage) -> None:
    """Run the processing up to its last step, then die before the final status is committed."""
    real_finish = actions._finish

    def die(*args: Any, **kwargs: Any) -> None:
        if args[2] == "processed":
            raise Killed
        real_finish(*args, **kwargs)

    with mock.patch.object(actions, "_finish", side_effect=die), pytest.raises(Killed):
        actions.do_process_inbound(message.pk)


def test_a_worker_killed_mid_message_leaves_a_claim_the_sweep_takes_back_once(
    world: World, dev_channel: Channel
) -> None:
    message = store(dev_channel, REPORT, "k1")
    killed_after_the_handler(message)
    message.refresh_from_db()
    assert message.status == "processing"
    assert message.claimed_by and message.claimed_at is not None and message.attempts == 1
    # What the processing did was rolled back with it.
    assert not Report.objects.exists() and not OutboundMessage.objects.exists()

    with time_machine.travel(timezone.now() + timedelta(seconds=200)):
        actions.do_sweep()  # within the lease: left alone
    message.refresh_from_db()
    assert message.status == "processing"

    with time_machine.travel(timezone.now() + timedelta(seconds=400)):
        processed, _sent = actions.do_sweep()
    message = InboundMessage.objects.get(pk=message.pk)
    assert processed == 1 and message.status == "processed" and message.attempts == 2
    assert message.claimed_by == "" and message.claimed_at is None
    assert Report.objects.filter(external_id=f"sms:{message.pk}").count() == 1
    assert OutboundMessage.objects.filter(in_reply_to=message).count() == 1
    # Processing it again is a no-op.
    assert actions.do_process_inbound(message.pk) is None
    assert Report.objects.count() == 1 and OutboundMessage.objects.count() == 1


def test_a_failed_final_update_hands_the_message_back_instead_of_losing_it(
    world: World, dev_channel: Channel
) -> None:
    message = store(dev_channel, REPORT, "k2")
    real_finish = actions._finish
    calls = []

    def locked_once(*args: Any, **kwargs: Any) -> None:
        calls.append(args[2])
        if len(calls) == 1:
            raise OperationalError("database is locked")
        real_finish(*args, **kwargs)

    with mock.patch.object(actions, "_finish", side_effect=locked_once):
        actions.do_process_inbound(message.pk)
    message.refresh_from_db()
    assert message.status == "received" and not Report.objects.exists()
    actions.do_process_waiting()
    message.refresh_from_db()
    assert message.status == "processed" and Report.objects.count() == 1


def test_a_message_that_keeps_killing_its_worker_fails_instead_of_looping(
    world: World, dev_channel: Channel
) -> None:
    message = store(dev_channel, REPORT, "k3")
    start = timezone.now()
    for round_ in range(1, 4):
        with time_machine.travel(start + timedelta(seconds=400 * round_)):
            actions.do_reclaim_expired()
            killed_after_the_handler(message)
    with time_machine.travel(start + timedelta(seconds=1700)):
        actions.do_sweep()
    message.refresh_from_db()
    assert message.status == "failed" and "3" in message.error and not Report.objects.exists()


def test_a_claim_taken_back_from_a_slow_worker_is_not_finished_by_it(
    world: World, dev_channel: Channel
) -> None:
    message = store(dev_channel, "Habari", "k4")
    InboundMessage.objects.filter(pk=message.pk).update(
        status="processing", claimed_by="elsewhere:1:thread", claimed_at=timezone.now()
    )
    actions._finish(message.pk, actions.claimant(), "processed", "")
    message.refresh_from_db()
    assert message.status == "processing" and message.claimed_by == "elsewhere:1:thread"
