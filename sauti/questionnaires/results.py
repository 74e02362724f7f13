"""Results of a questionnaire: counts and percentages per question, histograms, ward tables, cross-tabs,
and the SVG drawings (bars, histogram, point map) — all server-side, no JavaScript.

Without filters the counts come from `AnswerCount` (a few hundred rows whatever the number of
submissions); with filters (dates, ward, a select answer) the matching submissions are read once.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sauti.places.models import Ward
from sauti.questionnaires.models import AnswerCount, FormVersion, Questionnaire, Submission
from sauti.questionnaires.repeats import holders, nested, parents

CHOICE_TYPES = ("select_one", "select_multiple")
NUMBER_TYPES = ("integer", "decimal")
HISTOGRAM_BINS = 8
MAX_MAP_POINTS = 3000


def label_of(q: Mapping[str, Any], lang: str) -> str:
    labels = q.get("label") or {}
    return str(labels.get(lang) or labels.get("") or next(iter(labels.values()), "") or q.get("name", ""))


def group_label(spec: Mapping[str, Any], name: str, lang: str) -> str:
    """A group's or repeat's label (forms imported before labels were kept: its name)."""
    return label_of({"label": spec.get("groups", {}).get(name) or {}, "name": name}, lang)


def instances(answers: Mapping[str, Any], q: Mapping[str, Any]) -> list[Any]:
    """The answers to `q` (one; or one per entry of its repeat group, at any depth, those given)."""
    if not q["repeat"]:
        value = answers.get(q["name"])
        return [] if value is None else [value]
    return [v for node in holders(answers, q) if (v := node.get(q["name"])) is not None]


def counted_in_repeat(q: Mapping[str, Any]) -> bool:
    """Selects inside a repeat are counted per instance (the other questions of a repeat are not)."""
    return bool(q["repeat"]) and q["type"] in CHOICE_TYPES


def choice_label(spec: Mapping[str, Any], list_name: str, name: str, lang: str) -> str:
    for c in spec.get("choices", {}).get(list_name, []):
        if c["name"] == name:
            return label_of(c, lang)
    return name


def value_label(spec: Mapping[str, Any], q: Mapping[str, Any], value: Any, lang: str) -> str:
    if q["type"] == "select_one":
        return choice_label(spec, q["list"], str(value), lang)
    if q["type"] == "select_multiple" and isinstance(value, list):
        return ", ".join(choice_label(spec, q["list"], str(v), lang) for v in value)
    if isinstance(value, dict) and "lat" in value:
        return f"{value['lat']:.5f} {value['lon']:.5f}"
    return str(value)


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    ward_id: int | None = None
    question: str = ""
    value: str = ""

    @property
    def any(self) -> bool:
        return bool(self.since or self.until or self.ward_id or (self.question and self.value))

    def as_query(self) -> dict[str, str]:
        out = {}
        if self.since:
            out["since"] = self.since.isoformat()
        if self.until:
            out["until"] = self.until.isoformat()
        if self.ward_id:
            out["ward"] = str(self.ward_id)
        if self.question and self.value:
            out["q"], out["v"] = self.question, self.value
        return out


@dataclass
class Line:
    value: str
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    name: str
    label: str
    kind: str
    answered: int
    lines: list[Line]
    chart: SafeString


@dataclass
class Results:
    form: Questionnaire
    version: FormVersion
    submissions: int
    questions: list[QuestionResult]
    wards: list[tuple[str, int, float]]
    flagged: int


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(form: Questionnaire, f: Filters) -> QuerySet[Submission]:
    qs = Submission.objects.filter(questionnaire=form)
    if f.since:
        qs = qs.filter(received_at__gte=_midnight(f.since))
    if f.until:
        qs = qs.filter(received_at__lt=_midnight(f.until + timedelta(days=1)))
    if f.ward_id:
        qs = qs.filter(ward_id=f.ward_id)
    return qs


def _matches(answers: Mapping[str, Any], f: Filters) -> bool:
    if not (f.question and f.value):
        return True
    got = answers.get(f.question)
    return f.value in got if isinstance(got, list) else str(got) == f.value if got is not None else False


def _counts_from_rows(version: FormVersion, rows: Iterable[tuple[dict[str, Any], int | None]], f: Filters) -> tuple[int, dict[str, Counter[str]]]:  # fmt: skip
    counted = [
        q
        for q in version.spec["questions"]
        if q["type"] in (*CHOICE_TYPES, *NUMBER_TYPES, "date") and (not q["repeat"] or counted_in_repeat(q))
    ]
    counts: dict[str, Counter[str]] = {q["name"]: Counter() for q in counted}
    answered: Counter[str] = Counter()
    wards: Counter[str] = Counter()
    total = 0
    flat = any(parents(version.spec).values())
    for stored, ward_id in rows:
        if not _matches(stored, f):
            continue
        # Inner repeats stored flat by the older web page are read inside their parent's entry.
        answers = nested(version.spec, stored) if flat else stored
        total += 1
        wards[str(ward_id or "")] += 1
        for q in counted:
            for value in instances(answers, q):
                answered[q["name"]] += 1
                for v in value if isinstance(value, list) else [value]:
                    counts[q["name"]][str(v)] += 1
    counts["_ward"] = wards
    counts["_n"] = answered
    return total, counts


def _counts_from_rollup(form: Questionnaire) -> tuple[int, dict[str, Counter[str]]]:
    counts: dict[str, Counter[str]] = {}
    for question, value, n in AnswerCount.objects.filter(questionnaire=form).values_list(
        "question", "value", "n"
    ):
        counts.setdefault(question, Counter())[value] = n
    total = sum(counts.get("_day", Counter()).values())
    return total, counts


def raw_counts(form: Questionnaire, f: Filters) -> tuple[int, dict[str, Counter[str]]]:
    """(submissions, {question: {value: count}}), with `_ward` and `_n` (answered per question)."""
    if form.current is None:
        return 0, {}
    if not f.any:
        total, counts = _counts_from_rollup(form)
        if "_n" not in counts:
            counts["_n"] = Counter()
        return total, counts
    return _counts_from_rows(form.current, _raw_rows(filtered(form, f), ("answers", "ward_id")), f)


def _raw_rows(qs: QuerySet[Submission], fields: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """The rows of `qs.values_list(*fields)` (answers first) through a plain cursor, answers decoded once
    (Django's per-value converters cost more than the counting)."""
    sql, params = qs.values_list(*fields).query.sql_with_params()
    loads = json.loads
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(5000):
            for answers, *rest in batch:
                yield (loads(answers) if isinstance(answers, str) else answers, *rest)


def results(form: Questionnaire, f: Filters, lang: str) -> Results:
    assert form.current is not None
    version = form.current
    spec = version.spec
    total, counts = raw_counts(form, f)
    out: list[QuestionResult] = []
    for q in spec["questions"]:
        if (q["repeat"] and not counted_in_repeat(q)) or q["type"] not in (*CHOICE_TYPES, *NUMBER_TYPES):
            continue
        values = counts.get(q["name"], Counter())
        if q["type"] in CHOICE_TYPES:
            answered = counts["_n"].get(q["name"]) or (
                sum(values.values()) if q["type"] == "select_one" else total
            )
            known = [c["name"] for c in spec["choices"].get(q["list"], [])]
            order = known + sorted(set(values) - set(known))
            lines = [
                Line(
                    v,
                    choice_label(spec, q["list"], v, lang),
                    values.get(v, 0),
                    _pct(values.get(v, 0), answered),
                )
                for v in order
            ]
            chart = bars_svg([(ln.label, ln.count) for ln in lines], answered)
        else:
            answered = counts["_n"].get(q["name"]) or sum(values.values())
            lines = [Line(edge, edge, n, _pct(n, answered)) for edge, n in histogram(values)]
            chart = histogram_svg([(ln.label, ln.count) for ln in lines])
        label = label_of(q, lang)
        if q["repeat"]:
            label = f"{label} ({group_label(spec, q['repeat'], lang)})"
        out.append(QuestionResult(q["name"], label, q["type"], answered, lines, chart))
    wards = ward_table(counts.get("_ward", Counter()), total)
    flagged = (
        AnswerCount.objects.filter(questionnaire=form, question="_flag", value="1")
        .values_list("n", flat=True)
        .first()
        or 0
    )
    return Results(form, version, total, out, wards, flagged)


def _pct(n: int, of: int) -> float:
    return round(100 * n / of, 1) if of else 0.0


def histogram(values: Mapping[str, int], bins: int = HISTOGRAM_BINS) -> list[tuple[str, int]]:
    """Counts of a number question in at most `bins` equal bins. Values far outside the rest (beyond 3
    interquartile ranges: one "999999999999" sent by SMS) are counted in an "under"/"over" bin instead of
    stretching every bin; whole numbers get whole-number bins ("5–9")."""
    numbers: list[tuple[float, int]] = []
    for v, n in values.items():
        try:
            x = float(v)
        except ValueError:
            continue
        if math.isfinite(x) and n > 0:
            numbers.append((x, n))
    if not numbers:
        return []
    numbers.sort()
    lo_fence, hi_fence = _fences(numbers)
    inliers = [(x, n) for x, n in numbers if lo_fence <= x <= hi_fence]
    below = sum(n for x, n in numbers if x < lo_fence)
    above = sum(n for x, n in numbers if x > hi_fence)
    low, high = inliers[0][0], inliers[-1][0]
    out: list[tuple[str, int]] = []
    if below:
        out.append((_("under %(number)s") % {"number": _fmt(low)}, below))
    if all(x.is_integer() for x, _n in inliers):
        first, span = int(low), int(high) - int(low) + 1
        width = -(-span // bins)
        counts = [0] * -(-span // width)
        for x, n in inliers:
            counts[(int(x) - first) // width] += n
        for i, n in enumerate(counts):
            a, b = first + i * width, min(first + (i + 1) * width - 1, int(high))
            out.append((str(a) if a == b else f"{a}–{b}", n))
    elif high == low:
        out.append((_fmt(low), sum(n for _x, n in inliers)))
    else:
        width_f = (high - low) / bins
        counts = [0] * bins
        for x, n in inliers:
            counts[min(int((x - low) / width_f), bins - 1)] += n
        out += [
            (f"{_fmt(low + i * width_f)}–{_fmt(low + (i + 1) * width_f)}", counts[i]) for i in range(bins)
        ]
    if above:
        out.append((_("over %(number)s") % {"number": _fmt(high)}, above))
    return out


def _fences(numbers: list[tuple[float, int]]) -> tuple[float, float]:
    """Tukey's far-out fences (quartiles ∓ 3 IQR) of sorted (value, count) pairs; no fence when the middle
    half of the answers are all one value (then nothing can be called far out of it)."""
    total = sum(n for _x, n in numbers)

    def quantile(p: float) -> float:
        seen, target = 0, p * (total - 1)
        for x, n in numbers:
            seen += n
            if seen > target:
                return x
        return numbers[-1][0]

    q1, q3 = quantile(0.25), quantile(0.75)
    if q3 == q1:
        return -math.inf, math.inf
    return q1 - 3 * (q3 - q1), q3 + 3 * (q3 - q1)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def wards_answered(form: Questionnaire) -> list[tuple[int, str]]:
    """(id, name) of the wards the form's submissions came from (from the rollup: no scan)."""
    ids = [
        int(v)
        for v in AnswerCount.objects.filter(questionnaire=form, question="_ward", n__gt=0).values_list(
            "value", flat=True
        )
        if v
    ]
    return list(Ward.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))


def ward_table(wards: Mapping[str, int], total: int) -> list[tuple[str, int, float]]:
    ids = [int(k) for k in wards if k]
    names = dict(Ward.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = [
        (names.get(int(k), "?") if k else _("Ward not known"), n, _pct(n, total)) for k, n in wards.items()
    ]
    return sorted(rows, key=lambda r: -r[1])


def crosstab(form: Questionnaire, f: Filters, row_q: str, col_q: str, lang: str) -> dict[str, Any]:
    """Counts of submissions by the answers to two select questions (rows × columns, with totals)."""
    assert form.current is not None
    spec = form.current.spec
    by_name = {q["name"]: q for q in spec["questions"] if q["type"] in CHOICE_TYPES and not q["repeat"]}
    if row_q not in by_name or col_q not in by_name:
        raise ValueError(_("Choose two select questions of this form."))
    rq, cq = by_name[row_q], by_name[col_q]
    cells: Counter[tuple[str, str]] = Counter()
    for (answers,) in _raw_rows(filtered(form, f), ("answers",)):
        if not _matches(answers, f):
            continue
        rv, cv = answers.get(row_q), answers.get(col_q)
        if rv is None or cv is None:
            continue
        for r in rv if isinstance(rv, list) else [rv]:
            for c in cv if isinstance(cv, list) else [cv]:
                cells[(str(r), str(c))] += 1
    rows = choice_names_of(spec, rq)
    cols = choice_names_of(spec, cq)
    table = [
        {
            "label": choice_label(spec, rq["list"], r, lang),
            "cells": [cells.get((r, c), 0) for c in cols],
            "total": sum(cells.get((r, c), 0) for c in cols),
        }
        for r in rows
    ]
    return {
        "row_label": label_of(rq, lang),
        "col_label": label_of(cq, lang),
        "columns": [choice_label(spec, cq["list"], c, lang) for c in cols],
        "rows": table,
        "totals": [sum(cells.get((r, c), 0) for r in rows) for c in cols],
        "total": sum(cells.values()),
    }


def choice_names_of(spec: Mapping[str, Any], q: Mapping[str, Any]) -> list[str]:
    return [c["name"] for c in spec.get("choices", {}).get(q["list"], [])]


def contract_counts(form: Questionnaire) -> dict[str, Any]:
    """`sauti forms results --json`: submissions and {select question: {choice: count}}."""
    total, counts = raw_counts(form, Filters())
    questions: dict[str, dict[str, int]] = {}
    if form.current is not None:
        for q in form.current.spec["questions"]:
            if q["type"] in CHOICE_TYPES and not q["repeat"]:
                values = counts.get(q["name"], Counter())
                questions[q["name"]] = {
                    c: values.get(c, 0) for c in choice_names_of(form.current.spec, q)
                } | {v: n for v, n in values.items() if v not in choice_names_of(form.current.spec, q)}
    return {"submissions": total, "questions": questions}


# --- SVG -----------------------------------------------------------------------------------------


def bars_svg(items: list[tuple[str, int]], of: int) -> SafeString:
    """Horizontal bars with label, count and percentage (of those who answered)."""
    if not items:
        return mark_safe("")
    top = max((n for _l, n in items), default=0) or 1
    height = 26 * len(items) + 6
    parts = [
        f'<svg class="q-chart" role="img" viewBox="0 0 520 {height}" width="520" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(_("Answers"))}</title>'
    ]
    for i, (label, n) in enumerate(items):
        y = 6 + 26 * i
        w = round(260 * n / top, 1)
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12">{escape(label[:32])}</text>'
            f'<rect x="190" y="{y}" width="{w}" height="18" fill="#2f6f4f"></rect>'
            f'<text x="{190 + w + 4}" y="{y + 14}" font-size="12">{n} ({_pct(n, of)}%)</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text escaped above)


def histogram_svg(items: list[tuple[str, int]]) -> SafeString:
    if not items:
        return mark_safe("")
    top = max(n for _l, n in items) or 1
    width = 60 * len(items)
    parts = [
        f'<svg class="q-chart" role="img" viewBox="0 0 {width} 170" width="{width}" height="170" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(_("Histogram"))}</title>'
    ]
    for i, (label, n) in enumerate(items):
        h = round(120 * n / top, 1)
        x = 60 * i
        parts.append(
            f'<rect x="{x + 4}" y="{130 - h}" width="52" height="{h}" fill="#2f6f4f"></rect>'
            f'<text x="{x + 30}" y="{126 - h}" font-size="11" text-anchor="middle">{n}</text>'
            f'<text x="{x + 30}" y="148" font-size="10" text-anchor="middle">{escape(label[:14])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text escaped above)


def points_svg(points: list[tuple[float, float]]) -> SafeString:
    """The located submissions as dots on a plain latitude/longitude frame (bounding box of the points)."""
    if not points:
        return mark_safe("")
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    span = max(north - south, east - west, 0.01)
    parts = [
        '<svg class="q-map" role="img" viewBox="0 0 400 400" width="400" height="400" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(_("Map of answers with a location"))}</title>'
        '<rect x="0" y="0" width="400" height="400" fill="#eef3ee"></rect>'
    ]
    for lat, lon in points[:MAX_MAP_POINTS]:
        x = 10 + 380 * (lon - west) / span
        y = 390 - 380 * (lat - south) / span
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#b3261e" fill-opacity="0.6"></circle>')
    parts.append(
        f'<text x="6" y="14" font-size="11">{north:.4f}, {west:.4f}</text>'
        f'<text x="6" y="396" font-size="11">{south:.4f}</text></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 (numbers only)


def map_points(form: Questionnaire, f: Filters) -> list[tuple[float, float]]:
    qs = filtered(form, f).filter(lat__isnull=False, lon__isnull=False)
    points: list[tuple[float, float]] = []
    for answers, lat, lon in qs.values_list("answers", "lat", "lon")[: MAX_MAP_POINTS * 3].iterator():
        if lat is not None and lon is not None and _matches(answers, f):
            points.append((lat, lon))
            if len(points) >= MAX_MAP_POINTS:
                break
    return points
