"""Export downloads (CSV, XLSX, GeoJSON, HXL) and the page that chooses them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sauti.insights import exports
from sauti.insights.filters import FilterError, active_filters, filter_reports
from sauti.monitoring.models import Category, Report, ReportChannel, Status
from sauti.monitoring.openrosa.xlsform import form_id_for
from sauti.people.access import Perm, can, get_organisation_for_user, organisations_with, request_user
from sauti.people.models import Organisation, User


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class ExportForm(forms.Form):
    org = forms.ChoiceField(label=gettext_lazy("Organisation"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Case status"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    county = forms.CharField(label=gettext_lazy("County (name or code)"), required=False, max_length=80)
    ward = forms.CharField(label=gettext_lazy("Ward (name or code)"), required=False, max_length=80)
    settlement = forms.CharField(label=gettext_lazy("Settlement"), required=False, max_length=120)
    date_from = forms.CharField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.CharField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    q = forms.CharField(label=gettext_lazy("Text"), required=False, max_length=200)

    def __init__(self, organisations: list[Organisation], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        _set_choices(
            self, "org", [("", _("All my organisations"))] + [(o.slug, o.name) for o in organisations]
        )
        _set_choices(self, "status", any_choice + list(Status.choices))
        categories = Category.objects.filter(organisation__in=organisations, is_active=True).order_by(
            "position", "key"
        )
        labels = {c.key: ("— " if c.parent_id else "") + c.label for c in categories}
        _set_choices(self, "category", any_choice + list(labels.items()))
        _set_choices(self, "channel", any_choice + list(ReportChannel.choices))


def _export_page(
    request: HttpRequest, user: User, organisations: list[Organisation], error: FilterError | None = None
) -> HttpResponse:
    form = ExportForm(organisations, request.GET or None)
    if error is not None and error.field in form.fields:
        form.add_error(error.field, str(error))
    params = active_filters(request.GET)
    if org := request.GET.get("org", ""):
        params["org"] = org
    query = urlencode(params)
    count = None
    if request.GET and error is None:
        chosen = [o for o in organisations if not org or o.slug == org]
        count = filter_reports(Report.objects.filter(organisation__in=chosen), request.GET).count()
    odk = [
        {
            "organisation": o,
            "form_id": form_id_for(o),
            "server": f"{settings.SITE_URL.rstrip('/')}/odk/{o.slug}",
        }
        for o in organisations
    ]
    context = {
        "form": form,
        "query": query,
        "count": count,
        "formats": [(f, exports.EXTENSIONS[f]) for f in exports.FORMATS],
        "can_reveal": all(can(user, Perm.VIEW_IDENTITIES, o) for o in organisations),
        "can_import": any(can(user, Perm.TRIAGE_CASES, o) for o in organisations),
        "odk": odk,
    }
    return render(request, "insights/exports.html", context, status=400 if error else 200)


@login_required
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisations = organisations_with(user, Perm.EXPORT_DATA)
    if (slug := request.GET.get("org", "")) and slug not in {o.slug for o in organisations}:
        get_organisation_for_user(user, slug, Perm.EXPORT_DATA)
    try:
        filter_reports(Report.objects.none(), request.GET)
    except FilterError as exc:
        return _export_page(request, user, organisations, exc)
    return _export_page(request, user, organisations)


@login_required
@require_GET
def export_reports(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    user = request_user(request)
    if slug := request.GET.get("org", ""):
        organisations = [get_organisation_for_user(user, slug, Perm.EXPORT_DATA)]
    else:
        organisations = organisations_with(user, Perm.EXPORT_DATA)
    identities = request.GET.get("identities") == "1"
    if identities and not all(can(user, Perm.VIEW_IDENTITIES, o) for o in organisations):
        raise PermissionDenied
    try:
        reports = filter_reports(Report.objects.filter(organisation__in=organisations), request.GET)
    except FilterError as exc:
        return _export_page(request, user, organisations_with(user, Perm.EXPORT_DATA), exc)
    audience = exports.audience_for(
        user,
        organisations,
        identities=identities,
        context=f"export reports.{fmt} {urlencode(active_filters(request.GET))}",
    )
    response = StreamingHttpResponse(
        exports.export_stream(fmt, reports, audience), content_type=exports.CONTENT_TYPES[fmt]
    )
    filename = exports.export_filename(fmt, [o.slug for o in organisations])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
