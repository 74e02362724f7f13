"""The reporter's status page (issue 15), and the coordinator's answer to "not fixed".

The status page is public, opened with a report's reference and the secret given with it (POST, so that the
secret stays out of addresses, histories and logs; works without JavaScript). It shows the case's status and
a timeline without identities: no names, phones, pseudonyms, staff names, notes or free text but the
report's own redacted text. A wrong pair, an unknown reference and a report without a secret all get the
same 404; look-ups are throttled per client (`throttles`, scope "status", 429).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sauti.core.responses import form_errors, refused
from sauti.monitoring import forms as mforms
from sauti.monitoring.access import get_case_for_user
from sauti.monitoring.maps import place_map
from sauti.monitoring.models import Case, CaseEvent, Report, Status, VerificationMethod
from sauti.monitoring.reporters import (
    FixError,
    do_keep_resolved,
    fix_state,
    organisation_for_reference,
    report_for_key,
)
from sauti.monitoring.texts import TextPolicy, withheld_title
from sauti.people.access import Perm, request_user
from sauti.people.models import Office
from sauti.throttles import throttle
from sauti.throttles.models import Scope


def status_explained(status: str) -> str:
    phrases: dict[str, str] = {
        Status.NEW: _("Received, waiting to be reviewed by the coordinators."),
        Status.TRIAGED: _("Being reviewed by the coordinators."),
        Status.VERIFIED: _("Verified: the group is following it up."),
        Status.REJECTED: _("Closed: it could not be confirmed."),
        Status.REFERRED: _("Taken to the office that can act on it; the group is following up."),
        Status.RESOLVED: _("Resolved."),
        Status.UNRESOLVED: _("Closed without a solution; the group may raise it again."),
    }
    return phrases.get(status, _("Received."))


@dataclass(frozen=True)
class PublicEntry:
    at: datetime
    title: str
    detail: str = ""


def public_timeline(case: Case, report: Report) -> list[PublicEntry]:
    """What a reporter may read of the case's life: no actor, note, reason or other report's words."""
    statuses = dict(Status.choices)
    methods = dict(VerificationMethod.choices)
    events = list(case.events.select_related("report").order_by("at", "pk"))
    office_ids = {e.data.get("referred_to") for e in events if e.data.get("referred_to")}
    offices = dict(Office.objects.filter(pk__in=office_ids).values_list("pk", "name")) if office_ids else {}
    out: list[PublicEntry] = []
    for e in events:
        mine = e.report_id == report.pk
        if e.kind in (CaseEvent.Kind.CREATED, CaseEvent.Kind.REPORT_ADDED):
            if mine:
                title = _("Your report %(ref)s was received") % {"ref": report.reference}
            elif e.kind == CaseEvent.Kind.CREATED:
                title = _("Case opened")
            else:
                title = _("Another report about the same problem was added")
            out.append(PublicEntry(e.at, title))
        elif e.kind == CaseEvent.Kind.STATUS:
            detail = ""
            if e.data.get("method"):
                detail = _("Verified by: %(method)s") % {"method": methods.get(e.data["method"], "")}
            elif e.data.get("referred_to") in offices:
                detail = _("Referred to: %(office)s") % {"office": offices[e.data["referred_to"]]}
            title = _("Status: %(status)s") % {"status": statuses.get(e.to_status, e.to_status)}
            out.append(PublicEntry(e.at, title, str(detail)))
        elif e.kind == CaseEvent.Kind.MESSAGE:
            title = (
                _("Reporters were asked whether it is fixed")
                if e.data.get("fix_check")
                else _("Reporters were informed by SMS")
            )
            out.append(PublicEntry(e.at, title))
        elif e.kind == CaseEvent.Kind.NOTE and e.data.get("fixed") in ("yes", "no"):
            fixed = e.data["fixed"] == "yes"
            out.append(
                PublicEntry(
                    e.at, _("A reporter said it is fixed") if fixed else _("A reporter said it is not fixed")
                )
            )
        elif e.kind == CaseEvent.Kind.NOTE and e.data.get("decision") == "kept":
            out.append(
                PublicEntry(e.at, _("The coordinators reviewed the answers and kept the case resolved"))
            )
    return out


def _status_context(report: Report) -> dict[str, Any]:
    policy = TextPolicy.outside()
    case = report.case
    context: dict[str, Any] = {
        "report": report,
        "text": policy.description(report).text,
        "organisation": report.organisation.name,
        # The reporter's own place, as they gave it (their point, which no one else sees here).
        "place_map": place_map(report),
    }
    if case is not None:
        fix = fix_state(case)
        context.update(
            {
                "case": case,
                "title": withheld_title(case) if case.is_sensitive else policy.title(case),
                "status_label": case.get_status_display(),
                "status_text": status_explained(case.status),
                "timeline": public_timeline(case, report),
                "place": (case.ward.name if case.ward else case.county.name if case.county else ""),
                "fix": fix,
            }
        )
    return context


@require_http_methods(["GET", "POST"])
def report_status(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = mforms.StatusLookupForm(initial={"reference": request.GET.get("ref", "")[:20]})
        return render(request, "monitoring/report_status.html", {"form": form})
    form = mforms.StatusLookupForm(request.POST)
    if not form.is_valid():
        return render(
            request, "monitoring/report_status.html", {"form": form, "error": form_errors(form)}, status=400
        )
    reference, key = form.cleaned_data["reference"], form.cleaned_data["key"]
    org = organisation_for_reference(reference)
    if org is not None and not throttle.allow(request, org, Scope.STATUS):
        error = _("Too many attempts from this connection. Please try again later.")
        refused = render(request, "monitoring/report_status.html", {"form": form, "error": error}, status=429)
        refused["Retry-After"] = str(throttle.retry_after(org, Scope.STATUS))
        return refused
    report = report_for_key(reference, key)
    if report is None:
        error = _("We found no report with this reference and code. Check both and try again.")
        return render(request, "monitoring/report_status.html", {"form": form, "error": error}, status=404)
    report = Report.objects.select_related(
        "organisation", "ward", "settlement", "case__ward", "case__county", "case__category"
    ).get(pk=report.pk)
    return render(request, "monitoring/report_status_shown.html", _status_context(report))


@login_required
@require_POST
def case_keep_resolved(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator keeps a case resolved although a reporter says it is not fixed (reopening it is the
    ordinary "Reopen" transition)."""
    user = request_user(request)
    case = get_case_for_user(user, pk, Perm.TRIAGE_CASES)
    back = reverse("case_detail", args=[case.pk])
    form = mforms.KeepResolvedForm(request.POST)
    if not form.is_valid():
        return refused(request, form_errors(form), back)
    try:
        do_keep_resolved(case, user, form.cleaned_data["reason"])
    except FixError as exc:
        return refused(request, str(exc), back)
    messages.success(request, _("The case stays resolved; the reporters' answers are kept on its timeline."))
    return redirect("case_detail", pk=case.pk)
