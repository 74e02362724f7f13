"""Contacts belong to whoever may see them (issue 14): a contact is scoped to how the organisation knows
the person. Existing group members become their groups' own records; a member who also reported (or is
in several groups) keeps the reporting record and gets a separate record per group, with the messaging
consents copied, so a group's leaders no longer see a reporter's pseudonym. No row is deleted."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import migrations, models

ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"


def _pseudonym(taken: set[str]) -> str:
    while True:
        p = "P-" + "".join(secrets.choice(ALPHABET) for _ in range(8))
        if p not in taken:
            taken.add(p)
            return p


def split_group_members(apps: Any, schema_editor: Any) -> None:
    Contact = apps.get_model("people", "Contact")
    GroupMembership = apps.get_model("people", "GroupMembership")
    Consent = apps.get_model("people", "Consent")
    Report = apps.get_model("monitoring", "Report")
    taken = set(Contact.objects.values_list("pseudonym", flat=True))
    reporters = set(Report.objects.exclude(reporter=None).values_list("reporter_id", flat=True))
    by_contact: dict[int, list[Any]] = {}
    for m in GroupMembership.objects.order_by("pk"):
        by_contact.setdefault(m.contact_id, []).append(m)
    for contact in Contact.objects.filter(pk__in=list(by_contact), scope=""):
        memberships = by_contact[contact.pk]
        if contact.pk not in reporters and len(memberships) == 1:
            contact.scope = f"group:{memberships[0].group_id}"
            contact.save(update_fields=["scope"])
            continue
        consents = list(Consent.objects.filter(contact=contact, purpose="messaging"))
        for m in memberships:
            clone = Contact.objects.create(
                organisation_id=contact.organisation_id,
                pseudonym=_pseudonym(taken),
                name_ciphertext=contact.name_ciphertext,
                phone_ciphertext=contact.phone_ciphertext,
                phone_hash=contact.phone_hash,
                scope=f"group:{m.group_id}",
                language=contact.language,
                gender=contact.gender,
                age_band=contact.age_band,
                ward_id=contact.ward_id,
                settlement_id=contact.settlement_id,
            )
            for c in consents:
                Consent.objects.create(
                    contact=clone,
                    purpose=c.purpose,
                    granted=c.granted,
                    method=c.method,
                    recorded_at=c.recorded_at,
                    recorded_by_id=c.recorded_by_id,
                    note=c.note,
                )
            m.contact_id = clone.pk
            m.save(update_fields=["contact"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("monitoring", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="contact", name="contact_phone_unique_per_org"),
        migrations.AddField(
            model_name="contact",
            name="scope",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=40, verbose_name="known through"
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                condition=models.Q(("phone_hash", ""), _negated=True),
                fields=("organisation", "scope", "phone_hash"),
                name="contact_phone_unique_per_scope",
            ),
        ),
        migrations.RunPython(split_group_members, migrations.RunPython.noop),
    ]
