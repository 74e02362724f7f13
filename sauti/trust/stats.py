"""Means of 1–5 scores with 95% confidence intervals (Student's t), per wave, item and group."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from scipy import stats as scipy_stats

MIN_FOR_INTERVAL = 2


@dataclass(frozen=True)
class Estimate:
    n: int
    mean: float
    low: float | None  # None when there are too few answers for an interval
    high: float | None

    @property
    def left_pct(self) -> float:
        """Where the interval starts on a 1–5 axis drawn 0–100."""
        return round(25 * ((self.low if self.low is not None else self.mean) - 1), 1)

    @property
    def width_pct(self) -> float:
        if self.low is None or self.high is None:
            return 0.0
        return round(25 * (self.high - self.low), 1)

    @property
    def mean_pct(self) -> float:
        return round(25 * (self.mean - 1), 1)


def estimate(scores: Iterable[int]) -> Estimate:
    values = list(scores)
    return from_sums(len(values), sum(values), sum(v * v for v in values))


def from_sums(n: int, total: int, squares: int) -> Estimate:
    """The estimate from n, Σx and Σx² (what SQL's COUNT and SUM give): exact for integer scores."""
    if n == 0:
        raise ValueError("no scores")
    mean = total / n
    if n < MIN_FOR_INTERVAL:
        return Estimate(n, round(mean, 2), None, None)
    variance = max(0.0, (squares - total * total / n) / (n - 1))
    half = float(scipy_stats.t.ppf(0.975, n - 1)) * math.sqrt(variance / n)
    return Estimate(n, round(mean, 2), round(max(1.0, mean - half), 2), round(min(5.0, mean + half), 2))


def grouped(rows: Iterable[tuple[int, int, str, int, int, int]]) -> dict[int, dict[str, dict[int, Estimate]]]:
    """rows of (item, wave, group, n, Σscore, Σscore²) → item → group → wave → estimate; group "" is everyone."""
    sums: dict[tuple[int, str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for item, wave, group, n, total, squares in rows:
        for key in ((item, "", wave), (item, group, wave)) if group else ((item, "", wave),):
            acc = sums[key]
            acc[0] += n
            acc[1] += total
            acc[2] += squares
    out: dict[int, dict[str, dict[int, Estimate]]] = defaultdict(lambda: defaultdict(dict))
    for (item, group, wave), (n, total, squares) in sums.items():
        out[item][group][wave] = from_sums(n, total, squares)
    return out
