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
from scipy import sparse

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
    _members,
    _warm_kmeans,
    assemble,
)

POWER_ITERATIONS = 100  # Polis' pca-iters; the warm start usually converges in a handful
POWER_TOL = 1e-8  # residual relative to the top eigenvalue (Polis validates components to about 1e-4)
# The iteration carries a few more directions than the two components: the error then shrinks by
# lambda_(BLOCK+1)/lambda_2 per step instead of lambda_3/lambda_2, and one product with the covariance costs
# about the same for 6 columns as for 2 (reading the matrix dominates).
BLOCK = 6


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
        # The same centred matrix kept sparse by column (cells voted on statements not moderated out) for the
        # projection: 8x less to read than the dense one at Bowling Green's density.
        coo = np.nonzero(live.T)
        self.sp_indptr = np.concatenate([[0], np.cumsum(np.bincount(coo[0], minlength=n_t))]).astype(np.int64)
        self.sp_indices = coo[1].astype(np.int64)
        self.sp_data = self.x[coo[1], coo[0]]
        self.agree = self.voted & (self.values > 0)
        self.disagree = self.voted & (self.values < 0)
        self.group_of = result.group_of.copy()
        self.k = result.k
        self.counts = self._group_counts(self.group_of, self.k)
        self.totals = np.stack([m.sum(0, dtype=np.int64) for m in (self.agree, self.disagree, self.voted)])
        self.row_votes = self.voted.sum(1, dtype=np.int64)  # every vote (the in-conversation rule)
        self.row_live = live.sum(1, dtype=np.int64)  # votes on statements not moderated out (projection)
        self.comps = result.comps.copy()
        self.basis = self._start_basis()
        self.cov_basis = self.cov @ self.basis  # kept equal to cov @ basis: a vote patches it cheaply
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
            self.sp_indices[self.sp_indices >= at] += 1
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
            self.basis = np.insert(self.basis, at, 0.0, axis=0)
            self.cov_basis = np.insert(self.cov_basis, at, 0.0, axis=0)
            self.sp_indptr = np.insert(self.sp_indptr, at + 1, self.sp_indptr[at])
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
            d = c_j - self.cov[:, j]
            self.cov[:, j] = c_j
            self.cov[j, :] = c_j
            # cov @ basis changes by (e_j dᵀ + d e_jᵀ - d_j e_j e_jᵀ) @ basis.
            b = self.basis
            self.cov_basis += np.outer(d, b[j])
            self.cov_basis[j] += d @ b - d[j] * b[j]
            start, end = int(self.sp_indptr[j]), int(self.sp_indptr[j + 1])
            if not before[2]:  # a new cell in column j
                at = start + int(np.searchsorted(self.sp_indices[start:end], i))
                self.sp_indices = np.insert(self.sp_indices, at, i)
                self.sp_data = np.insert(self.sp_data, at, 0.0)
                self.sp_indptr[j + 1 :] += 1
                end += 1
            self.sp_data[start:end] = x_j[self.sp_indices[start:end]]
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

    def _start_basis(self) -> FloatArray:
        """The previous components plus a few more directions of the covariance (subspace iteration from
        random ones, once when the map is built)."""
        n_t = len(self.tids)
        v = np.random.default_rng(0).standard_normal((n_t, min(BLOCK, n_t)))
        if float(np.abs(self.cov).max(initial=0.0)) > 0:
            for _ in range(30):
                v, _r = np.linalg.qr(self.cov @ v)
        v[:, :2] = self.comps.T
        q, _r = np.linalg.qr(v)
        return np.asarray(q, dtype=np.float64)

    def _power_iteration(self) -> None:
        """Subspace iteration on the covariance from the previous components and the directions after them
        (Rayleigh-Ritz to order them) until the residual of the two components is negligible; orientation
        kept. The first product with the covariance is the patched `cov_basis`, so a vote usually costs one
        full product (the one that confirms convergence)."""
        previous = self.comps.copy()
        v, w = self.basis, self.cov_basis
        for step in range(POWER_ITERATIONS):
            if step:
                w = self.cov @ v
            evals, evecs = np.linalg.eigh(v.T @ w)
            order = evecs[:, ::-1]
            evals = evals[::-1]
            v, w = v @ order, w @ order
            residual = float(np.abs(w[:, :2] - v[:, :2] * evals[None, :2]).max())
            if residual <= POWER_TOL * max(float(evals.max()), 1e-12):
                break
            v, _r = np.linalg.qr(w)
        else:
            w = self.cov @ v
        self.basis, self.cov_basis = v, w
        comps = v[:, :2].T.copy()
        for k in range(2):
            if float(comps[k] @ previous[k]) < 0:
                comps[k] = -comps[k]
        self.comps = comps

    def _assemble(self) -> Analysis:
        n_p, n_t = self.values.shape
        comps = self.comps
        n_votes = self.row_live + int(self.mod_out.sum())
        x = sparse.csc_matrix((self.sp_data, self.sp_indices, self.sp_indptr), shape=(n_p, n_t))
        proj: FloatArray = (x @ comps.T) * np.sqrt(n_t / np.maximum(n_votes, 1))[:, None]
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
        base_members = _members(conv_pids, base_labels, len(base_centers))
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
