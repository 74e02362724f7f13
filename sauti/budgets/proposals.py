"""A proposal/memorandum to the county's next planning cycle: the agreed priorities and the flagged projects,
with their evidence (figures with their sources, corrections, site observations, photos, linked cases).

Built on the petitions machinery of dialogues (`petitions.PriorityEvidence`, `evidence_line`, `places_line`,
`redact`) and the one PDF stack (`core.pdf.Summary`, the county map of the linked cases); the DOCX is
python-docx like the petitions'. Photos are the EXIF-free public copies only; observers are never named.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sauti.budgets.models import (
    Correction,
    Flag,
    Observation,
    Project,
    Proposal,
    ProposalConclusion,
    SiteStatus,
)
from sauti.core import pdf as core_pdf
from sauti.dialogues import petitions
from sauti.dialogues.models import Priority
from sauti.insights import pdf as insights_pdf
from sauti.monitoring.models import Attachment, Case, Report

MAX_PHOTOS_PER_PROJECT = 2
MAX_NOTES_PER_PROJECT = 3


@dataclass
class ProjectEvidence:
    title: str
    figures: list[tuple[str, str]]
    source: str
    corrections: list[str]
    flags: list[str]
    observed: list[tuple[str, int]]
    notes: list[str]
    photos: list[bytes] = field(default_factory=list)


@dataclass
class ConclusionEvidence:
    """An agreed conclusion of a participatory analysis session, as copied into the memorandum."""

    text: str
    figures: list[str]
    agreed: str


@dataclass
class Document:
    title: str
    sender: str
    date: str
    to: list[str]
    paragraphs: list[str]
    priorities: list[petitions.PriorityEvidence]
    projects: list[ProjectEvidence]
    cases: QuerySet[Case]
    headings: dict[str, str]
    conclusions: list[ConclusionEvidence] = field(default_factory=list)


def _kes(value: Decimal | None) -> str:
    return "—" if value is None else f"KES {value:,.0f}"


def _priority_evidence(p: Priority) -> petitions.PriorityEvidence:
    cases = p.cases.all()
    reports = Report.objects.filter(case__in=cases.order_by().values("pk"))
    span = reports.aggregate(n=Count("pk"), first=Min("received_at"), last=Max("received_at"))
    people = cases.aggregate(n=Sum("people_affected"))["n"] or 0
    places: dict[str, int] = {}
    for row in reports.order_by().values("ward__name", "county__name").annotate(n=Count("pk")):
        label = row["ward__name"] or row["county__name"] or _("place not known")
        places[label] = places.get(label, 0) + row["n"]
    return petitions.PriorityEvidence(
        p.title,
        p.description,
        span["n"],
        cases.count(),
        people,
        sorted(places.items(), key=lambda x: (-x[1], x[0])),
        timezone.localdate(span["first"]) if span["first"] else None,
        timezone.localdate(span["last"]) if span["last"] else None,
    )


def _project_evidence(project: Project) -> ProjectEvidence:
    observations = Observation.objects.filter(project=project)
    counts = dict(observations.values_list("status").annotate(n=Count("pk")))
    notes = [
        petitions.redact(" ".join(o.note.split())[:400], project.organisation_id)
        for o in observations.exclude(note="").order_by("-created_at")[:MAX_NOTES_PER_PROJECT]
    ]
    photos = []
    for a in Attachment.objects.filter(report__in=observations.exclude(report=None).values("report")).exclude(
        public_file=""
    )[:MAX_PHOTOS_PER_PROJECT]:
        try:
            with a.public_file.open("rb") as f:
                photos.append(f.read())
        except OSError:
            continue
    corrections = [
        _("%(field)s: published %(published)s, corrected to %(corrected)s (%(reason)s)")
        % {
            "field": c.field,
            "published": c.published_value or "—",
            "corrected": c.corrected_value or "—",
            "reason": c.reason,
        }
        for c in Correction.objects.filter(project=project)
    ]
    return ProjectEvidence(
        title=f"{project.reference} {project.name}",
        figures=[
            (_("Location as published"), project.location_published or "—"),
            (_("Ward"), project.ward.name if project.ward else _("not resolved")),
            (_("Contract sum"), _kes(project.contract_sum)),
            (_("Paid in the year"), _kes(project.paid)),
            (_("Cumulative expenditure"), _kes(project.cumulative_expenditure)),
            (
                _("Percent complete as published"),
                "—" if project.pct_complete is None else f"{project.pct_complete:.0f}%",
            ),
        ],
        source=_("Source: %(source)s") % {"source": project.source_label},
        corrections=corrections,
        flags=[str(Flag(f).label) for f in project.flags if f in Flag.values],
        observed=[(str(label), counts[value]) for value, label in SiteStatus.choices if counts.get(value)],
        notes=notes,
        photos=photos,
    )


def _conclusion_evidence(item: ProposalConclusion) -> ConclusionEvidence:
    session = item.finding.session
    agreed = item.finding.agreements.count()
    return ConclusionEvidence(
        text=petitions.redact(item.text, item.proposal.organisation_id),
        figures=[str(f.get("text", "")) for f in item.figures if f.get("text")],
        agreed=ngettext(
            "Agreed by %(n)d member of %(group)s in the analysis session “%(session)s” (%(date)s).",
            "Agreed by %(n)d members of %(group)s in the analysis session “%(session)s” (%(date)s).",
            agreed,
        )
        % {
            "n": agreed,
            "group": session.group.name,
            "session": session.title,
            "date": timezone.localdate(session.opened_at).strftime("%d/%m/%Y"),
        },
    )


def build(proposal: Proposal, language: str) -> Document:
    org = proposal.organisation
    with translation.override(language):
        priorities = [_priority_evidence(p) for p in proposal.priorities.all().order_by("pk")]
        projects = [
            _project_evidence(p)
            for p in proposal.projects.select_related("ward", "document").order_by("number")
        ]
        case_ids = set(
            Case.objects.filter(priorities__in=proposal.priorities.all()).values_list("pk", flat=True)
        )
        case_ids |= set(
            Report.objects.filter(
                pk__in=Observation.objects.filter(project__in=proposal.projects.all())
                .exclude(report=None)
                .values("report")
            )
            .exclude(case=None)
            .values_list("case", flat=True)
        )
        conclusions = [
            _conclusion_evidence(item)
            for item in ProposalConclusion.objects.filter(proposal=proposal).select_related(
                "proposal", "finding__session__group"
            )
        ]
        office = proposal.office.name if proposal.office else _("the County Government")
        title = _("Memorandum to %(office)s for the %(cycle)s planning cycle") % {
            "office": office,
            "cycle": proposal.cycle,
        }
        paragraphs = [
            _(
                "This memorandum from %(organisation)s is the community's contribution to the public participation "
                "for %(cycle)s. It sets out the priorities the community agreed and the development projects its "
                "members monitored on site where the published figures and what they saw do not agree."
            )
            % {"organisation": org.name, "cycle": proposal.cycle},
            _(
                "Every figure is quoted as published, with its source (document, page or row); where a figure was "
                "corrected, both are given. Observations are counted as recorded by community monitors; photos are "
                "copies without location metadata, and no person is named."
            ),
            _(
                "We ask that these priorities be included in %(cycle)s and that the projects listed be explained, completed or remedied."
            )
            % {"cycle": proposal.cycle},
        ]
        return Document(
            title=title,
            sender=org.name,
            date=timezone.localdate().strftime("%d/%m/%Y"),
            to=[office],
            paragraphs=paragraphs,
            priorities=priorities,
            projects=projects,
            cases=Case.objects.filter(pk__in=case_ids),
            conclusions=conclusions,
            headings={
                "conclusions": _("What the community concluded from its own monitoring"),
                "priorities": _("The agreed priorities"),
                "projects": _("Projects the community monitored"),
                "flags": _("Flags"),
                "observed": _("Community observations"),
                "notes": _("In the monitors' words (names and phone numbers removed)"),
                "corrections": _("Corrections"),
                "photos": _("Photos"),
            },
        )


def render_pdf(doc: Document) -> bytes:
    pdf = core_pdf.Summary(doc.title)
    pdf.add_page()
    pdf.line(doc.sender, 13, True, 7)
    pdf.line(doc.date, 10)
    for line in doc.to:
        pdf.line(line, 10)
    pdf.ln(4)
    pdf.line(doc.title, 15, True, 8)
    for text in doc.paragraphs:
        pdf.line(text, 10, height=5.5)
        pdf.ln(2)
    h = doc.headings
    if doc.conclusions:
        pdf.line(h["conclusions"], 12, True, 7)
        for i, c in enumerate(doc.conclusions, start=1):
            pdf.line(f"{i}. {c.text}", 11, True, 6)
            for figure in c.figures:
                pdf.line(f"• {figure}", 9)
            pdf.line(c.agreed, 8)
            pdf.ln(2)
    if doc.priorities:
        pdf.line(h["priorities"], 12, True, 7)
        for i, p in enumerate(doc.priorities, start=1):
            pdf.line(f"{i}. {p.title}", 11, True, 6)
            if p.description:
                pdf.line(p.description, 9)
            pdf.line(petitions.evidence_line(p), 9)
            if p.places:
                pdf.line(petitions.places_line(p), 8)
            pdf.ln(2)
    if doc.projects:
        pdf.line(h["projects"], 12, True, 7)
        for pe in doc.projects:
            pdf.line(pe.title, 11, True, 6)
            for label, value in pe.figures:
                pdf.line(f"{label}: {value}", 9)
            pdf.line(pe.source, 8)
            if pe.flags:
                pdf.line(f"{h['flags']}: " + "; ".join(pe.flags), 9, True)
            if pe.corrections:
                pdf.line(f"{h['corrections']}: " + "; ".join(pe.corrections), 8)
            if pe.observed:
                pdf.line(f"{h['observed']}: " + ", ".join(f"{label} ({n})" for label, n in pe.observed), 9)
            for note in pe.notes:
                pdf.line(f"“{note}”", 8)
            for photo in pe.photos:
                try:
                    if pdf.get_y() > 200:
                        pdf.add_page()
                    pdf.image(io.BytesIO(photo), w=70)
                except Exception:  # noqa: S112 (a photo fpdf cannot draw is left out, the rest stays)
                    continue
            pdf.ln(3)
    if doc.cases.exists():
        insights_pdf.county_map(pdf, doc.cases)
    return bytes(pdf.output())


def render_docx(doc: Document) -> bytes:
    from docx import Document as Docx
    from docx.shared import Cm

    out = Docx()
    h = doc.headings
    out.add_paragraph(doc.sender).runs[0].bold = True
    out.add_paragraph(doc.date)
    out.add_paragraph("\n".join(doc.to))
    out.add_heading(doc.title, level=1)
    for text in doc.paragraphs:
        out.add_paragraph(text)
    if doc.conclusions:
        out.add_heading(h["conclusions"], level=2)
        for concluded in doc.conclusions:
            out.add_paragraph(style="List Number").add_run(concluded.text).bold = True
            for figure in concluded.figures:
                out.add_paragraph(figure, style="List Bullet")
            out.add_paragraph(concluded.agreed).runs[0].italic = True
    if doc.priorities:
        out.add_heading(h["priorities"], level=2)
        for p in doc.priorities:
            out.add_paragraph(style="List Number").add_run(p.title).bold = True
            if p.description:
                out.add_paragraph(p.description)
            out.add_paragraph(petitions.evidence_line(p))
    if doc.projects:
        out.add_heading(h["projects"], level=2)
        for pe in doc.projects:
            out.add_heading(pe.title, level=3)
            table = out.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, value in pe.figures:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = label, value
            out.add_paragraph(pe.source).runs[0].italic = True
            if pe.flags:
                out.add_paragraph(f"{h['flags']}: " + "; ".join(pe.flags)).runs[0].bold = True
            for c in pe.corrections:
                out.add_paragraph(c)
            if pe.observed:
                out.add_paragraph(
                    f"{h['observed']}: " + ", ".join(f"{label} ({n})" for label, n in pe.observed)
                )
            for note in pe.notes:
                out.add_paragraph(f"“{note}”", style="Quote")
            for photo in pe.photos:
                try:
                    out.add_picture(io.BytesIO(photo), width=Cm(7))
                except Exception:  # noqa: S112 (an unreadable photo is left out)
                    continue
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def render(proposal: Proposal, *, language: str, fmt: str) -> bytes:
    doc = build(proposal, language)
    with translation.override(language):
        return render_pdf(doc) if fmt == "pdf" else render_docx(doc)


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
