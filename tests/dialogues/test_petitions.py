"""Petitions and memoranda from a frozen round, through the pages: content, anonymity, languages, bad input."""

from __future__ import annotations

import hashlib
import io

import pytest
from docx import Document

from sauti.audit.models import AuditEntry
from sauti.dialogues import actions
from sauti.dialogues.models import PetitionTemplate
from sauti.dialogues.petitions import check_placeholders
from sauti.people.models import Contact
from sauti.people.redaction import Redactor, apply
from tests.audit.helpers import submit
from tests.dialogues.conftest import Dialogue, open_round
from tests.dialogues.test_views import frozen_round

PLANTED = "Akinyi called us from 0712 345 678 and +254 733-111-222: the Kwa Reuben tap has been dry for weeks"


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def with_evidence(d: Dialogue) -> None:
    """Three water reports (one in Akinyi's words) behind the first priority; the second has none."""
    reporter = d.members[0]
    first = submit(d.world, PLANTED, reporter=reporter, people_affected=40)
    submit(d.world, "Kwa Reuben water still cut, children walk 2 km", people_affected=12)
    submit(d.world, "No water at Kwa Reuben since Monday")
    assert first.case is not None
    first.case.people_affected = 60
    first.case.save()
    d.priorities[0].cases.add(first.case)


def post(d: Dialogue, rnd_pk: int, **fields: str) -> tuple[int, bytes]:
    data = {
        "kind": "petition",
        "office": str(d.office.pk),
        "official_name": "Chief John Kariuki",
        "language": "en",
        "format": "docx",
        **fields,
    }
    r = d.world.client_for(d.world.wanjiku).post(f"/dialogues/rounds/{rnd_pk}/petition/", data)
    return r.status_code, r.content


def test_redaction_removes_kenyan_phone_numbers_and_contacts_names() -> None:
    text = (
        "Mary Wanjiru (0712345678, 0712 345 678, 0712-345-678, +254712345678, 254 110 123 456, 0110123456) "
        "told WANJIRU and mary; Maryland, ID 12345678 and 2026 stay."
    )
    out = apply(text, Redactor().find(None, text, ["Mary Wanjiru", "  ", "Jo"]))
    for gone in ("Mary ", "WANJIRU", "mary;", "0712", "254", "0110"):
        assert gone not in out
    assert out.count("[name]") == 3
    assert "Maryland" in out and "12345678 " in out and "2026" in out


def test_placeholders_are_checked() -> None:
    check_placeholders("To {official}, {office}: {{literal}}")
    for bad in ("To {offical}", "{office!r}", "{office:>9}", "{0}", "Dear {", "a } b"):
        with pytest.raises(actions.DialogueError):
            check_placeholders(bad)


def test_a_petition_carries_priorities_evidence_testimonies_and_a_signature_sheet(dia: Dialogue) -> None:
    with_evidence(dia)
    rnd = frozen_round(dia)
    status, content = post(dia, rnd.pk)
    assert status == 200
    text = docx_text(content)
    order = [text.index(p.title) for p in actions.agreed_priorities(rnd)]
    assert len(order) == 3
    assert order == sorted(order)
    assert "Petition to Chief, Mabatini" in text and "Chief John Kariuki" in text
    assert "3 reports in 1 documented case, 60 people affected." in text
    assert "no documented cases linked yet" in text
    assert "the Kwa Reuben tap has been dry for weeks" in text  # the testimony, redacted
    assert "Akinyi" not in text and "0712" not in text and "733" not in text and "[name]" in text
    assert "Signature sheet" in text and "ID or phone" in text and "\n60\n" in text


def test_the_pdf_is_recorded_with_its_hash_in_the_audit_chain(dia: Dialogue) -> None:
    with_evidence(dia)
    rnd = frozen_round(dia)
    status, content = post(dia, rnd.pk, format="pdf")
    assert status == 200 and content.startswith(b"%PDF")
    entry = AuditEntry.objects.filter(model="dialogues.petition", object_pk=str(rnd.pk)).get()
    assert hashlib.sha256(content).hexdigest() in entry.data and '"format":"pdf"' in entry.data.replace(
        " ", ""
    )
    status, memo = post(dia, rnd.pk, format="pdf", kind="memorandum", testimonies="0")
    assert status == 200 and memo.startswith(b"%PDF") and len(memo) < len(content)  # no signature pages


def test_a_memorandum_has_no_signature_sheet(dia: Dialogue) -> None:
    with_evidence(dia)
    rnd = frozen_round(dia)
    status, content = post(dia, rnd.pk, kind="memorandum")
    text = docx_text(content)
    assert status == 200 and "Memorandum to Chief, Mabatini" in text and dia.priorities[0].title in text
    assert "Signature sheet" not in text and "ID or phone" not in text


def test_the_kiswahili_petition_has_kiswahili_headings(dia: Dialogue) -> None:
    with_evidence(dia)
    rnd = frozen_round(dia)
    status, content = post(dia, rnd.pk, language="sw")
    text = docx_text(content)
    assert status == 200
    assert "Vipaumbele vilivyokubaliwa, kwa mpangilio" in text and "Karatasi ya sahihi" in text
    assert "Ombi kwa Chief, Mabatini" in text and "ripoti 3" in text
    assert "The agreed priorities" not in text


def test_a_round_not_frozen_is_refused(dia: Dialogue) -> None:
    rnd = open_round(dia)
    status, content = post(dia, rnd.pk)
    assert status == 400 and "Freeze the round" in content.decode()
    assert not AuditEntry.objects.filter(model="dialogues.petition").exists()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"kind": "letter"}, "Choose a petition or a memorandum"),
        ({"language": "fr"}, "Choose English or Kiswahili"),
        ({"format": "odt"}, "Choose PDF or DOCX"),
        ({"official_name": "  "}, "Give the name and title"),
        ({"office": "999999"}, "Choose the office"),
        ({"testimonies": "lots"}, "must be a whole number"),
        ({"testimonies": "50"}, "between 0 and 10"),
    ],
)
def test_bad_petition_requests_are_400s(dia: Dialogue, fields: dict[str, str], reason: str) -> None:
    rnd = frozen_round(dia)
    status, content = post(dia, rnd.pk, **fields)
    assert status == 400 and reason in content.decode()


def test_the_coordinator_edits_the_wording_and_bad_placeholders_are_refused(dia: Dialogue) -> None:
    c = dia.world.client_for(dia.world.wanjiku)
    url = f"/dialogues/{dia.programme.pk}/petition-templates/"
    page = c.get(url, {"kind": "memorandum", "language": "sw"}).content.decode()
    assert "{office}" in page and "Hati ya maelezo kwa {office}" in page  # the seeded Kiswahili default
    r = c.post(url, {"kind": "petition", "language": "en", "title": "To {offical}", "body": "Hello"})
    assert r.status_code == 400 and "Unknown placeholder “{offical}”" in r.content.decode()
    r = c.post(url, {"kind": "petition", "language": "en", "title": "", "body": "x"})
    assert r.status_code == 400
    assert c.get(url, {"kind": "poem"}).status_code == 400
    r = c.post(
        url,
        {
            "kind": "petition",
            "language": "en",
            "title": "Haki yetu: {programme}",
            "body": "Dear {official}.\n\nWe ask.",
        },
    )
    assert r.status_code == 302
    rnd = frozen_round(dia)
    text = docx_text(post(dia, rnd.pk)[1])
    assert "Haki yetu: Women's Leadership" in text and "Dear Chief John Kariuki." in text
    # A stored template broken outside the page (admin, old data) is a 400 too, not a 500.
    PetitionTemplate.objects.filter(organisation=dia.world.umoja).update(body="Dear {name}")
    status, content = post(dia, rnd.pk)
    assert status == 400 and "Unknown placeholder" in content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"), [("otieno", 403), ("chief", 404), ("bob", 404), ("outsider", 404)]
)
def test_only_those_who_manage_the_programme_make_petitions(
    dia: Dialogue, persona: str, expected: int
) -> None:
    rnd = frozen_round(dia)
    client = dia.world.client_for(getattr(dia.world, persona))
    r = client.post(
        f"/dialogues/rounds/{rnd.pk}/petition/",
        {"kind": "petition", "office": dia.office.pk, "official_name": "X", "language": "en"},
    )
    assert r.status_code == expected
    assert client.get(f"/dialogues/{dia.programme.pk}/petition-templates/").status_code == expected
    assert Contact.objects.exists()


def test_evidence_lines_count_in_words_as_people_write_them() -> None:
    from django.utils import translation

    from sauti.dialogues.petitions import PriorityEvidence, evidence_line

    def line(reports: int, cases: int) -> str:
        return evidence_line(PriorityEvidence("t", "d", reports, cases, 40, [], None, None))

    assert line(1, 1) == "1 report in 1 documented case, 40 people affected."
    assert line(3, 1) == "3 reports in 1 documented case, 40 people affected."
    assert line(5, 2) == "5 reports in 2 documented cases, 40 people affected."
    with translation.override("sw"):
        assert line(3, 1) == "ripoti 3 katika kesi 1 iliyorekodiwa, watu 40 walioathirika."
        assert line(5, 2) == "ripoti 5 katika kesi 2 zilizorekodiwa, watu 40 walioathirika."
