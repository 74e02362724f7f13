"""Shared loaders for the validation data (cached per test session: the big folders take a moment)."""

from __future__ import annotations

import csv
import json
from functools import cache
from math import comb
from pathlib import Path
from typing import Any

import numpy as np

from sauti.opinions.polis import Analysis, Folder, analyze, load_folder

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
