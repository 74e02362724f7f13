"""Data protection (Kenya Data Protection Act 2019): a person's data on request, erasure of an identity,
key rotation and the retention job. Each run is written to the audit chain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.core import crypto
from sauti.evidence import audit
from sauti.evidence.models import Action, OrganisationKey
from sauti.people.actions import contacts_with_phone, find_contact
from sauti.people.models import Contact, IdentityAccess, Organisation, User
from sauti.people.phones import InvalidPhone, normalise_phone


class SubjectError(ValueError):
    """A data subject request that cannot be carried out, with a message for the user."""


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
    data = {
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
            for r in contact.reports.select_related("case").order_by("received_at", "id")
        ],
        "identity_viewed": [
            {"at": _iso(a.at), "by": a.user.get_username(), "where": a.context}
            for a in contact.identity_accesses.select_related("user").order_by("at", "id")
        ],
    }
    with audit.acting_as(by):
        audit.note("people.contact", contact.pk, Action.EXPORT, {"pseudonym": contact.pseudonym})
    if isinstance(by, User):
        IdentityAccess.objects.create(user=by, contact=contact, context="data subject export")
    return data


@transaction.atomic
def do_erase_subject(contact: Contact, by: User | str | None, reason: str = "") -> None:
    """Erase the identity (name, phone, lookup hash, personal details); reports stay, by pseudonym."""
    contact.name_ciphertext = ""
    contact.phone_ciphertext = ""
    contact.phone_hash = ""
    contact.gender = ""
    contact.age_band = ""
    contact.save(update_fields=["name_ciphertext", "phone_ciphertext", "phone_hash", "gender", "age_band"])
    with audit.acting_as(by):
        audit.note("people.contact", contact.pk, Action.ERASE, {"pseudonym": contact.pseudonym,
                                                                 "reason": reason[:200]})  # fmt: skip


def do_rotate_keys(batch: int = 500, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Re-encrypt every identity under the newest key. Idempotent; an interrupted run resumes where it
    stopped, because rows already under the newest key are skipped."""
    counts = {"contacts": 0, "skipped": 0, "organisation_keys": 0}
    total = Contact.objects.count()
    seen = 0
    last_pk = 0
    while True:
        rows = list(Contact.objects.filter(pk__gt=last_pk).order_by("pk")[:batch])
        if not rows:
            break
        last_pk = rows[-1].pk
        changed = []
        for c in rows:
            if crypto.is_under_newest_key(c.name_ciphertext) and crypto.is_under_newest_key(
                c.phone_ciphertext
            ):
                counts["skipped"] += 1
                continue
            c.name_ciphertext = crypto.reencrypt(c.name_ciphertext)
            c.phone_ciphertext = crypto.reencrypt(c.phone_ciphertext)
            changed.append(c)
        with transaction.atomic():
            Contact.objects.bulk_update(changed, ["name_ciphertext", "phone_ciphertext"])
        counts["contacts"] += len(changed)
        seen += len(rows)
        if progress:
            progress(seen, total)
    for key in OrganisationKey.objects.all():
        if not crypto.is_under_newest_key(key.private_key_ciphertext):
            key.private_key_ciphertext = crypto.reencrypt(key.private_key_ciphertext)
            key.save(update_fields=["private_key_ciphertext"])
            counts["organisation_keys"] += 1
    return counts


def retention_candidates(days: int) -> list[Contact]:
    """Contacts with an identity, in no group, whose last report (or creation) is older than `days`."""
    cutoff = timezone.now() - timedelta(days=days)
    qs = (
        Contact.objects.exclude(phone_ciphertext="", name_ciphertext="")
        .filter(group_memberships=None, created_at__lt=cutoff)
        .annotate(last_report=Max("reports__received_at"))
    )
    return [c for c in qs if c.last_report is None or c.last_report < cutoff]


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
