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
    n = len(values)
    if n == 0:
        raise ValueError("no scores")
    mean = sum(values) / n
    if n < MIN_FOR_INTERVAL:
        return Estimate(n, round(mean, 2), None, None)
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = float(scipy_stats.t.ppf(0.975, n - 1)) * math.sqrt(variance / n)
    return Estimate(n, round(mean, 2), round(max(1.0, mean - half), 2), round(min(5.0, mean + half), 2))


def grouped(rows: Iterable[tuple[int, int, str, int]]) -> dict[int, dict[str, dict[int, Estimate]]]:
    """rows of (item, wave, group, score) → item → group → wave → estimate; group "" is everyone."""
    scores: dict[tuple[int, str, int], list[int]] = defaultdict(list)
    for item, wave, group, score in rows:
        scores[(item, "", wave)].append(score)
        if group:
            scores[(item, group, wave)].append(score)
    out: dict[int, dict[str, dict[int, Estimate]]] = defaultdict(lambda: defaultdict(dict))
    for (item, group, wave), values in scores.items():
        out[item][group][wave] = estimate(values)
    return out
