"""Server-rendered SVG charts: the geometry is computed here and drawn by `insights/_chart_*.html`.

Every chart carries its numbers (a table, or the figure beside each bar), a title and a description, so
it reads without JavaScript, on a slow phone and with a screen reader. Colours are CSS classes (map.css),
never inline styles, because the Content-Security-Policy forbids those.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 20, 44
MAX_X_LABELS = 12
# Bars wider than this many columns lose their figures on top (the table below still has them).
MAX_TOP_FIGURES = 24


def series_class(key: str) -> str:
    """A stable colour per top-level category, whatever else is on the chart."""
    try:
        return f"s{TOP_LEVEL_KEYS.index(key)}"
    except ValueError:
        return f"s{len(TOP_LEVEL_KEYS)}"


@dataclass(frozen=True, slots=True)
class Series:
    key: str
    label: str
    values: Sequence[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    css: str
    tip: str


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    axis: str  # short label under the bar ("Mar")
    sub: str  # a second line where it changes ("2025")
    total: int
    x: float  # centre of the bar
    figure_y: float  # where the column's total is written, just above the stack
    show_label: bool
    show_total: bool
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True, slots=True)
class Row:
    css: str
    label: str
    values: tuple[int, ...]
    total: int


@dataclass
class StackedChart:
    id: str
    title: str
    description: str
    labels: list[str]
    rows: list[Row]
    columns: list[Column] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    column_totals: list[int] = field(default_factory=list)
    total: int = 0
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - BOTTOM + 16
    sub_y: int = HEIGHT - BOTTOM + 32
    tick_x: int = LEFT - 6


def nice_ceiling(top: int, ticks: int = 4) -> tuple[int, int]:
    """(axis maximum, step): a round step (1, 2 or 5 × 10^k) so that about `ticks` steps cover `top`."""
    if top <= 0:
        return 1, 1
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return step * math.ceil(top / step), step


def stacked_bars(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    axis: Sequence[tuple[str, str]] = (),
) -> StackedChart:
    """One bar per label, stacked by series (largest series at the bottom).

    `axis` gives each bar a short label and an optional second line (month and year) for the x axis;
    `labels` (in full) go in the table and the tooltips.
    """
    ordered = sorted((s for s in series if s.total), key=lambda s: (-s.total, s.key))
    n = len(labels)
    column_totals = [sum(s.values[i] for s in ordered) for i in range(n)]
    chart = StackedChart(
        chart_id,
        title,
        description,
        list(labels),
        [Row(series_class(s.key), s.label, tuple(s.values), s.total) for s in ordered],
        column_totals=column_totals,
        total=sum(column_totals),
    )
    if not n:
        return chart
    axis_max, step = nice_ceiling(max(column_totals))
    plot_height = chart.baseline - TOP
    scale = plot_height / axis_max
    chart.ticks = [Tick(round(chart.baseline - v * scale, 2), v) for v in range(0, axis_max + 1, step)]
    slot = (chart.right - chart.left) / n
    bar = slot * 0.72
    every = math.ceil(n / MAX_X_LABELS)
    for i, label in enumerate(labels):
        x = chart.left + slot * i + (slot - bar) / 2
        y = float(chart.baseline)
        segments = []
        for s in ordered:
            value = s.values[i]
            if not value:
                continue
            height = value * scale
            y -= height
            segments.append(
                Segment(
                    round(x, 2),
                    round(y, 2),
                    round(bar, 2),
                    round(height, 2),
                    series_class(s.key),
                    f"{s.label}, {label}: {value}",
                )
            )
        chart.columns.append(
            Column(
                label,
                axis[i][0] if i < len(axis) else label,
                axis[i][1] if i < len(axis) else "",
                column_totals[i],
                round(x + bar / 2, 2),
                round(y - 4, 2),
                show_label=i % every == 0,
                show_total=n <= MAX_TOP_FIGURES and column_totals[i] > 0,
                segments=tuple(segments),
            )
        )
    return chart


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: int | float  # a count, or a score shown as counted (62.5)
    percent: float  # of the largest bar
    href: str = ""
    extra: int | None = None  # a second figure (reports beside cases)
    css: str = ""


@dataclass
class BarChart:
    id: str
    title: str
    bars: list[Bar]
    total: int
    value_label: str
    extra_label: str = ""


def bar_chart(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    value_label: str,
    hrefs: Sequence[str] = (),
    extras: Sequence[int] = (),
    extra_label: str = "",
    classes: Sequence[str] = (),
) -> BarChart:
    """Horizontal bars, one per (label, value), in the order given, each with its figure."""
    top = max((v for _label, v in items), default=0) or 1
    bars = [
        Bar(
            label,
            value,
            round(100 * value / top, 1),
            hrefs[i] if i < len(hrefs) else "",
            extras[i] if i < len(extras) else None,
            classes[i] if i < len(classes) else "",
        )
        for i, (label, value) in enumerate(items)
    ]
    return BarChart(chart_id, title, bars, sum(v for _label, v in items), value_label, extra_label)
