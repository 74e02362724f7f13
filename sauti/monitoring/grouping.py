"""Whether a new report describes the same event as an open case. Pure; the caller fetches candidates.

A report joins a case only when all of these hold (issue 16; measured on tests/monitoring/labelled_pairs.csv,
figures in docs/decisions.md):

- **the same place**: the same settlement (or a village of it), the same ward, or mapped points at most
  `NEAR_KM` apart. Different wards never match on what the text says; a report or case known only to the
  county (or not at all) matches nothing.
- **a compatible category**: the same top-level category. A report without a category (an SMS the analysis
  could not classify) needs words in common with the case instead (`MIN_TEXT_ALONE`).
- **close in time**: at most `WINDOW_DAYS` between the report's day and the case's latest day. Events that
  last (a water cut, an eviction drive) keep the case's latest day moving, so a long event stays one case
  while the same trouble a month later is a new one.

Among the cases that pass, `score` ranks them (place, then time, then shared words); the reasons say why in
words (`Match.reasons`), not as a number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WINDOW_DAYS = 10
# A coordinator moving a report by hand is shown as likely the cases grouping would join over a longer
# window: she is correcting grouping, often for a report told late (review of issue 16).
MOVE_WINDOW_DAYS = 3 * WINDOW_DAYS
NEAR_KM = 1.0
MIN_TEXT_ALONE = 0.55  # token-set similarity a report without a category needs to join a case


@dataclass(frozen=True)
class Facts:
    category_keys: frozenset[str]
    ward_code: int | None
    settlement_id: int | None
    county_code: int | None
    lat: float | None
    lon: float | None
    day: date | None
    text: str
    # The settlement this one is a village of (Mathare 4A -> Mathare), so villages of one settlement meet.
    parent_settlement_id: int | None = None


@dataclass(frozen=True)
class Match:
    """Why a report belongs to a case: `place` ("settlement", "ward", "near"), `days` apart (None: a day
    unknown), the shared `category` key (None: matched on words), `km` for points, and a ranking score."""

    place: str
    days: int | None
    category: str | None
    km: float | None
    score: float


def distance_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    rad = math.pi / 180
    dlat, dlon = (b_lat - a_lat) * rad, (b_lon - a_lon) * rad
    h = math.sin(dlat / 2) ** 2 + math.cos(a_lat * rad) * math.cos(b_lat * rad) * math.sin(dlon / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def same_place(a: Facts, b: Facts) -> tuple[str, float | None] | None:
    """("settlement" | "near" | "ward", km) when the two are the same place, else None."""
    km = None
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        km = distance_km(a.lat, a.lon, b.lat, b.lon)
    different_wards = bool(a.ward_code and b.ward_code and a.ward_code != b.ward_code)
    if different_wards and not (km is not None and km <= NEAR_KM):
        # Different wards: only two mapped points next to each other (a ward boundary between them), even
        # when both name one settlement (issue 20: a typed "Mathare 4A" with GPS points in four wards).
        return None
    if a.settlement_id and b.settlement_id:
        # A settlement and its villages are one place (whatever ward the settlement's point is in); two
        # different villages are two places, even in one ward (Mathare 4A and Mathare 3C).
        if (
            a.settlement_id in (b.settlement_id, b.parent_settlement_id)
            or b.settlement_id == a.parent_settlement_id
        ):
            return "settlement", km
        return None
    if different_wards:
        return "near", km
    if km is not None and km <= NEAR_KM:
        return "near", km
    if a.ward_code and a.ward_code == b.ward_code:
        return "ward", km  # one of them is known only to the ward
    return None


ANSWER_LINE = re.compile(r"^[^:\n]{1,200}:\s+(.+)$")


def evidence(text: str) -> str:
    """What in a text says what happened. A report made from a form ("label: answer" lines under the form's
    title, issue 20) is told by its answers only: the title and the question labels are the same in every
    report of that form, so they are not evidence of one event."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    answers = [m.group(1) for m in map(ANSWER_LINE.match, lines) if m]
    return " ".join(answers) if len(answers) >= 2 else text


def text_similarity(a: Facts, b: Facts) -> float:
    left, right = evidence(a.text), evidence(b.text)
    if not left or not right:
        return 0.0
    return fuzz.token_set_ratio(left.lower(), right.lower()) / 100


def match(report: Facts, case: Facts, window_days: int = WINDOW_DAYS) -> Match | None:
    """The reasons the report describes the case's event, or None."""
    place = same_place(report, case)
    if place is None:
        return None
    days = abs((report.day - case.day).days) if report.day and case.day else None
    if days is not None and days > window_days:
        return None
    shared = report.category_keys & case.category_keys
    text = text_similarity(report, case)
    if report.category_keys and case.category_keys and not shared:
        return None
    if not shared and text < MIN_TEXT_ALONE:
        return None
    kind, km = place
    place_weight = {"settlement": 1.0, "near": 0.9, "ward": 0.7}[kind]
    time_weight = 0.5 if days is None else max(0.0, 1.0 - days / (WINDOW_DAYS + 1))
    score = round(0.5 * place_weight + 0.3 * time_weight + 0.2 * text, 3)
    return Match(kind, days, min(shared) if shared else None, km, score)


def score(report: Facts, case: Facts) -> float:
    """0 when the report is not about the case's event, else a ranking score in (0, 1]."""
    found = match(report, case)
    return found.score if found is not None else 0.0


def describe(found: Match, category_label: str = "") -> str:
    """Why, in words: "same settlement, 2 days apart, both about water"."""
    parts = [
        {
            "settlement": _("same settlement"),
            "ward": _("same ward"),
            "near": _("%(m)d m apart") % {"m": round((found.km or 0) * 1000, -1)},
        }[found.place]
    ]
    if found.days == 0:
        parts.append(_("same day"))
    elif found.days is not None:
        parts.append(ngettext("%(n)d day apart", "%(n)d days apart", found.days) % {"n": found.days})
    if found.category:
        parts.append(_("both about %(category)s") % {"category": category_label or found.category})
    else:
        parts.append(_("similar words"))
    return ", ".join(parts)
