"""Mapping exercise pages: record hotspots and the actor map during the meeting, read them by segment, and
compare two snapshots side by side."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sauti.core.responses import form_errors, refused
from sauti.dialogues.access import can_manage_programme, get_programme_for_user, programmes_for
from sauti.dialogues.models import Meeting
from sauti.dialogues.reach import ensure_default_segments
from sauti.mapping import actions, network
from sauti.mapping.actions import MappingError
from sauti.mapping.forms import ActorForm, ExerciseForm, HotspotForm, TieForm
from sauti.mapping.models import HotspotKind, MappingExercise
from sauti.people.access import Perm, request_user


def _exercise(request: HttpRequest, pk: int, *, manage: bool = False) -> MappingExercise:
    exercise = (
        MappingExercise.objects.filter(pk=pk, meeting__programme__in=programmes_for(request.user))
        .select_related("meeting__programme")
        .first()
    )
    if exercise is None:
        raise Http404
    if manage:
        get_programme_for_user(request.user, exercise.meeting.programme_id, Perm.MANAGE_DIALOGUES)
    return exercise


def _by_place(exercise: MappingExercise) -> list[dict[str, Any]]:
    """Each place with who marked it how: segment → kinds, so youth's "unsafe" sits beside police's "safe"."""
    names = {s.key: s.label() for s in exercise.meeting.programme.segments.all()}
    kinds = dict(HotspotKind.choices)
    places: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    reasons: dict[str, list[str]] = defaultdict(list)
    for h in exercise.hotspots.all():
        places[h.label][(h.segment, h.kind)] += 1
        if h.reason:
            reasons[h.label].append(h.reason)
    return [
        {
            "label": label,
            "marks": [
                {
                    "segment": names.get(seg, seg) or _("not recorded"),
                    "kind": str(kinds[kind]),
                    "css": kind,
                    "n": n,
                }
                for (seg, kind), n in sorted(marks.items())
            ],
            "disputed": len({kind for _seg, kind in marks} & {"safe", "unsafe", "go_zone", "conflict"}) > 1
            and "safe" in {kind for _seg, kind in marks},
            "reasons": reasons[label][:5],
        }
        for label, marks in sorted(places.items())
    ]


def _network(exercises: list[MappingExercise]) -> list[dict[str, Any]]:
    positions = network.layout((a.kind, a.name) for e in exercises for a in e.actors.all())
    out = []
    for e in exercises:
        actors = [(a.name, a.kind) for a in e.actors.all()]
        ties = [
            (t.source.name, t.target.name, t.kind, t.strength)
            for t in e.ties.select_related("source", "target")
        ]
        nodes, edges = network.diagram(actors, ties, positions)
        out.append({"exercise": e, "nodes": nodes, "edges": edges, "size": network.SIZE})
    return out


@login_required
@require_GET
def meeting_exercises(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = (
        Meeting.objects.filter(pk=pk, programme__in=programmes_for(request.user))
        .select_related("programme")
        .first()
    )
    if meeting is None:
        raise Http404
    return render(
        request,
        "mapping/meeting.html",
        {
            "meeting": meeting,
            "exercises": MappingExercise.objects.filter(meeting=meeting),
            "others": MappingExercise.objects.filter(meeting__programme=meeting.programme).exclude(
                meeting=meeting
            ),
            "manage": can_manage_programme(request.user, meeting.programme),
            "form": ExerciseForm(),
        },
    )


@login_required
@require_POST
def exercise_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = (
        Meeting.objects.filter(pk=pk, programme__in=programmes_for(request.user))
        .select_related("programme")
        .first()
    )
    if meeting is None:
        raise Http404
    get_programme_for_user(request.user, meeting.programme_id, Perm.MANAGE_DIALOGUES)
    back = reverse("mapping:meeting", args=[pk])
    form = ExerciseForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        exercise = actions.do_start_exercise(meeting, request_user(request), **form.cleaned_data)
    except MappingError as e:
        return refused(request, str(e), back)
    return redirect("mapping:exercise", exercise.pk)


@login_required
@require_GET
def exercise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = _exercise(request, pk)
    ensure_default_segments(exercise.meeting.programme)
    manage = can_manage_programme(request.user, exercise.meeting.programme)
    return render(
        request,
        "mapping/exercise.html",
        {
            "exercise": exercise,
            "places": _by_place(exercise),
            "points": [
                {"lat": h.lat, "lon": h.lon, "label": h.label, "kind": h.kind}
                for h in exercise.hotspots.all()
                if h.lat is not None
            ],
            "network": _network([exercise])[0],
            "manage": manage,
            "hotspot_form": HotspotForm(exercise) if manage else None,
            "actor_form": ActorForm() if manage else None,
            "tie_form": TieForm(exercise) if manage else None,
            "others": MappingExercise.objects.filter(meeting__programme=exercise.meeting.programme).exclude(
                pk=pk
            ),
        },
    )


def _post(request: HttpRequest, pk: int, make_form: Any, act: Any, done: str) -> HttpResponse:
    exercise = _exercise(request, pk, manage=True)
    back = reverse("mapping:exercise", args=[pk])
    form = make_form(exercise, request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        act(exercise, request_user(request), **form.cleaned_data)
    except MappingError as e:
        return refused(request, str(e), back)
    messages.success(request, done)
    return redirect(back)


@login_required
@require_POST
def hotspot_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, HotspotForm, actions.do_mark_hotspot, _("Place marked."))


@login_required
@require_POST
def actor_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, lambda _e, data: ActorForm(data), actions.do_add_actor, _("Actor added."))


@login_required
@require_POST
def tie_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(request, pk, TieForm, actions.do_add_tie, _("Tie added."))


@login_required
@require_GET
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two snapshots side by side: the actor maps in one layout, and how each place's marks changed."""
    first = _exercise(request, pk)
    other = (
        _exercise(request, int(request.GET.get("with") or 0))
        if (request.GET.get("with") or "").isdigit()
        else None
    )
    if other is None or other.meeting.programme_id != first.meeting.programme_id:
        return refused(
            request,
            _("Choose another exercise of the same programme to compare with."),
            reverse("mapping:exercise", args=[pk]),
        )
    pair = sorted([first, other], key=lambda e: (e.meeting.starts_at, e.pk))
    kinds = dict(HotspotKind.choices)

    def marks(e: MappingExercise) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for h in e.hotspots.all():
            out[h.label][h.kind] += 1
        return out

    before, after = marks(pair[0]), marks(pair[1])
    changes = [
        {
            "label": label,
            "before": ", ".join(f"{kinds[k]} ×{n}" for k, n in sorted(before.get(label, Counter()).items()))
            or "—",
            "after": ", ".join(f"{kinds[k]} ×{n}" for k, n in sorted(after.get(label, Counter()).items()))
            or "—",
        }
        for label in sorted(set(before) | set(after))
    ]
    return render(
        request, "mapping/compare.html", {"pair": _network(pair), "changes": changes, "first": first}
    )
