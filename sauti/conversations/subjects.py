"""A person's identity erased from SMS conversations and USSD sessions (people.erasure; registered in
ConversationsConfig.ready): no lookup hash stays, and the conversation logs lose their name and number."""

from __future__ import annotations

from sauti.conversations.models import SmsConversation, UssdSession
from sauti.people.erasure import Erasure


def erase_identity(e: Erasure) -> None:
    conversations = SmsConversation.objects.filter(organisation_id=e.org_id, contact=e.contact)
    if e.phash:
        conversations = conversations | SmsConversation.objects.filter(
            organisation_id=e.org_id, phone_hash=e.phash
        )
    for conv in conversations.distinct():
        conv.phone_hash = ""
        conv.state, conv.log, conv.last_replies = (
            e.own.json(conv.state),
            e.own.json(conv.log),
            e.own.json(conv.last_replies),
        )
        conv.save(update_fields=["phone_hash", "state", "log", "last_replies"])
        e.done.conversations += 1
    if e.phash:
        UssdSession.objects.filter(organisation_id=e.org_id, phone_hash=e.phash).update(
            phone_hash="", state={}
        )
