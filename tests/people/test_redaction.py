"""The one redaction (sauti/people/redaction.py): every Kenyan way of writing a phone number, contacts' names
found through keyed hashes, and the floor on the labelled set (recall of identities >= 0.98)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sauti.people.models import Contact, NameToken, Organisation
from sauti.people.redaction import Found, Redactor, apply, find_phones
from tests.people.redaction_corpus import CONTACTS, REPORTERS, corpus

RECALL_FLOOR = 0.98


@dataclass
class Score:
    identities: int
    recalled: int
    found: int
    correct: int
    texts: int
    misses: list[tuple[str, str]]
    false: list[tuple[str, str]]

    @property
    def recall(self) -> float:
        return self.recalled / self.identities

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def score(org: Organisation, held_out: bool | None = None) -> Score:
    rows = corpus()
    if held_out is not None:
        rows = [r for r in rows if r[3] == held_out]
    redactor = Redactor.for_texts([(org.pk, text) for text, _spans, _r, _h in rows])
    s = Score(0, 0, 0, 0, len(rows), [], [])
    for text, spans, _reporter, _held in rows:
        found = redactor.find(org.pk, text)
        covered: set[int] = set()
        for f in found:
            covered.update(range(f.start, f.end))
        for start, end, _kind in spans:
            s.identities += 1
            needed = {i for i in range(start, end) if not text[i].isspace()}
            if needed <= covered:
                s.recalled += 1
            else:
                s.misses.append((text, text[start:end]))
        for f in found:
            s.found += 1
            if any(f.start < end and start < f.end for start, end, _k in spans):
                s.correct += 1
            else:
                s.false.append((text, text[f.start : f.end]))
    return s


def contacts_of(org: Organisation, names: list[str]) -> None:
    for i, name in enumerate(names):
        c = Contact(organisation=org)
        c.name = name
        c.phone = f"+25471100{i:04d}"
        c.save()


@pytest.fixture
def org(db: None) -> Organisation:
    org = Organisation.objects.create(name="Redaction test", slug="redaction-test")
    contacts_of(org, CONTACTS + REPORTERS)
    return org


def test_the_labelled_set_is_large_and_covers_three_languages() -> None:
    rows = corpus()
    assert len(rows) >= 200
    assert sum(1 for _t, spans, _r, _h in rows if not spans) >= 40  # near-misses only


def test_recall_of_identities_on_the_labelled_set_holds_the_floor(org: Organisation) -> None:
    s = score(org)
    assert s.recall >= RECALL_FLOOR, s.misses
    assert s.precision >= 0.9, s.false


@pytest.mark.parametrize(
    "written",
    [
        "0799 000 516", "0799000516", "07 12 34 56 78", "(0712) 345678", "+254 712 345 678", "254712345678",
        "+254712345678", "0712-345-678", "0712.345.678", "０７１２３４５６７８", "0 7 1 2 3 4 5 6 7 8",
        "00254 712 345 678", "+254 (0) 712 345 678", "O712 345 678", "0110 123 456", "712 345 678",
        "sifuri saba moja mbili tatu nne tano sita saba nane", "zero seven one two three four five six seven eight",
        "+254-712-345678", "٠٧١٢٣٤٥٦٧٨",
    ],
)  # fmt: skip
def test_every_common_way_of_writing_a_kenyan_number_is_found(written: str) -> None:
    text = f"Nipigie {written} kesho."
    found = find_phones(text)
    assert [(f.start, f.end) for f in found] == [(8, 8 + len(written))], found


@pytest.mark.parametrize(
    "text",
    [
        "KSh 1,200,000 on 12/07/2024", "ward 1446", "R1042", "ID 23456789", "Till 5123456", "2019-2024",
        "0800 hrs", "case 0712/2024", "1,500 nets by 31/01/2026", "14.02.2026",
    ],
)  # fmt: skip
def test_amounts_dates_references_and_codes_are_not_phone_numbers(text: str) -> None:
    assert find_phones(text) == []


def test_contacts_names_are_found_without_decrypting_anyone(
    org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sauti.core import crypto

    def refuse(token: str) -> str:
        raise AssertionError("redaction decrypted an identity")

    monkeypatch.setattr(crypto, "decrypt", refuse)
    text = "Witness: njeri wambui and Kibet, sms Achieng."
    redactor = Redactor.for_texts([(org.pk, text)])
    assert apply(text, redactor.find(org.pk, text)) == "Witness: [name] and [name], sms [name]."
    assert not NameToken.objects.filter(digest__icontains="njeri").exists()


def test_a_renamed_or_erased_contact_is_indexed_again(org: Organisation) -> None:
    contact = Contact.objects.filter(organisation=org).first()
    assert contact is not None
    contact.name = "Zuhura Lenkoi"
    contact.save()
    text = "lenkoi aliona"  # not a common name: found only through the contact's index
    assert Redactor.for_texts([(org.pk, text)]).find(org.pk, text) == [Found(0, 6, "name")]
    contact.name_ciphertext = ""
    contact.save(update_fields=["name_ciphertext"])
    assert not NameToken.objects.filter(contact=contact).exists()


def test_names_are_matched_only_within_their_organisation(org: Organisation) -> None:
    other = Organisation.objects.create(name="Other", slug="other")
    text = "Nduta aliona"  # Grace Nduta is a contact of `org` only (and Nduta is not a common name)
    redactor = Redactor.for_texts([(other.pk, text), (org.pk, text)])
    assert redactor.find(other.pk, text) == []
    assert redactor.find(org.pk, text) == [Found(0, 5, "name")]


def test_the_command_prints_the_redacted_text_and_the_spans(org: Organisation) -> None:
    import io
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    text = "Mimi ni Achieng Kibet, simu yangu 0799 000 516; Nduta aliona."
    call_command("redact", text, "--org", org.slug, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["text"] == "Mimi ni [name], simu yangu [phone]; [name] aliona."
    assert data["found"] == [
        {"kind": "name", "start": 8, "end": 21},
        {"kind": "phone", "start": 34, "end": 46},
        {"kind": "name", "start": 48, "end": 53},
    ]
    out = io.StringIO()
    call_command("redact", "Nduta aliona", stdout=out)  # without --org: contacts' names are not known
    assert out.getvalue().strip() == "Nduta aliona"
    with pytest.raises(CommandError, match="No organisation"):
        call_command("redact", "x", "--org", "nope")
