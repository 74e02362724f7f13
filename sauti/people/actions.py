"""Everything that changes people data, or reveals an identity, happens here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

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
    """The organisation's own record of a number that reached it (SMS, USSD): scope "" only.

    Group members and form submissions with the same number are other records (Contact.scope); a
    channel must never attach a message or a report to them."""
    return Contact.objects.filter(
        organisation=organisation, scope=Contact.INTAKE, phone_hash=lookup_hash(e164)
    ).first()


def find_group_member_contact(group: Group, e164: str) -> Contact | None:
    """The group's own record of this number (a member its leaders entered), or None."""
    return Contact.objects.filter(
        organisation_id=group.organisation_id,
        scope=Contact.group_scope(group.pk),
        phone_hash=lookup_hash(e164),
    ).first()


def contacts_with_phone(organisation: Organisation, e164: str) -> list[Contact]:
    """Every record of the organisation holding this number, whatever its scope (data subject requests,
    consent withdrawal). Never shown to anyone who may not see all of them."""
    return list(
        Contact.objects.filter(organisation=organisation, phone_hash=lookup_hash(e164)).order_by(
            "scope", "pk"
        )
    )


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


def record_consent_once(contact: Contact, purpose: str, method: str, by: User | None = None) -> None:
    """Record consent to `purpose` unless it is already in force (its latest decision a grant)."""
    latest = Consent.objects.filter(contact=contact, purpose=purpose).order_by("-recorded_at", "-id").first()
    if latest is None or not latest.granted:
        do_record_consent(contact, purpose, True, method, by)


def find_or_create_contact(
    organisation: Organisation,
    phone: str,
    *,
    language: str = "sw",
    scope: str = Contact.INTAKE,
    name: str = "",
    consent: str = "",
    consent_method: str = "",
    by: User | None = None,
) -> Contact:
    """The record of a person who reached the organisation through an intake path, made when there is none.

    In the intake scope (a number that reached the organisation itself: SMS, USSD, a phone survey, a
    questionnaire's respondent) the number's existing record is found and reused (`find_contact`). Any
    other scope makes a new record: a form's (`Contact.form_scope()`), because anyone can type any number,
    so a form never finds, changes or records consent on an existing contact. `name` fills the record's
    name when it has none. With `consent` (a purpose, e.g. "reporting"), consent to it is recorded as
    given by `consent_method` (and recorded by `by`, e.g. a monitor) unless it is already in force."""
    contact = find_contact(organisation, phone) if phone and scope == Contact.INTAKE else None
    changed = contact is None
    if contact is None:
        contact = Contact(
            organisation=organisation, scope=scope, language=language if language in ("en", "sw") else "sw"
        )
        contact.phone = phone
    if name.strip() and not contact.name:
        contact.name = name
        changed = True
    if changed:
        contact.save()
    if consent:
        record_consent_once(contact, consent, consent_method, by)
    return contact


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
    """Add a person to a group as the group's own record of them (Contact.scope "group:<pk>").

    A contact of the organisation with the same number elsewhere (a reporter, a member of another group) is
    never reused, changed or revealed: whoever adds a member sees only what they typed."""
    contact = find_group_member_contact(group, phone)
    if contact is None:
        contact = Contact(
            organisation=group.organisation, scope=Contact.group_scope(group.pk), language=language or "sw"
        )
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


def records_sharing_a_number(organisation: Organisation) -> list[list[Contact]]:
    """Sets of the organisation's records that hold the same phone number (one person known several ways)."""
    shared = (
        Contact.objects.filter(organisation=organisation)
        .exclude(phone_hash="")
        .values("phone_hash")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("phone_hash")
    )
    sets: dict[str, list[Contact]] = {}
    for c in Contact.objects.filter(organisation=organisation, phone_hash__in=shared).order_by(
        "phone_hash", "scope", "pk"
    ):
        sets.setdefault(c.phone_hash, []).append(c)
    return list(sets.values())


class MergeError(ValueError):
    pass


@transaction.atomic
def do_merge_contacts(keep: Contact, other: Contact, by: User) -> Contact:
    """A coordinator's decision that two records of one number are one person: everything that points to
    `other` (reports, memberships, consents, conversations …) moves to `keep`, and `other` is deleted.

    Callers must have checked Perm.MERGE_CONTACTS. After a merge, whoever may see `keep` in one place (a
    group's leaders) sees the same pseudonym wherever `keep` appears (the cases it reported)."""
    if keep.pk == other.pk or keep.organisation_id != other.organisation_id:
        raise MergeError(_("Choose two different records of the same organisation."))
    if not keep.phone_hash or keep.phone_hash != other.phone_hash:
        raise MergeError(_("Only records of the same phone number can be merged."))
    for rel in Contact._meta.related_objects:
        if not rel.one_to_many:
            continue
        name = rel.field.name
        model = rel.related_model
        assert not isinstance(model, str)
        # Row by row through save(), so the audit chain's signal handlers see every moved report.
        for row in model._default_manager.filter(**{name: other}):
            setattr(row, name, keep)
            try:
                with transaction.atomic():
                    row.save(update_fields=[name])
            except IntegrityError:  # `keep` already has the same row (a membership of the same group)
                row.delete()
    for field in ("gender", "age_band", "ward_id", "settlement_id"):
        if not getattr(keep, field) and getattr(other, field):
            setattr(keep, field, getattr(other, field))
    keep.save()
    other.delete()
    return keep
