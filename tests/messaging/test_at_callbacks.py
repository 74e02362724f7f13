"""Africa's Talking delivery reports, USSD and bulk opt-out callbacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sauti.core.crypto import lookup_hash
from sauti.messaging import actions
from sauti.messaging.models import Channel, DeliveryReport, OptOut, OutboundMessage
from tests.conftest import World

Post = Callable[..., Any]


@pytest.fixture
def sent(world: World, at_channel: Channel) -> OutboundMessage:
    message = actions.do_queue_sms(
        world.umoja, to_phone="+254711000001", text="Mkutano kesho", channel=at_channel
    )
    assert message is not None
    OutboundMessage.objects.filter(pk=message.pk).update(status="sent", provider_id="ATXid_dda018a6")
    return message


def dlr(channel: Channel, post: Post, status: str, **extra: str) -> Any:
    data = {
        "id": "ATXid_dda018a6",
        "status": status,
        "phoneNumber": "+254711000001",
        "networkCode": "63902",
        "retryCount": "0",
    }
    data.update(extra)
    return post(f"/messaging/hooks/at/{channel.token}/delivery/", data)


def status_of(message: OutboundMessage) -> str:
    message.refresh_from_db()
    return message.status


def test_a_delivery_report_moves_the_status_forward(
    at_channel: Channel, sent: OutboundMessage, post: Post
) -> None:
    assert dlr(at_channel, post, "Buffered").status_code == 200
    assert status_of(sent) == "sent"
    assert dlr(at_channel, post, "Success").status_code == 200
    assert status_of(sent) == "delivered"
    assert sent.delivered_at is not None


def test_a_late_report_never_moves_the_status_back(
    at_channel: Channel, sent: OutboundMessage, post: Post
) -> None:
    dlr(at_channel, post, "Success")
    dlr(at_channel, post, "Submitted")
    dlr(at_channel, post, "Failed", failureReason="DeliveryFailure")
    assert status_of(sent) == "delivered"
    assert DeliveryReport.objects.count() == 3


def test_a_failure_records_the_reason_and_a_blacklisted_number_becomes_an_opt_out(
    world: World, at_channel: Channel, sent: OutboundMessage, post: Post
) -> None:
    dlr(at_channel, post, "Failed", failureReason="UserInBlackList")
    sent.refresh_from_db()
    assert sent.status == "undeliverable" and sent.last_error == "UserInBlackList"
    assert actions.is_opted_out(world.umoja, lookup_hash("+254711000001"))


def test_an_unknown_status_is_a_200_and_logged(
    at_channel: Channel, sent: OutboundMessage, post: Post, caplog: pytest.LogCaptureFixture
) -> None:
    assert dlr(at_channel, post, "Teleported").status_code == 200
    assert status_of(sent) == "sent"
    report = DeliveryReport.objects.get()
    assert report.provider_status == "Teleported" and report.mapped_status == "" and report.message == sent
    assert "unknown delivery status" in caplog.text


def test_a_report_for_an_unknown_message_is_a_200_and_logged(at_channel: Channel, post: Post) -> None:
    assert dlr(at_channel, post, "Success", id="ATXid_nobody").status_code == 200
    assert DeliveryReport.objects.get().message is None


def test_a_replayed_report_changes_nothing_more(
    at_channel: Channel, sent: OutboundMessage, post: Post
) -> None:
    for _ in range(3):
        assert dlr(at_channel, post, "Success").status_code == 200
    assert status_of(sent) == "delivered"


@pytest.mark.parametrize("missing", ["id", "status"])
def test_a_report_without_id_or_status_is_a_400(at_channel: Channel, post: Post, missing: str) -> None:
    data = {"id": "ATXid_x", "status": "Success"}
    del data[missing]
    response = post(f"/messaging/hooks/at/{at_channel.token}/delivery/", data)
    assert response.status_code == 400 and missing in response.content.decode()


def ussd(channel: Channel, post: Post, text: str, **extra: str) -> Any:
    data = {
        "sessionId": "ATUid_5d3b",
        "serviceCode": "*384*1234#",
        "phoneNumber": "+254711000001",
        "networkCode": "63902",
        "text": text,
    }
    data.update(extra)
    return post(f"/messaging/hooks/at/{channel.token}/ussd/", data)


@pytest.mark.parametrize("text", ["", "1", "1*Kibera", "2*3*hello*world", "*#*"])
def test_ussd_answers_con_or_end_as_plain_text(at_channel: Channel, post: Post, text: str) -> None:
    response = ussd(at_channel, post, text)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith(("CON ", "END "))


def test_ussd_hands_the_hop_to_the_configured_handler(at_channel: Channel, post: Post, settings: Any) -> None:
    settings.SAUTI_USSD_HANDLER = "tests.messaging.test_at_callbacks.echo_ussd"
    response = ussd(at_channel, post, "1*Kibera*2")
    assert response.content.decode() == "CON ATUid_5d3b|+254711000001|*384*1234#|1*Kibera*2"


def echo_ussd(*, organisation: Any, session_id: str, phone: str, service_code: str, text: str) -> str:
    return f"CON {session_id}|{phone}|{service_code}|{text}"


def test_a_handler_answer_without_con_or_end_is_closed(
    at_channel: Channel, post: Post, settings: Any
) -> None:
    settings.SAUTI_USSD_HANDLER = "tests.messaging.test_at_callbacks.sloppy_ussd"
    assert ussd(at_channel, post, "").content.decode() == "END Thanks"


def sloppy_ussd(**kwargs: Any) -> str:
    return "Thanks"


@pytest.mark.parametrize("missing", ["sessionId", "serviceCode", "phoneNumber"])
def test_ussd_without_a_required_field_is_a_400(at_channel: Channel, post: Post, missing: str) -> None:
    data = {"sessionId": "s", "serviceCode": "*384#", "phoneNumber": "+254711000001", "text": ""}
    del data[missing]
    assert post(f"/messaging/hooks/at/{at_channel.token}/ussd/", data).status_code == 400


def test_the_bulk_opt_out_callback_records_an_opt_out(world: World, at_channel: Channel, post: Post) -> None:
    response = post(
        f"/messaging/hooks/at/{at_channel.token}/optout/",
        {"senderId": "21512", "phoneNumber": "+254711000001"},
    )
    assert response.status_code == 200
    optout = OptOut.objects.get()
    assert optout.active and optout.how == "provider"
    assert actions.do_queue_sms(world.umoja, to_phone="+254711000001", text="Hello") is None
