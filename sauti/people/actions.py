"""Everything that changes people data, or reveals an identity, happens here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sauti.core.crypto import lookup_hash
from sauti.people.imports import RowResult, normalised
from sauti.people.models import Consent, Contact, Group, GroupMembership, IdentityAccess, Organisation, User
from sauti.people.phones import mask_phone


@dataclass(frozen=True)
class Identity:
    name: str
    phone: str
    phone_masked: str


def reveal_identities(user: User, contacts: Iterable[Contact], context: str) -> dict[int, Identity]:
    """Decrypt identities for display and log each view. Callers must have checked Perm.VIEW_IDENTITIES."""
    contacts = list(contacts)
    IdentityAccess.objects.bulk_create(
        [IdentityAccess(user=user, contact=c, context=context[:200]) for c in contacts]
    )
    out = {}
    for c in contacts:
        phone = c.phone
        out[c.pk] = Identity(name=c.name, phone=phone, phone_masked=mask_phone(phone))
    return out


def find_contact(organisation: Organisation, e164: str) -> Contact | None:
    return Contact.objects.filter(organisation=organisation, phone_hash=lookup_hash(e164)).first()


def do_record_consent(
    contact: Contact, purpose: str, granted: bool, method: str, by: User | None, note: str = ""
) -> Consent:
    return Consent.objects.create(
        contact=contact,
        purpose=purpose,
        granted=granted,
        method=method,
        recorded_at=timezone.now(),
        recorded_by=by,
        note=note,
    )


def do_create_group(organisation: Organisation, by: User, **fields: object) -> Group:
    return Group.objects.create(organisation=organisation, **fields)


@transaction.atomic
def do_add_member(
    group: Group,
    *,
    name: str,
    phone: str,
    by: User | None,
    language: str = "sw",
    gender: str = "",
    age_band: str = "",
    role: str = "member",
    ward_id: int | None = None,
    settlement_id: int | None = None,
    consent_messaging: bool = False,
    consent_method: str = "paper",
) -> GroupMembership:
    """Add a person to a group, reusing the organisation's contact with the same phone number."""
    contact = find_contact(group.organisation, phone)
    if contact is None:
        contact = Contact(organisation=group.organisation, language=language or "sw")
        contact.name = name
        contact.phone = phone
        contact.gender = gender
        contact.age_band = age_band
        contact.ward_id = ward_id or (group.ward_id if group.ward_id else None)
        contact.settlement_id = settlement_id or group.settlement_id
        contact.save()
    membership, _created = GroupMembership.objects.get_or_create(
        group=group, contact=contact, defaults={"role": role or "member", "joined_on": timezone.localdate()}
    )
    if consent_messaging:
        do_record_consent(contact, "messaging", True, consent_method, by)
    return membership


@dataclass
class ImportOutcome:
    added: int
    skipped: int


@transaction.atomic
def do_import_members(group: Group, rows: list[RowResult], by: User) -> ImportOutcome:
    """Save every checked row or none: the caller passes rows only when all of them are valid."""
    if any(not r.ok for r in rows):
        raise ValueError("do_import_members takes only rows without errors")
    added = skipped = 0
    for row in rows:
        if row.already_member:
            skipped += 1
            continue
        extra = normalised(row)
        do_add_member(
            group,
            name=row.values["name"],
            phone=row.phone,
            by=by,
            language=extra["language"] or "sw",
            gender=extra["gender"],
            age_band=extra["age_band"],
            role=extra["role"],
            ward_id=row.ward_id,
            settlement_id=row.settlement_id,
            consent_messaging=extra["consent"] == "yes",
            consent_method="import",
        )
        added += 1
    return ImportOutcome(added=added, skipped=skipped)
