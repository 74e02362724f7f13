"""Provider clients share one small interface: `send(phone, text) -> SendResult`, raising `TransportError`
with a `permanent` flag. `client_for(channel)` picks the provider package."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sauti.messaging.models import Channel

TIMEOUT = 10.0


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str  # an OutboundStatus value: "sent" (accepted) or "delivered" (dev channel)


class TransportError(Exception):
    """A failed send. `permanent` errors are not retried; `opted_out` means the provider says the
    number refuses messages (it becomes an opt-out)."""

    def __init__(self, message: str, *, permanent: bool, opted_out: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.opted_out = opted_out


class Client(Protocol):
    def send(self, phone: str, text: str) -> SendResult: ...


@dataclass(frozen=True)
class HttpResponse:
    status: int
    content_type: str
    body: bytes

    def json(self) -> object:
        return json.loads(self.body.decode("utf-8"))


def http_post(url: str, data: bytes, headers: dict[str, str], timeout: float = TIMEOUT) -> HttpResponse:
    """POST and return the response whatever its status; network failures are retryable errors."""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return HttpResponse(response.status, response.headers.get_content_type(), response.read())
    except urllib.error.HTTPError as e:
        return HttpResponse(e.code, e.headers.get_content_type() if e.headers else "", e.read())
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise TransportError(f"connection failed: {e}", permanent=False) from None


def client_for(channel: Channel) -> Client:
    from sauti.messaging.models import ChannelKind

    if channel.kind == ChannelKind.AFRICASTALKING:
        from sauti.messaging.providers.africastalking.client import AfricasTalkingClient

        return AfricasTalkingClient.for_channel(channel)
    if channel.kind == ChannelKind.TWILIO:
        from sauti.messaging.providers.twilio.client import TwilioClient

        return TwilioClient.for_channel(channel)
    from sauti.messaging.providers.dev.client import DevClient

    return DevClient()
