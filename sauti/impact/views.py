"""The impact report: the page with its charts, the PDF and DOCX, and the records behind each figure."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sauti.core.responses import form_errors, refused
from sauti.impact import documents, report
from sauti.impact.access import get_organisation_for_report
from sauti.impact.forms import PeriodForm
from sauti.insights.charts import bar_chart
from sauti.people.models import Contact


def _form(request: HttpRequest, slug: str) -> tuple[PeriodForm, str]:
    organisation = get_organisation_for_report(request.user, slug)
    form = PeriodForm(organisation, request.GET)
    return form, reverse("impact:impact_report", args=[slug])


@login_required
@require_GET
def impact_report(request: HttpRequest, slug: str) -> HttpResponse:
    form, back = _form(request, slug)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    r = report.build(form.organisation, form.period())
    sexes = dict(Contact.GENDER_CHOICES)
    unknown = _("not recorded")
    segment_names = {s.key: s.label() for p in r.programmes for s in p.segments.all()}
    charts = [
        bar_chart(
            "impact-figures",
            _("What the programmes achieved in the period"),
            [(f.label, f.value) for f in r.figures],
            value_label=_("Count"),
            hrefs=[f.url for f in r.figures],
        ),
        bar_chart(
            "impact-sex",
            _("People reached by sex"),
            [(str(sexes.get(k, unknown)), n) for k, n in r.by_sex.items()],
            value_label=_("People"),
        ),
        bar_chart(
            "impact-segment",
            _("People reached by segment"),
            [(segment_names.get(k, k or unknown), n) for k, n in r.by_segment.items()],
            value_label=_("People"),
        ),
        bar_chart(
            "impact-months",
            _("Sessions held by month"),
            [(str(m["month"]), int(str(m[report.SESSIONS]))) for m in r.months],
            value_label=_("Sessions"),
        ),
    ]
    query = r.period.query()
    return render(
        request,
        "impact/report.html",
        {
            "r": r,
            "form": form,
            "charts": charts,
            "pdf": reverse("impact:impact_document", args=[slug, "pdf"]) + "?" + query,
            "docx": reverse("impact:impact_document", args=[slug, "docx"]) + "?" + query,
            "query": query,
        },
    )


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@login_required
@require_GET
def impact_document(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    form, back = _form(request, slug)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    language = form.cleaned_data.get("lang") or translation.get_language() or "en"
    with translation.override(language):
        r = report.build(form.organisation, form.period())
        make = documents.report_pdf if fmt == "pdf" else documents.report_docx
        body = make(r, request.build_absolute_uri)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"impact-{slug}-{r.period.since}-{r.period.until}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def impact_records(request: HttpRequest, slug: str, figure: str) -> HttpResponse:
    form, back = _form(request, slug)
    if figure not in report.FIGURES:
        raise Http404
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    period = form.period()
    found = report.records(form.organisation, period, figure)
    return render(
        request,
        "impact/records.html",
        {
            "organisation": form.organisation,
            "label": report.figure_label(figure),
            "records": found,
            "shown": len(found.rows),
            "truncated": len(found.rows) >= report.MAX_ROWS,
            "back": back + "?" + period.query(),
            "period": period,
        },
    )
