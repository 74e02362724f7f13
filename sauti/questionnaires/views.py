"""Questionnaire pages: list/upload/build, a form's page and options, the web answer form, submissions
(identities revealed only with Perm.VIEW_IDENTITIES, logged), results with filters and cross-tabs,
exports, and participatory analysis sessions (also shared read-only by link)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import MultipleChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sauti.dialogues.access import programmes_for
from sauti.dialogues.models import Meeting
from sauti.monitoring.access import cases_for
from sauti.monitoring.actions import ReportError
from sauti.monitoring.texts import TextPolicy
from sauti.people.access import Perm, can, get_organisation_for_user, groups_for, organisations_for
from sauti.people.actions import reveal_identities
from sauti.people.models import Membership
from sauti.questionnaires import actions, exports, panels, results, texts
from sauti.questionnaires.access import get_questionnaire_for_user, get_session_for_user, questionnaires_for
from sauti.questionnaires.forms import (
    AnswerForm,
    BuildForm,
    FilterForm,
    FindingForm,
    LinkForm,
    OptionsForm,
    PriorityForm,
    SessionForm,
    UploadForm,
    changed_entries,
    entry_count,
    fixed_count,
)
from sauti.questionnaires.models import AnalysisSession, Finding, Questionnaire, Submission
from sauti.questionnaires.repeats import chain as repeat_chain
from sauti.questionnaires.repeats import parents as repeat_parents
from sauti.questionnaires.xlsform import (
    FormError,
    convert_sheets,
    parse_upload,
    sheets_from_lines,
    short_problem,
)


def _lang() -> str:
    lang = (translation.get_language() or "sw")[:2]
    return lang if lang in ("en", "sw") else "sw"


@login_required
def form_list(request: HttpRequest) -> HttpResponse:
    orgs = [o for o in organisations_for(request.user) if can(request.user, Perm.VIEW_ORGANISATION, o)]
    manageable = [o for o in orgs if can(request.user, Perm.MANAGE_FORMS, o)]
    forms = (
        questionnaires_for(request.user)
        .select_related("organisation", "current")
        .order_by("organisation__name", "title")
    )
    return render(
        request,
        "questionnaires/form_list.html",
        {"forms": forms, "manageable": manageable, "upload": UploadForm(), "build": BuildForm()},
    )


@login_required
@require_POST
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_organisation_for_user(request.user, slug, Perm.MANAGE_FORMS)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_errors(request, [str(e) for errs in form.errors.values() for e in errs])
    upload_file = form.cleaned_data["file"]
    try:
        parsed = parse_upload(upload_file.read(), upload_file.name or "form.xlsx")
        questionnaire, version = actions.do_import_form(org, parsed, request.user)  # type: ignore[arg-type]
    except FormError as exc:
        return _form_errors(request, [str(exc)])
    messages.success(
        request,
        _("Form “%(title)s” version %(version)s is published (%(n)d questions).")
        % {"title": questionnaire.title, "version": version.version, "n": len(version.questions)},
    )
    return redirect("questionnaires:detail", questionnaire.pk)


def _form_errors(request: HttpRequest, errors: list[str]) -> HttpResponse:
    return render(request, "questionnaires/form_errors.html", {"errors": errors}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def build(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_organisation_for_user(request.user, slug, Perm.MANAGE_FORMS)
    form = BuildForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            parsed = convert_sheets(
                sheets_from_lines(d["lines"], d["title"], d["form_id"]), fallback_id=d["form_id"]
            )
            questionnaire, _version = actions.do_import_form(org, parsed, request.user)  # type: ignore[arg-type]
        except FormError as exc:
            errors.append(str(exc))
        else:
            messages.success(request, _("Form “%(title)s” is published.") % {"title": questionnaire.title})
            return redirect("questionnaires:detail", questionnaire.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "questionnaires/build.html", {"org": org, "form": form, "errors": errors}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    q = get_questionnaire_for_user(request.user, pk, Perm.VIEW_ORGANISATION)
    manage = can(request.user, Perm.MANAGE_FORMS, q.organisation)
    options = OptionsForm(
        request.POST if request.method == "POST" else None,
        organisation=q.organisation,
        initial={
            "kind": q.kind,
            "category": q.category,
            "short": q.short,
            "sms_keyword": q.sms_keyword,
            "published": q.published,
        },
    )
    errors: list[str] = []
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if options.is_valid():
            d = options.cleaned_data
            try:
                actions.do_set_form_options(
                    q,
                    kind=d["kind"],
                    category=d["category"],
                    short=d["short"],
                    sms_keyword=d["sms_keyword"],
                    published=d["published"],
                )
            except FormError as exc:
                errors.append(str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("questionnaires:detail", q.pk)
    lang = _lang()
    questions = [
        {**item, "label_text": results.label_of(item, lang)}
        for item in (q.current.questions if q.current else [])
    ]
    odk_url = request.build_absolute_uri(reverse("odk_org_form_list", args=[q.organisation.slug]))
    return render(
        request,
        "questionnaires/detail.html",
        {
            "q": q,
            "questions": questions,
            "versions": q.versions.all(),
            "options": options,
            "errors": errors,
            "manage": manage,
            "short_problem": short_problem(q.current.spec) if q.current else "",
            "odk_url": odk_url,
            "can_answer": can(request.user, Perm.SUBMIT_REPORTS, q.organisation),
            "can_results": can(request.user, Perm.VIEW_AGGREGATES, q.organisation),
            "can_submissions": can(request.user, Perm.VIEW_SUBMISSIONS, q.organisation),
            "can_export": can(request.user, Perm.EXPORT_DATA, q.organisation),
            "can_sessions": can(request.user, Perm.RUN_ANALYSIS, q.organisation),
            "groups": groups_for(request.user).filter(organisation=q.organisation),
            "sessions": q.sessions.select_related("group"),
            "submission_count": q.submissions.count(),
        },
    )


@login_required
def version_xlsx(request: HttpRequest, pk: int, version_pk: int) -> HttpResponse:
    q = get_questionnaire_for_user(request.user, pk, Perm.VIEW_ORGANISATION)
    version = get_object_or_404(q.versions, pk=version_pk)
    response = HttpResponse(
        bytes(version.xlsx), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{q.form_id}-{version.version}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    q = get_questionnaire_for_user(request.user, pk, Perm.SUBMIT_REPORTS)
    if q.current is None or not q.published:
        raise Http404
    lang = _lang()
    spec = q.current.spec
    # "Add another …" / "Remove": the page again, one entry more or less, what was typed kept, nothing sent.
    changed = changed_entries(request.POST) if request.method == "POST" else None
    if changed is not None:
        form = AnswerForm(spec=spec, lang=lang, entries=changed)
        for name, field in form.fields.items():
            if name in changed:
                multiple = isinstance(field, MultipleChoiceField)
                form.initial[name] = changed.getlist(name) if multiple else changed.get(name)
    else:
        form = AnswerForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            spec=spec,
            lang=lang,
        )
    instance = request.POST.get("instance_id", "") or f"uuid:{uuid.uuid4()}"
    if request.method == "POST" and changed is None and form.is_valid():
        try:
            received = actions.do_receive_submission(
                q,
                actions.Incoming(
                    instance_id=instance[:120],
                    answers=form.answers(),
                    channel=Submission.Channel.WEB,
                    version_text=request.POST.get("version", ""),
                    language=lang,
                    submitted_by=request.user,  # type: ignore[arg-type]
                    files=form.images(),
                ),
            )
        except (actions.AnswerError, ReportError) as exc:
            form.add_error(None, str(exc))
        else:
            if received.outcome == actions.CONFLICT:
                form.add_error(None, _("These answers were already sent with other content."))
            else:
                return render(
                    request, "questionnaires/thanks.html", {"q": q, "submission": received.submission}
                )
    status = 400 if request.method == "POST" and changed is None else 200
    return render(
        request,
        "questionnaires/answer.html",
        {
            "q": q,
            "form": form,
            "items": _answer_items(form, spec, "", (("", ""),), lang),
            "instance_id": instance,
            "version": q.current.version,
        },
        status=status,
    )


def _answer_items(
    form: AnswerForm, spec: dict[str, Any], repeat: str, scope: tuple[tuple[str, str], ...], lang: str
) -> list[dict[str, Any]]:
    """The answer page's parts in order, for one entry of `repeat` ("" the form): its questions, and each
    repeat inside it at its first question, as numbered blocks with "Remove" and "Add another …"."""
    up = repeat_parents(spec)
    prefix = scope[-1][1]
    items: list[dict[str, Any]] = []
    done: set[str] = set()
    groups: list[str] = []
    for item in spec["questions"]:
        route = repeat_chain(spec, item["repeat"])
        depth = len(scope) - 1
        if route[:depth] != [r for r, _p in scope[1:]]:
            continue
        if item["repeat"] == repeat:
            path = [p for p in item["path"] if p not in up]
            if path and path != groups:
                items.append({"kind": "heading", "text": "/".join(path)})
            groups = path
            name = prefix + item["name"]
            if name in form.notes:
                items.append({"kind": "note", "text": form.notes[name]})
            elif name in form.fields:
                items.append({"kind": "field", "field": form[name]})
            continue
        inner = route[depth]
        if inner in done:
            continue
        done.add(inner)
        key = prefix + inner
        label = results.group_label(spec, inner, lang)
        fixed = fixed_count(spec, inner, form.entries) is not None
        n = entry_count(spec, inner, key, form.entries)
        for i in range(n):
            items.append(
                {"kind": "open", "label": f"{label} {i + 1}", "remove": "" if fixed else f"{key}__{i}"}
            )
            items += _answer_items(form, spec, inner, (*scope, (inner, f"{key}__{i}__")), lang)
            items.append({"kind": "close"})
        items.append(
            {
                "kind": "add",
                "key": key,
                "n": n,
                "fixed": fixed,
                "label": _("Add another: %(group)s") % {"group": label},
            }
        )
    return items


def _filters(request: HttpRequest, q: Questionnaire) -> tuple[FilterForm, results.Filters]:
    assert q.current is not None
    form = FilterForm(request.GET or None, spec=q.current.spec, wards=results.wards_answered(q), lang=_lang())
    if request.GET and not form.is_valid():
        return form, results.Filters()
    return form, form.filters() if request.GET else results.Filters()


@login_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    q = get_questionnaire_for_user(request.user, pk, Perm.VIEW_AGGREGATES)
    if q.current is None:
        raise Http404
    form, f = _filters(request, q)
    lang = _lang()
    res = results.results(q, f, lang)
    cross = None
    if form.is_bound and form.is_valid() and form.cleaned_data.get("rows") and form.cleaned_data.get("cols"):
        try:
            cross = results.crosstab(q, f, form.cleaned_data["rows"], form.cleaned_data["cols"], lang)
        except ValueError as exc:
            form.add_error("rows", str(exc))
    has_points = any(item["type"] == "geopoint" for item in q.current.spec["questions"])
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "questionnaires/results.html",
        {
            "q": q,
            "res": res,
            "form": form,
            "cross": cross,
            "map": results.points_svg(results.map_points(q, f)) if has_points else "",
            "can_export": can(request.user, Perm.EXPORT_DATA, q.organisation),
        },
        status=status,
    )


@login_required
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    q = get_questionnaire_for_user(request.user, pk, Perm.EXPORT_DATA)
    if q.current is None or fmt not in ("csv", "xlsx"):
        raise Http404
    labels = request.GET.get("labels") == "1"
    lang = request.GET.get("lang", "en")
    if lang not in ("en", "sw"):
        return HttpResponse(_("Choose en or sw."), status=400, content_type="text/plain; charset=utf-8")
    repeat = request.GET.get("repeat", "") if fmt == "csv" else ""
    if repeat and repeat not in exports.repeat_names(exports.export_spec(q)):
        return HttpResponse(
            _("This form has no repeat group of that name."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    name = f"{q.form_id}{'-' + repeat if repeat else ''}-{'labels-' + lang if labels else 'names'}"
    # Free text as report texts are shown: redacted unless the exporter may see identities (then logged).
    policy = TextPolicy.for_user(request.user)
    if policy.sees_original(q.organisation_id):
        actions.do_note_export_as_written(q, request.user, f"{name}.{fmt}")  # type: ignore[arg-type]
    if fmt == "csv":
        stream = StreamingHttpResponse(
            exports.csv_lines(q, labels, lang, policy, repeat), content_type="text/csv; charset=utf-8"
        )
        stream["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return stream
    response = HttpResponse(
        exports.xlsx_bytes(q, labels, lang, policy),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def submission_list(request: HttpRequest, pk: int) -> HttpResponse:
    q = get_questionnaire_for_user(request.user, pk, Perm.VIEW_SUBMISSIONS)
    page = Paginator(q.submissions.select_related("ward").order_by("-received_at", "-pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "questionnaires/submission_list.html", {"q": q, "page": page})


def _repeat_blocks(spec: dict[str, Any], node: Mapping[str, Any], outer: str, lang: str) -> list[Any]:
    """[(repeat label, [{"lines": [(label, value)], "repeats": [...the same, for repeats inside]}])]."""
    blocks = []
    for name, parent in repeat_parents(spec).items():
        items = node.get(name)
        if parent != outer or not isinstance(items, list):
            continue
        entries = [
            {
                "lines": [
                    (results.label_of(item, lang), results.value_label(spec, item, entry[item["name"]], lang))
                    for item in spec["questions"]
                    if item["repeat"] == name and item["name"] in entry
                ],
                "repeats": _repeat_blocks(spec, entry, name, lang),
            }
            for entry in items
            if isinstance(entry, dict)
        ]
        blocks.append((results.group_label(spec, name, lang), entries))
    return blocks


@login_required
@require_http_methods(["GET", "POST"])
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(
        Submission.objects.select_related(
            "questionnaire__organisation", "version", "ward", "respondent", "report", "case", "meeting"
        ),
        pk=pk,
        questionnaire__in=questionnaires_for(request.user),
    )
    q = sub.questionnaire
    if not can(request.user, Perm.VIEW_SUBMISSIONS, q.organisation):
        raise PermissionDenied
    link = LinkForm(request.POST or None, initial={"case": sub.case_id, "meeting": sub.meeting_id})
    if request.method == "POST":
        if not can(request.user, Perm.MANAGE_FORMS, q.organisation):
            raise PermissionDenied
        if link.is_valid():
            d = link.cleaned_data
            case = cases_for(request.user).filter(pk=d["case"]).first() if d["case"] else None
            meeting = (
                Meeting.objects.filter(pk=d["meeting"], programme__in=programmes_for(request.user)).first()
                if d["meeting"]
                else None
            )
            if (d["case"] and case is None) or (d["meeting"] and meeting is None):
                link.add_error(None, _("No such case or meeting that you may see."))
            else:
                try:
                    actions.do_link_submission(sub, case=case, meeting=meeting)
                except actions.AnswerError as exc:
                    link.add_error(None, str(exc))
                else:
                    messages.success(request, _("Saved."))
                    return redirect("questionnaires:submission", sub.pk)
    identity = None
    if request.GET.get("reveal") and sub.respondent is not None:
        if not can(request.user, Perm.VIEW_IDENTITIES, q.organisation):
            raise PermissionDenied
        identity = reveal_identities(request.user, [sub.respondent], f"questionnaire submission {sub.pk}")[  # type: ignore[arg-type]
            sub.respondent.pk
        ]
    lang = _lang()
    spec = sub.version.spec if sub.version else {"questions": [], "choices": {}}
    # Free text as report texts are shown (monitoring.texts): redacted for whoever may not see identities;
    # read as written by those who may, logged when it holds names or phone numbers.
    policy = TextPolicy.for_user(request.user)
    answers = texts.shown_answers(policy, q.organisation_id, spec, sub.answers)
    if policy.sees_original(q.organisation_id) and texts.holds_identities(
        policy, q.organisation_id, spec, sub.answers
    ):
        actions.do_note_answers_seen(sub, request.user)  # type: ignore[arg-type]
    lines = [
        (results.label_of(item, lang), results.value_label(spec, item, answers[item["name"]], lang))
        for item in spec["questions"]
        if item["name"] in answers and not item["repeat"]
    ]
    repeats = _repeat_blocks(spec, answers, "", lang)
    return render(
        request,
        "questionnaires/submission_detail.html",
        {
            "sub": sub,
            "q": q,
            "lines": lines,
            "repeats": repeats,
            # Answers that did not fit the form (another version): as sent, redacted like free text.
            "unfit": [
                (name, policy.text(q.organisation_id, str(text)).text)
                for name, text in (sub.answers.get(actions.UNFIT) or {}).items()
            ],
            "link": link,
            "identity": identity,
            "can_reveal": sub.respondent is not None
            and can(request.user, Perm.VIEW_IDENTITIES, q.organisation),
            "can_link": can(request.user, Perm.MANAGE_FORMS, q.organisation),
            "panels": panels.render(panels.SUBMISSION, request, sub),
        },
        status=400 if link.errors else 200,
    )


# --- analysis sessions ---------------------------------------------------------------------------


@login_required
@require_POST
def session_open(request: HttpRequest, pk: int) -> HttpResponse:
    q = get_questionnaire_for_user(request.user, pk, Perm.RUN_ANALYSIS)
    form = SessionForm(request.POST)
    group = (
        groups_for(request.user).filter(pk=form.data.get("group") or 0, organisation=q.organisation).first()
        if form.is_valid()
        else None
    )
    if group is None:
        return _form_errors(request, [_("Choose one of the organisation's groups.")])
    session = actions.do_open_session(q, group, request.user, form.cleaned_data["title"])  # type: ignore[arg-type]
    return redirect("questionnaires:session", session.pk)


def _session_context(session: AnalysisSession, lang: str) -> dict[str, Any]:
    q = session.questionnaire
    ward_id = session.group.ward_id
    f = results.Filters(ward_id=ward_id)
    res = results.results(q, f, lang) if q.current else None
    figure_choices = [
        (f"{qr.name}={line.value}", f"{qr.label}: {line.label} — {line.count} ({line.percent}%)")
        for qr in (res.questions if res else [])
        for line in qr.lines
    ]
    findings = list(
        session.findings.prefetch_related("agreements__by", "events__by", "cases").select_related("priority")
    )
    return {"session": session, "res": res, "figure_choices": figure_choices, "findings": findings, "q": q}


@login_required
@require_http_methods(["GET", "POST"])
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, Perm.JOIN_ANALYSIS)
    lang = _lang()
    ctx = _session_context(session, lang)
    form = FindingForm(request.POST or None, figure_choices=ctx["figure_choices"])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        labels = dict(ctx["figure_choices"])
        figures = [{"key": key, "text": labels[key]} for key in d["figures"]]
        cases = list(cases_for(request.user).filter(pk__in=d["cases"], organisation=session.organisation))
        try:
            actions.do_record_finding(session, request.user, d["text"], figures=figures, cases=cases)  # type: ignore[arg-type]
        except actions.AnswerError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("questionnaires:session", session.pk)
    for finding in ctx["findings"]:
        if finding.status == Finding.Status.CONCLUSION:
            finding.panels = panels.render(panels.CONCLUSION, request, finding)
    ctx.update(
        {
            "form": form,
            "share_url": request.build_absolute_uri(reverse("questionnaires:shared", args=[session.token])),
            "run": can(request.user, Perm.RUN_ANALYSIS, session.organisation),
            "programmes": programmes_for(request.user).filter(organisation=session.organisation),
            "priority_form": PriorityForm(),
        }
    )
    return render(request, "questionnaires/session.html", ctx, status=400 if form.errors else 200)


def _finding_for(request: HttpRequest, pk: int) -> Finding:
    finding = get_object_or_404(Finding.objects.select_related("session"), pk=pk)
    get_session_for_user(request.user, finding.session_id, Perm.JOIN_ANALYSIS)
    return finding


@login_required
@require_POST
def finding_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    finding = _finding_for(request, pk)
    session = finding.session
    try:
        if verb == "agree":
            actions.do_agree(finding, request.user)  # type: ignore[arg-type]
        elif verb == "edit":
            actions.do_edit_finding(finding, request.user, request.POST.get("text", ""))  # type: ignore[arg-type]
        elif verb == "conclude":
            if not can(request.user, Perm.RUN_ANALYSIS, session.organisation):
                raise PermissionDenied
            actions.do_conclude(finding, request.user)  # type: ignore[arg-type]
        elif verb == "priority":
            form = PriorityForm(request.POST)
            programme = (
                programmes_for(request.user).filter(pk=form.data.get("programme") or 0).first()
                if form.is_valid()
                else None
            )
            if programme is None:
                raise actions.AnswerError(_("Choose a dialogue programme."))
            if not can(request.user, Perm.MANAGE_DIALOGUES, session.organisation):
                raise PermissionDenied
            actions.do_make_priority(finding, programme, request.user)  # type: ignore[arg-type]
        else:
            raise Http404
    except actions.AnswerError as exc:
        return _form_errors(request, [str(exc)])
    return redirect("questionnaires:session", session.pk)


def shared(request: HttpRequest, token: str) -> HttpResponse:
    """The session as the group sees it on a projector or a phone: figures and findings, no identities."""
    session = get_object_or_404(
        AnalysisSession.objects.select_related("group", "questionnaire__current", "organisation"), token=token
    )
    if session.closed_at is not None:
        raise Http404
    ctx = _session_context(session, _lang())
    # Anyone with the link reads it: staff appear by their role in the organisation, never by name.
    roles = {
        m.user_id: m.get_role_display()
        for m in Membership.objects.filter(organisation=session.organisation_id)
    }
    for finding in ctx["findings"]:
        finding.agreed_roles = [roles.get(a.by_id, _("Member")) for a in finding.agreements.all()]
        for e in finding.events.all():
            e.by_role = roles.get(e.by_id, _("Member"))
    return render(request, "questionnaires/shared.html", {**ctx, "public": True})


@login_required
@require_POST
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk, Perm.RUN_ANALYSIS)
    if not can(request.user, Perm.RUN_ANALYSIS, session.organisation):
        raise PermissionDenied
    actions.do_close_session(session)
    return redirect("questionnaires:session", session.pk)
