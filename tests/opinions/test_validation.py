"""Sauti's pipeline against Polis' own output (polis-math) and Polis' own groups (openData).

Run `python -m tests.opinions.figures` to print the figures quoted in the issue.
"""

from __future__ import annotations

import numpy as np
import pytest

from sauti.opinions.polis import history_in_conv, replay

from .polisdata import (
    ARI_NAMES,
    MATH,
    MATH_NAMES,
    ari_against_polis,
    ari_relabelled,
    folder,
    math_analysis,
    math_blob,
    relabelled,
    zeroed_window,
)

# Kept in the conversation by Polis' history (sticky membership) although they now have fewer than 7 votes.
HISTORY_KEPT = {"below-100-ptpts": {5, 10, 11, 14}}
# above-100-ptpts: 31 participants Polis kept who first voted in 2018 with 2-6 votes, each with at least two on
# statements not moderated out, and whom no replay of today's rule admits: Polis' older counting does (below).
UNEXPLAINED = {"above-100-ptpts": 31}


@pytest.mark.parametrize("name", MATH_NAMES)
def test_in_conversation_set_without_history_is_a_subset(name: str) -> None:
    result = math_analysis(name, False)
    blob = math_blob(name)
    ours = {int(p) for p in result.pids[result.in_conv]}
    theirs = set(blob["in-conv"])
    assert ours <= theirs
    counts = blob["user-vote-counts"]
    for pid in theirs - ours:
        assert counts[str(pid)] < 7
    if name in HISTORY_KEPT:
        assert theirs - ours == HISTORY_KEPT[name]


@pytest.mark.parametrize("name", MATH_NAMES)
def test_in_conversation_set_replayed_from_history_equals_polis(name: str) -> None:
    votes = folder(str(MATH / name)).votes
    ours = set(history_in_conv(votes))
    theirs = set(math_blob(name)["in-conv"])
    assert ours <= theirs
    missing = len(theirs - ours)
    assert missing == UNEXPLAINED.get(name, 0), (name, missing)
    if name not in UNEXPLAINED:
        assert len(ours & theirs) / len(ours | theirs) == 1.0
        result = replay(votes)
        assert {int(p) for p in result.pids[result.in_conv]} == theirs


def test_polis_older_counting_explains_the_31() -> None:
    # Polis' older math counted votes on the moderated matrix, where each zeroed column is a vote for everyone.
    # Stopped at one moment common to the five conversations, the replay gives exactly Polis' in-conv on all of
    # them; used throughout, it admits people Polis did not, so it is not today's rule.
    windows = [zeroed_window(name) for name in MATH_NAMES]
    assert all(w is not None for w in windows)
    after = max(w[0] for w in windows if w is not None)
    before = min(w[1] for w in windows if w is not None)
    assert after < before
    name = "above-100-ptpts"
    votes, back = relabelled(folder(str(MATH / name)).votes, seed=1)
    polis = frozenset(math_blob(name)["in-conv"])
    for stop in (after + 1.0, (after + before) / 2, before):
        assert {back[p] for p in history_in_conv(votes, zeroed_until=stop)} == polis
    assert {back[p] for p in history_in_conv(votes, zeroed_until=float("inf"))} > polis
    assert {back[p] for p in history_in_conv(votes, zeroed_until=after - 1.0)} < polis


@pytest.mark.parametrize("name", MATH_NAMES)
def test_pca_matches_polis(name: str) -> None:
    result = math_analysis(name, False)
    blob = math_blob(name)
    tids = [int(t) for t in result.tids]
    assert tids == blob["tids"]
    for i in range(2):
        ours = -result.comps[i]
        theirs = np.array(blob["pca"]["comps"][i])
        cosine = abs(ours @ theirs) / np.linalg.norm(ours) / np.linalg.norm(theirs)
        assert cosine >= 0.999, (name, i, cosine)
    if name != "50ptpt-3gp-strict-no-meta":  # votes missing from that export (SOURCE.md)
        assert np.allclose(-result.center, blob["pca"]["center"], atol=1e-9)
        assert np.allclose(result.extremity, blob["pca"]["comment-extremity"], atol=1e-6)


@pytest.mark.parametrize("name", MATH_NAMES)
def test_consensus_matches_polis(name: str) -> None:
    result = math_analysis(name, False)
    blob = math_blob(name)
    for direction in ("agree", "disagree"):
        assert [r["tid"] for r in result.consensus[direction]] == [
            r["tid"] for r in blob["consensus"][direction]
        ]
        for ours, theirs in zip(result.consensus[direction], blob["consensus"][direction], strict=True):
            assert ours["p-success"] == pytest.approx(theirs["p-success"], abs=1e-9)
            assert ours["p-test"] == pytest.approx(theirs["p-test"], abs=1e-9)


@pytest.mark.parametrize("name", MATH_NAMES)
def test_repness_and_group_aware_consensus_given_polis_groups(name: str) -> None:
    result = math_analysis(name, True)
    blob = math_blob(name)
    assert {str(g) for g in result.repness} == set(blob["repness"])
    for g, rows in result.repness.items():
        theirs = blob["repness"][str(g)]
        assert [r["tid"] for r in rows] == [r["tid"] for r in theirs]
        for ours, polis in zip(rows, theirs, strict=True):
            assert ours["repful-for"] == polis["repful-for"]
            assert ours["p-success"] == pytest.approx(polis["p-success"], abs=1e-6)
            assert ours["repness"] == pytest.approx(polis["repness"], abs=1e-6)
            assert ours["repness-test"] == pytest.approx(
                polis["repness-test"], abs=1e-5
            )  # Polis keeps a float32
    gac = dict(zip((int(t) for t in result.tids), result.group_aware_consensus, strict=True))
    for tid, value in blob["group-aware-consensus"].items():
        assert abs(gac[int(tid)] - value) <= 1e-6


def test_mod_out_includes_meta_and_rejected() -> None:
    name = "above-100-ptpts"
    assert folder(str(MATH / name)).votes.mod_out == frozenset(math_blob(name)["mod-out"])


@pytest.mark.parametrize("name", ARI_NAMES)
def test_groups_without_history_agree_with_polis_by_adjusted_rand(name: str) -> None:
    ari, n = ari_against_polis(name)
    assert n > 100
    assert ari >= 0.4, (name, ari)


# Polis' groups from the history replay (Seattle, vTaiwan: votes.csv has times) or, for Bowling Green (no
# votes.csv in the copy), the final votes alone; ids re-labelled and rows shuffled.
RELABELLED_FLOOR = {"15-per-hour-seattle": 0.8, "vtaiwan.uberx": 0.8, "american-assembly.bowling-green": 0.45}


@pytest.mark.parametrize("name", ARI_NAMES)
def test_groups_relabelled_and_shuffled_agree_with_polis(name: str) -> None:
    ari, n = ari_relabelled(name, seed=1)
    assert n > 100
    assert ari >= RELABELLED_FLOOR[name], (name, ari)


def test_history_replay_lifts_the_mean_adjusted_rand() -> None:
    scores = [ari_relabelled(name, seed=1)[0] for name in ARI_NAMES]
    assert sum(scores) / len(scores) >= 0.7, scores


@pytest.mark.parametrize("name", ARI_NAMES)
def test_unclustered_participants_are_those_outside_in_conversation(name: str) -> None:
    from .polisdata import opendata_analysis, opendata_groups

    result = opendata_analysis(name)
    polis = opendata_groups(name)
    ours = {int(p) for p in result.pids[result.in_conv]}
    theirs = {p for p, g in polis.items() if g is not None}
    # Polis may keep a couple from history (sticky membership); never the other way round.
    assert ours <= theirs
    assert len(theirs - ours) <= 2
