"""Stable and live opinion maps on Bowling Green (2,031 participants x 896 statements), measured in one run.

    .venv/bin/python bench/opinions_update_bench.py [--rounds 5] [--single 20]

1. Stability: 1% new votes (2,255, on cells not voted yet, each drawn from that statement's own agree / disagree /
   pass shares) are added, then the map is updated two ways:
   - warm: from the stored map (`analyze(..., state=previous.state)`: in-conv kept, components oriented as
     before, clusters warm-started), the way Sauti recomputes a conversation;
   - from scratch: `analyze(...)` without history, as before issue 19.
   Reported: the share of participants grouped both times whose group changed (group numbers as shown, and
   after the best matching of group numbers), over `--rounds` seeded rounds.
2. Live update: one new vote, then the stored map is updated incrementally (`LiveMap.vote`: the vote matrix,
   column means, covariance and group counts are kept in memory and patched; PCA by warm power iteration from
   the previous components; clusters warm-started) beside a full recomputation of the same votes; median of
   `--single` votes, in the same process (full = the whole pipeline from the vote list, warm-started too).
   Wall and CPU time are both shown (median and 95th percentile): on a shared machine the wall clock includes
   waiting for a core.
"""

from __future__ import annotations

import os

# One BLAS thread: on a shared machine, BLAS threads waiting for a busy core cost more than they give.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sauti.opinions.polis import Analysis, Votes, analyze, load_folder  # noqa: E402
from sauti.opinions.polis.live import LiveMap  # noqa: E402

BOWLING_GREEN = ROOT.parent / "shared" / "validation" / "polis" / "american-assembly.bowling-green"


def new_votes(votes: Votes, share: float, rng: np.random.Generator) -> Votes:
    pids, tids = np.unique(votes.pids), np.unique(votes.tids)
    taken = set(zip(votes.pids.tolist(), votes.tids.tolist(), strict=True))
    want = round(share * len(votes.pids))
    # Each statement's own shares of agree / disagree / pass.
    col = np.searchsorted(tids, votes.tids)
    counts = np.stack([np.bincount(col[votes.values == v], minlength=len(tids)) for v in (1, -1, 0)], 1) + 1
    probs = counts / counts.sum(1, keepdims=True)
    cells: list[tuple[int, int, int]] = []
    while len(cells) < want:
        p, j = int(rng.choice(pids)), int(rng.integers(len(tids)))
        if (p, int(tids[j])) in taken:
            continue
        taken.add((p, int(tids[j])))
        cells.append((p, int(tids[j]), int(rng.choice((1, -1, 0), p=probs[j]))))
    extra = np.array(cells, dtype=np.int64)
    return Votes.from_events(
        np.concatenate([votes.pids, extra[:, 0]]),
        np.concatenate([votes.tids, extra[:, 1]]),
        np.concatenate([votes.values.astype(np.int64), extra[:, 2]]),
        mod_out=votes.mod_out,
        meta=votes.meta,
        groups_hint=votes.groups_hint,
    )


def changed(before: Analysis, after: Analysis) -> tuple[float, float]:
    """Share of participants grouped both times whose group changed: as numbered, and at the best matching."""
    a = dict(zip(before.pids.tolist(), before.group_of.tolist(), strict=True))
    b = dict(zip(after.pids.tolist(), after.group_of.tolist(), strict=True))
    both = [p for p, g in a.items() if g >= 0 and b.get(p, -1) >= 0]
    raw = sum(a[p] != b[p] for p in both) / len(both)
    k = max(max(a.values()), max(b.values())) + 1
    best = min(sum(perm[a[p]] != b[p] for p in both) / len(both) for perm in itertools.permutations(range(k)))
    return raw, best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--single", type=int, default=20)
    args = parser.parse_args()
    votes = load_folder(BOWLING_GREEN).votes
    k = votes.groups_hint or 2
    print(
        f"Bowling Green: {votes.participant_count} participants, {len(votes.pids)} votes, k = {k}", flush=True
    )
    base = analyze(votes, groups=k)

    print("1. stability: 1% new votes", flush=True)
    warm_raw, warm_best, cold_raw, cold_best = [], [], [], []
    for r in range(args.rounds):
        more = new_votes(votes, 0.01, np.random.default_rng(r))
        warm = analyze(more, groups=k, state=base.state)
        cold = analyze(more, groups=k)
        wr, wb = changed(base, warm)
        cr, cb = changed(base, cold)
        warm_raw.append(wr)
        warm_best.append(wb)
        cold_raw.append(cr)
        cold_best.append(cb)
        print(
            f"  round {r + 1}/{args.rounds}: warm {wr:.2%} ({wb:.2%} best-matched)   "
            f"from scratch {cr:.2%} ({cb:.2%} best-matched)",
            flush=True,
        )
    print(
        f"  mean share whose group changed: warm {statistics.mean(warm_raw):.2%} "
        f"({statistics.mean(warm_best):.2%} best-matched); from scratch {statistics.mean(cold_raw):.2%} "
        f"({statistics.mean(cold_best):.2%} best-matched)",
        flush=True,
    )

    print("2. live update after one new vote", flush=True)
    rng = np.random.default_rng(99)
    live = LiveMap(votes, base, groups=k)
    pids, tids = np.unique(votes.pids), np.unique(votes.tids)
    inc, full, inc_cpu, full_cpu = [], [], [], []
    current = votes
    for i in range(args.single):
        p, t, v = int(rng.choice(pids)), int(rng.choice(tids)), int(rng.choice((1, -1, 0)))
        current = Votes.from_events(
            np.append(current.pids, p),
            np.append(current.tids, t),
            np.append(current.values.astype(np.int64), v),
            mod_out=votes.mod_out,
            meta=votes.meta,
            groups_hint=k,
        )
        started, cpu = time.perf_counter(), time.process_time()
        updated = live.vote(p, t, v)
        inc.append(time.perf_counter() - started)
        inc_cpu.append(time.process_time() - cpu)
        started, cpu = time.perf_counter(), time.process_time()
        analyze(current, groups=k, state=updated.state)
        full.append(time.perf_counter() - started)
        full_cpu.append(time.process_time() - cpu)
        if i == 0:
            updated.to_json()  # the stored form is complete
    ms = 1000

    def p95(xs: list[float]) -> float:
        return float(np.percentile(xs, 95))

    print(
        f"  incremental update: median {statistics.median(inc) * ms:.1f} ms wall (p95 {p95(inc) * ms:.1f}), "
        f"{statistics.median(inc_cpu) * ms:.1f} ms CPU (p95 {p95(inc_cpu) * ms:.1f})\n"
        f"  full recomputation: median {statistics.median(full) * ms:.1f} ms wall (p95 {p95(full) * ms:.1f}), "
        f"{statistics.median(full_cpu) * ms:.1f} ms CPU (p95 {p95(full_cpu) * ms:.1f})   over {args.single} votes\n"
        f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )


if __name__ == "__main__":
    main()
