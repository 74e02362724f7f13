"""Issue 15: verification answers by USSD ("7. Answer") and on the web (a link of one's own), counted by the
one result rule beside SMS answers: each person once, the first answer counts."""

from __future__ import annotations

import re
from itertools import count

from django.test import Client
from django.utils import timezone

from sauti.conversations.actions import do_handle_ussd
from sauti.dialogues import actions
from sauti.dialogues.inbound import handle_reply
from sauti.dialogues.models import Notification, VerificationAnswer, VerificationLink, VerificationSurvey
from tests.dialogues.conftest import Dialogue

_sessions = count(1)


def _survey(dia: Dialogue) -> VerificationSurvey:
    c = actions.do_record_commitment(
        dia.priorities[0], dia.world.wanjiku, office=dia.office, official_name="Chief", what="Pipe",
        due_on=timezone.localdate(),
    )  # fmt: skip
    return actions.do_start_verification(
        c, dia.world.wanjiku, question_en="Is water back?", question_sw="Maji yamerudi?",
        contacts=dia.members[:2],
    )  # fmt: skip


def _link(dia: Dialogue, index: int) -> str:
    text = (
        Notification.objects.filter(contact=dia.members[index], purpose__startswith="verification:")
        .get()
        .text
    )
    found = re.search(r"(/dialogues/answer/[\w-]+/)", text)
    assert found is not None, text
    return found.group(1)


def test_each_person_answers_on_the_web_with_their_own_link_once(dia: Dialogue) -> None:
    survey = _survey(dia)
    akinyi_link = _link(dia, 0)
    assert akinyi_link != _link(dia, 1)
    assert VerificationLink.objects.count() == 2
    assert akinyi_link.split("/")[-2] not in VerificationLink.objects.values_list("token_hash", flat=True)[0]
    client = Client()
    page = client.get(akinyi_link)
    assert page.status_code == 200 and "Is water back?" in page.content.decode()
    assert client.post(akinyi_link, {"answer": "maybe"}).status_code == 400
    assert client.post(akinyi_link, {"answer": "no"}).status_code == 200
    row = VerificationAnswer.objects.get()
    assert (row.contact, row.answer, row.channel) == (dia.members[0], "no", "web")
    # Answered: the page says so, a second answer and an SMS answer are not counted again.
    assert "already recorded" in client.get(akinyi_link).content.decode()
    client.post(akinyi_link, {"answer": "yes"})
    assert handle_reply(dia.members[0], "ndiyo") is False  # no longer awaited: read as a new message
    assert list(survey.answers.values_list("answer", flat=True)) == ["no"]
    assert client.get("/dialogues/answer/not-a-token/").status_code == 404


def _dial(dia: Dialogue, phone: str, *entries: str) -> str:
    session, inputs, body = f"ATUid_v{next(_sessions)}", [], ""
    body = do_handle_ussd(dia.world.umoja, session_id=session, phone=phone, service_code="*384#", text="")
    for entry in entries:
        inputs.append(entry)
        body = do_handle_ussd(
            dia.world.umoja, session_id=session, phone=phone, service_code="*384#", text="*".join(inputs)
        )
    return body


def test_a_member_answers_by_ussd_and_is_counted_once(dia: Dialogue) -> None:
    survey = _survey(dia)
    phone = dia.members[0].phone  # Akinyi, who speaks Kiswahili
    assert "\n6. Hali ya mradi\n7. Jibu" in _dial(dia, phone)
    screen = _dial(dia, phone, "7")
    assert screen.startswith("CON Maji yamerudi?\n1. Ndiyo\n2. Hapana\n3. ") and len(screen) <= 164
    assert _dial(dia, phone, "7", "5").startswith("CON Maji yamerudi?\nChagua 1, 2 au 3.")
    assert _dial(dia, phone, "7", "1") == "END Asante kwa jibu lako."
    row = VerificationAnswer.objects.get()
    assert (row.contact, row.answer, row.channel, row.survey) == (dia.members[0], "yes", "ussd", survey)
    assert _dial(dia, phone, "7") == "END Hakuna swali linalongoja jibu lako."
    assert handle_reply(dia.members[0], "2") is False  # answered by USSD: an SMS "2" is not counted again
    assert survey.answers.count() == 1
