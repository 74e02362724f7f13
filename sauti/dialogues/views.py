"""Programme, meeting, consensus, invitation, commitment and chain pages; the public scorecard.

Every POST view: parse, check access (sauti.people.access), call one action, redirect. Bad input answers 400
with the reason on a page of its own (forms work without JavaScript).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sauti.dialogues import actions, charts, letters, office, petitions, results, stats
from sauti.dialogues.access import (
    can_manage_programme,
    get_programme_for_user,
    get_rating_group_for_user,
    programmes_for,
)
from sauti.dialogues.actions import DialogueError, WalkIn
from sauti.dialogues.models import (
    Attendance,
    AttendanceRole,
    Breakout,
    Commitment,
    CommitmentStatus,
    ConsensusRound,
    FollowUpAction,
    FollowUpState,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingPhoto,
    PeaceAction,
    PetitionTemplate,
    Priority,
    Programme,
    Response,
    Segment,
    VerificationAnswer,
    VerificationSurvey,
)
from sauti.dialogues.stats import attendance_breakdown
from sauti.monitoring.models import Case
from sauti.people.access import Perm, acts_for_office, can, official_offices, organisations_for
from sauti.people.actions import reveal_identities
from sauti.people.models import Contact, Group, Office, Organisation, User


class BadInput(ValueError):
    pass


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _bad(request: HttpRequest, reason: str, back: str) -> HttpResponse:
    return render(request, "refused.html", {"reason": reason, "back": back}, status=400)


def _int(data: QueryDict, key: str, *, default: int | None = None) -> int:
    raw = data.get(key, "").strip()
    if not raw and default is not None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadInput(_("“%(field)s” must be a whole number.") % {"field": key}) from None


def _date(data: QueryDict, key: str, *, required: bool = True) -> dt.date | None:
    raw = data.get(key, "").strip()
    if not raw:
        if required:
            raise BadInput(_("Give a date for “%(field)s”.") % {"field": key})
        return None
    value = parse_date(raw)
    if value is None:
        raise BadInput(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw})
    return value


def _datetime(data: QueryDict, key: str) -> dt.datetime:
    raw = data.get(key, "").strip()
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise BadInput(_("“%(value)s” is not a date and time.") % {"value": raw})
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _run(request: HttpRequest, back: str, fn: Callable[[], object], done: str) -> HttpResponse:
    try:
        fn()
    except (DialogueError, BadInput) as e:
        return _bad(request, str(e), back)
    messages.success(request, done)
    return redirect(back)


def _manage(request: HttpRequest, programme: Programme) -> None:
    if not can_manage_programme(request.user, programme):
        raise PermissionDenied


def _meeting(request: HttpRequest, pk: int, *, manage: bool = False) -> Meeting:
    meeting = (
        Meeting.objects.filter(pk=pk, programme__in=programmes_for(request.user))
        .select_related("programme")
        .first()
    )
    if meeting is None:
        raise Http404
    if manage:
        _manage(request, meeting.programme)
    return meeting


def _round(request: HttpRequest, pk: int) -> ConsensusRound:
    rnd = (
        ConsensusRound.objects.filter(pk=pk, programme__in=programmes_for(request.user))
        .select_related("programme")
        .first()
    )
    if rnd is None:
        raise Http404
    return rnd


def _addressed(request: HttpRequest) -> Q:
    """Programmes the user sees in full, or (officials) rows addressed to their office."""
    return Q(office__in=official_offices(request.user))


# --- Programmes ----------------------------------------------------------------------------------


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    orgs = [o for o in organisations_for(request.user) if can(request.user, Perm.MANAGE_DIALOGUES, o)]
    if request.method == "POST":
        org = next((o for o in orgs if str(o.pk) == request.POST.get("organisation")), None)
        if org is None:
            raise PermissionDenied
        groups = list(org.groups.filter(pk__in=request.POST.getlist("groups")))
        offices = list(Office.objects.filter(pk__in=request.POST.getlist("offices")))
        back = reverse("dialogues:programme_list")
        try:
            programme = actions.do_create_programme(
                org,
                _user(request),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                starts_on=_date(request.POST, "starts_on"),
                ends_on=_date(request.POST, "ends_on"),
                groups=groups,
                offices=offices,
            )
        except (DialogueError, BadInput) as e:
            return _bad(request, str(e), back)
        return redirect("dialogues:programme", programme.pk)
    programmes = (
        programmes_for(request.user).select_related("organisation").annotate(n_meetings=Count("meetings"))
    )
    context = {
        "programmes": programmes,
        "orgs": orgs,
        "offices": Office.objects.all(),
        "my_offices": bool(official_offices(request.user)),
    }
    return render(request, "dialogues/programme_list.html", context)


@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.VIEW_DIALOGUES)
    meetings = programme.meetings.annotate(n=Count("attendances")).select_related("facilitator")
    context = {
        "programme": programme,
        "meetings": meetings,
        "priorities": programme.priorities.select_related("raised_by", "merged_into").annotate(
            n_cases=Count("cases")
        ),
        "rounds": programme.rounds.all(),
        "invitations": programme.invitations.select_related("office"),
        "commitments": stats.score(
            list(
                Commitment.objects.filter(priority__programme=programme).select_related("office", "priority")
            )
        ),
        "follow_ups": programme.follow_ups.select_related("owner_group", "meeting", "priority"),
        "follow_up_states": FollowUpState.choices,
        "manage": can_manage_programme(request.user, programme),
        "kinds": MeetingKind.choices,
        "segments": Segment.choices,
        "peace_actions": PeaceAction.choices,
        "cases": Case.objects.filter(organisation=programme.organisation).order_by("-updated_at")[:50],
        "active": programme.priorities.filter(status=Priority.Status.ACTIVE),
        "groups": programme.groups.all(),
        # Listed for those who may open the opinion map report.
        "opinion_conversations": (
            programme.opinion_conversations.select_related("meeting")
            if can(request.user, Perm.VIEW_AGGREGATES, programme.organisation)
            else None
        ),
    }
    return render(request, "dialogues/programme_detail.html", context)


@login_required
@require_GET
def programme_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.VIEW_DIALOGUES)
    context = {"programme": programme, **charts.dashboard(programme)}
    return render(request, "dialogues/dashboard.html", context)


@login_required
@require_POST
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:programme", args=[pk])
    p = request.POST

    def act() -> Meeting:
        return actions.do_schedule_meeting(
            programme,
            _user(request),
            kind=p.get("kind", ""),
            title=p.get("title", ""),
            starts_at=_datetime(p, "starts_at"),
            ends_at=_datetime(p, "ends_at"),
            already_held=p.get("already_held") == "on",
            venue=p.get("venue", "").strip(),
            segment=p.get("segment", ""),
            peace_action=p.get("peace_action", ""),
            agenda=p.get("agenda", ""),
        )

    return _run(request, back, act, _("Meeting saved."))


@login_required
@require_POST
def priority_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:programme", args=[pk])
    p = request.POST
    group = programme.groups.filter(pk=p.get("group") or 0).first()
    meeting = programme.meetings.filter(pk=p.get("meeting") or 0).first()
    cases = Case.objects.filter(organisation=programme.organisation, pk__in=p.getlist("cases"))
    return _run(
        request,
        back,
        lambda: actions.do_raise_priority(
            programme,
            _user(request),
            title=p.get("title", ""),
            description=p.get("description", ""),
            group=group,
            meeting=meeting,
            cases=cases,
        ),
        _("Priority added."),
    )


@login_required
@require_POST
def priority_merge(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:programme", args=[pk])
    keep = programme.priorities.filter(pk=request.POST.get("keep") or 0).first()
    if keep is None:
        return _bad(request, _("Choose the priority to keep."), back)
    others = list(programme.priorities.filter(pk__in=request.POST.getlist("merge")))
    return _run(
        request,
        back,
        lambda: actions.do_merge_priorities(keep, others, _user(request)),
        _("Priorities merged."),
    )


@login_required
@require_POST
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:programme", args=[pk])
    p = request.POST
    chosen = list(programme.priorities.filter(pk__in=p.getlist("priorities")))
    meeting = programme.meetings.filter(pk=p.get("meeting") or 0).first()
    try:
        rnd = actions.do_open_round(
            programme,
            _user(request),
            title=p.get("title", ""),
            priorities=chosen,
            meeting=meeting,
            dots_per_person=_int(p, "dots_per_person", default=3),
            max_ranks=_int(p, "max_ranks", default=3),
        )
    except (DialogueError, BadInput) as e:
        return _bad(request, str(e), back)
    return redirect("dialogues:round", rnd.pk)


# --- Meetings ------------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    programme = meeting.programme
    manage = can_manage_programme(request.user, programme)
    members: list[dict[str, Any]] = []
    if manage:
        contacts = list(
            Contact.objects.filter(group_memberships__group__in=programme.groups.all())
            .exclude(pk__in=meeting.attendances.filter(contact__isnull=False).values("contact_id"))
            .distinct()
        )
        names = {}
        if can(request.user, Perm.VIEW_IDENTITIES, programme.organisation):
            names = reveal_identities(_user(request), contacts, f"dialogue attendance, meeting {meeting.pk}")
        members = [{"contact": c, "name": names[c.pk].name if c.pk in names else ""} for c in contacts]
    responses = meeting.responses.select_related("priority", "office").prefetch_related(
        "ratings__group", "commitments"
    )
    rate_groups = [
        g
        for g in programme.groups.all()
        if manage or can(request.user, Perm.RATE_RESPONSES, programme.organisation, g)
    ]
    context = {
        "meeting": meeting,
        "programme": programme,
        "manage": manage,
        "members": members,
        "breakdown": attendance_breakdown([meeting]),
        "roles": AttendanceRole.choices,
        "sexes": Contact.GENDER_CHOICES,
        "ages": Contact.AGE_BANDS,
        "groups": programme.groups.all(),
        "priorities": programme.priorities.filter(status=Priority.Status.ACTIVE),
        "offices": programme.offices.all() or Office.objects.all(),
        "responses": responses,
        "rate_groups": rate_groups,
        "takes_responses": meeting.kind in actions.TAKES_RESPONSES,
        "today": timezone.localdate(),
        "carried_over": actions.open_follow_ups_for_agenda(meeting),
        "agreed_here": meeting.follow_ups_agreed.select_related("owner_group"),
        "breakouts": meeting.breakouts.prefetch_related("groups", "members__group", "follow_ups"),
        "attendances": list(meeting.attendances.select_related("group", "contact")) if manage else [],
        "compositions": Breakout.Composition.choices,
        "commitments": Commitment.objects.filter(priority__programme=programme).select_related("office")
        if manage and meeting.kind in actions.TAKES_RESPONSES
        else [],
        "hands": meeting.hands.select_related("commitment"),
        "held": meeting.starts_at <= timezone.now() and meeting.status != Meeting.Status.CANCELLED,
    }
    return render(request, "dialogues/meeting_detail.html", context)


@login_required
@require_POST
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    p = request.POST
    offices = Office.objects.filter(pk__in=p.getlist("offices_present"))
    return _run(
        request,
        reverse("dialogues:meeting", args=[pk]),
        lambda: actions.do_record_meeting(
            meeting,
            _user(request),
            minutes=p.get("minutes", ""),
            decisions=p.get("decisions", ""),
            officials_present=p.get("officials_present", ""),
            offices=offices,
        ),
        _("Minutes saved."),
    )


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    p = request.POST
    back = reverse("dialogues:meeting", args=[pk])
    contacts = Contact.objects.filter(
        pk__in=p.getlist("contacts"), group_memberships__group__in=meeting.programme.groups.all()
    ).distinct()
    try:
        count = _int(p, "walk_in_count", default=0)
        if not 0 <= count <= 500:
            raise BadInput(_("Walk-ins are entered up to 500 at a time."))
        group = meeting.programme.groups.filter(pk=p.get("walk_in_group") or 0).first()
        walk_ins = [WalkIn(p.get("sex", ""), p.get("age_band", ""), group, p.get("role", "member"))] * count
        added = actions.do_record_attendance(meeting, _user(request), contacts=contacts, walk_ins=walk_ins)
    except (DialogueError, BadInput) as e:
        return _bad(request, str(e), back)
    messages.success(request, _("%(n)d attendances added.") % {"n": added})
    return redirect(back)


@login_required
@require_POST
def meeting_remind(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    back = reverse("dialogues:meeting", args=[pk])
    try:
        n = actions.do_send_meeting_reminders(meeting, _user(request))
    except DialogueError as e:
        return _bad(request, str(e), back)
    messages.success(request, _("%(n)d SMS reminders queued.") % {"n": n})
    return redirect(back)


@login_required
@require_POST
def meeting_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    back = reverse("dialogues:meeting", args=[pk])
    upload = request.FILES.get("photo")
    if upload is None:
        return _bad(request, _("Choose a photo to upload."), back)
    return _run(
        request,
        back,
        lambda: actions.do_add_meeting_photo(
            meeting, _user(request), upload, request.POST.get("caption", "")
        ),
        _("Photo added."),
    )


@login_required
@require_GET
def meeting_photo(request: HttpRequest, pk: int) -> FileResponse:
    photo = MeetingPhoto.objects.filter(pk=pk, meeting__programme__in=programmes_for(request.user)).first()
    if photo is None:
        raise Http404
    return FileResponse(photo.image.open("rb"), content_type=f"image/{photo.image.name.rsplit('.', 1)[-1]}")


@login_required
@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    response = HttpResponse(
        letters.meeting_ics(meeting, request.build_absolute_uri(reverse("dialogues:meeting", args=[pk]))),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
@require_POST
def response_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    p = request.POST
    priority = meeting.programme.priorities.filter(pk=p.get("priority") or 0).first()
    office = Office.objects.filter(pk=p.get("office") or 0).first()
    back = reverse("dialogues:meeting", args=[pk])
    if priority is None or office is None:
        return _bad(request, _("Choose the priority and the office."), back)
    return _run(
        request,
        back,
        lambda: actions.do_record_response(
            meeting,
            _user(request),
            priority=priority,
            office=office,
            official_name=p.get("official_name", ""),
            text=p.get("text", ""),
        ),
        _("Response recorded."),
    )


def _response(request: HttpRequest, pk: int) -> Response:
    response = (
        Response.objects.filter(pk=pk, meeting__programme__in=programmes_for(request.user))
        .select_related("meeting__programme", "priority", "office")
        .first()
    )
    if response is None:
        raise Http404
    return response


@login_required
@require_POST
def commitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    response = _response(request, pk)
    _manage(request, response.meeting.programme)
    p = request.POST
    back = reverse("dialogues:meeting", args=[response.meeting_id])
    return _run(
        request,
        back,
        lambda: actions.do_record_commitment(
            response.priority,
            _user(request),
            office=response.office,
            official_name=p.get("official_name", response.official_name),
            what=p.get("what", ""),
            due_on=_date(p, "due_on", required=False),
            response=response,
        ),
        _("Commitment recorded."),
    )


@login_required
@require_POST
def response_rate(request: HttpRequest, pk: int) -> HttpResponse:
    response = _response(request, pk)
    p = request.POST
    back = reverse("dialogues:meeting", args=[response.meeting_id])
    try:
        group = get_rating_group_for_user(request.user, response.meeting.programme, _int(p, "group"))
        breakout = response.meeting.breakouts.filter(pk=p.get("breakout") or 0).first()
        rating = actions.do_rate_response(
            response,
            _user(request),
            group=group,
            rating=_int(p, "rating"),
            notes=p.get("notes", ""),
            breakout=breakout,
        )
        if p.get("action", "").strip() or p.get("owner", "").strip():
            actions.do_add_follow_up(
                response.meeting.programme,
                _user(request),
                what=p.get("action", ""),
                owner=p.get("owner", ""),
                owner_group=group,
                due_on=_date(p, "action_due", required=False),
                rating=rating,
                breakout=breakout,
            )
    except (DialogueError, BadInput) as e:
        return _bad(request, str(e), back)
    messages.success(request, _("Rating saved."))
    return redirect(back)


# --- Consensus -----------------------------------------------------------------------------------


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    programme = rnd.programme
    manage = can_manage_programme(request.user, programme)
    result = (
        rnd.result if rnd.result is not None else (actions.round_tally(rnd) if rnd.ballots.exists() else None)
    )
    recount_ok = actions.recount_matches(rnd) if rnd.result is not None else None
    context = {
        "round": rnd,
        "programme": programme,
        "manage": manage,
        "numbered": list(enumerate(rnd.numbered_priorities(), start=1)),
        "groups": programme.groups.all(),
        "entered_groups": set(rnd.ballots.filter(source="dots").values_list("group_id", flat=True)),
        "ballots": rnd.ballots.select_related("group"),
        "tally": charts.tally_view(rnd, result) if result else None,
        "recount_ok": recount_ok,
        "my_ballot": rnd.ballots.filter(voter_key=f"user:{request.user.pk}").exists(),
        "sms_contacts": Contact.objects.filter(group_memberships__group__in=programme.groups.all()).distinct()
        if manage
        else [],
    }
    return render(request, "dialogues/round_detail.html", context)


@login_required
@require_POST
def round_dots(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    _manage(request, rnd.programme)
    p = request.POST
    back = reverse("dialogues:round", args=[pk])
    group = rnd.programme.groups.filter(pk=p.get("group") or 0).first()
    if group is None:
        return _bad(request, _("Choose the group whose dots you counted."), back)
    try:
        dots = {prio.pk: _int(p, f"dots_{prio.pk}", default=0) for prio in rnd.priorities.all()}
        actions.do_record_dots(rnd, _user(request), group=group, voters=_int(p, "voters"), dots=dots)
    except (DialogueError, BadInput) as e:
        return _bad(request, str(e), back)
    messages.success(request, _("Dots recorded for %(group)s.") % {"group": group.name})
    return redirect(back)


@login_required
@require_POST
def round_vote(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    p = request.POST
    back = reverse("dialogues:round", args=[pk])
    try:
        ranks = {
            prio.pk: _int(p, f"rank_{prio.pk}")
            for prio in rnd.priorities.all()
            if p.get(f"rank_{prio.pk}", "").strip()
        }
        group = rnd.programme.groups.filter(pk=p.get("group") or 0).first()
        actions.do_cast_web_ballot(rnd, _user(request), ranks, group)
    except (DialogueError, BadInput) as e:
        return _bad(request, str(e), back)
    messages.success(request, _("Your vote is recorded."))
    return redirect(back)


@login_required
@require_POST
def round_sms(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the ballot by SMS, or record an SMS reply received (replies by SMS also arrive on their own through the messaging layer)."""
    rnd = _round(request, pk)
    _manage(request, rnd.programme)
    back = reverse("dialogues:round", args=[pk])
    if "send" in request.POST:
        try:
            n = actions.do_send_ballot_sms(rnd, _user(request))
        except DialogueError as e:
            return _bad(request, str(e), back)
        messages.success(request, _("%(n)d SMS ballots queued.") % {"n": n})
        return redirect(back)
    contact = Contact.objects.filter(
        pk=request.POST.get("contact") or 0, group_memberships__group__in=rnd.programme.groups.all()
    ).first()
    if contact is None:
        return _bad(request, _("Choose who sent the SMS."), back)
    ballot = actions.do_record_sms_vote(rnd, contact, request.POST.get("text", ""))
    if ballot is None:
        messages.warning(request, _("The SMS was not counted; the sender was told why."))
    else:
        messages.success(request, _("SMS vote recorded."))
    return redirect(back)


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    _manage(request, rnd.programme)
    freeze = request.POST.get("step") == "freeze"
    fn = actions.do_freeze_round if freeze else actions.do_close_round
    return _run(
        request,
        reverse("dialogues:round", args=[pk]),
        lambda: fn(rnd, _user(request)),
        _("Agreed list frozen.") if freeze else _("Voting closed."),
    )


# --- Invitations ---------------------------------------------------------------------------------


@login_required
@require_POST
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    _manage(request, rnd.programme)
    p = request.POST
    office = Office.objects.filter(pk=p.get("office") or 0).first()
    back = reverse("dialogues:programme", args=[rnd.programme_id])
    if office is None:
        return _bad(request, _("Choose the office you are inviting."), reverse("dialogues:round", args=[pk]))
    meeting = rnd.programme.meetings.filter(pk=p.get("meeting") or 0).first()
    return _run(
        request,
        back,
        lambda: actions.do_draft_invitation(
            rnd,
            _user(request),
            office=office,
            official_name=p.get("official_name", ""),
            language=p.get("language", "en"),
            meeting=meeting,
        ),
        _("Invitation drafted."),
    )


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    inv = (
        Invitation.objects.filter(
            Q(pk=pk)
            & (
                Q(programme__in=programmes_for(request.user))
                | (_addressed(request) & ~Q(status=Invitation.Status.DRAFTED))
            )
        )
        .select_related("programme__organisation", "office", "round", "meeting")
        .first()
    )
    if inv is None:
        raise Http404
    return inv


@login_required
@require_GET
def invitation_letter(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "docx"):
        raise Http404
    inv = _invitation(request, pk)
    if fmt == "pdf":
        body, ctype = letters.letter_pdf(inv), "application/pdf"
    else:
        body, ctype = (
            letters.letter_docx(inv),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="invitation-{inv.pk}-{inv.language}.{fmt}"'
    return response


@login_required
@require_POST
def invitation_advance(request: HttpRequest, pk: int) -> HttpResponse:
    inv = _invitation(request, pk)
    _manage(request, inv.programme)
    back = reverse("dialogues:programme", args=[inv.programme_id])
    return _run(
        request,
        back,
        lambda: actions.do_advance_invitation(
            inv, _user(request), _date(request.POST, "agreed_date", required=False)
        ),
        _("Invitation updated."),
    )


# --- Commitments, chain, scorecard ---------------------------------------------------------------


def _commitment(request: HttpRequest, pk: int) -> Commitment:
    c = (
        Commitment.objects.filter(
            Q(pk=pk) & (Q(priority__programme__in=programmes_for(request.user)) | _addressed(request))
        )
        .select_related("priority__programme__organisation", "office", "response")
        .first()
    )
    if c is None:
        raise Http404
    return c


@login_required
@require_GET
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = _commitment(request, pk)
    programme = c.priority.programme
    manage = can_manage_programme(request.user, programme)
    surveys = []
    for s in c.surveys.prefetch_related("answers"):
        answers = list(s.answers.all())
        counts = {k: sum(1 for a in answers if a.answer == k) for k in ("yes", "no", "unsure")}
        surveys.append({"survey": s, **counts, "total": len(answers)})
    context = {
        "c": c,
        "scored": stats.result_of(c),
        "min_answers": results.MIN_ANSWERS,
        "hands": c.hands.select_related("meeting"),
        "channels": VerificationAnswer.Channel.choices,
        "programme": programme,
        "manage": manage,
        "office_acts": acts_for_office(request.user, c.office_id),
        "statuses": CommitmentStatus.choices,
        "updates": c.updates.select_related("by"),
        "surveys": surveys,
        "contacts": Contact.objects.filter(group_memberships__group__in=programme.groups.all()).distinct()
        if manage
        else [],
        "overdue": c.is_overdue(),
    }
    return render(request, "dialogues/commitment_detail.html", context)


@login_required
@require_POST
def commitment_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The office's progress: by the programme's managers, or by an official of the office itself."""
    c = _commitment(request, pk)
    if not acts_for_office(request.user, c.office_id):
        _manage(request, c.priority.programme)
    p = request.POST
    return _run(
        request,
        reverse("dialogues:commitment", args=[pk]),
        lambda: actions.do_update_commitment(
            c,
            _user(request),
            status=p.get("status", ""),
            progress=_int(p, "progress"),
            evidence=p.get("evidence", ""),
            note=p.get("note", ""),
        ),
        _("Commitment updated."),
    )


@login_required
@require_POST
def commitment_verify(request: HttpRequest, pk: int) -> HttpResponse:
    c = _commitment(request, pk)
    _manage(request, c.priority.programme)
    p = request.POST
    contacts = Contact.objects.filter(
        pk__in=p.getlist("contacts"), group_memberships__group__in=c.priority.programme.groups.all()
    ).distinct()
    return _run(
        request,
        reverse("dialogues:commitment", args=[pk]),
        lambda: actions.do_start_verification(
            c,
            _user(request),
            question_en=p.get("question_en", ""),
            question_sw=p.get("question_sw", ""),
            contacts=contacts,
        ),
        _("Verification survey sent."),
    )


@login_required
@require_POST
def survey_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an SMS answer received by hand (replies by SMS also arrive on their own through the messaging layer)."""
    survey = (
        VerificationSurvey.objects.filter(pk=pk).select_related("commitment__priority__programme").first()
    )
    if (
        survey is None
        or not programmes_for(request.user).filter(pk=survey.commitment.priority.programme_id).exists()
    ):
        raise Http404
    _manage(request, survey.commitment.priority.programme)
    back = reverse("dialogues:commitment", args=[survey.commitment_id])
    contact = Contact.objects.filter(
        pk=request.POST.get("contact") or 0,
        group_memberships__group__in=survey.commitment.priority.programme.groups.all(),
    ).first()
    if contact is None:
        return _bad(request, _("Choose who sent the SMS."), back)
    channel = request.POST.get("channel") or VerificationAnswer.Channel.SMS
    if channel not in VerificationAnswer.Channel.values:
        return _bad(request, _("Unknown channel."), back)
    if actions.do_record_verification_reply(survey, contact, request.POST.get("text", ""), channel) is None:
        messages.warning(request, _("The SMS was not counted; the sender was told why."))
    else:
        messages.success(request, _("Answer recorded."))
    return redirect(back)


@login_required
@require_GET
def priority_chain(request: HttpRequest, pk: int) -> HttpResponse:
    priority = (
        Priority.objects.filter(pk=pk, programme__in=programmes_for(request.user))
        .select_related("programme", "raised_by", "raised_in", "merged_into")
        .first()
    )
    if priority is None:
        raise Http404
    context = {
        "priority": priority,
        "programme": priority.programme,
        "steps": charts.chain(priority),
        "commitments": stats.score(list(priority.commitments.select_related("office", "priority"))),
        "follow_ups": priority.follow_ups.select_related("meeting", "owner_group"),
        "manage": can_manage_programme(request.user, priority.programme),
    }
    return render(request, "dialogues/priority_chain.html", context)


@login_required
@require_POST
def priority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    priority = (
        Priority.objects.filter(pk=pk, programme__in=programmes_for(request.user))
        .select_related("programme")
        .first()
    )
    if priority is None:
        raise Http404
    _manage(request, priority.programme)
    p = request.POST
    return _run(
        request,
        reverse("dialogues:priority", args=[pk]),
        lambda: actions.do_edit_priority(
            priority, _user(request), title=p.get("title", ""), description=p.get("description", "")
        ),
        _("Priority updated."),
    )


@login_required
@require_GET
def my_office(request: HttpRequest) -> HttpResponse:
    """The official's page: invitations to answer, responses asked for, commitments to update,
    cases referred to the office. No identities anywhere on it."""
    if not official_offices(request.user):
        raise Http404
    return render(request, "dialogues/my_office.html", office.office_business(request.user))


@require_GET
def scorecard(request: HttpRequest) -> HttpResponse:
    """Public: every commitment, the office's claim, the community's verdict and the result (results.py).
    `?org=<slug>` narrows it to one organisation's dialogues. No community identities."""
    slug = request.GET.get("org", "").strip()
    org = Organisation.objects.filter(slug=slug).first() if slug else None
    if slug and org is None:
        raise Http404
    context = {
        **charts.scorecard(org.pk if org else None),
        "organisation": org,
        "organisations": Organisation.objects.filter(programmes__isnull=False).distinct().order_by("name"),
    }
    return render(request, "dialogues/scorecard.html", context)


@require_GET
def scorecard_csv(request: HttpRequest) -> HttpResponse:
    """The scorecard as CSV: the same rows and result as `sauti dialogues scorecard --json`."""
    slug = request.GET.get("org", "").strip()
    org = Organisation.objects.filter(slug=slug).first() if slug else None
    if slug and org is None:
        raise Http404
    data = stats.scorecard_json(org.pk if org else None)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "id",
            "office",
            "official",
            "text",
            "due",
            "official_status",
            "progress",
            "yes",
            "no",
            "unsure",
            "result",
        ]
    )
    for row in data["commitments"]:  # type: ignore[attr-defined]
        v = row["verdict"]
        writer.writerow(
            [
                row["id"],
                row["office"],
                row["official"],
                row["text"],
                row["due"],
                row["official_status"],
                row["progress"],
                v["yes"],
                v["no"],
                v["unsure"],
                row["result"],
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scorecard-{slug or "all"}.csv"'
    return response


# --- Petitions and memoranda ---------------------------------------------------------------------

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@login_required
@require_POST
def round_petition(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    _manage(request, rnd.programme)
    p = request.POST
    back = reverse("dialogues:round", args=[pk])
    office = rnd.programme.offices.filter(pk=p.get("office") or 0).first()
    if office is None:
        return _bad(request, _("Choose the office you are addressing."), back)
    fmt = p.get("format", "pdf")
    kind = p.get("kind", "")
    language = p.get("language", "")
    try:
        body = actions.do_make_petition(
            rnd,
            _user(request),
            kind=kind,
            office=office,
            official=p.get("official_name", ""),
            language=language,
            fmt=fmt,
            testimonies=_int(p, "testimonies", default=5),
        )
    except (DialogueError, BadInput) as e:
        return _bad(request, str(e), back)
    response = HttpResponse(body, content_type="application/pdf" if fmt == "pdf" else DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-{rnd.pk}-{language}.{fmt}"'
    return response


@login_required
def petition_templates(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's wording of petitions and memoranda, edited from one of its programmes."""
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind") or PetitionTemplate.Kind.PETITION
    language = source.get("language") or "en"
    back = reverse("dialogues:petition_templates", args=[pk])
    if kind not in PetitionTemplate.Kind.values or language not in ("en", "sw"):
        return _bad(request, _("Choose a petition or a memorandum, in English or Kiswahili."), back)
    if request.method == "POST":
        return _run(
            request,
            f"{back}?kind={kind}&language={language}",
            lambda: actions.do_save_petition_template(
                programme.organisation,
                _user(request),
                kind=kind,
                language=language,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
            ),
            _("Template saved."),
        )
    title, body = petitions.template_for(programme.organisation_id, kind, language)
    context = {
        "programme": programme,
        "kind": kind,
        "language": language,
        "title": title,
        "body": body,
        "kinds": PetitionTemplate.Kind.choices,
        "placeholders": [(f"{{{k}}}", v) for k, v in petitions.PLACEHOLDERS.items()],
        "own": PetitionTemplate.objects.filter(
            organisation=programme.organisation, kind=kind, language=language
        ).exists(),
    }
    return render(request, "dialogues/petition_templates.html", context)


# --- The community's verdict (issue 15) ----------------------------------------------------------


@login_required
@require_POST
def commitment_hands(request: HttpRequest, pk: int) -> HttpResponse:
    """A show of hands at a follow-up meeting: counts for yes, no and not sure."""
    c = _commitment(request, pk)
    _manage(request, c.priority.programme)
    p = request.POST
    back = reverse("dialogues:commitment", args=[pk])
    meeting = c.priority.programme.meetings.filter(pk=p.get("meeting") or 0).first()
    if meeting is None:
        return _bad(request, _("Choose the meeting where hands were counted."), back)
    return _run(
        request,
        back,
        lambda: actions.do_record_show_of_hands(
            c,
            _user(request),
            meeting=meeting,
            yes=_int(p, "yes", default=0),
            no=_int(p, "no", default=0),
            unsure=_int(p, "unsure", default=0),
            note=p.get("note", ""),
        ),
        _("The community's verdict is recorded."),
    )


@login_required
@require_POST
def meeting_hands(request: HttpRequest, pk: int) -> HttpResponse:
    """The same, from the meeting page: choose the commitment, count the hands."""
    meeting = _meeting(request, pk, manage=True)
    p = request.POST
    back = reverse("dialogues:meeting", args=[pk]) + "#hands"
    c = Commitment.objects.filter(priority__programme=meeting.programme, pk=p.get("commitment") or 0).first()
    if c is None:
        return _bad(request, _("Choose the commitment the hands were counted for."), back)
    return _run(
        request,
        back,
        lambda: actions.do_record_show_of_hands(
            c,
            _user(request),
            meeting=meeting,
            yes=_int(p, "yes", default=0),
            no=_int(p, "no", default=0),
            unsure=_int(p, "unsure", default=0),
            note=p.get("note", ""),
        ),
        _("The community's verdict is recorded."),
    )


# --- Follow-up actions ---------------------------------------------------------------------------


def _back(p: QueryDict, default: str) -> str:
    """Where to go after the form: a page of this app the form came from, never elsewhere."""
    back = p.get("back", "")
    return back if back.startswith("/dialogues/") and "//" not in back else default


def _owner(programme: Programme, p: QueryDict) -> tuple[Group | None, Contact | None]:
    group = programme.groups.filter(pk=p.get("owner_group") or 0).first()
    contact = (
        Contact.objects.filter(
            pk=p.get("owner_contact") or 0, group_memberships__group__in=programme.groups.all()
        ).first()
        if p.get("owner_contact")
        else None
    )
    return group, contact


@login_required
@require_POST
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    p = request.POST
    back = _back(p, reverse("dialogues:programme", args=[pk]))
    group, contact = _owner(programme, p)
    meeting = programme.meetings.filter(pk=p.get("meeting") or 0).first()
    priority = programme.priorities.filter(pk=p.get("priority") or 0).first()
    commitment = Commitment.objects.filter(priority__programme=programme, pk=p.get("commitment") or 0).first()
    return _run(
        request,
        back,
        lambda: actions.do_add_follow_up(
            programme,
            _user(request),
            what=p.get("what", ""),
            owner=p.get("owner", ""),
            owner_group=group,
            owner_contact=contact,
            due_on=_date(p, "due_on", required=False),
            meeting=meeting,
            priority=priority,
            commitment=commitment,
        ),
        _("Follow-up action added."),
    )


def _follow_up(request: HttpRequest, pk: int) -> FollowUpAction:
    action = (
        FollowUpAction.objects.filter(pk=pk, programme__in=programmes_for(request.user))
        .select_related("programme__organisation")
        .first()
    )
    if action is None:
        raise Http404
    _manage(request, action.programme)
    return action


@login_required
@require_POST
def follow_up_close(request: HttpRequest, pk: int) -> HttpResponse:
    action = _follow_up(request, pk)
    p = request.POST
    back = _back(p, reverse("dialogues:programme", args=[action.programme_id]))
    if p.get("state") == "open":
        return _run(
            request, back, lambda: actions.do_reopen_follow_up(action, _user(request)), _("Reopened.")
        )
    return _run(
        request,
        back,
        lambda: actions.do_close_follow_up(
            action, _user(request), state=p.get("state", ""), outcome=p.get("outcome", "")
        ),
        _("Follow-up action closed."),
    )


# --- Breakouts -----------------------------------------------------------------------------------


@login_required
@require_POST
def breakouts_form(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    p = request.POST
    back = reverse("dialogues:meeting", args=[pk]) + "#breakouts"
    return _run(
        request,
        back,
        lambda: actions.do_form_breakouts(
            meeting,
            _user(request),
            count=_int(p, "count"),
            composition=p.get("composition", ""),
            names=p.get("names", "").split(","),
        ),
        _("Breakout groups formed."),
    )


def _breakout(request: HttpRequest, pk: int) -> Breakout:
    breakout = (
        Breakout.objects.filter(pk=pk, meeting__programme__in=programmes_for(request.user))
        .select_related("meeting__programme")
        .first()
    )
    if breakout is None:
        raise Http404
    _manage(request, breakout.meeting.programme)
    return breakout


@login_required
@require_POST
def breakout_record(request: HttpRequest, pk: int) -> HttpResponse:
    breakout = _breakout(request, pk)
    p = request.POST
    back = reverse("dialogues:meeting", args=[breakout.meeting_id]) + f"#breakout-{pk}"
    members = Attendance.objects.filter(meeting=breakout.meeting, pk__in=p.getlist("members"))
    groups = breakout.meeting.programme.groups.filter(pk__in=p.getlist("groups"))
    return _run(
        request,
        back,
        lambda: actions.do_record_breakout(
            breakout,
            _user(request),
            members=members,
            walk_ins=_int(p, "walk_ins", default=0),
            groups=groups,
            analysis=p.get("analysis", ""),
            strategies=p.get("strategies", ""),
        ),
        _("Breakout saved."),
    )


@login_required
@require_POST
def breakout_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """After the plenary: one of the breakout's strategies becomes a follow-up action."""
    breakout = _breakout(request, pk)
    programme = breakout.meeting.programme
    p = request.POST
    back = reverse("dialogues:meeting", args=[breakout.meeting_id]) + f"#breakout-{pk}"
    group, contact = _owner(programme, p)
    priority = programme.priorities.filter(pk=p.get("priority") or 0).first()
    return _run(
        request,
        back,
        lambda: actions.do_adopt_strategy(
            breakout,
            _user(request),
            what=p.get("what", ""),
            owner=p.get("owner", ""),
            owner_group=group,
            owner_contact=contact,
            due_on=_date(p, "due_on", required=False),
            priority=priority,
        ),
        _("Strategy adopted as a follow-up action."),
    )


# --- Officials act for their office --------------------------------------------------------------


def _office_invitation(request: HttpRequest, pk: int) -> Invitation:
    inv = (
        Invitation.objects.filter(pk=pk)
        .exclude(status=Invitation.Status.DRAFTED)
        .select_related("programme", "office", "round", "meeting")
        .first()
    )
    if inv is None or inv.office_id not in official_offices(request.user):
        raise Http404
    if not acts_for_office(request.user, inv.office_id):
        raise PermissionDenied
    return inv


@login_required
@require_POST
def invitation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    inv = _office_invitation(request, pk)
    p = request.POST
    back = reverse("dialogues:my_office")
    accept = p.get("answer") == "accept"
    return _run(
        request,
        back,
        lambda: actions.do_reply_to_invitation(
            inv,
            _user(request),
            accept=accept,
            proposed_date=None if accept else _date(p, "proposed_date", required=False),
            note=p.get("note", ""),
        ),
        _("Your answer is recorded."),
    )


@login_required
@require_POST
def office_response(request: HttpRequest, pk: int) -> HttpResponse:
    """An official records their office's response to a priority they were invited to answer."""
    inv = _office_invitation(request, pk)
    p = request.POST
    back = reverse("dialogues:my_office")
    priority = inv.round.priorities.filter(pk=p.get("priority") or 0).first()
    meeting = inv.programme.meetings.filter(
        pk=p.get("meeting") or 0, kind__in=actions.TAKES_RESPONSES
    ).first()
    if priority is None or meeting is None:
        return _bad(request, _("Choose the priority and the meeting."), back)
    return _run(
        request,
        back,
        lambda: actions.do_record_response(
            meeting,
            _user(request),
            priority=priority,
            office=inv.office,
            official_name=p.get("official_name", "") or inv.official_name,
            text=p.get("text", ""),
        ),
        _("Response recorded."),
    )
