"""What the report page and its PDF show, built from a stored analysis: opinion map (SVG), groups, consensus.

The map draws base clusters (at most 100 circles, sized by members) rather than every participant, so the
page stays light for any conversation size; each group is a colour and a hull.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from sauti.opinions.models import Analysis, Conversation, Statement

# Colour-blind-safe palette (Okabe-Ito), one per group.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
LETTERS = "ABCDE"
WIDTH, HEIGHT, PAD = 640, 420, 28


@dataclass
class Line:
    number: int
    text: str
    agree: int  # percent of those who voted
    disagree: int
    seen: int
    direction: str = ""  # "agree" / "disagree" for representative statements


@dataclass
class GroupView:
    gid: str
    letter: str
    colour: str
    size: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class ReportView:
    conversation: Conversation
    ready: bool
    message: str = ""
    participants: int = 0
    in_conv: int = 0
    statements: int = 0
    groups: list[GroupView] = field(default_factory=list)
    consensus_agree: list[Line] = field(default_factory=list)
    consensus_disagree: list[Line] = field(default_factory=list)
    divisive: list[Line] = field(default_factory=list)
    svg: str = ""
    computed_at: Any = None


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def build(conversation: Conversation, language: str) -> ReportView:
    analysis = Analysis.objects.filter(conversation=conversation).first()
    if analysis is None or not analysis.result:
        return ReportView(
            conversation,
            ready=False,
            message=_(
                "Not enough data yet for an opinion map: it needs at least two people voting on at least two "
                "statements."
            ),
        )
    r = analysis.result
    texts = {s.number: s.text(language) for s in Statement.objects.filter(conversation=conversation)}
    tids: list[int] = r["tids"]
    pos = {t: i for i, t in enumerate(tids)}
    all_votes = _totals(r, len(tids))

    def line(
        tid: int, counts: tuple[list[int], list[int], list[int]] | None = None, direction: str = ""
    ) -> Line:
        a, d, s = counts if counts is not None else all_votes
        j = pos[tid]
        return Line(tid, texts.get(tid, ""), _percent(a[j], s[j]), _percent(d[j], s[j]), s[j], direction)

    view = ReportView(
        conversation,
        ready=True,
        participants=r["participants"],
        in_conv=len(r["in_conv"]),
        statements=len(tids),
        computed_at=analysis.computed_at,
    )
    group_ids = sorted(r.get("group_sizes", {}), key=int)
    for i, gid in enumerate(group_ids):
        gv = r["group_votes"][gid]
        counts = (gv["A"], gv["D"], gv["S"])
        view.groups.append(
            GroupView(
                gid,
                LETTERS[i % len(LETTERS)],
                COLOURS[i % len(COLOURS)],
                r["group_sizes"][gid],
                [line(row["tid"], counts, row["repful-for"]) for row in r["repness_detail"].get(gid, [])],
            )
        )
    view.consensus_agree = [line(t) for t in r["consensus"]["agree"]]
    view.consensus_disagree = [line(t) for t in r["consensus"]["disagree"]]
    view.divisive = [line(t) for t in _divisive(r, tids, group_ids)]
    view.svg = _svg(r, group_ids)
    return view


@dataclass
class StandingView:
    """What one participant sees: the map with their own point, their group, what it and everyone agree on.
    Nothing about any other participant but counts."""

    report: ReportView
    group: GroupView | None = None
    group_agrees: list[Line] = field(default_factory=list)
    placed: bool = False  # False: not enough votes yet to be placed on the map


def standing(conversation: Conversation, participant_number: int | None, language: str) -> StandingView:
    view = build(conversation, language)
    out = StandingView(view)
    analysis = Analysis.objects.filter(conversation=conversation).first()
    if not view.ready or analysis is None or participant_number is None:
        return out
    r = analysis.result
    key = str(participant_number)
    point = r.get("projection", {}).get(key)
    gid = r.get("groups", {}).get(key)
    if point is not None and gid is not None:
        out.placed = True
        view.svg = _svg(r, sorted(r.get("group_sizes", {}), key=int), (float(point[0]), float(point[1])))
        out.group = next((g for g in view.groups if g.gid == str(gid)), None)
        if out.group is not None:
            out.group_agrees = [line for line in out.group.lines if line.direction == "agree"]
    return out


def _totals(r: dict[str, Any], n: int) -> tuple[list[int], list[int], list[int]]:
    a, d, s = [0] * n, [0] * n, [0] * n
    for gv in r.get("group_votes", {}).values():
        for j in range(n):
            a[j] += gv["A"][j]
            d[j] += gv["D"][j]
            s[j] += gv["S"][j]
    return a, d, s


def _divisive(r: dict[str, Any], tids: list[int], group_ids: list[str], top: int = 5) -> list[int]:
    """Statements whose agreement differs most between groups (spread of smoothed agree share)."""
    if len(group_ids) < 2:
        return []
    mod_out = set(r.get("mod_out", []))
    scored = []
    for j, tid in enumerate(tids):
        if tid in mod_out:
            continue
        shares = []
        for gid in group_ids:
            gv = r["group_votes"][gid]
            if gv["S"][j] < 3:
                break
            shares.append((gv["A"][j] + 1) / (gv["S"][j] + 2))
        else:
            scored.append((max(shares) - min(shares), tid))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [tid for spread, tid in scored[:top] if spread >= 0.3]


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _svg(r: dict[str, Any], group_ids: list[str], you: tuple[float, float] | None = None) -> str:
    base = r["base_clusters"]
    xs, ys, members = base["x"], base["y"], base["members"]
    if not xs:
        return ""
    groups = r["groups"]
    letter = {gid: LETTERS[i % 5] for i, gid in enumerate(group_ids)}
    colour = {gid: COLOURS[i % 5] for i, gid in enumerate(group_ids)}
    span_x = max(max(xs) - min(xs), 1e-9)
    span_y = max(max(ys) - min(ys), 1e-9)
    scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)
    cx = (max(xs) + min(xs)) / 2
    cy = (max(ys) + min(ys)) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return round(WIDTH / 2 + (x - cx) * scale, 1), round(HEIGHT / 2 - (y - cy) * scale, 1)

    if you is not None:  # the participant's own point widens the frame if it falls outside the clusters
        xs, ys = [*xs, you[0]], [*ys, you[1]]
        span_x = max(max(xs) - min(xs), 1e-9)
        span_y = max(max(ys) - min(ys), 1e-9)
        scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)
        cx = (max(xs) + min(xs)) / 2
        cy = (max(ys) + min(ys)) / 2
        xs, ys = base["x"], base["y"]
    biggest = max(len(m) for m in members)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="opinion-map" '
        f'aria-labelledby="map-title"><title id="map-title">{escape(_("Opinion map: each circle is a cluster of participants who voted alike; the bigger the circle, the more people. Colours are opinion groups."))}</title>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<line x1="{PAD}" y1="{HEIGHT / 2}" x2="{WIDTH - PAD}" y2="{HEIGHT / 2}" stroke="#ddd"/>',
        f'<line x1="{WIDTH / 2}" y1="{PAD}" x2="{WIDTH / 2}" y2="{HEIGHT - PAD}" stroke="#ddd"/>',
    ]
    by_group: dict[str, list[tuple[float, float]]] = {}
    circles = []
    for x, y, m in zip(xs, ys, members, strict=True):
        gid = groups.get(str(m[0])) if m else None
        gid = None if gid is None else str(gid)
        px, py = at(x, y)
        radius = round(3 + 11 * math.sqrt(len(m) / biggest), 1)
        fill = colour.get(gid, "#999") if gid is not None else "#999"
        label = _("%(n)d people, group %(g)s") % {
            "n": len(m),
            "g": letter.get(gid, "-") if gid is not None else "-",
        }
        circles.append(
            f'<circle cx="{px}" cy="{py}" r="{radius}" fill="{fill}" fill-opacity=".75" stroke="#333" '
            f'stroke-width=".5"><title>{escape(label)}</title></circle>'
        )
        if gid is not None:
            by_group.setdefault(gid, []).append((px, py))
    for gid, pts in by_group.items():
        hull = _hull(pts)
        if len(hull) >= 3:
            path = " ".join(f"{x},{y}" for x, y in hull)
            parts.append(
                f'<polygon points="{path}" fill="{colour[gid]}" fill-opacity=".12" stroke="{colour[gid]}" '
                f'stroke-width="2" stroke-linejoin="round"/>'
            )
    parts.extend(circles)
    for gid, pts in by_group.items():
        mx = sum(p[0] for p in pts) / len(pts)
        my = min(p[1] for p in pts) - 16
        parts.append(
            f'<text x="{round(mx, 1)}" y="{round(max(my, 14), 1)}" font-size="16" font-weight="bold" '
            f'text-anchor="middle" fill="{colour[gid]}" font-family="sans-serif">{letter[gid]}</text>'
        )
    if you is not None:
        yx, yy = at(*you)
        parts.append(
            f'<g class="you"><circle cx="{yx}" cy="{yy}" r="7" fill="none" stroke="#000" stroke-width="3"/>'
            f'<text x="{yx}" y="{round(yy + 22, 1)}" font-size="14" font-weight="bold" text-anchor="middle" '
            f'font-family="sans-serif">{escape(_("You"))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


# --- PDF ---------------------------------------------------------------------------------------------

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def pdf_bytes(view: ReportView) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("body", "", str(regular))
        pdf.add_font("body", "B", str(bold))
        family = "body"

        def clean(text: str) -> str:
            return text

    else:  # the core fonts only know Latin-1
        family = "helvetica"

        def clean(text: str) -> str:
            return text.encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    width = pdf.epw

    def heading(text: str, size: int = 13) -> None:
        pdf.set_font(family, "B", size)
        pdf.multi_cell(width, 7, clean(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)

    def para(text: str, size: int = 10) -> None:
        pdf.set_font(family, "", size)
        pdf.multi_cell(width, 5, clean(text), new_x="LMARGIN", new_y="NEXT")

    def statement(item: Line) -> None:
        figures = _("%(a)d%% agree, %(d)d%% disagree (%(n)d voted)") % {
            "a": item.agree,
            "d": item.disagree,
            "n": item.seen,
        }
        para(f"#{item.number}  {item.text}")
        pdf.set_text_color(90, 90, 90)
        para("      " + figures, 9)
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1)

    heading(view.conversation.title, 16)
    if not view.ready:
        para(view.message)
        return bytes(pdf.output())
    para(
        _("%(p)d participants, %(c)d in the opinion map, %(s)d statements, %(g)d opinion groups.")
        % {"p": view.participants, "c": view.in_conv, "s": view.statements, "g": len(view.groups)}
    )
    if view.svg:
        pdf.ln(2)
        pdf.image(BytesIO(view.svg.encode()), w=width * 0.8, x=pdf.l_margin + width * 0.1)
        pdf.ln(2)
    for group in view.groups:
        heading(_("Group %(g)s: %(n)d people") % {"g": group.letter, "n": group.size})
        para(_("What sets this group apart:"), 9)
        for item in group.lines:
            statement(item)
    heading(_("Common ground: most people agree"))
    for item in view.consensus_agree or []:
        statement(item)
    if not view.consensus_agree:
        para(_("None yet."))
    heading(_("Common ground: most people disagree"))
    for item in view.consensus_disagree:
        statement(item)
    if not view.consensus_disagree:
        para(_("None yet."))
    heading(_("Where the groups differ most"))
    for item in view.divisive:
        statement(item)
    if not view.divisive:
        para(_("None yet."))
    return bytes(pdf.output())
