"""Writes tests/monitoring/labelled_pairs.csv: pairs of reports labelled same event / different events.

Hand-written report texts (Kiswahili, English, Sheng) about events in Nairobi places, combined into pairs
the way a coordinator meets them: two reports of one event (same settlement or ward, a few days apart,
other words), and the look-alikes that are not one event: the same place but another problem, the same
problem in a neighbouring ward or another village, the same trouble weeks later. Some same-event pairs are
hard on purpose, the way real reports are: sent more than a week later, placed only by county, or filed
under another category. The label is what a coordinator would say, not what Sauti does.

    .venv/bin/python bench/make_labelled_pairs.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "monitoring" / "labelled_pairs.csv"

TEXTS: dict[str, list[str]] = {
    "water": [
        "Maji yamekatwa {p} tangu {d}, watu hawana maji ya kunywa",
        "No water in {p} since {d}, the taps are dry",
        "Mabomba ya maji {p} yamekauka, tunanunua mtungi shilingi 50",
        "Water has been disconnected at {p}, families are buying water from vendors",
        "Maji imekatiwa {p} manze, hakuna kitu kwa mfereji",
        "The water pipe burst at {p} and the company cut the supply",
    ],
    "housing": [
        "Nyumba zinabomolewa {p} na kanjo bila notisi",
        "Demolitions at {p} this morning, families are sleeping outside",
        "Watu wamefurushwa kwa nyumba zao {p} usiku wa {d}",
        "Eviction going on in {p}, bulldozers came with police",
        "Kanjo wamebomoa keja pale {p}, watu hawana pa kulala",
        "Our houses at {p} were marked with X for demolition",
    ],
    "sanitation": [
        "Choo cha umma {p} kimejaa na kinamwaga uchafu",
        "Sewage is flowing on the road at {p} near the market",
        "Takataka hazijaokotwa {p} wiki mbili sasa",
        "The public toilet at {p} is blocked and smells badly",
        "Mtaro wa maji machafu {p} umeziba, watoto wanacheza ndani",
    ],
    "security": [
        "Polisi wamepiga vijana {p} usiku wa {d}",
        "Police harassment in {p} last night, young men arrested",
        "Wezi wamevunja maduka {p}, hakuna usalama",
        "Karao wamekamata wasee {p} bila sababu",
        "Gunshots heard in {p}, residents are afraid",
    ],
    "health": [
        "Dispensari ya {p} haina dawa wiki hii",
        "The clinic at {p} is closed, no nurses since {d}",
        "Wagonjwa wa kipindupindu {p}, watu watatu wamelazwa",
    ],
    "education": [
        "Shule ya msingi {p} imefungwa, walimu hawajafika",
        "Children sent home from school in {p} over fees",
    ],
}
DAYS = ["jana", "Jumatatu", "wiki iliyopita", "Monday", "yesterday", "last week"]

# Place as written -> neighbours: another village of the same settlement or another ward nearby.
PLACES: list[tuple[str, list[str]]] = [
    ("Mathare 4A", ["Mathare 3C", "Kiamaiko", "Mabatini"]),
    ("Mathare 3C", ["Mathare 4A", "Mlango Kubwa"]),
    ("Kiamaiko", ["Mabatini", "Huruma"]),
    ("Mabatini", ["Kiamaiko", "Mlango Kubwa"]),
    ("Huruma", ["Kiamaiko", "Mabatini"]),
    ("Korogocho", ["Lucky Summer", "Baba Dogo"]),
    ("Kianda", ["Lindi", "Makina"]),
    ("Lindi", ["Kianda", "Makina", "Laini Saba"]),
    ("Makina", ["Lindi", "Sarangombe"]),
    ("Kwa Reuben", ["Kwa Njenga", "Viwandani"]),
    ("Kwa Njenga", ["Kwa Reuben", "Imara Daima"]),
    ("Kayole North", ["Kayole Central", "Kayole South"]),
    ("Kawangware", ["Kangemi", "Gatina"]),
    ("Majengo", ["Eastleigh South", "Ngara"]),
    ("Mwiki", ["Githurai", "Kasarani"]),
    ("Kiambiu", ["Mathare 4A", "Eastleigh South"]),
]
# A village and the settlement or ward it is in: the same place named at two levels.
SAME_SPOT = {"Kianda": "Kibera", "Kiamaiko": "Kiamaiko ward", "Kwa Reuben": "Mukuru kwa Reuben",
             "Kwa Njenga": "Mukuru kwa Njenga", "Mabatini": "Mabatini ward", "Korogocho": "Korogocho ward",
             "Huruma": "Huruma ward", "Makina": "Makina ward", "Lindi": "Lindi ward"}  # fmt: skip
OTHER = {"water": "housing", "housing": "water", "sanitation": "water", "security": "housing",
         "health": "sanitation", "education": "security"}  # fmt: skip


def text(rng: random.Random, category: str, place: str, avoid: str = "") -> str:
    choices = [t for t in TEXTS[category] if t.format(p=place, d="{d}") != avoid] or TEXTS[category]
    return rng.choice(choices).format(p=place, d=rng.choice(DAYS))


def pairs(rng: random.Random) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []

    def add(a: tuple[str, str, str, int], b: tuple[str, str, str, int], same: bool, note: str) -> None:
        out.append(
            {
                "a_text": a[0], "a_place": a[1], "a_category": a[2], "a_day": str(a[3]),
                "b_text": b[0], "b_place": b[1], "b_category": b[2], "b_day": str(b[3]),
                "same": "1" if same else "0", "note": note,
            }
        )  # fmt: skip

    for place, neighbours in PLACES:
        for category in TEXTS:
            day = rng.randint(0, 60)
            first = text(rng, category, place)
            a = (first, place, category, day)
            # Same event: other words, 0-5 days later, in the same place.
            later = rng.randint(0, 5)
            add(
                a,
                (text(rng, category, place, first), place, category, day + later),
                True,
                "same place, other words",
            )
            # Same event named at another level (village and settlement / ward), some days later.
            if place in SAME_SPOT and rng.random() < 0.7:
                spot = SAME_SPOT[place]
                add(
                    a,
                    (text(rng, category, spot), spot, category, day + rng.randint(0, 4)),
                    True,
                    "village and its settlement/ward",
                )
            # Different events: same place, another problem, same days.
            other = OTHER[category]
            add(
                a,
                (text(rng, other, place), place, other, day + rng.randint(0, 3)),
                False,
                "same place, another problem",
            )
            # Different events: same problem in a neighbouring ward or another village.
            neighbour = rng.choice(neighbours)
            add(
                a,
                (text(rng, category, neighbour), neighbour, category, day + rng.randint(0, 3)),
                False,
                "same problem next door",
            )
            # Different events: same place and problem, a month or more later.
            add(
                a,
                (text(rng, category, place), place, category, day + rng.randint(25, 70)),
                False,
                "same trouble weeks later",
            )
            # Hard same-event pairs, as real reports come.
            roll = rng.random()
            if roll < 0.12:
                add(
                    a,
                    (text(rng, category, place), place, category, day + rng.randint(8, 12)),
                    True,
                    "hard: reported a week later",
                )
            elif roll < 0.20:
                add(
                    a,
                    (text(rng, category, "Nairobi"), "Nairobi", category, day + rng.randint(0, 3)),
                    True,
                    "hard: only the county",
                )
            elif roll < 0.26:
                add(
                    a,
                    (text(rng, category, place, first), place, other, day + rng.randint(0, 2)),
                    True,
                    "hard: filed under another category",
                )
            elif roll < 0.40:
                add(
                    a,
                    (text(rng, category, place, first), place, "", day + rng.randint(0, 3)),
                    True,
                    "no category on one report",
                )
    return out


def main() -> None:
    rng = random.Random(16)
    data = pairs(rng)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)
    same = sum(r["same"] == "1" for r in data)
    print(f"{len(data)} pairs ({same} same event, {len(data) - same} different) written to {OUT}")


if __name__ == "__main__":
    main()
