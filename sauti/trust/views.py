"""Trust surveys: a programme's surveys, the results with intervals, paper entry, the public answer page."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sauti.core.responses import form_errors, refused
from sauti.dialogues.access import can_manage_programme, get_programme_for_user
from sauti.people.access import Perm, request_user
from sauti.throttles import throttle
from sauti.throttles.models import Scope
from sauti.trust import actions, stats
from sauti.trust.actions import TrustError
from sauti.trust.forms import AnswerForm, SendForm, SurveyForm, WaveForm
from sauti.trust.models import TrustAnswer, TrustResponse, TrustSurvey

COOKIE = "sauti_trust"


def _survey(request: HttpRequest, pk: int, *, manage: bool = False) -> TrustSurvey:
    survey = TrustSurvey.objects.select_related("programme__organisation").filter(pk=pk).first()
    if survey is None:
        raise Http404
    get_programme_for_user(
        request.user, survey.programme_id, Perm.MANAGE_DIALOGUES if manage else Perm.VIEW_DIALOGUES
    )
    return survey


@login_required
@require_GET
def programme_surveys(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.VIEW_DIALOGUES)
    return render(
        request,
        "trust/programme_surveys.html",
        {
            "programme": programme,
            "surveys": TrustSurvey.objects.filter(programme=programme),
            "manage": can_manage_programme(request.user, programme),
            "form": SurveyForm(),
        },
    )


@login_required
@require_POST
def survey_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk, Perm.MANAGE_DIALOGUES)
    back = reverse("trust:programme", args=[pk])
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        survey = actions.do_create_trust_survey(
            programme, request_user(request), title=form.cleaned_data["title"]
        )
    except TrustError as e:
        return refused(request, str(e), back)
    return redirect("trust:survey", survey.pk)


def _results(survey: TrustSurvey, by: str) -> list[dict[str, object]]:
    field = "response__settlement__name" if by == "settlement" else "response__segment"
    rows = (
        TrustAnswer.objects.filter(response__wave__survey=survey)
        .values_list("item_id", "response__wave_id", field)
        .annotate(n=Count("pk"), total=Sum("score"), squares=Sum(F("score") * F("score")))
        .order_by()
    )
    table = stats.grouped((i, w, g or "", n, t, q) for i, w, g, n, t, q in rows)
    waves = list(survey.waves.all())
    names = {s.key: s.label() for s in survey.programme.segments.all()} if by == "segment" else {}
    out = []
    for item in survey.items.all():
        groups = table.get(item.pk, {})
        out.append(
            {
                "item": item,
                "rows": [
                    {
                        "group": names.get(g, g) if g else _("Everyone"),
                        "cells": [groups[g].get(w.pk) for w in waves],
                    }
                    for g in sorted(groups, key=lambda g: (g != "", names.get(g, g)))
                ],
            }
        )
    return out


@login_required
@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    by = "settlement" if request.GET.get("by") == "settlement" else "segment"
    return render(
        request,
        "trust/survey.html",
        {
            "survey": survey,
            "programme": survey.programme,
            "by": by,
            "waves": list(survey.waves.all()),
            "results": _results(survey, by),
            "answers": TrustResponse.objects.filter(wave__survey=survey).count(),
            "manage": can_manage_programme(request.user, survey.programme),
            "paper_form": AnswerForm(survey),
            "wave_form": WaveForm(),
            "send_form": SendForm(survey),
            "link": request.build_absolute_uri(reverse("trust:answer", args=[survey.token])),
        },
    )


@login_required
@require_POST
def wave_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, manage=True)
    back = reverse("trust:survey", args=[pk])
    form = WaveForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_add_wave(survey, request_user(request), **form.cleaned_data)
    except TrustError as e:
        return refused(request, str(e), back)
    messages.success(request, _("Follow-up wave added."))
    return redirect(back)


@login_required
@require_POST
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, manage=True)
    back = reverse("trust:survey", args=[pk])
    form = AnswerForm(survey, request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_record_trust_response(
            survey,
            channel="paper",
            scores=form.scores(),
            segment=form.cleaned_data["segment"],
            settlement=form.cleaned_data["settlement"],
        )
    except TrustError as e:
        return refused(request, str(e), back)
    messages.success(request, _("Paper answers saved. Enter the next sheet."))
    return redirect(back + "#paper")


@login_required
@require_POST
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk, manage=True)
    back = reverse("trust:survey", args=[pk])
    form = SendForm(survey, request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        result = actions.do_send_trust_survey(survey, request_user(request), **form.cleaned_data)
    except TrustError as e:
        return refused(request, str(e), back)
    messages.success(
        request,
        _("Sent by SMS to %(sent)d people; %(skipped)d not sent (asked already, or no consent to messages).")
        % result,
    )
    return redirect(back + "#send")


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The public, anonymous answer page: no log-in, no JavaScript, one answer per browser per wave."""
    survey = TrustSurvey.objects.select_related("programme__organisation").filter(token=token).first()
    if survey is None:
        raise Http404
    respondent = request.COOKIES.get(COOKIE) or secrets.token_urlsafe(16)
    form = AnswerForm(survey, request.POST or None)
    status, done, error = 200, False, ""
    organisation = survey.programme.organisation
    if request.method == "POST" and not throttle.allow(request, organisation, Scope.TRUST):
        response = render(
            request,
            "trust/answer.html",
            {
                "survey": survey,
                "form": form,
                "done": False,
                "error": _("Too many answers from this connection. Please try again later."),
                "closed": not survey.is_open,
            },
            status=429,
        )
        response["Retry-After"] = str(throttle.retry_after(organisation, Scope.TRUST))
        return response
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_record_trust_response(
                    survey,
                    channel="web",
                    scores=form.scores(),
                    segment=form.cleaned_data["segment"],
                    settlement=form.cleaned_data["settlement"],
                    respondent=respondent,
                )
                done = True
            except TrustError as e:
                error, status = str(e), 400
        else:
            status = 400
    response = render(
        request,
        "trust/answer.html",
        {"survey": survey, "form": form, "done": done, "error": error, "closed": not survey.is_open},
        status=status,
    )
    response.set_cookie(COOKIE, respondent, max_age=3600 * 24 * 400, httponly=True, samesite="Lax")
    return response
