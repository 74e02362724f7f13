"""People reached by a programme: indicators against targets, sign-in sheets, segments, merging people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sauti.core.responses import form_errors, refused
from sauti.dialogues import actions, reach
from sauti.dialogues.access import can_manage_programme, get_programme_for_user, programmes_for
from sauti.dialogues.actions import DialogueError
from sauti.dialogues.forms import (
    AttendanceSheetForm,
    MergeParticipantsForm,
    OutcomeForm,
    SegmentForm,
    TargetsForm,
)
from sauti.dialogues.models import Indicator, Meeting, Participant, ProgrammeSegment
from sauti.insights.charts import bar_chart
from sauti.people.access import Perm, can, request_user
from sauti.people.imports import ImportFileError, read_table
from sauti.people.models import Contact
from sauti.people.phones import mask_phone


@login_required
@require_GET
def programme_reach(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.VIEW_DIALOGUES)
    segments = reach.ensure_default_segments(programme)
    result = reach.indicators(programme)
    names = {s.key: s.label() for s in segments}
    sexes, ages = dict(Contact.GENDER_CHOICES), dict(Contact.AGE_BANDS)
    unknown = _("not recorded")
    charts = [
        bar_chart(
            "reach-segment",
            _("People reached by segment"),
            [(names.get(k, unknown), n) for k, n in result["by_segment"].items()],
            value_label=_("People"),
        ),
        bar_chart(
            "reach-sex",
            _("People reached by sex"),
            [(str(sexes.get(k, unknown)), n) for k, n in result["by_sex"].items()],
            value_label=_("People"),
        ),
        bar_chart(
            "reach-age",
            _("People reached by age band"),
            [(str(ages.get(k, unknown)), n) for k, n in result["by_age_band"].items()],
            value_label=_("People"),
        ),
        bar_chart(
            "reach-ward",
            _("People reached by ward"),
            sorted(result["by_ward"].items(), key=lambda kv: -kv[1]),
            value_label=_("People"),
        ),
    ]
    targets = [
        {
            "label": Indicator(key).label,
            **value,
            "bar": min(100.0, value["pct"]),
        }
        for key, value in result["targets"].items()
    ]
    progress_charts = [
        bar_chart(
            f"reach-progress-{key}",
            label,
            [(row["month"], row[key]) for row in result["progress"]],
            value_label=_("So far"),
        )
        for key, label in (("people", _("People reached so far")), ("sessions", _("Sessions held so far")))
    ]
    manage = can_manage_programme(request.user, programme)
    initial = {k: v["target"] for k, v in result["targets"].items()}
    context = {
        "programme": programme,
        "r": result,
        "charts": charts,
        "progress_charts": progress_charts,
        "targets": targets,
        "segments": segments,
        "manage": manage,
        # The organisation's impact report (sauti/impact) is for those who may export its data.
        "impact": can(request.user, Perm.EXPORT_DATA, programme.organisation),
        "targets_form": TargetsForm(initial=initial),
        "segment_form": SegmentForm(),
        "outcome_form": OutcomeForm(),
        "outcomes": programme.outcomes.all(),
        "meetings": programme.meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at")[:50],
    }
    return render(request, "dialogues/reach.html", context)


@login_required
@require_POST
def programme_targets(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:reach", args=[pk])
    form = TargetsForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    actions.do_set_targets(programme, request_user(request), form.cleaned_data)
    messages.success(request, _("Targets saved."))
    return redirect(back)


@login_required
@require_POST
def programme_segment_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:reach", args=[pk])
    form = SegmentForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        ProgrammeSegment.objects.create(programme=programme, position=100, **form.cleaned_data)
    except IntegrityError:
        return refused(request, _("This programme already has a segment with that key."), back)
    messages.success(request, _("Segment added."))
    return redirect(back)


@login_required
@require_POST
def meeting_attendance_import(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = (
        Meeting.objects.filter(pk=pk, programme__in=programmes_for(request.user))
        .select_related("programme__organisation")
        .first()
    )
    if meeting is None:
        raise Http404
    get_programme_for_user(request.user, meeting.programme_id, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:meeting", args=[pk])
    form = AttendanceSheetForm(request.POST, request.FILES)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    upload = form.cleaned_data["sheet"]
    try:
        table = read_table(
            upload, upload.name or "", headers=reach.SHEET_HEADERS, required=(), any_of=("name", "phone")
        )
        summary = actions.do_import_attendance(meeting, request_user(request), table)
    except (ImportFileError, DialogueError) as e:
        return refused(request, str(e), back)
    return render(
        request,
        "dialogues/attendance_import.html",
        {"meeting": meeting, "s": summary, "notice": table.notice},
    )


@login_required
@require_GET
def programme_participants(request: HttpRequest, pk: int) -> HttpResponse:
    """People reached, without names: masked numbers, segments, sessions; same-name records flagged."""
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    people = (
        Participant.objects.filter(
            organisation=programme.organisation,
            merged_into__isnull=True,
            attendances__meeting__programme=programme,
        )
        .annotate(sessions=Count("attendances", distinct=True), first=Min("attendances__meeting__starts_at"))
        .prefetch_related("segments")
        .order_by("pk")
        .distinct()
    )
    rows = list(people[:2000])
    same_name: dict[str, list[int]] = {}
    for p in rows:
        if p.name_hash:
            same_name.setdefault(p.name_hash, []).append(p.pk)
    sexes, ages = dict(Contact.GENDER_CHOICES), dict(Contact.AGE_BANDS)
    listing = [
        {
            "pk": p.pk,
            "phone": mask_phone(p.phone) if p.phone_ciphertext else "",
            "sex": sexes.get(p.sex, ""),
            "age": ages.get(p.age_band, ""),
            "segments": ", ".join(s.label() for s in p.segments.all() if s.programme_id == programme.pk),
            "sessions": p.sessions,
            "first": p.first,
            "same_name_as": [o for o in same_name.get(p.name_hash, []) if o != p.pk],
        }
        for p in rows
    ]
    return render(
        request,
        "dialogues/participants.html",
        {"programme": programme, "people": listing, "merge_form": MergeParticipantsForm()},
    )


@login_required
@require_POST
def participant_merge(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:participants", args=[pk])
    form = MergeParticipantsForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    found = {
        p.pk: p
        for p in Participant.objects.filter(
            organisation=programme.organisation,
            pk__in=[form.cleaned_data["keep"], form.cleaned_data["other"]],
        )
    }
    keep, other = found.get(form.cleaned_data["keep"]), found.get(form.cleaned_data["other"])
    if keep is None or other is None:
        return refused(request, _("No such person in this organisation."), back)
    try:
        actions.do_merge_participants(keep, other, request_user(request))
    except DialogueError as e:
        return refused(request, str(e), back)
    messages.success(
        request, _("Merged: #%(other)d is now #%(keep)d.") % {"other": other.pk, "keep": keep.pk}
    )
    return redirect(back)


@login_required
@require_POST
def programme_outcome_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("dialogues:reach", args=[pk]) + "#outcomes"
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_record_outcome(programme, request_user(request), **form.cleaned_data)
    except DialogueError as e:
        return refused(request, str(e), back)
    messages.success(request, _("Outcome recorded."))
    return redirect(back)
