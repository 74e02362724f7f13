"""Live opinion map: one new vote patches the map instead of recomputing it.

`LiveMap` keeps in memory what a full run rebuilds from the vote list: the dense vote matrix of the latest
votes, the column means, the centred matrix X, its covariance XᵀX (built once) and the vote counts of each
group. A new vote on statement j changes only column j of X (its mean and one cell), hence only row and column j
of the covariance. The components then come from a few power (subspace) iterations on the covariance started
from the previous ones, as Polis' own power iteration starts from them; the projection and the warm-started
clusters follow, and only participants whose group changed move their votes between the groups' counts. Meant for conversations that fit a dense matrix (e.g. Bowling Green's 2,031 x 896 is 15 MB); bigger
ones are recomputed in full.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .data import NotEnoughData, Votes
from .pipeline import (
    BASE_K,
    MIN_IN_CONV,
    MIN_VOTES,
    Analysis,
    FloatArray,
    IntArray,
    State,
    _groups,
    _warm_kmeans,
    assemble,
)

POWER_ITERATIONS = 100  # Polis' pca-iters; the warm start usually converges in a handful
POWER_TOL = 1e-8  # residual relative to the top eigenvalue (Polis validates components to about 1e-4)


class LiveMap:
    def __init__(self, votes: Votes, result: Analysis, *, groups: int | None = None) -> None:
        self.groups = groups
        self.pids = result.pids.copy()
        self.tids = result.tids.copy()
        self.p_pos = {int(p): i for i, p in enumerate(self.pids)}
        self.t_pos = {int(t): j for j, t in enumerate(self.tids)}
        n_p, n_t = len(self.pids), len(self.tids)
        self.values = np.zeros((n_p, n_t), dtype=np.float64)
        self.voted = np.zeros((n_p, n_t), dtype=bool)
        rows = np.searchsorted(self.pids, votes.pids)
        cols = np.searchsorted(self.tids, votes.tids)
        self.values[rows, cols] = votes.values
        self.voted[rows, cols] = True
        self.mod_out = np.isin(
            self.tids, np.fromiter(votes.mod_out, dtype=np.int64, count=len(votes.mod_out))
        )
        self.meta = np.isin(self.tids, np.fromiter(votes.meta, dtype=np.int64, count=len(votes.meta)))
        self.mod_out_ids = sorted(votes.mod_out)
        live = self.voted & ~self.mod_out[None, :]
        seen = live.sum(0)
        self.center = np.divide((self.values * live).sum(0), seen, out=np.zeros(n_t), where=seen > 0)
        self.x = np.where(live, self.values - self.center[None, :], 0.0)
        self.cov = self.x.T @ self.x  # once; afterwards a vote patches one row and column
        self.agree = self.voted & (self.values > 0)
        self.disagree = self.voted & (self.values < 0)
        self.group_of = result.group_of.copy()
        self.k = result.k
        self.counts = self._group_counts(self.group_of, self.k)
        self.totals = np.stack([m.sum(0, dtype=np.int64) for m in (self.agree, self.disagree, self.voted)])
        self.row_votes = self.voted.sum(1, dtype=np.int64)  # every vote (the in-conversation rule)
        self.row_live = live.sum(1, dtype=np.int64)  # votes on statements not moderated out (projection)
        self.comps = result.comps.copy()
        self.in_conv = result.in_conv.copy()
        self.state = result.state
        self.result = result

    # --- growing the matrix ---------------------------------------------------------------------------

    def _row(self, pid: int) -> int:
        if pid not in self.p_pos:
            at = int(np.searchsorted(self.pids, pid))
            self.pids = np.insert(self.pids, at, pid)
            self.values = np.insert(self.values, at, 0.0, axis=0)
            self.voted = np.insert(self.voted, at, False, axis=0)
            self.x = np.insert(self.x, at, 0.0, axis=0)
            self.agree = np.insert(self.agree, at, False, axis=0)
            self.disagree = np.insert(self.disagree, at, False, axis=0)
            self.in_conv = np.insert(self.in_conv, at, False)
            self.group_of = np.insert(self.group_of, at, -1)
            self.row_votes = np.insert(self.row_votes, at, 0)
            self.row_live = np.insert(self.row_live, at, 0)
            self.p_pos = {int(p): i for i, p in enumerate(self.pids)}
        return self.p_pos[pid]

    def _col(self, tid: int) -> int:
        if tid not in self.t_pos:
            at = int(np.searchsorted(self.tids, tid))
            self.tids = np.insert(self.tids, at, tid)
            self.values = np.insert(self.values, at, 0.0, axis=1)
            self.voted = np.insert(self.voted, at, False, axis=1)
            self.x = np.insert(self.x, at, 0.0, axis=1)
            self.cov = np.insert(np.insert(self.cov, at, 0.0, axis=0), at, 0.0, axis=1)
            self.agree = np.insert(self.agree, at, False, axis=1)
            self.disagree = np.insert(self.disagree, at, False, axis=1)
            self.counts = np.insert(self.counts, at, 0, axis=2)
            self.totals = np.insert(self.totals, at, 0, axis=1)
            self.center = np.insert(self.center, at, 0.0)
            self.comps = np.insert(self.comps, at, 0.0, axis=1)
            self.mod_out = np.insert(self.mod_out, at, False)
            self.meta = np.insert(self.meta, at, False)
            self.t_pos = {int(t): j for j, t in enumerate(self.tids)}
        return self.t_pos[tid]

    # --- one vote -------------------------------------------------------------------------------------

    def vote(self, pid: int, tid: int, value: int) -> Analysis:
        """Record the latest vote of `pid` on `tid` and return the updated map."""
        j = self._col(tid)
        i = self._row(pid)
        before = np.array([self.agree[i, j], self.disagree[i, j], self.voted[i, j]], dtype=np.int64)
        self.values[i, j] = value
        self.voted[i, j] = True
        self.agree[i, j], self.disagree[i, j] = value > 0, value < 0
        delta = np.array([value > 0, value < 0, True], dtype=np.int64) - before
        self.totals[:, j] += delta
        self.row_votes[i] += delta[2]
        if not self.mod_out[j]:
            self.row_live[i] += delta[2]
        if self.group_of[i] >= 0:
            self.counts[self.group_of[i], :, j] += delta
        if not self.mod_out[j]:
            column = self.voted[:, j]
            self.center[j] = float(self.values[column, j].mean())
            x_j = np.where(column, self.values[:, j] - self.center[j], 0.0)
            self.x[:, j] = x_j
            c_j = self.x.T @ x_j  # only row and column j of XᵀX change
            self.cov[:, j] = c_j
            self.cov[j, :] = c_j
        self._power_iteration()
        return self._assemble()

    def _group_counts(self, group_of: IntArray, k: int) -> IntArray:
        """Agree, disagree and seen counts: k x 3 x statements."""
        return np.stack(
            [
                np.stack(
                    [m[group_of == g].sum(0, dtype=np.int64) for m in (self.agree, self.disagree, self.voted)]
                )
                for g in range(k)
            ]
        ).reshape(k, 3, -1)

    def _power_iteration(self) -> None:
        """Subspace iteration on the covariance from the previous components (Rayleigh-Ritz to order them)
        until the residual is negligible; orientation kept."""
        previous = self.comps.copy()
        v = previous.T.copy()
        if float(np.abs(v).sum()) == 0:
            v = np.random.default_rng(0).standard_normal(v.shape)
        v, _r = np.linalg.qr(v)
        for _ in range(POWER_ITERATIONS):
            w = self.cov @ v
            evals, evecs = np.linalg.eigh(v.T @ w)
            order = evecs[:, ::-1]
            v, w = v @ order, w @ order
            residual = float(np.abs(w - v * evals[::-1][None, :]).max())
            if residual <= POWER_TOL * max(float(evals.max()), 1e-12):
                break
            v, _r = np.linalg.qr(w)
        comps = v.T.copy()
        for k in range(2):
            if float(comps[k] @ previous[k]) < 0:
                comps[k] = -comps[k]
        self.comps = comps

    def _assemble(self) -> Analysis:
        n_p, n_t = self.values.shape
        comps = self.comps
        n_votes = self.row_live + int(self.mod_out.sum())
        proj: FloatArray = (self.x @ comps.T) * np.sqrt(n_t / np.maximum(n_votes, 1))[:, None]
        comment_proj = ((1.0 - self.center)[:, None] * comps.T) * math.sqrt(n_t)
        comment_proj[self.mod_out] = 0.0
        extremity = np.sqrt((comment_proj**2).sum(1))

        counts = self.row_votes
        self.in_conv |= counts >= min(MIN_VOTES, n_t)
        if self.in_conv.sum() < MIN_IN_CONV:
            for r in np.lexsort((self.pids, -counts)):
                if self.in_conv.sum() >= MIN_IN_CONV:
                    break
                self.in_conv[r] = True
        conv_idx = np.flatnonzero(self.in_conv)
        conv_pids = self.pids[conv_idx]
        state = self.state
        previous_base = tuple(zip(state.base_ids, state.base_members, strict=True))
        base_centers, base_ids, base_labels = _warm_kmeans(
            proj[conv_idx], np.ones(len(conv_idx)), conv_pids, previous_base, BASE_K, max_iter=100, tol=0.01
        )
        base_members = [conv_pids[base_labels == b] for b in range(len(base_centers))]
        base_counts = np.array([len(b) for b in base_members], dtype=np.float64)
        if len(base_centers) < 2:
            raise NotEnoughData("not enough data yet: everyone in the conversation voted the same way")
        base_group, k, silhouettes, clusterings, smoother = _groups(
            base_centers, base_counts, base_ids, self.groups, state
        )
        group_of = np.full(n_p, -1, dtype=np.int64)
        group_of[conv_idx] = base_group[base_labels]

        if k != self.k:
            self.counts = self._group_counts(group_of, k)
        else:
            # Only the participants whose group changed move their votes between the groups' counts.
            for r in np.flatnonzero(group_of != self.group_of):
                row = np.stack([self.agree[r], self.disagree[r], self.voted[r]]).astype(np.int64)
                if self.group_of[r] >= 0:
                    self.counts[self.group_of[r]] -= row
                if group_of[r] >= 0:
                    self.counts[group_of[r]] += row
        self.group_of, self.k = group_of, k
        na, nd, ns = (self.counts[:, c, :].copy() for c in range(3))
        totals: tuple[IntArray, IntArray, IntArray] = (
            self.totals[0].copy(),
            self.totals[1].copy(),
            self.totals[2].copy(),
        )
        self.state = State(
            in_conv=frozenset(conv_pids.tolist()),
            tids=tuple(self.tids.tolist()),
            comps=tuple(tuple(row) for row in comps.tolist()),
            base_ids=tuple(base_ids.tolist()),
            base_members=tuple(tuple(m.tolist()) for m in base_members),
            groups=clusterings,
            last_k=smoother[0],
            last_k_count=int(smoother[1]),
            smoothed_k=smoother[2],
        )
        in_conv: npt.NDArray[np.bool_] = self.in_conv.copy()
        self.result = assemble(
            pids=self.pids.copy(),
            tids=self.tids.copy(),
            in_conv=in_conv,
            center=self.center.copy(),
            comps=comps.copy(),
            proj=proj,
            comment_proj=comment_proj,
            extremity=extremity,
            base_members=base_members,
            base_centers=base_centers,
            group_of=group_of.copy(),
            group_ids=list(range(k)),
            silhouettes=silhouettes,
            group_counts=(na, nd, ns),
            conv_counts=(na.sum(0), nd.sum(0), ns.sum(0)),
            total_counts=totals,
            mod_out=self.mod_out.copy(),
            meta=self.meta.copy(),
            mod_out_ids=self.mod_out_ids,
            state=self.state,
        )
        return self.result
