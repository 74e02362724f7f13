"""The dialogue pages through the test client: one cycle as the coordinator, bad input as 400s, letters."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from icalendar import Calendar

from django.utils import timezone

from sauti.dialogues import actions
from sauti.dialogues.models import (
    Ballot,
    Commitment,
    ConsensusRound,
    Invitation,
    Meeting,
    Notification,
    Response,
)
from sauti.people.models import Office
from tests.dialogues.conftest import Dialogue, future, open_round, past


def frozen_round(d: Dialogue) -> ConsensusRound:
    w, p = d.world, d.priorities
    rnd = open_round(d)
    actions.do_record_dots(
        rnd, w.wanjiku, group=w.mathare_group, voters=5, dots={p[0].pk: 9, p[1].pk: 4, p[2].pk: 2}
    )
    actions.do_record_dots(rnd, w.wanjiku, group=w.kiambu_group, voters=3, dots={p[1].pk: 5, p[2].pk: 4})
    actions.do_close_round(rnd, w.wanjiku)
    return actions.do_freeze_round(rnd, w.wanjiku)


def test_the_coordinator_runs_a_meeting_and_a_round_through_the_pages(dia: Dialogue) -> None:
    c = dia.world.client_for(dia.world.wanjiku)
    start = timezone.localtime(past(50)).replace(tzinfo=None)
    r = c.post(
        f"/dialogues/{dia.programme.pk}/meetings/new/",
        {
            "kind": "consensus",
            "title": "Consensus meeting",
            "starts_at": start.isoformat(timespec="minutes"),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(timespec="minutes"),
            "already_held": "on",
            "venue": "Hall B",
        },
    )
    assert r.status_code == 302
    m = Meeting.objects.get(title="Consensus meeting")
    page = c.get(f"/dialogues/meetings/{m.pk}/")
    assert (
        page.status_code == 200 and "Akinyi" in page.content.decode()
    )  # the coordinator sees names (logged)
    r = c.post(
        f"/dialogues/meetings/{m.pk}/attendance/",
        {
            "contacts": [dia.members[0].pk, dia.members[1].pk],
            "walk_in_count": "3",
            "sex": "m",
            "age_band": "18_24",
            "role": "member",
        },
    )
    assert r.status_code == 302 and m.attendances.count() == 5
    r = c.post(
        f"/dialogues/{dia.programme.pk}/rounds/new/",
        {"title": "Agreed list", "priorities": [p.pk for p in dia.priorities], "meeting": m.pk},
    )
    rnd = ConsensusRound.objects.get(title="Agreed list")
    assert r.status_code == 302
    p = dia.priorities
    r = c.post(
        f"/dialogues/rounds/{rnd.pk}/dots/",
        {"group": dia.world.mathare_group.pk, "voters": "5", f"dots_{p[0].pk}": "9", f"dots_{p[1].pk}": "4"},
    )
    assert r.status_code == 302
    html = c.get(f"/dialogues/rounds/{rnd.pk}/").content.decode()
    assert "Count so far" in html and "Water in Mathare 4A" in html and 'id="group-breakdown"' in html
    assert c.post(f"/dialogues/rounds/{rnd.pk}/close/").status_code == 302
    assert c.post(f"/dialogues/rounds/{rnd.pk}/close/", {"step": "freeze"}).status_code == 302
    html = c.get(f"/dialogues/rounds/{rnd.pk}/").content.decode()
    assert "Recount matches the frozen result" in html
    r = c.post(
        f"/dialogues/rounds/{rnd.pk}/invitations/new/",
        {"office": dia.office.pk, "official_name": "Chief Mwangi", "language": "sw"},
    )
    assert r.status_code == 302 and Invitation.objects.filter(round=rnd).count() == 1


def test_bad_input_answers_400_with_the_reason(dia: Dialogue) -> None:
    c = dia.world.client_for(dia.world.wanjiku)
    start = timezone.localtime(past(50)).replace(tzinfo=None)
    r = c.post(
        f"/dialogues/{dia.programme.pk}/meetings/new/",
        {
            "kind": "dialogue",
            "title": "Too late",
            "starts_at": start.isoformat(timespec="minutes"),
            "ends_at": (start + dt.timedelta(hours=1)).isoformat(timespec="minutes"),
        },
    )
    assert r.status_code == 400 and "in the past" in r.content.decode()
    r = c.post(
        f"/dialogues/{dia.programme.pk}/meetings/new/",
        {"kind": "dialogue", "title": "x", "starts_at": "soon", "ends_at": ""},
    )
    assert r.status_code == 400 and "not a date" in r.content.decode()
    rnd = open_round(dia)
    r = c.post(
        f"/dialogues/rounds/{rnd.pk}/dots/",
        {"group": dia.world.mathare_group.pk, "voters": "1", f"dots_{dia.priorities[0].pk}": "50"},
    )
    assert r.status_code == 400 and "more than allowed" in r.content.decode()
    r = c.post(f"/dialogues/rounds/{rnd.pk}/dots/", {"group": dia.world.mathare_group.pk, "voters": "two"})
    assert r.status_code == 400 and "whole number" in r.content.decode()
    r = c.post(
        f"/dialogues/rounds/{rnd.pk}/vote/",
        {f"rank_{dia.priorities[0].pk}": "1", f"rank_{dia.priorities[1].pk}": "1"},
    )
    assert r.status_code == 400 and "different position" in r.content.decode()
    assert not Ballot.objects.filter(round=rnd).exists()
    m = actions.do_schedule_meeting(
        dia.programme,
        dia.world.wanjiku,
        kind="dialogue",
        title="D",
        starts_at=past(30),
        ends_at=past(29),
        already_held=True,
    )
    resp = actions.do_record_response(
        m, dia.world.wanjiku, priority=dia.priorities[0], office=dia.office, official_name="Chief", text="Yes"
    )
    r = c.post(
        f"/dialogues/responses/{resp.pk}/commitments/new/",
        {"official_name": "Chief", "what": "Fix", "due_on": ""},
    )
    assert r.status_code == 400 and "date" in r.content.decode()
    r = c.post(
        f"/dialogues/responses/{resp.pk}/commitments/new/",
        {"official_name": "", "what": "Fix", "due_on": "2030-01-01"},
    )
    assert r.status_code == 400 and "owner" in r.content.decode()
    r = c.post(
        f"/dialogues/responses/{resp.pk}/commitments/new/",
        {"official_name": "Chief", "what": "Fix", "due_on": "31/12/2030"},
    )
    assert r.status_code == 400
    assert not Commitment.objects.exists()


def test_the_letter_lists_the_agreed_priorities_in_order(dia: Dialogue) -> None:
    rnd = frozen_round(dia)
    inv = actions.do_draft_invitation(
        rnd, dia.world.wanjiku, office=dia.office, official_name="Chief Mwangi", language="en"
    )
    c = dia.world.client_for(dia.world.wanjiku)
    pdf = c.get(f"/dialogues/invitations/{inv.pk}/letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and pdf.content.rstrip().endswith(b"%%EOF")
    docx = c.get(f"/dialogues/invitations/{inv.pk}/letter.docx")
    paragraphs = Document(io.BytesIO(docx.content)).paragraphs
    text = [p.text for p in paragraphs]
    numbered = [p.text for p in paragraphs if p.style is not None and p.style.name == "List Number"]
    assert [t.split(" — ")[0] for t in numbered] == [
        "Street lights",
        "Water in Mathare 4A",
        "School fees bursaries",
    ]
    assert any("Dear Chief Mwangi" in t for t in text)
    assert c.get(f"/dialogues/invitations/{inv.pk}/letter.exe").status_code == 404


def test_the_meeting_calendar_file_is_rfc5545(dia: Dialogue) -> None:
    m = actions.do_schedule_meeting(
        dia.programme,
        dia.world.wanjiku,
        kind="dialogue",
        title="Dialogue with the chief",
        starts_at=future(5),
        ends_at=future(5) + dt.timedelta(hours=2),
        venue="Chief's camp",
    )
    r = dia.world.client_for(dia.world.otieno).get(f"/dialogues/meetings/{m.pk}/invite.ics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    assert b"\r\n" in r.content
    event = Calendar.from_ical(r.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Dialogue with the chief" and str(event["LOCATION"]) == "Chief's camp"
    assert event.decoded("DTSTART") == m.starts_at.replace(microsecond=0)


def test_group_leaders_rate_only_their_own_groups(dia: Dialogue) -> None:
    w = dia.world
    m = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="D",
        starts_at=past(30),
        ends_at=past(29),
        already_held=True,
    )
    resp = actions.do_record_response(
        m, w.wanjiku, priority=dia.priorities[0], office=dia.office, official_name="Chief", text="Soon"
    )
    c = w.client_for(w.achieng)
    assert (
        c.post(
            f"/dialogues/responses/{resp.pk}/rate/", {"group": w.kiambu_group.pk, "rating": "4"}
        ).status_code
        == 403
    )
    r = c.post(
        f"/dialogues/responses/{resp.pk}/rate/",
        {
            "group": w.mathare_group.pk,
            "rating": "2",
            "notes": "vague",
            "action": "Visit the county water office",
            "owner": "Akinyi",
            "action_due": "2030-01-10",
        },
    )
    assert r.status_code == 302
    assert resp.ratings.get().rating == 2 and dia.programme.follow_ups.get().owner == "Akinyi"
    assert c.post(f"/dialogues/responses/{resp.pk}/commitments/new/", {"what": "x"}).status_code == 403


def test_a_rating_whose_follow_up_is_refused_is_not_saved_either(dia: Dialogue) -> None:
    w = dia.world
    m = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="D",
        starts_at=past(30),
        ends_at=past(29),
        already_held=True,
    )
    resp = actions.do_record_response(
        m, w.wanjiku, priority=dia.priorities[0], office=dia.office, official_name="Chief", text="Soon"
    )
    c = w.client_for(w.wanjiku)
    # An action without its due date: the follow-up is refused, so the rating typed with it is not kept alone.
    r = c.post(
        f"/dialogues/responses/{resp.pk}/rate/",
        {
            "group": w.mathare_group.pk,
            "rating": "2",
            "action": "Visit the county water office",
        },
    )
    assert r.status_code == 400 and "due date" in r.content.decode()
    assert not resp.ratings.exists() and not dia.programme.follow_ups.exists()


def test_officials_see_only_what_is_addressed_to_their_office(dia: Dialogue) -> None:
    w = dia.world
    rnd = frozen_round(dia)
    inv = actions.do_draft_invitation(rnd, w.wanjiku, office=dia.office, official_name="Chief", language="sw")
    c = w.client_for(w.chief)
    assert c.get(f"/dialogues/invitations/{inv.pk}/letter.pdf").status_code == 404  # still a draft
    actions.do_advance_invitation(inv, w.wanjiku)
    assert c.get(f"/dialogues/invitations/{inv.pk}/letter.pdf").status_code == 200
    com = actions.do_record_commitment(
        dia.priorities[0],
        w.wanjiku,
        office=dia.office,
        official_name="Chief",
        what="Pipe",
        due_on=timezone.localdate(),
    )
    assert c.get(f"/dialogues/commitments/{com.pk}/").status_code == 200
    assert c.get("/dialogues/my-office/").status_code == 200
    assert c.get(f"/dialogues/{dia.programme.pk}/").status_code == 404
    # The official reports the office's own progress (issue 15), logged in the audit chain …
    assert (
        c.post(
            f"/dialogues/commitments/{com.pk}/update/", {"status": "fulfilled", "progress": "100"}
        ).status_code
        == 302
    )
    com.refresh_from_db()
    assert com.status == "fulfilled" and com.updates.last().by == w.chief  # type: ignore[union-attr]
    # … but never another office's.
    other = Office.objects.create(name="Ward administrator", kind="ward_admin")
    com2 = actions.do_record_commitment(
        dia.priorities[0],
        w.wanjiku,
        office=other,
        official_name="WA",
        what="Road",
        due_on=timezone.localdate(),
    )
    assert (
        c.post(
            f"/dialogues/commitments/{com2.pk}/update/", {"status": "fulfilled", "progress": "100"}
        ).status_code
        == 404
    )


def test_the_public_scorecard_and_the_chain(dia: Dialogue) -> None:
    w = dia.world
    frozen_round(dia)
    m = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="D",
        starts_at=past(30),
        ends_at=past(29),
        already_held=True,
    )
    resp = actions.do_record_response(
        m,
        w.wanjiku,
        priority=dia.priorities[0],
        office=dia.office,
        official_name="Chief Mwangi",
        text="We will",
    )
    com = actions.do_record_commitment(
        dia.priorities[0],
        w.wanjiku,
        office=dia.office,
        official_name="Chief Mwangi",
        what="Restore water",
        due_on=timezone.localdate() - dt.timedelta(days=2),
        response=resp,
    )
    s = actions.do_start_verification(
        com, w.wanjiku, question_en="Water back?", question_sw="Maji yamerudi?", contacts=dia.members[:2]
    )
    actions.do_record_verification_reply(s, dia.members[0], "2")
    page = w.client_for(None).get("/dialogues/scorecard/").content.decode()
    assert "Chief Mwangi" in page and "Akinyi" not in page
    chain = w.client_for(w.kamau).get(f"/dialogues/priorities/{dia.priorities[0].pk}/").content.decode()
    for step in (
        "evidence",
        "raised",
        "ranked",
        "presented",
        "response",
        "commitment",
        "verification",
        "result",
    ):
        assert f'data-step="{step}"' in chain
    assert "0 yes, 1 no" in chain and "place 2" in chain
    c = w.client_for(w.wanjiku)
    body = c.get(f"/dialogues/commitments/{com.pk}/").content.decode()
    assert "0 yes · 1 no" in body and "overdue" in body
    assert c.get(f"/dialogues/{dia.programme.pk}/dashboard/").status_code == 200


def test_reminders_through_the_page_respect_consent(dia: Dialogue) -> None:
    m = actions.do_schedule_meeting(
        dia.programme,
        dia.world.wanjiku,
        kind="dialogue",
        title="Soon",
        starts_at=future(2),
        ends_at=future(2) + dt.timedelta(hours=1),
    )
    r = dia.world.client_for(dia.world.wanjiku).post(f"/dialogues/meetings/{m.pk}/remind/")
    assert r.status_code == 302
    sent = {n.contact_id: n.text for n in Notification.objects.filter(purpose="meeting-reminder")}
    assert set(sent) == {dia.members[0].pk, dia.members[1].pk, dia.members[3].pk}
    assert sent[dia.members[1].pk].startswith("Reminder: Soon")
    assert Response.objects.count() == 0


def test_meeting_photos_are_stored_without_metadata_and_served_to_insiders_only(
    dia: Dialogue, tmp_path: object, settings: object
) -> None:
    from PIL import Image

    from django.core.files.uploadedfile import SimpleUploadedFile

    setattr(settings, "MEDIA_ROOT", str(tmp_path))  # noqa: B010
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    raw = io.BytesIO()
    image.save(raw, format="JPEG", exif=exif)
    assert b"SecretCam" in raw.getvalue()
    c = dia.world.client_for(dia.world.wanjiku)
    upload = SimpleUploadedFile("p.jpg", raw.getvalue(), content_type="image/jpeg")
    r = c.post(
        f"/dialogues/meetings/{dia.held.pk}/photos/new/", {"photo": upload, "caption": "Groups at work"}
    )
    assert r.status_code == 302
    photo = dia.held.photos.get()
    stored = b"".join(c.get(f"/dialogues/photos/{photo.pk}/").streaming_content)  # type: ignore[attr-defined]
    assert stored.startswith(b"\xff\xd8") and b"SecretCam" not in stored
    assert dia.world.client_for(dia.world.bob).get(f"/dialogues/photos/{photo.pk}/").status_code == 404
    bad = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")
    r = c.post(f"/dialogues/meetings/{dia.held.pk}/photos/new/", {"photo": bad})
    assert r.status_code == 400 and "could not be read" in r.content.decode()
    assert c.post(f"/dialogues/meetings/{dia.held.pk}/photos/new/", {}).status_code == 400


def test_editing_a_priority_keeps_its_history_and_frozen_titles_stay(dia: Dialogue) -> None:
    c = dia.world.client_for(dia.world.wanjiku)
    p = dia.priorities[0]
    assert (
        c.post(
            f"/dialogues/priorities/{p.pk}/edit/", {"title": "Water in 4A and 4B", "description": ""}
        ).status_code
        == 302
    )
    assert "was: “Water in Mathare 4A”" in c.get(f"/dialogues/priorities/{p.pk}/").content.decode()
    assert c.post(f"/dialogues/priorities/{p.pk}/edit/", {"title": " "}).status_code == 400
    assert (
        dia.world.client_for(dia.world.kamau)
        .post(f"/dialogues/priorities/{p.pk}/edit/", {"title": "x"})
        .status_code
        == 403
    )
    frozen_round(dia)
    r = c.post(f"/dialogues/priorities/{p.pk}/edit/", {"title": "Something else"})
    assert r.status_code == 400 and "frozen" in r.content.decode()
