"""Programme, meeting, consensus, invitation, commitment and chain pages; the public scorecard.

Every POST view: check access to the page's object (sauti.people.access), parse the input with its form
(sauti/dialogues/forms.py), call one action, redirect. Bad input answers 400 with the reason on a page of its
own (forms work without JavaScript).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sauti.core.responses import form_errors, refused
from sauti.dialogues import actions, charts, letters, office, petitions, results, stats
from sauti.dialogues.access import (
    can_manage_programme,
    get_programme_for_user,
    get_rating_group_for_user,
    programmes_for,
)
from sauti.dialogues.actions import DialogueError, WalkIn
from sauti.dialogues.forms import (
    AdvanceInvitationForm,
    AttendanceForm,
    BreakoutRecordForm,
    BreakoutsForm,
    CommitmentForm,
    CommitmentHandsForm,
    CommitmentUpdateForm,
    DotsForm,
    FollowUpCloseForm,
    FollowUpForm,
    InvitationForm,
    InvitationReplyForm,
    MeetingForm,
    MeetingHandsForm,
    MinutesForm,
    OfficeResponseForm,
    PetitionForm,
    PhotoForm,
    PriorityEditForm,
    PriorityForm,
    PriorityMergeForm,
    ProgrammeForm,
    RatingForm,
    ResponseForm,
    RoundCloseForm,
    RoundForm,
    SmsBallotForm,
    StrategyForm,
    SurveyReplyForm,
    TemplateChoiceForm,
    TemplateForm,
    VerificationForm,
    VoteForm,
)
from sauti.dialogues.models import (
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
from sauti.people.access import Perm, acts_for_office, can, official_offices, organisations_for, request_user
from sauti.people.actions import reveal_identities
from sauti.people.models import Contact, Office, Organisation


def _without(form: forms.Form, *names: str) -> dict[str, Any]:
    """The form's values but `names`: the keyword arguments of its action."""
    return {k: v for k, v in form.cleaned_data.items() if k not in names}


def _run(request: HttpRequest, back: str, fn: Callable[[], object], done: str) -> HttpResponse:
    try:
        fn()
    except DialogueError as e:
        return refused(request, str(e), back)
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
        form = ProgrammeForm(request.POST, organisations=orgs)
        valid = form.is_valid()
        org = form.cleaned_data.get("organisation")
        if org is None:
            raise PermissionDenied
        back = reverse("dialogues:programme_list")
        if not valid:
            return refused(request, form_errors(form), back)
        try:
            programme = actions.do_create_programme(
                org, request_user(request), **_without(form, "organisation")
            )
        except DialogueError as e:
            return refused(request, str(e), back)
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
    form = MeetingForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_schedule_meeting(programme, request_user(request), **form.cleaned_data),
        _("Meeting saved."),
    )


@login_required
@require_POST
def priority_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:programme", args=[pk])
    form = PriorityForm(request.POST, programme=programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_raise_priority(programme, request_user(request), **form.cleaned_data),
        _("Priority added."),
    )


@login_required
@require_POST
def priority_merge(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:programme", args=[pk])
    form = PriorityMergeForm(request.POST, programme=programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    return _run(
        request,
        back,
        lambda: actions.do_merge_priorities(data["keep"], list(data["merge"]), request_user(request)),
        _("Priorities merged."),
    )


@login_required
@require_POST
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:programme", args=[pk])
    form = RoundForm(request.POST, programme=programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    try:
        rnd = actions.do_open_round(
            programme, request_user(request), **{**data, "priorities": list(data["priorities"])}
        )
    except DialogueError as e:
        return refused(request, str(e), back)
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
            names = reveal_identities(
                request_user(request), contacts, f"dialogue attendance, meeting {meeting.pk}"
            )
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
    back = reverse("dialogues:meeting", args=[pk])
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    return _run(
        request,
        back,
        lambda: actions.do_record_meeting(
            meeting,
            request_user(request),
            minutes=data["minutes"],
            decisions=data["decisions"],
            officials_present=data["officials_present"],
            offices=data["offices_present"],
        ),
        _("Minutes saved."),
    )


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    back = reverse("dialogues:meeting", args=[pk])
    form = AttendanceForm(request.POST, programme=meeting.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    walk_in = WalkIn(data["sex"], data["age_band"], data["walk_in_group"], data["role"])
    try:
        added = actions.do_record_attendance(
            meeting,
            request_user(request),
            contacts=data["contacts"],
            walk_ins=[walk_in] * data["walk_in_count"],
        )
    except DialogueError as e:
        return refused(request, str(e), back)
    messages.success(request, _("%(n)d attendances added.") % {"n": added})
    return redirect(back)


@login_required
@require_POST
def meeting_remind(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    back = reverse("dialogues:meeting", args=[pk])
    try:
        n = actions.do_send_meeting_reminders(meeting, request_user(request))
    except DialogueError as e:
        return refused(request, str(e), back)
    messages.success(request, _("%(n)d SMS reminders queued.") % {"n": n})
    return redirect(back)


@login_required
@require_POST
def meeting_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    back = reverse("dialogues:meeting", args=[pk])
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    return _run(
        request,
        back,
        lambda: actions.do_add_meeting_photo(meeting, request_user(request), data["photo"], data["caption"]),
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
    back = reverse("dialogues:meeting", args=[pk])
    form = ResponseForm(request.POST, programme=meeting.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_record_response(meeting, request_user(request), **form.cleaned_data),
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
    back = reverse("dialogues:meeting", args=[response.meeting_id])
    form = CommitmentForm(request.POST, response=response)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_record_commitment(
            response.priority,
            request_user(request),
            office=response.office,
            response=response,
            **form.cleaned_data,
        ),
        _("Commitment recorded."),
    )


@login_required
@require_POST
def response_rate(request: HttpRequest, pk: int) -> HttpResponse:
    response = _response(request, pk)
    back = reverse("dialogues:meeting", args=[response.meeting_id])
    form = RatingForm(request.POST, meeting=response.meeting)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    programme = response.meeting.programme
    group = get_rating_group_for_user(request.user, programme, data["group"])
    try:
        actions.do_rate_response(
            response,
            request_user(request),
            group=group,
            rating=data["rating"],
            notes=data["notes"],
            breakout=data["breakout"],
            action=data["action"],
            owner=data["owner"],
            action_due=data["action_due"],
        )
    except DialogueError as e:
        return refused(request, str(e), back)
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
    back = reverse("dialogues:round", args=[pk])
    form = DotsForm(request.POST, rnd=rnd)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    group = form.cleaned_data["group"]
    try:
        actions.do_record_dots(
            rnd, request_user(request), group=group, voters=form.cleaned_data["voters"], dots=form.dots()
        )
    except DialogueError as e:
        return refused(request, str(e), back)
    messages.success(request, _("Dots recorded for %(group)s.") % {"group": group.name})
    return redirect(back)


@login_required
@require_POST
def round_vote(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    back = reverse("dialogues:round", args=[pk])
    form = VoteForm(request.POST, rnd=rnd)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_cast_web_ballot(rnd, request_user(request), form.ranks(), form.cleaned_data["group"])
    except DialogueError as e:
        return refused(request, str(e), back)
    messages.success(request, _("Your vote is recorded."))
    return redirect(back)


@login_required
@require_POST
def round_sms(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the ballot by SMS, or record an SMS reply received (replies by SMS also arrive on their own through the messaging layer)."""
    rnd = _round(request, pk)
    _manage(request, rnd.programme)
    back = reverse("dialogues:round", args=[pk])
    form = SmsBallotForm(request.POST, programme=rnd.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    if form.cleaned_data["send"]:
        try:
            n = actions.do_send_ballot_sms(rnd, request_user(request))
        except DialogueError as e:
            return refused(request, str(e), back)
        messages.success(request, _("%(n)d SMS ballots queued.") % {"n": n})
        return redirect(back)
    ballot = actions.do_record_sms_vote(rnd, form.cleaned_data["contact"], form.cleaned_data["text"])
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
    back = reverse("dialogues:round", args=[pk])
    form = RoundCloseForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    freeze = form.cleaned_data["step"] == "freeze"
    fn = actions.do_freeze_round if freeze else actions.do_close_round
    return _run(
        request,
        back,
        lambda: fn(rnd, request_user(request)),
        _("Agreed list frozen.") if freeze else _("Voting closed."),
    )


# --- Invitations ---------------------------------------------------------------------------------


@login_required
@require_POST
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    _manage(request, rnd.programme)
    form = InvitationForm(request.POST, programme=rnd.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), reverse("dialogues:round", args=[pk]))
    return _run(
        request,
        reverse("dialogues:programme", args=[rnd.programme_id]),
        lambda: actions.do_draft_invitation(rnd, request_user(request), **form.cleaned_data),
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
    form = AdvanceInvitationForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_advance_invitation(inv, request_user(request), form.cleaned_data["agreed_date"]),
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
    back = reverse("dialogues:commitment", args=[pk])
    form = CommitmentUpdateForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_update_commitment(c, request_user(request), **form.cleaned_data),
        _("Commitment updated."),
    )


@login_required
@require_POST
def commitment_verify(request: HttpRequest, pk: int) -> HttpResponse:
    c = _commitment(request, pk)
    _manage(request, c.priority.programme)
    back = reverse("dialogues:commitment", args=[pk])
    form = VerificationForm(request.POST, programme=c.priority.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_start_verification(c, request_user(request), **form.cleaned_data),
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
    form = SurveyReplyForm(request.POST, programme=survey.commitment.priority.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    if actions.do_record_verification_reply(survey, data["contact"], data["text"], data["channel"]) is None:
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
    back = reverse("dialogues:priority", args=[pk])
    form = PriorityEditForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_edit_priority(priority, request_user(request), **form.cleaned_data),
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
    back = reverse("dialogues:round", args=[pk])
    form = PetitionForm(request.POST, programme=rnd.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    fmt, kind, language = data["format"], data["kind"], data["language"]
    try:
        body = actions.do_make_petition(
            rnd,
            request_user(request),
            kind=kind,
            office=data["office"],
            official=data["official_name"],
            language=language,
            fmt=fmt,
            testimonies=data["testimonies"],
        )
    except DialogueError as e:
        return refused(request, str(e), back)
    response = HttpResponse(body, content_type="application/pdf" if fmt == "pdf" else DOCX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-{rnd.pk}-{language}.{fmt}"'
    return response


@login_required
def petition_templates(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's wording of petitions and memoranda, edited from one of its programmes."""
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:petition_templates", args=[pk])
    form = TemplateForm(request.POST) if request.method == "POST" else TemplateChoiceForm(request.GET)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    kind, language = form.cleaned_data["kind"], form.cleaned_data["language"]
    if request.method == "POST":
        return _run(
            request,
            f"{back}?kind={kind}&language={language}",
            lambda: actions.do_save_petition_template(
                programme.organisation, request_user(request), **form.cleaned_data
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
    back = reverse("dialogues:commitment", args=[pk])
    form = CommitmentHandsForm(request.POST, programme=c.priority.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_record_show_of_hands(
            c, request_user(request), meeting=form.cleaned_data["meeting"], **form.counts()
        ),
        _("The community's verdict is recorded."),
    )


@login_required
@require_POST
def meeting_hands(request: HttpRequest, pk: int) -> HttpResponse:
    """The same, from the meeting page: choose the commitment, count the hands."""
    meeting = _meeting(request, pk, manage=True)
    back = reverse("dialogues:meeting", args=[pk]) + "#hands"
    form = MeetingHandsForm(request.POST, programme=meeting.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_record_show_of_hands(
            form.cleaned_data["commitment"], request_user(request), meeting=meeting, **form.counts()
        ),
        _("The community's verdict is recorded."),
    )


# --- Follow-up actions ---------------------------------------------------------------------------


@login_required
@require_POST
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    form = FollowUpForm(request.POST, programme=programme)
    valid = form.is_valid()
    back = form.back_or(reverse("dialogues:programme", args=[pk]))
    if not valid:
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_add_follow_up(programme, request_user(request), **_without(form, "back")),
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
    form = FollowUpCloseForm(request.POST)
    valid = form.is_valid()
    back = form.back_or(reverse("dialogues:programme", args=[action.programme_id]))
    if not valid:
        return refused(request, form_errors(form), back)
    state, outcome = form.cleaned_data["state"], form.cleaned_data["outcome"]
    if state == "open":
        return _run(
            request, back, lambda: actions.do_reopen_follow_up(action, request_user(request)), _("Reopened.")
        )
    return _run(
        request,
        back,
        lambda: actions.do_close_follow_up(action, request_user(request), state=state, outcome=outcome),
        _("Follow-up action closed."),
    )


# --- Breakouts -----------------------------------------------------------------------------------


@login_required
@require_POST
def breakouts_form(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, manage=True)
    back = reverse("dialogues:meeting", args=[pk]) + "#breakouts"
    form = BreakoutsForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    return _run(
        request,
        back,
        lambda: actions.do_form_breakouts(
            meeting,
            request_user(request),
            count=data["count"],
            composition=data["composition"],
            names=data["names"].split(","),
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
    back = reverse("dialogues:meeting", args=[breakout.meeting_id]) + f"#breakout-{pk}"
    form = BreakoutRecordForm(request.POST, breakout=breakout)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_record_breakout(breakout, request_user(request), **form.cleaned_data),
        _("Breakout saved."),
    )


@login_required
@require_POST
def breakout_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """After the plenary: one of the breakout's strategies becomes a follow-up action."""
    breakout = _breakout(request, pk)
    back = reverse("dialogues:meeting", args=[breakout.meeting_id]) + f"#breakout-{pk}"
    form = StrategyForm(request.POST, programme=breakout.meeting.programme)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    return _run(
        request,
        back,
        lambda: actions.do_adopt_strategy(breakout, request_user(request), **form.cleaned_data),
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
    back = reverse("dialogues:my_office")
    form = InvitationReplyForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    accept = data["answer"] == "accept"
    return _run(
        request,
        back,
        lambda: actions.do_reply_to_invitation(
            inv,
            request_user(request),
            accept=accept,
            proposed_date=None if accept else data["proposed_date"],
            note=data["note"],
        ),
        _("Your answer is recorded."),
    )


@login_required
@require_POST
def office_response(request: HttpRequest, pk: int) -> HttpResponse:
    """An official records their office's response to a priority they were invited to answer."""
    inv = _office_invitation(request, pk)
    back = reverse("dialogues:my_office")
    form = OfficeResponseForm(request.POST, invitation=inv)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    return _run(
        request,
        back,
        lambda: actions.do_record_response(
            data["meeting"],
            request_user(request),
            priority=data["priority"],
            office=inv.office,
            official_name=data["official_name"] or inv.official_name,
            text=data["text"],
        ),
        _("Response recorded."),
    )
