"""Time `do_handle_ussd` per hop: the answer Africa's Talking waits for (telcos give up after a few seconds).

    .venv/bin/python bench/ussd_bench.py [--sessions 300] [--seed 3]

Uses a throwaway SQLite database (or DATABASE_URL) with the gazetteer loaded, one organisation and a few
hundred reports already in it (so grouping a new report into a case has cases to score). Each session
walks the whole report journey as Africa's Talking sends it (the `text` grows by `*<input>` each hop):
open the menu, choose "report", a category, a county by name or number, a page of wards or a ward by
name, a description, confirm. Every tenth session checks a status instead.

Prints p50/p95/max per hop kind beside, in the same run, two baselines: a bare dict lookup (the floor of
any Python answer) and one SELECT of the session row by its unique key (the floor of any answer that
reads its state from the database).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

from benchsetup import setup_django


def _pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def _row(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return f"{name:<26}{len(ms):>7}{_pct(ms, 50):>10.2f}{_pct(ms, 95):>10.2f}{max(ms):>10.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    setup_django(migrate=True)

    from django.utils import timezone

    from sauti.conversations.actions import do_handle_sms, do_handle_ussd
    from sauti.conversations.models import UssdSession
    from sauti.conversations.services import counties, wards
    from sauti.people.models import Organisation

    rng = random.Random(args.seed)
    org = Organisation.objects.create(name="Bench (demo)", slug="bench")
    print("seeding 300 reports by SMS…", flush=True)
    texts = [
        "Maji yamekatwa {} tangu jana",
        "Takataka hazijazolewa {} mwezi mzima",
        "Police beat youths in {}",
    ]
    places = ["Mathare 4A", "Kayole", "Kibera", "Korogosho", "Mabatini", "Kangemi", "Githurai", "Kawangware"]
    for i in range(300):
        text = rng.choice(texts).format(rng.choice(places))
        do_handle_sms(
            organisation=org,
            phone=f"+2547990{i:05d}",
            text=text,
            received_at=timezone.now(),
            inbound_id=i + 1,
        )

    hops: dict[str, list[float]] = defaultdict(list)

    def timed(kind: str, fn: Callable[[], str]) -> str:
        t = time.perf_counter()
        out = fn()
        hops[kind].append(time.perf_counter() - t)
        hops["all hops"].append(hops[kind][-1])
        return out

    county_list = counties()
    print(f"running {args.sessions} USSD sessions…", flush=True)
    for n in range(args.sessions):
        phone = f"+2547980{n:05d}"
        sid = f"ATUid_bench_{n}"
        inputs: list[str] = []

        def hop(
            kind: str, entry: str | None, sid: str = sid, phone: str = phone, inputs: list[str] = inputs
        ) -> str:
            if entry is not None:
                inputs.append(entry)
            text = "*".join(inputs)
            return timed(
                kind,
                lambda: do_handle_ussd(
                    organisation=org, session_id=sid, phone=phone, service_code="*384*1#", text=text
                ),
            )

        hop("open menu", None)
        if n % 10 == 9:
            hop("menu choice", "2")
            hop("status", f"R{rng.randint(1, 300)}")
            continue
        hop("menu choice", "1")
        hop("category", str(rng.randint(1, 12)))
        county = rng.choice(county_list)
        hop("county by name" if n % 2 else "county by number", county.name if n % 2 else str(county.code))
        ward_list = wards(county.code)
        if n % 3 == 0:
            hop("page of wards", "98")
        ward = rng.choice(ward_list)
        screen = hop(
            "ward by name" if n % 2 else "ward by number",
            ward.name if n % 2 else str(ward_list.index(ward) + 1),
        )
        if not screen.startswith("CON Say") and not screen.startswith("CON Eleza"):  # several wards match
            hop("pick from matches", "1")
        hop("description", "maji*hakuna wiki nzima")
        end = hop("confirm + submit report", "1")
        assert end.startswith("END "), end

    table = {"x": 1}
    baseline_dict: list[float] = []
    baseline_select: list[float] = []
    for n in range(2000):
        t = time.perf_counter()
        table.get("x")
        baseline_dict.append(time.perf_counter() - t)
        t = time.perf_counter()
        UssdSession.objects.filter(organisation=org, session_id=f"ATUid_bench_{n % args.sessions}").first()
        baseline_select.append(time.perf_counter() - t)

    from django.db import connection

    print(f"\ndo_handle_ussd latency, {connection.vendor}, one process (ms)")
    print(f"{'':<26}{'n':>7}{'p50':>10}{'p95':>10}{'max':>10}")
    print(_row("baseline: dict lookup", baseline_dict))
    print(_row("baseline: one SELECT", baseline_select))
    for kind in sorted(hops, key=lambda k: (k == "all hops", k)):
        print(_row(kind, hops[kind]))


if __name__ == "__main__":
    main()
