"""Bad input to every dialogues form answers 400 with the reason, in the user's language; never a 500.

Ids that are not numbers, dates that do not exist (30 February) and numbers too big for the database
used to reach the database and fail there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from django.test import Client
from django.utils import timezone

from sauti.dialogues import actions
from sauti.dialogues.models import (
    Breakout,
    Commitment,
    ConsensusRound,
    FollowUpAction,
    Invitation,
    Meeting,
    Programme,
    Response,
    VerificationSurvey,
)
from tests.dialogues.conftest import Dialogue, future, open_round, past

HUGE = "99999999999999999999999"


@dataclass
class Scene:
    dia: Dialogue
    programme: Programme
    held: Meeting
    rnd: ConsensusRound
    response: Response
    commitment: Commitment
    survey: VerificationSurvey
    breakout: Breakout
    follow_up: FollowUpAction
    invitation: Invitation  # sent to the chief's office, with a meeting
    coordinator: Client
    chief: Client


@pytest.fixture
def scene(dia: Dialogue) -> Scene:
    w = dia.world
    rnd = open_round(dia)
    held = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="Dialogue with the chief",
        starts_at=past(30),
        ends_at=past(29),
        already_held=True,
    )
    response = actions.do_record_response(
        held, w.wanjiku, priority=dia.priorities[0], office=dia.office, official_name="Chief", text="Yes"
    )
    commitment = actions.do_record_commitment(
        dia.priorities[0],
        w.wanjiku,
        office=dia.office,
        official_name="Chief",
        what="Repair the kiosk",
        due_on=timezone.localdate() + dt.timedelta(days=10),
        response=response,
    )
    survey = actions.do_start_verification(
        commitment, w.wanjiku, question_en="Fixed?", question_sw="Imerekebishwa?", contacts=[dia.members[0]]
    )
    breakout = actions.do_form_breakouts(held, w.wanjiku, count=2, composition="mixed")[0]
    follow_up = actions.do_add_follow_up(
        dia.programme,
        w.wanjiku,
        what="Write to the MCA",
        owner="Akinyi",
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    # An invitation for the chief needs a frozen round.
    frozen = open_round(dia)
    actions.do_record_dots(frozen, w.wanjiku, group=w.mathare_group, voters=2, dots={dia.priorities[0].pk: 2})
    actions.do_close_round(frozen, w.wanjiku)
    actions.do_freeze_round(frozen, w.wanjiku)
    later = actions.do_schedule_meeting(
        dia.programme, w.wanjiku, kind="dialogue", title="Dialogue", starts_at=future(3), ends_at=future(4)
    )
    invitation = actions.do_draft_invitation(
        frozen, w.wanjiku, office=dia.office, official_name="Chief", language="en", meeting=later
    )
    actions.do_advance_invitation(invitation, w.wanjiku)
    return Scene(
        dia,
        dia.programme,
        held,
        rnd,
        response,
        commitment,
        survey,
        breakout,
        follow_up,
        invitation,
        w.client_for(w.wanjiku),
        w.client_for(w.chief),
    )


Case = tuple[str, Callable[[Scene], str], Callable[[Scene], dict[str, object]], str]

# (who posts, the url, the form, a piece of the reason)
CASES: list[Case] = [
    (
        "coordinator",
        lambda s: "/dialogues/",
        lambda s: {
            "organisation": s.programme.organisation_id,
            "title": "New",
            "starts_on": "2030-01-01",
            "ends_on": "2030-02-01",
            "groups": ["x"],
        },
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: "/dialogues/",
        lambda s: {
            "organisation": s.programme.organisation_id,
            "title": "New",
            "starts_on": "2030-01-01",
            "ends_on": "2030-02-01",
            "offices": ["1; drop"],
        },
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: "/dialogues/",
        lambda s: {
            "organisation": s.programme.organisation_id,
            "title": "New",
            "starts_on": "2030-02-30",
            "ends_on": "2030-03-01",
        },
        "is not a date",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/priorities/new/",
        lambda s: {"title": "T", "group": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/priorities/new/",
        lambda s: {"title": "T", "meeting": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/priorities/new/",
        lambda s: {"title": "T", "cases": ["x"]},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/priorities/merge/",
        lambda s: {"keep": "x"},
        "Choose the priority to keep",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/priorities/merge/",
        lambda s: {"keep": s.dia.priorities[0].pk, "merge": ["x"]},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/rounds/new/",
        lambda s: {"title": "R", "priorities": ["x"]},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/rounds/new/",
        lambda s: {"title": "R", "meeting": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/rounds/new/",
        lambda s: {"title": "R", "dots_per_person": "x"},
        "whole number",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/meetings/{s.held.pk}/record/",
        lambda s: {"offices_present": ["x"]},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/meetings/{s.held.pk}/attendance/",
        lambda s: {"contacts": ["x"]},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/meetings/{s.held.pk}/attendance/",
        lambda s: {"walk_in_count": "1", "walk_in_group": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/meetings/{s.held.pk}/attendance/",
        lambda s: {"walk_in_count": HUGE},
        "up to 500",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/meetings/{s.held.pk}/responses/new/",
        lambda s: {"priority": "x", "office": "x"},
        "Choose the priority and the office",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/meetings/{s.held.pk}/responses/new/",
        lambda s: {"priority": HUGE, "office": HUGE},
        "Choose the priority and the office",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/responses/{s.response.pk}/commitments/new/",
        lambda s: {"what": "W", "owner": "Me", "due_on": "2030-02-30"},
        "is not a date",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/responses/{s.response.pk}/rate/",
        lambda s: {"group": s.dia.world.mathare_group.pk, "rating": "3", "breakout": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/responses/{s.response.pk}/rate/",
        lambda s: {"group": "x", "rating": "3"},
        "whole number",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/rounds/{s.rnd.pk}/dots/",
        lambda s: {"group": "x", "voters": "3"},
        "Choose the group whose dots you counted",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/rounds/{s.rnd.pk}/vote/",
        lambda s: {f"rank_{s.dia.priorities[0].pk}": "1", "group": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/rounds/{s.rnd.pk}/vote/",
        lambda s: {f"rank_{s.dia.priorities[0].pk}": "first"},
        "whole number",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/rounds/{s.rnd.pk}/sms/",
        lambda s: {"contact": "x", "text": "1"},
        "Choose who sent the SMS",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/rounds/{s.rnd.pk}/invitations/new/",
        lambda s: {"office": "x"},
        "Choose the office you are inviting",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/rounds/{s.rnd.pk}/invitations/new/",
        lambda s: {"office": s.dia.office.pk, "meeting": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/rounds/{s.rnd.pk}/petition/",
        lambda s: {"office": "x"},
        "Choose the office you are addressing",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/invitations/{s.invitation.pk}/advance/",
        lambda s: {"agreed_date": "2030-02-30"},
        "is not a date",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/commitments/{s.commitment.pk}/update/",
        lambda s: {"status": "in_progress", "progress": "half"},
        "whole number",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/commitments/{s.commitment.pk}/verify/",
        lambda s: {"question_en": "Q", "question_sw": "S", "contacts": ["x"]},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/surveys/{s.survey.pk}/reply/",
        lambda s: {"contact": "x", "text": "yes"},
        "Choose who sent the SMS",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/commitments/{s.commitment.pk}/hands/",
        lambda s: {"meeting": "x"},
        "Choose the meeting where hands were counted",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/commitments/{s.commitment.pk}/hands/",
        lambda s: {"meeting": s.held.pk, "yes": "many"},
        "whole number",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/meetings/{s.held.pk}/hands/",
        lambda s: {"commitment": "x"},
        "Choose the commitment the hands were counted for",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/follow-ups/new/",
        lambda s: {"what": "W", "owner": "Me", "owner_group": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/follow-ups/new/",
        lambda s: {"what": "W", "owner": "Me", "owner_contact": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/follow-ups/new/",
        lambda s: {"what": "W", "owner": "Me", "meeting": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/follow-ups/new/",
        lambda s: {"what": "W", "owner": "Me", "priority": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/follow-ups/new/",
        lambda s: {"what": "W", "owner": "Me", "commitment": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/{s.programme.pk}/follow-ups/new/",
        lambda s: {"what": "W", "owner": "Me", "due_on": "2030-02-30"},
        "is not a date",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/meetings/{s.held.pk}/breakouts/new/",
        lambda s: {"count": "two", "composition": "mixed"},
        "whole number",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/breakouts/{s.breakout.pk}/",
        lambda s: {"members": ["x"]},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/breakouts/{s.breakout.pk}/",
        lambda s: {"groups": ["x"]},
        "not on the list",
    ),
    ("coordinator", lambda s: f"/dialogues/breakouts/{s.breakout.pk}/", lambda s: {"walk_ins": HUGE}, ""),
    (
        "coordinator",
        lambda s: f"/dialogues/breakouts/{s.breakout.pk}/adopt/",
        lambda s: {"what": "W", "owner": "Me", "owner_group": "x"},
        "not on the list",
    ),
    (
        "coordinator",
        lambda s: f"/dialogues/breakouts/{s.breakout.pk}/adopt/",
        lambda s: {"what": "W", "owner": "Me", "priority": "x"},
        "not on the list",
    ),
    (
        "chief",
        lambda s: f"/dialogues/invitations/{s.invitation.pk}/reply/",
        lambda s: {"answer": "propose", "proposed_date": "2030-02-30"},
        "is not a date",
    ),
    (
        "chief",
        lambda s: f"/dialogues/invitations/{s.invitation.pk}/responses/new/",
        lambda s: {"priority": "x", "meeting": "x", "text": "T"},
        "Choose the priority and the meeting",
    ),
]


@pytest.mark.parametrize(("who", "url", "data", "reason"), CASES, ids=[f"{i}" for i in range(len(CASES))])
def test_bad_input_is_a_400_with_the_reason(
    scene: Scene,
    who: str,
    url: Callable[[Scene], str],
    data: Callable[[Scene], dict[str, object]],
    reason: str,
) -> None:
    client = scene.coordinator if who == "coordinator" else scene.chief
    r = client.post(url(scene), data(scene))
    assert r.status_code == 400, (url(scene), r.status_code)
    body = r.content.decode()
    assert 'id="dialogue-error"' in body and reason in body, body


def test_the_reason_is_in_kiswahili_for_a_kiswahili_user(scene: Scene) -> None:
    user = scene.dia.world.wanjiku
    cases = [
        (
            f"/dialogues/{scene.programme.pk}/priorities/new/",
            {"title": "T", "group": "x"},
            "Chaguo hilo halipo",
        ),
        (
            f"/dialogues/rounds/{scene.rnd.pk}/dots/",
            {"group": scene.dia.world.mathare_group.pk, "voters": "two"},
            "lazima iwe nambari kamili",
        ),
        (
            f"/dialogues/{scene.programme.pk}/follow-ups/new/",
            {"what": "W", "owner": "Me", "due_on": "2030-02-30"},
            "si tarehe",
        ),
        (f"/dialogues/breakouts/{scene.breakout.pk}/", {"walk_ins": HUGE}, "lazima iwe kati ya"),
        (f"/dialogues/{scene.programme.pk}/meetings/new/", {"starts_at": "soon"}, "si tarehe na saa"),
    ]
    for language in ("en", "sw"):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        client = scene.dia.world.client_for(user)
        for url, data, kiswahili in cases:
            r = client.post(url, data)
            assert r.status_code == 400
            assert (kiswahili in r.content.decode()) == (language == "sw"), (url, language)


def test_unknown_ids_of_optional_choices_are_still_ignored(scene: Scene) -> None:
    """An id that is a number but not on the list was ignored before forms came; it still is."""
    r = scene.coordinator.post(
        f"/dialogues/{scene.programme.pk}/priorities/new/",
        {"title": "Roads", "group": "987654", "meeting": "987654", "cases": ["987654"]},
    )
    assert r.status_code == 302
    p = scene.programme.priorities.get(title="Roads")
    assert p.raised_by is None and p.raised_in is None


def test_the_forms_still_take_good_input(scene: Scene) -> None:
    c, s = scene.coordinator, scene
    today = timezone.localdate()
    r = c.post(
        "/dialogues/",
        {
            "organisation": s.programme.organisation_id,
            "title": "Second programme",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=60)).isoformat(),
            "groups": [s.dia.world.mathare_group.pk],
            "offices": [s.dia.office.pk],
        },
    )
    assert r.status_code == 302
    second = Programme.objects.get(title="Second programme")
    assert list(second.groups.all()) == [s.dia.world.mathare_group] and list(second.offices.all()) == [
        s.dia.office
    ]
    # A programme of an organisation the user does not manage is refused (403), whatever else is wrong.
    assert c.post("/dialogues/", {"organisation": "x", "starts_on": "no"}).status_code == 403
    # A group that is not the programme's is not found (404), as before; a number too big to be one is a 400.
    rate = f"/dialogues/responses/{s.response.pk}/rate/"
    assert c.post(rate, {"group": "987654", "rating": "3"}).status_code == 404
    assert c.post(rate, {"group": HUGE, "rating": "3"}).status_code == 400
    r = c.post(
        f"/dialogues/breakouts/{s.breakout.pk}/adopt/",
        {
            "what": "Visit the ward office",
            "owner_group": s.dia.world.mathare_group.pk,
            "due_on": (today + dt.timedelta(days=9)).isoformat(),
        },
    )
    assert r.status_code == 302
    assert FollowUpAction.objects.filter(
        what="Visit the ward office", owner_group=s.dia.world.mathare_group
    ).exists()
    # The ballot by SMS: the send button alone.
    r = c.post(f"/dialogues/rounds/{s.rnd.pk}/sms/", {"send": "1"})
    assert r.status_code in (302, 400)
    # Walk-ins default to members when no role is posted.
    r = c.post(f"/dialogues/meetings/{s.held.pk}/attendance/", {"walk_in_count": "2", "sex": "f"})
    assert r.status_code == 302
    assert s.held.attendances.filter(role="member", sex="f").count() == 2
    # A commitment keeps the response's official when none is posted.
    r = c.post(
        f"/dialogues/responses/{s.response.pk}/commitments/new/",
        {"what": "Light the street", "due_on": (today + dt.timedelta(days=20)).isoformat()},
    )
    assert r.status_code == 302
    assert Commitment.objects.get(what="Light the street").official_name == "Chief"
    # Petition templates: a bad kind or language, by GET or POST, is a 400 (one reason, not two).
    url = f"/dialogues/{s.programme.pk}/petition-templates/"
    r = c.get(url, {"kind": "poem", "language": "fr"})
    assert r.status_code == 400 and r.content.decode().count("Choose a petition or a memorandum") == 1
    assert c.post(url, {"kind": "petition", "language": "fr", "title": "T", "body": "B"}).status_code == 400
    assert c.get(url).status_code == 200


def test_past_meetings_parse_date_and_time(scene: Scene) -> None:
    start = timezone.localtime(past(80)).replace(tzinfo=None)
    r = scene.coordinator.post(
        f"/dialogues/{scene.programme.pk}/meetings/new/",
        {
            "kind": "dialogue",
            "title": "Held",
            "starts_at": start.isoformat(timespec="minutes"),
            "ends_at": "2030-13-45T10:00",
            "already_held": "on",
        },
    )
    assert r.status_code == 400 and "is not a date and time" in r.content.decode()
