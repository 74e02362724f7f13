"""Reporters hear back (issue 15): the secret that opens a report's public status page, and "Is it fixed?".

Status page: each report submitted on the web, by SMS or USSD gets a short secret (`do_issue_status_key`),
shown once to the reporter (thanks page, confirmation SMS); only its keyed hash is stored (`StatusKey`).
`report_for_key` opens a report with its reference and secret, and answers None alike for an unknown
reference, a report without a key and a wrong secret.

"Is it fixed?": a day after a case is resolved (`FIX_CHECK_DELAY`), the periodic job `do_ask_if_fixed` asks
each of its reporters who can be reached by SMS, in their language, once per resolution (`FixCheck` is unique
on the status event that resolved the case; `FixAnswer` on the check and the contact). Consent: sending the
report is consent to hear about it (as the status SMS of `actions.do_transition`); the outbox refuses numbers
that opted out or withdrew consent. Sensitive cases, and resolutions whose status SMS a coordinator held, are
not asked. A reply (`handle_fixed_reply`, called by conversations before it reads a text as a new report)
is "1"/"yes"/"ndiyo" or "2"/"no"/"hapana", short; anything else is left for the report reader. A "no" puts
the case before the coordinator (`needs_decision`): reopen it (the ordinary transition) or keep it resolved
with a reason (`do_keep_resolved`). The first answer of a reporter counts; a later one is refused politely.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sauti.core.crypto import lookup_hash
from sauti.messaging.actions import do_queue_sms
from sauti.monitoring.models import Case, CaseEvent, FixAnswer, FixCheck, Report, Status, StatusKey
from sauti.people.models import Contact, Organisation, User

KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on a keypad
KEY_LENGTH = 6
FIX_CHECK_DELAY = timedelta(days=1)
FIX_CHECK_WINDOW = timedelta(days=14)  # a resolution older than this is not asked about (e.g. on upgrade)
ANSWER_WINDOW = timedelta(days=30)  # a reply after this is read as a new message
MAX_ANSWER_WORDS = 3
_REFERENCE = re.compile(r"(?i)^\s*r?\s*#?\s*(\d{1,12})\s*$")
_WORD = re.compile(r"[^\W_]+")
YES_WORDS = frozenset({"1", "yes", "y", "ndiyo", "ndio", "ndyo", "fixed", "imerekebishwa"})
NO_WORDS = frozenset({"2", "no", "n", "hapana", "la", "bado"})


class FixError(ValueError):
    """A refused decision; the message says why, in the user's language."""


# The status page's secret ------------------------------------------------------------------------------


def _key_hash(report_pk: int, key: str) -> str:
    return lookup_hash(f"status-key:{report_pk}:{key}")


def normalise_key(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def parse_reference(text: str) -> int | None:
    """ "R123", "r 123", "123" → 123."""
    match = _REFERENCE.match(text or "")
    return int(match.group(1)) if match else None


def do_issue_status_key(report: Report) -> str:
    """A new secret for the report's status page (any earlier one stops working); the secret, to show once."""
    key = "".join(secrets.choice(KEY_ALPHABET) for _i in range(KEY_LENGTH))
    StatusKey.objects.update_or_create(
        report=report, defaults={"key_hash": _key_hash(report.pk, key), "created_at": timezone.now()}
    )
    return key


def report_for_key(reference: str, key: str) -> Report | None:
    """The report this reference and secret open, or None (unknown reference, no key, wrong secret)."""
    number = parse_reference(reference)
    wanted = normalise_key(key)
    stored = (
        StatusKey.objects.filter(report_id=number).select_related("report").first()
        if number is not None
        else None
    )
    # Compare even when nothing is stored, so that a wrong pair takes the same time either way.
    expected = stored.key_hash if stored is not None else "0" * 64
    matches = hmac.compare_digest(_key_hash(number or 0, wanted), expected)
    return stored.report if stored is not None and matches and wanted else None


def organisation_for_reference(reference: str) -> Organisation | None:
    """Whose limit a status look-up counts against: the report's organisation, else the first one (so that
    an unknown reference is counted too)."""
    number = parse_reference(reference)
    report = Report.objects.filter(pk=number).select_related("organisation").first() if number else None
    if report is not None:
        return report.organisation
    return Organisation.objects.order_by("pk").first()


# Is it fixed? ---------------------------------------------------------------------------------------------


def fixed_question(lang: str, reference: str) -> str:
    with translation.override(lang):
        return _("Sauti: your report %(ref)s was marked resolved. Is it fixed? Reply 1 yes / 2 no.") % {
            "ref": reference
        }


def parse_fixed(text: str) -> str | None:
    """ "1", "yes", "ndiyo" → yes; "2", "no", "hapana" → no; None for anything else (a new report)."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if not words or len(words) > MAX_ANSWER_WORDS:
        return None
    found = {"yes" for w in words if w in YES_WORDS} | {"no" for w in words if w in NO_WORDS}
    return found.pop() if len(found) == 1 else None


def _resolutions_due(now: datetime) -> QuerySet[CaseEvent]:
    return (
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.STATUS,
            to_status=Status.RESOLVED,
            case__status=Status.RESOLVED,
            case__is_sensitive=False,
            at__lte=now - FIX_CHECK_DELAY,
            at__gt=now - FIX_CHECK_DELAY - FIX_CHECK_WINDOW,
        )
        .exclude(data__informed=False)
        .exclude(Exists(FixCheck.objects.filter(resolution=OuterRef("pk"))))
        .order_by("at", "pk")
    )


def _latest_resolution(case: Case) -> CaseEvent | None:
    return (
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS, to_status=Status.RESOLVED)
        .order_by("-at", "-pk")
        .first()
    )


def _reporters(case: Case) -> dict[int, tuple[Contact, str]]:
    """Each reporter of the case with a phone, and the reference of their first report on it."""
    found: dict[int, tuple[Contact, str]] = {}
    for report in case.reports.select_related("reporter").filter(reporter__isnull=False).order_by("pk"):
        contact = report.reporter
        if contact is not None and contact.phone_hash and contact.pk not in found:
            found[contact.pk] = (contact, report.reference)
    return found


def do_ask_if_fixed(now: datetime | None = None) -> int:
    """Ask the reporters of each case resolved a day ago whether it is fixed; how many were asked.
    Run by the worker (`core.periodic`); a second run asks nobody twice."""
    now = now or timezone.now()
    asked = 0
    for pk in list(_resolutions_due(now).values_list("pk", flat=True)):
        with transaction.atomic():
            event = CaseEvent.objects.select_related("case__organisation").get(pk=pk)
            # The latest resolution only: a case resolved, reopened and resolved again is asked about once.
            if _latest_resolution(event.case) != event:
                continue
            try:
                with transaction.atomic():
                    check = FixCheck.objects.create(case=event.case, resolution=event, asked_at=now)
            except IntegrityError:  # another worker asked
                continue
            for contact, reference in _reporters(event.case).values():
                text = fixed_question(contact.language or "sw", reference)
                queued = do_queue_sms(event.case.organisation, to_contact=contact, text=text, purpose="fixed")
                if queued is not None:
                    FixAnswer.objects.create(fix_check=check, contact=contact, asked_at=now)
                    asked += 1
            CaseEvent.objects.create(
                case=event.case,
                kind=CaseEvent.Kind.MESSAGE,
                at=now,
                reason=_("Reporters asked by SMS whether it is fixed: %(n)d.") % {"n": check.answers.count()},
                data={"fix_check": check.pk},
            )
    return asked


def awaiting_fixed(contact: Contact, now: datetime | None = None) -> FixAnswer | None:
    """The latest "Is it fixed?" this contact was asked and has not answered, within `ANSWER_WINDOW`."""
    now = now or timezone.now()
    return (
        FixAnswer.objects.filter(contact=contact, answer="", asked_at__gt=now - ANSWER_WINDOW)
        .select_related("fix_check__case__organisation")
        .order_by("-asked_at", "-pk")
        .first()
    )


def do_record_fixed_answer(asked: FixAnswer, answer: str, channel: str, now: datetime | None = None) -> bool:
    """Store a reporter's answer (False when they had already answered: the first answer counts). A "no"
    puts the case before the coordinator; the timeline says so, without saying who."""
    if answer not in FixAnswer.Answer.values:
        raise FixError(_("Answer 1 for yes or 2 for no."))
    now = now or timezone.now()
    with transaction.atomic():
        row = FixAnswer.objects.select_for_update().get(pk=asked.pk)
        if row.answer:
            return False
        row.answer, row.channel, row.answered_at = answer, channel[:4], now
        row.save(update_fields=["answer", "channel", "answered_at"])
        check = row.fix_check
        CaseEvent.objects.create(
            case_id=check.case_id,
            kind=CaseEvent.Kind.NOTE,
            at=now,
            reason=(
                _("A reporter says it is fixed.")
                if answer == "yes"
                else _("A reporter says it is NOT fixed.")
            )
            + " "
            + _("Answers so far: %(yes)d fixed, %(no)d not fixed.") % counts_of(check),
            data={"fix_check": check.pk, "fixed": answer},
        )
    return True


def handle_fixed_reply(contact: Contact, text: str, channel: str = "sms") -> bool:
    """An SMS that answers "Is it fixed?" (True: stored or refused, and the sender told); False when this
    contact was not asked or the text is not such an answer, so that it is read as a new report."""
    asked = awaiting_fixed(contact)
    answer = parse_fixed(text)
    if asked is None or answer is None:
        return False
    recorded = do_record_fixed_answer(asked, answer, channel)
    with translation.override(contact.language or "sw"):
        if not recorded:
            reply = _("Your answer was already recorded. Thank you.")
        elif answer == "yes":
            reply = _("Thank you. We are glad it is fixed.")
        else:
            mine = asked.fix_check.case.reports.filter(reporter=contact).order_by("pk").first()
            reply = _("Thank you. A coordinator will look at report %(ref)s again.") % {
                "ref": mine.reference if mine is not None else asked.fix_check.case.reference
            }
    do_queue_sms(asked.fix_check.case.organisation, to_contact=contact, text=reply, purpose="fixed-reply")
    return True


def counts_of(check: FixCheck) -> dict[str, int]:
    got = check.answers.aggregate(
        yes=Count("pk", filter=Q(answer="yes")),
        no=Count("pk", filter=Q(answer="no")),
        asked=Count("pk"),
    )
    return {"yes": got["yes"] or 0, "no": got["no"] or 0, "asked": got["asked"] or 0}


@dataclass(frozen=True)
class FixState:
    check: FixCheck
    yes: int
    no: int
    asked: int

    @property
    def needs_decision(self) -> bool:
        return self.no > 0 and not self.check.decision


def fix_state(case: Case) -> FixState | None:
    """The latest "Is it fixed?" of the case, with its counts; None when it was never asked."""
    check = case.fix_checks.order_by("-asked_at", "-pk").first()
    if check is None:
        return None
    return FixState(check, **counts_of(check))


def needs_decision(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Resolved cases a reporter says are not fixed, and no coordinator has decided on yet."""
    undecided = FixCheck.objects.filter(case=OuterRef("pk"), decision="", answers__answer=FixAnswer.Answer.NO)
    return cases.filter(status=Status.RESOLVED).filter(Exists(undecided))


def do_keep_resolved(case: Case, by: User, reason: str) -> FixCheck:
    """The coordinator read the "not fixed" answers and keeps the case resolved, saying why."""
    if not reason.strip():
        raise FixError(_("Say why the case stays resolved."))
    with transaction.atomic():
        state = fix_state(case)
        if state is None or not state.needs_decision:
            raise FixError(_("No reporter's answer is waiting for a decision on this case."))
        check = FixCheck.objects.select_for_update().get(pk=state.check.pk)
        check.decision, check.decided_by, check.decided_at = FixCheck.Decision.KEPT, by, timezone.now()
        check.save(update_fields=["decision", "decided_by", "decided_at"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.NOTE,
            actor=by,
            reason=_("Kept resolved after reporters' answers: %(reason)s")
            % {"reason": reason.strip()[:2000]},
            data={"fix_check": check.pk, "decision": "kept"},
        )
    return check


def note_reopened(case: Case, by: User) -> None:
    """A reopened case settles its undecided "not fixed" answers (called inside `do_transition`)."""
    for check in FixCheck.objects.select_for_update().filter(case=case, decision=""):
        check.decision, check.decided_by, check.decided_at = FixCheck.Decision.REOPENED, by, timezone.now()
        check.save(update_fields=["decision", "decided_by", "decided_at"])
