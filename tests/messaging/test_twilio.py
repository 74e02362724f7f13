"""Twilio: signed inbound SMS and status callbacks, and the send client against a loopback fake."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest

from sauti.messaging import actions
from sauti.messaging.models import Channel, ChannelKind, InboundMessage, OutboundMessage
from sauti.messaging.providers import TransportError
from sauti.messaging.providers.twilio import signature
from sauti.messaging.providers.twilio.client import TwilioClient
from tests.conftest import World
from tests.messaging.fakes import FakeProvider

Post = Callable[..., Any]
TOKEN = "12345"


@pytest.fixture
def twilio_channel(world: World, fake_provider: FakeProvider) -> Channel:
    channel = Channel(
        organisation=world.umoja,
        kind=ChannelKind.TWILIO,
        name="Twilio",
        address="+15005550006",
        base_url=fake_provider.url,
    )
    channel.credentials = {"account_sid": "ACxxxx", "auth_token": TOKEN}
    channel.save()
    return channel


def test_the_signature_matches_twilios_documented_example() -> None:
    # The vector in Twilio's documentation and its RequestValidator tests.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+14158675309"],
        "Digits": ["1234"],
        "From": ["+14158675309"],
        "To": ["+18005551212"],
    }
    assert signature.compute(TOKEN, url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def sign(url: str, data: dict[str, str]) -> str:
    payload = url + "".join(k + data[k] for k in sorted(data))
    return base64.b64encode(hmac.new(TOKEN.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def inbound(**overrides: str) -> dict[str, str]:
    data = {
        "MessageSid": "SM1234567890abcdef",
        "SmsSid": "SM1234567890abcdef",
        "AccountSid": "ACxxxx",
        "From": "+254711000001",
        "To": "+15005550006",
        "Body": "Polisi wamepiga watu Kibera",
        "NumMedia": "0",
    }
    data.update(overrides)
    return data


def test_a_signed_message_is_stored_and_answered_with_empty_twiml(
    twilio_channel: Channel, post: Post
) -> None:
    url = f"http://testserver/messaging/hooks/twilio/{twilio_channel.token}/incoming/"
    data = inbound()
    response = post(url, data, **{"X-Twilio-Signature": sign(url, data)})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert response.content.decode() == '<?xml version="1.0" encoding="UTF-8"?><Response/>'
    message = InboundMessage.objects.get()
    assert message.provider_id == "SM1234567890abcdef" and message.phone == "+254711000001"
    assert message.status == "processed"


def test_the_public_url_behind_a_proxy_is_accepted(
    twilio_channel: Channel, post: Post, settings: Any
) -> None:
    settings.SAUTI_PUBLIC_URL = "https://sauti.example.org"
    url = f"https://sauti.example.org/messaging/hooks/twilio/{twilio_channel.token}/incoming/"
    data = inbound()
    assert (
        post(
            url.replace("https://sauti.example.org", ""), data, **{"X-Twilio-Signature": sign(url, data)}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    "forge",
    [
        lambda url, data: "",
        lambda url, data: "bm90IGEgc2lnbmF0dXJl",
        lambda url, data: sign(url, {**data, "Body": "something else"}),
        lambda url, data: sign(url.replace("incoming", "status"), data),
        lambda url, data: base64.b64encode(hmac.new(b"wrong", url.encode(), hashlib.sha1).digest()).decode(),
    ],
)
def test_forged_signatures_are_refused(
    twilio_channel: Channel, post: Post, forge: Callable[[str, dict[str, str]], str]
) -> None:
    url = f"http://testserver/messaging/hooks/twilio/{twilio_channel.token}/incoming/"
    data = inbound()
    response = post(url, data, **{"X-Twilio-Signature": forge(url, data)})
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_a_replayed_message_creates_nothing(twilio_channel: Channel, post: Post) -> None:
    url = f"http://testserver/messaging/hooks/twilio/{twilio_channel.token}/incoming/"
    data = inbound()
    for _ in range(2):
        assert post(url, data, **{"X-Twilio-Signature": sign(url, data)}).status_code == 200
    assert InboundMessage.objects.count() == 1


def test_a_signed_message_without_sid_or_sender_is_a_400(twilio_channel: Channel, post: Post) -> None:
    url = f"http://testserver/messaging/hooks/twilio/{twilio_channel.token}/incoming/"
    for data in ({k: v for k, v in inbound().items() if k != "MessageSid"}, inbound(From="not-a-number")):
        response = post(url, data, **{"X-Twilio-Signature": sign(url, data)})
        assert response.status_code == 400


def test_status_callbacks_move_the_message_forward_only(
    world: World, twilio_channel: Channel, post: Post
) -> None:
    message = actions.do_queue_sms(world.umoja, to_phone="+254711000001", text="Hi", channel=twilio_channel)
    assert message is not None
    OutboundMessage.objects.filter(pk=message.pk).update(status="sent", provider_id="SMabc")
    url = f"http://testserver/messaging/hooks/twilio/{twilio_channel.token}/status/"
    for status in ("delivered", "sent", "wibble"):
        data = {"MessageSid": "SMabc", "MessageStatus": status, "AccountSid": "ACxxxx"}
        assert post(url, data, **{"X-Twilio-Signature": sign(url, data)}).status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered"


def test_the_client_sends_the_documented_request(fake_provider: FakeProvider) -> None:
    fake_provider.answer(201, {"sid": "SM0001", "status": "queued"})
    client = TwilioClient(
        account_sid="ACxxxx",
        auth_token=TOKEN,
        sender="+15005550006",
        base_url=fake_provider.url,
        status_callback="https://sauti.example.org/cb",
    )
    assert client.send("+254711000001", "Habari").provider_id == "SM0001"
    request = fake_provider.requests[0]
    assert request.path == "/2010-04-01/Accounts/ACxxxx/Messages.json"
    assert request.form == {
        "To": ["+254711000001"],
        "From": ["+15005550006"],
        "Body": ["Habari"],
        "StatusCallback": ["https://sauti.example.org/cb"],
    }
    assert (
        request.headers["authorization"] == "Basic " + base64.b64encode(f"ACxxxx:{TOKEN}".encode()).decode()
    )


@pytest.mark.parametrize(
    ("status", "body", "permanent", "opted_out"),
    [
        (400, {"code": 21211, "message": "Invalid 'To' Phone Number"}, True, False),
        (400, {"code": 21610, "message": "Attempt to send to unsubscribed recipient"}, True, True),
        (429, {"code": 20429, "message": "Too Many Requests"}, False, False),
        (500, "oops", False, False),
    ],
)
def test_client_errors_are_typed(
    fake_provider: FakeProvider, status: int, body: object, permanent: bool, opted_out: bool
) -> None:
    fake_provider.answer(status, body)
    client = TwilioClient(
        account_sid="ACxxxx", auth_token=TOKEN, sender="+15005550006", base_url=fake_provider.url
    )
    with pytest.raises(TransportError) as e:
        client.send("+254711000001", "Hi")
    assert (e.value.permanent, e.value.opted_out) == (permanent, opted_out)
