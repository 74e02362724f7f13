"""Twilio callbacks: inbound SMS (answered with empty TwiML; replies go through the outbox) and
message status callbacks. Both must carry a valid X-Twilio-Signature."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from sauti.messaging import actions
from sauti.messaging.models import Channel, ChannelKind, OutboundStatus
from sauti.messaging.providers.twilio import signature
from sauti.messaging.webhooks import MAX_TEXT, BadRequest, channel_for, phone_field, required, webhook

KIND = ChannelKind.TWILIO
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
STATUSES = {
    "accepted": OutboundStatus.SENT,
    "queued": OutboundStatus.SENT,
    "sending": OutboundStatus.SENT,
    "sent": OutboundStatus.SENT,
    "delivered": OutboundStatus.DELIVERED,
    "read": OutboundStatus.DELIVERED,
    "undelivered": OutboundStatus.UNDELIVERABLE,
    "failed": OutboundStatus.UNDELIVERABLE,
}


def _candidate_urls(request: HttpRequest) -> list[str]:
    urls = [request.build_absolute_uri()]
    public = getattr(settings, "SAUTI_PUBLIC_URL", "")
    if public:
        urls.append(public.rstrip("/") + request.get_full_path())
    out = []
    for url in urls:
        parts = urlsplit(url)
        host = parts.hostname or ""
        out.append(url)
        # Twilio signs the URL as configured: with or without the default port.
        if parts.port in (80, 443):
            out.append(urlunsplit(parts._replace(netloc=host)))
        elif parts.port is None:
            port = 443 if parts.scheme == "https" else 80
            out.append(urlunsplit(parts._replace(netloc=f"{host}:{port}")))
    return out


def _verified(request: HttpRequest, token: str) -> Channel:
    channel = channel_for(KIND, token)
    params = {name: request.POST.getlist(name) for name in request.POST}
    sent = request.headers.get("X-Twilio-Signature", "")
    if not signature.valid(channel.credentials.get("auth_token", ""), _candidate_urls(request), params, sent):
        raise _Forbidden
    return channel


class _Forbidden(Exception):
    pass


def _forbidden() -> HttpResponse:
    return HttpResponse(_("Invalid signature."), status=403, content_type="text/plain; charset=utf-8")


@webhook
def incoming(request: HttpRequest, token: str) -> HttpResponse:
    try:
        channel = _verified(request, token)
    except _Forbidden:
        return _forbidden()
    data = request.POST
    sid = required(data, "MessageSid").strip()
    if not sid:
        raise BadRequest(_("Missing field: %(name)s.") % {"name": "MessageSid"})
    actions.do_receive_sms(
        channel,
        provider_id=sid,
        phone=phone_field(data, "From"),
        text=data.get("Body", "")[:MAX_TEXT],
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@webhook
def status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        channel = _verified(request, token)
    except _Forbidden:
        return _forbidden()
    provider_status = required(request.POST, "MessageStatus")
    actions.do_delivery_report(
        channel,
        provider_id=required(request.POST, "MessageSid"),
        provider_status=provider_status,
        status=STATUSES.get(provider_status),
        detail=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
