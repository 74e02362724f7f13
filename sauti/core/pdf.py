"""The one PDF stack (fpdf2): a page with Unicode fonts when the system has them, and the county map drawn
from counts the caller computes. Evidence bundles, petitions and memoranda draw on it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF

from django.utils.translation import gettext as _

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# fpdf2 subsets fonts through fontTools, which logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)
SHADES = [(241, 238, 246), (212, 185, 218), (201, 148, 199), (223, 101, 176), (221, 28, 119), (152, 0, 67)]


class Summary(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.title_text = title
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists() and (FONT_DIR / "DejaVuSans-Bold.ttf").exists()
        if self.unicode:
            self.add_font("body", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)

    def font(self, size: float, bold: bool = False) -> None:
        self.set_font("body" if self.unicode else "helvetica", "B" if bold else "", size)

    def text_of(self, value: object) -> str:
        text = str(value)
        # Without a Unicode font the core fonts take Latin-1 only.
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def line(self, text: object, size: float = 9, bold: bool = False, height: float = 5) -> None:  # type: ignore[override]
        self.font(size, bold)
        self.multi_cell(0, height, self.text_of(text), new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.font(7)
        self.cell(0, 5, self.text_of(f"{self.title_text} — {self.page_no()}"), align="C")


def county_map(
    pdf: Summary,
    counts: Mapping[Any, int],
    boundaries: Mapping[str, Any],
    bands: Sequence[int],
    points: Iterable[tuple[float, float]],
) -> None:
    """Kenya's counties shaded by `counts` (county code -> cases; `bands`: the classes' lower bounds), each
    (lat, lon) in `points` as a dot, and a legend of the counties with the most."""
    if pdf.get_y() > 150:
        pdf.add_page()
    pdf.line(_("Map: cases per county, and each located case"), 12, True, 7)
    # Kenya's extent, with an equirectangular projection (good enough near the equator).
    west, east, south, north = 33.8, 42.0, -4.8, 5.1
    x0, y0, width = pdf.l_margin, pdf.get_y() + 2, 110.0
    height = width * (north - south) / (east - west)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return x0 + (lon - west) / (east - west) * width, y0 + (north - lat) / (north - south) * height

    pdf.set_line_width(0.15)
    pdf.set_draw_color(120, 120, 120)
    for feature in boundaries["features"]:
        n = counts.get(feature["properties"]["code"], 0)
        level = 0 if n == 0 else min(len(SHADES) - 1, 1 + sum(1 for b in bands if n > b))
        pdf.set_fill_color(*SHADES[level])
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        for polygon in polygons:
            pdf.polygon([xy(lon, lat) for lon, lat in polygon[0]], style="DF")
    pdf.set_fill_color(20, 20, 20)
    for lat, lon in points:
        x, y = xy(lon, lat)
        pdf.circle(x, y, 0.9, style="F")
    legend_x = x0 + width + 6
    pdf.set_xy(legend_x, y0)
    pdf.font(8, True)
    pdf.cell(0, 5, pdf.text_of(_("Cases per county")), new_x="LEFT", new_y="NEXT")
    pdf.font(8)
    for name, n in sorted(((f["properties"]["name"], counts.get(f["properties"]["code"], 0))
                           for f in boundaries["features"]), key=lambda p: -p[1])[:12]:  # fmt: skip
        if n:
            pdf.set_x(legend_x)
            pdf.cell(0, 4.5, pdf.text_of(f"{name}: {n}"), new_x="LEFT", new_y="NEXT")
    pdf.set_y(y0 + height + 4)
