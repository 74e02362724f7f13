"""The impact report as a PDF (the one fpdf2 stack of core/pdf.py) and an editable DOCX (python-docx, as
invitation letters are): the same figures as the page, each with the address of the records it counts."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.utils.translation import gettext as _

from sauti.core.pdf import Summary
from sauti.impact.report import Report
from sauti.trust.stats import Estimate


def _title(report: Report) -> str:
    return _("Impact report — %(organisation)s") % {"organisation": report.organisation.name}


def _period(report: Report) -> str:
    return _("Reporting period: %(since)s to %(until)s") % {
        "since": report.period.since.isoformat(),
        "until": report.period.until.isoformat(),
    }


def _programmes(report: Report) -> str:
    names = ", ".join(p.title for p in report.programmes) or _("none")
    return _("Programmes: %(names)s") % {"names": names}


def _note() -> str:
    return _(
        "Every figure is followed by the address of the records it counts. People are counted once across "
        "programmes (by phone number or a coordinator's merge) and never named. A commitment counts as "
        "verified only when the community confirms it was kept. Trust scores run from 1 (strongly disagree) "
        "to 5 (strongly agree), with their 95 per cent confidence interval and the number of answers (n)."
    )


def _estimate_text(cell: object) -> str:
    if not isinstance(cell, Estimate):
        return "—"
    interval = f" ({cell.low}–{cell.high})" if cell.low is not None else ""
    return f"{cell.mean}{interval} n={cell.n}"


def report_pdf(report: Report, absolute: Callable[[str], str]) -> bytes:
    pdf = Summary(_title(report))
    pdf.add_page()
    pdf.line(_title(report), 15, True, 8)
    pdf.line(_period(report), 10)
    pdf.line(_programmes(report), 9)
    pdf.ln(2)
    top = max((f.value for f in report.figures), default=0) or 1
    for figure in report.figures:
        pdf.font(10, True)
        pdf.cell(110, 6, pdf.text_of(figure.label))
        pdf.cell(20, 6, f"{figure.value:,}", align="R")
        y = pdf.get_y()
        pdf.set_fill_color(201, 148, 199)
        pdf.rect(pdf.get_x() + 3, y + 1.5, max(0.3, 45 * figure.value / top), 3, style="F")
        pdf.ln(6)
        pdf.font(7)
        url = absolute(figure.url)
        pdf.set_text_color(30, 60, 160)
        pdf.cell(0, 4, pdf.text_of(url), link=url, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    if report.months:
        pdf.ln(3)
        pdf.line(_("Month by month: new people reached, sessions, activities"), 11, True, 7)
        for row in report.months:
            pdf.line(
                f"{row['month']}: {row['people']} · {row['sessions']} · {row['activities']}", 8, height=4
            )
    if report.trust:
        pdf.ln(3)
        pdf.line(_("Trust over time (mean of 1–5 with its 95 per cent interval and n)"), 11, True, 7)
        for line in report.trust:
            pdf.line(f"{line.survey.title} — {line.item}", 8, True, 4.5)
            pdf.line(
                "; ".join(
                    f"{wave.label} ({wave.starts_on}): {_estimate_text(cell)}" for wave, cell in line.cells
                ),
                8,
                height=4.5,
            )
    pdf.ln(3)
    pdf.line(_note(), 7, height=3.8)
    return bytes(pdf.output())


def report_docx(report: Report, absolute: Callable[[str], str]) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(_title(report), level=1)
    doc.add_paragraph(_period(report))
    doc.add_paragraph(_programmes(report))
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text, header[1].text, header[2].text = _("Figure"), _("Value"), _("Records counted")
    for figure in report.figures:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = figure.label, f"{figure.value:,}", absolute(figure.url)
    if report.months:
        doc.add_heading(_("Month by month: new people reached, sessions, activities"), level=2)
        for row in report.months:
            doc.add_paragraph(f"{row['month']}: {row['people']} · {row['sessions']} · {row['activities']}")
    if report.trust:
        doc.add_heading(_("Trust over time (mean of 1–5 with its 95 per cent interval and n)"), level=2)
        for line in report.trust:
            item = doc.add_paragraph()
            item.add_run(f"{line.survey.title} — {line.item}").bold = True
            for wave, cell in line.cells:
                doc.add_paragraph(
                    f"{wave.label} ({wave.starts_on}): {_estimate_text(cell)}", style="List Bullet"
                )
    doc.add_paragraph(_note())
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
