"""The live map: one vote patched in gives the same map as a warm-started run over all the votes."""

from __future__ import annotations

import numpy as np

from sauti.opinions.polis import Votes, analyze
from sauti.opinions.polis.live import LiveMap


def _camps(n: int = 60, statements: int = 12, seed: int = 4) -> Votes:
    rng = np.random.default_rng(seed)
    pids, tids, values = [], [], []
    for p in range(n):
        for t in range(statements):
            if rng.random() < 0.15:
                continue
            likes = (t % 2 == p % 2) if t != 5 else True
            pids.append(p)
            tids.append(t)
            values.append(0 if rng.random() < 0.1 else (1 if likes else -1))
    return Votes.from_events(pids, tids, values, mod_out=frozenset({11}))


def _with(votes: Votes, extra: list[tuple[int, int, int]]) -> Votes:
    e = np.array(extra, dtype=np.int64)
    return Votes.from_events(
        np.concatenate([votes.pids, e[:, 0]]),
        np.concatenate([votes.tids, e[:, 1]]),
        np.concatenate([votes.values.astype(np.int64), e[:, 2]]),
        mod_out=votes.mod_out,
    )


def test_live_votes_match_a_warm_full_run() -> None:
    votes = _camps()
    first = analyze(votes, groups=2)
    live = LiveMap(votes, first, groups=2)
    extra = [
        (3, 4, -1),
        (60, 0, 1),
        (60, 2, 1),
        (61, 12, 1),
        (7, 11, 1),
    ]  # changed mind, newcomer, new statement
    state = first.state
    for i in range(len(extra)):
        patched = live.vote(*extra[i])
        full = analyze(_with(votes, extra[: i + 1]), groups=2, state=state)
        state = patched.state
        assert patched.pids.tolist() == full.pids.tolist() and patched.tids.tolist() == full.tids.tolist()
        assert np.allclose(patched.center, full.center)
        for k in range(2):
            assert abs(float(patched.comps[k] @ full.comps[k])) > 0.999999
        assert np.allclose(np.abs(patched.proj), np.abs(full.proj), atol=1e-6)
        assert patched.in_conv.tolist() == full.in_conv.tolist()
        assert patched.group_of.tolist() == full.group_of.tolist()
        assert patched.to_json()["repness"] == full.to_json()["repness"]
        assert patched.consensus == full.consensus
        assert np.allclose(patched.group_aware_consensus, full.group_aware_consensus)
    # The groups keep their numbers: camp of even participants stays in one group.
    assert (
        len({int(g) for p, g in zip(patched.pids, patched.group_of, strict=True) if p % 2 == 0 and p < 60})
        == 1
    )


def test_a_long_run_of_votes_stays_equal_to_warm_full_runs() -> None:
    """The kept covariance-times-basis product is patched vote after vote: it must not drift."""
    votes = _camps(n=40, statements=10, seed=7)
    first = analyze(votes, groups=2)
    live = LiveMap(votes, first, groups=2)
    rng = np.random.default_rng(3)
    extra: list[tuple[int, int, int]] = []
    state = first.state
    for _ in range(30):
        vote = (int(rng.integers(0, 44)), int(rng.integers(0, 11)), int(rng.choice([1, -1, 0])))
        extra.append(vote)
        patched = live.vote(*vote)
        full = analyze(_with(votes, extra), groups=2, state=state)
        state = patched.state
        assert np.allclose(np.abs(patched.proj), np.abs(full.proj), atol=1e-6)
        assert patched.group_of.tolist() == full.group_of.tolist()
    assert np.allclose(live.cov_basis, live.cov @ live.basis, atol=1e-9)
