"""Short forms by SMS and USSD through the conversations handlers: one question per message/screen, in the
respondent's language; the last answer submits once."""

from __future__ import annotations

from django.utils import timezone

from sauti.conversations.actions import do_handle_sms, do_handle_ussd
from sauti.messaging.segments import segment_count
from sauti.questionnaires.models import AnswerCount, PhoneSurvey, Submission
from tests.conftest import World
from tests.questionnaires.helpers import imported

PHONE = "+254722000111"


def sms(world: World, text: str, inbound_id: int) -> list[str]:
    return do_handle_sms(
        organisation=world.umoja, phone=PHONE, text=text, received_at=timezone.now(), inbound_id=inbound_id
    )


def test_a_water_point_survey_by_sms_in_kiswahili(world: World) -> None:
    imported(world.umoja)
    first = sms(world, "maji", 1)
    assert first[0].startswith("1/6 Je, kituo cha maji kinafanya kazi?\n1. Inafanya kazi\n2. Kiasi")
    assert "Kisima" in sms(world, "3", 2)[0]  # not working -> source
    assert sms(world, "9", 3)[0].startswith(
        "Chagua namba kwenye orodha.\n2/6"
    )  # no 9th choice: asked again, with a note
    assert sms(world, "3", 3) == sms(world, "9", 3)  # the same inbound message again: same reply
    assert "Bei ya mtungi" in sms(world, "3", 4)[0]
    assert "Dakika" in sms(world, "50", 5)[0]
    assert "Imekatwa" in sms(world, "30", 6)[0]
    assert "Matatizo" in sms(world, "1", 7)[0]
    done = sms(world, "2 3", 8)
    assert done == ["Asante. Majibu yako ya Water-point survey yamepokelewa."]
    sub = Submission.objects.get()
    assert sub.channel == "sms" and sub.instance_id == "sms:1" and sub.language == "sw"
    assert sub.answers == {
        "working": "no",
        "source": "borehole",
        "price": 50,
        "queue_minutes": 30,
        "disconnected": "yes",
        "problems": ["meters", "cartels"],
    }
    assert sub.respondent is not None and sub.respondent.phone == PHONE  # encrypted in a Contact
    assert PHONE not in str(sub.answers)
    assert AnswerCount.objects.get(questionnaire=sub.questionnaire, question="working", value="no").n == 1
    # Every screen fits one SMS.
    for survey_text in first:
        assert segment_count(survey_text) == 1


def test_english_start_word_and_a_report_when_no_form_matches(world: World) -> None:
    imported(world.umoja)
    assert sms(world, "FORM MAJI", 10)[0].startswith("1/6 Is the water point working?")
    assert "Please send a number" not in sms(world, "1", 11)[0]
    PhoneSurvey.objects.update(expires_at=timezone.now())
    # The survey timed out: this is an ordinary report again (the conversations flow asks where).
    reply = sms(world, "Maji yamekatwa Mabatini siku tatu", 12)
    assert not reply or "1/6" not in reply[0]
    assert Submission.objects.count() == 0


def test_a_form_that_is_not_short_is_not_offered_by_sms(world: World) -> None:
    imported(world.umoja, short="no")
    assert "1/6" not in " ".join(sms(world, "MAJI", 20))


def ussd(world: World, session: str, text: str) -> str:
    return do_handle_ussd(
        organisation=world.umoja, session_id=session, phone=PHONE, service_code="*384#", text=text
    )


def test_a_water_point_survey_by_ussd(world: World) -> None:
    imported(world.umoja)
    assert "5. Tafiti" in ussd(world, "s1", "")
    menu = ussd(world, "s1", "5")
    assert menu.startswith("CON Tafiti\n1. Water-point survey")
    assert ussd(world, "s1", "5*1").startswith("CON 1/6 Je, kituo cha maji")
    steps = ["1", "2", "40", "10", "2", "4"]
    text = "5*1"
    for step in steps[:-1]:
        text += f"*{step}"
        assert ussd(world, "s1", text).startswith("CON ")
    text += f"*{steps[-1]}"
    assert ussd(world, "s1", text) == "END Asante. Majibu yako ya Water-point survey yamepokelewa."
    sub = Submission.objects.get()
    assert sub.channel == "ussd" and sub.answers["problems"] == ["none"] and sub.answers["price"] == 40
    # The gateway repeating the last request changes nothing.
    assert ussd(world, "s1", text).startswith("END ")
    assert Submission.objects.count() == 1


def test_ussd_surveys_without_short_forms_end_politely(world: World) -> None:
    ussd(world, "s2", "")
    assert ussd(world, "s2", "5") == "END Hakuna tafiti za kujibu sasa."
