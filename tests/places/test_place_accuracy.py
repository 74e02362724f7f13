"""Place resolution for an organisation's area, measured on a labelled set (issue 16).

`labelled_places.csv` (written by `bench/make_labelled_places.py` from hand-labelled cases): a place as
people write it, typed into a form or inside an SMS (Kiswahili, English, Sheng), the area of the
organisation receiving it, and what should happen: placed in a ward (`ward:`), in the right constituency
where no source knows the ward (`const:`), in the county only (`county:`), or the sender asked (`ask`).
`pytest -s tests/places/test_place_accuracy.py` prints the figures quoted in docs/places.md.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from sauti.conversations.reading import analyse
from sauti.conversations.services import place_in_message
from sauti.places.matching import Area, PlaceCandidate, Resolution
from sauti.places.services import extract_places, resolve_place

DATA = Path(__file__).with_name("labelled_places.csv")

# Measured (see the printed table and docs/places.md) and set a little below.
FLOORS = {"ward": 0.95, "constituency": 0.95, "county": 0.95, "asked": 0.95, "not_asked": 0.98}


@dataclass(frozen=True)
class Row:
    text: str
    mode: str
    language: str
    area: Area
    expect: str
    note: str


def load() -> list[Row]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return [
            Row(
                r["text"],
                r["mode"],
                r["language"],
                Area(counties=frozenset(int(c) for c in r["area"].split("|") if c)),
                r["expect"],
                r["note"],
            )
            for r in csv.DictReader(f)
        ]


def outcome(row: Row) -> Resolution:
    if row.mode == "typed":
        return resolve_place(row.text, row.area)
    area = row.area

    def finder(text: str, *, county_code: int | None = None) -> Sequence[PlaceCandidate]:
        return extract_places(text, county_code=county_code, area=area)

    return place_in_message(analyse(row.text, place_finder=finder), row.area)


def right(row: Row, got: Resolution) -> bool:
    kind, _, code = row.expect.partition(":")
    if kind == "ask":
        return got.ambiguous
    place = got.place
    if got.ambiguous or place is None:
        return False
    return {
        "ward": place.ward_code,
        "const": place.constituency_code,
        "county": place.county_code,
    }[kind] == int(code)


def scores(rows: Sequence[Row], results: Sequence[Resolution]) -> dict[str, tuple[int, int]]:
    def tally(kind: str) -> tuple[int, int]:
        pairs = [(r, g) for r, g in zip(rows, results, strict=True) if r.expect.split(":")[0] == kind]
        return sum(right(r, g) for r, g in pairs), len(pairs)

    placed = [(r, g) for r, g in zip(rows, results, strict=True) if r.expect != "ask"]
    return {
        "ward": tally("ward"),
        "constituency": tally("const"),
        "county": tally("county"),
        "asked": tally("ask"),
        "not_asked": (sum(not g.ambiguous for _, g in placed), len(placed)),
        "outside": (
            sum(
                g.place is not None and not r.area.contains(g.place) and not right(r, g)
                for r, g in placed
                if r.area
            ),
            sum(1 for r, _ in placed if r.area),
        ),
    }


def test_the_labelled_set_is_well_formed() -> None:
    rows = load()
    assert len(rows) >= 300
    assert {r.mode for r in rows} == {"typed", "sms"}
    assert {r.language for r in rows if r.mode == "sms"} == {"sw", "en", "sheng"}
    assert sum(r.expect == "ask" for r in rows) >= 40
    for r in rows:
        kind, _, code = r.expect.partition(":")
        assert kind in {"ask", "ward", "const", "county"} and (kind == "ask") == (code == ""), r


@pytest.mark.django_db
def test_place_resolution_accuracy_on_the_labelled_set() -> None:
    rows = load()
    results = [outcome(r) for r in rows]
    table = {
        mode: scores(
            [r for r in rows if r.mode in mode],
            [g for r, g in zip(rows, results, strict=True) if r.mode in mode],
        )
        for mode in ("typed", "sms", "typed sms")
    }
    print()
    for mode, figures in table.items():
        print(mode, {k: f"{a}/{n} = {a / n:.3f}" if n else "-" for k, (a, n) in figures.items()})
    misses = [(r, g) for r, g in zip(rows, results, strict=True) if not right(r, g)]
    for r, g in misses:
        got = "ask" if g.ambiguous else (g.place and (g.place.name, g.place.ward_code, g.place.county_code))
        print(f"  miss [{r.mode}] {r.text!r} area={sorted(r.area.counties)} expect={r.expect} got={got}")
    overall = table["typed sms"]
    for metric, floor in FLOORS.items():
        hit, n = overall[metric]
        assert n and hit / n >= floor, (metric, hit, n)
    assert overall["outside"][0] == 0  # never placed outside the area when the truth is elsewhere
