"""A person's identity erased from SMS (people.erasure; registered in MessagingConfig.ready): neither the
number nor its hash stays on a message to or from them, and what they wrote loses their name and number."""

from __future__ import annotations

from sauti.messaging.models import InboundMessage, OutboundMessage
from sauti.people.erasure import Erasure


def erase_identity(e: Erasure) -> None:
    inbound = InboundMessage.objects.filter(organisation_id=e.org_id, phone_hash=e.phash) if e.phash else []
    outbound = OutboundMessage.objects.filter(organisation_id=e.org_id, contact=e.contact)
    if e.phash:
        outbound = outbound | OutboundMessage.objects.filter(organisation_id=e.org_id, phone_hash=e.phash)
    messages: list[InboundMessage | OutboundMessage] = [*inbound, *outbound.distinct()]
    for message in messages:
        message.phone_ciphertext, message.phone_hash = "", ""
        message.text = e.own.text(message.text)
        message.save(update_fields=["phone_ciphertext", "phone_hash", "text"])
        e.done.messages += 1
