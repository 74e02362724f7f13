"""Twilio Messages API: POST /2010-04-01/Accounts/<sid>/Messages.json with HTTP Basic auth."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings

from sauti.messaging.providers import SendResult, TransportError, http_post

if TYPE_CHECKING:
    from sauti.messaging.models import Channel

LIVE_URL = "https://api.twilio.com"
STOPPED = {21610}  # the recipient replied STOP to this sender
RETRYABLE_CODES = {20429, 63018}  # too many requests, throttled


@dataclass
class TwilioClient:
    account_sid: str
    auth_token: str
    sender: str
    base_url: str = ""
    status_callback: str = ""

    @classmethod
    def for_channel(cls, channel: Channel) -> TwilioClient:
        from sauti.messaging.urls_webhooks import callback_urls

        creds = channel.credentials
        return cls(
            account_sid=creds.get("account_sid", ""),
            auth_token=creds.get("auth_token", ""),
            sender=channel.address,
            base_url=channel.base_url or settings.SAUTI_TWILIO_BASE_URL,
            status_callback=callback_urls(channel).get("delivery", ""),
        )

    def send(self, phone: str, text: str) -> SendResult:
        if not self.account_sid or not self.auth_token or not self.sender:
            raise TransportError("channel has no account SID, auth token or sender", permanent=True)
        url = (
            f"{(self.base_url or LIVE_URL).rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        )
        form = {"To": phone, "From": self.sender, "Body": text}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        auth = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        response = http_post(
            url,
            urlencode(form).encode(),
            {
                "Authorization": f"Basic {auth}",
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            payload: Any = response.json()
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        if response.status in (200, 201) and payload.get("sid"):
            return SendResult(provider_id=str(payload["sid"]), status="sent")
        code = payload.get("code")
        message = f"HTTP {response.status} {code or ''} {payload.get('message', '')}".strip()[:200]
        retryable = response.status == 429 or response.status >= 500 or code in RETRYABLE_CODES
        raise TransportError(message, permanent=not retryable, opted_out=code in STOPPED)
