"""The one seam through which this app sends SMS: the messaging outbox.

A `Notification` row records what was asked of whom (so `inbound.awaiting` knows which answer a reply is),
and points at the queued `OutboundMessage`. Nothing is recorded when the outbox refuses the message
(opted out, consent withdrawn or never given for unsolicited messages, no phone, no active channel).
"""

from __future__ import annotations

from sauti.dialogues.models import Notification
from sauti.messaging.actions import do_queue_sms, has_messaging_consent
from sauti.people.models import Contact, Organisation


def may_message(contact: Contact) -> bool:
    """The latest messaging consent decision is in force; without one, no unsolicited SMS."""
    return has_messaging_consent(contact)


def send_sms(organisation: Organisation, contact: Contact, text: str, purpose: str) -> bool:
    """Replies (purpose ending in "-reply") answer a message the person sent; anything else needs consent."""
    queued = do_queue_sms(
        organisation,
        to_contact=contact,
        text=text,
        purpose=purpose[:40],
        require_consent=not purpose.endswith("-reply"),
    )
    if queued is None:
        return False
    Notification.objects.create(
        organisation=organisation, contact=contact, text=text, purpose=purpose, status="queued"
    )
    return True
