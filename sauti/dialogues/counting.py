"""Counting consensus ballots: Borda (the agreed list) cross-checked by Schulze (a Condorcet method).

Pure functions, no Django. The same code counts ballots in the app and in `sauti dialogues tally`.

Conventions (documented in the README contract):

* A ballot maps priorities to ranks (1 = first). Only the order matters: ranks 1, 3, 4 mean the same as
  1, 2, 3. Equal ranks are a tie within the ballot; the app accepts them only where a facilitator's dot
  counts make them (two priorities with the same number of dots), the CSV command rejects them.
* Priorities a ballot leaves unranked tie below every ranked one.
* Borda: with m priorities, a priority gets one point for each priority the ballot places below it and
  half a point for each priority tied with it (the "averaged" convention, so unranked priorities share
  the points left over equally). A complete strict ballot gives m-1, m-2, …, 0. Points are multiplied by
  the ballot's weight. This is an affine transform of the symmetric Borda score (below − above) that
  `pref_voting` uses for truncated ballots, so both rank priorities identically.
* Schulze: pairwise support d[a][b] = total weight of ballots placing a above b; the strength of the
  direct link a→b is the margin d[a][b] − d[b][a] when positive; strongest paths by Floyd–Warshall
  (widest path). a beats b when p[a][b] > p[b][a]. Tiers are peeled off from the top: the first tier is
  every priority nobody beats, then the same among those left, and so on.
* Ties in the result are tiers; within a tier priorities keep their input (column) order, so the output
  is deterministic. Arithmetic is exact (fractions), so recounting gives the identical result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

Method = Literal["borda", "schulze"]
METHODS: tuple[Method, ...] = ("borda", "schulze")


class BallotError(ValueError):
    """A ballot that cannot be counted; the message says why, for the person who entered it."""


@dataclass(frozen=True)
class Ballot:
    voter: str
    group: str
    ranks: Mapping[str, int]
    weight: Fraction = field(default=Fraction(1))


def validate_ballot(ballot: Ballot, candidates: Sequence[str], *, allow_ties: bool = False) -> None:
    unknown = [c for c in ballot.ranks if c not in candidates]
    if unknown:
        raise BallotError(f"{ballot.voter}: unknown priority {unknown[0]!r}")
    if not ballot.ranks:
        raise BallotError(f"{ballot.voter}: ranks no priority")
    if ballot.weight <= 0:
        raise BallotError(f"{ballot.voter}: weight must be positive")
    for name, rank in ballot.ranks.items():
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            raise BallotError(f"{ballot.voter}: rank for {name!r} must be a positive whole number")
    if not allow_ties:
        seen: dict[int, str] = {}
        for name, rank in ballot.ranks.items():
            if rank in seen:
                raise BallotError(f"{ballot.voter}: rank {rank} given to both {seen[rank]!r} and {name!r}")
            seen[rank] = name


def _levels(ballot: Ballot, candidates: Sequence[str]) -> dict[str, int]:
    """Each candidate's level on the ballot: 0 is best; unranked candidates share the last level."""
    distinct = sorted(set(ballot.ranks.values()))
    level_of_rank = {r: i for i, r in enumerate(distinct)}
    bottom = len(distinct)
    return {c: level_of_rank[ballot.ranks[c]] if c in ballot.ranks else bottom for c in candidates}


def borda_scores(ballots: Iterable[Ballot], candidates: Sequence[str]) -> dict[str, Fraction]:
    scores = dict.fromkeys(candidates, Fraction(0))
    for ballot in ballots:
        levels = _levels(ballot, candidates)
        for c in candidates:
            below = sum(1 for d in candidates if levels[d] > levels[c])
            tied = sum(1 for d in candidates if d != c and levels[d] == levels[c])
            scores[c] += ballot.weight * (below + Fraction(tied, 2))
    return scores


def pairwise(ballots: Iterable[Ballot], candidates: Sequence[str]) -> dict[str, dict[str, Fraction]]:
    """d[a][b]: total weight of ballots that place a above b."""
    d = {a: dict.fromkeys(candidates, Fraction(0)) for a in candidates}
    for ballot in ballots:
        levels = _levels(ballot, candidates)
        for a in candidates:
            for b in candidates:
                if levels[a] < levels[b]:
                    d[a][b] += ballot.weight
    return d


def strongest_paths(
    d: Mapping[str, Mapping[str, Fraction]], candidates: Sequence[str]
) -> dict[str, dict[str, Fraction]]:
    p = {a: dict.fromkeys(candidates, Fraction(0)) for a in candidates}
    for a in candidates:
        for b in candidates:
            if a != b and d[a][b] > d[b][a]:
                p[a][b] = d[a][b] - d[b][a]
    for k in candidates:
        for a in candidates:
            if a == k:
                continue
            for b in candidates:
                if b in (a, k):
                    continue
                p[a][b] = max(p[a][b], min(p[a][k], p[k][b]))
    return p


def condorcet_winner(d: Mapping[str, Mapping[str, Fraction]], candidates: Sequence[str]) -> str | None:
    for a in candidates:
        if all(d[a][b] > d[b][a] for b in candidates if b != a):
            return a
    return None


def _tiers_by_score(scores: Mapping[str, Fraction], candidates: Sequence[str]) -> list[list[str]]:
    distinct = sorted(set(scores.values()), reverse=True)
    return [[c for c in candidates if scores[c] == s] for s in distinct]


def _tiers_by_beats(p: Mapping[str, Mapping[str, Fraction]], candidates: Sequence[str]) -> list[list[str]]:
    left = list(candidates)
    tiers: list[list[str]] = []
    while left:
        top = [a for a in left if not any(p[b][a] > p[a][b] for b in left if b != a)]
        # Schulze's beat relation is transitive, so someone is always unbeaten; guard anyway.
        top = top or left
        tiers.append(top)
        left = [c for c in left if c not in top]
    return tiers


@dataclass(frozen=True)
class Result:
    ranking: list[list[str]]
    scores: dict[str, Fraction] | dict[str, dict[str, Fraction]]
    condorcet_winner: str | None


def count(ballots: Sequence[Ballot], candidates: Sequence[str], method: Method) -> Result:
    d = pairwise(ballots, candidates)
    winner = condorcet_winner(d, candidates)
    if method == "borda":
        b = borda_scores(ballots, candidates)
        return Result(_tiers_by_score(b, candidates), b, winner)
    p = strongest_paths(d, candidates)
    scores = {a: {b: p[a][b] for b in candidates if b != a} for a in candidates}
    return Result(_tiers_by_beats(p, candidates), scores, winner)


def _number(x: Fraction) -> int | float:
    return int(x) if x.denominator == 1 else float(x)


def _result_json(result: Result) -> dict[str, object]:
    scores: dict[str, object] = {}
    for name, value in result.scores.items():
        if isinstance(value, Fraction):
            scores[name] = _number(value)
        else:
            scores[name] = {other: _number(v) for other, v in value.items()}
    return {"ranking": result.ranking, "scores": scores, "condorcet_winner": result.condorcet_winner}


def tally(ballots: Sequence[Ballot], candidates: Sequence[str], method: Method) -> dict[str, object]:
    """The contract's JSON: ranking, scores, condorcet_winner and the same per group (groups sorted)."""
    out = _result_json(count(ballots, candidates, method))
    out["method"] = method
    groups = sorted({b.group for b in ballots})
    out["groups"] = {
        g: _result_json(count([b for b in ballots if b.group == g], candidates, method)) for g in groups
    }
    return out
