"""Fuzz every provider webhook through the HTTP client with real channel tokens: whatever arrives, the
answer is below 500 and no view falls into the catch-all (which would log "webhook ... failed");
well-formed callbacks get 200; a replayed message id never stores a second InboundMessage."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.test import Client

from sauti.messaging.models import CHANNEL_CACHE, Channel, ChannelKind, InboundMessage
from sauti.monitoring.actions import do_seed_taxonomy
from tests.conftest import World
from tests.messaging.fakes import FakeProvider, serve

EXAMPLES = 100
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
RUN: Counter[str] = Counter()
TWILIO_TOKEN = "fuzz-auth-token"
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

# Surrogates cannot travel in an HTTP form at all; everything else can (controls, RTL marks, emoji, NUL).
chars = st.characters(exclude_categories=["Cs"])
garbage = st.text(chars, max_size=60)
words = st.sampled_from(
    ["maji", "Kibera", "polisi", "STOP", "JIUNGE", "HELP", "🙂", "\u202e", "\x00", "\x1b[2J", "\r\n", "€", "ñ",
     "'", '"', "&", "=", "%", "+", "0712000001", "*", "#"]
)  # fmt: skip
sms_texts = st.one_of(
    st.text(chars, max_size=300),
    st.lists(words, max_size=40).map(" ".join),
    st.tuples(st.sampled_from(["a", "ü", "漢", "\x07"]), st.integers(1000, 3000)).map(lambda t: t[0] * t[1]),
)
kenyan_phones = st.from_regex(r"\+254[17][0-9]{8}", fullmatch=True)
phones = st.one_of(
    kenyan_phones,
    st.from_regex(r"07[0-9]{8}", fullmatch=True),
    st.sampled_from(["+15005550006", "+", "", " ", "254", "+254 7", "AFRICASTKNG", "\x00"]),
    garbage,
)
# Hypothesis takes naive bounds; AT sends UTC wall-clock times without an offset anyway.
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))  # noqa: DTZ001
at_dates = st.one_of(
    instants.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    instants.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S")),
    instants.map(lambda d: d.strftime("%Y-%m-%d %H:%M:%S.%f")),
    # ISO 8601 with an offset, converted to UTC (issue 13 review, session 7).
    instants.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S+03:00")),
)
bad_dates = st.one_of(
    garbage,
    st.sampled_from(["2024-02-30 10:00:00", "2024-13-01T00:00:00Z", "0000-00-00 00:00:00", "1714000000",
                     "03/05/2017 06:04", "2017-05-03", "2017-05-03T06:04:45+25:00", "9999-12-31T23:59:59.9999999Z"]),
)  # fmt: skip
ids = st.one_of(st.from_regex(r"ATXid_[0-9a-f]{8}", fullmatch=True), st.text(chars, min_size=1, max_size=200))
ussd_texts = st.one_of(
    st.lists(st.sampled_from(["1", "2", "3", "0", "00", "98", "99", "", "maji", "*", "#", "12345678901"]),
             max_size=15).map("*".join),
    st.text(st.sampled_from("*#0123456789 "), max_size=80),
    st.text(chars, max_size=600),
)  # fmt: skip
# Extra, unexpected fields alongside (or instead of) the ones the provider documents.
extras = st.dictionaries(st.text(chars, min_size=1, max_size=20), st.text(chars, max_size=40), max_size=4)


def _well_formed(value: str) -> bool:
    return "\x00" not in value


@pytest.fixture(autouse=True)
def _fresh_channel_cache() -> Iterator[None]:
    CHANNEL_CACHE.clear()
    yield
    CHANNEL_CACHE.clear()


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    yield from serve(FakeProvider())


def _channel(world: World, kind: str, address: str, base_url: str, credentials: dict[str, str]) -> Channel:
    do_seed_taxonomy(world.umoja)
    channel = Channel(
        organisation=world.umoja,
        kind=kind,
        name=kind,
        address=address,
        ussd_code="*384*1234#",
        base_url=base_url,
    )
    channel.credentials = credentials
    channel.save()
    return channel


@pytest.fixture
def at_channel(world: World, fake_provider: FakeProvider) -> Channel:
    fake_provider.answer(201, {"SMSMessageData": {"Message": "Sent to 1/1", "Recipients": []}})
    creds = {"username": "umoja", "api_key": "at-secret-key"}
    return _channel(world, ChannelKind.AFRICASTALKING, "21512", fake_provider.url, creds)


@pytest.fixture
def twilio_channel(world: World, fake_provider: FakeProvider) -> Channel:
    fake_provider.answer(201, {"sid": "SMfuzz", "status": "queued"})
    creds = {"account_sid": "ACfuzz", "auth_token": TWILIO_TOKEN}
    return _channel(world, ChannelKind.TWILIO, "+15005550006", fake_provider.url, creds)


@pytest.fixture
def dev_channel(world: World) -> Channel:
    return _channel(world, ChannelKind.DEV, "SIM", "", {})


class _Crashes(logging.Handler):
    """Records what the webhook decorator's catch-all logs: an exception no view handled."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


Send = Callable[..., Any]


@pytest.fixture
def send(django_capture_on_commit_callbacks: Capture) -> Iterator[Send]:
    """POST as the provider does (form-encoded, no cookies, no CSRF token), running the on-commit
    processing as the worker would, and failing on any 5xx or any exception the views did not handle."""
    client = Client(enforce_csrf_checks=True)
    crashes = _Crashes()
    logger = logging.getLogger("sauti.messaging.webhooks")
    logger.addHandler(crashes)

    def _send(url: str, data: dict[str, str] | list[tuple[str, str]], **headers: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url, urlencode(data), content_type="application/x-www-form-urlencoded", headers=headers
            )
        assert response.status_code < 500, (url, data, response.status_code)
        assert not crashes.records, [r.getMessage() for r in crashes.records]
        return response

    yield _send
    logger.removeHandler(crashes)


def _inbound_count(channel: Channel, provider_id: str) -> int:
    return InboundMessage.objects.filter(channel=channel, provider_id=provider_id.strip()[:120]).count()


# --- Africa's Talking ------------------------------------------------------------------------------


@FUZZ
@given(provider_id=ids, phone=kenyan_phones, text=sms_texts, date=at_dates, extra=extras)
def test_at_inbound_well_formed_is_stored_once(
    at_channel: Channel, send: Send, provider_id: str, phone: str, text: str, date: str, extra: dict[str, str]
) -> None:
    RUN["at inbound"] += 1
    data = {**extra, "id": provider_id, "from": phone, "to": "21512", "text": text, "date": date}
    url = f"/messaging/hooks/at/{at_channel.token}/incoming/"
    first = send(url, data)
    if not (_well_formed(provider_id) and provider_id.strip() and _well_formed(text)):
        assert first.status_code == 400
        return
    assert first.status_code == 200, first.content
    replay = send(url, {**data, "text": text[::-1]})
    assert replay.status_code == 200
    assert _inbound_count(at_channel, provider_id) == 1


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={"id": ids, "from": phones, "to": st.one_of(st.just("21512"), garbage), "text": sms_texts,
                  "date": st.one_of(at_dates, bad_dates), "linkId": garbage, "networkCode": garbage},
    ),
    extra=extras,
)  # fmt: skip
def test_at_inbound_malformed_never_fails(
    at_channel: Channel, send: Send, fields: dict[str, str], extra: dict[str, str]
) -> None:
    RUN["at inbound garbage"] += 1
    data = {**extra, **fields}
    before = InboundMessage.objects.count()
    response = send(f"/messaging/hooks/at/{at_channel.token}/incoming/", data)
    if response.status_code != 200:
        assert response.status_code == 400 and response.content
        assert InboundMessage.objects.count() == before


@pytest.mark.parametrize("date", ["2017-05-03T06:04:45Z", "2017-05-03 06:04:45", "2017-05-03 06:04:45.123"])
def test_both_at_date_formats_are_read_as_utc(at_channel: Channel, send: Send, date: str) -> None:
    data = {"id": "ATXid_1", "from": "+254711000001", "to": "21512", "text": "maji", "date": date}
    # The provider's date is kept as data (provider_time); received_at is Sauti's own clock (issue 13).
    with time_machine.travel(datetime(2017, 5, 3, 6, 5, tzinfo=UTC), tick=False):
        assert send(f"/messaging/hooks/at/{at_channel.token}/incoming/", data).status_code == 200
    stored = InboundMessage.objects.get(provider_id="ATXid_1").provider_time
    assert stored is not None
    assert stored.replace(microsecond=0) == datetime(2017, 5, 3, 6, 4, 45, tzinfo=UTC)


@FUZZ
@given(date=bad_dates)
def test_at_garbage_dates_are_refused(at_channel: Channel, send: Send, date: str) -> None:
    RUN["at dates"] += 1
    data = {"id": "ATXid_bad", "from": "+254711000001", "to": "21512", "text": "maji", "date": date}
    response = send(f"/messaging/hooks/at/{at_channel.token}/incoming/", data)
    assert response.status_code == 400
    assert not InboundMessage.objects.filter(provider_id="ATXid_bad").exists()


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {"id": ids, "status": st.one_of(st.sampled_from(["Success", "Failed", "Rejected", "Buffered", "Sent"]),
                                        garbage)},
        optional={"phoneNumber": phones, "failureReason": st.one_of(st.just("UserInBlackList"), garbage),
                  "retryCount": garbage, "networkCode": garbage},
    ),
    drop=st.sets(st.sampled_from(["id", "status"])),
    extra=extras,
)  # fmt: skip
def test_at_delivery_reports(
    at_channel: Channel, send: Send, fields: dict[str, str], drop: set[str], extra: dict[str, str]
) -> None:
    RUN["at delivery"] += 1
    data = {k: v for k, v in {**extra, **fields}.items() if k not in drop}
    response = send(f"/messaging/hooks/at/{at_channel.token}/delivery/", data)
    if not drop and _well_formed(data["id"]) and _well_formed(data["status"]):
        assert response.status_code == 200
    elif drop:
        assert response.status_code == 400


@FUZZ
@given(
    session=st.one_of(st.from_regex(r"ATUid_[0-9a-f]{6}", fullmatch=True), st.text(chars, min_size=1,
                                                                                    max_size=120)),
    phone=kenyan_phones,
    steps=st.lists(ussd_texts, min_size=1, max_size=4),
    service=st.one_of(st.just("*384*1234#"), garbage),
)  # fmt: skip
def test_at_ussd_sessions(
    at_channel: Channel, send: Send, session: str, phone: str, steps: list[str], service: str
) -> None:
    RUN["at ussd"] += 1
    url = f"/messaging/hooks/at/{at_channel.token}/ussd/"
    for text in steps:
        data = {"sessionId": session, "phoneNumber": phone, "serviceCode": service, "text": text,
                "networkCode": "63902"}  # fmt: skip
        response = send(url, data)
        if _well_formed(session) and _well_formed(service):
            assert response.status_code == 200, response.content
            body = response.content.decode()
            assert body.startswith(("CON ", "END ")), body
        else:
            assert response.status_code == 400


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["sessionId", "phoneNumber", "serviceCode", "text"]),
                              st.one_of(garbage, phones, ussd_texts)), extra=extras)  # fmt: skip
def test_at_ussd_malformed_never_fails(
    at_channel: Channel, send: Send, fields: dict[str, str], extra: dict[str, str]
) -> None:
    RUN["at ussd garbage"] += 1
    response = send(f"/messaging/hooks/at/{at_channel.token}/ussd/", {**extra, **fields})
    assert response.status_code in (200, 400)


@FUZZ
@given(phone=phones, extra=extras, missing=st.booleans())
def test_at_optout(at_channel: Channel, send: Send, phone: str, extra: dict[str, str], missing: bool) -> None:
    RUN["at optout"] += 1
    data = {**extra} if missing else {**extra, "senderId": "SAUTI", "phoneNumber": phone}
    response = send(f"/messaging/hooks/at/{at_channel.token}/optout/", data)
    if missing and "phoneNumber" not in extra:
        assert response.status_code == 400
    elif not missing and phone.startswith("+2547") and len(phone) == 13:
        assert response.status_code == 200


# --- Twilio ---------------------------------------------------------------------------------------


def _twilio_sign(url: str, data: list[tuple[str, str]]) -> str:
    """Twilio's documented scheme, written independently of the app's: URL, then each name+value with
    names sorted (and repeated names' values sorted)."""
    grouped: dict[str, list[str]] = {}
    for name, value in data:
        grouped.setdefault(name, []).append(value)
    payload = url + "".join(name + value for name in sorted(grouped) for value in sorted(grouped[name]))
    digest = hmac.new(TWILIO_TOKEN.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


forgeries = st.sampled_from(["none", "empty", "garbage", "other-body", "other-url", "other-token"])


def _forge(how: str, url: str, data: list[tuple[str, str]]) -> dict[str, str]:
    if how == "none":
        return {}
    if how == "empty":
        return {"X-Twilio-Signature": ""}
    if how == "garbage":
        return {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}
    if how == "other-body":
        return {"X-Twilio-Signature": _twilio_sign(url, [*data, ("Body", "x")])}
    if how == "other-url":
        return {"X-Twilio-Signature": _twilio_sign(url + "?x=1", data)}
    digest = hmac.new(b"wrong", url.encode(), hashlib.sha1).digest()
    return {"X-Twilio-Signature": base64.b64encode(digest).decode()}


@FUZZ
@given(
    sid=st.one_of(st.from_regex(r"SM[0-9a-f]{32}", fullmatch=True), st.text(chars, max_size=80)),
    phone=phones,
    body=st.one_of(st.none(), sms_texts),
    extra=st.lists(st.tuples(st.text(chars, min_size=1, max_size=15), st.text(chars, max_size=30)), max_size=4),
    forgery=st.one_of(st.none(), forgeries),
)  # fmt: skip
def test_twilio_inbound(
    twilio_channel: Channel, send: Send, sid: str, phone: str, body: str | None,
    extra: list[tuple[str, str]], forgery: str | None,
) -> None:  # fmt: skip
    RUN["twilio inbound"] += 1
    url = f"http://testserver/messaging/hooks/twilio/{twilio_channel.token}/incoming/"
    data = [(k, v) for k, v in extra if k not in ("MessageSid", "From", "Body")]
    data += [("MessageSid", sid), ("From", phone), ("To", "+15005550006"), ("AccountSid", "ACfuzz")]
    if body is not None:
        data.append(("Body", body))
    before = InboundMessage.objects.count()
    headers = _forge(forgery, url, data) if forgery else {"X-Twilio-Signature": _twilio_sign(url, data)}
    response = send(url, data, **headers)
    if forgery:
        assert response.status_code == 403
        assert InboundMessage.objects.count() == before
        return
    valid_phone = phone.startswith("+2547") and len(phone) == 13
    if valid_phone and sid.strip() and _well_formed(sid) and _well_formed(body or ""):
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "text/xml"
        assert send(url, data, **headers).status_code == 200  # the provider's retry
        assert _inbound_count(twilio_channel, sid) == 1
    elif response.status_code != 200:
        assert response.status_code == 400


@FUZZ
@given(
    sid=st.text(chars, max_size=60),
    status=st.one_of(st.sampled_from(["queued", "sent", "delivered", "undelivered", "failed", "read"]), garbage),
    error=st.one_of(st.none(), garbage),
    drop=st.sets(st.sampled_from(["MessageSid", "MessageStatus"])),
    forgery=st.one_of(st.none(), forgeries),
)  # fmt: skip
def test_twilio_status(
    twilio_channel: Channel, send: Send, sid: str, status: str, error: str | None, drop: set[str],
    forgery: str | None,
) -> None:  # fmt: skip
    RUN["twilio status"] += 1
    url = f"http://testserver/messaging/hooks/twilio/{twilio_channel.token}/status/"
    fields = {"MessageSid": sid, "MessageStatus": status, "ErrorCode": error}
    data = [(k, v) for k, v in fields.items() if v is not None and k not in drop]
    headers = _forge(forgery, url, data) if forgery else {"X-Twilio-Signature": _twilio_sign(url, data)}
    response = send(url, data, **headers)
    if forgery:
        assert response.status_code == 403
    elif drop:
        assert response.status_code == 400
    elif _well_formed(sid) and _well_formed(status):
        assert response.status_code == 200


# --- The development channel (Africa's Talking's wire format, its own kind) ----------------------


@FUZZ
@given(provider_id=ids, phone=phones, text=sms_texts, date=st.one_of(at_dates, bad_dates), to=st.sampled_from(
    ["SIM", "21512", ""]))  # fmt: skip
def test_dev_channel_inbound(
    dev_channel: Channel, send: Send, provider_id: str, phone: str, text: str, date: str, to: str
) -> None:
    RUN["dev inbound"] += 1
    url = f"/messaging/hooks/dev/{dev_channel.token}/incoming/"
    data = {"id": provider_id, "from": phone, "to": to, "text": text, "date": date}
    first = send(url, data)
    if first.status_code == 200:
        assert send(url, data).status_code == 200
        assert _inbound_count(dev_channel, provider_id) == 1
    else:
        assert first.status_code == 400


@FUZZ
@given(session=st.text(chars, min_size=1, max_size=40), phone=kenyan_phones, text=ussd_texts)
def test_dev_channel_ussd(dev_channel: Channel, send: Send, session: str, phone: str, text: str) -> None:
    RUN["dev ussd"] += 1
    data = {"sessionId": session, "phoneNumber": phone, "serviceCode": "*384*1234#", "text": text}
    response = send(f"/messaging/hooks/dev/{dev_channel.token}/ussd/", data)
    assert response.status_code == (200 if _well_formed(session) else 400)


def test_an_unknown_token_is_404_not_500(at_channel: Channel, send: Send) -> None:
    data = {"id": "x", "from": "+254711000001", "to": "21512", "text": "maji", "date": "2017-05-03 06:04:45"}
    assert send("/messaging/hooks/at/not-a-token/incoming/", data).status_code == 404
    assert send(f"/messaging/hooks/twilio/{at_channel.token}/incoming/", data).status_code == 404


@pytest.mark.parametrize(
    "hook",
    ["at inbound", "at inbound garbage", "at dates", "at delivery", "at ussd", "at ussd garbage", "at optout",
     "twilio inbound", "twilio status", "dev inbound", "dev ussd"],
)  # fmt: skip
def test_every_fuzzer_ran_its_cases(hook: str) -> None:
    if not RUN[hook]:
        pytest.skip("that fuzzer ran in another pytest-xdist worker (run with -n 0 to count every one)")
    assert RUN[hook] >= EXAMPLES
