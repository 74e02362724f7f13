"""SMS voting core: reply 1/2/3, STOP/ACHA, START; every outbound message fits one SMS segment."""

from __future__ import annotations

import pytest

from sauti.messaging.segments import segment_count
from sauti.opinions.actions import StatementText, do_add_statement, do_join
from sauti.opinions.models import Conversation, Participant, Vote
from sauti.opinions.sms import compose, reply_to


def sms_participant(conversation: Conversation, language: str = "en") -> Participant:
    return do_join(conversation, channel=Participant.Channel.SMS, language=language)


def test_first_message_welcomes_and_sends_the_first_statement(conversation: Conversation) -> None:
    p = sms_participant(conversation)
    out = reply_to(p, "hello")
    assert out == [
        "Welcome! Your answers are anonymous. 0. Piped water should reach every plot.\nReply 1 agree, 2 disagree, 3 pass. STOP to end."
    ]
    assert all(segment_count(m) == 1 for m in out)


def test_replies_record_votes_and_send_the_next_statement(conversation: Conversation) -> None:
    p = sms_participant(conversation)
    reply_to(p, "hi")
    assert reply_to(p, " 1 ")[0].startswith("1. Community police help security.")
    assert reply_to(p, "2.")[0].startswith("2. School fees should be reduced.")
    reply_to(p, "3")
    votes = list(Vote.objects.filter(participant=p).values_list("statement__number", "value"))
    assert votes == [(0, Vote.AGREE), (1, Vote.DISAGREE), (2, Vote.PASS)]


def test_unclear_reply_repeats_the_statement_with_help(conversation: Conversation) -> None:
    p = sms_participant(conversation)
    reply_to(p, "hi")
    out = reply_to(p, "yes please")
    assert out[0].startswith("Please reply with 1, 2 or 3. 0. Piped water")
    assert not Vote.objects.exists()


def test_stop_and_acha_stop_everything_until_start(conversation: Conversation) -> None:
    p = sms_participant(conversation, "sw")
    reply_to(p, "hi")
    for word in ("STOP", "acha"):
        out = reply_to(p, word)
        assert len(out) == 1 and segment_count(out[0]) == 1
        p.refresh_from_db()
        assert p.stopped
    assert reply_to(p, "1") == []  # nothing is sent, nothing recorded after STOP
    assert not Vote.objects.exists()
    out = reply_to(p, "anza")
    assert "Maji ya bomba yafike kila ploti." in out[0]  # the participant's language


def test_done_when_every_statement_is_voted(conversation: Conversation) -> None:
    p = sms_participant(conversation)
    reply_to(p, "hi")
    out: list[str] = []
    for _ in range(conversation.statements.count()):
        out = reply_to(p, "1")
    assert out[0].startswith("Thank you! You have voted on every statement.")
    p.refresh_from_db()
    assert p.pending_statement is None


def test_closed_conversation(conversation: Conversation) -> None:
    p = sms_participant(conversation)
    reply_to(p, "hi")
    Conversation.objects.filter(pk=conversation.pk).update(is_open=False)
    p.refresh_from_db()
    assert reply_to(p, "1") == ["This conversation is closed. Thank you for taking part."]


@pytest.mark.parametrize("length", [120, 200, 280])
def test_long_statements_are_split_into_numbered_parts_of_one_segment(length: int) -> None:
    text = ("Serikali ya kaunti ihakikishe kwamba maji safi yanafika kila nyumba " * 6)[:length]
    parts = compose(17, text)
    assert all(segment_count(p) == 1 for p in parts)
    if len(parts) > 1:
        assert [p.split(" ")[0] for p in parts] == [f"({i}/{len(parts)})" for i in range(1, len(parts) + 1)]
    assert parts[-1].endswith("Reply 1 agree, 2 disagree, 3 pass. STOP to end.")
    joined = " ".join(p.split(") ", 1)[1] if p.startswith("(") else p for p in parts)
    assert " ".join(text.split()) in joined.replace("\n", " ")


def test_non_gsm_statement_is_split_by_ucs2_segments() -> None:
    parts = compose(3, "Tunahitaji maji 💧 " * 8)
    assert len(parts) > 1 and all(segment_count(p) == 1 for p in parts)


def test_long_statement_through_reply(conversation: Conversation) -> None:
    s = do_add_statement(conversation, StatementText(en="Long " * 50), by_facilitator=True)
    p = sms_participant(conversation)
    out = reply_to(p, "hi")
    for _ in range(8):  # the eight seeds of the fixture come first
        out = reply_to(p, "1")
    assert out[0].startswith("(1/") and f"{s.number}. Long" in out[0]
    assert all(segment_count(m) == 1 for m in out)
