"""Grouping measured on labelled report pairs (issue 16): precision of "same event" at the recall it gets.

`labelled_pairs.csv` (written by `bench/make_labelled_pairs.py`): two reports as a coordinator meets them
(text, place as written, category, day) and whether they describe the same event. The places go through
the same resolution as a report of a Nairobi organisation; the second report plays the case.
`pytest -s tests/monitoring/test_grouping_pairs.py` prints the figures quoted in docs/decisions.md.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import pytest

from sauti.monitoring import grouping
from sauti.places.matching import Area
from sauti.places.models import Settlement
from sauti.places.services import resolve_place

DATA = Path(__file__).with_name("labelled_pairs.csv")
NAIROBI = Area(counties=frozenset({47}))
START = date(2026, 1, 1)


def facts(
    text: str, place: str, category: str, day: int, parents: Mapping[int, int | None]
) -> grouping.Facts:
    spot = resolve_place(place, NAIROBI).place
    settlement = spot.settlement_id if spot else None
    return grouping.Facts(
        category_keys=frozenset({category} if category else set()),
        ward_code=spot.ward_code if spot else None,
        settlement_id=settlement,
        parent_settlement_id=parents.get(settlement) if settlement else None,
        county_code=spot.county_code if spot else None,
        lat=None,  # typed places: no mapped point
        lon=None,
        day=START + timedelta(days=day),
        text=text,
    )


def load() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_labelled_pairs_are_well_formed() -> None:
    rows = load()
    assert len(rows) >= 300
    assert sum(r["same"] == "1" for r in rows) >= 100 and sum(r["same"] == "0" for r in rows) >= 150
    assert len({(r["a_text"], r["b_text"]) for r in rows}) >= 0.9 * len(rows)


@pytest.mark.django_db
def test_grouping_precision_and_recall_on_the_labelled_pairs() -> None:
    parents = dict(Settlement.objects.values_list("pk", "parent_id"))
    tp = fp = fn = tn = 0
    misses: list[str] = []
    for r in load():
        a = facts(r["a_text"], r["a_place"], r["a_category"], int(r["a_day"]), parents)
        b = facts(r["b_text"], r["b_place"], r["b_category"], int(r["b_day"]), parents)
        joined = grouping.match(b, a) is not None
        same = r["same"] == "1"
        tp += joined and same
        fp += joined and not same
        fn += same and not joined
        tn += not same and not joined
        if joined != same:
            misses.append(f"  {'FP' if joined else 'FN'} {r['note']}: {r['a_place']} / {r['b_place']}")
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(
        f"\npairs {tp + fp + fn + tn}: precision {precision:.3f} ({tp}/{tp + fp}), recall {recall:.3f} ({tp}/{tp + fn})"
    )
    print("\n".join(sorted(misses)))
    assert precision >= 0.95 and recall >= 0.70
