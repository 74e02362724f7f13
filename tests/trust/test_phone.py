"""Trust surveys answered by SMS and USSD (issue 18, item 3): sent to a programme's members who agreed to messages,
in their language, one statement per message or screen, stored anonymously once per phone and wave."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sauti.dialogues.reach import ensure_default_segments
from sauti.messaging.models import Channel, InboundMessage, OutboundMessage
from sauti.messaging.segments import measure
from sauti.trust import actions
from sauti.trust.models import PhoneSessionState, TrustPhoneSession, TrustResponse, TrustSurvey
from tests.dialogues.conftest import Dialogue

Post = Callable[..., Any]
MARY, AKINYI = "+254799000002", "+254799000001"
_ids = count(1)


@pytest.fixture
def post(django_capture_on_commit_callbacks: Any) -> Post:
    """POST as a provider does, running the on-commit processing as the worker would."""
    client = Client(enforce_csrf_checks=True)

    def _post(url: str, data: dict[str, str]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return _post


@pytest.fixture
def survey(dia: Dialogue) -> TrustSurvey:
    ensure_default_segments(dia.programme)
    return actions.do_create_trust_survey(dia.programme, dia.world.wanjiku, title="Trust in the police")


def sms(post: Post, text: str, phone: str = MARY, provider_id: str = "") -> list[str]:
    channel = Channel.objects.get()
    provider_id = provider_id or f"t{next(_ids)}"
    data = {
        "from": phone,
        "to": channel.address,
        "text": text,
        "date": "2026-12-01 08:00:00",
        "id": provider_id,
    }
    assert post(f"/messaging/hooks/dev/{channel.token}/incoming/", data).status_code == 200
    message = InboundMessage.objects.get(provider_id=provider_id)
    return [m.text for m in OutboundMessage.objects.filter(in_reply_to=message).order_by("pk")]


def test_a_coordinator_sends_it_to_members_who_agreed_in_their_language(
    dia: Dialogue, survey: TrustSurvey
) -> None:
    c = dia.world.client_for(dia.world.wanjiku)
    r = c.post(f"/trust/{survey.pk}/send/", {})
    assert r.status_code == 302
    assert "Sent by SMS to 3 people;" in c.get(r["Location"]).content.decode()
    # Juma (and the groups' other members) gave no consent: never asked. Akinyi reads Kiswahili, Mary English; two messages each.
    sent = OutboundMessage.objects.filter(purpose=f"trust:{survey.pk}").order_by("pk")
    assert sent.count() == 6
    by_phone: dict[str, list[str]] = {}
    for m in sent:
        by_phone.setdefault(m.phone, []).append(m.text)
    assert by_phone[MARY][1].startswith("1/4 I would report a crime")
    assert by_phone[AKINYI][1].startswith("1/4 Ningeripoti uhalifu")
    for texts in by_phone.values():
        assert all(measure(t).encoding == "GSM-7" for t in texts)
    sessions = TrustPhoneSession.objects.all()
    assert sessions.count() == 3
    assert not any(MARY in s.respondent or "0799" in s.respondent for s in sessions)  # a keyed hash only
    # Sent again: nobody is asked twice in the wave.
    r = c.post(f"/trust/{survey.pk}/send/", {})
    assert "Sent by SMS to 0 people;" in c.get(r["Location"]).content.decode()
    assert OutboundMessage.objects.filter(purpose=f"trust:{survey.pk}").count() == 6
    # Only those who manage the programme send; a bad segment is a 400.
    assert dia.world.client_for(dia.world.otieno).post(f"/trust/{survey.pk}/send/", {}).status_code == 403
    assert c.post(f"/trust/{survey.pk}/send/", {"segment": "martians"}).status_code == 400


def test_sms_answers_one_per_message_are_stored_anonymously_once(
    dia: Dialogue, survey: TrustSurvey, post: Post
) -> None:
    actions.do_send_trust_survey(survey, dia.world.wanjiku)
    assert sms(post, "3")[0].startswith("2/4 The police treat young people here fairly.")
    replies = sms(post, "4")
    assert replies[0].startswith("3/4 ")  # "3" answered statement 1 above, "4" statement 2
    assert sms(post, "9")[0].startswith("Please reply with one number from 1 to 5.\n3/4 ")
    again = sms(post, "5", provider_id="same")
    assert again[0].startswith("4/4 ")
    assert sms(post, "5", provider_id="same") == again  # the same message handled twice: nothing new
    assert sms(post, "2") == ["Thank you! Your answers are counted anonymously."]
    response = TrustResponse.objects.get()
    assert response.channel == "sms" and response.segment == "" and response.respondent
    assert sorted(response.answers.values_list("score", flat=True)) == [2, 3, 4, 5]
    assert TrustPhoneSession.objects.get(respondent=response.respondent).state == PhoneSessionState.DONE
    assert TrustPhoneSession.objects.get(respondent=response.respondent).scores == {}
    # After the survey a bare number is no answer any more: nothing new is stored.
    sms(post, "4")
    assert TrustResponse.objects.count() == 1
    # The answers count in the survey's results like any other.
    page = dia.world.client_for(dia.world.wanjiku).get(f"/trust/{survey.pk}/").content.decode()
    assert "n=1" in page


def test_ussd_asks_the_survey_sent_to_the_phone_one_screen_per_statement(
    dia: Dialogue, survey: TrustSurvey, post: Post
) -> None:
    actions.do_send_trust_survey(survey, dia.world.wanjiku)
    channel = Channel.objects.get()
    inputs: list[str] = []

    def dial(entry: str | None) -> str:
        if entry is not None:
            inputs.append(entry)
        data = {"sessionId": "ATUid_trust_1", "serviceCode": "*384*1#", "phoneNumber": AKINYI,
                "networkCode": "63902", "text": "*".join(inputs)}  # fmt: skip
        body: str = post(f"/messaging/hooks/dev/{channel.token}/ussd/", data).content.decode()
        shown = measure(body.removeprefix("CON ").removeprefix("END "), normalise=False)
        assert shown.encoding == "GSM-7" and shown.units <= 160, body
        return body

    assert "8. " in dial(None)
    first = dial("8")
    assert first.startswith("CON 1/4 Ningeripoti uhalifu")  # Akinyi's language
    assert dial("8").startswith("CON ")  # not 1-5: asked again
    for entry in ("4", "4", "5"):
        assert dial(entry).startswith("CON ")
    done = dial("3")
    assert done.startswith("END ")
    response = TrustResponse.objects.get()
    assert response.channel == "ussd"
    assert sorted(response.answers.values_list("score", flat=True)) == [3, 4, 4, 5]
    assert not TrustPhoneSession.objects.filter(
        state=PhoneSessionState.ASKING, respondent=response.respondent
    )
    # A second call in the same wave is refused.
    inputs.clear()
    data = {"sessionId": "ATUid_trust_2", "serviceCode": "*384*1#", "phoneNumber": AKINYI,
            "networkCode": "63902", "text": "8"}  # fmt: skip
    second = post(f"/messaging/hooks/dev/{channel.token}/ussd/", data).content.decode()
    assert second.startswith("END ") and TrustResponse.objects.count() == 1


def test_sending_to_a_segment_reaches_the_members_a_sign_in_sheet_put_in_it(
    dia: Dialogue, survey: TrustSurvey
) -> None:
    c = dia.world.client_for(dia.world.wanjiku)
    sheet = "Name,Phone,Sex,Age,Segment\nMary,0799 000 002,F,36-59,Women\nAkinyi,0799000001,F,25-35,Youth\n"
    r = c.post(
        f"/dialogues/meetings/{dia.held.pk}/attendance/import/",
        {"sheet": SimpleUploadedFile("s.csv", sheet.encode(), content_type="text/csv")},
    )
    assert r.status_code == 200
    result = actions.do_send_trust_survey(survey, dia.world.wanjiku, segment="women")
    assert result == {"sent": 1, "skipped": 0}
    session = TrustPhoneSession.objects.get()
    assert session.segment == "women" and session.language == "en"
