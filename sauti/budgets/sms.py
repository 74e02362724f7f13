"""Site visits by SMS: "MRADI 12 2" / "PROJECT 12 2" (project P12, status 2 = not started), with an optional
note after the status. "MRADI 12" alone answers with the project's name and the status options, in the
sender's language (the keyword decides it: MRADI → Kiswahili, PROJECT → English)."""

from __future__ import annotations

import re
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _

from sauti.budgets.actions import BudgetError, ObservationInput, do_observe
from sauti.budgets.models import SMS_STATUS, Observation, Project
from sauti.people.actions import find_or_create_contact
from sauti.people.models import Organisation

COMMAND = re.compile(
    r"^\s*(?P<kw>MRADI|PROJECT|PROJ)\b[\s:#.]*P?(?P<number>\d{1,7})?\s*(?P<status>\d)?\b\s*(?P<note>.*)$",
    re.I | re.S,
)


def status_options() -> str:
    return _("Reply PROJECT <number> and: 1 exists, 2 not started, 3 stalled, 4 complete, 5 poor quality.")


def handle_keyword(
    *, organisation: Organisation, phone: str, text: str, received_at: datetime, inbound_id: int
) -> list[str] | None:
    m = COMMAND.match(text or "")
    if m is None:
        return None
    lang = "sw" if m.group("kw").upper() == "MRADI" else "en"
    with translation.override(lang):
        if m.group("number") is None:
            if m.group("note").strip():
                return None  # "Project at Likoni stalled …": free text, a report
            return [
                _("Send PROJECT and the project number from the list, e.g. PROJECT 12 2.")
                + " "
                + status_options()
            ]
        project = Project.objects.filter(organisation=organisation, number=int(m.group("number"))).first()
        if project is None:
            return [
                _("There is no project number %(n)s. Check the number on the project list.")
                % {"n": m.group("number")}
            ]
        status = SMS_STATUS.get(m.group("status") or "")
        if status is None:
            return [
                f"{project.reference} {project.name[:60]}. "
                + status_options().replace("<number>", str(project.number))
            ]
        contact = find_or_create_contact(
            organisation, phone, language=lang, consent="reporting", consent_method="sms"
        )
        try:
            observation = do_observe(
                project,
                ObservationInput(
                    status=status,
                    note=" ".join(m.group("note").split())[:500],
                    source=Observation.Source.SMS,
                    reporter=contact,
                    language=lang,
                    external_id=f"sms:{inbound_id}",
                    received_at=received_at,
                ),
            )
        except BudgetError as exc:
            return [str(exc)]
        return [
            _("Thank you. %(project)s: “%(status)s” recorded (report %(ref)s).")
            % {
                "project": project.reference,
                "status": observation.get_status_display(),
                "ref": observation.report.reference if observation.report else "",
            }
        ]
