"""Demo SMS conversations: four finished through the questions (SMS reports; one answers the category
question), one still waiting for the ward. The demo network works in Kiambu only, so the flow asks the
ward in Kiambu, never the county."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from sauti.conversations.actions import do_handle_sms
from sauti.conversations.models import SmsConversation
from sauti.people.models import Organisation

# (phone in the demo block, messages in order); inbound ids are negative so they never meet real ones.
DEMO_CONVERSATIONS = [
    ("+254799100001", ["Hakuna maji kwetu wiki nzima, watoto wanakunywa maji ya mto", "Githiga", "karibu na ofisi ya chifu"]),
    ("+254799100002", ["Garbage has not been collected on our street for a month"]),
    ("+254799100003", ["Kioski ya maji imefungwa tena, tunanunua maji kwa bei ghali", "Ndenderu", "soko"]),
    ("+254799100004", ["Street light broken near the school, girls walk in the dark", "public projects", "Kalimoni", "shule ya msingi"]),
    ("+254799100005", ["Mjane amefukuzwa kwenye shamba la mume wake", "Kinoo", "kanisa"]),
]  # fmt: skip


def build_demo_conversations(log: Callable[[str], object] = print) -> None:
    org = Organisation.objects.filter(slug="umoja-demo").first()
    if org is None or SmsConversation.objects.filter(organisation=org).exists():
        return
    log("SMS conversations …")
    inbound = -1000
    for phone, texts in DEMO_CONVERSATIONS:
        for text in texts:
            inbound -= 1
            do_handle_sms(org, phone=phone, text=text, received_at=timezone.now(), inbound_id=inbound)
