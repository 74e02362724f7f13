"""The PDF summary of an evidence bundle (fpdf2): cases, a map, charts and each case's timeline.

The map and the charts draw what sauti.insights computes for the web pages (county outlines and counts,
bar charts), so the PDF and the dashboard tell the same story; the page and the map's drawing are core.pdf's,
shared with petitions and memoranda.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.core.pdf import Summary
from sauti.insights import charts, figures
from sauti.insights import pdf as insights_pdf
from sauti.monitoring.models import Case, CaseEvent, Status


def render(
    organisation: str,
    made_at: str,
    made_by: str,
    head: tuple[int, str],
    cases: QuerySet[Case],
    case_rows: Sequence[dict[str, Any]],
    identities: bool,
    text: Callable[[str], str] = str,
) -> bytes:
    pdf = Summary(_("Evidence bundle — %(org)s") % {"org": organisation})
    pdf.add_page()
    pdf.line(_("Evidence bundle: %(org)s") % {"org": organisation}, 16, True, 8)
    pdf.line(_("Made %(at)s by %(by)s.") % {"at": made_at, "by": made_by or _("the system")})
    pdf.line(_("History head at the time: entry #%(seq)d, %(hash)s.") % {"seq": head[0], "hash": head[1]}, 8)
    pdf.line(
        _("Reporters' names and phone numbers are included.")
        if identities
        else _("Reporters appear by pseudonym only; names and phone numbers are left out."),
        9,
    )
    pdf.line(
        _("Every file is listed with its SHA-256 in manifest.json, signed by the organisation "
          "(check with: sauti verify-bundle)."),
        8,
    )  # fmt: skip
    pdf.ln(2)
    _case_table(pdf, case_rows)
    insights_pdf.county_map(pdf, cases)
    _charts(pdf, cases)
    _timelines(pdf, cases, text)
    return bytes(pdf.output())


def _case_table(pdf: Summary, rows: Sequence[dict[str, Any]]) -> None:
    pdf.line(_("Cases"), 12, True, 7)
    widths = (16, 70, 24, 50, 30)
    heads = (_("Ref."), _("Title"), _("Status"), _("Place"), _("Reports"))
    pdf.font(8, True)
    for w, h in zip(widths, heads, strict=True):
        pdf.cell(w, 5, pdf.text_of(h), border="B")
    pdf.ln()
    pdf.font(8)
    for row in rows:
        values = (row["reference"], row["title"][:48], row["status_label"], row["place"][:34], row["reports"])
        for w, v in zip(widths, values, strict=True):
            pdf.cell(w, 5, pdf.text_of(v))
        pdf.ln()
    pdf.ln(3)


def _bars(pdf: Summary, chart: charts.BarChart) -> None:
    pdf.line(chart.title, 11, True, 7)
    pdf.font(8)
    pdf.set_fill_color(201, 148, 199)
    for bar in chart.bars:
        y = pdf.get_y()
        pdf.cell(50, 5, pdf.text_of(bar.label[:32]))
        pdf.rect(pdf.l_margin + 52, y + 1, max(0.5, bar.percent * 1.0), 3, style="F")
        pdf.set_x(pdf.l_margin + 156)
        pdf.cell(20, 5, str(bar.value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _charts(pdf: Summary, cases: QuerySet[Case]) -> None:
    if pdf.get_y() > 220:
        pdf.add_page()
    by_status = figures.status_counts(cases)
    labels = dict(Status.choices)
    pdf_chart = charts.bar_chart(
        "status",
        _("Cases by status"),
        [(str(labels[s]), by_status.get(s, 0)) for s in Status.values if by_status.get(s)],
        value_label=_("cases"),
    )
    _bars(pdf, pdf_chart)
    per_category: dict[str, int] = {}
    for case in cases.select_related("category", "category__parent"):
        top = case.category.parent or case.category if case.category else None
        key = top.label if top else _("No category")
        per_category[key] = per_category.get(key, 0) + 1
    _bars(
        pdf,
        charts.bar_chart(
            "category", _("Cases by category"), sorted(per_category.items(), key=lambda p: -p[1]),
            value_label=_("cases"),
        ),
    )  # fmt: skip


def _timelines(pdf: Summary, cases: QuerySet[Case], text: Callable[[str], str]) -> None:
    events = CaseEvent.objects.filter(case__in=cases).select_related("actor").order_by("case_id", "at", "id")
    by_case: dict[int, list[CaseEvent]] = {}
    for event in events:
        by_case.setdefault(event.case_id, []).append(event)
    pdf.add_page()
    pdf.line(_("Timelines: who received, verified and changed what, when"), 12, True, 7)
    for case in cases.order_by("pk"):
        pdf.line(f"{case.reference} — {text(case.title)}", 10, True, 6)
        for event in by_case.get(case.pk, []):
            who = event.actor.get_username() if event.actor else _("system")
            what = str(event.get_kind_display())
            if event.to_status:
                what += f" → {dict(Status.choices).get(event.to_status, event.to_status)}"
            if event.reason:
                what += f": {text(event.reason)[:300]}"
            pdf.line(f"{timezone.localtime(event.at):%Y-%m-%d %H:%M}  {who}  {what}", 8, height=4.2)
        pdf.ln(2)
