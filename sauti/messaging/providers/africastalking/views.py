"""Africa's Talking callbacks: inbound SMS, delivery reports, USSD and bulk opt-out (form POSTs)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sauti.messaging import actions
from sauti.messaging.models import Channel, ChannelKind, OutboundStatus
from sauti.messaging.webhooks import MAX_TEXT, BadRequest, channel_for, phone_field, required, webhook

KIND = ChannelKind.AFRICASTALKING
# AT's delivery statuses -> ours. Submitted/Buffered are non-final but past the hand-off.
DLR_STATUSES = {
    "Sent": OutboundStatus.SENT,
    "Submitted": OutboundStatus.SENT,
    "Buffered": OutboundStatus.SENT,
    "Success": OutboundStatus.DELIVERED,
    "Rejected": OutboundStatus.UNDELIVERABLE,
    "Failed": OutboundStatus.UNDELIVERABLE,
    "Expired": OutboundStatus.UNDELIVERABLE,
}


# Checked by a pattern, read by fromisoformat: strptime cost more than a tenth of a callback's CPU.
_DATE = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d{1,6})?(Z|[+-]\d\d:?\d\d)?", re.ASCII)


def parse_date(raw: str) -> datetime:
    """AT sends `2017-05-03T06:04:45Z` or `2017-05-03 06:04:45` (both UTC); fractions are allowed, and an
    ISO 8601 offset (`+03:00`, as a proxy may rewrite it) is converted to UTC."""
    text = raw.strip()
    found = _DATE.fullmatch(text)
    if found is not None:
        try:
            if found[1] is None:
                return datetime.fromisoformat(text).replace(tzinfo=UTC)
            return datetime.fromisoformat(text).astimezone(UTC)
        except ValueError:  # a day, hour or offset out of range
            pass
    raise BadRequest(_("Field date is not a date: %(raw)s.") % {"raw": raw[:40]})


def read_incoming(channel: Channel, data: Any) -> dict[str, Any]:
    """The message in an incoming-SMS callback, as `do_receive_sms` arguments; BadRequest if malformed.
    Shared by the view and the WSGI fast lane (sauti/messaging/fastlane.py)."""
    provider_id = required(data, "id").strip()
    if not provider_id:
        raise BadRequest(_("Missing field: %(name)s.") % {"name": "id"})
    to = required(data, "to").strip()
    if channel.address and to != channel.address:
        raise BadRequest(_("Unknown short code: %(to)s.") % {"to": to[:20]})
    return {
        "provider_id": provider_id,
        "phone": phone_field(data, "from"),
        "text": required(data, "text")[:MAX_TEXT],
        # The provider's time is data; Sauti's own time of receipt orders and rate-limits (issue 13).
        "provider_time": parse_date(required(data, "date")),
    }


def make_incoming(kind: str) -> Callable[..., HttpResponse]:
    @webhook
    def incoming(request: HttpRequest, token: str) -> HttpResponse:
        channel = channel_for(kind, token)
        actions.do_receive_sms(channel, **read_incoming(channel, request.POST))
        return HttpResponse("OK", content_type="text/plain")

    return incoming


incoming = make_incoming(KIND)


@webhook
def delivery(request: HttpRequest, token: str) -> HttpResponse:
    channel = channel_for(KIND, token)
    provider_id = required(request.POST, "id")
    status = required(request.POST, "status")
    actions.do_delivery_report(
        channel,
        provider_id=provider_id,
        provider_status=status,
        status=DLR_STATUSES.get(status),
        detail=request.POST.get("failureReason", ""),
    )
    return HttpResponse("OK", content_type="text/plain")


def make_ussd(kind: str) -> Callable[..., HttpResponse]:
    @webhook
    def ussd(request: HttpRequest, token: str) -> HttpResponse:
        channel = channel_for(kind, token)
        data = request.POST
        body = actions.do_handle_ussd(
            channel,
            session_id=required(data, "sessionId")[:100],
            phone=phone_field(data, "phoneNumber"),
            service_code=required(data, "serviceCode")[:40],
            text=data.get("text", "")[:500],
        )
        return HttpResponse(body, content_type="text/plain; charset=utf-8")

    return ussd


ussd = make_ussd(KIND)


@webhook
def optout(request: HttpRequest, token: str) -> HttpResponse:
    channel = channel_for(KIND, token)
    actions.do_set_opt_out(
        channel.organisation, phone_field(request.POST, "phoneNumber"), active=True, how="provider"
    )
    return HttpResponse("OK", content_type="text/plain")
