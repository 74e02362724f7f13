"""Budget pages: register, import, project (corrections, ward, site visits), scorecard, departments, proposals.

Members see the register (VIEW_BUDGETS); coordinators import, correct and propose (MANAGE_BUDGETS); monitors
and group leaders record site visits (OBSERVE_PROJECTS). The ward scorecard and the department view are public
and printable: published figures and counts of observations, never who observed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sauti.budgets import actions, forms, queries, template
from sauti.budgets.models import (
    BudgetDocument,
    Correction,
    DepartmentBudget,
    Observation,
    Project,
    Proposal,
    SiteStatus,
    WardMatch,
)
from sauti.core.responses import form_errors, refused
from sauti.dialogues.models import Priority
from sauti.dialogues.petitions import redact
from sauti.insights.charts import bar_chart
from sauti.monitoring.access import cases_for
from sauti.monitoring.models import Category, Report
from sauti.people.access import Perm, can, get_organisation_for_user, organisations_for, request_user
from sauti.people.models import Office, Organisation
from sauti.places.models import County, Ward
from sauti.questionnaires.access import get_session_for_user, questionnaires_for
from sauti.questionnaires.models import Finding, Submission

PAGE = 50


def _project(request: HttpRequest, slug: str, number: int, perm: Perm) -> Project:
    org = get_organisation_for_user(request.user, slug, perm)
    project = (
        Project.objects.filter(organisation=org, number=number)
        .select_related("organisation", "county", "ward", "document", "category")
        .first()
    )
    if project is None:
        raise Http404
    return project


def _public_org(slug: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        raise Http404
    return org


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The organisations whose project register the user may see (straight to it when there is one)."""
    orgs = [
        o for o in organisations_for(request.user).order_by("name") if can(request.user, Perm.VIEW_BUDGETS, o)
    ]
    if len(orgs) == 1:
        return redirect("budgets:register", orgs[0].slug)
    return render(request, "budgets/index.html", {"organisations": orgs})


@login_required
@require_GET
def register(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_organisation_for_user(request.user, slug, Perm.VIEW_BUDGETS)
    qs = queries.projects_for(org).order_by("number")
    ward_code = request.GET.get("ward", "")
    if ward_code.isdigit():
        qs = qs.filter(ward__code=int(ward_code))
    if request.GET.get("flagged"):
        qs = qs.filter(flagged=True)
    if request.GET.get("unresolved"):
        qs = qs.filter(ward_match=WardMatch.ASKED)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    context = {
        "org": org,
        "page": page,
        "keep": keep.urlencode(),
        "manage": can(request.user, Perm.MANAGE_BUDGETS, org),
        "documents": BudgetDocument.objects.filter(organisation=org).select_related("county")[:20],
        "counties": County.objects.filter(
            pk__in=Project.objects.filter(organisation=org).values("county").distinct()
        ),
        "flags_total": Project.objects.filter(organisation=org, flagged=True).count(),
        "asked_total": Project.objects.filter(organisation=org, ward_match=WardMatch.ASKED).count(),
    }
    return render(request, "budgets/register.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_organisation_for_user(request.user, slug, Perm.MANAGE_BUDGETS)
    form = forms.ImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"county": org.county.code if org.county else None},
    )
    if request.method == "GET":
        return render(request, "budgets/import.html", {"org": org, "form": form})
    if not form.is_valid():
        return render(request, "budgets/import.html", {"org": org, "form": form}, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read(actions.MAX_FILE_BYTES + 1)
    try:
        result = actions.do_import(
            org,
            form.cleaned_data["county"],
            upload.name or "upload",
            data,
            file_format=form.cleaned_data["file_format"] or None,
            kind=form.cleaned_data["kind"] or "",
            by=request_user(request),
        )
    except actions.BudgetError as exc:
        form.add_error("file", str(exc))
        return render(request, "budgets/import.html", {"org": org, "form": form}, status=400)
    return render(
        request,
        "budgets/import_result.html",
        {"org": org, "result": result.as_json(), "document": result.document},
    )


@require_GET
def template_download(request: HttpRequest, language: str, fmt: str) -> HttpResponse:
    if language not in ("en", "sw") or fmt not in ("csv", "xlsx"):
        raise Http404
    name = f"sauti-projects-template-{language}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(
            template.example_csv(language).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            template.example_xlsx(language),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def project_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    project = _project(request, slug, number, Perm.VIEW_BUDGETS)
    org = project.organisation
    observations = list(
        Observation.objects.filter(project=project)
        .select_related("report")
        .prefetch_related("report__attachments")[:50]
    )
    counts = dict(Observation.objects.filter(project=project).values_list("status").annotate(n=Count("pk")))
    context = {
        "org": org,
        "project": project,
        "corrections": Correction.objects.filter(project=project).select_related("by"),
        "observations": observations,
        "status_counts": [(label, counts.get(value, 0)) for value, label in SiteStatus.choices],
        "wards": Ward.objects.filter(county=project.county).order_by("name"),
        "manage": can(request.user, Perm.MANAGE_BUDGETS, org),
        "observe": can(request.user, Perm.OBSERVE_PROJECTS, org),
        "correction_form": forms.CorrectionForm(),
        "category_form": forms.CategoryForm(
            initial={"category": project.category_id}, categories=_categories(org)
        ),
        "category_choice": Correction.objects.filter(project=project, field="category")
        .select_related("by")
        .last(),
        "observation_form": forms.ObservationForm(),
        "link_form": forms.LinkCaseForm(),
        "cases": cases_for(request.user)
        .filter(
            Q(budget_projects=project) | Q(reports__in=[o.report_id for o in observations if o.report_id])
        )
        .distinct(),
        "proposals": project.proposals.all(),
        "submission_links": project.submission_links.select_related("submission__questionnaire").order_by(
            "-submission__received_at"
        )[:100],
        "can_submissions": can(request.user, Perm.VIEW_SUBMISSIONS, org),
        "twin": Project.objects.filter(pk=project.duplicate_of_id).first()
        if project.duplicate_of_id
        else None,
    }
    return render(request, "budgets/project.html", context)


@login_required
@require_POST
def project_correct(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    project = _project(request, slug, number, Perm.MANAGE_BUDGETS)
    back = reverse("budgets:project", args=[slug, number])
    form = forms.CorrectionForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_correct(project, by=request_user(request), **form.cleaned_data)
    except actions.BudgetError as exc:
        return refused(request, str(exc), back)
    messages.success(request, _("Correction recorded; the published figure stays beside it."))
    return redirect(back)


def _categories(org: Organisation) -> Any:
    return Category.objects.filter(organisation=org, is_active=True).order_by("position", "key")


@login_required
@require_POST
def project_category(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    project = _project(request, slug, number, Perm.MANAGE_BUDGETS)
    back = reverse("budgets:project", args=[slug, number])
    form = forms.CategoryForm(request.POST, categories=_categories(project.organisation))
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    category = _categories(project.organisation).get(pk=form.cleaned_data["category"])
    try:
        changed = actions.do_set_category(
            project,
            category,
            by=request_user(request),
            reason=form.cleaned_data["reason"],
            same_sector=form.cleaned_data["same_sector"],
        )
    except actions.BudgetError as exc:
        return refused(request, str(exc), back)
    messages.success(
        request,
        ngettext("Category changed on %(n)d project.", "Category changed on %(n)d projects.", len(changed))
        % {"n": len(changed)},
    )
    return redirect(back)


@login_required
@require_POST
def project_ward(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    project = _project(request, slug, number, Perm.MANAGE_BUDGETS)
    back = reverse("budgets:project", args=[slug, number])
    form = forms.WardForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_choose_ward(
            project,
            form.cleaned_data.get("ward"),
            by=request_user(request),
            county_wide=form.cleaned_data["county_wide"],
        )
    except actions.BudgetError as exc:
        return refused(request, str(exc), back)
    messages.success(request, _("Ward saved."))
    return redirect(back)


@login_required
@require_POST
def project_observe(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    project = _project(request, slug, number, Perm.OBSERVE_PROJECTS)
    back = reverse("budgets:project", args=[slug, number])
    form = forms.ObservationForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    data = form.cleaned_data
    try:
        actions.do_observe(
            project,
            actions.ObservationInput(
                status=data["status"],
                note=data["note"],
                lat=data["lat"],
                lon=data["lon"],
                observed_on=data["observed_on"],
                photos=request.FILES.getlist("photos"),
                by=request_user(request),
                language=(request.LANGUAGE_CODE or "sw")[:2],
            ),
        )
    except actions.BudgetError as exc:
        return refused(request, str(exc), back)
    messages.success(request, _("Site visit recorded."))
    return redirect(back)


@login_required
@require_POST
def project_link_case(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    project = _project(request, slug, number, Perm.MANAGE_BUDGETS)
    back = reverse("budgets:project", args=[slug, number])
    form = forms.LinkCaseForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    ref = form.cleaned_data["reference"].strip().upper()
    number_given = int(ref.lstrip("CR"))
    case_pk: int | None = number_given
    if ref.startswith("R"):
        report = Report.objects.filter(pk=number_given, organisation=project.organisation).first()
        case_pk = report.case_id if report is not None else None
    case = None
    if case_pk is not None:
        case = cases_for(request.user).filter(pk=case_pk).first()
    if case is None:
        return refused(request, _("No case %(ref)s that you can see.") % {"ref": ref}, back)
    try:
        actions.do_link_case(project, case, by=request_user(request))
    except actions.BudgetError as exc:
        return refused(request, str(exc), back)
    messages.success(request, _("Case linked."))
    return redirect(back)


# --- Public: scorecard and departments -----------------------------------------------------------


@require_GET
def scorecard(request: HttpRequest, slug: str) -> HttpResponse:
    org = _public_org(slug)
    ward = None
    code = request.GET.get("ward", "")
    if code:
        if not code.isdigit():
            return refused(
                request,
                _("The ward must be given by its IEBC code."),
                reverse("budgets:scorecard", args=[slug]),
            )
        ward = Ward.objects.filter(code=int(code)).first()
        if ward is None:
            return refused(
                request,
                _("There is no ward with code %(code)s.") % {"code": code},
                reverse("budgets:scorecard", args=[slug]),
            )
    scores = queries.scorecard(org, ward)
    context: dict[str, Any] = {"org": org, "scores": scores, "total": queries.total(scores), "ward": ward}
    if ward is not None:
        projects = (
            Project.objects.filter(organisation=org, ward=ward).select_related("document").order_by("number")
        )
        context["projects"] = Paginator(projects, PAGE).get_page(request.GET.get("page"))
    return render(request, "budgets/scorecard.html", context)


@require_GET
def departments(request: HttpRequest, slug: str, county: int) -> HttpResponse:
    org = _public_org(slug)
    place = County.objects.filter(code=county).first()
    if place is None:
        raise Http404
    year = request.GET.get("year") or None
    rows = queries.departments(org, place, year)
    parts = [d for d in rows if not d.is_total and d.absorption_dev_pct is not None]
    chart = bar_chart(
        "absorption-dev",
        _("Absorption of the development budget (expenditure / budget, %)"),
        [(d.name, int(d.absorption_dev_pct or 0)) for d in parts],
        value_label=_("Percent absorbed"),
        extras=[int(d.budget_dev or 0) for d in parts],
        extra_label=_("Development budget (KES m)"),
    )
    # Bars show the share of each budget absorbed (a full bar = 100%), not relative to the largest.
    chart.bars = [replace(bar, percent=float(min(100, max(0, bar.value)))) for bar in chart.bars]
    years = (
        DepartmentBudget.objects.filter(organisation=org, county=place)
        .values_list("financial_year", flat=True)
        .distinct()
    )
    context = {
        "org": org,
        "county": place,
        "rows": rows,
        "chart": chart,
        "years": sorted(set(years)),
        "year": rows[0].financial_year if rows else year,
    }
    return render(request, "budgets/departments.html", context)


# --- Proposals -------------------------------------------------------------------------------------


def _proposal_form(org: Organisation, data: Any = None) -> forms.ProposalForm:
    return forms.ProposalForm(
        data,
        priorities=Priority.objects.filter(programme__organisation=org, merged_into=None).order_by(
            "programme", "pk"
        ),
        projects=Project.objects.filter(organisation=org, flagged=True).order_by("number"),
        offices=Office.objects.all().order_by("name"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_list(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_organisation_for_user(request.user, slug, Perm.VIEW_BUDGETS)
    manage = can(request.user, Perm.MANAGE_BUDGETS, org)
    form = _proposal_form(org, request.POST if request.method == "POST" else None)
    context = {
        "org": org,
        "form": form,
        "manage": manage,
        "proposals": Proposal.objects.filter(organisation=org),
    }
    if request.method == "GET":
        return render(request, "budgets/proposals.html", context)
    if not manage:
        raise PermissionDenied
    if not form.is_valid():
        return render(request, "budgets/proposals.html", context, status=400)
    data = form.cleaned_data
    try:
        proposal = actions.do_create_proposal(
            org,
            title=data["title"],
            cycle=data["cycle"],
            priorities=list(Priority.objects.filter(programme__organisation=org, pk__in=data["priorities"])),
            projects=list(Project.objects.filter(organisation=org, pk__in=data["projects"])),
            office=Office.objects.filter(pk=data["office"]).first() if data["office"] else None,
            programme=None,
            by=request_user(request),
        )
    except actions.BudgetError as exc:
        form.add_error(None, str(exc))
        return render(request, "budgets/proposals.html", context, status=400)
    return redirect("budgets:proposal", slug, proposal.pk)


def _proposal(request: HttpRequest, slug: str, pk: int, perm: Perm) -> Proposal:
    org = get_organisation_for_user(request.user, slug, perm)
    proposal = (
        Proposal.objects.filter(organisation=org, pk=pk).select_related("office", "organisation").first()
    )
    if proposal is None:
        raise Http404
    return proposal


@login_required
@require_GET
def proposal_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    proposal = _proposal(request, slug, pk, Perm.VIEW_BUDGETS)
    context = {
        "org": proposal.organisation,
        "proposal": proposal,
        "manage": can(request.user, Perm.MANAGE_BUDGETS, proposal.organisation),
        "fate_form": forms.FateForm(initial={"fate": proposal.fate, "note": proposal.fate_note}),
        # As in the memorandum: the group's words with names and phone numbers removed.
        "conclusions": [
            {
                "session": c.finding.session_id,
                "text": redact(c.text, proposal.organisation_id),
                "figures": c.figures,
            }
            for c in proposal.conclusions.select_related("finding")
        ],
    }
    return render(request, "budgets/proposal.html", context)


@login_required
@require_POST
def proposal_fate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    proposal = _proposal(request, slug, pk, Perm.MANAGE_BUDGETS)
    back = reverse("budgets:proposal", args=[slug, pk])
    form = forms.FateForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        actions.do_record_fate(
            proposal, fate=form.cleaned_data["fate"], note=form.cleaned_data["note"], by=request_user(request)
        )
    except actions.BudgetError as exc:
        return refused(request, str(exc), back)
    messages.success(request, _("Outcome recorded."))
    return redirect(back)


@login_required
@require_GET
def proposal_document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    proposal = _proposal(request, slug, pk, Perm.MANAGE_BUDGETS)
    form = forms.DocumentForm(request.GET)
    if not form.is_valid():
        return refused(
            request,
            _("Choose the language (en or sw) and the format (pdf or docx)."),
            reverse("budgets:proposal", args=[slug, pk]),
        )
    language, fmt = form.cleaned_data["language"], form.cleaned_data["format"]
    content = actions.do_make_document(proposal, language=language, fmt=fmt, by=request_user(request))
    types = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    response = HttpResponse(content, content_type=types[fmt])
    response["Content-Disposition"] = f'attachment; filename="proposal-{proposal.pk}-{language}.{fmt}"'
    return response


# --- Questionnaires (issue 20): a submission about a project, a conclusion into a memorandum --------


@login_required
@require_POST
def submission_project(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = get_organisation_for_user(request.user, slug, Perm.MANAGE_BUDGETS)
    submission = (
        Submission.objects.filter(
            pk=pk, questionnaire__organisation=org, questionnaire__in=questionnaires_for(request.user)
        )
        .select_related("questionnaire")
        .first()
    )
    if submission is None:
        raise Http404
    back = reverse("questionnaires:submission", args=[submission.pk])
    form = forms.SubmissionProjectForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    number = form.cleaned_data["project"]
    project = Project.objects.filter(organisation=org, number=number).first() if number else None
    if number and project is None:
        return refused(request, _("No project %(number)s in your register.") % {"number": number}, back)
    actions.do_link_submission(submission, project, by=request_user(request))
    messages.success(request, _("Linked to the project.") if project else _("Link to the project removed."))
    return redirect(back)


@login_required
@require_POST
def conclusion_memorandum(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = get_organisation_for_user(request.user, slug, Perm.MANAGE_BUDGETS)
    finding = Finding.objects.filter(pk=pk, session__organisation=org).select_related("session").first()
    if finding is None:
        raise Http404
    get_session_for_user(request.user, finding.session_id, Perm.JOIN_ANALYSIS)
    back = reverse("questionnaires:session", args=[finding.session_id])
    form = forms.ConclusionForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    proposal = Proposal.objects.filter(organisation=org, pk=form.cleaned_data["proposal"]).first()
    if proposal is None:
        return refused(request, _("Choose one of your organisation's memoranda."), back)
    try:
        actions.do_add_conclusion(proposal, finding, by=request_user(request))
    except actions.BudgetError as exc:
        return refused(request, str(exc), back)
    messages.success(request, _("The conclusion is an item of the memorandum."))
    return redirect(back)
