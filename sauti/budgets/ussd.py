"""Site visits by USSD: "6. Project status" in the main menu (registered with conversations'
`register_menu_item`). The caller enters the project number, picks what they saw from a numbered list in
the session's language, and confirms; the visit is stored as the web form's is (`actions.do_observe`), once
per session. Every screen is at most 160 GSM-7 characters (one USSD screen, as the rest of the menu)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from django.utils.translation import gettext as _

from sauti.budgets.actions import BudgetError, ObservationInput, do_observe
from sauti.budgets.models import SMS_STATUS, Observation, Project, SiteStatus, project_number
from sauti.conversations.ussd import MenuStep
from sauti.messaging.segments import GSM7_BASIC
from sauti.people.actions import find_or_create_contact
from sauti.people.models import Organisation

SCREEN: Final = 160
BACK: Final = "0"
HOME: Final = "00"


def _gsm(text: str) -> str:
    return "".join(ch for ch in text if ch in GSM7_BASIC and ch not in "\n\r")


def _fit(head: str, rest: str) -> str:
    """`head` (a project's name) cut so that head + rest is one screen."""
    room = SCREEN - len(rest) - 1
    head = _gsm(head)
    if len(head) > room:
        head = head[: max(room - 2, 0)].rstrip() + ".."
    return f"{head}\n{rest}"


def _back() -> str:
    return f"{BACK}. " + _("Back")


def _ask_number(note: str = "") -> MenuStep:
    body = _("Enter the project number from the project list, e.g. 12:") + "\n" + _back()
    return MenuStep((note + "\n" if note else "") + body, data={"at": "number"})


def _ask_status(project: Project, note: str = "") -> MenuStep:
    options = [f"{key}. {_gsm(str(SiteStatus(value).label))}" for key, value in SMS_STATUS.items()]
    rest = "\n".join([*([note] if note else []), _("What did you see?"), *options, _back()])
    return MenuStep(
        _fit(f"{project.reference} {project.name}", rest), data={"at": "status", "number": project.number}
    )


def _ask_confirm(project: Project, status: str) -> MenuStep:
    label = _gsm(str(SiteStatus(status).label))
    rest = f"{label}\n1. " + _("Send") + "\n2. " + _("Cancel")
    return MenuStep(
        _fit(f"{project.reference} {project.name}:", rest),
        data={"at": "confirm", "number": project.number, "status": status},
    )


class ProjectStatusItem:
    key = "6"

    def label(self) -> str:
        return _("Project status")

    def step(
        self,
        organisation: Organisation,
        *,
        phone: str,
        session_id: str,
        entry: str | None,
        lang: str,
        data: dict[str, Any],
        now: datetime,
    ) -> MenuStep:
        if entry is None:
            return _ask_number()
        if entry == HOME:
            return MenuStep("", home=True)
        at = data.get("at")
        project = None
        if at in ("status", "confirm"):
            project = Project.objects.filter(
                organisation=organisation, number=int(data.get("number") or 0)
            ).first()
            if project is None:  # removed meanwhile
                return _ask_number()
        if at == "status" and project is not None:
            if entry == BACK:
                return _ask_number()
            status = SMS_STATUS.get(entry)
            if status is None:
                return _ask_status(project, _("Choose a number from the list."))
            return _ask_confirm(project, status)
        if at == "confirm" and project is not None:
            if entry == BACK:
                return _ask_status(project)
            if entry == "2":
                return MenuStep(_("Cancelled. Nothing was sent."), end=True)
            if entry != "1":
                return _ask_confirm(project, str(data.get("status", "")))
            return _record(organisation, project, str(data.get("status", "")), phone, session_id, lang, now)
        # Entering the project number.
        if entry == BACK:
            return MenuStep("", home=True)
        number = project_number(entry)
        if number is None:
            return _ask_number(_("That is not a project number."))
        found = Project.objects.filter(organisation=organisation, number=number).first()
        if found is None:
            return _ask_number(_("There is no project number %(n)s.") % {"n": number})
        return _ask_status(found)


def _record(
    organisation: Organisation,
    project: Project,
    status: str,
    phone: str,
    session_id: str,
    lang: str,
    now: datetime,
) -> MenuStep:
    contact = find_or_create_contact(
        organisation, phone, language=lang, consent="reporting", consent_method="ussd"
    )
    try:
        observation = do_observe(
            project,
            ObservationInput(
                status=status,
                source=Observation.Source.USSD,
                reporter=contact,
                language=lang,
                external_id=f"ussd-project:{session_id}"[:120],
                received_at=now,
            ),
        )
    except BudgetError as exc:
        return MenuStep(_gsm(str(exc)), end=True)
    return MenuStep(
        _("Thank you. %(project)s: %(status)s. Recorded as report %(ref)s.")
        % {
            "project": project.reference,
            "status": _gsm(observation.get_status_display()),
            "ref": observation.report.reference if observation.report else "",
        },
        end=True,
    )


MENU_ITEM = ProjectStatusItem()
