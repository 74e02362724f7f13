"""Counting against hand-worked examples and, on random ballots, against pref_voting as an oracle."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from pref_voting.margin_based_methods import beat_path, beat_path_defeat
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.scoring_methods import symmetric_borda_scores

from sauti.dialogues.counting import Ballot, BallotError, count, tally, validate_ballot

C = ["water", "security", "school"]


def b(voter: str, group: str, weight: int = 1, **ranks: int) -> Ballot:
    return Ballot(voter=voter, group=group, ranks=ranks, weight=Fraction(weight))


def test_it_gives_complete_ballots_m_minus_one_down_to_zero() -> None:
    r = count([b("v1", "a", water=1, security=2, school=3)], C, "borda")
    assert r.scores == {"water": Fraction(2), "security": Fraction(1), "school": Fraction(0)}
    assert r.ranking == [["water"], ["security"], ["school"]]


def test_it_shares_the_leftover_points_among_unranked_priorities() -> None:
    r = count([b("v1", "a", security=1)], C, "borda")
    assert r.scores == {"water": Fraction(1, 2), "security": 2, "school": Fraction(1, 2)}
    assert r.ranking == [["security"], ["water", "school"]]


def test_it_multiplies_points_by_the_weight() -> None:
    r = count([b("v1", "a", 3, water=1, security=2), b("v2", "b", 1, school=1, security=2)], C, "borda")
    assert r.scores == {"water": Fraction(6), "security": Fraction(4), "school": Fraction(2)}


def test_schulze_finds_the_condorcet_winner_that_borda_misses() -> None:
    # 3 voters prefer A>B>C, 2 prefer B>C>A: Borda ties/favours B, A beats B and C head to head.
    ballots = [b(f"x{i}", "g", A=1, B=2, C=3) for i in range(3)] + [
        b(f"y{i}", "g", B=1, C=2, A=3) for i in range(2)
    ]
    borda = count(ballots, ["A", "B", "C"], "borda")
    schulze = count(ballots, ["A", "B", "C"], "schulze")
    assert borda.ranking[0] == ["B"]
    assert schulze.ranking[0] == ["A"]
    assert schulze.condorcet_winner == "A" == borda.condorcet_winner


def test_a_cycle_has_no_condorcet_winner_and_schulze_still_ranks() -> None:
    ballots = (
        [b(f"a{i}", "g", A=1, B=2, C=3) for i in range(5)]
        + [b(f"b{i}", "g", B=1, C=2, A=3) for i in range(4)]
        + [b(f"c{i}", "g", C=1, A=2, B=3) for i in range(3)]
    )
    r = count(ballots, ["A", "B", "C"], "schulze")
    assert r.condorcet_winner is None
    # margins A>B 4, B>C 6, C>A 2: the weakest link C>A breaks, so A, B, C.
    assert r.ranking == [["A"], ["B"], ["C"]]
    assert r.scores["A"]["C"] == 4  # type: ignore[index]


def test_per_group_rankings_show_where_groups_disagree() -> None:
    out = tally([b("v1", "youth", water=1, security=2), b("v2", "women", security=1, water=2)], C, "borda")
    groups = out["groups"]
    assert isinstance(groups, dict)
    assert groups["youth"]["ranking"][0] == ["water"]
    assert groups["women"]["ranking"][0] == ["security"]
    assert out["ranking"] == [["water", "security"], ["school"]]


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ({}, "ranks no priority"),
        ({"water": 0}, "positive"),
        ({"water": 1, "school": 1}, "both"),
        ({"roads": 1}, "unknown"),
    ],
)
def test_it_rejects_bad_ballots(ranks: dict[str, int], message: str) -> None:
    with pytest.raises(BallotError, match=message):
        validate_ballot(Ballot("v1", "g", ranks), C)


def test_ties_within_a_ballot_are_allowed_only_when_asked() -> None:
    validate_ballot(Ballot("g", "g", {"water": 1, "school": 1}), C, allow_ties=True)


def _random_ballots(rng: random.Random, ties: bool) -> tuple[list[str], list[Ballot]]:
    m = rng.randint(2, 6)
    cands = [f"p{i}" for i in range(m)]
    ballots = []
    for v in range(rng.randint(1, 12)):
        k = rng.randint(1, m)
        chosen = rng.sample(cands, k)
        ranks = {c: rng.randint(1, k) for c in chosen} if ties else {c: i + 1 for i, c in enumerate(chosen)}
        ballots.append(Ballot(f"v{v}", rng.choice("ab"), ranks, Fraction(rng.randint(1, 4))))
    return cands, ballots


def _profile(cands: list[str], ballots: list[Ballot]) -> ProfileWithTies:
    # Unranked priorities tie below the ranked ones: give pref_voting that bottom tier explicitly.
    rankings = []
    for bl in ballots:
        bottom = max(bl.ranks.values()) + 1
        rankings.append({cands.index(c): bl.ranks.get(c, bottom) for c in cands})
    return ProfileWithTies(
        rankings, rcounts=[int(bl.weight) for bl in ballots], candidates=list(range(len(cands)))
    )


@pytest.mark.parametrize("seed", range(300))
@pytest.mark.parametrize("ties", [False, True])
def test_it_agrees_with_pref_voting_on_random_ballots(seed: int, ties: bool) -> None:
    rng = random.Random(seed)
    cands, ballots = _random_ballots(rng, ties)
    prof = _profile(cands, ballots)
    m, total = len(cands), sum(bl.weight for bl in ballots)

    borda = count(ballots, cands, "borda")
    sym = symmetric_borda_scores(prof)
    for i, c in enumerate(cands):
        assert sym[i] == 2 * borda.scores[c] - (m - 1) * total  # type: ignore[operator]

    schulze = count(ballots, cands, "schulze")
    assert sorted(cands.index(c) for c in schulze.ranking[0]) == sorted(beat_path(prof))
    # Later tiers: peel the unbeaten off pref_voting's defeat graph (strongest paths over all priorities).
    defeats = beat_path_defeat(prof)
    left = list(range(m))
    for tier in schulze.ranking:
        unbeaten = [i for i in left if not any(defeats.has_edge(j, i) for j in left)]
        assert sorted(cands.index(c) for c in tier) == unbeaten
        left = [i for i in left if i not in unbeaten]

    cw = prof.condorcet_winner()
    assert schulze.condorcet_winner == (None if cw is None else cands[cw]) == borda.condorcet_winner


def test_recounting_gives_the_identical_result() -> None:
    cands, ballots = _random_ballots(random.Random(7), ties=True)
    assert tally(ballots, cands, "schulze") == tally(list(ballots), cands, "schulze")
    assert tally(ballots, cands, "borda") == tally(ballots, cands, "borda")
