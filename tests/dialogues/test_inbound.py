"""Incoming SMS reach the question they answer; anything else is left to the messaging layer."""

from __future__ import annotations

from django.utils import timezone

from sauti.dialogues import actions
from sauti.dialogues.inbound import awaiting, handle_reply
from sauti.dialogues.models import Notification, VerificationAnswer
from tests.dialogues.conftest import Dialogue, open_round


def test_a_reply_goes_to_the_open_ballot_then_to_the_survey_sent_after_it(dia: Dialogue) -> None:
    akinyi, juma = dia.members[0], dia.members[2]
    assert handle_reply(akinyi, "1 2") is False  # nothing asked yet
    rnd = open_round(dia)
    actions.do_send_ballot_sms(rnd, dia.world.wanjiku)
    assert awaiting(akinyi) == rnd
    assert awaiting(juma) is None  # no consent, so never asked
    assert handle_reply(akinyi, "2 1") is True
    assert rnd.ballots.get().voter_key == f"contact:{akinyi.pk}"
    assert handle_reply(akinyi, "1") is False  # voted already: not awaited any more
    c = actions.do_record_commitment(
        dia.priorities[0], dia.world.wanjiku, office=dia.office, official_name="Chief", what="Pipe",
        due_on=timezone.localdate(),
    )  # fmt: skip
    s = actions.do_start_verification(
        c, dia.world.wanjiku, question_en="Water?", question_sw="Maji?", contacts=[akinyi]
    )
    assert awaiting(akinyi) == s
    assert handle_reply(akinyi, "ndiyo") is True
    assert VerificationAnswer.objects.get().answer == "yes"
    assert handle_reply(akinyi, "Nyumba zimebomolewa usiku") is False


def test_a_bad_ballot_is_explained_and_a_report_is_left_to_the_messaging_layer(dia: Dialogue) -> None:
    akinyi = dia.members[0]
    rnd = open_round(dia)
    actions.do_send_ballot_sms(rnd, dia.world.wanjiku)
    assert handle_reply(akinyi, "kura 9, 1") is True
    assert not rnd.ballots.exists()  # no priority 9: explained, nothing counted
    reply = Notification.objects.filter(contact=akinyi, purpose="consensus-reply").get()
    assert "haimo kwenye orodha" in reply.text  # in Akinyi's language
    assert handle_reply(akinyi, "Maji yamekatwa tena Mathare 4A") is False
    assert handle_reply(akinyi, "Nyumba zimebomolewa usiku") is False
    assert awaiting(akinyi) == rnd  # may try again
