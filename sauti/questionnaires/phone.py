"""Short forms by SMS and USSD: one question per message or screen, in the respondent's language.

SMS: the form's keyword (`MAJI`, or `FOMU MAJI` / `FORM MAJI`) starts it; each reply answers the open
question (a number for a choice or a number question; several numbers for select_multiple); the last
answer submits it (instanceID `sms:<first inbound id>`, idempotent) and thanks the sender. 30 minutes of
silence ends it unsubmitted. USSD: "Surveys" in the main menu lists the short forms, then the same
questions one per screen; the session ends with the thanks. Conversations routes both here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sauti.core.crypto import lookup_hash
from sauti.people.actions import find_contact
from sauti.people.models import Organisation
from sauti.questionnaires import expressions
from sauti.questionnaires.actions import AnswerError, Incoming, do_receive_submission
from sauti.questionnaires.models import PhoneSurvey, Questionnaire, Submission
from sauti.questionnaires.results import label_of

TIMEOUT = timedelta(minutes=30)
USSD_TIMEOUT = timedelta(minutes=5)
START_WORDS = {"FOMU": "sw", "JIBU": "sw", "UTAFITI": "sw", "FORM": "en", "SURVEY": "en"}
MAX_CHOICES = 9


def short_forms(org: Organisation) -> list[Questionnaire]:
    return list(
        Questionnaire.objects.filter(organisation=org, short=True, published=True, current__isnull=False)
        .select_related("current")
        .order_by("title")
    )


def _questions(survey: PhoneSurvey) -> list[dict[str, Any]]:
    return [q for q in survey.version.spec["questions"] if q["type"] != "note"]


def _next_position(survey: PhoneSurvey, start: int) -> int:
    questions = _questions(survey)
    pos = start
    while pos < len(questions) and not expressions.holds(questions[pos]["relevant"], survey.answers):
        pos += 1
    return pos


def question_text(survey: PhoneSurvey, note: str = "") -> str:
    questions = _questions(survey)
    q = questions[survey.position]
    lines = [f"{survey.position + 1}/{len(questions)} {label_of(q, survey.language)}"]
    if q["type"] in ("select_one", "select_multiple"):
        choices = survey.version.spec["choices"].get(q["list"], [])[:MAX_CHOICES]
        lines += [f"{i}. {label_of(c, survey.language)}" for i, c in enumerate(choices, start=1)]
        if q["type"] == "select_multiple":
            lines.append(_("Send the numbers, e.g. 1 3"))
    else:
        lines.append(_("Send a number"))
    text = "\n".join(lines)
    return f"{note}\n{text}" if note else text


def _parse(survey: PhoneSurvey, entry: str) -> Any:
    q = _questions(survey)[survey.position]
    words = entry.replace(",", " ").split()
    if q["type"] == "integer":
        if len(words) != 1 or not words[0].lstrip("-").isdigit():
            raise AnswerError(_("Please send a number."))
        value = int(words[0])
        if q["constraint"] and not expressions.holds(q["constraint"], survey.answers, value):
            raise AnswerError(
                (q.get("constraint_message") or {}).get(survey.language)
                or _("This answer is not allowed here.")
            )
        return value
    choices = survey.version.spec["choices"].get(q["list"], [])[:MAX_CHOICES]
    try:
        picked = [choices[int(w) - 1]["name"] for w in words if int(w) >= 1]
    except (ValueError, IndexError):
        raise AnswerError(_("Choose a number from the list.")) from None
    if not picked or len(picked) != len(words):
        raise AnswerError(_("Choose a number from the list."))
    if q["type"] == "select_one":
        if len(picked) != 1:
            raise AnswerError(_("Choose one number from the list."))
        return picked[0]
    return " ".join(dict.fromkeys(picked))


def _advance(survey: PhoneSurvey, entry: str, phone: str) -> tuple[str, bool]:
    """(text to send, finished)."""
    try:
        value = _parse(survey, entry)
    except AnswerError as exc:
        return question_text(survey, str(exc)), False
    name = _questions(survey)[survey.position]["name"]
    survey.answers = {**survey.answers, name: value}
    survey.position = _next_position(survey, survey.position + 1)
    if survey.position < len(_questions(survey)):
        return question_text(survey), False
    instance = f"{survey.channel}:{survey.first_inbound_id or survey.pk}"
    received = do_receive_submission(
        survey.questionnaire,
        Incoming(
            instance_id=instance,
            answers=survey.answers,
            channel=Submission.Channel.SMS if survey.channel == "sms" else Submission.Channel.USSD,
            version_text=survey.version.version,
            language=survey.language,
            phone=phone,
        ),
    )
    survey.submission, survey.status = received.submission, PhoneSurvey.State.DONE
    return _("Thank you. Your answers to %(form)s were received.") % {
        "form": survey.questionnaire.title
    }, True


def _keyword_form(org: Organisation, text: str) -> tuple[Questionnaire | None, str]:
    words = text.strip().upper().split()
    if not words:
        return None, ""
    lang = ""
    if words[0] in START_WORDS and len(words) >= 2:
        lang, words = START_WORDS[words[0]], words[1:]
    if len(words) != 1:
        return None, ""
    form = next((f for f in short_forms(org) if f.sms_keyword == words[0]), None)
    return form, lang


def reply_to_sms(org: Organisation, *, phone: str, text: str, inbound_id: int) -> list[str] | None:
    """The replies when this SMS starts or answers a short form; None when it has nothing to do with one."""
    phash = lookup_hash(phone)
    mine = PhoneSurvey.objects.filter(questionnaire__organisation=org, phone_hash=phash, channel="sms")
    seen = mine.filter(last_inbound_id=inbound_id).first()
    if seen is not None:
        return list(seen.last_replies)
    now = timezone.now()
    with transaction.atomic():
        survey = (
            mine.select_for_update()
            .filter(status=PhoneSurvey.State.OPEN)
            .select_related("version", "questionnaire")
            .first()
        )
        if survey is not None and survey.expires_at <= now:
            survey.status = PhoneSurvey.State.EXPIRED
            survey.save(update_fields=["status"])
            survey = None
        form, lang = _keyword_form(org, text)
        if survey is None or form is not None:
            if form is None or form.current is None:
                return None
            if survey is not None:  # the keyword again: start afresh
                survey.status = PhoneSurvey.State.EXPIRED
                survey.save(update_fields=["status"])
            contact = find_contact(org, phone)
            survey = PhoneSurvey(
                questionnaire=form,
                version=form.current,
                phone_hash=phash,
                channel="sms",
                language=lang or (contact.language if contact is not None else "sw"),
                first_inbound_id=inbound_id,
                expires_at=now + TIMEOUT,
            )
            survey.position = _next_position(survey, 0)
            with translation.override(survey.language):
                reply = question_text(survey)
        else:
            with translation.override(survey.language):
                reply, _done = _advance(survey, text, phone)
        survey.last_inbound_id, survey.last_replies = inbound_id, [reply]
        survey.expires_at = now + TIMEOUT
        survey.save()
    return [reply]


# --- USSD ------------------------------------------------------------------------------------------


def ussd_open(org: Organisation, session_id: str) -> PhoneSurvey | None:
    return (
        PhoneSurvey.objects.filter(
            questionnaire__organisation=org,
            channel="ussd",
            session_id=session_id,
            status=PhoneSurvey.State.OPEN,
        )
        .select_related("version", "questionnaire")
        .first()
    )


def ussd_menu(org: Organisation, lang: str) -> tuple[str, bool]:
    """The list of short forms (screen, end)."""
    forms = short_forms(org)[:MAX_CHOICES]
    with translation.override(lang):
        if not forms:
            return _("There are no surveys to answer now."), True
        lines = [_("Surveys")] + [f"{i}. {f.title[:30]}" for i, f in enumerate(forms, start=1)]
        return "\n".join(lines), False


def ussd_step(
    org: Organisation, *, session_id: str, phone: str, entry: str, lang: str, picked: bool
) -> tuple[str, bool, bool]:
    """One USSD hop inside the surveys menu: (screen, end, a form is now being answered).
    `picked` False means `entry` chooses a form from ussd_menu."""
    now = timezone.now()
    if not picked:
        forms = short_forms(org)[:MAX_CHOICES]
        n = int(entry) if entry.isdigit() else 0
        if not 1 <= n <= len(forms):
            with translation.override(lang):
                menu, end = ussd_menu(org, lang)
                return f"{_('Choose a number from the list.')}\n{menu}", end, False
        form = forms[n - 1]
        assert form.current is not None
        survey = PhoneSurvey(
            questionnaire=form,
            version=form.current,
            phone_hash=lookup_hash(phone),
            channel="ussd",
            session_id=session_id[:100],
            language=lang,
            expires_at=now + USSD_TIMEOUT,
        )
        survey.position = _next_position(survey, 0)
        survey.save()
        with translation.override(lang):
            return question_text(survey), False, True
    open_survey = ussd_open(org, session_id)
    if open_survey is None or open_survey.phone_hash != lookup_hash(phone):
        with translation.override(lang):
            return _("Your session has ended. Please dial again."), True, True
    with transaction.atomic():
        with translation.override(open_survey.language):
            text, done = _advance(open_survey, entry, phone)
        open_survey.expires_at = now + USSD_TIMEOUT
        open_survey.save()
    return text, done, True
