"""An SMS that answers something Sauti asked (an opinion statement) reaches that app, through the real
webhook; anything else is still a report."""

from __future__ import annotations

from sauti.messaging.models import Channel, OutboundMessage
from sauti.monitoring.models import Report
from sauti.opinions.actions import StatementText, do_add_statement, do_create_conversation
from sauti.opinions.models import Participant, Vote
from sauti.people.actions import contacts_with_phone, do_record_consent
from sauti.people.models import Contact, Organisation
from tests.conftest import World
from tests.messaging.test_processing import Post, replies, sms

NJERI = "+254712000001"  # a member of the Mathare group, Kiswahili speaker


def find_contact(org: Organisation, phone: str) -> Contact | None:
    """The persona's record of this number (group members are their group's records: Contact.scope)."""
    return next(iter(contacts_with_phone(org, phone)), None)


def test_a_group_invited_to_an_opinion_map_votes_by_sms(
    world: World, dev_channel: Channel, post: Post
) -> None:
    njeri = find_contact(world.umoja, NJERI)
    assert njeri is not None
    do_record_consent(njeri, "messaging", True, "paper", None)
    conversation = do_create_conversation(world.umoja, world.wanjiku, title="Usalama Mathare")
    for sw in ("Taa za barabarani ziwekwe.", "Polisi wafanye doria usiku."):
        do_add_statement(conversation, StatementText(sw=sw), by_facilitator=True)
    client = world.client_for(world.wanjiku)
    response = client.post(
        f"/opinions/{conversation.pk}/invite-sms/", {"group": world.mathare_group.pk}, follow=True
    )
    assert response.status_code == 200
    first = OutboundMessage.objects.filter(purpose="opinion-statement").get()
    assert "Taa za barabarani" in first.text and segments_ok(first.text)
    participant = Participant.objects.get(conversation=conversation, channel="sms")

    answer = sms(dev_channel, post, "1", "a1", phone=NJERI)
    assert Vote.objects.get(participant=participant).value == Vote.AGREE
    (next_one,) = replies(answer)
    assert "Polisi wafanye doria" in next_one
    # A longer text from the same person is a report, not a vote.
    sms(dev_channel, post, "Maji yamekatwa Mathare 4A tangu jana", "a2", phone=NJERI)
    assert Report.objects.count() == 1 and Vote.objects.count() == 1
    # Inviting again does not duplicate the participant.
    client.post(f"/opinions/{conversation.pk}/invite-sms/", {"group": world.mathare_group.pk})
    assert Participant.objects.filter(conversation=conversation, channel="sms").count() == 1


def test_inviting_an_unknown_group_is_a_clear_400(world: World, dev_channel: Channel) -> None:
    conversation = do_create_conversation(world.umoja, world.wanjiku, title="T")
    response = world.client_for(world.wanjiku).post(
        f"/opinions/{conversation.pk}/invite-sms/", {"group": "x"}
    )
    assert response.status_code == 400 and "groups" in response.content.decode()


def segments_ok(text: str) -> bool:
    from sauti.messaging.segments import segment_count

    return segment_count(text) == 1


def test_matokeo_after_the_vote_closed_gets_the_results_summary(
    world: World, dev_channel: Channel, post: Post
) -> None:
    njeri = find_contact(world.umoja, NJERI)
    assert njeri is not None
    do_record_consent(njeri, "messaging", True, "paper", None)
    conversation = do_create_conversation(world.umoja, world.wanjiku, title="Usalama Mathare")
    do_add_statement(conversation, StatementText(sw="Taa za barabarani ziwekwe."), by_facilitator=True)
    world.client_for(world.wanjiku).post(
        f"/opinions/{conversation.pk}/invite-sms/", {"group": world.mathare_group.pk}
    )
    conversation.is_open = False
    conversation.save()
    (answer,) = replies(sms(dev_channel, post, "matokeo", "m1", phone=NJERI))
    assert answer.startswith("Bado hakuna kura za kutosha")  # closed, results open, too few votes yet
    assert Report.objects.count() == 0
