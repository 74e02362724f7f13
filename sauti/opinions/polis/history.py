"""Replay Polis' update history from timestamped votes, so the in-conversation set and the groups come out as
Polis' own math worker left them.

Polis' math worker polls for new votes and runs one update per batch; each update keeps the in-conversation set
(once in, always in), starts PCA from the previous components, base clusters and groups from the previous
clusters, and smooths the group count. Two things depend on that history and are replayed here:

- **in-conversation set**, at the cadence of Polis' batches (approximation: a batch ends when no vote arrives
  for `GAP_MS`), checking after each batch who has at least min(7, statements voted on so far) votes and
  topping up to 15 with the most active. Cheap: counting only.
- **clusters**, by full warm-started updates (`pipeline.analyze(..., state=...)`) at a coarser cadence: after
  a batch once the vote count has grown by `GROWTH` since the last update (and always at the end), so the
  number of updates grows with the logarithm of the conversation's size.

Votes are as the export gives them (latest per participant and statement, or every row with its time);
moderation is today's for the whole replay (exports do not say when a statement was moderated).

Polis' older counting (`zeroed_until`): an earlier version of Polis' math counted each participant's votes on
the rating matrix *after* moderation, where `zero-out-columns` writes 0 into every cell of a moderated-out or
meta statement's column, voted or not; so every such statement with at least one vote counted as a vote for
everyone. Today's Polis counts on the raw matrix. Exports do not say which version ran when, so the older
counting is off unless the caller gives the moment it stopped (see docs/decisions.md, issue 19 session 5).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .data import Events, NotEnoughData, Votes
from .pipeline import MIN_IN_CONV, MIN_VOTES, Analysis, State, analyze

GAP_MS = 60_000.0  # a batch of votes ends after a minute without votes (Polis polls every second)
GROWTH = 0.08  # a clustering update once the votes have grown by 8% since the last one
MIN_STEP = 20  # ... and by at least this many votes


def batch_ends(times: npt.NDArray[np.float64], gap: float = GAP_MS) -> npt.NDArray[np.int64]:
    """End index (exclusive) of each batch: a new batch starts after a pause longer than `gap`."""
    if len(times) == 0:
        return np.zeros(0, dtype=np.int64)
    breaks = np.flatnonzero(np.diff(times) > gap) + 1
    return np.append(breaks, len(times)).astype(np.int64)


def in_conv_history(
    events: Events,
    ends: npt.NDArray[np.int64],
    *,
    zeroed: frozenset[int] = frozenset(),
    zeroed_until: float | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Replay the in-conversation rule batch by batch. Returns the participant ids (ascending) and, for each,
    the index of the batch after which it joined (len(ends) = never).

    Batches ending before `zeroed_until` (ms) count votes as Polis' older math did: votes on statements not in
    `zeroed`, plus one for each statement of `zeroed` that has a vote so far (its whole column was set to 0)."""
    pids, p_idx = np.unique(events.pids, return_inverse=True)
    tids, t_idx = np.unique(events.tids, return_inverse=True)
    zeroed_col = np.isin(tids, np.fromiter(zeroed, dtype=np.int64, count=len(zeroed)))
    col_seen = np.zeros(len(tids), dtype=bool)
    kept_counts = np.zeros(len(pids), dtype=np.int64)
    pair = p_idx.astype(np.int64) * len(tids) + t_idx
    # Only a participant's first vote on a statement adds to their count (later rows change their mind).
    _u, first_pair = np.unique(pair, return_index=True)
    new_pair = np.zeros(len(pair), dtype=bool)
    new_pair[first_pair] = True
    _u, first_tid = np.unique(t_idx, return_index=True)
    new_tid = np.zeros(len(t_idx), dtype=bool)
    new_tid[first_tid] = True
    n_cmts_after = np.cumsum(new_tid)

    counts = np.zeros(len(pids), dtype=np.int64)
    seen = np.zeros(len(pids), dtype=bool)
    joined = np.full(len(pids), len(ends), dtype=np.int64)
    inside = np.zeros(len(pids), dtype=bool)
    n_inside = 0
    start = 0
    for b, end in enumerate(ends):
        rows = slice(start, int(end))
        first = new_pair[rows]
        who = p_idx[rows][first]
        np.add.at(counts, who, 1)
        seen[p_idx[rows]] = True
        threshold = min(MIN_VOTES, int(n_cmts_after[end - 1]))
        if zeroed_until is not None and events.times[end - 1] < zeroed_until:
            np.add.at(kept_counts, who[~zeroed_col[t_idx[rows][first]]], 1)
            col_seen[t_idx[rows]] = True
            # A new zeroed column changes everyone's count, so everyone seen is checked.
            effective = kept_counts + int((col_seen & zeroed_col).sum())
            touched = np.flatnonzero(seen)
        else:
            effective = counts
            touched = np.unique(p_idx[rows])
        fresh = touched[(effective[touched] >= threshold) & ~inside[touched]]
        inside[fresh] = True
        joined[fresh] = b
        n_inside += len(fresh)
        if n_inside < MIN_IN_CONV:
            # Top up with the most active participants not yet in (ties: lower id first).
            candidates = np.flatnonzero(seen & ~inside)
            order = candidates[np.lexsort((candidates, -effective[candidates]))]
            extra = order[: MIN_IN_CONV - n_inside]
            inside[extra] = True
            joined[extra] = b
            n_inside += len(extra)
        start = int(end)
    return pids.astype(np.int64), joined


def history_in_conv(
    votes: Votes, gap: float = GAP_MS, *, zeroed_until: float | None = None
) -> frozenset[int]:
    """Everyone Polis' history would have let into the conversation (empty without timestamps)."""
    if votes.events is None:
        return frozenset()
    ends = batch_ends(votes.events.times, gap)
    pids, joined = in_conv_history(votes.events, ends, zeroed=votes.mod_out, zeroed_until=zeroed_until)
    return frozenset(int(p) for p in pids[joined < len(ends)])


def _latest(events: Events, end: int, like: Votes) -> Votes:
    return Votes.from_events(
        events.pids[:end],
        events.tids[:end],
        events.values[:end],
        mod_out=like.mod_out,
        meta=like.meta,
        statement_ids=like.statement_ids,
        groups_hint=like.groups_hint,
    )


def replay(
    votes: Votes,
    *,
    groups: int | None = None,
    seed: int = 0,
    growth: float = GROWTH,
    gap: float = GAP_MS,
    zeroed_until: float | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> Analysis:
    """The analysis Polis' history leads to: warm-started updates over the timestamped votes, ending on all
    of them. `votes.events` is required (see `Votes.from_events` with times)."""
    events = votes.events
    if events is None:
        raise ValueError("the votes carry no timestamps: nothing to replay")
    ends = batch_ends(events.times, gap)
    pids, joined = in_conv_history(events, ends, zeroed=votes.mod_out, zeroed_until=zeroed_until)
    state: State | None = None
    last = 0
    chosen: list[int] = []
    for b, end in enumerate(ends):
        if b == len(ends) - 1 or int(end) - last >= max(MIN_STEP, growth * last):
            chosen.append(b)
            last = int(end)
    result: Analysis | None = None
    for i, b in enumerate(chosen):
        end = int(ends[b])
        keep = frozenset(int(p) for p in pids[joined <= b])
        final = b == len(ends) - 1
        snapshot = votes if final else _latest(events, end, votes)
        try:
            result = analyze(snapshot, groups=groups, keep=keep, seed=seed, state=state)
        except NotEnoughData:
            if final:
                raise
            continue
        state = result.state
        if progress is not None:
            progress(i + 1, len(chosen))
    assert result is not None
    return result
