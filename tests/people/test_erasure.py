"""Issue 14, break 4: erasure erases the identity everywhere, and `sauti verify` still passes after it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from django.utils import timezone

from sauti.audit.models import AuditEntry
from sauti.conversations.models import SmsConversation
from sauti.core.crypto import lookup_hash
from sauti.messaging.models import Channel, InboundMessage, OutboundMessage
from sauti.monitoring.models import Case, Report
from sauti.people import erasure
from sauti.people.actions import contacts_with_phone, find_contact
from sauti.people.models import Contact
from sauti.people.subjects import do_retention
from tests.audit.helpers import run, submit, verify_json
from tests.conftest import World
from tests.messaging.fakes import FakeProvider, at_success

PHONE = "+254712000001"  # Njeri Wambui, Mathare group (Umoja)
TEXT = "Mimi ni Njeri Wambui, simu yangu 0712 000 001. Maji yamekatwa Mathare 4A tangu jana, watu 200"
IDENTITY = ("Njeri", "Wambui", "0712 000 001", "712000001", PHONE)


def leaks(text: str) -> list[str]:
    return [needle for needle in IDENTITY if needle.lower() in text.lower()]


@pytest.mark.parametrize(
    "written",
    ["+254712000001", "254712000001", "0712000001", "0712 000 001", "0712-000-001", "07 12 00 00 01",
     "(0712) 000001", "+254 (0) 712 000 001".replace("(0) ", ""), "０７１２０００００１", "+254-712-000-001"],
)  # fmt: skip
def test_the_number_is_found_however_it_is_written(written: str) -> None:
    pattern = erasure.phone_pattern(PHONE)
    assert pattern is not None
    text = f"nipigie {written} kesho"
    assert pattern.sub("#", text) == "nipigie # kesho"
    assert pattern.search("0712000001999") is None and pattern.search("90712000001") is None


def test_erase_subject_removes_phones_hashes_and_identities_in_text_and_audit(
    world: World,
    at_channel: Channel,
    post: Callable[..., Any],
    fake_provider: FakeProvider,
) -> None:
    member = contacts_with_phone(world.umoja, PHONE)  # her record as the Mathare group's member
    assert member
    fake_provider.answer(201, at_success(PHONE))
    data = {"from": PHONE, "to": "21512", "text": TEXT, "date": "2026-05-03T06:04:45Z", "id": "in-1"}
    assert post(f"/messaging/hooks/at/{at_channel.token}/incoming/", data).status_code == 200
    # Her SMS reached the organisation: its own record of the number, apart from the group's (issue 14).
    njeri = find_contact(world.umoja, PHONE)
    assert njeri is not None and njeri.pk not in {m.pk for m in member}
    inbound = InboundMessage.objects.get()
    sms_report = Report.objects.get(external_id=f"sms:{inbound.pk}")
    assert sms_report.reporter_id == njeri.pk and "Njeri" in sms_report.description
    # Case titles are made from the redacted text (issue 14, break 2).
    assert sms_report.case is not None and "Njeri" not in sms_report.case.title
    assert OutboundMessage.objects.filter(phone_hash=lookup_hash(PHONE)).exists()
    assert SmsConversation.objects.filter(phone_hash=lookup_hash(PHONE)).exists()
    # Someone else passes on her number; an unrelated report mentions only the first name "Njeri".
    other = submit(world, "Mama wa Mathare anapigiwa simu 07-12-00-00-01 na polisi, maji hakuna")
    unrelated = submit(world, "Njeri Kamau (mwalimu) alisema shule imefungwa")
    assert AuditEntry.objects.filter(data__contains="Njeri Wambui").exists()

    code, _out, _err = run("people", "erase-subject", "--phone", "0712 000 001", "--org", "umoja")
    assert code == 0

    messages: list[InboundMessage | OutboundMessage] = [
        *InboundMessage.objects.all(),
        *OutboundMessage.objects.all(),
    ]
    for message in messages:
        assert message.phone_ciphertext == "" and message.phone_hash == "" and not leaks(message.text)
    assert not SmsConversation.objects.filter(phone_hash=lookup_hash(PHONE)).exists()
    for conversation in SmsConversation.objects.all():
        assert not leaks(json.dumps([conversation.log, conversation.state, conversation.last_replies]))
    sms_report.refresh_from_db()
    assert not leaks(sms_report.description) and erasure.MARKER in sms_report.description
    assert "Maji yamekatwa Mathare 4A" in sms_report.description
    case = Case.objects.get(pk=sms_report.case_id or 0)
    assert not leaks(case.title)  # made from the redacted text, so nothing of hers was in it
    other.refresh_from_db()
    assert not leaks(other.description) and erasure.MARKER in other.description
    unrelated.refresh_from_db()
    assert unrelated.description.startswith("Njeri Kamau")  # another person's name is not the subject's
    for entry in AuditEntry.objects.exclude(object_pk=str(unrelated.pk), model="monitoring.report"):
        assert not leaks(entry.data), (entry.seq, entry.model, entry.data)
    # One erase entry per record of her number (her SMS record, her record as a group member).
    notes = [json.loads(n.data) for n in AuditEntry.objects.filter(model="people.contact", action="erase")]
    assert len(notes) == 2
    assert sum(len(n["redacted"]) for n in notes) >= 3 and sum(n["erased"]["messages"] for n in notes) >= 2
    code, result = verify_json()
    declared = {str(d) for n in notes for d in n["redacted"]}
    assert code == 0 and result["ok"] and result["redacted"] == len(declared)


def test_a_redacted_entry_edited_again_is_caught(world: World) -> None:
    njeri = contacts_with_phone(world.umoja, PHONE)[0]
    report = submit(world, "Njeri Wambui 0712000001: maji hakuna", reporter=njeri)
    run("people", "erase-subject", "--phone", PHONE, "--org", "umoja")
    assert verify_json()[0] == 0
    entry = (
        AuditEntry.objects.filter(model="monitoring.report", object_pk=str(report.pk)).order_by("seq").first()
    )
    assert entry is not None and erasure.MARKER in entry.data
    AuditEntry.objects.filter(pk=entry.pk).update(data=entry.data.replace("maji", "umeme"))
    code, result = verify_json()
    assert (
        code != 0
        and result["first_broken"]["kind"] == "edited"
        and result["first_broken"]["seq"] == entry.seq
    )


def test_retention_takes_the_same_path(world: World, at_channel: Channel, post: Callable[..., Any]) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=800)):
        loner = Contact(organisation=world.umoja)
        loner.name, loner.phone = "Old Reporter", "+254712000099"
        loner.save()
        data = {"from": "+254712000099", "to": "21512", "text": "Old Reporter hapa, maji hakuna Mathare 4A",
                "date": "2024-05-03T06:04:45Z", "id": "in-old"}  # fmt: skip
        post(f"/messaging/hooks/at/{at_channel.token}/incoming/", data)
    assert do_retention(730) == 1
    message = InboundMessage.objects.get(provider_id="in-old")
    assert message.phone_hash == "" and "Old Reporter" not in message.text
    assert not Report.objects.filter(description__contains="Old Reporter").exists()
    assert verify_json()[0] == 0


def test_erase_subject_erases_every_record_of_the_number(world: World) -> None:
    """With records per scope (an SMS reporter, a group's member), erasing the number erases the person in all."""
    intake = Contact(organisation=world.umoja)  # the record an SMS from her number would make
    intake.name = "Njeri W."
    intake.phone = PHONE
    intake.save()
    records = contacts_with_phone(world.umoja, PHONE)
    assert len(records) >= 2
    code, _out, _err = run("people", "erase-subject", "--phone", "0712 000 001", "--org", "umoja")
    assert code == 0
    assert not list(contacts_with_phone(world.umoja, PHONE))
    for record in Contact.objects.filter(pk__in=[r.pk for r in records]):
        assert record.name_ciphertext == "" and record.phone_ciphertext == "" and record.phone_hash == ""
    assert verify_json()[1]["ok"] is True
