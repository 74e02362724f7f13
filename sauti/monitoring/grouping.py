"""Which existing case a new report most likely belongs to. Pure scoring; the caller fetches candidates.

Score in [0, 1]: shared category, nearby place, close in time, similar words. A coordinator confirms or
splits every suggestion, so this aims to rank well, not to be certain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

WINDOW_DAYS = 14
THRESHOLD = 0.62


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


def distance_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    rad = math.pi / 180
    dlat, dlon = (b_lat - a_lat) * rad, (b_lon - a_lon) * rad
    h = math.sin(dlat / 2) ** 2 + math.cos(a_lat * rad) * math.cos(b_lat * rad) * math.sin(dlon / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


def place_score(a: Facts, b: Facts) -> float:
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        km = distance_km(a.lat, a.lon, b.lat, b.lon)
        if km <= 0.5:
            return 1.0
        if km <= 2:
            return 0.7
    if a.settlement_id and a.settlement_id == b.settlement_id:
        return 0.9
    if a.ward_code and a.ward_code == b.ward_code:
        return 0.75
    if a.county_code and a.county_code == b.county_code:
        return 0.2
    return 0.0


def time_score(a: Facts, b: Facts) -> float:
    if a.day is None or b.day is None:
        return 0.4
    days = abs((a.day - b.day).days)
    if days > WINDOW_DAYS:
        return 0.0
    return 1.0 - days / (WINDOW_DAYS + 1)


def score(report: Facts, case: Facts) -> float:
    if report.category_keys and case.category_keys and not (report.category_keys & case.category_keys):
        return 0.0
    category = 1.0 if report.category_keys & case.category_keys else 0.5
    text = (
        fuzz.token_set_ratio(report.text.lower(), case.text.lower()) / 100
        if report.text and case.text
        else 0.0
    )
    place = place_score(report, case)
    if place == 0.0:
        return 0.0
    return round(0.25 * category + 0.35 * place + 0.2 * time_score(report, case) + 0.2 * text, 3)
