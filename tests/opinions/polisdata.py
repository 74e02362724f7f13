"""Shared loaders for the validation data (cached per test session: the big folders take a moment)."""

from __future__ import annotations

import csv
import json
from functools import cache
from math import comb
from pathlib import Path
from typing import Any

import numpy as np

from sauti.opinions.polis import Analysis, Folder, Votes, analyze, history_in_conv, load_folder, replay
from sauti.opinions.polis.history import batch_ends

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "validation"
MATH = SHARED / "polis-math"
OPEN = SHARED / "polis"
MATH_NAMES = (
    "below-100-ptpts",
    "25ptpt-3gp-no-strict-with-meta",
    "50ptpt-3gp-strict-no-meta",
    "150ptpt-3gp-no-strict-no-meta",
    "above-100-ptpts",
)
ARI_NAMES = ("15-per-hour-seattle", "vtaiwan.uberx", "american-assembly.bowling-green")


@cache
def folder(path: str) -> Folder:
    return load_folder(path)


@cache
def math_blob(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((MATH / name / "math-pca2.json").read_text())
    return data


@cache
def polis_assignment(name: str) -> dict[int, int]:
    blob = math_blob(name)
    members = dict(zip(blob["base-clusters"]["id"], blob["base-clusters"]["members"], strict=True))
    return {pid: g["id"] for g in blob["group-clusters"] for b in g["members"] for pid in members[b]}


@cache
def math_analysis(name: str, given_groups: bool) -> Analysis:
    votes = folder(str(MATH / name)).votes
    return analyze(votes, assign=polis_assignment(name) if given_groups else None)


@cache
def opendata_groups(name: str) -> dict[int, int | None]:
    with (OPEN / name / "participants-votes.csv").open(newline="") as handle:
        return {
            int(r["participant"]): (int(r["group-id"]) if r["group-id"] else None)
            for r in csv.DictReader(handle)
        }


@cache
def opendata_analysis(name: str) -> Analysis:
    votes = folder(str(OPEN / name)).votes
    return analyze(votes, groups=votes.groups_hint)


def adjusted_rand(a: list[int], b: list[int]) -> float:
    x = np.unique(a, return_inverse=True)[1]
    y = np.unique(b, return_inverse=True)[1]
    table = np.zeros((x.max() + 1, y.max() + 1), dtype=np.int64)
    np.add.at(table, (x, y), 1)
    pairs = sum(comb(int(v), 2) for v in table.ravel())
    rows = sum(comb(int(v), 2) for v in table.sum(1))
    cols = sum(comb(int(v), 2) for v in table.sum(0))
    expected = rows * cols / comb(len(a), 2)
    return float((pairs - expected) / ((rows + cols) / 2 - expected))


def ari_against_polis(name: str) -> tuple[float, int]:
    result = opendata_analysis(name)
    polis = opendata_groups(name)
    ours = dict(zip((int(p) for p in result.pids), (int(g) for g in result.group_of), strict=True))
    both = [p for p, g in ours.items() if g >= 0 and polis.get(p) is not None]
    return adjusted_rand([ours[p] for p in both], [polis[p] or 0 for p in both]), len(both)


def relabelled(votes: Votes, seed: int) -> tuple[Votes, dict[int, int]]:
    """The same conversation with participant and statement ids re-labelled at random and the rows shuffled.
    Returns the new votes and new pid -> original pid."""
    rng = np.random.default_rng(seed)
    src = votes.events
    if src is not None:
        pids, tids, values, times = src.pids, src.tids, src.values, src.times
    else:
        pids, tids, values, times = votes.pids, votes.tids, votes.values, None
    old_p, old_t = (
        np.unique(pids),
        np.unique(np.concatenate([tids, list(votes.statement_ids)]).astype(np.int64)),
    )
    new_p = rng.permutation(len(old_p)) * 3 + 5
    new_t = rng.permutation(len(old_t)) * 2 + 1
    p_map = dict(zip(old_p.tolist(), new_p.tolist(), strict=True))
    t_map = dict(zip(old_t.tolist(), new_t.tolist(), strict=True))
    order = rng.permutation(len(pids))
    out = Votes.from_events(
        np.array([p_map[int(p)] for p in pids[order]]),
        np.array([t_map[int(t)] for t in tids[order]]),
        values[order],
        None if times is None else times[order],
        mod_out=frozenset(t_map[t] for t in votes.mod_out),
        meta=frozenset(t_map[t] for t in votes.meta),
        statement_ids=[t_map[t] for t in votes.statement_ids],
        groups_hint=votes.groups_hint,
    )
    return out, {v: k for k, v in p_map.items()}


@cache
def ari_relabelled(name: str, seed: int = 1) -> tuple[float, int]:
    """ARI against Polis' groups of the default analysis (history replayed when the votes carry times) of the
    re-labelled, shuffled conversation."""
    votes, back = relabelled(folder(str(OPEN / name)).votes, seed)
    result = (
        replay(votes, groups=votes.groups_hint)
        if votes.events is not None
        else analyze(votes, groups=votes.groups_hint)
    )
    polis = opendata_groups(name)
    pairs = [
        (int(g), polis[back[int(p)]])
        for p, g in zip(result.pids, result.group_of, strict=True)
        if g >= 0 and polis.get(back[int(p)]) is not None
    ]
    return adjusted_rand([a for a, _ in pairs], [int(b or 0) for _, b in pairs]), len(pairs)


@cache
def zeroed_window(name: str) -> tuple[float, float] | None:
    """When Polis' older counting (zeroed columns counted as votes) may have stopped for the replay to give
    exactly Polis' in-conv of a polis-math conversation: (after, before) in ms, -inf = from the start (never
    used), inf = never stopped; None if no moment does. A later stop only admits more, so two bisections over
    the batch ends suffice."""
    votes = folder(str(MATH / name)).votes
    assert votes.events is not None
    polis = frozenset(math_blob(name)["in-conv"])
    ends = votes.events.times[batch_ends(votes.events.times) - 1]
    stops = np.concatenate([[-np.inf], ends + 1.0])  # stop just after each batch, or before the first

    def kept(i: int) -> frozenset[int]:
        return history_in_conv(votes, zeroed_until=float(stops[i]))

    lo, hi = 0, len(stops)  # the first stop that keeps everyone Polis keeps
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if kept(mid) >= polis else (mid + 1, hi)
    first = lo
    lo, hi = first, len(stops)  # the first stop after it that keeps someone Polis does not
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if not kept(mid) <= polis else (mid + 1, hi)
    if first >= len(stops) or lo == first:
        return None
    return float(stops[first] - 1.0), float(stops[lo] - 1.0) if lo < len(stops) else float("inf")
