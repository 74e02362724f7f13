"""How well `parse.analyse` reads real-looking SMS: per-category precision and recall, language, place and
people-affected accuracy on `labelled_sms.csv` (invented messages; places checked against the gazetteer).

The set is split by position: every third row (rows 3, 6, 9, ... of the data) is held out. The rules in
`parse.py` were written and tuned looking only at the other rows' errors; both figures are printed and
both are held to floors (`pytest -s tests/conversations/test_accuracy.py` shows the table).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from sauti.conversations.category_model import load_training
from sauti.conversations.reading import Analysis, analyse
from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS
from sauti.places.matching import normalize

DATA = Path(__file__).with_name("labelled_sms.csv")
COLUMNS = [
    "text", "language", "category", "place_kind", "place_name", "ward_code", "county_code", "people_affected",
]  # fmt: skip

# Measured (`bench/parse_accuracy.py` prints the table) and set a little below, so a regression fails but
# a one-message change does not. Rows 331-420 were written later, mostly about corruption (the weakest
# recall), before the rules were tuned on their training rows; rows 421-480 (issue 16) likewise, before
# the second tuning, which looked only at training rows; rows 481-600 (session 5) before the learned model
# (`sauti.conversations.category_model`, trained on the training rows only) was added beside the rules;
# rows 601-950 (session 6, weighted to public projects, corruption and "other") before the model's stems
# and the blend's weights were chosen by cross-validation on training rows.
# Held-out (316): category 0.842 (the first 200 held-out rows 0.880, was 0.870; the 116 session-6 rows
# 0.776), macro-F1 0.863, language 0.949, ward 0.993, lowest recall 0.723 (corruption); train (634, which
# the model has seen): category 0.981. Issue 16 asks 0.95 for the held-out category: not reached
# (docs/places.md). Session 7: the SMS flow asks the sender when the reading is unsure; held-out it asks
# about 0.152 of messages, is right on 0.892 of the others, and offers the true category in 0.979 of those
# it asks about (train: 0.013, 0.986, 1.000).
# The SMS flow asks about the category for at most this share of messages (held-out 0.152, train 0.013).
MAX_ASKED = 0.20
FLOORS = {
    "train": {
        "category": 0.96,
        "macro_f1": 0.96,
        "language": 0.95,
        "place": 0.95,
        "people": 0.97,
        "min_recall": 0.90,
        "not_asked": 0.97,
        "among": 0.95,
    },
    "held-out": {
        "category": 0.82,
        "macro_f1": 0.84,
        "language": 0.94,
        "place": 0.90,
        "people": 0.95,
        "min_recall": 0.70,
        "ward": 0.90,
        "not_asked": 0.87,
        "among": 0.93,
    },
}


@dataclass(frozen=True)
class Row:
    number: int
    text: str
    language: str
    category: str
    place_kind: str
    place_name: str
    ward_code: int | None
    county_code: int | None
    people_affected: int | None

    @property
    def held_out(self) -> bool:
        return self.number % 3 == 0


def _int(value: str) -> int | None:
    return int(value) if value else None


def load() -> list[Row]:
    with DATA.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == COLUMNS
        return [
            Row(
                number=n,
                text=r["text"],
                language=r["language"],
                category=r["category"],
                place_kind=r["place_kind"],
                place_name=r["place_name"],
                ward_code=_int(r["ward_code"]),
                county_code=_int(r["county_code"]),
                people_affected=_int(r["people_affected"]),
            )
            for n, r in enumerate(reader, start=1)
        ]


def place_right(row: Row, a: Analysis) -> bool:
    """Same name and county (a settlement and the ward named after it are the same spot), and the same
    ward where both know it."""
    if not row.place_name or a.place is None:
        return not row.place_name and a.place is None
    if normalize(row.place_name) != normalize(a.place.name) or row.county_code != a.place.county_code:
        return False
    return row.ward_code is None or a.place.ward_code is None or row.ward_code == a.place.ward_code


@dataclass(frozen=True)
class Scores:
    n: int
    per_category: dict[str, tuple[float, float, float, int]]  # precision, recall, F1, support
    macro_f1: float
    min_recall: float
    category: float
    language: float
    place: float
    place_kind: float
    people: float
    ward: float  # among messages whose place has a known ward: the analysis found that ward
    # The SMS flow asks the sender to choose the category when the reading is unsure (`category_choices`):
    # how often, the category's accuracy where it does not ask, and how often the true category is among
    # the choices when it asks. `category` stays the automatic reading's accuracy on every message.
    asked: float
    not_asked: float
    among: float


def score(rows: Sequence[Row], results: Sequence[Analysis]) -> Scores:
    per: dict[str, tuple[float, float, float, int]] = {}
    for key in TOP_LEVEL_KEYS:
        tp = sum(1 for r, a in zip(rows, results, strict=True) if r.category == key and a.category == key)
        predicted = sum(1 for a in results if a.category == key)
        support = sum(1 for r in rows if r.category == key)
        precision = tp / predicted if predicted else (1.0 if not support else 0.0)
        recall = tp / support if support else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[key] = (precision, recall, f1, support)
    pairs = list(zip(rows, results, strict=True))
    n = len(pairs)
    return Scores(
        n=n,
        per_category=per,
        macro_f1=sum(f for _, _, f, s in per.values() if s) / sum(1 for *_, s in per.values() if s),
        min_recall=min(r for _, r, _, s in per.values() if s),
        category=sum(r.category == a.category for r, a in pairs) / n,
        language=sum(r.language == a.language for r, a in pairs) / n,
        place=sum(place_right(r, a) for r, a in pairs) / n,
        place_kind=sum(
            place_right(r, a) and (a.place is None or a.place.kind == r.place_kind) for r, a in pairs
        )
        / n,
        people=sum(r.people_affected == a.people_affected for r, a in pairs) / n,
        ward=_ward_accuracy(pairs),
        asked=sum(bool(a.category_choices) for _, a in pairs) / n,
        not_asked=_share([r.category == a.category for r, a in pairs if not a.category_choices]),
        among=_share([r.category in a.category_choices for r, a in pairs if a.category_choices]),
    )


def _share(hits: Sequence[bool]) -> float:
    return sum(hits) / len(hits) if hits else 1.0


def _ward_accuracy(pairs: Sequence[tuple[Row, Analysis]]) -> float:
    warded = [(r, a) for r, a in pairs if r.ward_code is not None]
    if not warded:
        return 1.0
    return sum(a.place is not None and a.place.ward_code == r.ward_code for r, a in warded) / len(warded)


def table(named: dict[str, Scores]) -> str:
    names = list(named)
    lines = ["category          " + "".join(f"{name:>26}" for name in names)]
    lines.append("                  " + "".join(f"{'P':>8}{'R':>6}{'F1':>6}{'n':>6}" for _ in names))
    for key in TOP_LEVEL_KEYS:
        cells = "".join(
            "{:>8.2f}{:>6.2f}{:>6.2f}{:>6d}".format(*named[name].per_category[key]) for name in names
        )
        lines.append(f"{key:<18}{cells}")
    for label, attr in [
        ("macro-F1", "macro_f1"),
        ("lowest recall", "min_recall"),
        ("category accuracy", "category"),
        ("language accuracy", "language"),
        ("place accuracy", "place"),
        ("place, same kind", "place_kind"),
        ("people accuracy", "people"),
        ("ward accuracy", "ward"),
        ("category asked", "asked"),
        ("right, not asked", "not_asked"),
        ("true among asked", "among"),
    ]:
        lines.append(f"{label:<18}" + "".join(f"{getattr(named[name], attr):>26.3f}" for name in names))
    lines.append(f"{'messages':<18}" + "".join(f"{named[name].n:>26d}" for name in names))
    return "\n".join(lines)


def test_the_labelled_set_is_well_formed() -> None:
    rows = load()
    assert len(rows) >= 240
    assert len({r.text for r in rows}) == len(rows)
    counts = {key: sum(r.category == key for r in rows) for key in TOP_LEVEL_KEYS}
    assert all(n >= 20 for key, n in counts.items() if key != "gbv") and counts["gbv"] >= 10, counts
    assert {r.language for r in rows} == {"en", "sw", "mixed"}
    for r in rows:
        assert r.category in TOP_LEVEL_KEYS, r
        assert bool(r.place_name) == bool(r.place_kind) == (r.county_code is not None), r
        assert r.place_kind in {"", "county", "constituency", "ward", "settlement"}, r
        assert r.people_affected is None or r.people_affected > 0, r


def test_the_model_is_trained_on_the_training_rows_only() -> None:
    """The package's training file is exactly the training rows, in order: no held-out row leaks into the
    model. After adding rows here, rewrite it with `bench/parse_accuracy.py --write-training`."""
    training = [(r.text, r.category) for r in load() if not r.held_out]
    assert load_training() == training


@pytest.mark.django_db
def test_accuracy_on_the_labelled_set() -> None:
    from sauti.places.services import find_places

    rows = load()
    for r in rows:  # every labelled place is one the gazetteer knows, with that kind, ward and county
        if r.place_name:
            assert any(
                normalize(c.name) == normalize(r.place_name)
                and (c.kind, c.ward_code, c.county_code) == (r.place_kind, r.ward_code, r.county_code)
                for c in find_places(r.place_name, limit=20, county_code=r.county_code)
            ), r
    results = [analyse(r.text) for r in rows]
    train = [(r, a) for r, a in zip(rows, results, strict=True) if not r.held_out]
    held = [(r, a) for r, a in zip(rows, results, strict=True) if r.held_out]
    named = {
        "train": score([r for r, _ in train], [a for _, a in train]),
        "held-out": score([r for r, _ in held], [a for _, a in held]),
        "all": score(rows, results),
    }
    print()
    print(table(named))
    misses = [
        f"  {r.category:>15} -> {a.category:<15} {r.text}" for r, a in train if r.category != a.category
    ]
    print(
        "training rows read wrongly (held-out rows are not shown, to keep them unseen):\n" + "\n".join(misses)
    )
    for split, floors in FLOORS.items():
        s = named[split]
        for metric, floor in floors.items():
            assert getattr(s, metric) >= floor, (split, metric, getattr(s, metric))
    for split in FLOORS:  # asking stays rare
        assert named[split].asked <= MAX_ASKED, (split, named[split].asked)
