"""Invitation letters (PDF with fpdf2, editable DOCX with python-docx) and meeting invitations (.ics)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sauti.dialogues.actions import agreed_priorities
from sauti.dialogues.models import Attendance, Invitation, Meeting, MeetingKind

UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
UNICODE_FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


@dataclass(frozen=True)
class Letter:
    sender: str
    date: str
    to: list[str]
    subject: str
    paragraphs: list[str]
    priorities: list[tuple[str, str]]  # (title, evidence summary)
    closing: list[str]


def _count(text: str, n: int) -> str:
    return text % {"n": n}


def letter_content(inv: Invitation) -> Letter:
    """The letter in the invitation's language: the agreed priorities in order, each with its evidence."""
    programme = inv.programme
    held = programme.meetings.filter(status="held")
    preparatory = held.filter(kind=MeetingKind.PREPARATORY)
    consensus = held.filter(kind=MeetingKind.CONSENSUS)
    n_prep, n_cons = preparatory.count(), consensus.count()
    people = Attendance.objects.filter(
        meeting__in=held.filter(kind__in=[MeetingKind.PREPARATORY, MeetingKind.CONSENSUS])
    ).count()
    with translation.override(inv.language):
        if inv.meeting is not None:
            local = timezone.localtime(inv.meeting.starts_at)
            when = _("on %(date)s at %(time)s, %(venue)s") % {
                "date": local.strftime("%d/%m/%Y"),
                "time": local.strftime("%H:%M"),
                "venue": inv.meeting.venue or "-",
            }
        elif inv.agreed_date:
            when = _("on %(date)s") % {"date": inv.agreed_date.strftime("%d/%m/%Y")}
        else:
            when = _("on a date to be agreed with your office")
        priorities = []
        for p in agreed_priorities(inv.round):
            cases = list(p.cases.all())
            affected = sum(c.people_affected or 0 for c in cases)
            if cases:
                evidence = ngettext(
                    "Evidence: %(n)d documented case, %(people)d people affected (%(refs)s).",
                    "Evidence: %(n)d documented cases, %(people)d people affected (%(refs)s).",
                    len(cases),
                ) % {
                    "n": len(cases),
                    "people": affected,
                    "refs": ", ".join(c.reference for c in cases[:5]),
                }
            else:
                evidence = _("Raised by the groups in the preparatory dialogues.")
            priorities.append((p.title, evidence))
        return Letter(
            sender=programme.organisation.name,
            date=timezone.localdate().strftime("%d/%m/%Y"),
            to=[inv.official_name, inv.office.name],
            subject=_("Invitation to a community dialogue: %(programme)s") % {"programme": programme.title},
            paragraphs=[
                _("Dear %(name)s,") % {"name": inv.official_name},
                _(
                    "The community groups of the programme “%(programme)s” invite you to a dialogue meeting "
                    "%(when)s."
                )
                % {"programme": programme.title, "when": when},
                (
                    _(
                        "In %(meetings)s and %(consensus)s, attended by %(people)d people in all, the groups agreed "
                        "on the following priorities, in order of importance:"
                    )
                    if consensus.exists()
                    else _(
                        "In %(meetings)s attended by %(people)d people, the groups agreed on the following "
                        "priorities, in order of importance:"
                    )
                )
                % {
                    "meetings": _count(
                        ngettext("%(n)d preparatory meeting", "%(n)d preparatory meetings", n_prep), n_prep
                    ),
                    "consensus": _count(
                        ngettext("%(n)d consensus meeting", "%(n)d consensus meetings", n_cons), n_cons
                    ),
                    "people": people,
                },
            ],
            priorities=priorities,
            closing=[
                _(
                    "We look forward to hearing your response to each priority and to agreeing on actions together."
                ),
                _("Yours sincerely,"),
                programme.organisation.name,
            ],
        )


def letter_pdf(inv: Invitation) -> bytes:
    from fpdf import FPDF

    letter = letter_content(inv)
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    if UNICODE_FONT.exists() and UNICODE_FONT_BOLD.exists():
        pdf.add_font("body", "", str(UNICODE_FONT))
        pdf.add_font("body", "B", str(UNICODE_FONT_BOLD))
        family = "body"

        def clean(text: str) -> str:
            return text
    else:  # core fonts are Latin-1 only
        family = "Helvetica"

        def clean(text: str) -> str:
            table = str.maketrans({"“": '"', "”": '"', "’": "'", "—": "-", "–": "-", "≤": "<="})
            return text.translate(table).encode("latin-1", "replace").decode("latin-1")

    def para(text: str, style: str = "", size: int = 11, gap: float = 2) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, 6, clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    para(letter.sender, "B", 13)
    para(letter.date)
    for line in letter.to:
        para(line, gap=0)
    pdf.ln(4)
    para(letter.subject, "B")
    for text in letter.paragraphs:
        para(text)
    for i, (title, evidence) in enumerate(letter.priorities, start=1):
        para(f"{i}. {title}", "B", gap=0)
        para(evidence, size=10)
    for text in letter.closing:
        para(text)
    return bytes(pdf.output())


def letter_docx(inv: Invitation) -> bytes:
    from docx import Document

    letter = letter_content(inv)
    doc = Document()
    doc.add_heading(letter.sender, level=1)
    doc.add_paragraph(letter.date)
    doc.add_paragraph("\n".join(letter.to))
    doc.add_heading(letter.subject, level=2)
    for text in letter.paragraphs:
        doc.add_paragraph(text)
    for title, evidence in letter.priorities:
        item = doc.add_paragraph(style="List Number")
        item.add_run(title).bold = True
        item.add_run(f" — {evidence}")
    for text in letter.closing:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def meeting_ics(meeting: Meeting, url: str) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Sauti//Dialogues//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@sauti")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    if meeting.venue:
        event.add("location", meeting.venue)
    event.add("description", "\n".join(filter(None, [meeting.get_kind_display(), meeting.agenda, url])))
    event.add("url", url)
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    cal.add_component(event)
    return bytes(cal.to_ical())
