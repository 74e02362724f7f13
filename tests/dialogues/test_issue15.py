"""Issue 15: the community's verdict counts, follow-ups close, breakouts re-strategise, officials take part."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest

from django.core.management import call_command
from django.utils import timezone

from sauti.dialogues import actions, results, stats
from sauti.dialogues.actions import DialogueError
from sauti.dialogues.models import Commitment, FollowUpAction, Invitation, Meeting, Response
from sauti.dialogues.results import Verdict
from sauti.messaging.models import OutboundMessage
from sauti.people.models import Office
from tests.dialogues.conftest import Dialogue, future, past
from tests.dialogues.test_views import frozen_round

TODAY = dt.date(2027, 3, 1)


@pytest.mark.parametrize(
    ("status", "verdict", "due_in", "expected"),
    [
        ("fulfilled", Verdict(1, 2, 0), 5, "disputed"),  # the "Kept 100%" with 2 of 3 saying no
        ("fulfilled", Verdict(3, 0, 0), 5, "kept"),
        ("in_progress", Verdict(4, 1, 0), 5, "kept"),  # the community's word beats the office's
        ("fulfilled", Verdict(2, 0, 5), 5, "unverified"),  # unsure answers do not reach the minimum
        ("fulfilled", Verdict(0, 0, 0), 5, "unverified"),
        ("partly_fulfilled", Verdict(3, 3, 0), 5, "disputed"),  # split
        ("agreed", Verdict(0, 3, 0), 5, "in_progress"),  # not done yet, and there is time
        ("agreed", Verdict(0, 3, 0), -1, "not_kept"),  # not done, and overdue
        ("broken", Verdict(0, 0, 0), 5, "not_kept"),
        ("agreed", Verdict(0, 0, 0), -30, "in_progress"),
    ],
)
def test_the_result_rule(status: str, verdict: Verdict, due_in: int, expected: str) -> None:
    due = TODAY + dt.timedelta(days=due_in)
    assert results.result_of(status, verdict, due, TODAY) == expected


def test_kept_percentage_is_shown_as_counted() -> None:
    s = results.summary(["kept"] * 5 + ["disputed"] * 2 + ["not_kept", "in_progress", "unverified"])
    assert s.counted == 8 and s.kept_pct == 62.5
    assert results.summary(["in_progress"]).kept_pct is None


def _commitment(d: Dialogue, *, status: str = "fulfilled", office: Office | None = None) -> Commitment:
    w = d.world
    c = actions.do_record_commitment(
        d.priorities[0],
        w.wanjiku,
        office=office or d.office,
        official_name="Chief Otieno",
        what="Repair the water kiosk",
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )
    if status != "agreed":
        actions.do_update_commitment(c, w.wanjiku, status=status, progress=100, evidence="Photo of the kiosk")
    return c


def _answers(d: Dialogue, c: Commitment, replies: list[str]) -> None:
    survey = actions.do_start_verification(
        c,
        d.world.wanjiku,
        question_en="Is the kiosk open?",
        question_sw="Je, kioski iko wazi?",
        contacts=d.members,
    )
    for contact, text in zip(d.members, replies, strict=False):
        actions.do_record_verification_reply(survey, contact, text)


def test_the_community_decides_on_every_page_the_scorecard_the_command_and_the_dashboard(
    dia: Dialogue,
) -> None:
    """Defect: the scorecard said "Kept 100%" although 2 of 3 answers said no."""
    c = _commitment(dia)
    _answers(dia, c, ["1", "2", "hapana"])
    public = dia.world.client_for(None).get("/dialogues/scorecard/").content.decode()
    assert 'data-result="disputed"' in public and 'id="kept-pct">0.0%<' in public
    assert "1 yes · 2 no · 0 not sure" in public and "Photo of the kiosk" in public

    out = StringIO()
    call_command("dialogues", "scorecard", "--org", "umoja", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["commitments"] == [
        {
            "id": c.pk,
            "office": "Chief, Mabatini",
            "official": "Chief Otieno",
            "text": "Repair the water kiosk",
            "due": c.due_on.isoformat(),
            "official_status": "fulfilled",
            "progress": 100,
            "verdict": {"yes": 1, "no": 2, "unsure": 0},
            "result": "disputed",
        }
    ]
    assert data["summary"] == {"kept_pct": 0.0, "counted": 1}

    csv_text = dia.world.client_for(None).get("/dialogues/scorecard.csv?org=umoja").content.decode()
    assert csv_text.splitlines()[1].endswith(",fulfilled,100,1,2,0,disputed")

    wanjiku = dia.world.client_for(dia.world.wanjiku)
    dash = wanjiku.get(f"/dialogues/{dia.programme.pk}/dashboard/").content.decode()
    assert 'id="dash-kept">0<' in dash and 'id="dash-disputed">1<' in dash
    chain = wanjiku.get(f"/dialogues/priorities/{dia.priorities[0].pk}/").content.decode()
    assert "Disputed by the community" in chain
    page = wanjiku.get(f"/dialogues/commitments/{c.pk}/").content.decode()
    assert 'data-result="disputed"' in page


def test_a_show_of_hands_at_a_follow_up_meeting_counts(dia: Dialogue) -> None:
    w = dia.world
    c = _commitment(dia)
    review = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="follow_up",
        title="Review",
        starts_at=past(30),
        ends_at=past(28),
        already_held=True,
    )
    client = w.client_for(w.wanjiku)
    r = client.post(
        f"/dialogues/meetings/{review.pk}/hands/", {"commitment": c.pk, "yes": "14", "no": "2", "unsure": "1"}
    )
    assert r.status_code == 302
    assert stats.result_of(c).result == "kept"
    out = StringIO()
    call_command("dialogues", "scorecard", "--org", "umoja", "--json", stdout=out)
    assert json.loads(out.getvalue())["commitments"][0]["verdict"] == {"yes": 14, "no": 2, "unsure": 1}
    # Once per commitment and meeting; a planned meeting cannot have voted; a group leader may not record it.
    assert (
        client.post(f"/dialogues/meetings/{review.pk}/hands/", {"commitment": c.pk, "yes": "1"}).status_code
        == 400
    )
    later = actions.do_schedule_meeting(
        dia.programme, w.wanjiku, kind="follow_up", title="Later", starts_at=future(3), ends_at=future(4)
    )
    assert (
        client.post(f"/dialogues/meetings/{later.pk}/hands/", {"commitment": c.pk, "yes": "1"}).status_code
        == 400
    )
    leader = w.client_for(w.achieng)
    assert (
        leader.post(f"/dialogues/meetings/{review.pk}/hands/", {"commitment": c.pk, "yes": "1"}).status_code
        == 403
    )


def test_unsure_answers_by_sms(dia: Dialogue) -> None:
    c = _commitment(dia)
    _answers(dia, c, ["3", "sijui"])
    assert sorted(c.surveys.get().answers.values_list("answer", flat=True)) == ["unsure", "unsure"]
    assert (
        OutboundMessage.objects.filter(text__contains="3=Not sure").exists()
        or OutboundMessage.objects.filter(text__contains="3=").exists()
    )


# --- Follow-up actions ---------------------------------------------------------------------------


def test_follow_up_actions_close_stay_on_the_agenda_and_remind_their_owner(dia: Dialogue) -> None:
    """Defect: `done` existed but nothing could set it."""
    w = dia.world
    client = w.client_for(w.wanjiku)
    dialogue = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="Dialogue",
        starts_at=past(50),
        ends_at=past(48),
        already_held=True,
    )
    r = client.post(
        f"/dialogues/{dia.programme.pk}/follow-ups/new/",
        {
            "what": "Visit the ward administrator",
            "owner_group": w.mathare_group.pk,
            "due_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "meeting": dialogue.pk,
            "priority": dia.priorities[0].pk,
        },
    )
    assert r.status_code == 302
    action = FollowUpAction.objects.get()
    assert action.owner == w.mathare_group.name and action.state == "open"
    nxt = actions.do_schedule_meeting(
        dia.programme, w.wanjiku, kind="follow_up", title="Review", starts_at=future(5), ends_at=future(6)
    )
    page = client.get(f"/dialogues/meetings/{nxt.pk}/").content.decode()
    assert 'id="carried-over"' in page and "Visit the ward administrator" in page
    # The leader of the owning group hears about it by SMS, once.
    assert actions.do_send_follow_up_reminders() == 1
    assert actions.do_send_follow_up_reminders() == 0
    assert OutboundMessage.objects.filter(text__contains="Visit the ward administrator").count() == 1
    # Dropping needs a reason; done closes it and takes it off the agenda.
    assert client.post(f"/dialogues/follow-ups/{action.pk}/close/", {"state": "dropped"}).status_code == 400
    assert (
        client.post(
            f"/dialogues/follow-ups/{action.pk}/close/", {"state": "done", "outcome": "Met on Monday"}
        ).status_code
        == 302
    )
    action.refresh_from_db()
    assert action.state == "done" and action.closed_by == w.wanjiku
    assert 'id="carried-over"' not in client.get(f"/dialogues/meetings/{nxt.pk}/").content.decode()
    chain = client.get(f"/dialogues/priorities/{dia.priorities[0].pk}/").content.decode()
    assert "Follow-up round 1 — Dialogue" in chain and "Met on Monday" in chain
    # Only managers close actions.
    assert (
        w.client_for(w.kamau).post(f"/dialogues/follow-ups/{action.pk}/close/", {"state": "open"}).status_code
        == 403
    )


# --- Breakouts -----------------------------------------------------------------------------------


def test_breakouts_as_the_seed_runs_them(dia: Dialogue) -> None:
    w = dia.world
    client = w.client_for(w.wanjiku)
    m = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="Dialogue",
        starts_at=past(50),
        ends_at=past(48),
        already_held=True,
    )
    actions.do_record_attendance(m, w.wanjiku, contacts=dia.members[:3])
    assert (
        client.post(
            f"/dialogues/meetings/{m.pk}/breakouts/new/", {"count": "6", "composition": "mixed"}
        ).status_code
        == 302
    )
    breakouts = list(m.breakouts.all())
    assert len(breakouts) == 6 and breakouts[5].name == "Breakout 6"
    present = list(m.attendances.all())
    r = client.post(
        f"/dialogues/breakouts/{breakouts[0].pk}/",
        {
            "members": [present[0].pk, present[1].pk],
            "walk_ins": "3",
            "analysis": "The chief repeated last year's promise.",
            "strategies": "Write to the county assembly\nInvite the MCA to the next dialogue",
        },
    )
    assert r.status_code == 302
    breakouts[0].refresh_from_db()
    assert (
        breakouts[0].size() == 5 and breakouts[0].strategy_lines()[1] == "Invite the MCA to the next dialogue"
    )
    # One person sits in one breakout.
    assert (
        client.post(f"/dialogues/breakouts/{breakouts[1].pk}/", {"members": [present[0].pk]}).status_code
        == 400
    )
    r = client.post(
        f"/dialogues/breakouts/{breakouts[0].pk}/adopt/",
        {"what": "Write to the county assembly", "owner_group": w.mathare_group.pk, "due_on": "2031-01-01"},
    )
    assert r.status_code == 302
    action = FollowUpAction.objects.get()
    assert action.breakout == breakouts[0] and action.meeting == m
    page = client.get(f"/dialogues/meetings/{m.pk}/").content.decode()
    assert "The chief repeated last year" in page and "Write to the county assembly" in page
    # Breakouts form at meetings that have taken place.
    later = actions.do_schedule_meeting(
        dia.programme, w.wanjiku, kind="dialogue", title="Later", starts_at=future(3), ends_at=future(4)
    )
    with pytest.raises(DialogueError):
        actions.do_form_breakouts(later, w.wanjiku, count=2, composition="mixed")


# --- The smaller defects -------------------------------------------------------------------------


def test_a_response_cannot_be_recorded_at_a_meeting_still_to_come(dia: Dialogue) -> None:
    w = dia.world
    later = actions.do_schedule_meeting(
        dia.programme, w.wanjiku, kind="dialogue", title="Later", starts_at=future(3), ends_at=future(4)
    )
    r = w.client_for(w.wanjiku).post(
        f"/dialogues/meetings/{later.pk}/responses/new/",
        {
            "priority": dia.priorities[0].pk,
            "office": dia.office.pk,
            "official_name": "Chief",
            "text": "We will",
        },
    )
    assert r.status_code == 400 and not Response.objects.exists()


def test_the_chain_is_dated_by_the_meeting_not_by_the_typing(dia: Dialogue) -> None:
    w = dia.world
    held_at = timezone.now() - dt.timedelta(days=40)
    m = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="Dialogue",
        starts_at=held_at,
        ends_at=held_at + dt.timedelta(hours=2),
        already_held=True,
    )
    actions.do_record_response(
        m, w.wanjiku, priority=dia.priorities[0], office=dia.office, official_name="Chief", text="Yes"
    )
    page = w.client_for(w.wanjiku).get(f"/dialogues/priorities/{dia.priorities[0].pk}/").content.decode()
    step = page.split('data-step="response"')[1].split("</li>")[0]
    assert timezone.localtime(held_at).strftime("%-d %b %Y") in step


def test_the_letter_does_not_count_the_consensus_meeting_as_preparatory(dia: Dialogue) -> None:
    from sauti.dialogues.letters import letter_content

    w = dia.world
    rnd = frozen_round(dia)
    actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="consensus",
        title="Consensus",
        starts_at=past(2),
        ends_at=past(1),
        already_held=True,
    )
    inv = actions.do_draft_invitation(rnd, w.wanjiku, office=dia.office, official_name="Chief", language="en")
    text = " ".join(letter_content(inv).paragraphs)
    # Review: counts of one read as one ("1 preparatory meeting", not "meetings" or "meeting(s)").
    assert "In 1 preparatory meeting and 1 consensus meeting, attended by" in text


# --- Officials take part -------------------------------------------------------------------------


def test_an_official_answers_the_invitation_responds_and_reports_progress(dia: Dialogue) -> None:
    w = dia.world
    rnd = frozen_round(dia)
    m = actions.do_schedule_meeting(
        dia.programme, w.wanjiku, kind="dialogue", title="Dialogue", starts_at=future(3), ends_at=future(4)
    )
    inv = actions.do_draft_invitation(
        rnd, w.wanjiku, office=dia.office, official_name="Chief Otieno", language="en", meeting=m
    )
    actions.do_advance_invitation(inv, w.wanjiku)
    chief = w.client_for(w.chief)
    home = chief.get("/").content.decode()
    assert f"invitation-{inv.pk}" in home and "0 groups" not in home
    assert "Njeri Wambui" not in home and "+2547" not in home
    proposed = (timezone.localdate() + dt.timedelta(days=9)).isoformat()
    assert (
        chief.post(
            f"/dialogues/invitations/{inv.pk}/reply/",
            {"answer": "propose", "proposed_date": proposed, "note": "Budget week"},
        ).status_code
        == 302
    )
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.DATE_PROPOSED
    assert inv.proposed_date is not None and inv.proposed_date.isoformat() == proposed
    assert chief.post(f"/dialogues/invitations/{inv.pk}/reply/", {"answer": "accept"}).status_code == 302
    inv.refresh_from_db()
    assert inv.status == Invitation.Status.DATE_AGREED
    # Other officials, and coordinators, do not answer for the office.
    assert (
        w.client_for(w.wanjiku)
        .post(f"/dialogues/invitations/{inv.pk}/reply/", {"answer": "accept"})
        .status_code
        == 404
    )
    # The official records the office's response once the meeting has taken place.
    Meeting.objects.filter(pk=m.pk).update(starts_at=past(3), ends_at=past(2))
    r = chief.post(
        f"/dialogues/invitations/{inv.pk}/responses/new/",
        {"priority": dia.priorities[0].pk, "meeting": m.pk, "text": "The pipe is budgeted for March."},
    )
    assert r.status_code == 302
    resp = Response.objects.get()
    assert resp.recorded_by == w.chief and resp.office == dia.office
    assert (
        "The pipe is budgeted"
        not in chief.get("/dialogues/my-office/")
        .content.decode()
        .split('id="asked"')[1]
        .split("</section>")[0]
    )


@pytest.mark.parametrize(
    ("persona", "shows", "hides"),
    [
        ("wanjiku", ["Cases", "SMS", "Dialogues"], []),
        ("otieno", ["Cases", "Dialogues"], ["SMS"]),
        ("kamau", ["Dashboard", "Dialogues"], ["SMS"]),
        ("chief", ["My office"], ["Groups", "Dialogues", "SMS", "Opinion maps"]),
    ],
)
def test_the_menu_shows_each_role_only_what_it_may_use(
    dia: Dialogue, persona: str, shows: list[str], hides: list[str]
) -> None:
    client = dia.world.client_for(getattr(dia.world, persona))
    page = client.get("/").content.decode()
    nav = page.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    for label in shows:
        assert f">{label}</a>" in nav, label
    for label in hides:
        assert f">{label}</a>" not in nav, label
    # Every link in the menu answers (no 403 behind a link).
    for href in [part.split('"')[0] for part in nav.split('href="')[1:]]:
        assert client.get(href).status_code in (200, 302), href


# --- REST API ------------------------------------------------------------------------------------


def test_the_api_covers_dialogues_with_the_pages_access_rules(dia: Dialogue) -> None:
    w = dia.world
    c = _commitment(dia)
    _answers(dia, c, ["1", "2", "2"])
    other = _commitment(dia, office=Office.objects.create(name="Ward administrator", kind="ward_admin"))
    actions.do_record_attendance(dia.held, w.wanjiku, contacts=dia.members[:2])
    index = w.client_for(None).get("/api/")
    assert index.status_code == 200 and "commitments" in index.json()["endpoints"]
    coordinator = w.client_for(w.wanjiku)
    body = coordinator.get("/api/commitments/", {"org": "umoja"}).json()
    row = next(r for r in body["results"] if r["id"] == c.pk)
    assert row["verdict"] == {"yes": 1, "no": 2, "unsure": 0} and row["result"] == "disputed"
    assert {r["id"] for r in body["results"]} == {c.pk, other.pk}
    meetings = coordinator.get("/api/meetings/", {"programme": dia.programme.pk}).json()["results"]
    assert meetings[0]["attendance"] == {"total": 2, "women": 2, "men": 0, "youth": 1}
    for path in ("programmes", "priorities", "rounds", "responses", "follow-ups"):
        assert coordinator.get(f"/api/{path}/").status_code == 200, path
    # The official sees only the office's own commitments, and no programme.
    chief = w.client_for(w.chief)
    assert [r["id"] for r in chief.get("/api/commitments/").json()["results"]] == [c.pk]
    assert chief.get("/api/programmes/").json()["results"] == []
    # Another organisation's coordinator sees nothing of Umoja's; bad input is a 400.
    bob = w.client_for(w.bob)
    assert bob.get("/api/commitments/").json()["results"] == []
    assert bob.get("/api/commitments/", {"org": "umoja"}).status_code == 404
    assert coordinator.get("/api/meetings/", {"programme": "x"}).status_code == 400


def test_consensus_results_in_plain_words_with_halves_as_counted(dia: Dialogue) -> None:
    from tests.dialogues.conftest import open_round

    w, p = dia.world, dia.priorities
    rnd = open_round(dia)
    actions.do_record_dots(rnd, w.wanjiku, group=w.mathare_group, voters=1, dots={p[0].pk: 1, p[1].pk: 1})
    client = w.client_for(w.wanjiku)
    page = client.get(f"/dialogues/rounds/{rnd.pk}/").content.decode()
    assert "Most preferred overall" in page and "Preferred to every other option one-to-one" in page
    assert "How we counted" in page and "Borda" in page
    assert '<td class="num">1.5</td>' in page  # the chart keeps the half point
    client.post("/i18n/setlang/", {"language": "sw", "next": "/"})
    sw = client.get(f"/dialogues/rounds/{rnd.pk}/").content.decode()
    assert "Kinachopendelewa zaidi kwa jumla" in sw and "Jinsi tulivyohesabu" in sw
