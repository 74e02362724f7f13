"""The simulator plays the provider: it posts Africa's Talking-format callbacks to the dev channel's
real webhook views (URL resolution, form parsing, validation, storage), then runs the processing and
the dev 'send' at once so replies show without waiting for a worker (both are idempotent claims, so a
running worker never handles them twice)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone

from sauti.core.crypto import lookup_hash
from sauti.messaging import actions
from sauti.messaging.models import Channel, InboundMessage, OutboundMessage, OutboundStatus
from sauti.messaging.urls_webhooks import callback_paths


def _post(path: str, data: dict[str, str]) -> HttpResponse:
    request = RequestFactory().post(path, data)
    match = resolve(path)
    response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    return response


def send_sms(channel: Channel, phone: str, text: str) -> HttpResponse:
    provider_id = f"sim-{uuid.uuid4()}"
    response = _post(
        callback_paths(channel)["incoming"],
        {
            "from": phone,
            "to": channel.address,
            "text": text,
            "date": timezone.now().strftime("%Y-%m-%d %H:%M:%S"),
            "id": provider_id,
            "networkCode": "99999",
        },
    )
    message = InboundMessage.objects.filter(channel=channel, provider_id=provider_id).first()
    if message is not None:
        actions.do_process_inbound(message.pk)
        for reply in OutboundMessage.objects.filter(in_reply_to=message, status=OutboundStatus.QUEUED):
            actions.do_send(reply.pk)
    return response


def dial(channel: Channel, phone: str, session_id: str, text: str) -> HttpResponse:
    return _post(
        callback_paths(channel)["ussd"],
        {
            "sessionId": session_id,
            "serviceCode": channel.ussd_code or "*384*0#",
            "phoneNumber": phone,
            "networkCode": "99999",
            "text": text,
        },
    )


@dataclass(frozen=True)
class Line:
    at: datetime
    incoming: bool
    text: str
    status: str


def thread(channel: Channel, phone: str, limit: int = 30) -> list[Line]:
    """The phone's conversation with the organisation, oldest first."""
    digest = lookup_hash(phone)
    lines = [
        Line(m.received_at, True, m.text, m.get_status_display())
        for m in InboundMessage.objects.filter(channel=channel, phone_hash=digest).order_by(
            "-received_at", "-id"
        )[:limit]
    ]
    lines += [
        Line(m.created_at, False, m.text, m.get_status_display())
        for m in OutboundMessage.objects.filter(channel=channel, phone_hash=digest).order_by(
            "-created_at", "-id"
        )[:limit]
    ]
    return sorted(lines, key=lambda line: line.at)[-limit:]
