"""Time `find_places` on a warm index against a naive linear rapidfuzz scan, on the same 1,000 queries.

    .venv/bin/python bench/places_bench.py

Uses a throwaway SQLite database (migration 0002 loads the gazetteer into it). Queries are real names
from the gazetteer, written the ways people write them: lower case, a typo, no spaces, a Kiswahili or
English kind word. Prints p50/p95 latency and how often the intended place comes first; a tie for first
counts (a constituency and its ward of the same name are equally right for "Kipipiri"), so the mean size
of the first tie is printed too.
"""

from __future__ import annotations

import heapq
import random
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from benchsetup import setup_django
from rapidfuzz import fuzz, utils

N_QUERIES = 1000


def make_queries(rng: random.Random, entries: Sequence[Any]) -> list[tuple[str, str, str]]:
    """(query, kind, name of the intended place)."""
    out: list[tuple[str, str, str]] = []
    forms: list[Callable[[str, str], str]] = [
        lambda name, kind: name,
        lambda name, kind: name.lower(),
        lambda name, kind: name.replace(" ", "").lower(),
        lambda name, kind: typo(rng, name),
        lambda name, kind: (
            {"county": "kaunti ya ", "ward": "wadi ya ", "constituency": "eneo bunge la "}.get(
                kind, "kijiji cha "
            )
            + name
        ),
        lambda name, kind: f"{name} {kind}",
    ]
    while len(out) < N_QUERIES:
        place = rng.choice(entries)
        form = rng.choice(forms)
        out.append((form(place.name, place.kind), place.kind, place.name))
    return out


def typo(rng: random.Random, name: str) -> str:
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(letters) < 6:
        return name.lower()
    i = rng.choice(letters[1:-1])
    return (
        name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    )


def naive_scan(names: list[tuple[str, str]]) -> Callable[[str], list[tuple[float, str, str]]]:
    def search(query: str) -> list[tuple[float, str, str]]:
        scored = (
            (fuzz.WRatio(query, name, processor=utils.default_process), kind, name) for kind, name in names
        )
        return heapq.nlargest(10, scored)

    return search


def timed(fn: Callable[[str], object], queries: list[str]) -> list[float]:
    times = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float], hits: int, tied: int) -> None:
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[18]
    print(
        f"{label:<26} p50 {p50:6.3f} ms  p95 {p95:6.3f} ms  "
        f"intended place first {hits / N_QUERIES:6.1%}  (places tied first: {tied / N_QUERIES:.1f} on average)"
    )


def main() -> None:
    setup_django()
    from django.core.management import call_command

    from sauti.places.services import find_places, get_index

    start = time.perf_counter()
    call_command("migrate", "places", verbosity=0)
    print(f"migrate places (schema + gazetteer load): {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    index = get_index()
    print(f"index build: {time.perf_counter() - start:.3f} s, {len(index)} places")
    rng = random.Random(20251125)
    queries = make_queries(rng, [e.place for e in index.entries])
    texts = [q for q, _, _ in queries]
    names = [(e.place.kind, name) for e in index.entries for name, _ in e.names]

    ours = timed(lambda q: find_places(q), texts)
    scan = naive_scan(names)
    base = timed(scan, texts)
    ours_hits = base_hits = ours_tied = base_tied = 0
    for query, kind, name in queries:
        found = find_places(query)
        first = {(c.kind, c.name) for c in found if c.score == found[0].score} if found else set()
        ours_hits, ours_tied = ours_hits + ((kind, name) in first), ours_tied + len(first)
        ranked = scan(query)
        first = {(k, n) for s, k, n in ranked if s == ranked[0][0]} if ranked else set()
        base_hits, base_tied = base_hits + ((kind, name) in first), base_tied + len(first)

    print(f"{N_QUERIES} queries over {len(names)} names and aliases")
    report("find_places (warm index)", ours, ours_hits, ours_tied)
    report("naive linear WRatio scan", base, base_hits, base_tied)


if __name__ == "__main__":
    main()
