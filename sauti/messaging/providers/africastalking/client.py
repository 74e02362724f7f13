"""Africa's Talking SMS API: POST /version1/messaging (form-encoded, `apiKey` header, JSON answer).

Success is judged per recipient (`statusCode` 100/101/102), never by the HTTP status alone: an invalid
sender id comes back as HTTP 201 with no recipients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings

from sauti.messaging.providers import SendResult, TransportError, http_post

if TYPE_CHECKING:
    from sauti.messaging.models import Channel

LIVE_URL = "https://api.africastalking.com"
SANDBOX_URL = "https://api.sandbox.africastalking.com"
ACCEPTED = {100, 101, 102}
RETRYABLE = {500, 501, 502}  # AT's own server or gateway errors
OPTED_OUT = {406, 409}  # UserInBlacklist, DoNotDisturbRejection


@dataclass
class AfricasTalkingClient:
    username: str
    api_key: str
    sender: str = ""
    base_url: str = ""

    @classmethod
    def for_channel(cls, channel: Channel) -> AfricasTalkingClient:
        creds = channel.credentials
        return cls(
            username=creds.get("username", ""),
            api_key=creds.get("api_key", ""),
            sender=channel.address,
            base_url=channel.base_url or settings.SAUTI_AT_BASE_URL,
        )

    def _url(self) -> str:
        base = self.base_url or (SANDBOX_URL if self.username == "sandbox" else LIVE_URL)
        return base.rstrip("/") + "/version1/messaging"

    def send_bulk(self, phones: list[str], text: str) -> dict[str, SendResult | TransportError]:
        """One request for many recipients; the answer says, number by number, who was accepted."""
        if not self.username or not self.api_key:
            raise TransportError("channel has no username or API key", permanent=True)
        form = {"username": self.username, "to": ",".join(phones), "message": text, "bulkSMSMode": "1"}
        if self.sender:
            form["from"] = self.sender
        if len(phones) > 1:
            form["enqueue"] = "1"
        response = http_post(
            self._url(),
            urlencode(form).encode(),
            {
                "apiKey": self.api_key,
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        if response.status == 429 or response.status >= 500:
            raise TransportError(f"HTTP {response.status}", permanent=False)
        if response.status >= 400:
            detail = response.body.decode("utf-8", "replace")[:200]
            raise TransportError(f"HTTP {response.status}: {detail}", permanent=True)
        try:
            payload: Any = response.json()
            data = payload["SMSMessageData"]
            recipients = data.get("Recipients") or []
        except (ValueError, KeyError, TypeError, AttributeError):
            raise TransportError("unreadable answer from Africa's Talking", permanent=False) from None
        out: dict[str, SendResult | TransportError] = {}
        for r in recipients:
            try:
                number, code = str(r["number"]), int(r["statusCode"])
            except (KeyError, TypeError, ValueError):
                continue
            if code in ACCEPTED:
                out[number] = SendResult(provider_id=str(r.get("messageId", "")), status="sent")
            else:
                out[number] = TransportError(
                    f"{code} {r.get('status', '')}".strip(),
                    permanent=code not in RETRYABLE,
                    opted_out=code in OPTED_OUT,
                )
        for phone in phones:
            if phone not in out:
                reason = str(data.get("Message", "")) or "not in the answer"
                out[phone] = TransportError(f"rejected: {reason}"[:200], permanent=True)
        return out

    def send(self, phone: str, text: str) -> SendResult:
        result = self.send_bulk([phone], text)[phone]
        if isinstance(result, TransportError):
            raise result
        return result
