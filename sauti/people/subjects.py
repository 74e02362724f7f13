"""Data protection (Kenya Data Protection Act 2019): a person's data on request, erasure of an identity,
key rotation and the retention job. Each run is written to the audit chain.

The apps above people that keep a person's data add it through small registries filled in their
AppConfig.ready(): `register_exporter` (sections of an export), `register_activity` (what counts as
recent activity for retention) and, in people.erasure, `register_eraser`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.audit import audit
from sauti.audit.models import Action
from sauti.core import crypto
from sauti.people.actions import contacts_with_phone, find_contact
from sauti.people.erasure import do_erase_identity, erase_note
from sauti.people.models import Contact, IdentityAccess, Organisation, User
from sauti.people.phones import InvalidPhone, normalise_phone


class SubjectError(ValueError):
    """A data subject request that cannot be carried out, with a message for the user."""


Exporter = Callable[[Contact], dict[str, Any]]
_exporters: list[Exporter] = []
_activity: list[str] = []


def register_exporter(exporter: Exporter) -> None:
    """Add sections (key -> JSON-ready value) about the person to every export, after people's own."""
    if exporter not in _exporters:
        _exporters.append(exporter)


def register_activity(lookup: str) -> None:
    """A lookup from Contact to a timestamp of the person's activity (e.g. "reports__received_at"): retention
    spares anyone with activity after the cutoff."""
    if lookup not in _activity:
        _activity.append(lookup)


def find_subject(org_slug: str, phone: str) -> Contact:
    org = Organisation.objects.filter(slug=org_slug).first()
    if org is None:
        raise SubjectError(_("No organisation with the short name %(slug)r.") % {"slug": org_slug})
    try:
        e164 = normalise_phone(phone)
    except InvalidPhone as exc:
        raise SubjectError(str(exc)) from None
    # A number may have several records (Contact.scope): the one that reached the organisation first.
    contact = find_contact(org, e164) or next(iter(contacts_with_phone(org, e164)), None)
    if contact is None:
        raise SubjectError(_("Nobody with that phone number is known to %(org)s.") % {"org": org.name})
    return contact


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def do_export_subject(contact: Contact, by: User | str | None) -> dict[str, Any]:
    """Everything stored about one person, with their identity decrypted; logged in the chain."""
    data: dict[str, Any] = {
        "pseudonym": contact.pseudonym,
        "organisation": contact.organisation.name,
        "name": contact.name,
        "phone": contact.phone,
        "language": contact.language,
        "gender": contact.gender,
        "age_band": contact.age_band,
        "ward": contact.ward.name if contact.ward else None,
        "created_at": _iso(contact.created_at),
        "groups": [
            {"group": m.group.name, "role": m.role, "joined_on": _iso(m.joined_on)}
            for m in contact.group_memberships.select_related("group")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "method": c.method,
                "recorded_at": _iso(c.recorded_at),
                "note": c.note,
            }
            for c in contact.consents.order_by("recorded_at", "id")
        ],
    }
    for exporter in _exporters:
        data.update(exporter(contact))
    data["identity_viewed"] = [
        {"at": _iso(a.at), "by": a.user.get_username(), "where": a.context}
        for a in contact.identity_accesses.select_related("user").order_by("at", "id")
    ]
    with audit.acting_as(by):
        audit.note("people.contact", contact.pk, Action.EXPORT, {"pseudonym": contact.pseudonym})
    if isinstance(by, User):
        IdentityAccess.objects.create(user=by, contact=contact, context="data subject export")
    return data


@transaction.atomic
def do_erase_subject(contact: Contact, by: User | str | None, reason: str = "") -> None:
    """Erase the identity everywhere (see people.erasure): the contact's name, phone, lookup hash and
    personal details, their SMS phones and lookup hashes, their name and number in free text and in the
    audit snapshots that recorded it. Reports stay, by pseudonym. Retention uses this same path."""
    # One number may have several records (Contact.scope: an SMS reporter, a group's member, a form's
    # reporter): the person is erased from every one of them.
    records = [contact]
    if contact.phone_hash:
        records += list(
            Contact.objects.filter(organisation_id=contact.organisation_id, phone_hash=contact.phone_hash)
            .exclude(pk=contact.pk)
            .order_by("pk")
        )
    with audit.acting_as(by):
        audit.lock_chain()  # held to the end: nobody appends between the redaction and its declaration
        # A record made by an SMS has no name; the name another record of the number holds is hers too, and
        # the first pass (which finds her messages by the number) must redact it.
        known_name = next((n for n in (r.name for r in records if r.name_ciphertext) if n), "")
        for record in records:
            if not record.name_ciphertext and known_name:
                record.name = known_name  # in memory only: the record is blanked below
            erased = do_erase_identity(record)
            record.name_ciphertext = ""
            record.phone_ciphertext = ""
            record.phone_hash = ""
            record.gender = ""
            record.age_band = ""
            record.save(
                update_fields=["name_ciphertext", "phone_ciphertext", "phone_hash", "gender", "age_band"]
            )
            audit.note(
                "people.contact", record.pk, Action.ERASE, erase_note(record.pseudonym, reason, erased)
            )


# The names `rotate-keys` prints its counts under (a contract of its JSON output); any other model with
# encrypted columns is counted under its table name.
ROTATION_NAMES = {
    "people.Contact": "contacts",
    "messaging.InboundMessage": "inbound_messages",
    "messaging.OutboundMessage": "outbound_messages",
    "messaging.Channel": "channels",
    "people.TOTPDevice": "totp_devices",
    "audit.OrganisationKey": "organisation_keys",
}


def rotation_name(model: type[models.Model]) -> str:
    return ROTATION_NAMES.get(model._meta.label, model._meta.db_table)


def do_rotate_keys(
    batch: int = 500, progress: Callable[[int, int, str], None] | None = None
) -> dict[str, int]:
    """Re-encrypt every value encrypted with the identity keys (every `crypto.EncryptedTextField` of every
    model) under the newest key. Idempotent; an interrupted run resumes where it stopped, because rows
    already under the newest key are skipped. Afterwards the older keys can be removed."""
    counts = {"skipped": 0}
    for model, fields in crypto.encrypted_fields():
        name = rotation_name(model)
        counts[name] = 0
        manager = model._base_manager
        total = manager.count()
        seen = 0
        last_pk: Any = None
        while True:
            qs = manager.order_by("pk")
            if last_pk is not None:
                qs = qs.filter(pk__gt=last_pk)
            rows = list(qs.only("pk", *fields)[:batch])
            if not rows:
                break
            last_pk = rows[-1].pk
            changed = []
            for row in rows:
                values = [getattr(row, f) for f in fields]
                if all(crypto.is_under_newest_key(v) for v in values):
                    counts["skipped"] += 1
                    continue
                for f, v in zip(fields, values, strict=True):
                    setattr(row, f, crypto.reencrypt(v))
                changed.append(row)
            if changed:
                with transaction.atomic():
                    manager.bulk_update(changed, list(fields))
                    if model in {spec.model for spec in audit.registered()}:
                        audit.log_rows(model, [r.pk for r in changed], Action.UPDATE)
            counts[name] += len(changed)
            seen += len(rows)
            if progress:
                progress(seen, total, name)
    return counts


def retention_candidates(days: int) -> list[Contact]:
    """Contacts with an identity, in no group, whose last activity (a report; see `register_activity`), or
    else creation, is older than `days`."""
    cutoff = timezone.now() - timedelta(days=days)
    last = {f"last_activity_{i}": Max(lookup) for i, lookup in enumerate(_activity)}
    qs = (
        Contact.objects.exclude(phone_ciphertext="", name_ciphertext="")
        .filter(group_memberships=None, created_at__lt=cutoff)
        .annotate(**last)
    )
    return [c for c in qs if all(getattr(c, k) is None or getattr(c, k) < cutoff for k in last)]


def do_retention(days: int | None = None, dry_run: bool = False) -> int:
    """The retention policy (see SAUTI_IDENTITY_RETENTION_DAYS): erase stale identities, keep reports."""
    days = settings.SAUTI_IDENTITY_RETENTION_DAYS if days is None else days
    if days <= 0:
        return 0
    candidates = retention_candidates(days)
    if not dry_run:
        for contact in candidates:
            do_erase_subject(
                contact, "retention", _("retention: no activity for %(days)d days") % {"days": days}
            )
    return len(candidates)
