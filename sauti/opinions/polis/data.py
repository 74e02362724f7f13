"""The input of the opinion-map pipeline: latest votes plus what moderation says about each statement.

Votes use Sauti's sign convention everywhere outside the math blob: 1 = agree, -1 = disagree, 0 = pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

AGREE = 1
DISAGREE = -1
PASS = 0


class PolisDataError(ValueError):
    """The input cannot be read as a conversation (the message says why, for the person who gave it)."""


class NotEnoughData(ValueError):
    """The conversation is readable but too small to analyse yet."""


@dataclass
class Events:
    """Every vote row in time order (history rows included): what a replay of Polis' updates reads."""

    pids: npt.NDArray[np.int64]
    tids: npt.NDArray[np.int64]
    values: npt.NDArray[np.int8]
    times: npt.NDArray[np.float64]  # ms since the epoch (Polis' `created` / `modified`)

    def __len__(self) -> int:
        return len(self.pids)


@dataclass
class Votes:
    """Latest vote per (participant, statement), as parallel arrays; ids are those of the source."""

    pids: npt.NDArray[np.int64]
    tids: npt.NDArray[np.int64]
    values: npt.NDArray[np.int8]
    mod_out: frozenset[int] = field(default_factory=frozenset)
    meta: frozenset[int] = field(default_factory=frozenset)
    statement_ids: tuple[int, ...] = ()
    groups_hint: int | None = None
    # The vote rows in time order when the source gave times (None without them): enables the history replay.
    events: Events | None = None

    @classmethod
    def from_events(
        cls,
        pids: Sequence[int] | npt.NDArray[np.int64],
        tids: Sequence[int] | npt.NDArray[np.int64],
        values: Sequence[int] | npt.NDArray[np.integer],
        times: Sequence[float] | npt.NDArray[np.float64] | None = None,
        *,
        mod_out: frozenset[int] = frozenset(),
        meta: frozenset[int] = frozenset(),
        statement_ids: Sequence[int] = (),
        groups_hint: int | None = None,
    ) -> Votes:
        """Keep the latest vote per (participant, statement): by time, then by position in the input."""
        p = np.asarray(pids, dtype=np.int64)
        t = np.asarray(tids, dtype=np.int64)
        v = np.asarray(values, dtype=np.int64)
        if not (p.shape == t.shape == v.shape):
            raise PolisDataError("participant, statement and vote columns have different lengths")
        bad = (v < -1) | (v > 1)
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise PolisDataError(f"vote {int(v[first])} (row {first + 1}) is not one of -1, 0, 1")
        if len(p) and (p.min() < 0 or t.min() < 0):
            raise PolisDataError("participant and statement ids must not be negative")
        # One sort on a combined (participant, statement) key; stable, so equal times keep input order.
        key = p * (int(t.max(initial=0)) + 1) + t
        events = None
        if times is None:
            idx = np.argsort(key, kind="stable")
        else:
            when = np.asarray(times, dtype=np.float64)
            by_time = np.argsort(when, kind="stable")
            idx = by_time[np.argsort(key[by_time], kind="stable")]
            if len(when) and bool((when > 0).all()):
                events = Events(p[by_time], t[by_time], v[by_time].astype(np.int8), when[by_time])
        key, p, t, v = key[idx], p[idx], t[idx], v[idx]
        last = np.ones(len(p), dtype=bool)
        if len(p) > 1:
            last[:-1] = key[1:] != key[:-1]
        return cls(
            pids=p[last],
            tids=t[last],
            values=v[last].astype(np.int8),
            mod_out=frozenset(mod_out),
            meta=frozenset(meta),
            statement_ids=tuple(sorted(set(statement_ids))),
            groups_hint=groups_hint,
            events=events,
        )

    @property
    def participant_count(self) -> int:
        return len(np.unique(self.pids))
