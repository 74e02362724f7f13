"""Evidence pages: make a bundle, an organisation's public key, the identity-access log (admins)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sauti.audit import actions
from sauti.audit.models import SignedHead
from sauti.evidence import bundles
from sauti.insights.filters import FILTER_KEYS, FilterError, filter_reports
from sauti.monitoring.models import Case, Report
from sauti.people.access import (
    Perm,
    can,
    get_organisation_for_user,
    organisations_with,
    request_user,
)
from sauti.people.models import IdentityAccess, Organisation

SHOWN_CASES = 200
ACCESS_PAGE = 100


@login_required
@require_http_methods(["GET", "POST"])
def bundle_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisations = organisations_with(user, Perm.EXPORT_EVIDENCE)
    slug = request.GET.get("org") or organisations[0].slug
    org = next((o for o in organisations if o.slug == slug), None)
    if org is None:
        raise Http404
    error = ""
    status = 200
    if request.method == "POST":
        try:
            ids = [int(v) for v in request.POST.getlist("case")]
        except ValueError:
            ids = []
        try:
            cases = bundles.cases_for_bundle(ids, user)
            data = bundles.build_bundle(cases, user, identities=request.POST.get("identities") == "1")
        except bundles.BundleError as exc:
            error, status = str(exc), 400
        else:
            name = f"sauti-evidence-{org.slug}-{timezone.localdate():%Y%m%d}.zip"
            response = HttpResponse(data, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    cases_qs = Case.objects.filter(organisation=org).select_related("ward", "county", "category")
    try:
        filtered = filter_reports(Report.objects.filter(organisation=org), request.GET)
        if any(request.GET.get(k) for k in FILTER_KEYS):
            cases_qs = cases_qs.filter(pk__in=filtered.values("case_id"))
    except FilterError as exc:
        error, status = str(exc), 400
    context = {
        "organisations": organisations,
        "org": org,
        "cases": list(cases_qs.order_by("-updated_at")[:SHOWN_CASES]),
        "chosen": {str(v) for v in request.POST.getlist("case")},
        "can_identities": can(user, Perm.BUNDLE_IDENTITIES, org),
        "key": actions.organisation_key(org),
        "error": error,
        "query": request.GET.urlencode(),
    }
    return render(request, "evidence/bundle.html", context, status=status)


@login_required
@require_GET
def organisation_key(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_organisation_for_user(request_user(request), slug, Perm.VIEW_ORGANISATION)
    key = actions.organisation_key(org)
    if request.GET.get("format") == "text":
        body = f"{org.name}\npublic key: {key.public_key}\nfingerprint: {key.fingerprint}\n"
        response = HttpResponse(body, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{org.slug}-evidence-key.txt"'
        return response
    return render(request, "evidence/key.html", {"org": org, "key": key})


def _day(raw: str, label: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(_("“%(value)s” is not a date (YYYY-MM-DD) for %(label)s.")
                          % {"value": raw[:40], "label": label}, label) from None  # fmt: skip


@login_required
@require_GET
def identity_access_log(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisations = organisations_with(user, Perm.REVIEW_IDENTITY_ACCESS)
    rows = IdentityAccess.objects.filter(contact__organisation__in=organisations).select_related(
        "user", "contact", "contact__organisation"
    )
    params = {k: request.GET.get(k, "").strip()[:150] for k in ("who", "person", "context", "from", "to")}
    error, status = "", 200
    try:
        start, end = _day(params["from"], _("from")), _day(params["to"], _("to"))
    except FilterError as exc:
        start = end = None
        error, status = str(exc), 400
    if params["who"]:
        rows = rows.filter(user__username__iexact=params["who"])
    if params["person"]:
        rows = rows.filter(contact__pseudonym__iexact=params["person"])
    if params["context"]:
        rows = rows.filter(context__icontains=params["context"])
    if start:
        rows = rows.filter(at__date__gte=start)
    if end:
        rows = rows.filter(at__date__lte=end)
    page = Paginator(rows.order_by("-at", "-id"), ACCESS_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "params": params, "error": error, "total": page.paginator.count}
    return render(request, "evidence/identity_access.html", context, status=status)


PUBLISHED_HEADS = 5


@require_GET
def public_keys(request: HttpRequest) -> HttpResponse:
    """Public, no log-in: every organisation's evidence signing key and its latest signed chain heads, so that
    courts and partners can pin the key (verify-bundle --key) and keep heads outside this database."""
    orgs = list(Organisation.objects.order_by("name"))
    rows: list[dict[str, Any]] = []
    for org in orgs:
        key = actions.organisation_key(org)
        heads = list(
            SignedHead.objects.filter(organisation=org).order_by("-signed_at", "-id")[:PUBLISHED_HEADS]
        )
        rows.append({"org": org, "key": key, "heads": heads})
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "organisations": [
                    {
                        "name": r["org"].name, "slug": r["org"].slug, "public_key": r["key"].public_key,
                        "fingerprint": r["key"].fingerprint,
                        "signed_heads": [
                            {"seq": h.seq, "hash": h.hash, "statement": h.statement, "signature": h.signature,
                             "signed_at": h.signed_at.isoformat(timespec="seconds")}
                            for h in r["heads"]
                        ],
                    }
                    for r in rows
                ]
            }
        )  # fmt: skip
    return render(request, "evidence/public_keys.html", {"rows": rows})


@require_GET
def public_key_text(request: HttpRequest, slug: str) -> HttpResponse:
    """One organisation's key as a text file `verify-bundle --key <file>` reads."""
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        raise Http404
    key = actions.organisation_key(org)
    body = f"{org.name}\npublic key: {key.public_key}\nfingerprint: {key.fingerprint}\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
