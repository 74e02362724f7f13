"""Opinion conversations attached to a dialogue programme and meeting: chosen on the form (the
organisation's own only), shown and linked on the conversation, the report and the programme page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.html import escape

from sauti.dialogues import actions
from sauti.opinions.models import Conversation
from tests.dialogues.conftest import Dialogue


def _new(d: Dialogue, **fields: str) -> tuple[int, str]:
    data = {"organisation": "umoja", "title": "Maji Mathare", **fields}
    response = d.world.client_for(d.world.wanjiku).post("/opinions/new/", data)
    return response.status_code, response.content.decode()


def test_the_form_offers_the_organisations_programmes_and_meetings(dia: Dialogue) -> None:
    page = dia.world.client_for(dia.world.wanjiku).get("/opinions/new/").content.decode()
    assert f'<option value="{dia.programme.pk}">' in page and escape(dia.programme.title) in page
    assert f'<option value="{dia.held.pk}">' in page


def test_a_conversation_linked_to_a_meeting_shows_both_ways(dia: Dialogue) -> None:
    status, _ = _new(dia, programme=str(dia.programme.pk), meeting=str(dia.held.pk))
    assert status == 302
    conversation = Conversation.objects.get()
    assert (conversation.programme, conversation.meeting) == (dia.programme, dia.held)
    client = dia.world.client_for(dia.world.wanjiku)
    for url in (f"/opinions/{conversation.pk}/", f"/opinions/{conversation.pk}/report/"):
        page = client.get(url).content.decode()
        assert f'href="/dialogues/{dia.programme.pk}/"' in page, url
        assert f'href="/dialogues/meetings/{dia.held.pk}/"' in page, url
    page = client.get(f"/dialogues/{dia.programme.pk}/").content.decode()
    assert f'href="/opinions/{conversation.pk}/report/"' in page and "Maji Mathare" in page


def test_a_meeting_alone_brings_its_programme(dia: Dialogue) -> None:
    assert _new(dia, meeting=str(dia.held.pk))[0] == 302
    assert Conversation.objects.get().programme == dia.programme


def test_the_programme_page_lists_only_its_conversations(dia: Dialogue) -> None:
    _new(dia, programme=str(dia.programme.pk))
    _new(dia, title="Not linked")
    page = dia.world.client_for(dia.world.wanjiku).get(f"/dialogues/{dia.programme.pk}/").content.decode()
    assert "Maji Mathare" in page and "Not linked" not in page


def test_another_organisations_programme_or_meeting_is_a_400(dia: Dialogue) -> None:
    w = dia.world
    today = timezone.localdate()
    theirs = actions.do_create_programme(
        w.haki, w.bob, title="Haki programme", starts_on=today, ends_on=today + dt.timedelta(days=30)
    )
    their_meeting = actions.do_schedule_meeting(
        theirs, w.bob, kind="preparatory", title="Haki meeting",
        starts_at=timezone.now() + dt.timedelta(days=2), ends_at=timezone.now() + dt.timedelta(days=2, hours=2),
    )  # fmt: skip
    page = w.client_for(w.wanjiku).get("/opinions/new/").content.decode()
    assert "Haki programme" not in page and "Haki meeting" not in page
    status, body = _new(dia, programme=str(theirs.pk))
    assert status == 400 and "Choose a programme of the same organisation." in body
    status, body = _new(dia, meeting=str(their_meeting.pk))
    assert status == 400 and "Choose a programme of the same organisation." in body
    status, body = _new(dia, programme=str(dia.programme.pk), meeting=str(their_meeting.pk))
    assert status == 400 and "That meeting is not part of the chosen programme." in body
    assert not Conversation.objects.exists()


def test_unknown_or_garbage_ids_are_a_400(dia: Dialogue) -> None:
    for fields in ({"programme": "999999"}, {"programme": "abc"}, {"meeting": "-1"}, {"meeting": "9" * 30}):
        status, body = _new(dia, **fields)
        assert status == 400 and "That programme or meeting does not exist." in body, fields
    assert not Conversation.objects.exists()


def test_deleting_the_meeting_keeps_the_conversation(dia: Dialogue) -> None:
    _new(dia, programme=str(dia.programme.pk), meeting=str(dia.held.pk))
    dia.held.delete()
    conversation = Conversation.objects.get()
    assert conversation.meeting is None and conversation.programme == dia.programme


def test_an_official_sees_the_programme_on_the_report_without_a_link(dia: Dialogue) -> None:
    _new(dia, programme=str(dia.programme.pk))
    conversation = Conversation.objects.get()
    response = dia.world.client_for(dia.world.chief).get(f"/opinions/{conversation.pk}/report/")
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(dia.programme.title) in page and f'href="/dialogues/{dia.programme.pk}/"' not in page
    assert dia.world.client_for(dia.world.chief).get(f"/dialogues/{dia.programme.pk}/").status_code == 404
