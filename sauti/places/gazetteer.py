"""The gazetteer files shipped in `data/`, read into plain records (no Django, no database).

Also resolves each ward boundary polygon to its ward. The polygons carry the IEBC *shapefile* code, whose
name disagrees with the IEBC listing we follow for 49 codes (swaps inside a constituency, codes moved to
another constituency, renames), so a polygon is matched by name within its county, not trusted by code.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from sauti.places.matching import normalize

DATA_DIR = Path(__file__).resolve().parent / "data"

SETTLEMENT_SOURCES = ("kyc", "aoi", "kisip", "sauti")
LEVELS = ("counties", "constituencies", "wards")


@dataclass(frozen=True, slots=True)
class CountyRow:
    code: int
    name: str
    iso_3166_2: str
    capital: str
    population_2019: int | None
    gaithoben_name: str


@dataclass(frozen=True, slots=True)
class ConstituencyRow:
    code: int
    name: str
    county_code: int


@dataclass(frozen=True, slots=True)
class SubCountyRow:
    code: str
    name: str
    county_code: int


@dataclass(frozen=True, slots=True)
class WardRow:
    code: int
    name: str
    constituency_code: int
    county_code: int
    sub_county: str
    code_agreement: str
    # gaithoben's centre of the polygon that carries this *code* in the shapefile (0,0 read as missing).
    centroid_lat: float | None
    centroid_lon: float | None


@dataclass(frozen=True, slots=True)
class Boundary:
    code: int
    name: str
    constituency_code: int | None
    county_code: int
    geometry: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SettlementRow:
    source: str
    source_ref: str
    name: str
    county_code: int
    lat: float | None
    lon: float | None
    population: int | None

    @property
    def key(self) -> str:
        return f"{self.source}:{self.source_ref}"


@dataclass(frozen=True, slots=True)
class CuratedRow:
    """A row of villages.csv: a new settlement (key "sauti:...") or our placement of a source row."""

    key: str
    name: str
    parent: str
    county_code: int
    constituency_code: int | None
    ward_code: int | None
    placement: str
    aliases: tuple[str, ...]
    source: str  # what the placement rests on: iebc (a named ward), kyc, aoi, wikipedia, sauti (ours)
    note: str


@dataclass(frozen=True, slots=True)
class AliasRow:
    kind: str
    code: str
    alias: str
    source: str  # where the name is used: iso, iebc, aoi, sauti (our curation)
    note: str


@dataclass(frozen=True, slots=True)
class PolygonMatch:
    shapefile_code: int
    shapefile_name: str
    ward_code: int
    method: str  # "name" (same normalised words), "fuzzy" (spelling), "code" (rename: kept by code)


def _rows(relative: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / relative).open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _int(value: str) -> int | None:
    value = value.strip()
    return int(float(value)) if value else None


def _float(value: str) -> float | None:
    value = value.strip()
    return float(value) if value else None


def _nonzero(value: str) -> float | None:
    number = _float(value)
    return None if number == 0 else number


def slug(text: str) -> str:
    return normalize(text).replace(" ", "-")


def display_name(published: str) -> str:
    """Tidy a name as published: collapse spaces, and title-case shouted words ("JAM CITY" -> "Jam City")."""
    words = published.split()
    if len(words) == 1 and len(words[0]) <= 3:
        return words[0]  # an acronym: "KMC"
    return " ".join(w.title() if w.isupper() and len(w) >= 3 else w for w in words)


_ROMAN_WORD = re.compile(r"(?<=\s)(I{1,3}|Iv|Vi{0,3})\b", re.IGNORECASE)


def tidy_ward_name(name: str) -> str:
    """kenya-data title-cases Roman numerals ("Umoja Ii", "Dandora Area Iii"); write them as numerals."""
    return _ROMAN_WORD.sub(lambda m: m.group(0).upper(), name.strip())


def counties() -> list[CountyRow]:
    return [
        CountyRow(
            code=int(r["county_code"]),
            name=r["county_name"].strip(),
            iso_3166_2=r["iso_3166_2"].strip(),
            capital=r["capital"].strip(),
            population_2019=_int(r["population_2019"]),
            gaithoben_name=r["gaithoben_name"].strip(),
        )
        for r in _rows("counties.csv")
    ]


def constituencies() -> list[ConstituencyRow]:
    return [
        ConstituencyRow(int(r["constituency_code"]), r["constituency_name"].strip(), int(r["county_code"]))
        for r in _rows("constituencies.csv")
    ]


def sub_counties() -> list[SubCountyRow]:
    return [
        SubCountyRow(
            r["sub_county_code_kenya_data"].strip(), r["sub_county_name"].strip(), int(r["county_code"])
        )
        for r in _rows("sub_counties_knbs.csv")
    ]


def wards() -> list[WardRow]:
    return [
        WardRow(
            code=int(r["ward_code"]),
            name=tidy_ward_name(r["ward_name"]),
            constituency_code=int(r["constituency_code"]),
            county_code=int(r["county_code"]),
            sub_county=r["sub_county"].strip(),
            code_agreement=r["code_agreement"].strip(),
            centroid_lat=_nonzero(r["centroid_lat"]),
            centroid_lon=_nonzero(r["centroid_lon"]),
        )
        for r in _rows("wards.csv")
    ]


def boundaries(level: str) -> list[Boundary]:
    """Simplified boundary polygons (GeoJSON geometry mappings) keyed by the shapefile's codes."""
    if level not in LEVELS:
        raise ValueError(f"unknown boundary level {level!r}")
    path = DATA_DIR / "boundaries" / f"{level}_simplified.geojson.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        collection = json.load(handle)
    code_key, name_key = {
        "counties": ("county_code", "county_name"),
        "constituencies": ("constituency_code", "constituency_name"),
        "wards": ("ward_code", "ward_name"),
    }[level]
    out: list[Boundary] = []
    for feature in collection["features"]:
        props = feature["properties"]
        out.append(
            Boundary(
                code=int(props[code_key]),
                name=" ".join(str(props[name_key]).split()),
                constituency_code=int(props["constituency_code"]) if "constituency_code" in props else None,
                county_code=int(props["county_code"]),
                geometry=feature["geometry"],
            )
        )
    return out


def settlements() -> list[SettlementRow]:
    """Settlements from the three published sources, each with a stable reference inside its source."""
    out: list[SettlementRow] = []
    seen: Counter[str] = Counter()
    for r in _rows("settlements/kyc_settlements_kenya.csv"):
        base = f"{slug(r['city'])}/{slug(r['settlement'])}"
        seen[base] += 1
        ref = base if seen[base] == 1 else f"{base}-{seen[base]}"  # "Milimani" twice in Nairobi
        out.append(
            SettlementRow(
                "kyc",
                ref,
                display_name(r["settlement"]),
                int(r["county_code"]),
                _float(r["point_lat"]),
                _float(r["point_lon"]),
                _int(r["population"]),
            )
        )
    for r in _rows("settlements/atlas_of_informality_kenya_points.csv"):
        out.append(
            SettlementRow(
                "aoi",
                slug(r["name_as_published"]),
                display_name(r["name_as_published"]),
                int(r["county_code"]),
                _float(r["lat"]),
                _float(r["lon"]),
                None,
            )
        )
    for r in _rows("settlements/kisip_settlements.csv"):
        out.append(
            SettlementRow(
                "kisip",
                r["kisip_id"].strip(),
                display_name(r["settlement"]),
                int(r["county_code"]),
                None,
                None,
                None,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class PointRow:
    """A row of settlements/settlement_points.csv: a settlement's point from an open source (Wikipedia)."""

    key: str
    name: str
    county_code: int
    lat: float
    lon: float
    accepted: bool  # False: the point lies outside the settlement's county or constituency (kept, with why)
    ward_from_point: bool  # False: the settlement spans wards, so the point must not choose one
    source: str
    licence: str
    url: str
    note: str


def settlement_points() -> list[PointRow]:
    out = []
    for r in _rows("settlements/settlement_points.csv"):
        status, from_point = r["status"].strip(), r["ward_from_point"].strip()
        if status not in ("accepted", "rejected") or from_point not in ("yes", "no"):
            raise ValueError(f"settlement_points.csv: {r['key']}: status or ward_from_point is not valid")
        out.append(
            PointRow(
                key=r["key"].strip(),
                name=r["name"].strip(),
                county_code=int(r["county_code"]),
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                accepted=status == "accepted",
                ward_from_point=from_point == "yes",
                source=r["source"].strip(),
                licence=r["licence"].strip(),
                url=r["url"].strip(),
                note=r["note"].strip(),
            )
        )
    return out


def curated_settlements() -> list[CuratedRow]:
    return [
        CuratedRow(
            key=r["key"].strip(),
            name=r["name"].strip(),
            parent=r["parent"].strip(),
            county_code=int(r["county_code"]),
            constituency_code=_int(r["constituency_code"]),
            ward_code=_int(r["ward_code"]),
            placement=r["placement"].strip(),
            aliases=tuple(a.strip() for a in r["aliases"].split("|") if a.strip()),
            source=r["source"].strip(),
            note=r["note"].strip(),
        )
        for r in _rows("villages.csv")
    ]


def aliases() -> list[AliasRow]:
    return [
        AliasRow(
            r["kind"].strip(), r["code"].strip(), r["alias"].strip(), r["source"].strip(), r["note"].strip()
        )
        for r in _rows("aliases.csv")
    ]


def common_words() -> list[str]:
    text = (DATA_DIR / "common_words.txt").read_text(encoding="utf-8")
    return [w for line in text.splitlines() for w in [line.split("#", 1)[0].strip()] if w]


# Polygon -> ward ------------------------------------------------------------------------------------


def _name_key(name: str) -> str:
    return " ".join(sorted(normalize(name).split()))


def name_similarity(a: str, b: str) -> float:
    na, nb = normalize(a), normalize(b)
    if na.replace(" ", "") == nb.replace(" ", "") or sorted(na.split()) == sorted(nb.split()):
        return 100.0
    return float(max(fuzz.ratio(na, nb), fuzz.token_sort_ratio(na, nb)))


def resolve_ward_polygons(
    ward_rows: Sequence[WardRow], polygons: Sequence[Boundary], *, threshold: float = 80.0
) -> dict[int, PolygonMatch]:
    """Map each polygon (by shapefile code) to the IEBC-listing ward it outlines.

    1. Same words as a ward of the polygon's county -> that ward (a ward of the polygon's own
       constituency first: "Township" repeats inside Kiambu).
    2. Otherwise the most similar name in the county, if at least `threshold` and more similar than the
       ward listed under the polygon's own code (Kapchok -> 653 Kapckok).
    3. Otherwise the ward with the polygon's code: a rename (Hirimani -> 97 Bura, Githiga -> 813 Kinamba).
    Raises ValueError if two polygons claim one ward: the files changed and need a look.
    """
    by_county: dict[int, list[WardRow]] = {}
    by_key: dict[tuple[int, str], list[WardRow]] = {}
    for ward in ward_rows:
        by_county.setdefault(ward.county_code, []).append(ward)
        by_key.setdefault((ward.county_code, _name_key(ward.name)), []).append(ward)
        by_key.setdefault((ward.county_code, normalize(ward.name).replace(" ", "")), []).append(ward)
    by_code = {w.code: w for w in ward_rows}
    out: dict[int, PolygonMatch] = {}
    for poly in polygons:
        own = by_code.get(poly.code)
        if own is not None and own.county_code != poly.county_code:
            own = None
        same = by_key.get((poly.county_code, _name_key(poly.name))) or by_key.get(
            (poly.county_code, normalize(poly.name).replace(" ", ""))
        )
        if same:
            ward = min(
                same, key=lambda w: (w.constituency_code != poly.constituency_code, w.code != poly.code)
            )
            out[poly.code] = PolygonMatch(poly.code, poly.name, ward.code, "name")
            continue
        scored = [(name_similarity(poly.name, w.name), w) for w in by_county.get(poly.county_code, [])]
        best_score, best = max(scored, key=lambda sw: (sw[0], sw[1] is own), default=(0.0, None))
        own_score = name_similarity(poly.name, own.name) if own is not None else -1.0
        if best is not None and best_score >= threshold and (best_score > own_score or best is own):
            out[poly.code] = PolygonMatch(poly.code, poly.name, best.code, "fuzzy")
        elif own is not None:
            out[poly.code] = PolygonMatch(poly.code, poly.name, own.code, "code")
        else:
            raise ValueError(
                f"ward polygon {poly.code} {poly.name!r} matches no ward of county {poly.county_code}"
            )
    claimed = Counter(m.ward_code for m in out.values())
    doubles = sorted(code for code, n in claimed.items() if n > 1)
    if doubles:
        raise ValueError(f"several polygons resolve to wards {doubles}")
    return out
