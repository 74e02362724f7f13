"""Data-subject requests reaching monitoring's rows (registered with people in MonitoringConfig.ready):
the person's reports in an export, their last report for retention, and their name and number erased from
report text, case titles and summaries and case-event reasons (people.erasure)."""

from __future__ import annotations

from typing import Any

from sauti.monitoring.models import Case, CaseEvent, Report
from sauti.people.erasure import Erasure
from sauti.people.models import Contact

# Retention (people.subjects): a contact's last report counts as their last activity.
LAST_ACTIVITY = "reports__received_at"


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def export_subject(contact: Contact) -> dict[str, Any]:
    return {
        "reports": [
            {
                "reference": r.reference,
                "received_at": _iso(r.received_at),
                "occurred_on": _iso(r.occurred_on),
                "channel": r.channel,
                "description": r.description,
                "place_text": r.place_text,
                "case": r.case.reference if r.case else None,
            }
            for r in Report.objects.filter(reporter=contact)
            .select_related("case")
            .order_by("received_at", "id")
        ]
    }


def _title_from(description: str) -> str:
    """The title a new case takes from its first report (monitoring.actions), to recompute it."""
    title = " ".join(description.split())
    return title[:80] + ("…" if len(title) > 80 else "")


def erase_identity(e: Erasure) -> None:
    """Their own reports with everything, anyone's report of the organisation with the number or the full
    name; the cases those reports belong to, and the reasons of those cases' events."""
    if not e.own:
        return
    own, others = e.own, e.others
    touched_reports: set[int] = set()
    changed_in_case: dict[int, list[tuple[str, str]]] = {}  # case -> (old, new) descriptions
    own_cases: set[int] = set()
    touched_cases: set[int] = set()
    reports = Report.objects.filter(organisation_id=e.org_id).only(
        "pk", "description", "place_text", "reporter_id", "case_id"
    )
    for report in reports.iterator(2000):
        mine = report.reporter_id == e.contact.pk
        redactor = own if mine else others
        if mine and report.case_id is not None:
            own_cases.add(report.case_id)
        description, place = redactor.text(report.description), redactor.text(report.place_text)
        if (description, place) == (report.description, report.place_text):
            continue
        if report.case_id is not None:
            changed_in_case.setdefault(report.case_id, []).append((report.description, description))
        report.description, report.place_text = description, place
        report.save(update_fields=["description", "place_text"])
        touched_reports.add(report.pk)
    e.done.reports = len(touched_reports)
    for case in Case.objects.filter(organisation_id=e.org_id).only("pk", "title", "summary"):
        redactor = own if case.pk in own_cases else others
        title = case.title
        for old, new in changed_in_case.get(case.pk, []):
            if _title_from(old) == title:  # cut from a description: cut again from the redacted one
                title = _title_from(new)
                break
        title, summary = redactor.text(title), redactor.text(case.summary)
        if (title, summary) != (case.title, case.summary):
            case.title, case.summary = title, summary
            case.save(update_fields=["title", "summary"])
            touched_cases.add(case.pk)
    e.done.cases = len(touched_cases)
    for event in CaseEvent.objects.filter(case_id__in=touched_cases | own_cases).exclude(reason=""):
        reason = own.text(event.reason)
        if reason != event.reason:
            event.reason = reason
            event.save(update_fields=["reason"])

    # The snapshots logged of these rows may hold the erased texts: people.erasure redacts them.
    case_ids = list(touched_cases | own_cases)
    own_reports = [str(r) for r in Report.objects.filter(reporter=e.contact).values_list("pk", flat=True)]
    e.audited += [
        ("monitoring.report", [str(pk) for pk in touched_reports] + own_reports),
        ("monitoring.case", [str(pk) for pk in case_ids]),
        ("monitoring.caseevent", [str(pk) for pk in CaseEvent.objects.filter(case_id__in=case_ids).values_list("pk", flat=True)]),
    ]  # fmt: skip
