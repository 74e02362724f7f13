"""Data subject requests, key rotation and retention."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from cryptography.fernet import Fernet

from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from sauti.audit.models import AuditEntry, OrganisationKey
from sauti.core import crypto
from sauti.people.actions import contacts_with_phone
from sauti.people.models import Contact, IdentityAccess, Organisation
from sauti.people.tasks import run_retention
from tests.audit.helpers import run, submit, verify_json
from tests.conftest import World

PHONE = "+254712000001"  # Njeri Wambui, Mathare group (Umoja)


def find_contact(org: Organisation, phone: str) -> Contact | None:
    """The persona's record of this number (group members are their group's records: Contact.scope)."""
    return next(iter(contacts_with_phone(org, phone)), None)


def test_export_subject_returns_everything_and_is_logged(world: World) -> None:
    contact = find_contact(world.umoja, PHONE)
    submit(world, "Water cut in Kwa Reuben", reporter=contact)
    code, out, _err = run(
        "people", "export-subject", "--phone", "0712 000 001", "--org", "umoja", "--user", "alice"
    )
    data = json.loads(out)
    assert code == 0 and data["name"] == "Njeri Wambui" and data["phone"] == PHONE
    assert data["groups"][0]["group"] == "Mathare Mothers" and len(data["reports"]) == 1
    assert AuditEntry.objects.filter(model="people.contact", action="export", actor="alice").exists()
    assert IdentityAccess.objects.filter(user=world.alice, context="data subject export").exists()


def test_erase_subject_keeps_anonymised_reports_and_the_chain_records_it(world: World) -> None:
    contact = find_contact(world.umoja, PHONE)
    assert contact is not None
    report = submit(world, "Water cut in Kwa Reuben", reporter=contact)
    code, out, _err = run(
        "people", "erase-subject", "--phone", PHONE, "--org", "umoja", "--reason", "request 7"
    )
    assert code == 0 and contact.pseudonym in out
    contact.refresh_from_db()
    assert contact.name == "" and contact.phone == "" and contact.phone_hash == ""
    assert find_contact(world.umoja, PHONE) is None
    report.refresh_from_db()
    assert report.reporter_id == contact.pk and report.description == "Water cut in Kwa Reuben"
    entry = AuditEntry.objects.get(model="people.contact", action="erase")
    assert contact.pseudonym in entry.data and "Njeri" not in entry.data
    assert verify_json()[0] == 0
    with pytest.raises(CommandError, match="Nobody with that phone number"):
        run("people", "erase-subject", "--phone", PHONE, "--org", "umoja")  # already erased


@pytest.mark.parametrize(
    ("phone", "org", "message"),
    [
        ("+254712999999", "umoja", "Nobody with that phone number"),
        ("+254712000003", "umoja", "Nobody with that phone number"),  # Haki's member, not Umoja's
        ("not a phone", "umoja", "not a phone number"),
        (PHONE, "nowhere", "No organisation"),
    ],
)
def test_unknown_people_are_a_clear_error(world: World, phone: str, org: str, message: str) -> None:
    for action in ("export-subject", "erase-subject"):
        with pytest.raises(CommandError, match=message):
            run("people", action, "--phone", phone, "--org", org)
    assert not AuditEntry.objects.filter(model="people.contact").exists()


def test_rotate_keys_re_encrypts_under_the_newest_key_and_is_idempotent(world: World) -> None:
    old = "test-identity-key"
    new = Fernet.generate_key().decode()
    OrganisationKey.objects.all().delete()
    from sauti.audit.actions import organisation_key

    organisation_key(world.umoja)
    before = dict(Contact.objects.values_list("pk", "phone_ciphertext"))
    with override_settings(SAUTI_IDENTITY_KEYS=f"{new},{old}"):
        code, out, err = run("rotate_keys", "--batch", "2")
        counts = json.loads(out)
        assert code == 0 and counts["contacts"] == 3 and counts["organisation_keys"] == 1
        assert "3/3 contacts" in err
        assert all(
            crypto.is_under_newest_key(c) for c in Contact.objects.values_list("phone_ciphertext", flat=True)
        )
        assert json.loads(run("rotate_keys")[1])["contacts"] == 0  # nothing left to do
    with override_settings(SAUTI_IDENTITY_KEYS=new):  # the old key can go now
        assert find_contact(world.umoja, PHONE).name == "Njeri Wambui"  # type: ignore[union-attr]
        assert dict(Contact.objects.values_list("pk", "phone_ciphertext")) != before


def test_retention_erases_stale_identities_of_people_in_no_group(world: World) -> None:
    from sauti.people.actions import do_add_member

    with time_machine.travel(timezone.now() - timedelta(days=800)):
        loner = Contact(organisation=world.umoja)
        loner.name, loner.phone = "Old Reporter", "+254712000099"
        loner.save()
        report = submit(world, "Water cut long ago", reporter=loner)
    recent = Contact(organisation=world.umoja)
    recent.name, recent.phone = "New Reporter", "+254712000098"
    recent.save()
    assert do_add_member is not None
    _code, out, _err = run("evidence", "retention", "--dry-run")
    assert json.loads(out) == {"erased": 0, "candidates": 1}
    assert run_retention.enqueue().return_value == 1
    loner.refresh_from_db()
    recent.refresh_from_db()
    assert loner.phone_ciphertext == "" and recent.phone == "+254712000098"
    assert find_contact(world.umoja, PHONE) is not None  # group members are kept
    report.refresh_from_db()
    assert report.reporter_id == loner.pk
    with pytest.raises(CommandError, match="0 or more"):
        run("evidence", "retention", "--days", "-1")


def test_the_admin_actions_export_and_erase(world: World) -> None:
    contact = find_contact(world.umoja, PHONE)
    assert contact is not None
    client = world.client_for(world.alice)
    url = "/admin/people/contact/"
    response = client.post(url, {"action": "export_subjects", "_selected_action": [contact.pk]})
    assert response.status_code == 200 and json.loads(response.content)[0]["name"] == "Njeri Wambui"
    response = client.post(url, {"action": "erase_subjects", "_selected_action": [contact.pk]})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone_ciphertext == ""
    assert list(AuditEntry.objects.filter(model="people.contact").values_list("action", "actor")) == [
        ("export", "alice"), ("erase", "alice")
    ]  # fmt: skip
