"""The dialogue actions, and every kind of bad input the issue names: clear errors, nothing corrupted."""

from __future__ import annotations

import datetime as dt

import pytest

from django.utils import timezone

from sauti.dialogues import actions
from sauti.dialogues.actions import DialogueError, WalkIn
from sauti.dialogues.models import (
    Ballot,
    CommitmentStatus,
    ConsensusRound,
    Notification,
    Priority,
    Reminder,
    VerificationAnswer,
)
from sauti.dialogues.stats import attendance_breakdown
from tests.dialogues.conftest import Dialogue, future, open_round, past


def test_meetings_in_the_past_or_overlapping_are_refused(dia: Dialogue) -> None:
    w = dia.world
    with pytest.raises(DialogueError, match="past"):
        actions.do_schedule_meeting(
            dia.programme, w.wanjiku, kind="dialogue", title="x", starts_at=past(30), ends_at=past(28)
        )
    m = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="Dialogue",
        starts_at=future(3),
        ends_at=future(3) + dt.timedelta(hours=3),
    )
    with pytest.raises(DialogueError, match="overlaps"):
        actions.do_schedule_meeting(
            dia.programme,
            w.wanjiku,
            kind="breakout",
            title="Clash",
            starts_at=m.starts_at + dt.timedelta(hours=1),
            ends_at=m.ends_at + dt.timedelta(hours=1),
        )
    with pytest.raises(DialogueError, match="end after"):
        actions.do_schedule_meeting(
            dia.programme, w.wanjiku, kind="dialogue", title="x", starts_at=future(5), ends_at=future(4)
        )
    with pytest.raises(DialogueError, match="Segments"):
        actions.do_schedule_meeting(
            dia.programme,
            w.wanjiku,
            kind="dialogue",
            title="x",
            starts_at=future(9),
            ends_at=future(10),
            segment="youth",
        )
    # Another facilitator at another venue may meet at the same time.
    actions.do_schedule_meeting(
        dia.programme,
        w.otieno,
        kind="community_police",
        segment="youth",
        title="Youth session",
        starts_at=m.starts_at,
        ends_at=m.ends_at,
        facilitator=w.otieno,
        venue="Mathare police post",
    )


def test_attendance_counts_members_once_and_walk_ins_disaggregated(dia: Dialogue) -> None:
    w = dia.world
    added = actions.do_record_attendance(
        dia.held,
        w.wanjiku,
        contacts=dia.members[:2],
        walk_ins=[WalkIn("m", "18_24", w.mathare_group, "member"), WalkIn("m", "36_59", None, "official")],
    )
    assert added == 4
    assert actions.do_record_attendance(dia.held, w.wanjiku, contacts=dia.members[:2]) == 0
    b = attendance_breakdown([dia.held])
    assert b.total == 4
    assert b.by_sex == {"f": 2, "m": 2}
    assert b.by_age["18_24"] == 1 and b.by_age["25_35"] == 1
    assert b.by_group == {"Mathare Mothers": 3, "": 1}
    assert b.by_role == {"member": 3, "official": 1}


def test_attendance_of_another_organisations_people_is_refused(dia: Dialogue) -> None:
    from sauti.people.actions import do_add_member

    stranger = do_add_member(dia.world.haki_group, name="X", phone="0799000099", by=dia.world.bob).contact
    with pytest.raises(DialogueError):
        actions.do_record_attendance(dia.held, dia.world.wanjiku, contacts=[stranger])


def test_dots_become_a_weighted_group_ballot_with_ties(dia: Dialogue) -> None:
    rnd = open_round(dia)
    p = dia.priorities
    b = actions.do_record_dots(
        rnd,
        dia.world.wanjiku,
        group=dia.world.mathare_group,
        voters=4,
        dots={p[0].pk: 6, p[1].pk: 6, p[2].pk: 0},
    )
    assert b.weight == 4
    assert b.ranks == {str(p[0].pk): 1, str(p[1].pk): 1}


def test_more_dots_than_allowed_and_duplicates_are_refused(dia: Dialogue) -> None:
    rnd = open_round(dia)
    p, w = dia.priorities, dia.world
    with pytest.raises(DialogueError, match="more than allowed"):
        actions.do_record_dots(rnd, w.wanjiku, group=w.mathare_group, voters=2, dots={p[0].pk: 5, p[1].pk: 2})
    with pytest.raises(DialogueError, match="negative"):
        actions.do_record_dots(rnd, w.wanjiku, group=w.mathare_group, voters=2, dots={p[0].pk: -1})
    with pytest.raises(DialogueError, match="not part of this programme"):
        actions.do_record_dots(rnd, w.wanjiku, group=w.haki_group, voters=2, dots={p[0].pk: 1})
    actions.do_record_dots(rnd, w.wanjiku, group=w.mathare_group, voters=2, dots={p[0].pk: 6})
    with pytest.raises(DialogueError, match="already been recorded"):
        actions.do_record_dots(rnd, w.wanjiku, group=w.mathare_group, voters=2, dots={p[1].pk: 6})
    assert rnd.ballots.count() == 1


def test_web_ballots_with_ties_or_nothing_ranked_are_refused(dia: Dialogue) -> None:
    rnd = open_round(dia)
    p, w = dia.priorities, dia.world
    with pytest.raises(DialogueError, match="different position"):
        actions.do_cast_web_ballot(rnd, w.achieng, {p[0].pk: 1, p[1].pk: 1}, None)
    with pytest.raises(DialogueError, match="different position"):
        actions.do_cast_web_ballot(rnd, w.achieng, {}, None)
    actions.do_cast_web_ballot(rnd, w.achieng, {p[1].pk: 1, p[0].pk: 2}, w.mathare_group)
    with pytest.raises(DialogueError, match="already been recorded"):
        actions.do_cast_web_ballot(rnd, w.achieng, {p[0].pk: 1}, w.mathare_group)


def test_sms_votes_are_recorded_once_and_answered_in_the_voters_language(dia: Dialogue) -> None:
    rnd = open_round(dia)
    akinyi, mary = dia.members[0], dia.members[1]
    assert actions.do_send_ballot_sms(rnd, dia.world.wanjiku) == 3  # Juma gave no messaging consent
    ballot = actions.do_record_sms_vote(rnd, akinyi, "3 1")
    assert ballot is not None and ballot.group == dia.world.mathare_group
    assert ballot.ranks == {str(dia.priorities[2].pk): 1, str(dia.priorities[0].pk): 2}
    assert actions.do_record_sms_vote(rnd, akinyi, "1 2 3") is None  # duplicate
    assert actions.do_record_sms_vote(rnd, mary, "1 1") is None
    assert actions.do_record_sms_vote(rnd, mary, "9") is None
    assert actions.do_record_sms_vote(rnd, mary, "1 2 3 1") is None
    assert rnd.ballots.count() == 1
    replies = list(Notification.objects.filter(purpose="consensus-reply").values_list("contact_id", "text"))
    assert replies[1][0] == akinyi.pk and replies[2][0] == mary.pk
    assert "already" in replies[1][1] or "tayari" in replies[1][1].lower()
    assert "once" in replies[2][1]
    assert "not on the list" in replies[3][1]
    assert "at most 3" in replies[4][1]


def test_votes_after_the_round_closed_are_refused_and_the_frozen_tally_recounts_identically(
    dia: Dialogue,
) -> None:
    rnd = open_round(dia)
    p, w = dia.priorities, dia.world
    actions.do_record_dots(
        rnd, w.wanjiku, group=w.mathare_group, voters=5, dots={p[0].pk: 9, p[1].pk: 4, p[2].pk: 2}
    )
    actions.do_record_dots(rnd, w.wanjiku, group=w.kiambu_group, voters=3, dots={p[1].pk: 5, p[2].pk: 4})
    with pytest.raises(DialogueError, match="Close the round"):
        actions.do_freeze_round(rnd, w.wanjiku)
    actions.do_close_round(rnd, w.wanjiku)
    with pytest.raises(DialogueError, match="closed"):
        actions.do_cast_web_ballot(rnd, w.achieng, {p[0].pk: 1}, None)
    assert actions.do_record_sms_vote(rnd, dia.members[1], "1") is None
    rnd = actions.do_freeze_round(rnd, w.wanjiku)
    rnd.refresh_from_db()
    assert rnd.state == ConsensusRound.State.FROZEN
    assert rnd.result is not None and rnd.result["ballots"] == 2 and rnd.result["voters"] == 8
    assert actions.recount_matches(rnd)
    # Mathare: water 2, lights 1, school 0 (×5); Kiambu: lights 2, school 1, water 0 (×3)
    assert rnd.result["borda"]["scores"] == {str(p[0].pk): 10, str(p[1].pk): 11, str(p[2].pk): 3}
    assert [x.title for x in actions.agreed_priorities(rnd)] == [
        "Street lights",
        "Water in Mathare 4A",
        "School fees bursaries",
    ]
    groups = rnd.result["borda"]["groups"]
    assert groups[str(w.mathare_group.pk)]["ranking"][0] == [str(p[0].pk)]
    assert groups[str(w.kiambu_group.pk)]["ranking"][0] == [str(p[1].pk)]
    # A ballot slipped in behind the app's back shows up as a failed recount.
    Ballot.objects.create(round=rnd, source="web", voter_key="forged", ranks={str(p[2].pk): 1}, weight=50)
    assert not actions.recount_matches(rnd)


def test_priorities_merge_and_edit_with_history(dia: Dialogue) -> None:
    w = dia.world
    keep, dup = dia.priorities[0], actions.do_raise_priority(dia.programme, w.wanjiku, title="Maji")
    actions.do_merge_priorities(keep, [dup], w.wanjiku)
    dup.refresh_from_db()
    assert dup.status == Priority.Status.MERGED and dup.merged_into == keep
    actions.do_edit_priority(keep, w.wanjiku, title="Water in Mathare 4A and 4B", description="")
    assert [r.note for r in keep.revisions.all()] == ["raised", f"merged #{dup.pk}", "edited"]
    assert keep.revisions.last().before["title"] == "Water in Mathare 4A"  # type: ignore[union-attr]
    with pytest.raises(DialogueError):
        actions.do_merge_priorities(keep, [dup], w.wanjiku)


def test_commitments_need_an_owner_and_a_date(dia: Dialogue) -> None:
    w, p = dia.world, dia.priorities[0]
    due = timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(DialogueError, match="owner"):
        actions.do_record_commitment(
            p, w.wanjiku, office=dia.office, official_name=" ", what="Fix the pipe", due_on=due
        )
    with pytest.raises(DialogueError, match="owner"):
        actions.do_record_commitment(
            p, w.wanjiku, office=None, official_name="Chief", what="Fix the pipe", due_on=due
        )
    with pytest.raises(DialogueError, match="date"):
        actions.do_record_commitment(
            p, w.wanjiku, office=dia.office, official_name="Chief", what="Fix the pipe", due_on=None
        )
    c = actions.do_record_commitment(
        p, w.wanjiku, office=dia.office, official_name="Chief Mwangi", what="Fix the pipe", due_on=due
    )
    with pytest.raises(DialogueError, match="0 to 100"):
        actions.do_update_commitment(c, w.wanjiku, status="in_progress", progress=150)
    actions.do_update_commitment(c, w.wanjiku, status="fulfilled", progress=40)
    c.refresh_from_db()
    assert c.progress == 100 and c.completed_on == timezone.localdate()
    assert [u.status for u in c.updates.all()] == ["agreed", "fulfilled"]


def test_reminders_and_escalations_go_once_to_the_group_leaders(dia: Dialogue) -> None:
    w = dia.world
    today = timezone.localdate()
    soon = actions.do_record_commitment(
        dia.priorities[0],
        w.wanjiku,
        office=dia.office,
        official_name="Chief Mwangi",
        what="Fix the pipe",
        due_on=today + dt.timedelta(days=3),
    )
    late = actions.do_record_commitment(
        dia.priorities[1],
        w.wanjiku,
        office=dia.office,
        official_name="Chief Mwangi",
        what="Lights",
        due_on=today - dt.timedelta(days=1),
    )
    actions.do_record_commitment(
        dia.priorities[2],
        w.wanjiku,
        office=dia.office,
        official_name="Chief Mwangi",
        what="Far away",
        due_on=today + dt.timedelta(days=60),
    )
    assert actions.do_send_due_reminders(today) == 2
    assert actions.do_send_due_reminders(today) == 0
    assert set(Reminder.objects.values_list("commitment_id", "kind")) == {
        (soon.pk, "reminder"),
        (late.pk, "escalation"),
    }
    sms = Notification.objects.filter(purpose__startswith="commitment-")
    assert {n.contact_id for n in sms} == {dia.members[0].pk}  # the leader only
    assert all(n.status == "queued" for n in sms)


def test_verification_answers_are_counted_once(dia: Dialogue) -> None:
    w = dia.world
    c = actions.do_record_commitment(
        dia.priorities[0],
        w.wanjiku,
        office=dia.office,
        official_name="Chief",
        what="Water back",
        due_on=timezone.localdate(),
    )
    s = actions.do_start_verification(
        c,
        w.wanjiku,
        question_en="Is the water back in Mathare 4A?",
        question_sw="Je, maji yamerudi Mathare 4A?",
        contacts=dia.members[:2],
    )
    texts = dict(
        Notification.objects.filter(purpose=f"verification:{s.pk}").values_list("contact_id", "text")
    )
    assert texts[dia.members[0].pk].startswith("Je, maji yamerudi Mathare 4A?")
    assert texts[dia.members[1].pk].startswith("Is the water back")
    assert actions.do_record_verification_reply(s, dia.members[0], "2") is not None
    assert actions.do_record_verification_reply(s, dia.members[0], "1") is None
    assert actions.do_record_verification_reply(s, dia.members[1], "maybe") is None
    assert actions.do_record_verification_reply(s, dia.members[1], "Ndiyo") is not None
    assert sorted(VerificationAnswer.objects.values_list("answer", flat=True)) == ["no", "yes"]


def test_invitations_move_step_by_step_after_the_list_is_frozen(dia: Dialogue) -> None:
    w = dia.world
    rnd = open_round(dia)
    with pytest.raises(DialogueError, match="Freeze"):
        actions.do_draft_invitation(rnd, w.wanjiku, office=dia.office, official_name="Chief", language="sw")
    actions.do_record_dots(rnd, w.wanjiku, group=w.mathare_group, voters=1, dots={dia.priorities[0].pk: 1})
    actions.do_close_round(rnd, w.wanjiku)
    actions.do_freeze_round(rnd, w.wanjiku)
    inv = actions.do_draft_invitation(
        rnd, w.wanjiku, office=dia.office, official_name="Chief Mwangi", language="sw"
    )
    actions.do_advance_invitation(inv, w.wanjiku)
    actions.do_advance_invitation(inv, w.wanjiku)
    with pytest.raises(DialogueError, match="date"):
        actions.do_advance_invitation(inv, w.wanjiku)
    actions.do_advance_invitation(inv, w.wanjiku, timezone.localdate() + dt.timedelta(days=10))
    assert inv.status == "date_agreed"
    with pytest.raises(DialogueError, match="last step"):
        actions.do_advance_invitation(inv, w.wanjiku)


def test_breakout_ratings_keep_their_history_and_are_1_to_5(dia: Dialogue) -> None:
    w = dia.world
    m = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="D",
        starts_at=past(30),
        ends_at=past(28),
        already_held=True,
    )
    r = actions.do_record_response(
        m,
        w.wanjiku,
        priority=dia.priorities[0],
        office=dia.office,
        official_name="Chief",
        text="We will fix it",
    )
    with pytest.raises(DialogueError, match="1"):
        actions.do_rate_response(r, w.wanjiku, group=w.mathare_group, rating=7, notes="")
    actions.do_rate_response(r, w.wanjiku, group=w.mathare_group, rating=2, notes="vague")
    actions.do_rate_response(r, w.wanjiku, group=w.mathare_group, rating=3, notes="clearer")
    # Re-rating keeps the earlier rating as history (issue 15); the latest per group is current.
    assert [x.rating for x in r.ratings.all()] == [2, 3]
    assert [x.rating for x in actions.current_ratings(r)] == [3]
    with pytest.raises(DialogueError, match="owns"):
        actions.do_add_follow_up(
            dia.programme, w.wanjiku, what="Visit the water office", owner="", due_on=timezone.localdate()
        )
    assert CommitmentStatus.BROKEN in CommitmentStatus.values
