"""Coordinators' triage inbox, case pages, web intake (public and field monitors) and the category editor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sauti.monitoring import forms as mforms
from sauti.monitoring import grouping
from sauti.monitoring.access import cases_for, get_case_for_user
from sauti.monitoring.actions import (
    ReportError,
    ReportInput,
    TransitionError,
    do_add_note,
    do_confirm_grouping,
    do_edit_case,
    do_inform_reporters,
    do_move_report,
    do_split_report,
    do_transition,
    move_candidates,
    suggest_matches,
    why_grouped,
    why_in_case,
)
from sauti.monitoring.maps import pin_config, place_map
from sauti.monitoring.models import (
    TRANSITIONS,
    Attachment,
    Case,
    CaseEvent,
    Category,
    CategorySource,
    Report,
    ReportChannel,
    Status,
    VerificationMethod,
)
from sauti.monitoring.reporters import do_issue_status_key, fix_state
from sauti.monitoring.taxonomy import suggested_category
from sauti.monitoring.texts import Shown, TextPolicy, withheld_title
from sauti.monitoring.web_actions import (
    CategoryError,
    ReporterDetails,
    do_add_category,
    do_bulk_transition,
    do_correct_redaction,
    do_submit_report_with_reporter,
    do_update_category,
    thumbnail_for,
)
from sauti.people.access import (
    Perm,
    can,
    can_anywhere,
    get_organisation_for_user,
    organisation_ids_with,
    organisations_for,
    request_user,
    require,
)
from sauti.people.actions import Identity, reveal_identities
from sauti.people.models import Office, Organisation, User
from sauti.places.actions import PlaceError, do_add_local_place
from sauti.places.geo import sketch
from sauti.places.models import County, Settlement, Ward
from sauti.places.services import candidate_key, find_places
from sauti.throttles import throttle
from sauti.throttles.models import Scope

PAGE_SIZE = 50
# A case written just before a poll may commit just after it: each poll looks this far back, and the
# page drops rows it already shows.
POLL_OVERLAP = timedelta(seconds=3)
RECENT_WINDOW = 2000
SESSION_LAST_REPORT = "sauti_last_report"
FILTER_KEYS = (
    "org",
    "status",
    "category",
    "county",
    "place",
    "ward",
    "date_from",
    "date_to",
    "channel",
    "q",
    "unconfirmed",
)


def _first_error(form: Any) -> str:
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("The request is not valid.")


def _is_partial(request: HttpRequest, target: str) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == target
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


# Inbox --------------------------------------------------------------------------------------------------


def _require_cases(user: User) -> None:
    if not (can_anywhere(user, Perm.VIEW_CASES) or can_anywhere(user, Perm.VIEW_REFERRED_CASES)):
        raise PermissionDenied


def _filter_form(request: HttpRequest, user: User) -> mforms.InboxFilterForm:
    orgs = list(organisations_for(user).order_by("name"))
    categories = Category.objects.filter(organisation__in=orgs).order_by(
        "organisation__name", "position", "key"
    )
    counties = County.objects.order_by("name").values_list("code", "name")
    return mforms.InboxFilterForm(request.GET, organisations=orgs, categories=categories, counties=counties)


def _page_ids(
    form: mforms.InboxFilterForm,
    user: User,
    limit: int,
    narrow: Callable[[QuerySet[Case]], QuerySet[Case]] = lambda cases: cases,
) -> list[int]:
    """The ids of one page of matching cases, newest change first.

    Only ids, from the filtered cases alone, so that the database walks its updated_at index and stops
    after `limit` rows (joined with what the list shows, SQLite sorts every case first). Filters on the
    cases' reports look at the newest `RECENT_WINDOW` cases first: if those hold a full page, no older
    case can be on it; otherwise every case is searched, reading the matching reports once.
    """
    order = ("-updated_at", "-id")
    if form.reads_reports:
        window = list(narrow(cases_for(user)).order_by(*order).values_list("pk", flat=True)[:RECENT_WINDOW])
        # Unordered, so the database looks the window's ids up by key; the window already has the order
        # (ordered with a LIMIT, PostgreSQL walked every case's updated_at entry testing it against the list).
        found = set(form.apply(cases_for(user), within=window).values_list("pk", flat=True))
        ids = [pk for pk in window if pk in found][:limit]
        if len(ids) == limit or len(window) < RECENT_WINDOW:
            return ids
    return list(narrow(form.apply(cases_for(user))).order_by(*order).values_list("pk", flat=True)[:limit])


def _load_rows(ids: list[int], user: User) -> list[Case]:
    """The cases with what the inbox shows of them, in the order of `ids`: titles through the redaction
    for those who may not see identities; a sensitive case's place only to its ward for an office."""
    unconfirmed = Report.objects.filter(case=OuterRef("pk"), grouping_confirmed=False)
    rows = (
        Case.objects.filter(pk__in=ids)
        .select_related("organisation", "category", "ward", "county", "settlement")
        .annotate(needs_confirmation=Exists(unconfirmed))
    )
    by_id = {c.pk: c for c in rows}
    ordered: list[Case] = [by_id[pk] for pk in ids if pk in by_id]
    policy = TextPolicy.for_user(user)
    policy.prepare((c.organisation_id, c.title) for c in ordered)
    full = organisation_ids_with(user, Perm.VIEW_CASES)
    for c in ordered:
        sensitive = c.is_sensitive and full is not None and c.organisation_id not in full
        c.shown_title = withheld_title(c) if sensitive else policy.title(c)  # type: ignore[attr-defined]
        place = (c.ward.name if c.ward else c.county.name if c.county else "") if sensitive else c.place_label
        c.shown_place = place  # type: ignore[attr-defined]
    return ordered


def _filter_query(form: mforms.InboxFilterForm, *, skip: str = "", **extra: str) -> str:
    data = form.data
    assert isinstance(data, QueryDict)
    pairs = [(k, str(v)) for k in FILTER_KEYS if k != skip for v in data.getlist(k) if str(v).strip()]
    pairs += [(k, v) for k, v in extra.items() if v]
    return urlencode(pairs)


def _cursor(case: Case) -> str:
    return f"{case.updated_at.isoformat()}~{case.pk}"


def _inbox_context(request: HttpRequest, user: User) -> tuple[dict[str, Any], int]:
    form = _filter_form(request, user)
    orgs = form.organisations
    can_triage = any(can(user, Perm.TRIAGE_CASES, o) for o in orgs)
    context: dict[str, Any] = {
        "form": form,
        "rows": [],
        "can_triage": can_triage,
        "place_orgs": [o for o in orgs if can(user, Perm.TRIAGE_CASES, o)],
        "several_orgs": len(orgs) > 1,
        "statuses": Status.choices,
        "methods": VerificationMethod.choices,
        "offices": Office.objects.order_by("name").only("pk", "name") if can_triage else [],
        "next_url": request.get_full_path(),
        # A "save data" hint (Chrome's Lite mode, data-saver browsers): no live updates, they cost airtime.
        "save_data": request.headers.get("Save-Data", "").strip().lower() == "on",
    }
    if not form.is_valid():
        context["error"] = _first_error(form)
        return context, 400
    before = request.GET.get("before", "")
    cursor = mforms.parse_cursor(before) if before else None
    if before and cursor is None:
        context["error"] = _("This page link is not valid; start again from the newest cases.")
        return context, 400
    started = timezone.now()

    def older(cases: QuerySet[Case]) -> QuerySet[Case]:
        if cursor is None:
            return cases
        at, pk = cursor
        # (updated_at, id) < (at, pk), written so that the updated_at index bounds the scan.
        return cases.filter(updated_at__lte=at).exclude(updated_at=at, id__gte=pk)

    page = _load_rows(_page_ids(form, user, PAGE_SIZE + 1, older), user)
    has_more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    query = _filter_query(form)
    context.update(
        rows=page,
        filter_query=query,
        older_query=_filter_query(form, before=_cursor(page[-1])) if has_more else "",
        is_first_page=cursor is None,
        poll_query=_filter_query(form, since=(started - POLL_OVERLAP).isoformat()),
        checked_at=started,
        place_label=form.place_label,
        ward_label=form.ward_label,
        all_wards_query=_filter_query(form, skip="ward"),
        place_unknown=bool(form.cleaned_data.get("place")) and not form.place_label,
    )
    return context, 200


@login_required
@require_GET
def case_inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_cases(user)
    context, status = _inbox_context(request, user)
    template = (
        "monitoring/_inbox_results.html" if _is_partial(request, "inbox-results") else "monitoring/inbox.html"
    )
    return render(request, template, context, status=status)


@login_required
@require_GET
def case_inbox_poll(request: HttpRequest) -> HttpResponse:
    """Cases changed since `since` that match the filters, to prepend to the inbox; and the next poller."""
    user = request_user(request)
    _require_cases(user)
    form = _filter_form(request, user)
    try:
        since = datetime.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        since = None
    if since is None or timezone.is_naive(since) or not form.is_valid():
        return HttpResponse(_("The request is not valid."), status=400, content_type="text/plain")
    started = timezone.now()
    rows = _load_rows(
        _page_ids(form, user, PAGE_SIZE, lambda cases: cases.filter(updated_at__gt=since)), user
    )
    context = {
        "rows": rows,
        "fresh": True,
        "poll_query": _filter_query(form, since=(started - POLL_OVERLAP).isoformat()),
        "checked_at": started,
        "can_triage": any(can(user, Perm.TRIAGE_CASES, o) for o in form.organisations),
        "several_orgs": len(form.organisations) > 1,
    }
    return render(request, "monitoring/_inbox_poll.html", context)


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("case_inbox")


@login_required
@require_POST
def case_bulk(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not can_anywhere(user, Perm.TRIAGE_CASES):
        raise PermissionDenied
    form = mforms.BulkTransitionForm(request.POST)
    if not form.is_valid():
        context, _status = _inbox_context(request, user)
        context.update(error=_first_error(form), next_url=_safe_next(request, request.POST.get("next", "")))
        return render(request, "monitoring/inbox.html", context, status=400)
    data = form.cleaned_data
    ids: list[int] = data["case"]
    found = {c.pk: c for c in cases_for(user).filter(pk__in=ids).select_related("organisation")}
    allowed = [found[i] for i in ids if i in found and can(user, Perm.TRIAGE_CASES, found[i].organisation)]
    outcome = do_bulk_transition(
        allowed,
        data["to_status"],
        user,
        reason=data["reason"],
        method=data["method"],
        referred_to=data["referred_to"],
    )
    if outcome.moved:
        messages.success(
            request,
            translation.ngettext(
                "%(n)d case is now “%(status)s”.", "%(n)d cases are now “%(status)s”.", len(outcome.moved)
            )
            % {"n": len(outcome.moved), "status": Status(data["to_status"]).label},
        )
    for case, reason in outcome.failed:
        messages.error(request, f"{case.reference}: {reason}")
    for pk in ids:
        if pk not in {c.pk for c in allowed}:
            messages.error(request, _("C%(pk)d: not found, or not yours to change.") % {"pk": pk})
    return redirect(_safe_next(request, data["next"]))


# Case page ----------------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    event: CaseEvent
    title: str
    detail: str
    reason: str = ""
    who: str = ""  # staff names only for those who see the organisation's cases (never officials)


@dataclass
class ReportRow:
    report: Report
    identity: Identity | None
    suggestions: list[tuple[Case, str]]  # other cases it may belong to, with why in words
    reason: str = ""  # why Sauti put it in this case, in words
    text: Shown | None = None  # the description as this reader may see it; None: withheld (sensitive)
    automatic: str = ""  # coordinators: the automatic redaction, beside the original
    place: Shown | None = None  # the place as said, as this reader may see it; None: withheld
    pseudonym: str = ""  # "" for officials: pseudonyms link one reporter across cases


def _why(found: grouping.Match | None, labels: dict[str, str]) -> str:
    return grouping.describe(found, labels.get(found.category or "", "")) if found is not None else ""


def _category_labels(org: Organisation) -> dict[str, str]:
    return {c.key: str(c.label) for c in Category.objects.filter(organisation=org, parent=None)}


def _action_label(from_status: str, to_status: str) -> str:
    if to_status == Status.TRIAGED and from_status in (Status.REJECTED, Status.RESOLVED):
        return _("Reopen")
    labels: dict[str, str] = {
        Status.TRIAGED: _("Mark as triaged"),
        Status.VERIFIED: _("Verify"),
        Status.REJECTED: _("Reject"),
        Status.REFERRED: _("Refer"),
        Status.RESOLVED: _("Mark as resolved"),
        Status.UNRESOLVED: _("Mark as unresolved"),
    }
    return str(labels.get(to_status, to_status))


def _timeline(
    events: list[CaseEvent],
    offices: dict[int, str],
    policy: TextPolicy,
    full_view: bool,
    labels: dict[str, str] | None = None,
) -> list[TimelineEntry]:
    labels = labels or {}
    statuses = dict(Status.choices)
    methods = dict(VerificationMethod.choices)
    out = []
    for e in events:
        ref = e.report.reference if e.report else ""
        detail = ""
        if e.kind == CaseEvent.Kind.CREATED:
            title = _("Case opened from report %(ref)s") % {"ref": ref} if ref else _("Case opened")
        elif e.kind == CaseEvent.Kind.REPORT_ADDED:
            title = _("Report %(ref)s added") % {"ref": ref}
            why = e.data.get("why")
            if (
                e.actor_id is None
                and isinstance(why, dict)
                and why.get("place") in ("settlement", "ward", "near")
            ):
                found = grouping.Match(why["place"], why.get("days"), why.get("category"), why.get("km"), 0.0)
                detail = _("Suggested by Sauti (%(why)s); to be confirmed.") % {"why": _why(found, labels)}
            elif e.actor_id is None and e.data.get("score") is not None:
                detail = _("Suggested by Sauti; to be confirmed.")
            elif e.data.get("from"):
                detail = _("Moved here from C%(pk)s.") % {"pk": e.data["from"]}
        elif e.kind == CaseEvent.Kind.GROUPING_CONFIRMED:
            title = _("Report %(ref)s confirmed in this case") % {"ref": ref}
        elif e.kind == CaseEvent.Kind.REPORT_SPLIT:
            title = _("Report %(ref)s moved to case C%(pk)s") % {"ref": ref, "pk": e.data.get("to", "?")}
        elif e.kind == CaseEvent.Kind.STATUS:
            title = _("Status: %(from)s → %(to)s") % {
                "from": statuses.get(e.from_status, e.from_status),
                "to": statuses.get(e.to_status, e.to_status),
            }
            if e.data.get("method"):
                detail = _("Verified by: %(method)s") % {
                    "method": methods.get(e.data["method"], e.data["method"])
                }
            elif e.data.get("referred_to"):
                office = offices.get(e.data["referred_to"], "?")
                detail = _("Referred to: %(office)s") % {"office": office}
        elif e.kind == CaseEvent.Kind.EDITED:
            title = _("Details edited")
            changes = e.data.get("changes", {})
            detail = "; ".join(f"{k}: {v[0] or '—'} → {v[1] or '—'}" for k, v in changes.items())
        else:
            title = e.get_kind_display()
        org_id = e.case.organisation_id
        who = ""
        if full_view:
            who = (e.actor.get_full_name() or e.actor.get_username()) if e.actor else "Sauti"
        out.append(
            TimelineEntry(
                event=e,
                title=str(title),
                detail=policy.text(org_id, str(detail)).text,
                reason=policy.text(org_id, e.reason).text,
                who=who,
            )
        )
    return out


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    error: str = "",
    edit_form: mforms.CaseEditForm | None = None,
    note_form: mforms.NoteForm | None = None,
) -> HttpResponse:
    user = request_user(request)
    org = case.organisation
    full_view = can(user, Perm.VIEW_CASES, org)
    can_triage = can(user, Perm.TRIAGE_CASES, org)
    show_identities = can(user, Perm.VIEW_IDENTITIES, org)
    policy = TextPolicy.for_user(user)
    # A sensitive case referred to an office: the official sees its ward and status, never its texts,
    # landmarks, coordinates or photos (docs/architecture.md, "What an official sees").
    withheld = case.is_sensitive and not full_view
    reports = list(
        case.reports.select_related("reporter", "ward", "county", "settlement")
        .prefetch_related("attachments", "categories")
        .order_by("received_at", "id")
    )
    identities: dict[int, Identity] = {}
    contacts = {r.reporter.pk: r.reporter for r in reports if r.reporter is not None}
    if show_identities and contacts:
        identities = reveal_identities(user, contacts.values(), f"case {case.reference}")
    labels = _category_labels(org)
    policy.prepare_reports(reports)
    policy.prepare_cases([case])
    stored_why = why_grouped([r for r in reports if not r.grouping_confirmed]) if can_triage else {}
    rows = []
    for r in reports:
        unconfirmed = can_triage and not r.grouping_confirmed
        rows.append(
            ReportRow(
                report=r,
                identity=identities.get(r.reporter_id) if r.reporter_id else None,
                suggestions=[(c, _why(m, labels)) for c, m in suggest_matches(r, limit=3)]
                if unconfirmed
                else [],
                reason=_why(stored_why.get(r.pk) or why_in_case(r), labels) if unconfirmed else "",
                text=None if withheld else policy.description(r),
                place=None if withheld else policy.place(r),
                automatic=(r.redacted_description or policy.redact(org.pk, r.description).text)
                if show_identities
                else "",
                pseudonym=r.reporter.pseudonym if full_view and r.reporter is not None else "",
            )
        )
    events = list(case.events.select_related("actor", "report", "case"))
    if not full_view:
        shown = {CaseEvent.Kind.CREATED, CaseEvent.Kind.REPORT_ADDED, CaseEvent.Kind.STATUS}
        events = [e for e in events if e.kind in shown]
    office_ids = {e.data.get("referred_to") for e in events if e.data.get("referred_to")}
    offices = dict(Office.objects.filter(pk__in=office_ids).values_list("pk", "name")) if office_ids else {}
    transitions = [(s, _action_label(case.status, s)) for s in TRANSITIONS[case.status]] if can_triage else []
    context = {
        "case": case,
        "rows": rows,
        "timeline": _timeline(events, offices, policy, full_view, labels),
        # A sensitive case withheld from this reader shows its ward, never its point.
        "sketch": sketch(case.ward.code, *((None, None) if withheld else (case.lat, case.lon)))
        if case.ward is not None
        else None,
        "place_map": place_map(case, withhold_point=withheld),
        "full_view": full_view,
        "withheld": withheld,
        "withheld_place": (case.ward.name if case.ward else case.county.name if case.county else "")
        if withheld
        else "",
        "shown_title": withheld_title(case) if withheld else policy.title(case),
        "shown_summary": policy.text(org.pk, case.summary).text,
        "shown_rejection": policy.text(org.pk, case.rejection_reason).text,
        "text_redacted": not show_identities,
        "can_triage": can_triage,
        "has_sms_reporters": can_triage and any(c.phone_hash for c in contacts.values()),
        "show_identities": bool(identities),
        "pseudonyms_only": bool(contacts) and not identities and full_view,
        "transitions": transitions,
        "methods": VerificationMethod.choices,
        "offices": Office.objects.order_by("name").only("pk", "name") if can_triage else [],
        "error": error,
        "edit_form": edit_form
        or mforms.CaseEditForm(
            case=case,
            initial={
                "title": case.title,
                "summary": case.summary,
                "category": case.category_id,
                "is_public": case.is_public,
                "is_sensitive": case.is_sensitive,
            },
        ),
        "note_form": note_form or mforms.NoteForm(),
        "fix": fix_state(case) if full_view else None,
        "keep_form": mforms.KeepResolvedForm(),
        "place_query": case.settlement.name if case.settlement else case.ward.name if case.ward else "",
    }
    return render(request, "monitoring/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request_user(request), pk, Perm.VIEW_CASES)
    return _case_page(request, case)


@login_required
@require_POST
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    case = get_case_for_user(user, pk, Perm.TRIAGE_CASES)
    form = mforms.TransitionForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, error=_first_error(form))
    data = form.cleaned_data
    try:
        do_transition(
            case,
            data["to_status"],
            user,
            reason=data["reason"],
            method=data["method"],
            referred_to=data["referred_to"],
            inform=False if data["hold"] else None,
        )
    except TransitionError as exc:
        return _case_page(request, case, status=400, error=str(exc))
    messages.success(
        request, _("The case is now “%(status)s”.") % {"status": Status(data["to_status"]).label}
    )
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    case = get_case_for_user(user, pk, Perm.TRIAGE_CASES)
    form = mforms.CaseEditForm(request.POST, case=case)
    if not form.is_valid():
        return _case_page(request, case, status=400, error=_first_error(form), edit_form=form)
    if do_edit_case(case, user, **form.cleaned_data) is not None:
        messages.success(request, _("Changes saved."))
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def report_redaction(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """A coordinator corrects what those who may not see identities read of a report (empty: automatic)."""
    user = request_user(request)
    case = get_case_for_user(user, pk, Perm.TRIAGE_CASES)
    require(user, Perm.VIEW_IDENTITIES, case.organisation)
    report = case.reports.filter(pk=report_pk).first()
    if report is None:
        raise Http404
    form = mforms.RedactionForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, error=_first_error(form))
    do_correct_redaction(report, user, form.cleaned_data["text"])
    messages.success(request, _("Redaction saved."))
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    case = get_case_for_user(user, pk, Perm.TRIAGE_CASES)
    form = mforms.NoteForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, error=_first_error(form), note_form=form)
    try:
        do_add_note(case, user, form.cleaned_data["text"])
    except TransitionError as exc:
        return _case_page(request, case, status=400, error=str(exc), note_form=form)
    messages.success(request, _("Note added."))
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def case_inform(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    case = get_case_for_user(user, pk, Perm.TRIAGE_CASES)
    try:
        sent = do_inform_reporters(case, user)
    except TransitionError as exc:
        return _case_page(request, case, status=400, error=str(exc))
    messages.success(
        request,
        ngettext(
            "Status update queued for %(n)d reporter.", "Status update queued for %(n)d reporters.", sent
        )
        % {"n": sent},
    )
    return redirect("case_detail", pk=case.pk)


def _report_in_case(request: HttpRequest, pk: int, report_pk: int) -> tuple[Case, Report]:
    case = get_case_for_user(request_user(request), pk, Perm.TRIAGE_CASES)
    report = case.reports.select_related("organisation", "ward", "county").filter(pk=report_pk).first()
    if report is None:
        raise Http404
    return case, report


@login_required
@require_POST
def report_confirm(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    case, report = _report_in_case(request, pk, report_pk)
    do_confirm_grouping(report, request_user(request))
    messages.success(request, _("Report %(ref)s stays in this case.") % {"ref": report.reference})
    return redirect("case_detail", pk=case.pk)


@login_required
@require_POST
def report_split(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    case, report = _report_in_case(request, pk, report_pk)
    form = mforms.SplitForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, error=_first_error(form))
    new_case = do_split_report(report, request_user(request), form.cleaned_data["reason"])
    messages.success(
        request,
        _("Report %(ref)s is now case %(case)s.") % {"ref": report.reference, "case": new_case.reference},
    )
    return redirect("case_detail", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def report_move(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    """GET: find the case to move a report to, by words and place, the likely ones first. POST: move it."""
    user = request_user(request)
    case, report = _report_in_case(request, pk, report_pk)
    if request.method == "GET":
        words = request.GET.get("q", "")[:200]
        place = request.GET.get("place", "")[:200]
        labels = _category_labels(case.organisation)
        found = move_candidates(report, cases_for(user), words, place)
        context = {
            "case": case,
            "report": report,
            "q": words,
            "place": place,
            "candidates": [(c, _why(m, labels)) for c, m in found],
        }
        return render(request, "monitoring/report_move.html", context)
    form = mforms.MoveForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, error=_first_error(form))
    target_pk: int = form.cleaned_data["target"]
    target = cases_for(user).filter(pk=target_pk, organisation=case.organisation).first()
    if target is None:
        return _case_page(
            request,
            case,
            status=400,
            error=_("There is no case C%(pk)d that you can change.") % {"pk": target_pk},
        )
    if target.pk == case.pk:
        return _case_page(request, case, status=400, error=_("The report is already in this case."))
    do_move_report(report, target, user)
    messages.success(
        request,
        _("Report %(ref)s moved to case %(case)s.") % {"ref": report.reference, "case": target.reference},
    )
    return redirect("case_detail", pk=case.pk)


@login_required
@require_GET
def attachment_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An attachment of a case the user may see: the copy without location data, its thumbnail, or (for
    those who triage) the original as received, whose SHA-256 is the evidence."""
    user = request_user(request)
    attachment = Attachment.objects.select_related("report").filter(pk=pk).first()
    if attachment is None or attachment.report.case_id is None:
        raise Http404
    case = get_case_for_user(user, attachment.report.case_id, Perm.VIEW_CASES)
    variant = request.GET.get("v", "")
    response: HttpResponseBase
    is_image = attachment.content_type.startswith("image/")
    if variant == "thumb":
        data = thumbnail_for(attachment)
        if data is None:
            raise Http404
        response = HttpResponse(data, content_type="image/jpeg")
    elif variant == "original":
        require(user, Perm.TRIAGE_CASES, case.organisation)
        response = FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=True,
            filename=attachment.original_name,
        )
    else:
        stored = attachment.public_file if is_image else attachment.file
        if not stored:
            raise Http404
        response = FileResponse(
            stored.open("rb"),
            content_type=attachment.content_type,
            as_attachment=not is_image,
            filename=attachment.original_name,
        )
    response["Cache-Control"] = "private, max-age=3600"
    return response


# Intake -------------------------------------------------------------------------------------------------


def _report_input(form: mforms.ReportFormBase, channel: str, user: User | None) -> ReportInput:
    data = form.cleaned_data
    return ReportInput(
        description=data["description"],
        channel=channel,
        occurred_on=data.get("occurred_on"),
        place_text=data.get("place_text", "").strip(),
        lat=data.get("lat"),
        lon=data.get("lon"),
        category_keys=form.category_keys,
        category_source=CategorySource.REPORTER,
        people_affected=data.get("people_affected"),
        language=(translation.get_language() or "sw")[:2],
        submitted_by=user,
        attachments=form.uploads,
        county_hint=data.get("county_hint"),
        place_key=data.get("place_key", ""),
    )


def _reporter(form: mforms.ReportFormBase, method: str) -> ReporterDetails | None:
    data = form.cleaned_data
    name, phone = data.get("reporter_name", "").strip(), data.get("reporter_phone", "")
    if not data.get("consent") or not (name or phone):
        return None
    return ReporterDetails(
        name=name, phone=phone, language=(translation.get_language() or "sw")[:2], consent_method=method
    )


def _submit(form: mforms.ReportFormBase, channel: str, method: str, user: User | None) -> Report | None:
    """Submit a valid form; on a refused report, put the reason on the form and return None."""
    try:
        return do_submit_report_with_reporter(
            form.organisation, _report_input(form, channel, user), _reporter(form, method), user
        )
    except ReportError as exc:
        form.add_error(form.error_field(exc.field), str(exc))
        return None


def _public_orgs(request: HttpRequest) -> tuple[list[Organisation], str]:
    orgs = list(Organisation.objects.order_by("name"))
    slug = request.GET.get("org", "")[:60]
    if slug:
        orgs = [o for o in orgs if o.slug == slug]
        if not orgs:
            raise Http404
    return orgs, slug


def _public_categories(orgs: list[Organisation]) -> QuerySet[Category]:
    categories = Category.objects.filter(organisation__in=orgs, is_active=True, parent=None)
    return categories.order_by("position", "key")


@require_http_methods(["GET", "POST"])
def report_public(request: HttpRequest) -> HttpResponse:
    """The public report form: no login, works without JavaScript."""
    orgs, slug = _public_orgs(request)
    form = mforms.PublicReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organisations=orgs,
        categories=_public_categories(orgs),
    )
    context: dict[str, Any] = {"form": form, "organisations": orgs, "org_slug": slug, "pin": pin_config(orgs)}
    if request.method != "POST":
        return render(request, "monitoring/report_form.html", context)
    if not orgs:
        raise Http404
    chosen = orgs[0] if len(orgs) == 1 else _chosen(request, orgs)
    if not throttle.allow(request, chosen, Scope.REPORT):
        form.is_valid()
        form.add_error(None, _("Too many reports from this connection. Please try again later."))
        refused = render(request, "monitoring/report_form.html", context, status=429)
        refused["Retry-After"] = str(throttle.retry_after(chosen, Scope.REPORT))
        return refused
    if form.is_valid():
        if form.cleaned_data.get("website"):
            form.add_error(None, _("Your report could not be accepted."))
        else:
            report = _submit(form, ReportChannel.WEB, "web", None)
            if report is not None:
                request.session[SESSION_LAST_REPORT] = {
                    "reference": report.reference,
                    "key": do_issue_status_key(report),
                    "organisation": report.organisation.name,
                    "identified": report.reporter_id is not None,
                }
                return redirect("report_thanks")
    return render(request, "monitoring/report_form.html", context, status=400)


def _chosen(request: HttpRequest, orgs: list[Organisation]) -> Organisation:
    """The organisation a report is for (the form's choice), for counting; the first when not chosen."""
    slug = request.POST.get("org", "")
    return next((o for o in orgs if o.slug == slug), orgs[0])


@require_GET
def report_thanks(request: HttpRequest) -> HttpResponse:
    last = request.session.get(SESSION_LAST_REPORT)
    if not isinstance(last, dict):
        return redirect("report_public")
    return render(request, "monitoring/report_thanks.html", {"last": last})


@require_GET
def report_category(request: HttpRequest) -> HttpResponse:
    """The public form's category field, pre-filled with what the description reads as when none is chosen
    yet (a suggestion the reporter can change); a choice already made is kept."""
    orgs, slug = _public_orgs(request)
    chosen = request.GET.get("category", "")[:60]
    suggested = None if chosen else suggested_category(request.GET.get("description", "")[:2000])
    form = mforms.PublicReportForm(
        organisations=orgs,
        categories=_public_categories(orgs),
        initial={"category": chosen or suggested or ""},
    )
    context = {"form": form, "org_slug": slug, "suggested": bool(suggested)}
    return render(request, "monitoring/_report_category_field.html", context)


@require_GET
def report_place(request: HttpRequest) -> HttpResponse:
    """The place picker: candidates for what is typed (the organisation's area first, with `org`), or (with
    `pick`) the place field set to a choice."""
    text = request.GET.get("place_text", "").strip()[:200]
    slug = request.GET.get("org", "")[:60]
    org = Organisation.objects.filter(slug=slug).first() if slug else None
    context: dict[str, Any] = {"value": text, "org_slug": org.slug if org else ""}
    if request.GET.get("pick"):
        try:
            county = int(request.GET.get("county", ""))
        except ValueError:
            county = None
        if county is not None and not 1 <= county <= 47:
            county = None
        key = request.GET.get("key", "")[:40]
        context.update(county=county, picked=bool(text), place_key=key)
        return render(request, "monitoring/_report_place_field.html", context)
    area = org.operating_area() if org else None
    if area is not None and org is not None and not can(request.user, Perm.SUBMIT_REPORTS, org):
        area = replace(area, owner="")  # the organisation's own local places are shown to its members only
    found = find_places(text, limit=6, area=area) if len(text) >= 3 else []
    candidates = [(c, mforms.PLACE_KINDS.get(c.kind, c.kind), candidate_key(c)) for c in found]
    context.update(candidates=candidates, text=text)
    return render(request, "monitoring/_report_place_options.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_monitor(request: HttpRequest) -> HttpResponse:
    """The field monitor's form: more fields, several files, the reporter's details given verbally."""
    user = request_user(request)
    orgs = [o for o in organisations_for(user).order_by("name") if can(user, Perm.SUBMIT_REPORTS, o)]
    if not orgs:
        raise PermissionDenied
    categories = Category.objects.filter(organisation__in=orgs, is_active=True).order_by(
        "organisation__name", "position", "key"
    )
    form = mforms.MonitorReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organisations=orgs,
        categories=categories,
    )
    context = {"form": form, "pin": pin_config(orgs)}
    if request.method != "POST":
        return render(request, "monitoring/report_monitor_form.html", context)
    if form.is_valid():
        report = _submit(form, ReportChannel.MONITOR, "verbal", user)
        if report is not None:
            case = report.case
            messages.success(
                request,
                _("Report %(ref)s saved, in case %(case)s.")
                % {"ref": report.reference, "case": case.reference if case else "—"},
            )
            if case is not None and can(user, Perm.VIEW_CASES, report.organisation):
                return redirect("case_detail", pk=case.pk)
            return redirect("report_monitor")
    return render(request, "monitoring/report_monitor_form.html", context, status=400)


# Categories ---------------------------------------------------------------------------------------------


def _category_page(
    request: HttpRequest, *, status: int = 200, error: str = "", add_forms: dict[int, Any] | None = None
) -> HttpResponse:
    user = request_user(request)
    orgs = [o for o in organisations_for(user).order_by("name") if can(user, Perm.TRIAGE_CASES, o)]
    if not orgs:
        raise PermissionDenied
    sections = []
    rows = list(Category.objects.filter(organisation__in=orgs).order_by("position", "key"))
    for org in orgs:
        mine = [c for c in rows if c.organisation_id == org.pk]
        tops = [c for c in mine if c.parent_id is None]
        tree = [(top, [c for c in mine if c.parent_id == top.pk]) for top in tops]
        add = (add_forms or {}).get(org.pk) or mforms.CategoryAddForm(parents=tops)
        sections.append({"org": org, "tree": tree, "add_form": add})
    return render(
        request, "monitoring/category_list.html", {"sections": sections, "error": error}, status=status
    )


@login_required
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    return _category_page(request)


@login_required
@require_POST
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    category = Category.objects.select_related("organisation").filter(pk=pk).first()
    if category is None:
        raise Http404
    get_organisation_for_user(user, category.organisation.slug, Perm.TRIAGE_CASES)
    form = mforms.CategoryEditForm(request.POST)
    if not form.is_valid():
        return _category_page(request, status=400, error=f"{category.key}: {_first_error(form)}")
    try:
        do_update_category(category, user, **form.cleaned_data)
    except CategoryError as exc:
        return _category_page(request, status=400, error=f"{category.key}: {exc}")
    messages.success(request, _("Category “%(key)s” saved.") % {"key": category.key})
    return redirect("category_list")


@login_required
@require_POST
def category_add(request: HttpRequest, slug: str) -> HttpResponse:
    user = request_user(request)
    org = get_organisation_for_user(user, slug, Perm.TRIAGE_CASES)
    parents = list(Category.objects.filter(organisation=org, parent=None).order_by("position", "key"))
    form = mforms.CategoryAddForm(request.POST, parents=parents)
    if not form.is_valid():
        return _category_page(request, status=400, error=_first_error(form), add_forms={org.pk: form})
    data = form.cleaned_data
    parent = next((p for p in parents if p.pk == data["parent"]), None)
    try:
        category = do_add_category(
            org, user, parent=parent, key=data["key"], name_en=data["name_en"], name_sw=data["name_sw"]
        )
    except CategoryError as exc:
        return _category_page(request, status=400, error=str(exc), add_forms={org.pk: form})
    messages.success(request, _("Category “%(key)s” added.") % {"key": category.key})
    return redirect("category_list")


# Local places ------------------------------------------------------------------------------------------


def _area_wards(org: Organisation) -> list[tuple[int, str]]:
    area = org.operating_area()
    wards = Ward.objects.select_related("constituency").order_by("constituency__name", "name")
    if area:
        wards = wards.filter(Q(county__code__in=area.counties) | Q(code__in=area.wards))
    return [(w.code, f"{w.name} ({w.constituency.name})") for w in wards]


@login_required
@require_http_methods(["GET", "POST"])
def local_places(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's own places (landmarks, villages): listed, and added with their ward."""
    user = request_user(request)
    org = get_organisation_for_user(user, slug, Perm.TRIAGE_CASES)
    form = mforms.LocalPlaceForm(
        request.POST if request.method == "POST" else None, wards=_area_wards(org), area=org.operating_area()
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            ward = Ward.objects.get(code=data["ward"])
            try:
                place = do_add_local_place(
                    org.slug,
                    data["name"],
                    ward,
                    lat=data.get("lat"),
                    lon=data.get("lon"),
                    aliases=form.alias_list,
                )
            except PlaceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(
                    request,
                    _("“%(name)s” added in %(ward)s. Reports naming it are placed there from now on.")
                    % {"name": place.name, "ward": ward.name},
                )
                return redirect("local_places", slug=org.slug)
        status = 400
    places = Settlement.objects.filter(source="local", source_ref__startswith=f"{org.slug}/").select_related(
        "ward", "constituency"
    )
    return render(
        request, "monitoring/local_places.html", {"org": org, "form": form, "places": places}, status=status
    )
