"""USSD "7. Answer a question" (issue 15): the caller answers the latest question Sauti sent to their number
and they have not answered, a verification question of the dialogues app ("Was the promise kept?": yes, no,
not sure) or a resolved case's "Is it fixed?" (monitoring.reporters: yes, no). Answers go through the same
actions as SMS and web answers, so each person counts once (the first answer counts). Registered in this
app's ready() with `ussd.register_menu_item`; every screen is at most 160 GSM-7 characters."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from django.utils.translation import gettext as _

from sauti.conversations.ussd import MenuStep
from sauti.core.crypto import lookup_hash
from sauti.dialogues.actions import do_record_verification_answer, pending_surveys
from sauti.dialogues.models import VerificationAnswer, VerificationSurvey
from sauti.messaging.segments import GSM7_BASIC
from sauti.monitoring.models import FixAnswer
from sauti.monitoring.reporters import awaiting_fixed, do_record_fixed_answer
from sauti.people.models import Contact, Organisation

SCREEN: Final = 160
_SURVEY_ANSWERS: Final = {"1": "yes", "2": "no", "3": "unsure"}
_FIXED_ANSWERS: Final = {"1": "yes", "2": "no"}


def _gsm(text: str) -> str:
    return "".join(ch for ch in text if ch in GSM7_BASIC and ch not in "\n\r")


def _fit(head: str, rest: str) -> str:
    room = SCREEN - len(rest) - 1
    head = _gsm(head)
    if len(head) > room:
        head = head[: max(room - 2, 0)].rstrip() + ".."
    return f"{head}\n{rest}"


def _latest(organisation: Organisation, phone: str) -> tuple[str, Any, Contact] | None:
    """The newest unanswered question to any record of this number: ("survey", survey, contact) or
    ("fixed", asked row, contact)."""
    records = list(Contact.objects.filter(organisation=organisation, phone_hash=lookup_hash(phone)))
    surveys = pending_surveys(records)
    fixed = [(a, c) for c in records if (a := awaiting_fixed(c)) is not None]
    best_fixed = max(fixed, key=lambda p: p[0].asked_at) if fixed else None
    if surveys and (best_fixed is None or surveys[0][0].created_at >= best_fixed[0].asked_at):
        return ("survey", surveys[0][0], surveys[0][1])
    if best_fixed is not None:
        return ("fixed", best_fixed[0], best_fixed[1])
    return None


def _ask(kind: str, target: Any, contact: Contact, lang: str, note: str = "") -> MenuStep:
    if kind == "survey":
        assert isinstance(target, VerificationSurvey)
        question = target.question_sw if lang == "sw" else target.question_en
        options = ["1. " + _("Yes"), "2. " + _("No"), "3. " + _("Not sure")]
    else:
        assert isinstance(target, FixAnswer)
        mine = target.fix_check.case.reports.filter(reporter=contact).order_by("pk").first()
        ref = mine.reference if mine is not None else target.fix_check.case.reference
        question = _("Report %(ref)s was resolved. Is it fixed?") % {"ref": ref}
        options = ["1. " + _("Yes"), "2. " + _("No")]
    rest = "\n".join([*([note] if note else []), *options, "0. " + _("Back")])
    return MenuStep(_fit(question, rest), data={"kind": kind, "id": target.pk, "contact": contact.pk})


class AnswerItem:
    key = "7"

    def label(self) -> str:
        return _("Answer")

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
            latest = _latest(organisation, phone)
            if latest is None:
                return MenuStep(_("No question is waiting for your answer."), end=True)
            return _ask(*latest, lang)
        if entry == "0":
            return MenuStep("", home=True)
        contact = Contact.objects.filter(pk=int(data.get("contact") or 0), organisation=organisation).first()
        if contact is None:
            return MenuStep(_("No question is waiting for your answer."), end=True)
        if data.get("kind") == "survey":
            survey = VerificationSurvey.objects.filter(pk=int(data.get("id") or 0)).first()
            answer = _SURVEY_ANSWERS.get(entry)
            if survey is None:
                return MenuStep(_("No question is waiting for your answer."), end=True)
            if answer is None:
                return _ask("survey", survey, contact, lang, _("Choose 1, 2 or 3."))
            row = do_record_verification_answer(survey, contact, answer, VerificationAnswer.Channel.USSD)
            recorded = row is not None
        else:
            asked = (
                FixAnswer.objects.filter(pk=int(data.get("id") or 0), contact=contact)
                .select_related("fix_check")
                .first()
            )
            answer = _FIXED_ANSWERS.get(entry)
            if asked is None:
                return MenuStep(_("No question is waiting for your answer."), end=True)
            if answer is None:
                return _ask("fixed", asked, contact, lang, _("Choose 1 or 2."))
            recorded = do_record_fixed_answer(asked, answer, "ussd", now)
        if not recorded:
            return MenuStep(_("Your answer was already recorded. Thank you."), end=True)
        return MenuStep(_("Thank you for your answer."), end=True)
