"""Peer learning pages: the practice library (public for shareable practices), exchange visits, adoptions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sauti.core.responses import form_errors, refused
from sauti.monitoring.texts import TextPolicy
from sauti.peers import actions
from sauti.peers.actions import PeerError
from sauti.peers.forms import AdoptionForm, FileForm, LessonForm, PracticeForm, SearchForm, VisitForm
from sauti.peers.models import ExchangeVisit, Practice, PracticeFile
from sauti.people.access import Perm, can, organisations_for, request_user
from sauti.people.models import Organisation


def _orgs(request: HttpRequest, perm: Perm) -> list[Organisation]:
    return [o for o in organisations_for(request.user) if can(request.user, perm, o)]


def _managed_org(request: HttpRequest) -> Organisation:
    """The organisation the user manages peer learning for (`?org=<slug>` when there are several)."""
    orgs = _orgs(request, Perm.MANAGE_DIALOGUES)
    slug = request.GET.get("org") or request.POST.get("org")
    chosen = [o for o in orgs if o.slug == slug] if slug else orgs[:1]
    if not chosen:
        raise Http404
    return chosen[0]


def _visible_practices(request: HttpRequest) -> QuerySet[Practice]:
    own = [o.pk for o in _orgs(request, Perm.VIEW_DIALOGUES)]
    return Practice.objects.filter(Q(shareable=True) | Q(organisation__in=own))


def _practice(request: HttpRequest, pk: int) -> tuple[Practice, bool]:
    practice = _visible_practices(request).select_related("organisation", "county").filter(pk=pk).first()
    if practice is None:
        raise Http404
    return practice, can(request.user, Perm.MANAGE_DIALOGUES, practice.organisation)


_FREE_TEXTS = ("title", "problem", "approach", "cost", "where_it_works")


def _shown(request: HttpRequest, practices: list[Practice]) -> list[Practice]:
    """Free texts through the report texts' redaction for readers who may not see the organisation's
    identities (the public always): `p.shown` holds what the page shows; the model keeps what was written."""
    policy = TextPolicy.for_user(request.user)
    policy.prepare((p.organisation_id, getattr(p, f)) for p in practices for f in _FREE_TEXTS)
    for p in practices:
        p.shown = {f: policy.text(p.organisation_id, getattr(p, f)).text for f in _FREE_TEXTS}  # type: ignore[attr-defined]
    return practices


@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """Searchable by problem and place; anyone sees shareable practices, members their own too."""
    form = SearchForm(request.GET or None)
    practices = _visible_practices(request).select_related("organisation", "county")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        for word in q.split()[:8]:
            practices = practices.filter(
                Q(title__icontains=word)
                | Q(problem__icontains=word)
                | Q(approach__icontains=word)
                | Q(where_it_works__icontains=word)
            )
        if form.cleaned_data["county"]:
            practices = practices.filter(county=form.cleaned_data["county"])
    return render(
        request,
        "peers/library.html",
        {
            "form": form,
            "practices": _shown(request, list(practices[:200])),
            "can_add": bool(_orgs(request, Perm.MANAGE_DIALOGUES)),
        },
    )


@require_GET
def practice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    practice, manage = _practice(request, pk)
    org = practice.organisation
    _shown(request, [practice])
    policy = TextPolicy.for_user(request.user)
    adoptions = list(practice.adoptions.select_related("group"))
    for a in adoptions:
        a.shown_results = policy.text(org.pk, a.results).text  # type: ignore[attr-defined]
    return render(
        request,
        "peers/practice.html",
        {
            "practice": practice,
            "manage": manage,
            "groups": practice.groups.all(),
            "files": practice.files.all(),
            "visits": practice.visits.select_related("host_group"),
            "adoptions": adoptions,
            "file_form": FileForm(),
            "adoption_form": AdoptionForm(org) if manage else None,
            "edit_form": PracticeForm(org, instance=practice) if manage else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def practice_create(request: HttpRequest) -> HttpResponse:
    org = _managed_org(request)
    form = PracticeForm(org, request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "peers/practice_form.html", {"form": form, "org": org}, status=400)
        data = dict(form.cleaned_data)
        groups = data.pop("groups")
        practice = actions.do_save_practice(org, request_user(request), groups=groups, **data)
        return redirect("peers:practice", practice.pk)
    return render(request, "peers/practice_form.html", {"form": form, "org": org})


@login_required
@require_POST
def practice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    practice, manage = _practice(request, pk)
    back = reverse("peers:practice", args=[pk])
    if not manage:
        raise Http404
    form = PracticeForm(practice.organisation, request.POST, instance=practice)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = dict(form.cleaned_data)
    groups = data.pop("groups")
    actions.do_save_practice(
        practice.organisation, request_user(request), practice=practice, groups=groups, **data
    )
    messages.success(request, _("Practice saved."))
    return redirect(back)


@login_required
@require_POST
def practice_file_add(request: HttpRequest, pk: int) -> HttpResponse:
    practice, manage = _practice(request, pk)
    back = reverse("peers:practice", args=[pk])
    if not manage:
        raise Http404
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_attach_practice_file(
            practice, request_user(request), form.cleaned_data["file"], form.cleaned_data["caption"]
        )
    except PeerError as e:
        return refused(request, str(e), back)
    messages.success(request, _("File added."))
    return redirect(back)


@require_GET
def practice_file(request: HttpRequest, pk: int) -> FileResponse:
    item = PracticeFile.objects.filter(pk=pk, practice__in=_visible_practices(request)).first()
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), filename=item.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def practice_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    practice, manage = _practice(request, pk)
    back = reverse("peers:practice", args=[pk])
    if not manage:
        raise Http404
    form = AdoptionForm(practice.organisation, request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_record_adoption(practice, request_user(request), **form.cleaned_data)
    except PeerError as e:
        return refused(request, str(e), back)
    messages.success(request, _("Adoption recorded."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def visits(request: HttpRequest) -> HttpResponse:
    org = _managed_org(request)
    form = VisitForm(org, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                visit = actions.do_record_visit(org, request_user(request), **form.cleaned_data)
            except PeerError as e:
                form.add_error(None, str(e))
            else:
                return redirect("peers:visit", visit.pk)
        status = 400
    return render(
        request,
        "peers/visits.html",
        {
            "org": org,
            "form": form,
            "visits": ExchangeVisit.objects.filter(organisation=org).select_related("host_group"),
        },
        status=status,
    )


def _visit(request: HttpRequest, pk: int) -> ExchangeVisit:
    own = [o.pk for o in _orgs(request, Perm.VIEW_DIALOGUES)]
    visit = (
        ExchangeVisit.objects.filter(pk=pk, organisation__in=own)
        .select_related("host_group", "organisation")
        .first()
    )
    if visit is None:
        raise Http404
    return visit


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    policy = TextPolicy.for_user(request.user)
    org_id = visit.organisation_id
    lessons = list(visit.lessons.all())
    for lesson in lessons:
        lesson.shown_text = policy.text(org_id, lesson.text).text  # type: ignore[attr-defined]
    shown = [(p.pk, policy.text(p.organisation_id, p.title).text) for p in visit.practices.all()]
    return render(
        request,
        "peers/visit.html",
        {
            "visit": visit,
            "lessons": lessons,
            "practices_shown": shown,
            "other_visitors": policy.text(org_id, visit.other_visitors).text,
            "place": policy.text(org_id, visit.place).text,
            "manage": can(request.user, Perm.MANAGE_DIALOGUES, visit.organisation),
            "lesson_form": LessonForm(),
        },
    )


@login_required
@require_POST
def lesson_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk)
    back = reverse("peers:visit", args=[pk])
    if not can(request.user, Perm.MANAGE_DIALOGUES, visit.organisation):
        raise Http404
    form = LessonForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_add_lesson(visit, request_user(request), **form.cleaned_data)
    except PeerError as e:
        return refused(request, str(e), back)
    messages.success(request, _("Lesson recorded."))
    return redirect(back)
