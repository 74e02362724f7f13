"""Time the text-to-report analysis (`sauti.conversations.reading.analyse`) on 10,000 SMS, on one core.

    .venv/bin/python bench/parse_bench.py [--n 10000] [--seed 7]

Uses a throwaway SQLite database (migration 0002 loads the gazetteer into it) and warms the place index
first. Messages: the labelled set (tests/conversations/labelled_sms.csv) plus messages generated from
templates in Kiswahili, English, Sheng and mixed, with real place names from the gazetteer, counts in
digits and words, typos and stretched letters; every message is different.

Prints messages per second of wall time and of CPU time, and p50/p99 latency, for, in the same run on
the same texts:
  baseline        a bare regex tokenisation (lower-case, split on non-word characters)
  tokens+rules    tokenisation, language, category and people affected (analyse without the place step)
  places only     the gazetteer's extract_places alone
  analyse         the whole analysis the inbound pipeline runs
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchsetup import setup_django

ROOT = Path(__file__).resolve().parent.parent

TEMPLATES_SW = [
    "Maji yamekatwa {place} tangu {when}, watu {n} hawana maji",
    "Hakuna maji {place} wiki ya {nth}, tunanunua mtungi shilingi {money}",
    "Nyumba {n} zimebomolewa na tingatinga {place} usiku, familia {nw} ziko nje",
    "Polisi wamepiga vijana {small} huko {place} bila sababu",
    "Karao wanaitisha hongo kwa wasee wa boda {place} kila asubuhi",
    "Zahanati ya {place} haina dawa, wagonjwa {n} wanarudishwa nyumbani",
    "Shule ya msingi {place} inatuma watoto nyumbani juu ya ada",
    "Takataka hazijazolewa {place} miezi {small}, harufu ni mbaya sanaaa",
    "Maji taka yanafurika kwa nyumba {place}, watoto wanaugua",
    "Moshi wa kiwanda {place} unatuua, wazee wanakohoa usiku",
    "Shamba la mjane limenyakuliwa {place} na mashemeji wake",
    "Mradi wa barabara {place} umekwama, mkandarasi ametoweka",
    "Chifu wa {place} anaitisha pesa kabla ya kutoa barua",
    "Msichana wa miaka {age} amebakwa {place}, familia inaogopa",
    "manze maji imekatwa kwa ploti {place}, xaxa tunateka maji mtoni",
    "Stima imekatika {place} siku {small}, KPLC haijajibu",
]
TEMPLATES_EN = [
    "Water has been cut in {place} for {small} days, over {n} families affected",
    "Police beat {small} youths in {place} last night and arrested {n} people",
    "Bulldozers demolished {n} houses in {place}, residents were given no notice",
    "The dispensary in {place} has had no drugs for weeks",
    "Garbage has not been collected in {place} for a month, call 07{phone} for details",
    "The road project in {place} stalled after the contractor left",
    "County officials in {place} are demanding bribes for market stalls",
    "A {age} year old girl was raped in {place}, the suspect is free",
    "Factory smoke in {place} is making children sick",
    "Pupils in {place} learn under a tree, the classrooms collapsed",
]
TEMPLATES_MIXED = [
    "Water imekatwa tena {place}, tumeambiwa it will take one week kurudi",
    "Guys wa county wamekuja na tractor {place}, wanabomoa our houses right now",
    "The toilets za shule ya {place} zimejaa, watoto wanaenda bush",
    "Clinic hii ya {place} has no drugs for two weeks, wagonjwa {n} wanarudishwa home",
]
SW_WORD_NUMBERS = ["mia mbili", "hamsini", "elfu moja", "thelathini", "mia tatu na hamsini", "kumi na tano"]


def place_names() -> list[str]:
    from sauti.places.models import Settlement, Ward

    names = [s.name for s in Settlement.objects.filter(county__code__in=[1, 22, 42, 47])]
    names += [w.name for w in Ward.objects.filter(county__code__in=[1, 22, 32, 42, 47])]
    return sorted({n for n in names if "/" not in n and "(" not in n})


def typo(rng: random.Random, text: str) -> str:
    words = text.split()
    i = rng.randrange(len(words))
    word = words[i]
    if len(word) > 4 and word.isalpha() and word.islower():
        k = rng.randrange(1, len(word) - 1)
        words[i] = (
            word[:k] + word[k + 1 :] if rng.random() < 0.5 else word[: k + 1] + word[k] * 2 + word[k + 1 :]
        )
    return " ".join(words)


def generate(rng: random.Random, n: int, places: Sequence[str], labelled: Sequence[str]) -> list[str]:
    out: list[str] = list(labelled)[:n]
    seen = set(out)
    templates = TEMPLATES_SW * 3 + TEMPLATES_EN * 2 + TEMPLATES_MIXED
    while len(out) < n:
        text = rng.choice(templates).format(
            place=rng.choice(places),
            when=rng.choice(["jana", "juzi", "wiki iliyopita", "Jumatatu"]),
            n=rng.choice([str(rng.randint(2, 3000)), rng.choice(SW_WORD_NUMBERS)]),
            nw=rng.choice(SW_WORD_NUMBERS),
            nth=rng.choice(["pili", "tatu", "nne"]),
            money=rng.choice([20, 30, 50, 100]),
            small=rng.randint(2, 9),
            age=rng.randint(8, 17),
            phone=rng.randint(10_000_000, 99_999_999),
        )
        if rng.random() < 0.3:
            text = typo(rng, text)
        if rng.random() < 0.2:
            text = text.upper() if rng.random() < 0.3 else text.lower()
        if text not in seen:
            seen.add(text)
            out.append(text)
    rng.shuffle(out)
    return out


_WORD = re.compile(r"\w+")


def baseline(text: str) -> Any:
    return _WORD.findall(text.lower())


def timed(fn: Callable[[str], Any], texts: Sequence[str]) -> tuple[float, float, list[float]]:
    """Wall time, CPU time and per-message latencies. On a shared machine the wall clock also counts the
    time other processes held the core (the p99 is mostly that); the CPU time does not."""
    latencies: list[float] = []
    clock = time.perf_counter
    cpu = time.process_time()
    start = clock()
    for text in texts:
        t0 = clock()
        fn(text)
        latencies.append(clock() - t0)
    return clock() - start, time.process_time() - cpu, latencies


def report(label: str, total: float, cpu: float, latencies: list[float]) -> None:
    q = statistics.quantiles(latencies, n=100)
    n = len(latencies)
    print(
        f"{label:<14} {n / total:>10,.0f} msg/s   {n / cpu:>10,.0f} msg/CPU-s"
        f"   p50 {q[49] * 1e6:>8.1f} µs   p99 {q[98] * 1e6:>8.1f} µs"
    )


def old_reading(rev: str) -> Any:
    """`sauti/conversations/reading.py` as it was at `rev`, loaded beside today's as its own module."""
    import importlib.util
    import shutil
    import subprocess
    import sys
    import tempfile

    git = shutil.which("git")
    assert git is not None, "git is needed for --old"
    source = subprocess.run(
        [git, "show", f"{rev}:sauti/conversations/reading.py"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_reading.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("old_reading", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_reading"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--old", metavar="REV", help="also time reading.py as it was at this git revision (e.g. main)"
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    setup_django(migrate=True)
    from sauti.conversations.reading import analyse
    from sauti.places.services import extract_places, get_index

    with (ROOT / "tests" / "conversations" / "labelled_sms.csv").open(encoding="utf-8") as f:
        labelled = [row["text"] for row in csv.DictReader(f)]
    texts = generate(random.Random(args.seed), args.n, place_names(), labelled)
    get_index()  # warm: build the place index before timing
    for text in texts[:200]:
        analyse(text)

    def no_places(text: str, *, county_code: int | None = None) -> list[Any]:
        return []

    runs: list[tuple[str, Callable[[str], Any]]] = [
        ("baseline", baseline),
        ("tokens+rules", lambda t: analyse(t, place_finder=no_places)),
        ("places only", extract_places),
        ("analyse", analyse),
    ]
    if args.old:
        old = old_reading(args.old)
        runs += [
            ("old rules", lambda t: old.analyse(t, place_finder=no_places)),
            ("old analyse", old.analyse),
        ]
    chars = sum(len(t) for t in texts) / len(texts)
    print(f"{len(texts):,} messages, {chars:.0f} characters on average, one core, warm place index")
    for label, fn in runs:
        total, cpu, latencies = timed(fn, texts)
        report(label, total, cpu, latencies)
    results = [analyse(t) for t in texts[:2000]]
    located = sum(a.place is not None for a in results) / len(results)
    counted = sum(a.people_affected is not None for a in results) / len(results)
    print(f"(of the first 2,000: {located:.0%} located, {counted:.0%} with people affected)")


if __name__ == "__main__":
    main()
