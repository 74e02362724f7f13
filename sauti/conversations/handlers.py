"""The two entry points the messaging transport calls (settings SAUTI_SMS_HANDLER / SAUTI_USSD_HANDLER)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sauti.conversations.actions import do_handle_sms, do_handle_ussd
from sauti.people.models import Organisation

# Keyword commands of apps above this one (e.g. budgets' "MRADI 12 2"), registered in their AppConfig.ready():
# each gets the message first and returns its replies, or None when the text is not its command.
KeywordHandler = Callable[..., list[str] | None]
KEYWORD_HANDLERS: list[KeywordHandler] = []


def register_keyword_handler(handler: KeywordHandler) -> None:
    if handler not in KEYWORD_HANDLERS:
        KEYWORD_HANDLERS.append(handler)


def handle_sms(
    *, organisation: Organisation, phone: str, text: str, received_at: datetime, inbound_id: int
) -> list[str]:
    """Advance the sender's conversation; the reply texts to send, in the sender's language."""
    for handler in KEYWORD_HANDLERS:
        replies = handler(
            organisation=organisation, phone=phone, text=text, received_at=received_at, inbound_id=inbound_id
        )
        if replies is not None:
            return replies
    return do_handle_sms(organisation, phone=phone, text=text, received_at=received_at, inbound_id=inbound_id)


def handle_ussd(
    *, organisation: Organisation, session_id: str, phone: str, service_code: str, text: str
) -> str:
    """The full Africa's Talking USSD response body, `CON <screen>` or `END <screen>`."""
    return do_handle_ussd(
        organisation, session_id=session_id, phone=phone, service_code=service_code, text=text
    )
