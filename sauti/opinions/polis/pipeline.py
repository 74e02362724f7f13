"""The Pol.is 'classic' opinion-map pipeline over one snapshot of the votes.

Steps and constants follow Polis' math worker (compdemocracy/polis math/src/polismath/math/*.clj); see
../shared/docs/polis.md. Polis warm-starts each update from the previous one; here a run starts cold and is
deterministic: the same votes and seed give the same result. Votes are 1 = agree internally; the `pca` block
of `Analysis.to_json` is given in Polis' own sign (agree = -1) so it compares directly with math-pca2.json.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.linalg import LinearOperator, eigsh
from scipy.spatial import cKDTree

from .data import NotEnoughData, Votes

Z90 = 1.2816  # one-sided 90% (Polis' z-sig-90?)
MIN_VOTES = 7
MIN_IN_CONV = 15
BASE_K = 100
MAX_GROUPS = 5
PICK = 5
K_BUFFER = 4  # Polis' group-k-buffer: a new k is shown after being best this many updates in a row

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass
class State:
    """What one update hands to the next, as Polis' math worker keeps it between updates.

    - `in_conv`: participants once in the conversation stay in;
    - `tids`/`comps`: the previous components (Sauti sign), so a new update keeps their orientation;
    - `base_ids`/`base_members`: base clusters with stable ids, warm-starting the next base k-means;
    - `groups`: for each k tried, the group clusters as (id, base-cluster ids), warm-starting that k;
    - `smoother`: Polis' k-smoother (last best k, how many updates in a row, the k shown).
    """

    in_conv: frozenset[int] = frozenset()
    tids: tuple[int, ...] = ()
    comps: tuple[tuple[float, ...], ...] = ()
    base_ids: tuple[int, ...] = ()
    base_members: tuple[tuple[int, ...], ...] = ()
    groups: dict[int, tuple[tuple[int, tuple[int, ...]], ...]] = field(default_factory=dict)
    last_k: int | None = None
    last_k_count: int = 0
    smoothed_k: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "in_conv": sorted(self.in_conv),
            "tids": list(self.tids),
            "comps": [list(c) for c in self.comps],
            "base_ids": list(self.base_ids),
            "base_members": [list(m) for m in self.base_members],
            "groups": {str(k): [[g, list(m)] for g, m in v] for k, v in self.groups.items()},
            "smoother": [self.last_k, self.last_k_count, self.smoothed_k],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        smoother = data.get("smoother") or [None, 0, None]
        return cls(
            in_conv=frozenset(int(p) for p in data.get("in_conv", [])),
            tids=tuple(int(t) for t in data.get("tids", [])),
            comps=tuple(tuple(float(x) for x in c) for c in data.get("comps", [])),
            base_ids=tuple(int(b) for b in data.get("base_ids", [])),
            base_members=tuple(tuple(int(p) for p in m) for m in data.get("base_members", [])),
            groups={
                int(k): tuple((int(g), tuple(int(b) for b in m)) for g, m in v)
                for k, v in data.get("groups", {}).items()
            },
            last_k=None if smoother[0] is None else int(smoother[0]),
            last_k_count=int(smoother[1]),
            smoothed_k=None if smoother[2] is None else int(smoother[2]),
        )


@dataclass
class Analysis:
    pids: IntArray  # every participant who voted, ascending
    tids: IntArray  # statements, ascending
    in_conv: npt.NDArray[np.bool_]  # aligned with pids
    center: FloatArray  # Sauti sign (agree = +1)
    comps: FloatArray  # 2 x n_tids, Sauti sign
    proj: FloatArray  # n_pids x 2
    comment_proj: FloatArray  # n_tids x 2
    extremity: FloatArray
    base_members: list[IntArray]  # pids per base cluster
    base_centers: FloatArray
    group_of: IntArray  # aligned with pids; -1 = not grouped
    k: int
    silhouettes: dict[int, float]
    repness: dict[int, list[dict[str, Any]]]
    consensus: dict[str, list[dict[str, Any]]]
    group_aware_consensus: FloatArray
    priorities: FloatArray
    mod_out: list[int] = field(default_factory=list)
    group_votes: dict[int, npt.NDArray[np.int64]] = field(
        default_factory=dict
    )  # group -> 3 x n_tids (A, D, S)
    state: State = field(default_factory=State)  # what the next update warm-starts from

    @property
    def group_sizes(self) -> dict[int, int]:
        ids, counts = np.unique(self.group_of[self.group_of >= 0], return_counts=True)
        return {int(i): int(c) for i, c in zip(ids, counts, strict=True)}

    def to_json(self) -> dict[str, Any]:
        tids = [int(t) for t in self.tids]
        return {
            "participants": len(self.pids),
            "in_conv": [int(p) for p in self.pids[self.in_conv]],
            "tids": tids,
            "mod_out": self.mod_out,
            "pca": {
                "sign": "polis (agree = -1)",
                "center": [float(-c) for c in self.center],
                "comps": [[float(-c) for c in row] for row in self.comps],
                "comment_projection": [[float(x) for x in self.comment_proj[:, i]] for i in range(2)],
                "comment_extremity": [float(x) for x in self.extremity],
            },
            "projection": {
                str(int(p)): [round(float(x), 6), round(float(y), 6)]
                for p, (x, y) in zip(self.pids, self.proj, strict=True)
            },
            "base_clusters": {
                "members": [[int(p) for p in m] for m in self.base_members],
                "x": [float(c[0]) for c in self.base_centers],
                "y": [float(c[1]) for c in self.base_centers],
            },
            "k": self.k,
            "silhouette": {str(k): v for k, v in self.silhouettes.items()},
            "groups": {
                str(int(p)): (int(g) if g >= 0 else None)
                for p, g in zip(self.pids, self.group_of, strict=True)
            },
            "group_sizes": {str(g): n for g, n in self.group_sizes.items()},
            "repness": {str(g): [r["tid"] for r in rows] for g, rows in self.repness.items()},
            "repness_detail": {str(g): rows for g, rows in self.repness.items()},
            "consensus": {d: [r["tid"] for r in rows] for d, rows in self.consensus.items()},
            "consensus_detail": self.consensus,
            "group_aware_consensus": {
                str(t): float(v) for t, v in zip(tids, self.group_aware_consensus, strict=True)
            },
            "group_votes": {
                str(g): {"A": c[0].tolist(), "D": c[1].tolist(), "S": c[2].tolist()}
                for g, c in self.group_votes.items()
            },
            "comment_priorities": {str(t): float(v) for t, v in zip(tids, self.priorities, strict=True)},
        }


# --- matrix ------------------------------------------------------------------------------------------


@dataclass
class _Matrix:
    pids: IntArray
    tids: IntArray
    rows: IntArray
    cols: IntArray
    vals: npt.NDArray[np.int8]
    mod_out: npt.NDArray[np.bool_]  # over tids

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.pids), len(self.tids)


def _factorize(ids: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct ids and each input's index among them (linear time for compact ids)."""
    top = int(ids.max(initial=-1)) + 1
    if top <= 4 * len(ids) + 1024:
        present = np.zeros(top, dtype=bool)
        present[ids] = True
        lookup = np.cumsum(present) - 1
        return np.flatnonzero(present).astype(np.int64), lookup[ids].astype(np.int64)
    uniq, inverse = np.unique(ids, return_inverse=True)
    return uniq.astype(np.int64), inverse.astype(np.int64)


def _matrix(votes: Votes) -> _Matrix:
    pids, rows = _factorize(votes.pids)
    tids, cols = _factorize(votes.tids)
    mod_out = np.isin(tids, np.fromiter(votes.mod_out, dtype=np.int64, count=len(votes.mod_out)))
    return _Matrix(pids, tids, rows, cols, votes.values, mod_out)


def _counts(m: _Matrix, row_label: IntArray, n_labels: int) -> tuple[IntArray, IntArray, IntArray]:
    """Agree, disagree and seen (incl. pass) counts per (label, statement) over rows with label >= 0."""
    lab = row_label[m.rows]
    keep = lab >= 0
    # One pass: code 0/1/2 for disagree/pass/agree inside each (label, statement) cell.
    idx = (lab[keep] * len(m.tids) + m.cols[keep]) * 3 + (m.vals[keep].astype(np.int64) + 1)
    shape = (n_labels, len(m.tids), 3)
    counts = np.bincount(idx, minlength=3 * n_labels * len(m.tids)).reshape(shape)
    na, nd = counts[:, :, 2], counts[:, :, 0]
    ns = counts.sum(2)
    return na.astype(np.int64), nd.astype(np.int64), ns.astype(np.int64)


# --- PCA ---------------------------------------------------------------------------------------------


def _pca(
    m: _Matrix, seed: int, previous: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, sparse.csr_matrix]:
    """Column means over voted cells, the mean-filled centred matrix and its top two components.

    Mod-out columns are 0 for every row in Polis' matrix, so their mean is 0 and, once centred, they vanish:
    only the voted cells of the other columns are stored.
    """
    n_p, n_t = m.shape
    live = ~m.mod_out[m.cols]
    sums = np.bincount(m.cols[live], weights=m.vals[live].astype(np.float64), minlength=n_t)
    seen = np.bincount(m.cols[live], minlength=n_t)
    center = np.divide(sums, seen, out=np.zeros(n_t), where=seen > 0)
    data = m.vals[live].astype(np.float64) - center[m.cols[live]]
    x = sparse.csr_matrix((data, (m.rows[live], m.cols[live])), shape=(n_p, n_t))
    comps = np.zeros((2, n_t))
    n_comp = min(2, n_t)
    if n_t <= 600 or n_comp < 2:
        cov = (x.T @ x).toarray()
        w, v = np.linalg.eigh(cov)
        top = v[:, ::-1][:, :n_comp].T
    else:
        xt = x.T.tocsr()
        op = LinearOperator((n_t, n_t), matvec=lambda vec: xt @ (x @ vec), dtype=np.float64)
        if previous is not None and float(np.abs(previous[0]).sum()) > 0:
            v0 = previous[0] + 0.5 * previous[1]  # warm start, as Polis' power iteration starts from them
        else:
            v0 = np.random.default_rng(seed).standard_normal(n_t)
        w, v = eigsh(op, k=2, which="LA", v0=v0, tol=1e-10)
        top = v[:, np.argsort(-w)].T
    for i, comp in enumerate(top):
        if previous is not None and abs(float(comp @ previous[i])) > 1e-9:
            # Keep the previous orientation (Polis' warm-started power iteration never flips a component).
            comps[i] = comp if float(comp @ previous[i]) > 0 else -comp
            continue
        big = int(np.argmax(np.abs(comp)))
        comps[i] = comp if comp[big] >= 0 else -comp
    return center, comps, x


def _project(m: _Matrix, x: sparse.csr_matrix, comps: FloatArray) -> FloatArray:
    n_p, n_t = m.shape
    raw = np.asarray(x @ comps.T)
    live = ~m.mod_out[m.cols]
    # Polis counts the zeroed mod-out cells as votes when scaling.
    n_votes = np.bincount(m.rows[live], minlength=n_p) + int(m.mod_out.sum())
    scale = np.sqrt(n_t / np.maximum(n_votes, 1))
    out: FloatArray = raw * scale[:, None]
    return out


# --- clustering --------------------------------------------------------------------------------------


def _nearest(points: FloatArray, centers: FloatArray) -> IntArray:
    """Index of the nearest centre for each point."""
    _, found = cKDTree(centers).query(points, k=1)
    return np.asarray(found, dtype=np.int64)


def _members(names: IntArray, labels: IntArray, k: int) -> list[IntArray]:
    """The names in each cluster 0..k-1, in their original order (one sort, not k scans)."""
    order = np.argsort(labels, kind="stable")
    return np.split(names[order], np.cumsum(np.bincount(labels, minlength=k))[:-1])


def _first_distinct(points: FloatArray, k: int) -> FloatArray:
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:k]].copy()


def _silhouette(points: FloatArray, labels: IntArray) -> float:
    """Mean silhouette over points (unweighted); a point alone in its cluster scores 0."""
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    ids = np.unique(labels)
    if len(ids) < 2:
        return 0.0
    member = labels[None, :] == ids[:, None]  # k x n
    sizes = member.sum(1)
    sums = d @ member.T  # n x k
    own = np.searchsorted(ids, labels)
    n_own = sizes[own]
    rows = np.arange(len(points))
    a = sums[rows, own] / np.maximum(n_own - 1, 1)
    mean_to = sums / sizes[None, :]
    mean_to[rows, own] = np.inf
    b = mean_to.min(1)
    top = np.maximum(a, b)
    scores = np.where((n_own > 1) & (top > 0), (b - a) / np.where(top > 0, top, 1.0), 0.0)
    return float(scores.mean())


def _lloyd(
    points: FloatArray, weights: FloatArray, centers: FloatArray, ids: IntArray, max_iter: int, tol: float
) -> tuple[FloatArray, IntArray, IntArray]:
    """`kmeans` that also carries each cluster's id through (empty clusters are dropped, as Polis does)."""
    centers = centers.copy()
    labels = _nearest(points, centers)
    for _ in range(max_iter):
        k = len(centers)
        wsum = np.bincount(labels, weights=weights, minlength=k)
        sums = np.stack(
            [np.bincount(labels, weights=weights * points[:, d], minlength=k) for d in range(2)], 1
        )
        alive = wsum > 0
        new: FloatArray = sums[alive] / wsum[alive, None]
        moved = len(new) != len(centers) or float(np.abs(new - centers).max(initial=0.0)) > tol
        centers, ids = new, ids[alive]
        labels = _nearest(points, centers)
        if not moved:
            break
    return centers, ids, labels


def _clean_start(
    points: FloatArray, weights: FloatArray, member_of: IntArray, ids: IntArray, k: int
) -> tuple[FloatArray, IntArray]:
    """Polis' clean-start-clusters: previous clusters re-centred on their members' new positions (clusters left
    without members dropped, identical centres merged), then the point farthest from every centre split off
    as a new cluster until there are k (or as many as distinct points)."""
    label = member_of.copy()
    next_id = int(ids.max(initial=-1)) + 1

    def centres(lab: IntArray, count: int) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        ok = lab >= 0
        wsum = np.bincount(lab[ok], weights=weights[ok], minlength=count)
        sums = np.stack(
            [np.bincount(lab[ok], weights=weights[ok] * points[ok, d], minlength=count) for d in range(2)], 1
        )
        alive = wsum > 0
        out: FloatArray = sums / np.maximum(wsum, 1e-300)[:, None]
        return out, alive

    cent, alive = centres(label, len(ids))
    # Drop clusters without members, merge clusters with identical centres (the first id stays).
    remap = np.full(len(ids), -1, dtype=np.int64)
    kept: list[int] = []
    seen: dict[tuple[float, float], int] = {}
    for j in range(len(ids)):
        if not alive[j]:
            continue
        key = (float(cent[j, 0]), float(cent[j, 1]))
        if key in seen:
            remap[j] = seen[key]
            continue
        seen[key] = len(kept)
        remap[j] = len(kept)
        kept.append(j)
    label = np.where(label >= 0, remap[np.maximum(label, 0)], -1)
    ids = ids[kept].copy()
    # Counting distinct points sorts them all: only needed when clusters must be split off.
    possible = k if len(ids) >= k else min(k, len(np.unique(points, axis=0)))
    cent, _alive = centres(label, len(ids))
    while len(ids) < possible:
        if len(ids):
            d = np.sqrt(((points[:, None, :] - cent[None, :, :]) ** 2).sum(-1)).min(1)
            far = int(len(d) - 1 - np.argmax(d[::-1]))  # Clojure's max-key keeps the last of equal maxima
            if d[far] <= 0:
                break
        else:
            far = 0
        label[far] = len(ids)
        ids = np.append(ids, next_id)
        next_id += 1
        cent, _alive = centres(label, len(ids))
    return cent, ids


def _warm_kmeans(
    points: FloatArray,
    weights: FloatArray,
    names: IntArray,
    previous: tuple[tuple[int, tuple[int, ...]], ...],
    k: int,
    max_iter: int,
    tol: float,
) -> tuple[FloatArray, IntArray, IntArray]:
    """k-means warm-started from the previous clusters (each: id, member names); a cold start (no previous
    clusters) takes the first k distinct points, as Polis does."""
    init: FloatArray | None = None
    if previous and len(names):
        order = np.argsort(names, kind="stable")
        sorted_names = names[order]
        prev_ids = np.array([c for c, _m in previous], dtype=np.int64)
        member_of = np.full(len(names), -1, dtype=np.int64)
        sizes = [len(m) for _c, m in previous]
        mem = np.fromiter((x for _c, m in previous for x in m), dtype=np.int64, count=sum(sizes))
        which = np.repeat(np.arange(len(previous), dtype=np.int64), sizes)
        pos = np.searchsorted(sorted_names, mem).clip(0, len(names) - 1)
        hit = sorted_names[pos] == mem
        member_of[order[pos[hit]]] = which[hit]
        init, ids = _clean_start(points, weights, member_of, prev_ids, k)
    if init is None or len(init) == 0:
        init = _first_distinct(points, k)
        ids = np.arange(len(init), dtype=np.int64)
    return _lloyd(points, weights, init, ids, max_iter, tol)


def _groups(
    base_centers: FloatArray,
    base_counts: FloatArray,
    base_ids: IntArray,
    k_forced: int | None,
    state: State,
) -> tuple[
    IntArray, int, dict[int, float], dict[int, tuple[tuple[int, tuple[int, ...]], ...]], tuple[Any, ...]
]:
    """Group the base clusters: for each k, k-means warm-started from that k's previous clusters (cold: the
    first k distinct centres); the best k by silhouette goes through Polis' k-smoother unless k is forced.

    Returns each base cluster's group (0.. in group-id order), k, the silhouettes, the clusterings to keep
    and the smoother's (last k, count, shown k)."""
    n_base = len(base_centers)
    k_max = min(MAX_GROUPS, 2 + n_base // 12)
    candidates = [min(k_forced, n_base)] if k_forced else list(range(2, min(k_max, n_base) + 1))
    results: dict[int, tuple[IntArray, IntArray]] = {}
    silhouettes: dict[int, float] = {}
    clusterings = dict(state.groups)
    for k in candidates:
        _c, gids, labels = _warm_kmeans(
            base_centers, base_counts, base_ids, state.groups.get(k, ()), k, max_iter=20, tol=0.01
        )
        results[k] = (gids, labels)
        score = _silhouette(base_centers, labels) if len(np.unique(labels)) > 1 else -1.0
        silhouettes[k] = round(score, 6)
        clusterings[k] = tuple(
            (int(g), tuple(int(b) for b in base_ids[labels == j])) for j, g in enumerate(gids)
        )
    smoother: tuple[Any, ...] = (state.last_k, state.last_k_count, state.smoothed_k)
    if k_forced:
        chosen = candidates[0]
    else:
        this_k = max(candidates, key=lambda k: silhouettes[k])  # first best on ties
        count = state.last_k_count + 1 if state.last_k == this_k else 1
        shown = this_k if count >= K_BUFFER or state.smoothed_k is None else state.smoothed_k
        smoother = (this_k, count, shown)
        chosen = shown if shown in results else this_k
    gids, labels = results[chosen]
    rank = np.argsort(np.argsort(gids, kind="stable"), kind="stable")
    return rank[labels].astype(np.int64), len(gids), silhouettes, clusterings, smoother


# --- statement statistics ----------------------------------------------------------------------------


def _prop_test(succ: FloatArray, n: FloatArray) -> FloatArray:
    out: FloatArray = 2.0 * np.sqrt(n + 1) * ((succ + 1) / (n + 1) - 0.5)
    return out


def _two_prop_test(s1: FloatArray, s2: FloatArray, n1: FloatArray, n2: FloatArray) -> FloatArray:
    s1, s2, n1, n2 = s1 + 1, s2 + 1, n1 + 1, n2 + 1
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    denom = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / denom
    out: FloatArray = np.where(pooled == 1, 0.0, z)
    return out


def _stats(na: IntArray, nd: IntArray, ns: IntArray) -> dict[str, Any]:
    fa, fd, fs = na.astype(np.float64), nd.astype(np.float64), ns.astype(np.float64)
    ra_rest = fa.sum(0, keepdims=True) - fa
    rd_rest = fd.sum(0, keepdims=True) - fd
    rs_rest = fs.sum(0, keepdims=True) - fs
    pa, pd = (fa + 1) / (fs + 2), (fd + 1) / (fs + 2)
    return {
        "na": na,
        "nd": nd,
        "ns": ns,
        "pa": pa,
        "pd": pd,
        "pat": _prop_test(fa, fs),
        "pdt": _prop_test(fd, fs),
        "ra": pa / ((1 + ra_rest) / (2 + rs_rest)),
        "rd": pd / ((1 + rd_rest) / (2 + rs_rest)),
        "rat": _two_prop_test(fa, ra_rest, fs, rs_rest),
        "rdt": _two_prop_test(fd, rd_rest, fs, rs_rest),
    }


def _finalize(tid: int, s: dict[str, float]) -> dict[str, Any]:
    agree = s["rat"] > s["rdt"]
    key = "a" if agree else "d"
    return {
        "tid": tid,
        "n-success": int(s["n" + key]),
        "n-trials": int(s["ns"]),
        "p-success": float(s["p" + key]),
        "p-test": float(s["p" + key + "t"]),
        "repness": float(s["r" + key]),
        "repness-test": float(s["r" + key + "t"]),
        "repful-for": "agree" if agree else "disagree",
    }


def _select_repness(
    stats: dict[str, Any], tids: IntArray, mod_out: npt.NDArray[np.bool_]
) -> list[list[dict[str, Any]]]:
    """Polis' select-rep-comments, statement by statement in tid order, for each group."""
    n_groups = stats["na"].shape[0]
    names = ("na", "nd", "ns", "pa", "pd", "pat", "pdt", "ra", "rd", "rat", "rdt")
    out: list[list[dict[str, Any]]] = []
    live = [j for j in range(len(tids)) if not mod_out[j]]
    for g in range(n_groups):
        sufficient: list[int] = []  # statement positions; only the few picked are turned into dicts
        best: dict[str, Any] | None = None
        best_test = -math.inf
        best_agree: dict[str, float] | None = None
        best_agree_row: tuple[float, ...] | None = None
        best_agree_tid = -1
        rows: list[tuple[float, ...]] = list(zip(*(stats[n][g].tolist() for n in names), strict=True))
        for j in live:
            row = rows[j]
            na_, nd_, _ns, pa, _pd, pat, pdt, ra, _rd, rat, rdt = row
            if (rat > Z90 and pat > Z90) or (rdt > Z90 and pdt > Z90):
                sufficient.append(j)
            if not sufficient and (best is None or max(rat, rdt) > best_test):
                best = _finalize(int(tids[j]), dict(zip(names, row, strict=True)))
                best_test = best["repness-test"]
            # Polis' running best agree statement (see _beats_best_agree).
            if na_ == 0 and nd_ == 0:
                beats = False
            elif best_agree_row is not None and best_agree_row[7] > 1.0:
                b = best_agree_row
                beats = ra * rat * pa * pat > b[7] * b[9] * b[3] * b[5]
            elif best_agree_row is not None:
                beats = pa * pat > best_agree_row[3] * best_agree_row[5]
            else:
                beats = pat > Z90 or (ra > 1.0 and pa > 0.5)
            if beats:
                best_agree_row, best_agree_tid = row, int(tids[j])
        if best_agree_row is not None:
            best_agree = dict(zip(names, best_agree_row, strict=True))
        head: list[dict[str, Any]] = []
        if best_agree is not None:
            head = [
                {
                    **_finalize(best_agree_tid, best_agree),
                    "n-agree": int(best_agree["na"]),
                    "best-agree": True,
                }
            ]
        elif best is not None:
            head = [best]
        if not sufficient:
            out.append(head)
            continue
        js = np.array([j for j in sufficient if int(tids[j]) != best_agree_tid], dtype=np.int64)
        agree = stats["rat"][g, js] > stats["rdt"][g, js]
        metric = np.where(
            agree,
            stats["ra"][g, js] * stats["rat"][g, js] * stats["pa"][g, js] * stats["pat"][g, js],
            stats["rd"][g, js] * stats["rdt"][g, js] * stats["pd"][g, js] * stats["pdt"][g, js],
        )
        top = js[np.argsort(-metric, kind="stable")][:PICK]
        rest = [_finalize(int(tids[j]), dict(zip(names, rows[j], strict=True))) for j in top]
        picked = ([head[0]] if best_agree is not None else []) + rest
        picked = picked[:PICK]
        out.append(
            [r for r in picked if r["repful-for"] == "agree"]
            + [r for r in picked if r["repful-for"] == "disagree"]
        )
    return out


def _consensus(
    na: IntArray, nd: IntArray, ns: IntArray, tids: IntArray, mod_out: npt.NDArray[np.bool_]
) -> dict[str, list[dict[str, Any]]]:
    fa, fd, fs = na.astype(float), nd.astype(float), ns.astype(float)
    pa, pd = (fa + 1) / (fs + 2), (fd + 1) / (fs + 2)
    pat, pdt = _prop_test(fa, fs), _prop_test(fd, fs)
    result: dict[str, list[dict[str, Any]]] = {}
    for name, n, p, t in (("agree", na, pa, pat), ("disagree", nd, pd, pdt)):
        ok = np.flatnonzero(~mod_out & (p > 0.5) & (t > Z90))
        ok = ok[np.argsort(-(p[ok] * t[ok]), kind="stable")][:PICK]
        result[name] = [
            {
                "tid": int(tids[j]),
                "n-success": int(n[j]),
                "n-trials": int(ns[j]),
                "p-success": float(p[j]),
                "p-test": float(t[j]),
            }
            for j in ok
        ]
    return result


# --- the whole pipeline ------------------------------------------------------------------------------


def in_conversation(m: _Matrix, keep: frozenset[int] = frozenset()) -> npt.NDArray[np.bool_]:
    n_p, n_t = m.shape
    counts = np.bincount(m.rows, minlength=n_p)
    mask: npt.NDArray[np.bool_] = counts >= min(MIN_VOTES, n_t)
    if keep:
        mask |= np.isin(m.pids, np.fromiter(keep, dtype=np.int64, count=len(keep)))
    if mask.sum() < MIN_IN_CONV:
        order = np.lexsort((m.pids, -counts))
        for i in order:
            if mask.sum() >= MIN_IN_CONV:
                break
            mask[i] = True
    return mask


def analyze(
    votes: Votes,
    *,
    groups: int | None = None,
    assign: dict[int, int] | None = None,
    keep: frozenset[int] = frozenset(),
    seed: int = 0,
    state: State | None = None,
) -> Analysis:
    """Run the pipeline. `groups` forces k; `assign` (pid -> group) replaces the clustering entirely.

    `state` (a previous result's `.state`) makes this an update as Polis does it: in-conversation set kept,
    components oriented as before, base clusters and groups warm-started, k smoothed. Without it the run
    starts cold and is deterministic."""
    if len(votes.pids) == 0:
        raise NotEnoughData("not enough data yet: there are no votes")
    m = _matrix(votes)
    n_p, n_t = m.shape
    if n_p < 2:
        raise NotEnoughData("not enough data yet: only one participant has voted")
    if n_t < 2:
        raise NotEnoughData("not enough data yet: votes on at least two statements are needed")
    if groups is not None and not 1 <= groups <= MAX_GROUPS:
        raise ValueError(f"the number of groups must be between 1 and {MAX_GROUPS}")

    state = state or State()
    previous = _previous_comps(state, m.tids)
    center, comps, x = _pca(m, seed, previous)
    proj = _project(m, x, comps)
    # A statement as a participant who agreed with it alone (Polis: vote -1 at that column, nothing else).
    comment_proj = ((1.0 - center)[:, None] * comps.T) * math.sqrt(n_t)
    comment_proj[m.mod_out] = 0.0
    extremity = np.sqrt((comment_proj**2).sum(1))

    in_conv = in_conversation(m, keep | state.in_conv)
    conv_idx = np.flatnonzero(in_conv)
    points = proj[conv_idx]
    conv_pids = m.pids[conv_idx]
    previous_base = tuple(zip(state.base_ids, state.base_members, strict=True))
    base_centers, base_ids, base_labels = _warm_kmeans(
        points, np.ones(len(points)), conv_pids, previous_base, BASE_K, max_iter=100, tol=0.01
    )
    base_members = _members(conv_pids, base_labels, len(base_centers))
    base_counts = np.array([len(b) for b in base_members], dtype=np.float64)

    group_of = np.full(n_p, -1, dtype=np.int64)
    silhouettes: dict[int, float] = {}
    clusterings = dict(state.groups)
    smoother: tuple[Any, ...] = (state.last_k, state.last_k_count, state.smoothed_k)
    if assign is not None:
        ids = sorted(set(assign.values()))
        pos = {g: i for i, g in enumerate(ids)}
        for i, pid in enumerate(m.pids):
            g = assign.get(int(pid))
            if g is not None:
                group_of[i] = pos[g]
        group_ids = ids
        k = len(ids)
        if k < 1:
            raise NotEnoughData("the assignment puts nobody in a group")
    else:
        if len(base_centers) < 2:
            raise NotEnoughData("not enough data yet: everyone in the conversation voted the same way")
        base_group, k, silhouettes, clusterings, smoother = _groups(
            base_centers, base_counts, base_ids, groups, state
        )
        group_of[conv_idx] = base_group[base_labels]
        group_ids = list(range(k))
    new_state = State(
        in_conv=frozenset(conv_pids.tolist()),
        tids=tuple(m.tids.tolist()),
        comps=tuple(tuple(row) for row in comps.tolist()),
        base_ids=tuple(base_ids.tolist()),
        base_members=tuple(tuple(members.tolist()) for members in base_members),
        groups=clusterings,
        last_k=smoother[0],
        last_k_count=int(smoother[1]),
        smoothed_k=smoother[2],
    )

    na, nd, ns = _counts(m, group_of, k)
    if assign is None:  # in the conversation = grouped
        conv = (na.sum(0), nd.sum(0), ns.sum(0))
    else:
        ca, cd, cs = _counts(m, np.where(in_conv, 0, -1).astype(np.int64), 1)
        conv = (ca[0], cd[0], cs[0])
    ta, td, ts = _counts(m, np.zeros(n_p, dtype=np.int64), 1)
    meta = np.isin(m.tids, np.fromiter(votes.meta, dtype=np.int64, count=len(votes.meta)))
    return assemble(
        pids=m.pids,
        tids=m.tids,
        in_conv=in_conv,
        center=center,
        comps=comps,
        proj=proj,
        comment_proj=comment_proj,
        extremity=extremity,
        base_members=base_members,
        base_centers=base_centers,
        group_of=group_of if assign is None else np.array([group_ids[g] if g >= 0 else -1 for g in group_of]),
        group_ids=group_ids,
        silhouettes=silhouettes,
        group_counts=(na, nd, ns),
        conv_counts=conv,
        total_counts=(ta[0], td[0], ts[0]),
        mod_out=m.mod_out,
        meta=meta,
        mod_out_ids=sorted(votes.mod_out),
        state=new_state,
    )


def assemble(
    *,
    pids: IntArray,
    tids: IntArray,
    in_conv: npt.NDArray[np.bool_],
    center: FloatArray,
    comps: FloatArray,
    proj: FloatArray,
    comment_proj: FloatArray,
    extremity: FloatArray,
    base_members: list[IntArray],
    base_centers: FloatArray,
    group_of: IntArray,
    group_ids: list[int],
    silhouettes: dict[int, float],
    group_counts: tuple[IntArray, IntArray, IntArray],
    conv_counts: tuple[IntArray, IntArray, IntArray],
    total_counts: tuple[IntArray, IntArray, IntArray],
    mod_out: npt.NDArray[np.bool_],
    meta: npt.NDArray[np.bool_],
    mod_out_ids: list[int],
    state: State,
) -> Analysis:
    """The statement statistics (repness, consensus, group-aware consensus, priorities) from vote counts:
    per group (k x statements), over the in-conversation set and over everyone."""
    na, nd, ns = group_counts
    k = len(group_ids)
    stats = _stats(na, nd, ns)
    rep = _select_repness(stats, tids, mod_out)
    gac = np.prod(stats["pa"], axis=0)
    # Routing priority (Polis' comment-priorities), from the in-conversation votes.
    ca, cd, cs = conv_counts
    a = (ca + 1) / (cs + 2)
    p_pass = (cs - ca - cd + 1) / (cs + 2)
    importance = (1 - p_pass) * (extremity + 1) * a
    priorities = (importance * (1 + 8 * np.power(2.0, -cs / 5))) ** 2
    priorities[meta] = 49.0
    return Analysis(
        pids=pids,
        tids=tids,
        in_conv=in_conv,
        center=center,
        comps=comps,
        proj=proj,
        comment_proj=comment_proj,
        extremity=extremity,
        base_members=base_members,
        base_centers=base_centers,
        group_of=group_of,
        k=k,
        silhouettes=silhouettes,
        repness={group_ids[g]: rows for g, rows in enumerate(rep)},
        consensus=_consensus(*total_counts, tids, mod_out),
        group_aware_consensus=gac,
        priorities=priorities,
        mod_out=mod_out_ids,
        group_votes={group_ids[g]: np.stack([na[g], nd[g], ns[g]]) for g in range(k)},
        state=state,
    )


def _previous_comps(state: State, tids: IntArray) -> FloatArray | None:
    """The previous components laid over today's statements (0 for statements new since then)."""
    if not state.comps or len(state.comps) < 2:
        return None
    out = np.zeros((2, len(tids)))
    old = np.asarray(state.tids, dtype=np.int64)
    values = np.asarray(state.comps, dtype=np.float64)
    pos = np.searchsorted(old, tids).clip(0, max(len(old) - 1, 0))
    hit = old[pos] == tids
    out[:, hit] = values[:, pos[hit]]
    return out
