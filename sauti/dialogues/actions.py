"""Every write in the dialogues app. Each function checks its input and raises DialogueError with a reason."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sauti.audit import audit
from sauti.core import crypto
from sauti.core.crypto import lookup_hash
from sauti.dialogues import counting, reach
from sauti.dialogues.models import (
    OPEN_COMMITMENT,
    Attendance,
    AttendanceRole,
    Ballot,
    Breakout,
    BreakoutRating,
    Commitment,
    CommitmentStatus,
    CommitmentUpdate,
    ConsensusRound,
    FollowUpAction,
    FollowUpState,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingPhoto,
    Notification,
    Participant,
    PetitionTemplate,
    Priority,
    PriorityRevision,
    Programme,
    ProgrammeOutcome,
    ProgrammeTarget,
    Reminder,
    Response,
    ShowOfHands,
    VerificationAnswer,
    VerificationLink,
    VerificationSurvey,
)
from sauti.dialogues.notify import send_sms
from sauti.dialogues.sms import ReplyError, parse_top_n, parse_verification
from sauti.monitoring.actions import ReportError, strip_exif
from sauti.people.imports import Table
from sauti.people.models import Contact, Group, GroupMembership, Office, Organisation, User

REMIND_DAYS_BEFORE = 7
FOLLOW_UP_REMIND_DAYS_BEFORE = 3
TAKES_RESPONSES = (MeetingKind.DIALOGUE, MeetingKind.COMMUNITY_POLICE, MeetingKind.FOLLOW_UP)


class DialogueError(ValueError):
    """Input the app refuses; str(e) is the reason, in the user's language."""


# --- Programmes and meetings ---------------------------------------------------------------------


def do_create_programme(organisation: Organisation, by: User, **fields: Any) -> Programme:
    groups = fields.pop("groups", [])
    offices = fields.pop("offices", [])
    wards = fields.pop("wards", [])
    if not fields.get("title", "").strip():
        raise DialogueError(_("A programme needs a title."))
    if fields["ends_on"] < fields["starts_on"]:
        raise DialogueError(_("The programme cannot end before it starts."))
    if any(g.organisation_id != organisation.pk for g in groups):
        raise DialogueError(_("Groups must belong to the organisation."))
    with transaction.atomic():
        programme = Programme.objects.create(organisation=organisation, **fields)
        programme.groups.set(groups)
        programme.offices.set(offices)
        programme.wards.set(wards)
        programme.facilitators.add(by)
    return programme


def do_schedule_meeting(
    programme: Programme,
    by: User,
    *,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    already_held: bool = False,
    **fields: Any,
) -> Meeting:
    """Plan a meeting (or record one already held). Planned meetings cannot be in the past, and no two
    meetings of a programme may overlap at the same venue or with the same facilitator."""
    if kind not in MeetingKind.values:
        raise DialogueError(_("Unknown kind of meeting."))
    if not title.strip():
        raise DialogueError(_("A meeting needs a title."))
    if ends_at <= starts_at:
        raise DialogueError(_("The meeting must end after it starts."))
    if not already_held and starts_at < timezone.now():
        raise DialogueError(
            _("That date is in the past: plan meetings for the future, or record a meeting already held.")
        )
    if already_held and starts_at > timezone.now():
        raise DialogueError(_("A meeting cannot have been held in the future."))
    if fields.get("segment") and kind != MeetingKind.COMMUNITY_POLICE:
        raise DialogueError(_("Segments apply to community–police dialogue sessions only."))
    if fields.get("peace_action") and kind != MeetingKind.PEACE_ACTION:
        raise DialogueError(_("A type of peace action applies to peace actions only."))
    facilitator = fields.get("facilitator") or by
    venue = fields.get("venue", "")
    clash = Meeting.objects.filter(
        programme__organisation=programme.organisation,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).exclude(status=Meeting.Status.CANCELLED)
    for other in clash:
        if other.facilitator_id == facilitator.pk or (venue and other.venue.lower() == venue.lower()):
            raise DialogueError(
                _("This overlaps with “%(other)s” (same facilitator or venue).") % {"other": other.title}
            )
    offices = fields.pop("offices_present", [])
    fields["facilitator"] = facilitator
    with transaction.atomic():
        meeting = Meeting.objects.create(
            programme=programme,
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            status=Meeting.Status.HELD if already_held else Meeting.Status.PLANNED,
            **fields,
        )
        meeting.offices_present.set(offices)
    return meeting


def do_record_meeting(
    meeting: Meeting,
    by: User,
    *,
    minutes: str,
    decisions: str,
    officials_present: str,
    offices: Iterable[Office] = (),
) -> Meeting:
    if meeting.starts_at > timezone.now():
        raise DialogueError(_("This meeting has not started yet."))
    meeting.minutes, meeting.decisions, meeting.officials_present = minutes, decisions, officials_present
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["minutes", "decisions", "officials_present", "status"])
    meeting.offices_present.add(*offices)
    return meeting


@dataclass(frozen=True)
class WalkIn:
    sex: str
    age_band: str
    group: Group | None
    role: str


def do_record_attendance(
    meeting: Meeting, by: User, *, contacts: Iterable[Contact] = (), walk_ins: Sequence[WalkIn] = ()
) -> int:
    """Members ticked from their groups' lists (each once) and walk-ins; returns how many were added."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise DialogueError(_("This meeting was cancelled."))
    if meeting.starts_at > timezone.now():
        raise DialogueError(_("Attendance is recorded once the meeting has started."))
    org = meeting.programme.organisation
    contacts = list(contacts)
    if any(c.organisation_id != org.pk for c in contacts):
        raise DialogueError(_("Those people are not on the organisation's lists."))
    for w in walk_ins:
        if w.role not in AttendanceRole.values:
            raise DialogueError(_("Unknown role."))
        if w.sex not in {"", "f", "m", "x"} or w.age_band not in {"", *dict(Contact.AGE_BANDS)}:
            raise DialogueError(_("Unknown sex or age band."))
        if w.group is not None and w.group.organisation_id != org.pk:
            raise DialogueError(_("Groups must belong to the organisation."))
    present = set(meeting.attendances.filter(contact__isnull=False).values_list("contact_id", flat=True))
    group_of = dict(
        GroupMembership.objects.filter(
            contact__in=contacts, group__in=meeting.programme.groups.all()
        ).values_list("contact_id", "group_id")
    )
    rows = [
        Attendance(
            meeting=meeting,
            contact=c,
            group_id=group_of.get(c.pk),
            sex=c.gender,
            age_band=c.age_band,
            role=AttendanceRole.MEMBER,
        )
        for c in contacts
        if c.pk not in present
    ]
    rows += [
        Attendance(meeting=meeting, sex=w.sex, age_band=w.age_band, group=w.group, role=w.role)
        for w in walk_ins
    ]
    Attendance.objects.bulk_create(rows)
    return len(rows)


def do_send_meeting_reminders(meeting: Meeting, by: User) -> int:
    """An SMS to each member of the programme's groups, in the member's language."""
    if meeting.status != Meeting.Status.PLANNED or meeting.starts_at < timezone.now():
        raise DialogueError(_("Reminders are for meetings still to come."))
    org = meeting.programme.organisation
    contacts = Contact.objects.filter(group_memberships__group__in=meeting.programme.groups.all()).distinct()
    sent = 0
    local = timezone.localtime(meeting.starts_at)
    for contact in contacts:
        with translation.override(contact.language):
            text = _("Reminder: %(title)s on %(date)s at %(time)s, %(venue)s.") % {
                "title": meeting.title,
                "date": local.strftime("%d/%m/%Y"),
                "time": local.strftime("%H:%M"),
                "venue": meeting.venue or "-",
            }
        sent += send_sms(org, contact, text, "meeting-reminder")
    return sent


MAX_PHOTO_BYTES = 8 * 1024 * 1024


def do_add_meeting_photo(meeting: Meeting, by: User, upload: UploadedFile, caption: str = "") -> MeetingPhoto:
    """Photos are stored re-encoded without their metadata (GPS position, camera, time)."""
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise DialogueError(_("Photos must be smaller than 8 MB."))
    data = upload.read()
    content_type = upload.content_type or ""
    if content_type not in ("image/jpeg", "image/png", "image/webp"):
        raise DialogueError(_("Only JPEG, PNG or WebP photos."))
    try:
        clean = strip_exif(data, content_type)
    except ReportError:
        clean = None
    if not clean:
        raise DialogueError(_("The photo could not be read; it may be damaged."))
    photo = MeetingPhoto(meeting=meeting, caption=caption.strip()[:200])
    photo.image.save(
        f"photo-{uuid.uuid4().hex[:12]}.{content_type.split('/')[1]}", ContentFile(clean), save=True
    )
    return photo


# --- Priorities ----------------------------------------------------------------------------------


def do_raise_priority(
    programme: Programme,
    by: User,
    *,
    title: str,
    description: str = "",
    group: Group | None = None,
    meeting: Meeting | None = None,
    cases: Iterable[Any] = (),
) -> Priority:
    if not title.strip():
        raise DialogueError(_("A priority needs a title."))
    cases = list(cases)
    if any(c.organisation_id != programme.organisation_id for c in cases):
        raise DialogueError(_("Evidence must come from the organisation's own cases."))
    if group is not None and group.organisation_id != programme.organisation_id:
        raise DialogueError(_("Groups must belong to the organisation."))
    with transaction.atomic():
        priority = Priority.objects.create(
            programme=programme,
            title=title.strip(),
            description=description,
            raised_by=group,
            raised_in=meeting,
        )
        priority.cases.set(cases)
        PriorityRevision.objects.create(priority=priority, by=by, note="raised", before={})
    return priority


def do_edit_priority(priority: Priority, by: User, *, title: str, description: str) -> Priority:
    if not title.strip():
        raise DialogueError(_("A priority needs a title."))
    if priority.rounds.filter(state=ConsensusRound.State.FROZEN).exists() and title.strip() != priority.title:
        raise DialogueError(_("This priority is on a frozen agreed list; its title can no longer change."))
    with transaction.atomic():
        PriorityRevision.objects.create(
            priority=priority,
            by=by,
            note="edited",
            before={"title": priority.title, "description": priority.description},
        )
        priority.title, priority.description = title.strip(), description
        priority.save(update_fields=["title", "description"])
    return priority


def do_merge_priorities(keep: Priority, others: Iterable[Priority], by: User) -> Priority:
    """The others become part of `keep`: their evidence moves over, their history stays."""
    others = [o for o in others if o.pk != keep.pk]
    if not others:
        raise DialogueError(_("Choose at least one other priority to merge."))
    if any(o.programme_id != keep.programme_id or o.status != Priority.Status.ACTIVE for o in others):
        raise DialogueError(_("Only active priorities of the same programme can be merged."))
    if ConsensusRound.objects.filter(
        priorities__in=[keep, *others], state=ConsensusRound.State.OPEN
    ).exists():
        raise DialogueError(_("Close the open consensus round before merging its priorities."))
    with transaction.atomic():
        for other in others:
            keep.cases.add(*other.cases.all())
            PriorityRevision.objects.create(
                priority=other, by=by, note=f"merged into #{keep.pk}", before={"status": other.status}
            )
            other.status, other.merged_into = Priority.Status.MERGED, keep
            other.save(update_fields=["status", "merged_into"])
        PriorityRevision.objects.create(
            priority=keep, by=by, note="merged " + ", ".join(f"#{o.pk}" for o in others), before={}
        )
    return keep


# --- Consensus -----------------------------------------------------------------------------------


def do_open_round(
    programme: Programme,
    by: User,
    *,
    title: str,
    priorities: Sequence[Priority],
    meeting: Meeting | None = None,
    dots_per_person: int = 3,
    max_ranks: int = 3,
) -> ConsensusRound:
    if len(priorities) < 2:
        raise DialogueError(_("A consensus round needs at least two priorities."))
    if any(p.programme_id != programme.pk or p.status != Priority.Status.ACTIVE for p in priorities):
        raise DialogueError(_("Only active priorities of this programme can be ranked."))
    if dots_per_person < 1 or max_ranks < 1:
        raise DialogueError(_("Dots per person and priorities per voter must be at least 1."))
    with transaction.atomic():
        rnd = ConsensusRound.objects.create(
            programme=programme,
            title=title or _("Consensus"),
            meeting=meeting,
            dots_per_person=dots_per_person,
            max_ranks=max_ranks,
        )
        rnd.priorities.set(priorities)
    return rnd


def _lock_open_round(rnd: ConsensusRound) -> ConsensusRound:
    locked = ConsensusRound.objects.select_for_update().get(pk=rnd.pk)
    if locked.state != ConsensusRound.State.OPEN:
        raise DialogueError(_("Voting in this round has closed."))
    return locked


def _save_ballot(rnd: ConsensusRound, **fields: Any) -> Ballot:
    try:
        with transaction.atomic():
            return Ballot.objects.create(round=rnd, **fields)
    except IntegrityError:
        raise DialogueError(_("This vote has already been recorded; each voter votes once.")) from None


def do_record_dots(
    rnd: ConsensusRound, by: User, *, group: Group, voters: int, dots: Mapping[int, int]
) -> Ballot:
    """A facilitator's dot count for one group: becomes one ballot, weighted by the voters present,
    ranking priorities by dots (equal dots tie; no dots = unranked)."""
    with transaction.atomic():
        rnd = _lock_open_round(rnd)
        ids = {p.pk for p in rnd.priorities.all()}
        if not rnd.programme.groups.filter(pk=group.pk).exists():
            raise DialogueError(_("That group is not part of this programme."))
        if voters < 1:
            raise DialogueError(_("At least one voter must be present."))
        if any(pid not in ids for pid in dots):
            raise DialogueError(_("A priority is not part of this round."))
        if any(n < 0 for n in dots.values()):
            raise DialogueError(_("Dot counts cannot be negative."))
        total, allowed = sum(dots.values()), voters * rnd.dots_per_person
        if total == 0:
            raise DialogueError(_("No dots were entered."))
        if total > allowed:
            raise DialogueError(
                _("%(total)d dots is more than allowed: %(voters)d voters × %(per)d dots = %(allowed)d.")
                % {"total": total, "voters": voters, "per": rnd.dots_per_person, "allowed": allowed}
            )
        levels = sorted({n for n in dots.values() if n > 0}, reverse=True)
        ranks = {str(pid): levels.index(n) + 1 for pid, n in dots.items() if n > 0}
        return _save_ballot(
            rnd,
            source=Ballot.Source.DOTS,
            voter_key=f"dots:group:{group.pk}",
            group=group,
            weight=voters,
            ranks=ranks,
            dots={str(k): v for k, v in dots.items()},
            entered_by=by,
        )


def _strict_ranks(rnd: ConsensusRound, ranks: Mapping[int, int], voter: str) -> dict[str, int]:
    names = [str(p.pk) for p in rnd.priorities.all()]
    ballot = counting.Ballot(voter, "", {str(k): v for k, v in ranks.items()})
    try:
        counting.validate_ballot(ballot, names)
    except counting.BallotError:
        raise DialogueError(
            _("Give each priority you rank a different position (1 = first), and rank at least one.")
        ) from None
    if len(ranks) > rnd.max_ranks:
        raise DialogueError(_("Rank at most %(n)d priorities.") % {"n": rnd.max_ranks})
    return dict(ballot.ranks)


def do_cast_web_ballot(
    rnd: ConsensusRound, user: User, ranks: Mapping[int, int], group: Group | None
) -> Ballot:
    with transaction.atomic():
        rnd = _lock_open_round(rnd)
        clean = _strict_ranks(rnd, ranks, user.username)
        return _save_ballot(
            rnd,
            source=Ballot.Source.WEB,
            voter_key=f"user:{user.pk}",
            group=group,
            ranks=clean,
            entered_by=user,
        )


def do_record_sms_vote(rnd: ConsensusRound, contact: Contact, text: str) -> Ballot | None:
    """ "Reply with the numbers of your top 3": records the ballot and answers in the sender's language.
    A second vote, a vote after closing or an unreadable reply gets an explanation and changes nothing."""
    org = rnd.programme.organisation
    with translation.override(contact.language):
        try:
            with transaction.atomic():
                rnd = _lock_open_round(rnd)
                priorities = rnd.numbered_priorities()
                numbers = parse_top_n(text, len(priorities), rnd.max_ranks)
                group = Group.objects.filter(memberships__contact=contact, programmes=rnd.programme).first()
                ballot = _save_ballot(
                    rnd,
                    source=Ballot.Source.SMS,
                    voter_key=f"contact:{contact.pk}",
                    group=group,
                    ranks={str(priorities[n - 1].pk): i + 1 for i, n in enumerate(numbers)},
                )
        except (DialogueError, ReplyError) as e:
            send_sms(org, contact, str(e), "consensus-reply")
            return None
        send_sms(org, contact, _("Thank you, your vote is recorded."), "consensus-reply")
    return ballot


def do_send_ballot_sms(rnd: ConsensusRound, by: User) -> int:
    if rnd.state != ConsensusRound.State.OPEN:
        raise DialogueError(_("Voting in this round has closed."))
    priorities = rnd.numbered_priorities()
    contacts = Contact.objects.filter(group_memberships__group__in=rnd.programme.groups.all()).distinct()
    sent = 0
    for contact in contacts:
        with translation.override(contact.language):
            lines = [_("Reply with the numbers of your top %(n)d:") % {"n": rnd.max_ranks}]
            lines += [f"{i}={p.title}" for i, p in enumerate(priorities, start=1)]
        sent += send_sms(rnd.programme.organisation, contact, "\n".join(lines), "consensus-ballot")
    return sent


def round_tally(rnd: ConsensusRound) -> dict[str, Any]:
    """Borda (the agreed order) and Schulze (the cross-check), overall and per group, from the ballots."""
    priorities = rnd.numbered_priorities()
    names = [str(p.pk) for p in priorities]
    ballots = [
        counting.Ballot(
            voter=b.voter_key,
            group=str(b.group_id or ""),
            ranks={k: int(v) for k, v in b.ranks.items()},
            weight=Fraction(b.weight),
        )
        for b in rnd.ballots.order_by("pk")
    ]
    return {
        "priorities": {str(p.pk): p.title for p in priorities},
        "ballots": len(ballots),
        "voters": sum(b.weight for b in rnd.ballots.all()),
        "borda": counting.tally(ballots, names, "borda"),
        "schulze": counting.tally(ballots, names, "schulze"),
    }


def do_close_round(rnd: ConsensusRound, by: User) -> ConsensusRound:
    with transaction.atomic():
        rnd = _lock_open_round(rnd)
        if not rnd.ballots.exists():
            raise DialogueError(_("No ballots yet: nothing to close."))
        rnd.state, rnd.closed_at = ConsensusRound.State.CLOSED, timezone.now()
        rnd.save(update_fields=["state", "closed_at"])
    return rnd


def do_freeze_round(rnd: ConsensusRound, by: User) -> ConsensusRound:
    """Store the full tally; from now on the agreed list is this JSON, and a recount must reproduce it."""
    with transaction.atomic():
        rnd = ConsensusRound.objects.select_for_update().get(pk=rnd.pk)
        if rnd.state != ConsensusRound.State.CLOSED:
            raise DialogueError(_("Close the round before freezing its result."))
        rnd.result = round_tally(rnd)
        rnd.state, rnd.frozen_at = ConsensusRound.State.FROZEN, timezone.now()
        rnd.save(update_fields=["result", "state", "frozen_at"])
    return rnd


def recount_matches(rnd: ConsensusRound) -> bool:
    return rnd.result is not None and round_tally(rnd) == rnd.result


def agreed_priorities(rnd: ConsensusRound) -> list[Priority]:
    """The frozen Borda order (ties keep the numbering order)."""
    if rnd.result is None:
        return []
    by_id = {str(p.pk): p for p in rnd.priorities.all()}
    return [by_id[pid] for tier in rnd.result["borda"]["ranking"] for pid in tier if pid in by_id]


# --- Invitations, responses, commitments ---------------------------------------------------------


def do_draft_invitation(
    rnd: ConsensusRound,
    by: User,
    *,
    office: Office,
    official_name: str,
    language: str,
    meeting: Meeting | None = None,
) -> Invitation:
    rnd.refresh_from_db(fields=["state", "result"])
    if rnd.state != ConsensusRound.State.FROZEN:
        raise DialogueError(_("Freeze the agreed priorities before inviting officials."))
    if not official_name.strip():
        raise DialogueError(_("Name the official you are inviting."))
    if language not in {"en", "sw"}:
        raise DialogueError(_("Letters are written in English or Kiswahili."))
    return Invitation.objects.create(
        programme=rnd.programme,
        round=rnd,
        office=office,
        official_name=official_name.strip(),
        language=language,
        meeting=meeting,
    )


def do_advance_invitation(invitation: Invitation, by: User, agreed_date: dt.date | None = None) -> Invitation:
    nxt = Invitation.NEXT.get(Invitation.Status(invitation.status))
    if nxt is None:
        raise DialogueError(_("This invitation has already reached its last step."))
    now = timezone.now()
    if nxt == Invitation.Status.SENT:
        invitation.sent_at = now
    elif nxt == Invitation.Status.ACKNOWLEDGED:
        invitation.acknowledged_at = now
    else:
        if agreed_date is None:
            raise DialogueError(_("Give the meeting date agreed with the official."))
        if agreed_date < timezone.localdate():
            raise DialogueError(_("The agreed date is in the past."))
        invitation.agreed_date = agreed_date
    invitation.status = nxt
    invitation.save()
    return invitation


def do_reply_to_invitation(
    invitation: Invitation,
    by: User,
    *,
    accept: bool,
    proposed_date: dt.date | None = None,
    note: str = "",
) -> Invitation:
    """The invited official answers: accept the meeting date, or propose another one (with a note)."""
    if invitation.status in (Invitation.Status.DRAFTED, Invitation.Status.DATE_AGREED):
        raise DialogueError(_("This invitation is not waiting for your answer."))
    today = timezone.localdate()
    if accept:
        date = (
            timezone.localtime(invitation.meeting.starts_at).date()
            if invitation.meeting is not None
            else invitation.proposed_date
        )
        if date is None:
            raise DialogueError(_("No date has been set yet: propose one."))
        invitation.status, invitation.agreed_date = Invitation.Status.DATE_AGREED, date
    else:
        if proposed_date is None:
            raise DialogueError(_("Give the date you propose."))
        if proposed_date < today:
            raise DialogueError(_("The date you propose is in the past."))
        invitation.status, invitation.proposed_date = Invitation.Status.DATE_PROPOSED, proposed_date
    if invitation.acknowledged_at is None:
        invitation.acknowledged_at = timezone.now()
    invitation.reply_note, invitation.replied_at = note.strip(), timezone.now()
    invitation.save()
    audit.note(
        "dialogues.invitation",
        invitation.pk,
        "reply",
        {
            "accept": accept,
            "proposed_date": str(proposed_date or ""),
            "note": invitation.reply_note,
            "by": by.get_username(),
        },
    )
    return invitation


def do_record_response(
    meeting: Meeting, by: User, *, priority: Priority, office: Office, official_name: str, text: str
) -> Response:
    if meeting.kind not in TAKES_RESPONSES:
        raise DialogueError(_("Officials' responses are recorded at dialogues with authorities."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise DialogueError(_("This meeting was cancelled."))
    if meeting.starts_at > timezone.now():
        raise DialogueError(_("This meeting has not taken place yet: record the response once it has."))
    if priority.programme_id != meeting.programme_id:
        raise DialogueError(_("That priority belongs to another programme."))
    if not official_name.strip() or not text.strip():
        raise DialogueError(_("Record who responded and what they said."))
    return Response.objects.create(
        meeting=meeting,
        priority=priority,
        office=office,
        official_name=official_name.strip(),
        text=text.strip(),
        recorded_by=by,
    )


def do_record_commitment(
    priority: Priority,
    by: User,
    *,
    office: Office | None,
    official_name: str,
    what: str,
    due_on: dt.date | None,
    response: Response | None = None,
) -> Commitment:
    if office is None or not official_name.strip():
        raise DialogueError(_("A commitment needs an owner: the official's name and office."))
    if due_on is None:
        raise DialogueError(_("A commitment needs a date by when it will be done."))
    if not what.strip():
        raise DialogueError(_("Say what was promised."))
    with transaction.atomic():
        c = Commitment.objects.create(
            priority=priority,
            response=response,
            office=office,
            official_name=official_name.strip(),
            what=what.strip(),
            due_on=due_on,
        )
        CommitmentUpdate.objects.create(commitment=c, status=c.status, progress=0, note=_("Agreed"), by=by)
    return c


def do_update_commitment(
    c: Commitment, by: User, *, status: str, progress: int, evidence: str = "", note: str = ""
) -> Commitment:
    if status not in CommitmentStatus.values:
        raise DialogueError(_("Unknown status."))
    if not 0 <= progress <= 100:
        raise DialogueError(_("Progress is a percentage from 0 to 100."))
    if status == CommitmentStatus.FULFILLED:
        progress = 100
    if status == CommitmentStatus.PARTLY_FULFILLED and progress in (0, 100):
        raise DialogueError(_("A partly fulfilled commitment has progress between 1 and 99%."))
    with transaction.atomic():
        c.status, c.progress = status, progress
        if evidence:
            c.evidence = evidence
        c.completed_on = timezone.localdate() if status == CommitmentStatus.FULFILLED else None
        c.save(update_fields=["status", "progress", "evidence", "completed_on"])
        CommitmentUpdate.objects.create(commitment=c, status=status, progress=progress, note=note, by=by)
    return c


@transaction.atomic
def do_rate_response(
    response: Response,
    by: User,
    *,
    group: Group,
    rating: int,
    notes: str,
    breakout: Breakout | None = None,
    action: str = "",
    owner: str = "",
    action_due: dt.date | None = None,
) -> BreakoutRating:
    """A new rating row every time: the latest per group counts, the earlier ones stay as its history.
    With an action (or an owner) the group agreed on, its follow-up is recorded with the rating, or neither."""
    if not 1 <= rating <= 5:
        raise DialogueError(_("Rate from 1 (not satisfied) to 5 (fully satisfied)."))
    if not response.meeting.programme.groups.filter(pk=group.pk).exists():
        raise DialogueError(_("That group is not part of this programme."))
    if breakout is not None and breakout.meeting.programme_id != response.meeting.programme_id:
        raise DialogueError(_("That breakout group met in another programme."))
    rated = BreakoutRating.objects.create(
        response=response, group=group, rating=rating, notes=notes, breakout=breakout, by=by
    )
    if action.strip() or owner.strip():
        do_add_follow_up(
            response.meeting.programme,
            by,
            what=action,
            owner=owner,
            owner_group=group,
            due_on=action_due,
            rating=rated,
            breakout=breakout,
        )
    return rated


def current_ratings(response: Response) -> list[BreakoutRating]:
    """The latest rating of each group (ratings are kept in order, so later rows win)."""
    latest: dict[int, BreakoutRating] = {}
    for r in response.ratings.all():
        latest[r.group_id] = r
    return list(latest.values())


# --- Breakouts (seed 000: analyse the officials' responses and re-strategise) --------------------

MAX_BREAKOUTS = 30


def do_form_breakouts(
    meeting: Meeting, by: User, *, count: int, composition: str, names: Sequence[str] = ()
) -> list[Breakout]:
    """The facilitator forms any number of breakout groups at the meeting, mixed or by group."""
    if meeting.starts_at > timezone.now() or meeting.status == Meeting.Status.CANCELLED:
        raise DialogueError(_("Breakout groups are formed at a meeting that has taken place."))
    if composition not in Breakout.Composition.values:
        raise DialogueError(_("Choose mixed groups or groups by group."))
    if not 1 <= count <= MAX_BREAKOUTS:
        raise DialogueError(_("Form between 1 and %(n)d breakout groups.") % {"n": MAX_BREAKOUTS})
    start = meeting.breakouts.count()
    rows = []
    with transaction.atomic():
        for i in range(count):
            name = names[i].strip() if i < len(names) and names[i].strip() else ""
            rows.append(
                Breakout.objects.create(
                    meeting=meeting,
                    name=name or _("Breakout %(n)d") % {"n": start + i + 1},
                    composition=composition,
                    created_by=by,
                )
            )
    return rows


def do_record_breakout(
    breakout: Breakout,
    by: User,
    *,
    members: Iterable[Attendance] = (),
    walk_ins: int = 0,
    groups: Iterable[Group] = (),
    analysis: str = "",
    strategies: str = "",
) -> Breakout:
    """Who sat in the breakout (from the meeting's attendance, each person in one breakout), its analysis
    of the officials' responses against the earlier dialogues, and its proposed strategies (one a line)."""
    members, groups = list(members), list(groups)
    if any(a.meeting_id != breakout.meeting_id for a in members):
        raise DialogueError(_("Only people recorded as present at this meeting can sit in its breakouts."))
    taken = set(
        Attendance.objects.filter(breakouts__meeting=breakout.meeting)
        .exclude(breakouts=breakout)
        .values_list("pk", flat=True)
    )
    if any(a.pk in taken for a in members):
        raise DialogueError(_("Someone on the list already sits in another breakout group."))
    if walk_ins < 0:
        raise DialogueError(_("The number of others present cannot be negative."))
    if any(g.pk not in set(breakout.meeting.programme.groups.values_list("pk", flat=True)) for g in groups):
        raise DialogueError(_("That group is not part of this programme."))
    with transaction.atomic():
        breakout.analysis, breakout.strategies, breakout.walk_ins = (
            analysis.strip(),
            strategies.strip(),
            walk_ins,
        )
        breakout.save(update_fields=["analysis", "strategies", "walk_ins"])
        breakout.members.set(members)
        breakout.groups.set(groups)
    return breakout


def do_adopt_strategy(
    breakout: Breakout,
    by: User,
    *,
    what: str,
    due_on: dt.date | None,
    owner_group: Group | None = None,
    owner_contact: Contact | None = None,
    owner: str = "",
    priority: Priority | None = None,
) -> FollowUpAction:
    """After the plenary, a breakout's strategy becomes a follow-up action with an owner and a due date."""
    return do_add_follow_up(
        breakout.meeting.programme,
        by,
        what=what,
        owner=owner,
        owner_group=owner_group,
        owner_contact=owner_contact,
        due_on=due_on,
        meeting=breakout.meeting,
        breakout=breakout,
        priority=priority,
    )


# --- The community's verdict ---------------------------------------------------------------------


def do_record_show_of_hands(
    c: Commitment, by: User, *, meeting: Meeting, yes: int, no: int, unsure: int = 0, note: str = ""
) -> ShowOfHands:
    """Hands raised at a follow-up meeting: "was this promise kept?" — counts, never names."""
    if meeting.programme_id != c.priority.programme_id:
        raise DialogueError(_("That meeting belongs to another programme."))
    if meeting.kind not in TAKES_RESPONSES:
        raise DialogueError(_("A verdict is taken at a follow-up meeting or a dialogue."))
    if meeting.starts_at > timezone.now() or meeting.status == Meeting.Status.CANCELLED:
        raise DialogueError(_("Record the verdict once the meeting has taken place."))
    if min(yes, no, unsure) < 0 or yes + no + unsure == 0:
        raise DialogueError(_("Count the hands: at least one, none negative."))
    present = meeting.attendances.count()
    if present and yes + no + unsure > present:
        raise DialogueError(
            _("%(n)d hands is more than the %(present)d people recorded as present.")
            % {"n": yes + no + unsure, "present": present}
        )
    try:
        with transaction.atomic():
            return ShowOfHands.objects.create(
                commitment=c,
                meeting=meeting,
                yes=yes,
                no=no,
                unsure=unsure,
                note=note.strip(),
                recorded_by=by,
            )
    except IntegrityError:
        raise DialogueError(_("A verdict on this commitment was already recorded at that meeting.")) from None


def do_add_follow_up(
    programme: Programme,
    by: User,
    *,
    what: str,
    owner: str = "",
    due_on: dt.date | None,
    owner_group: Group | None = None,
    owner_contact: Contact | None = None,
    rating: BreakoutRating | None = None,
    commitment: Commitment | None = None,
    meeting: Meeting | None = None,
    breakout: Breakout | None = None,
    priority: Priority | None = None,
) -> FollowUpAction:
    """Owner: a group of the programme, a person on its lists, or a name written out."""
    if owner_group is not None and not programme.groups.filter(pk=owner_group.pk).exists():
        raise DialogueError(_("That group is not part of this programme."))
    if owner_contact is not None and owner_contact.organisation_id != programme.organisation_id:
        raise DialogueError(_("Those people are not on the organisation's lists."))
    owner = (
        owner.strip()
        or (owner_group.name if owner_group else "")
        or (owner_contact.pseudonym if owner_contact else "")
    )
    if not what.strip() or not owner:
        raise DialogueError(_("A follow-up action needs what is to be done and who owns it."))
    if due_on is None:
        raise DialogueError(_("A follow-up action needs a due date."))
    if meeting is not None and meeting.programme_id != programme.pk:
        raise DialogueError(_("That meeting belongs to another programme."))
    if priority is None:
        if commitment is not None:
            priority = commitment.priority
        elif rating is not None:
            priority = rating.response.priority
    if meeting is None and rating is not None:
        meeting = rating.response.meeting
    return FollowUpAction.objects.create(
        programme=programme,
        what=what.strip(),
        owner=owner[:160],
        owner_group=owner_group,
        owner_contact=owner_contact,
        due_on=due_on,
        rating=rating,
        commitment=commitment,
        meeting=meeting,
        breakout=breakout,
        priority=priority,
    )


def do_close_follow_up(action: FollowUpAction, by: User, *, state: str, outcome: str = "") -> FollowUpAction:
    """Done (with what came of it) or dropped (with the reason); closing takes it off the next agenda."""
    if not action.is_open:
        raise DialogueError(_("This follow-up action is already closed."))
    if state not in (FollowUpState.DONE, FollowUpState.DROPPED):
        raise DialogueError(_("Mark it done or dropped."))
    if state == FollowUpState.DROPPED and not outcome.strip():
        raise DialogueError(_("Say why the action is dropped."))
    action.state, action.outcome = state, outcome.strip()
    action.closed_at, action.closed_by = timezone.now(), by
    action.save(update_fields=["state", "outcome", "closed_at", "closed_by"])
    audit.note(
        "dialogues.followupaction",
        action.pk,
        "update",
        {"state": state, "outcome": action.outcome, "by": by.get_username()},
    )
    return action


def do_reopen_follow_up(action: FollowUpAction, by: User) -> FollowUpAction:
    if action.is_open:
        raise DialogueError(_("This follow-up action is still open."))
    action.state, action.closed_at, action.closed_by = FollowUpState.OPEN, None, None
    action.save(update_fields=["state", "closed_at", "closed_by"])
    return action


def open_follow_ups_for_agenda(meeting: Meeting) -> list[FollowUpAction]:
    """Open follow-up actions of the programme agreed before this meeting: they stay on every next
    meeting's agenda until they are closed."""
    return list(
        FollowUpAction.objects.filter(programme_id=meeting.programme_id, state=FollowUpState.OPEN)
        .exclude(meeting=meeting)
        .filter(created_at__lt=meeting.starts_at)
        .select_related("owner_group", "priority")
    )


def _follow_up_owners(action: FollowUpAction) -> list[Contact]:
    if action.owner_contact is not None:
        return [action.owner_contact]
    if action.owner_group is not None:
        return list(
            Contact.objects.filter(
                group_memberships__group=action.owner_group, group_memberships__role="leader"
            )
        )
    return []


def do_send_follow_up_reminders(today: dt.date | None = None) -> int:
    """An SMS to the owner (the person, or the leaders of the owning group) a few days before an open
    action is due, and once more when it is overdue; `reminded_on` keeps it to one of each."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=FOLLOW_UP_REMIND_DAYS_BEFORE)
    sent = 0
    rows = FollowUpAction.objects.filter(state=FollowUpState.OPEN, due_on__lte=soon).select_related(
        "programme__organisation", "owner_group", "owner_contact"
    )
    for action in rows:
        overdue = action.due_on < today
        if action.reminded_on is not None and (not overdue or action.reminded_on > action.due_on):
            continue
        for contact in _follow_up_owners(action):
            with translation.override(contact.language):
                text = (
                    _("Overdue follow-up: “%(what)s” was due %(date)s. Reply to your coordinator when done.")
                    if overdue
                    else _("Follow-up due %(date)s: “%(what)s”. Reply to your coordinator when done.")
                ) % {"what": action.what[:70], "date": action.due_on.strftime("%d/%m/%Y")}
            sent += send_sms(action.programme.organisation, contact, text, "follow-up-reminder")
        action.reminded_on = today
        action.save(update_fields=["reminded_on"])
    return sent


# --- Follow-up and verification ------------------------------------------------------------------


def _followers(c: Commitment) -> list[Contact]:
    group = c.priority.raised_by
    if group is None:
        return []
    return list(Contact.objects.filter(group_memberships__group=group, group_memberships__role="leader"))


def do_send_due_reminders(today: dt.date | None = None) -> int:
    """Reminders a week before a commitment is due and an escalation once it is overdue, each once per
    due date, to the leaders of the group that raised the priority (in their language)."""
    today = today or timezone.localdate()
    done = 0
    soon = today + dt.timedelta(days=REMIND_DAYS_BEFORE)
    for c in Commitment.objects.filter(status__in=OPEN_COMMITMENT, due_on__lte=soon).select_related(
        "priority__programme__organisation", "priority__raised_by", "office"
    ):
        kind = Reminder.Kind.ESCALATION if c.due_on < today else Reminder.Kind.REMINDER
        _obj, created = Reminder.objects.get_or_create(commitment=c, kind=kind, due_on=c.due_on)
        if not created:
            continue
        done += 1
        for contact in _followers(c):
            with translation.override(contact.language):
                if kind == Reminder.Kind.REMINDER:
                    text = _("Reminder: %(who)s promised “%(what)s” by %(date)s. Please follow up.")
                else:
                    text = _(
                        "Overdue: %(who)s promised “%(what)s” by %(date)s. Please raise it with your coordinator."
                    )
                text = text % {
                    "who": c.official_name,
                    "what": c.what[:60],
                    "date": c.due_on.strftime("%d/%m/%Y"),
                }
            send_sms(c.priority.programme.organisation, contact, text, f"commitment-{kind}")
    return done


def do_start_verification(
    c: Commitment, by: User, *, question_en: str, question_sw: str, contacts: Iterable[Contact]
) -> VerificationSurvey:
    if not question_en.strip() or not question_sw.strip():
        raise DialogueError(_("Write the question in English and in Kiswahili."))
    contacts = list(contacts)
    if not contacts:
        raise DialogueError(_("Choose the members to ask."))
    org = c.priority.programme.organisation
    survey = VerificationSurvey.objects.create(
        commitment=c, question_en=question_en.strip(), question_sw=question_sw.strip()
    )
    for contact in contacts:
        if contact.organisation_id != org.pk:
            continue
        question = survey.question_sw if contact.language == "sw" else survey.question_en
        token = secrets.token_urlsafe(12)
        VerificationLink.objects.create(
            survey=survey, contact=contact, token_hash=lookup_hash(f"verify:{token}")
        )
        url = (
            settings.SAUTI_PUBLIC_URL.rstrip("/") + reverse("dialogues:verify_answer", args=[token])
        ).split("://", 1)[-1]
        with translation.override(contact.language):
            text = (
                question + " " + _("1=Yes 2=No 3=Not sure") + " " + _("Or on the web: %(url)s") % {"url": url}
            )
            send_sms(org, contact, text, f"verification:{survey.pk}")
    return survey


def survey_for_token(token: str) -> VerificationLink | None:
    """The person and question a web answer link opens (None for an unknown token)."""
    return (
        VerificationLink.objects.filter(token_hash=lookup_hash(f"verify:{token}"))
        .select_related("survey__commitment__office", "contact")
        .first()
    )


def pending_surveys(contacts: Iterable[Contact]) -> list[tuple[VerificationSurvey, Contact]]:
    """The verification questions these records of one number were asked and have not answered, newest first
    (USSD: "Answer a question")."""
    out: list[tuple[VerificationSurvey, Contact]] = []
    for contact in contacts:
        target = awaiting_survey(contact)
        if target is not None:
            out.append((target, contact))
    return sorted(out, key=lambda p: (p[0].created_at, p[0].pk), reverse=True)


def awaiting_survey(contact: Contact) -> VerificationSurvey | None:
    asked = Notification.objects.filter(contact=contact, purpose__startswith="verification:").values_list(
        "purpose", flat=True
    )
    ids = [int(p.split(":", 1)[1]) for p in asked if p.split(":", 1)[1].isdigit()]
    return (
        VerificationSurvey.objects.filter(pk__in=ids)
        .exclude(answers__contact=contact)
        .order_by("-created_at", "-pk")
        .first()
    )


def do_record_verification_answer(
    survey: VerificationSurvey, contact: Contact, answer: str, channel: str
) -> VerificationAnswer | None:
    """One person's answer by USSD or on the web; None when they had already answered (by any channel):
    the first answer counts, a later one is refused, so nobody is counted twice."""
    if answer not in VerificationAnswer.Answer.values:
        raise DialogueError(_("Answer yes, no or not sure."))
    if channel not in VerificationAnswer.Channel.values:
        raise DialogueError(_("Unknown channel."))
    try:
        with transaction.atomic():
            return VerificationAnswer.objects.create(
                survey=survey, contact=contact, answer=answer, channel=channel
            )
    except IntegrityError:
        return None


def do_record_verification_reply(
    survey: VerificationSurvey, contact: Contact, text: str, channel: str = VerificationAnswer.Channel.SMS
) -> VerificationAnswer | None:
    """An answer (1 yes, 2 no, 3 not sure) by SMS, USSD or entered from the web; the sender is told."""
    org = survey.commitment.priority.programme.organisation
    if channel not in VerificationAnswer.Channel.values:
        raise DialogueError(_("Unknown channel."))
    with translation.override(contact.language):
        try:
            answer = parse_verification(text)
        except ReplyError as e:
            send_sms(org, contact, str(e), "verification-reply")
            return None
        try:
            with transaction.atomic():
                row = VerificationAnswer.objects.create(
                    survey=survey, contact=contact, answer=answer, channel=channel
                )
        except IntegrityError:
            send_sms(org, contact, _("Your answer was already recorded. Thank you."), "verification-reply")
            return None
        send_sms(org, contact, _("Thank you for your answer."), "verification-reply")
    return row


# --- Petitions and memoranda (dialogues.petitions) ------------------------------------------------


def do_save_petition_template(
    organisation: Organisation, by: User, *, kind: str, language: str, title: str, body: str
) -> PetitionTemplate:
    from sauti.dialogues.petitions import check_placeholders

    if kind not in PetitionTemplate.Kind.values:
        raise DialogueError(_("Choose a petition or a memorandum."))
    if language not in ("en", "sw"):
        raise DialogueError(_("Choose English or Kiswahili."))
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise DialogueError(_("Give the template a title and a text."))
    if len(title) > 200:
        raise DialogueError(_("The title is too long (200 characters at most)."))
    check_placeholders(title)
    check_placeholders(body)
    template, _created = PetitionTemplate.objects.update_or_create(
        organisation=organisation,
        kind=kind,
        language=language,
        defaults={"title": title, "body": body, "updated_by": by, "updated_at": timezone.now()},
    )
    return template


def do_make_petition(
    rnd: ConsensusRound,
    by: User,
    *,
    kind: str,
    office: Office,
    official: str,
    language: str,
    fmt: str,
    testimonies: int = 5,
) -> bytes:
    """The petition or memorandum as PDF or DOCX, noted in the audit chain with its SHA-256."""
    import hashlib

    from sauti.dialogues import petitions

    if kind not in PetitionTemplate.Kind.values:
        raise DialogueError(_("Choose a petition or a memorandum."))
    if language not in ("en", "sw"):
        raise DialogueError(_("Choose English or Kiswahili."))
    if fmt not in ("pdf", "docx"):
        raise DialogueError(_("Choose PDF or DOCX."))
    official = " ".join(official.split())
    if not official:
        raise DialogueError(_("Give the name and title of the official you address."))
    if not rnd.programme.offices.filter(pk=office.pk).exists():
        raise DialogueError(_("Choose one of the programme's offices."))
    if not 0 <= testimonies <= petitions.MAX_TESTIMONIES:
        raise DialogueError(_("Include between 0 and %(n)d testimonies.") % {"n": petitions.MAX_TESTIMONIES})
    doc = petitions.build(
        rnd, kind=kind, office=office, official=official, language=language, testimonies=testimonies
    )
    body = petitions.render_pdf(doc) if fmt == "pdf" else petitions.render_docx(doc)
    audit.note(
        "dialogues.petition",
        rnd.pk,
        "create",
        {
            "kind": kind,
            "language": language,
            "format": fmt,
            "office": office.pk,
            "official": official,
            "by": by.get_username(),
            "sha256": hashlib.sha256(body).hexdigest(),
        },
    )
    return body


# People reached (seed 003: "over 700 people … 300 dialogue sessions and almost 400 outdoor activities")

ATTENDANCE_ROLE_OF_SEGMENT = {"police": AttendanceRole.POLICE, "officials": AttendanceRole.OFFICIAL}


def do_import_attendance(meeting: Meeting, by: User, table: Table) -> dict[str, Any]:
    """A sign-in sheet into the meeting's attendance: each person recognised by phone (any Kenyan way of
    writing it) across the organisation's sessions, or created; each attends once. Re-importing the same
    sheet adds nothing. Rows that cannot be read are listed with the reason and nothing of them is stored."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise DialogueError(_("This meeting was cancelled."))
    if meeting.starts_at > timezone.now():
        raise DialogueError(_("Attendance is recorded once the meeting has started."))
    programme = meeting.programme
    org = programme.organisation
    segments = reach.segment_lookup(reach.ensure_default_segments(programme))
    rows = reach.check_sheet_rows(table.headers, table.rows, segments, table.lines)
    reasons = [
        _("Line %(line)d: %(problem)s") % {"line": row.line, "problem": " ".join(row.errors)}
        for row in rows
        if row.errors
    ]
    good = [row for row in rows if not row.errors]
    summary: dict[str, Any] = {
        "attendances": 0,
        "new_people": 0,
        "matched_people": 0,
        "rejected": len(reasons),
        "reasons": reasons,
    }
    with transaction.atomic():
        by_phone = {
            p.phone_hash: p
            for p in Participant.objects.select_for_update().filter(
                organisation=org,
                merged_into__isnull=True,
                phone_hash__in=[crypto.lookup_hash(r.phone) for r in good if r.phone],
            )
        }
        here_by_name = {
            p.name_hash: p
            for p in Participant.objects.filter(
                organisation=org, phone_hash="", attendances__meeting=meeting, merged_into__isnull=True
            )
        }
        present = set(
            meeting.attendances.filter(participant__isnull=False).values_list("participant_id", flat=True)
        )
        for row in good:
            person: Participant | None
            if row.phone:
                person = by_phone.get(crypto.lookup_hash(row.phone))
            else:
                person = here_by_name.get(crypto.lookup_hash(row.name.casefold()))
            if person is None:
                person = Participant(organisation=org, sex=row.sex, age_band=row.age_band)
                person.name = row.name
                person.phone = row.phone
                person.save()
                summary["new_people"] += 1
                if row.phone:
                    by_phone[person.phone_hash] = person
                else:
                    here_by_name[person.name_hash] = person
            else:
                summary["matched_people"] += 1
                changed = [
                    f
                    for f, v in (("sex", row.sex), ("age_band", row.age_band))
                    if v and not getattr(person, f)
                ]
                for f in changed:
                    setattr(person, f, getattr(row, f))
                if row.name and not person.name_ciphertext:
                    person.name = row.name
                    changed += ["name_ciphertext", "name_hash"]
                if changed:
                    person.save(update_fields=changed)
            if row.segment is not None:
                person.segments.add(row.segment)
            if person.pk in present:
                continue
            role = ATTENDANCE_ROLE_OF_SEGMENT.get(
                row.segment.key if row.segment else "", AttendanceRole.MEMBER
            )
            Attendance.objects.create(
                meeting=meeting, participant=person, sex=person.sex, age_band=person.age_band, role=role
            )
            present.add(person.pk)
            summary["attendances"] += 1
    return summary


def do_merge_participants(keep: Participant, other: Participant, by: User) -> Participant:
    """The coordinator says two records are one person: `other` points at `keep` from now on, its
    attendances and segments move over (one attendance per meeting), and blanks of `keep` are filled."""
    if keep.organisation_id != other.organisation_id:
        raise DialogueError(_("Both people must belong to the same organisation."))
    keep, other = reach.root(keep), reach.root(other)
    if keep.pk == other.pk:
        raise DialogueError(_("These are already the same person."))
    with transaction.atomic():
        meetings_of_keep = set(keep.attendances.values_list("meeting_id", flat=True))
        other.attendances.filter(meeting_id__in=meetings_of_keep).delete()
        other.attendances.update(participant=keep)
        keep.segments.add(*other.segments.all())
        phone, phone_ciphertext = other.phone_hash, other.phone_ciphertext
        other.merged_into = keep
        other.phone_hash = ""
        other.save(update_fields=["merged_into", "phone_hash"])
        for f in ("sex", "age_band", "name_ciphertext", "name_hash"):
            if not getattr(keep, f) and getattr(other, f):
                setattr(keep, f, getattr(other, f))
        if not keep.phone_hash and phone:
            keep.phone_hash, keep.phone_ciphertext = phone, phone_ciphertext
        keep.save()
    return keep


def do_set_targets(programme: Programme, by: User, values: Mapping[str, int | None]) -> None:
    """Targets the programme sets (None or 0 removes one)."""
    with transaction.atomic():
        for indicator, value in values.items():
            if value:
                ProgrammeTarget.objects.update_or_create(
                    programme=programme, indicator=indicator, defaults={"value": value}
                )
            else:
                ProgrammeTarget.objects.filter(programme=programme, indicator=indicator).delete()


def do_record_outcome(
    programme: Programme, by: User, *, kind: str, count: int, description: str, achieved_on: dt.date
) -> ProgrammeOutcome:
    """Mentorships, people trained, women in leadership, groups formed: counted, never named."""
    if achieved_on > timezone.localdate():
        raise DialogueError(_("An outcome is recorded once it happened."))
    if achieved_on < programme.starts_on:
        raise DialogueError(_("That date is before the programme started."))
    return ProgrammeOutcome.objects.create(
        programme=programme, kind=kind, count=count, description=description.strip(), achieved_on=achieved_on
    )
