"""Petitions and memoranda from a frozen consensus round: PDF (fpdf2) and editable DOCX (python-docx).

They live in dialogues because they are made from the agreed priorities of a round, beside the invitation
letters; the drawing reuses core.pdf (fonts, county map), so there is one PDF stack.

The organisation's own wording (PetitionTemplate, per kind and language) is plain text with {placeholders};
paragraphs are separated by blank lines. Testimonies are report descriptions with phone numbers and the
names of the organisation's contacts redacted; reporters' identities never enter the document.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import string
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from sauti.core import pdf as core_pdf
from sauti.dialogues.actions import DialogueError, agreed_priorities
from sauti.dialogues.models import ConsensusRound, PetitionTemplate
from sauti.insights import areas, figures
from sauti.insights import pdf as insights_pdf
from sauti.insights.series import MAX_BUCKETS, TimeSeries, reports_over_time
from sauti.monitoring.models import Case, Report
from sauti.monitoring.texts import TextPolicy
from sauti.people.models import Office
from sauti.people.redaction import redact_text

MAX_TESTIMONIES = 10
SIGNATURE_ROWS = 60

PLACEHOLDERS: dict[str, object] = {
    "organisation": gettext_lazy("the organisation's name"),
    "programme": gettext_lazy("the programme's title"),
    "round": gettext_lazy("the consensus round's title"),
    "official": gettext_lazy("the official's name and title"),
    "office": gettext_lazy("the office addressed"),
    "date": gettext_lazy("today's date"),
    "priorities": gettext_lazy("how many priorities were agreed"),
    "reports": gettext_lazy("how many reports support them"),
    "cases": gettext_lazy("how many documented cases support them"),
    "people": gettext_lazy("how many people were affected"),
}


def redact(text: str, organisation_id: int | None) -> str:
    """The one redaction (sauti/people/redaction.py): phone numbers, the organisation's contacts' names
    (found through their keyed hashes, nobody decrypted) and names people give in the text."""
    return redact_text(organisation_id, text).text


def check_placeholders(text: str) -> None:
    """Raise DialogueError naming the first placeholder that is not one of PLACEHOLDERS."""
    try:
        fields = [(name, spec, conv) for _lit, name, spec, conv in string.Formatter().parse(text)]
    except ValueError:
        raise DialogueError(
            _(
                "The text has a stray “{” or “}”. Write {{ and }} for a brace, or use a placeholder such as {office}."
            )
        ) from None
    for name, spec, conv in fields:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conv:
            raise DialogueError(
                _("Unknown placeholder “{%(name)s}”. Use one of: %(known)s.")
                % {"name": name, "known": ", ".join(f"{{{k}}}" for k in PLACEHOLDERS)}
            )


def default_template(kind: str, language: str) -> tuple[str, str]:
    """The seeded wording, from the translation catalog (title, body)."""
    with translation.override(language):
        if kind == PetitionTemplate.Kind.PETITION:
            return (
                _("Petition to {office}: {programme}"),
                _(
                    "To {official}, {office}.\n\n"
                    "We, the members of the community groups working with {organisation} in the programme "
                    "“{programme}”, respectfully petition your office on the {priorities} priorities we agreed "
                    "together, in order of importance.\n\n"
                    "They are supported by {reports} reports from the community, grouped in {cases} documented "
                    "cases affecting {people} people. The evidence, a map and a chart follow, with the words of "
                    "those affected (names and phone numbers removed).\n\n"
                    "We ask you to respond to each priority in writing and to agree with us on actions and dates. "
                    "The signatures of those who support this petition are attached."
                ),
            )
        return (
            _("Memorandum to {office}: {programme}"),
            _(
                "To {official}, {office}.\n\n"
                "This memorandum from {organisation} sets out the {priorities} priorities agreed by the community "
                "groups of the programme “{programme}”, in order of importance, with the evidence collected by "
                "the community: {reports} reports in {cases} documented cases, {people} people affected.\n\n"
                "We request a meeting with your office to discuss each priority and to agree on actions, "
                "responsibilities and dates."
            ),
        )


def template_for(organisation_id: int, kind: str, language: str) -> tuple[str, str]:
    own = PetitionTemplate.objects.filter(
        organisation_id=organisation_id, kind=kind, language=language
    ).first()
    return (own.title, own.body) if own else default_template(kind, language)


@dataclass(frozen=True)
class PriorityEvidence:
    title: str
    description: str
    reports: int
    cases: int
    people: int
    places: list[tuple[str, int]]  # ward (or county) -> reports, most first
    first: dt.date | None
    last: dt.date | None


@dataclass
class Petition:
    kind: str
    language: str
    sender: str
    date: str
    to: list[str]
    title: str
    paragraphs: list[str]
    priorities: list[PriorityEvidence]
    testimonies: list[str]
    cases: QuerySet[Case]
    series: TimeSeries | None
    headings: dict[str, str] = field(default_factory=dict)


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def _evidence(
    cases: QuerySet[Case],
) -> tuple[int, int, list[tuple[str, int]], dt.date | None, dt.date | None]:
    reports = Report.objects.filter(case__in=cases.order_by().values("pk"))
    span = reports.aggregate(n=Count("pk"), first=Min("received_at"), last=Max("received_at"))
    people = cases.aggregate(n=Sum("people_affected"))["n"] or 0
    places: dict[str, int] = {}
    for row in (
        reports.order_by().values("ward__name", "county__name", "case__ward__name").annotate(n=Count("pk"))
    ):
        label = row["ward__name"] or row["case__ward__name"] or row["county__name"] or _("place not known")
        places[label] = places.get(label, 0) + row["n"]
    ranked = sorted(places.items(), key=lambda p: (-p[1], p[0]))
    return span["n"], people, ranked, _local_date(span["first"]), _local_date(span["last"])


def _series(cases: QuerySet[Case], first: dt.date | None, last: dt.date | None) -> TimeSeries | None:
    if first is None or last is None:
        return None
    start = max(first, (last.replace(day=1) - dt.timedelta(days=31 * (MAX_BUCKETS - 2))).replace(day=1))
    series = reports_over_time(figures.reports_of(cases), "month", start, last)
    return series if series.series else None


def _testimonies(organisation_id: int, cases: QuerySet[Case], limit: int) -> list[str]:
    if limit <= 0:
        return []
    reports = (
        Report.objects.filter(case__in=cases.filter(is_sensitive=False).order_by().values("pk"))
        .exclude(description="")
        .order_by("-received_at")[:limit]
    )
    rows = list(reports)
    policy = TextPolicy.outside()  # a petition leaves the organisation: as officials would read it
    policy.prepare_reports(rows)
    return [" ".join(policy.description(r).text.split())[:700] for r in rows]


def build(
    rnd: ConsensusRound, *, kind: str, office: Office, official: str, language: str, testimonies: int
) -> Petition:
    """The document's content; DialogueError if the round is not frozen or the template is broken."""
    if rnd.state != ConsensusRound.State.FROZEN or rnd.result is None:
        raise DialogueError(
            _("Freeze the round's agreed list first: a petition carries the agreed priorities.")
        )
    programme = rnd.programme
    org = programme.organisation
    agreed = agreed_priorities(rnd)
    all_cases = Case.objects.filter(pk__in=Case.objects.filter(priorities__in=agreed).values("pk"))
    with translation.override(language):
        priorities = []
        for p in agreed:
            cases = p.cases.all()
            reports, people, places, first, last = _evidence(cases)
            priorities.append(
                PriorityEvidence(p.title, p.description, reports, cases.count(), people, places, first, last)
            )
        total_reports, total_people, _places, first, last = _evidence(all_cases)
        title, body = template_for(org.pk, kind, language)
        check_placeholders(title)
        check_placeholders(body)
        values = {
            "organisation": org.name,
            "programme": programme.title,
            "round": rnd.title,
            "official": official,
            "office": office.name,
            "date": timezone.localdate().strftime("%d/%m/%Y"),
            "priorities": len(agreed),
            "reports": total_reports,
            "cases": all_cases.count(),
            "people": total_people,
        }
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body.format(**values)) if p.strip()]
        return Petition(
            kind=kind,
            language=language,
            sender=org.name,
            date=str(values["date"]),
            to=[official, office.name],
            title=title.format(**values),
            paragraphs=paragraphs,
            priorities=priorities,
            testimonies=_testimonies(org.pk, all_cases, min(testimonies, MAX_TESTIMONIES)),
            cases=all_cases,
            series=_series(all_cases, first, last),
            headings={
                "priorities": _("The agreed priorities, in order"),
                "map": _("Where the reports come from"),
                "chart": _("Reports over time, by category"),
                "testimonies": _("In their own words"),
                "testimonies_note": _("Names and phone numbers have been removed."),
                "signatures": _("Signature sheet"),
                "signatures_intro": _("We, the undersigned, support this petition: %(title)s")
                % {"title": title.format(**values)},
                "no": _("No."),
                "name": _("Name"),
                "id": _("ID or phone"),
                "group": _("Group"),
                "signature": _("Signature"),
                "places_note": _("Reports per ward or county"),
                "month": _("Month"),
                "total": _("Total"),
            },
        )


def evidence_line(p: PriorityEvidence) -> str:
    if not p.cases:
        return _("Raised by the groups in the preparatory dialogues; no documented cases linked yet.")
    if p.reports == 1:
        text = _("1 report in 1 documented case, %(people)d people affected.") % {"people": p.people}
    else:
        text = ngettext(
            "%(reports)d reports in %(cases)d documented case, %(people)d people affected.",
            "%(reports)d reports in %(cases)d documented cases, %(people)d people affected.",
            p.cases,
        ) % {"reports": p.reports, "cases": p.cases, "people": p.people}
    if p.first and p.last:
        text += " " + _("First reported %(first)s, last %(last)s.") % {
            "first": p.first.strftime("%d/%m/%Y"),
            "last": p.last.strftime("%d/%m/%Y"),
        }
    return text


def places_line(p: PriorityEvidence) -> str:
    return ", ".join(f"{name} ({n})" for name, n in p.places[:8])


def _month_rows(series: TimeSeries) -> tuple[list[str], list[tuple[str, list[int]]]]:
    keys = sorted(series.series, key=lambda k: -sum(series.series[k]))
    return [series.labels.get(k, k) for k in keys], [
        (b.label, [series.series[k][i] for k in keys]) for i, b in enumerate(series.buckets)
    ]


# --- PDF -----------------------------------------------------------------------------------------

PALETTE = [(152, 0, 67), (221, 28, 119), (116, 169, 207), (35, 139, 69), (254, 178, 76), (84, 39, 143)]


def _chart(pdf: core_pdf.Summary, series: TimeSeries) -> None:
    """Reports per month as horizontal bars stacked by category, with a legend."""
    labels, rows = _month_rows(series)
    top = max((sum(values) for _month, values in rows), default=0) or 1
    if pdf.get_y() > 240 - 5 * len(rows):
        pdf.add_page()
    pdf.font(8)
    for i, label in enumerate(labels):
        pdf.set_fill_color(*PALETTE[i % len(PALETTE)])
        pdf.rect(pdf.l_margin + (i % 3) * 60, pdf.get_y() + 1, 3, 3, style="F")
        pdf.set_x(pdf.l_margin + (i % 3) * 60 + 4)
        pdf.cell(55, 5, pdf.text_of(label[:34]))
        if i % 3 == 2 or i == len(labels) - 1:
            pdf.ln()
    pdf.ln(1)
    for month, values in rows:
        y = pdf.get_y()
        pdf.cell(24, 5, pdf.text_of(month))
        x = pdf.l_margin + 26
        for i, n in enumerate(values):
            width = n / top * 130
            if width:
                pdf.set_fill_color(*PALETTE[i % len(PALETTE)])
                pdf.rect(x, y + 1, width, 3, style="F")
                x += width
        pdf.set_x(pdf.l_margin + 160)
        pdf.cell(15, 5, str(sum(values)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _signature_sheet(pdf: core_pdf.Summary, h: dict[str, str]) -> None:
    widths = (12, 52, 38, 38, 30)
    heads = (h["no"], h["name"], h["id"], h["group"], h["signature"])

    def header() -> None:
        pdf.font(9, True)
        pdf.set_fill_color(235, 235, 235)
        for w, text in zip(widths, heads, strict=True):
            pdf.cell(w, 7, pdf.text_of(text), border=1, fill=True)
        pdf.ln()

    pdf.add_page()
    pdf.line(h["signatures"], 14, True, 8)
    pdf.line(h["signatures_intro"], 9)
    pdf.ln(2)
    header()
    pdf.font(9)
    row_height = 9.0
    for n in range(1, SIGNATURE_ROWS + 1):
        if pdf.get_y() + row_height > pdf.page_break_trigger:
            pdf.add_page()
            header()
            pdf.font(9)
        for i, w in enumerate(widths):
            pdf.cell(w, row_height, str(n) if i == 0 else "", border=1)
        pdf.ln()


def render_pdf(doc: Petition) -> bytes:
    pdf = core_pdf.Summary(doc.title)
    pdf.add_page()
    pdf.line(doc.sender, 13, True, 7)
    pdf.line(doc.date, 10)
    for line in doc.to:
        pdf.line(line, 10)
    pdf.ln(4)
    pdf.line(doc.title, 15, True, 8)
    pdf.ln(1)
    for text in doc.paragraphs:
        pdf.line(text, 10, height=5.5)
        pdf.ln(2)
    h = doc.headings
    pdf.line(h["priorities"], 12, True, 7)
    for i, p in enumerate(doc.priorities, start=1):
        pdf.line(f"{i}. {p.title}", 11, True, 6)
        if p.description:
            pdf.line(p.description, 9)
        pdf.line(evidence_line(p), 9)
        if p.places:
            pdf.line(f"{h['places_note']}: {places_line(p)}", 8)
        pdf.ln(2)
    if doc.cases.exists():
        insights_pdf.county_map(pdf, doc.cases)
    if doc.series is not None:
        pdf.line(h["chart"], 12, True, 7)
        _chart(pdf, doc.series)
    if doc.testimonies:
        pdf.line(h["testimonies"], 12, True, 7)
        pdf.line(h["testimonies_note"], 8)
        for text in doc.testimonies:
            pdf.line(f"“{text}”", 9)
            pdf.ln(2)
    if doc.kind == PetitionTemplate.Kind.PETITION:
        _signature_sheet(pdf, h)
    return bytes(pdf.output())


# --- DOCX ----------------------------------------------------------------------------------------


def render_docx(doc: Petition) -> bytes:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    out = Document()
    h = doc.headings
    out.add_paragraph(doc.sender).runs[0].bold = True
    out.add_paragraph(doc.date)
    out.add_paragraph("\n".join(doc.to))
    out.add_heading(doc.title, level=1)
    for text in doc.paragraphs:
        out.add_paragraph(text)
    out.add_heading(h["priorities"], level=2)
    for p in doc.priorities:
        item = out.add_paragraph(style="List Number")
        item.add_run(p.title).bold = True
        if p.description:
            out.add_paragraph(p.description)
        out.add_paragraph(evidence_line(p))
        if p.places:
            out.add_paragraph(f"{h['places_note']}: {places_line(p)}")
    counties = (
        [a for a in areas.county_counts(doc.cases, reports=True) if a.cases] if doc.cases.exists() else []
    )
    if counties:
        # python-docx cannot place a vector map; the map's figures go in a table (the PDF draws the map).
        out.add_heading(h["map"], level=2)
        table = out.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, (_("County"), _("Cases"), _("Reports")), strict=True):
            cell.text = text
        for area in sorted(counties, key=lambda a: -a.cases):
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = area.name, str(area.cases), str(area.reports or 0)
    if doc.series is not None:
        out.add_heading(h["chart"], level=2)
        labels, rows = _month_rows(doc.series)
        table = out.add_table(rows=1, cols=len(labels) + 2)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, [h["month"], *labels, h["total"]], strict=True):
            cell.text = text
        for month, values in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, [month, *map(str, values), str(sum(values))], strict=True):
                cell.text = text
    if doc.testimonies:
        out.add_heading(h["testimonies"], level=2)
        out.add_paragraph(h["testimonies_note"]).runs[0].italic = True
        for text in doc.testimonies:
            out.add_paragraph(f"“{text}”", style="Quote")
    if doc.kind == PetitionTemplate.Kind.PETITION:
        out.add_heading(h["signatures"], level=1).paragraph_format.page_break_before = True
        out.add_paragraph(h["signatures_intro"])
        table = out.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, (h["no"], h["name"], h["id"], h["group"], h["signature"]), strict=True
        ):
            cell.text = text
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(repeat)  # the header row repeats on every page
        for n in range(1, SIGNATURE_ROWS + 1):
            table.add_row().cells[0].text = str(n)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
