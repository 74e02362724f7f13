"""A project's published location ("TONONOKA WARD- MVITA SUB COUNTY", "BOMU") -> its ward, through the gazetteer.

Only a location that names a ward as a ward ("<name> WARD …") and whose name is exactly one ward of the county
is matched automatically. Anything else (a stadium, a sub-county, a facility whose name is also a ward's) is
left for a coordinator to choose, with the gazetteer's candidates, best first: a wrong ward would put a
project's money in the wrong place on the scorecard, a missing one only asks a question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sauti.budgets.cob import fix_kerning, fold
from sauti.places.services import find_places

WARD_WORD = re.compile(r"^(?P<name>.+?)\s+WARD\b", re.IGNORECASE)
COUNTY_WIDE = re.compile(r"^(?P<name>.+?)\s+COUNTY\s*$", re.IGNORECASE)
SUB_COUNTY = re.compile(r"\bSUB[\s-]*COUNTY\b", re.IGNORECASE)
MAX_CANDIDATES = 6


@dataclass
class Resolution:
    match: str  # WardMatch value
    ward_code: int | None = None
    candidates: list[dict[str, object]] = field(default_factory=list)
    note: str = ""


def _ward_candidates(text: str, county_code: int) -> list[dict[str, object]]:
    out: dict[int, dict[str, object]] = {}
    for c in find_places(text, limit=10, county_code=county_code):
        if c.ward_code is None or c.county_code != county_code:
            continue
        code = int(c.ward_code)
        if code in out:
            continue
        via = "" if c.kind == "ward" else f"{c.kind}: {c.name}"
        out[code] = {
            "code": code,
            "name": c.ward_name or c.name,
            "score": round(float(c.score), 2),
            "via": via,
        }
    return list(out.values())[:MAX_CANDIDATES]


def resolve(location: str, county_code: int, county_name: str) -> Resolution:
    text = " ".join(fix_kerning(location).split())
    if not text:
        return Resolution("asked", note="no location")
    county_wide = COUNTY_WIDE.match(text)
    if county_wide and not SUB_COUNTY.search(text) and fold(county_wide.group("name")) == fold(county_name):
        return Resolution("county", note="county-wide")
    named = WARD_WORD.match(text)
    if named:
        wanted = fold(named.group("name"))
        candidates = _ward_candidates(named.group("name"), county_code)
        exact = [c for c in candidates if fold(str(c["name"])) == wanted and not c["via"]]
        if len(exact) == 1:
            return Resolution("matched", int(str(exact[0]["code"])), candidates, "ward name")
        return Resolution("asked", None, candidates, "ward name not found")
    words = SUB_COUNTY.split(text)[0].strip(" -,") if SUB_COUNTY.search(text) else text
    return Resolution("asked", None, _ward_candidates(words, county_code), "not a ward name")
