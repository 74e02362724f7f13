"""The one seam through which this app sends SMS.

Until the messaging outbox (`messaging.actions.do_queue_sms`) is merged, the intended message is recorded
as a `Notification` with status "pending-transport"; after the merge this body calls the outbox instead.
"""

from __future__ import annotations

from sauti.dialogues.models import Notification
from sauti.people.models import Consent, Contact, Organisation


def may_message(contact: Contact) -> bool:
    """The latest messaging consent decision is in force; without one, no unsolicited SMS."""
    latest = (
        Consent.objects.filter(contact=contact, purpose="messaging").order_by("-recorded_at", "-pk").first()
    )
    return latest is not None and latest.granted


def send_sms(organisation: Organisation, contact: Contact, text: str, purpose: str) -> bool:
    """Replies (purpose ending in "-reply") answer a message the person sent; anything else needs consent."""
    if not purpose.endswith("-reply") and not may_message(contact):
        return False
    Notification.objects.create(organisation=organisation, contact=contact, text=text, purpose=purpose)
    return True
