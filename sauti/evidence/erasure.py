"""Erasing one person's identity everywhere Sauti keeps it (issue 14, must-hold 4).

`do_erase_identity` is the single path used by `erase-subject`, the admin action and the retention job:
the contact's name, phone and lookup hash; the phone and lookup hash of every SMS to and from that number
(the rows stay, for counts and provider idempotency); the lookup hashes of their SMS conversations, USSD
sessions and SMS opinion participation; their name and number written in report text, case titles and
summaries, case-event reasons, SMS texts and conversation logs (replaced by `MARKER`); and the audit
entries that recorded those texts, whose stored snapshot is replaced by a redacted one. An entry's hash
covers only the SHA-256 of its snapshot, so the chain still links; the erase entry appended at the end
lists every redacted entry with the SHA-256 of its new snapshot, and `sauti verify` accepts a snapshot that
differs from its hash only when a later erase entry declares exactly that snapshot.

Opt-outs are kept on purpose (by lookup hash only): erasing one would let Sauti message the person again.

This is self-contained on purpose (the general free-text redaction lives elsewhere): it removes the exact
decrypted name and number of the erased person, in the ways a Kenyan number is commonly written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from sauti.conversations.models import SmsConversation, UssdSession
from sauti.core import crypto
from sauti.dialogues.models import Participant as ReachedPerson
from sauti.evidence import audit
from sauti.evidence.models import AuditEntry
from sauti.messaging.models import InboundMessage, OutboundMessage
from sauti.monitoring.models import Case, CaseEvent, Report
from sauti.opinions.models import Participant
from sauti.people.models import Contact

# Language-neutral enough for both audiences: English and Kiswahili in one marker.
MARKER = "[erased/imefutwa]"
_SEP = r"[\s\-.()\u00a0/]*"
_DIGIT_EDGE_BEFORE = r"(?<![0-9\uff10-\uff19])"
_DIGIT_EDGE_AFTER = r"(?![0-9\uff10-\uff19])"
_MIN_NAME_PART = 3


def _digit(d: str) -> str:
    return f"[{d}{chr(0xFF10 + int(d))}]"


def phone_pattern(e164: str) -> re.Pattern[str] | None:
    """The number as people write it: +254 712 000 001, 254712000001, 0712-000-001, (0712) 000001,
    07 12 00 00 01, full-width digits … (any spaces, dashes, dots, slashes or brackets between digits)."""
    digits = "".join(ch for ch in e164 if ch.isdigit())
    if len(digits) < 7:
        return None
    national = digits[3:] if e164.startswith("+254") else digits
    country = digits[: len(digits) - len(national)]
    body = _SEP.join(_digit(d) for d in national)
    prefixes = [_digit("0")]
    if country:
        cc = _SEP.join(_digit(d) for d in country)
        prefixes += [rf"(?:(?:\+|\uff0b|00){_SEP})?{cc}"]
    prefix = rf"(?:\(?(?:{'|'.join(prefixes)}){_SEP})?"
    return re.compile(_DIGIT_EDGE_BEFORE + prefix + body + _DIGIT_EDGE_AFTER)


def name_pattern(name: str, *, parts: bool) -> re.Pattern[str] | None:
    """The full name (any spacing, any case) and, with `parts`, each part of at least three letters."""
    words = name.split()
    if not words:
        return None
    options = [r"\s+".join(re.escape(w) for w in words)]
    if parts:
        options += [
            re.escape(w) for w in sorted(set(words), key=len, reverse=True) if len(w) >= _MIN_NAME_PART
        ]
    return re.compile(r"(?<!\w)(?:" + "|".join(options) + r")(?!\w)", re.IGNORECASE)


@dataclass
class Redactor:
    patterns: list[re.Pattern[str]] = field(default_factory=list)

    def text(self, value: str) -> str:
        for pattern in self.patterns:
            value = pattern.sub(MARKER, value)
        return value

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        return value

    def __bool__(self) -> bool:
        return bool(self.patterns)


def redactors(name: str, e164: str) -> tuple[Redactor, Redactor]:
    """(for the person's own texts: full name, name parts and number; for anyone else's: full name and
    number, since a first name alone in someone else's report is as likely another person)."""
    phone = phone_pattern(e164) if e164 else None
    own = [p for p in (phone, name_pattern(name, parts=True)) if p is not None]
    others = [p for p in (phone, name_pattern(name, parts=False)) if p is not None]
    return Redactor(own), Redactor(others)


def _title_from(description: str) -> str:
    """The title a new case takes from its first report (monitoring.actions), to recompute it."""
    title = " ".join(description.split())
    return title[:80] + ("…" if len(title) > 80 else "")


def _decrypt_or_empty(token: str) -> str:
    return crypto.decrypt(token) if token and crypto.can_decrypt(token) else ""


@dataclass
class Erased:
    messages: int = 0
    conversations: int = 0
    reports: int = 0
    cases: int = 0
    audit_entries: int = 0
    redacted: dict[int, str] = field(default_factory=dict)


def do_erase_identity(contact: Contact) -> Erased:
    """Everything but the contact's own audit note (the caller appends it, with `redacted`). Call inside a
    transaction; the caller holds the chain lock from the first audited save on."""
    name = _decrypt_or_empty(contact.name_ciphertext)
    e164 = _decrypt_or_empty(contact.phone_ciphertext)
    own, others = redactors(name, e164)
    phash = contact.phone_hash or (crypto.lookup_hash(e164) if e164 else "")
    org_id = contact.organisation_id
    done = Erased()
    if connection.vendor == "sqlite":
        # Deleted and overwritten text is zeroed in the file rather than left in free pages.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")

    # SMS: neither the number nor its hash stays; what they wrote loses their name and number.
    inbound = InboundMessage.objects.filter(organisation_id=org_id, phone_hash=phash) if phash else []
    outbound = OutboundMessage.objects.filter(organisation_id=org_id, contact=contact)
    if phash:
        outbound = outbound | OutboundMessage.objects.filter(organisation_id=org_id, phone_hash=phash)
    messages: list[InboundMessage | OutboundMessage] = [*inbound, *outbound.distinct()]
    for message in messages:
        message.phone_ciphertext, message.phone_hash = "", ""
        message.text = own.text(message.text)
        message.save(update_fields=["phone_ciphertext", "phone_hash", "text"])
        done.messages += 1
    conversations = SmsConversation.objects.filter(organisation_id=org_id, contact=contact)
    if phash:
        conversations = conversations | SmsConversation.objects.filter(
            organisation_id=org_id, phone_hash=phash
        )
    for conv in conversations.distinct():
        conv.phone_hash = ""
        conv.state, conv.log, conv.last_replies = (
            own.json(conv.state),
            own.json(conv.log),
            own.json(conv.last_replies),
        )
        conv.save(update_fields=["phone_hash", "state", "log", "last_replies"])
        done.conversations += 1
    if phash:
        UssdSession.objects.filter(organisation_id=org_id, phone_hash=phash).update(phone_hash="", state={})
        Participant.objects.filter(external_id=phash, conversation__organisation_id=org_id).update(
            external_id="", stopped=True
        )
        # People reached by dialogue sessions stay counted, without a name or number.
        ReachedPerson.objects.filter(organisation_id=org_id, phone_hash=phash).update(
            name_ciphertext="", phone_ciphertext="", phone_hash="", name_hash=""
        )

    # Free text: their own reports with everything, anyone's report of the organisation with the number
    # or the full name.
    touched_reports: set[int] = set()
    changed_in_case: dict[int, list[tuple[str, str]]] = {}  # case -> (old, new) descriptions
    own_cases: set[int] = set()
    touched_cases: set[int] = set()
    if own:
        reports = Report.objects.filter(organisation_id=org_id).only(
            "pk", "description", "place_text", "reporter_id", "case_id"
        )
        for report in reports.iterator(2000):
            mine = report.reporter_id == contact.pk
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
        done.reports = len(touched_reports)
        for case in Case.objects.filter(organisation_id=org_id).only("pk", "title", "summary"):
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
        done.cases = len(touched_cases)
        for event in CaseEvent.objects.filter(case_id__in=touched_cases | own_cases).exclude(reason=""):
            reason = own.text(event.reason)
            if reason != event.reason:
                event.reason = reason
                event.save(update_fields=["reason"])

    # The audit log: the snapshots that recorded those texts keep only a redacted copy.
    if own:
        checked = _entries_to_check(contact, touched_reports, touched_cases | own_cases, name, e164)
        done.redacted = _redact_entries(own, checked)
        done.audit_entries = len(done.redacted)
    return done


def _entries_to_check(
    contact: Contact, reports: Iterable[int], cases: Iterable[int], name: str, e164: str
) -> Iterable[AuditEntry]:
    case_ids = list(cases)
    wanted = [
        ("monitoring.report", [str(pk) for pk in reports] + [str(r) for r in contact.reports.values_list("pk", flat=True)]),
        ("monitoring.case", [str(pk) for pk in case_ids]),
        ("monitoring.caseevent", [str(pk) for pk in CaseEvent.objects.filter(case_id__in=case_ids).values_list("pk", flat=True)]),
    ]  # fmt: skip
    seen: set[int] = set()
    for label, pks in wanted:
        for i in range(0, len(pks), 500):
            for entry in AuditEntry.objects.filter(model=label, object_pk__in=pks[i : i + 500]).iterator(500):
                if entry.seq not in seen:
                    seen.add(entry.seq)
                    yield entry
    # Anywhere else in the log: the number written without separators, or the full name.
    national = "".join(ch for ch in e164 if ch.isdigit())[-9:]
    needles = [n for n in (national, " ".join(name.split())) if len(n) >= _MIN_NAME_PART]
    for needle in needles:
        for entry in AuditEntry.objects.filter(data__icontains=needle).iterator(500):
            if entry.seq not in seen:
                seen.add(entry.seq)
                yield entry


def _redact_entries(redactor: Redactor, entries: Iterable[AuditEntry]) -> dict[int, str]:
    redacted: dict[int, str] = {}
    for entry in entries:
        try:
            data = json.loads(entry.data)
        except ValueError:
            continue
        new = audit.canonical(redactor.json(data))
        if new != entry.data:
            AuditEntry.objects.filter(pk=entry.pk).update(data=new)
            redacted[entry.seq] = audit.sha256_hex(new)
    return redacted


def erase_note(pseudonym: str, reason: str, erased: Erased) -> dict[str, Any]:
    """The erase entry's data: no identity, the counts, and the redacted entries with their new hashes."""
    return {
        "pseudonym": pseudonym,
        "reason": reason[:200],
        "erased": {"messages": erased.messages, "conversations": erased.conversations,
                   "reports": erased.reports, "cases": erased.cases},
        "redacted": {str(seq): digest for seq, digest in sorted(erased.redacted.items())},
    }  # fmt: skip
