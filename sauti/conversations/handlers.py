"""The two entry points the messaging transport calls (settings SAUTI_SMS_HANDLER / SAUTI_USSD_HANDLER)."""

from __future__ import annotations

from datetime import datetime

from sauti.conversations.actions import do_handle_sms, do_handle_ussd
from sauti.people.models import Organisation


def handle_sms(
    *, organisation: Organisation, phone: str, text: str, received_at: datetime, inbound_id: int
) -> list[str]:
    """Advance the sender's conversation; the reply texts to send, in the sender's language."""
    return do_handle_sms(organisation, phone=phone, text=text, received_at=received_at, inbound_id=inbound_id)


def handle_ussd(
    *, organisation: Organisation, session_id: str, phone: str, service_code: str, text: str
) -> str:
    """The full Africa's Talking USSD response body, `CON <screen>` or `END <screen>`."""
    return do_handle_ussd(
        organisation, session_id=session_id, phone=phone, service_code=service_code, text=text
    )
