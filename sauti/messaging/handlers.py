"""Default conversation handlers (settings SAUTI_SMS_HANDLER / SAUTI_USSD_HANDLER).

`handle_sms` turns a message into a report and answers with its reference number; `handle_ussd` is one
screen saying USSD reporting is coming. The conversation layer replaces both with its own.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _

from sauti.messaging.parse import analyse
from sauti.monitoring.actions import ReportError, ReportInput, do_submit_report
from sauti.monitoring.models import Category, Report
from sauti.people.actions import find_contact
from sauti.people.models import Contact, Organisation


def contact_for(organisation: Organisation, phone: str, language: str) -> Contact:
    contact = find_contact(organisation, phone)
    if contact is None:
        contact = Contact(organisation=organisation, language=language)
        contact.phone = phone
        contact.save()
    return contact


def handle_sms(
    *, organisation: Organisation, phone: str, text: str, received_at: datetime, inbound_id: int
) -> list[str]:
    analysis = analyse(text)
    language = "en" if analysis.language == "en" else "sw"
    contact = contact_for(organisation, phone, language)
    with translation.override(contact.language):
        if analysis.command == "status":
            return [_status_reply(organisation, contact, analysis.reference)]
        keys = [analysis.category] if analysis.category != "other" else []
        keys = [
            k
            for k in keys
            if Category.objects.filter(organisation=organisation, key=k, is_active=True).exists()
        ]
        place = analysis.place
        try:
            report = do_submit_report(
                organisation,
                ReportInput(
                    description=analysis.body or text,
                    channel="sms",
                    external_id=f"sms:{inbound_id}",
                    reporter=contact,
                    language=analysis.language,
                    category_keys=keys,
                    place_text=place.name if place is not None else "",
                    county_hint=place.county_code if place is not None else None,
                    people_affected=analysis.people_affected,
                    received_at=received_at,
                ),
            )
        except ReportError as e:
            return [str(e)]
        if report.ward_id is None and report.settlement_id is None:
            return [
                _(
                    "Thank you. Your report %(ref)s was received. Next time, say the village or ward where it happened."
                )
                % {"ref": report.reference}
            ]
        return [_("Thank you. Your report %(ref)s was received.") % {"ref": report.reference}]


def _status_reply(organisation: Organisation, contact: Contact, reference: int | None) -> str:
    report = (
        Report.objects.filter(organisation=organisation, reporter=contact, pk=reference)
        .select_related("case")
        .first()
        if reference is not None
        else None
    )
    if report is None:
        return _("We found no report with that number from your phone. Send HALI followed by the number.")
    status = report.case.get_status_display() if report.case is not None else _("received")
    return _("Report %(ref)s: %(status)s.") % {"ref": report.reference, "status": status}


def handle_ussd(
    *, organisation: Organisation, session_id: str, phone: str, service_code: str, text: str
) -> str:
    with translation.override("sw"):
        return "END " + _("Reporting by USSD is coming soon. Send your report by SMS to this number.")
