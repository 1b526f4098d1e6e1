"""Reconstruct who retweeted whom: other parent arrays for a :class:`~cascade.model.Paper`.

Platforms credit every native retweet to the original post, so the credited tree of a cascade is
a star: depth 1 and a structural virality fixed by its size. Depth, breadth and virality only
say something about spreading once the real retweet paths are inferred. The published methods
disagree (DeVerna et al. 2024), so this module offers them side by side:

``credited``
    Parents as the data credit them (with every explicit hop: manual ``RT @a: RT @b:`` chains,
    ``MT``, Altmetric ``rt`` lists, Twitter v2 referenced ids). The paper is returned unchanged.
``pdi``
    Probabilistic diffusion inference (DeVerna et al. 2024, arXiv:2410.21554). Retweet ``i``
    picks its parent ``j`` among the earlier participants of its cascade with
    ``P(j) = gamma f_j / sum f + (1 - gamma) g(t_i - t_j) / sum g``, ``f`` the follower count
    (unknown or 0 -> 1) and ``g(d) = max(d, x_min) ** -alpha`` (x_min = 1 s).
``influence``
    Rizoiu et al. 2018 (arXiv:1802.09808): ``P(j)`` proportional to
    ``f_j ** beta * exp(rate * (t_i - t_j))``, ``rate = -6.8e-5`` per second, ``beta = 1``.
``follow-graph``
    Time-inferred diffusion (Goel et al. 2016; Vosoughi et al. 2018): the parent is the most
    recent earlier participant whom the retweeter follows; none -> the credited root.

Which tweets are re-parented: retweets (kind ``retweet``, not placeholders) whose credited parent
is their cascade's root, which is what a native retweet credits. Everything else keeps its
credited parent, explicit hops included: a manual chain or an exact parent id is evidence, so the
methods never overrule it. The *candidates* for a re-parented retweet are the participants of its
cascade before it in the paper's (time) order: the root and the earlier retweets, placeholders of
chain hops included. Unknown times (placeholders) take the latest known time before them in the
cascade (a placeholder root: the cascade's first known time), and times are made non-decreasing
in the stored order, so every time gap is >= 0.

Cost. Candidates form a *prefix* of the cascade's participants, so the followers part and the
whole ``influence`` kernel (``exp(rate (t_i - t_j)) = exp(rate t_i) exp(-rate t_j)``) sample from
cumulative sums with one ``np.searchsorted`` per draw. The time part of ``pdi`` is sampled
exactly by rejection: time gaps are cut into geometric blocks (ratio sqrt 2), a block is drawn
with weight ``count x (largest g in block)`` and a candidate uniformly inside, accepted with
probability ``g(gap) / largest g`` (>= 2 ** (-alpha / 2)). Memory is O(n log T) for the blocks
plus the K x n sampled parents; no n x n matrix is ever formed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cascade.errors import InputError
from cascade.metrics import forest, tree_shapes
from cascade.model import NAT, Paper, distinct

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_GAMMA",
    "INFLUENCE_BETA",
    "INFLUENCE_RATE",
    "METHODS",
    "Reconstructed",
    "expected_influence",
    "estimate_alpha",
    "load_follow_graph",
    "parent_probabilities",
    "pdi_metrics",
    "reconstruct",
    "sample_parents",
    "sampled_metrics",
]

METHODS = ("credited", "pdi", "influence", "follow-graph")
DEFAULT_GAMMA = 0.5
DEFAULT_ALPHA = 1.5
X_MIN = 1.0
INFLUENCE_RATE = -6.8e-5
INFLUENCE_BETA = 1.0
SAMPLED_METRICS = ("depth", "max_breadth", "structural_virality")

_SHIFT = 34  # cascade rank << 34 | seconds since the first tweet: spans up to 544 years
_RATIO = math.sqrt(2.0)  # geometric block ratio of the pdi time part
_PAIRS = 2_000_000  # (retweet, sample) pairs drawn at once: bounds the working memory


# --- the candidate layout ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Re-parented retweets and their candidates, as flat arrays over all cascades of a paper.

    Candidates are grouped by cascade (``rank``), in index order inside a cascade; the candidates
    of free retweet ``r`` are the positions ``start[r] <= q < stop[r]``.
    """

    free: np.ndarray  # tweet index of each re-parented retweet, ascending
    cand: np.ndarray  # tweet index of each candidate
    rank: np.ndarray  # cascade rank of each candidate
    tau: np.ndarray  # effective time of each candidate, seconds since the first one (int64)
    key: np.ndarray  # rank << _SHIFT | tau: sorted
    followers: np.ndarray  # follower weight of each candidate (unknown or 0 -> 1)
    start: np.ndarray  # per free retweet
    stop: np.ndarray  # per free retweet (= its own candidate position)
    free_rank: np.ndarray  # per free retweet


def _layout(paper: Paper) -> _Layout | None:
    parent = paper.parent
    n = len(paper)
    _, root, _ = forest(parent)
    is_retweet = paper.kind == "retweet"
    free = np.flatnonzero(is_retweet & (parent >= 0) & (parent == root) & ~paper.placeholder)
    if free.size == 0:
        return None
    roots = distinct(root[free])
    cand = np.flatnonzero(((parent < 0) | is_retweet) & np.isin(root, roots))
    rank = np.searchsorted(roots, root[cand])
    order = np.lexsort((cand, rank))
    cand, rank = cand[order], rank[order]
    free_rank = np.searchsorted(roots, root[free])
    start = np.searchsorted(rank, free_rank, side="left")
    stop = np.searchsorted(rank * np.int64(n) + cand, free_rank * np.int64(n) + free)

    t = paper.time.view(np.int64)[cand]
    known = t != NAT
    t0 = int(t[known].min()) if known.any() else 0
    first = np.full(roots.size, np.iinfo(np.int64).max)
    np.minimum.at(first, rank[known], t[known])
    first = np.where(first == np.iinfo(np.int64).max, t0, first)
    rel = np.where(known, t, first[rank]) - t0
    if rel.size and int(rel.max()) >= 1 << _SHIFT:
        raise ValueError(f"paper {paper.citation_id}: tweets span more than 500 years")
    # A running max per cascade (ranks dominate the key) makes times non-decreasing and gives a
    # placeholder the latest known time before it.
    key = np.maximum.accumulate((rank.astype(np.int64) << _SHIFT) | rel)
    tau = key - (rank.astype(np.int64) << _SHIFT)
    f = paper.followers[cand]
    followers = np.where(np.isnan(f) | (f <= 0), 1.0, f)
    return _Layout(free, cand, rank, tau, key, followers, start, stop, free_rank)


# --- pdi ----------------------------------------------------------------------------------------


def _g(gap: np.ndarray, alpha: float) -> np.ndarray:
    return np.power(np.maximum(gap, X_MIN), -alpha)


def _time_blocks(lay: _Layout) -> np.ndarray:
    """Integer gap boundaries ``0 = E_0 < E_1 = x_min < ... < E_B``, E_B above every gap."""
    max_gap = int((lay.tau[lay.stop] - lay.tau[lay.start]).max())
    edges = [0, int(math.ceil(X_MIN))]
    x = X_MIN
    while edges[-1] <= max_gap:
        x *= _RATIO
        edges.append(max(int(math.ceil(x)), edges[-1] + 1))
    return np.asarray(edges, dtype=np.int64)


def _sample_pdi(
    lay: _Layout, samples: int, rng: np.random.Generator, gamma: float, alpha: float
) -> np.ndarray:
    """Candidate positions, shape (samples, free retweets)."""
    m = lay.free.size
    out = np.empty((m, samples), dtype=np.int64)
    a, b = lay.start, lay.stop
    cum_f = np.concatenate([[0.0], np.cumsum(lay.followers)])
    edges = _time_blocks(lay)
    envelope = _g(edges[:-1].astype(np.float64), alpha)  # largest g of each block
    n_blocks = envelope.size
    tau_i = lay.tau[b]
    rows_per_chunk = max(1, _PAIRS // samples)
    for lo in range(0, m, rows_per_chunk):
        rows = np.arange(lo, min(m, lo + rows_per_chunk))
        r_n = rows.size
        flat_out = out[rows].reshape(-1)
        pair_row = np.repeat(np.arange(r_n), samples)
        use_f = rng.random(r_n * samples) < gamma
        # Followers part: invert the cumulative weights of the candidate prefix.
        p = np.flatnonzero(use_f)
        pa, pb = a[rows][pair_row[p]], b[rows][pair_row[p]]
        x = cum_f[pa] + rng.random(p.size) * (cum_f[pb] - cum_f[pa])
        flat_out[p] = np.clip(np.searchsorted(cum_f, x, side="right") - 1, pa, pb - 1)
        # Time part: rejection over geometric blocks of the time gap.
        key_i = lay.key[b[rows]]
        bound = np.searchsorted(lay.key, key_i[:, None] - edges[None, :], side="right")
        bound = np.clip(bound, a[rows][:, None], b[rows][:, None])  # (r_n, B + 1), decreasing
        weight = (bound[:, :-1] - bound[:, 1:]) * envelope
        cw = np.cumsum(weight, axis=1)
        flat = (cw / cw[:, -1:] + np.arange(r_n)[:, None]).reshape(-1)
        pending = np.flatnonzero(~use_f)
        while pending.size:
            r = pair_row[pending]
            block = np.searchsorted(flat, r + rng.random(pending.size), side="right")
            block = np.minimum(block - r * n_blocks, n_blocks - 1)
            first, last = bound[r, block + 1], bound[r, block]
            j = first + (rng.random(pending.size) * (last - first)).astype(np.int64)
            j = np.minimum(j, np.maximum(last - 1, first))
            gap = (tau_i[rows][r] - lay.tau[j]).astype(np.float64)
            accept = (last > first) & (rng.random(pending.size) < _g(gap, alpha) / envelope[block])
            flat_out[pending[accept]] = j[accept]
            pending = pending[~accept]
        out[rows] = flat_out.reshape(r_n, samples)
    return out.T


# --- influence ----------------------------------------------------------------------------------


def _influence_logs(lay: _Layout, beta: float, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Log weights and per-cascade log cumulative weights of the candidates.

    Each cascade's values are offset by ``rank * D`` with D above the spread of log weights, so
    one global ``logaddexp.accumulate`` gives every cascade's own cumulative sums (the earlier
    cascades add less than e**-50 relative).
    """
    first_tau = np.zeros(int(lay.rank.max()) + 1, dtype=np.int64)
    first_tau[lay.rank[::-1]] = lay.tau[::-1]  # first candidate's time of each cascade
    lw = beta * np.log(lay.followers) - rate * (lay.tau - first_tau[lay.rank])
    spread = float(lw.max() - lw.min()) + 50.0
    lw = lw - lw.min() + lay.rank * spread
    return lw, np.logaddexp.accumulate(lw)


def _sample_influence(
    lay: _Layout, samples: int, rng: np.random.Generator, beta: float, rate: float
) -> np.ndarray:
    lw, cum = _influence_logs(lay, beta, rate)
    a, b = lay.start, lay.stop
    out = np.empty((samples, lay.free.size), dtype=np.int64)
    rows_per_chunk = max(1, _PAIRS // samples)
    for lo in range(0, lay.free.size, rows_per_chunk):
        sl = slice(lo, min(lay.free.size, lo + rows_per_chunk))
        u = 1.0 - rng.random((samples, sl.stop - sl.start))  # in (0, 1]
        y = cum[b[sl] - 1] + np.log(u)
        out[:, sl] = np.clip(np.searchsorted(cum, y, side="left"), a[sl], b[sl] - 1)
    return out


# --- public API ---------------------------------------------------------------------------------


def _check(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown reconstruction method {method!r} (known: {', '.join(METHODS)})")


def estimate_alpha(paper: Paper) -> float:
    """Fit the power-law exponent of the ``pdi`` time kernel to a paper's inter-arrival times.

    The maximum-likelihood estimate for a continuous power law above ``x_min = 1 s`` (Clauset et
    al. 2009), ``1 + m / sum(log(d / x_min))``, over the gaps ``d >= x_min`` between consecutive
    participants (root and retweets, in time order) of the cascades that have retweets to
    re-parent. Falls back on :data:`DEFAULT_ALPHA` when there are no such gaps.

    Examples
    --------
    >>> from cascade.io.records import PaperRecords
    >>> from cascade.resolve import resolve
    >>> r = PaperRecords("p", "example")
    >>> for k, t in enumerate([0, 1, 3, 7]):
    ...     _ = r.add(str(k), f"u{k}", t, 1.0, "post" if k == 0 else "RT @u0: post")
    >>> round(estimate_alpha(resolve(r)), 4)  # gaps 1, 2, 4: 1 + 3 / log(8)
    2.4427
    """
    lay = _layout(paper)
    if lay is None:
        return DEFAULT_ALPHA
    same = lay.rank[1:] == lay.rank[:-1]
    gaps = np.diff(lay.tau)[same].astype(np.float64)
    gaps = gaps[gaps >= X_MIN]
    if gaps.size == 0 or not np.any(gaps > X_MIN):
        return DEFAULT_ALPHA
    return float(1.0 + gaps.size / np.log(gaps / X_MIN).sum())


def sample_parents(
    paper: Paper,
    method: str = "pdi",
    *,
    samples: int = 100,
    seed: int = 0,
    gamma: float = DEFAULT_GAMMA,
    alpha: float | None = DEFAULT_ALPHA,
    fit_alpha: bool = False,
    beta: float = INFLUENCE_BETA,
    rate: float = INFLUENCE_RATE,
) -> np.ndarray:
    """Draw ``samples`` parent arrays of a paper from a probabilistic method.

    Parameters
    ----------
    paper : Paper
        A resolved paper (credited parents).
    method : {"pdi", "influence"}
        The parent distribution (see the module documentation).
    samples : int
        Number of trees K.
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same trees.
    gamma, alpha, fit_alpha
        ``pdi``: weight of the followers part, exponent of the time part (``fit_alpha=True``:
        fitted with :func:`estimate_alpha`).
    beta, rate
        ``influence``: followers exponent and time decay per second.

    Returns
    -------
    ndarray of int64, shape (samples, n)
        One parent array per row; each keeps ``parent[i] < i``.

    Examples
    --------
    >>> import cascade
    >>> paper = next(iter(cascade.read("examples/data")))
    >>> trees = sample_parents(paper, "pdi", samples=3, seed=1)
    >>> trees.shape, bool((trees < np.arange(len(paper))).all())
    ((3, 258), True)
    """
    if method not in ("pdi", "influence"):
        raise ValueError(f"sampling needs a probabilistic method (pdi, influence), not {method!r}")
    if samples < 1:
        raise ValueError("samples must be >= 1")
    out = np.repeat(paper.parent[None, :], samples, axis=0)
    lay = _layout(paper)
    if lay is None:
        return out
    rng = np.random.default_rng(seed)
    if method == "pdi":
        _check_pdi(gamma)
        a = estimate_alpha(paper) if fit_alpha or alpha is None else alpha
        pos = _sample_pdi(lay, samples, rng, gamma, a)
    else:
        pos = _sample_influence(lay, samples, rng, beta, rate)
    out[:, lay.free] = lay.cand[pos]
    return out


def _check_pdi(gamma: float) -> None:
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], not {gamma}")


def parent_probabilities(
    paper: Paper,
    method: str = "pdi",
    *,
    gamma: float = DEFAULT_GAMMA,
    alpha: float | None = DEFAULT_ALPHA,
    fit_alpha: bool = False,
    beta: float = INFLUENCE_BETA,
    rate: float = INFLUENCE_RATE,
    max_pairs: int = 20_000_000,
) -> pd.DataFrame:
    """Every (retweet, candidate parent) pair with its exact probability, for small papers.

    O(sum of squared cascade sizes): meant for inspection, teaching and tests. Sampling
    (:func:`sample_parents`) needs no such table.

    Returns
    -------
    pandas.DataFrame
        Columns ``child`` and ``parent`` (tweet indices), ``child_id``, ``parent_id`` and
        ``probability``; only re-parented retweets appear.

    Raises
    ------
    ValueError
        If the table would have more than ``max_pairs`` rows.

    Examples
    --------
    >>> from cascade.io.records import PaperRecords
    >>> from cascade.resolve import resolve
    >>> r = PaperRecords("p", "example")
    >>> for k, (t, f) in enumerate([(0, 3.0), (1, 1.0), (2, 1.0)]):
    ...     _ = r.add(str(k), f"u{k}", t, f, "post" if k == 0 else "RT @u0: post")
    >>> table = parent_probabilities(resolve(r), "pdi", gamma=1.0)
    >>> table[["child", "parent", "probability"]].values.tolist()
    [[1.0, 0.0, 1.0], [2.0, 0.0, 0.75], [2.0, 1.0, 0.25]]
    """
    _check(method)
    columns = ["child", "parent", "child_id", "parent_id", "probability"]
    lay = _layout(paper)
    if lay is None or method not in ("pdi", "influence"):
        return pd.DataFrame({c: [] for c in columns})
    counts = lay.stop - lay.start
    if int(counts.sum()) > max_pairs:
        raise ValueError(f"{int(counts.sum())} pairs exceed max_pairs={max_pairs}")
    row = np.repeat(np.arange(lay.free.size), counts)
    pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + lay.start[row]
    if method == "pdi":
        _check_pdi(gamma)
        a = estimate_alpha(paper) if fit_alpha or alpha is None else alpha
        gap = (lay.tau[lay.stop[row]] - lay.tau[pos]).astype(np.float64)
        g = _g(gap, a)
        f = lay.followers[pos]
        prob = gamma * f / np.bincount(row, f)[row] + (1 - gamma) * g / np.bincount(row, g)[row]
    else:
        lw, cum = _influence_logs(lay, beta, rate)
        prob = np.exp(lw[pos] - cum[lay.stop[row] - 1])
    child, parent = lay.free[row], lay.cand[pos]
    return pd.DataFrame(
        {
            "child": child,
            "parent": parent,
            "child_id": paper.id[child],
            "parent_id": paper.id[parent],
            "probability": prob,
        }
    )


def _modal(pos: np.ndarray, n_cand: int) -> tuple[np.ndarray, np.ndarray]:
    """Most frequent candidate of every column of ``pos`` (ties: the earliest) and its share."""
    samples, m = pos.shape
    col = np.repeat(np.arange(m)[None, :], samples, axis=0).ravel()
    keys, counts = np.unique(col * np.int64(n_cand) + pos.ravel(), return_counts=True)
    key_col = keys // n_cand
    order = np.lexsort((keys, -counts, key_col))
    first = order[np.searchsorted(key_col[order], np.arange(m))]
    return keys[first] % n_cand, counts[first] / samples


def _follow_parents(paper: Paper, lay: _Layout, follows: pd.DataFrame) -> np.ndarray:
    """Per free retweet: the most recent earlier participant its author follows, or -1."""
    codes = pd.Index(paper.user_keys)
    follower = codes.get_indexer(follows["follower"].to_numpy())
    followee = codes.get_indexer(follows["followee"].to_numpy())
    keep = (follower >= 0) & (followee >= 0)
    edges = distinct(follower[keep] * np.int64(len(codes)) + followee[keep])
    e_from, e_to = edges // len(codes), edges % len(codes)
    author = paper.user[lay.free]
    lo = np.searchsorted(e_from, author, side="left")
    cnt = np.searchsorted(e_from, author, side="right") - lo
    pair_row = np.repeat(np.arange(lay.free.size), cnt)
    edge = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt) + lo[pair_row]
    n = np.int64(len(paper))
    # Candidates grouped by (cascade, author), index order inside: a dense group code keeps the
    # composite key group * n + index below n ** 2.
    group = lay.rank * np.int64(len(codes)) + paper.user[lay.cand]
    uniq, dense = np.unique(group, return_inverse=True)
    composite = np.sort(dense * n + lay.cand)
    query = lay.free_rank[pair_row] * np.int64(len(codes)) + e_to[edge]
    g = np.searchsorted(uniq, query)
    found = (g < uniq.size) & (uniq[np.minimum(g, uniq.size - 1)] == query)
    at = np.searchsorted(composite, g * n + lay.free[pair_row], side="left") - 1
    ok = found & (at >= 0)
    ok[ok] = composite[at[ok]] // n == g[ok]
    best = np.full(lay.free.size, -1, dtype=np.int64)
    np.maximum.at(best, pair_row[ok], composite[at[ok]] % n)
    return best


def load_follow_graph(source: str | os.PathLike | pd.DataFrame | Iterable) -> pd.DataFrame:
    """A follower graph as a two-column table ``follower``, ``followee`` of lower-case handles.

    Parameters
    ----------
    source : path, DataFrame or iterable of (follower, followee) pairs
        A CSV file of ``follower,followee`` rows (a header row naming the columns, e.g.
        ``follower,followee`` or ``source,target``, is skipped; ``@`` is dropped); or the first
        two columns of a DataFrame; or pairs.

    Examples
    --------
    >>> load_follow_graph([("@Bob", "ann")]).values.tolist()
    [['bob', 'ann']]
    """
    if isinstance(source, pd.DataFrame):
        frame = source.iloc[:, :2].astype(str)
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            frame = pd.read_csv(path, header=None, dtype=str, skipinitialspace=True)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
            raise InputError(path, f"cannot read the follower graph: {e}") from None
        if frame.shape[1] < 2:
            raise InputError(path, "a follower graph needs two columns: follower, followee")
        frame = frame.iloc[:, :2].dropna()
        head = str(frame.iloc[0, 0]).strip().lower() if len(frame) else ""
        if head in ("follower", "source", "from", "user", "follower_handle"):
            frame = frame.iloc[1:]
    else:
        frame = pd.DataFrame(list(source), dtype=str)
        if frame.empty:
            frame = pd.DataFrame({0: [], 1: []}, dtype=str)
    frame.columns = ["follower", "followee"]
    return frame.apply(lambda c: c.str.strip().str.lstrip("@").str.lower()).reset_index(drop=True)


def reconstruct(
    paper: Paper,
    method: str = "pdi",
    *,
    samples: int = 100,
    seed: int = 0,
    gamma: float = DEFAULT_GAMMA,
    alpha: float | None = DEFAULT_ALPHA,
    fit_alpha: bool = False,
    beta: float = INFLUENCE_BETA,
    rate: float = INFLUENCE_RATE,
    follow_graph: Any = None,
) -> Paper:
    """A copy of a paper with its retweet paths reconstructed by ``method``.

    Parameters
    ----------
    paper : Paper
        A resolved paper (credited parents).
    method : {"credited", "pdi", "influence", "follow-graph"}
        See the module documentation.
    samples, seed
        ``pdi``: the representative tree gives each retweet the parent drawn most often in
        ``samples`` seeded draws (ties: the earliest), with that share as its probability.
    gamma, alpha, fit_alpha
        ``pdi`` parameters (``alpha=None`` or ``fit_alpha=True`` fits alpha to the paper).
    beta, rate
        ``influence`` parameters. Its tree gives each retweet its most probable parent (ties: the
        most recent), with the exact probability.
    follow_graph : path, DataFrame or pairs
        ``follow-graph``: follower -> followee edges (see :func:`load_follow_graph`).

    Returns
    -------
    Paper
        Same tweets, new ``parent`` array; re-parented edges have ``resolution`` = the method;
        ``method`` names it; for ``pdi`` and ``influence``, ``probability`` holds each
        re-parented edge's probability (NaN elsewhere).

    Examples
    --------
    >>> import cascade
    >>> paper = next(iter(cascade.read("examples/data")))
    >>> tree = reconstruct(paper, "influence")
    >>> tree.method, int((tree.resolution == "influence").sum())
    ('influence', 188)
    """
    _check(method)
    if method == "credited":
        return paper
    if method == "follow-graph" and follow_graph is None:
        raise ValueError("the follow-graph method needs a follower graph (follow_graph=FILE)")
    lay = _layout(paper)
    parent = paper.parent.copy()
    resolution = paper.resolution.copy()
    probability = None
    if lay is not None:
        if method == "follow-graph":
            follows = (
                follow_graph
                if isinstance(follow_graph, pd.DataFrame)
                and list(follow_graph.columns) == ["follower", "followee"]
                else load_follow_graph(follow_graph)
            )
            best = _follow_parents(paper, lay, follows)
            hit = best >= 0
            parent[lay.free[hit]] = best[hit]
            resolution[lay.free[hit]] = method
        else:
            probability = np.full(len(paper), np.nan)
            if method == "pdi":
                trees = sample_parents(
                    paper, "pdi", samples=samples, seed=seed, gamma=gamma, alpha=alpha,
                    fit_alpha=fit_alpha,
                )  # fmt: skip
                best, share = _modal(trees[:, lay.free], len(paper))
            else:
                lw, cum = _influence_logs(lay, beta, rate)
                top = np.maximum.accumulate(lw)
                # Latest position holding the running maximum: ties go to the most recent.
                arg = np.maximum.accumulate(np.where(lw == top, np.arange(lw.size), 0))
                at = arg[lay.stop - 1]
                best, share = lay.cand[at], np.exp(lw[at] - cum[lay.stop - 1])
            parent[lay.free] = best
            resolution[lay.free] = method
            probability[lay.free] = share
    return paper.with_parents(parent, resolution, method=method, probability=probability)


# --- sampled metrics ----------------------------------------------------------------------------


def _tree_metrics(trees: np.ndarray, cascade: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """Depth, max breadth and structural virality of every cascade of every tree, (S, k)."""
    s_n, n = trees.shape
    offset = (np.arange(s_n, dtype=np.int64) * n)[:, None]
    parent = np.where(trees >= 0, trees + offset, -1).ravel()
    depth, _, size = forest(parent)
    group = (np.arange(s_n)[:, None] * k + cascade[None, :]).ravel()
    _, max_depth, breadth, virality = tree_shapes(parent, depth, size, group, s_n * k)
    return {
        "depth": max_depth.reshape(s_n, k),
        "max_breadth": breadth.reshape(s_n, k),
        "structural_virality": virality.reshape(s_n, k),
    }


def _iter_papers(papers: Paper | Iterable[Paper]) -> Iterator[Paper]:
    if isinstance(papers, Paper):
        yield papers
    else:
        yield from papers


def sampled_metrics(
    papers: Paper | Iterable[Paper],
    method: str = "pdi",
    *,
    samples: int = 100,
    seed: int = 0,
    batch: int = 16,
    **options: Any,
) -> pd.DataFrame:
    """Cascade metrics over sampled trees: mean and 5-95% interval per cascade.

    Parameters
    ----------
    papers : Paper or iterable of Paper
        Resolved papers (credited parents).
    method : {"pdi", "influence"}
        The parent distribution.
    samples, seed
        Number of trees and their seed.
    batch : int
        Trees measured together (memory ~ batch x n).
    **options
        ``gamma``, ``alpha``, ``fit_alpha``, ``beta``, ``rate`` (see :func:`sample_parents`).

    Returns
    -------
    pandas.DataFrame
        One row per cascade: ``citation_id``, ``root_id``, ``size``, ``method``, ``samples``,
        then for each of ``depth``, ``max_breadth``, ``structural_virality`` the columns
        ``<metric>_mean``, ``<metric>_p05`` and ``<metric>_p95`` (5th and 95th percentiles over
        the sampled trees).

    Examples
    --------
    >>> import cascade
    >>> table = sampled_metrics(cascade.read("examples/data"), "pdi", samples=20)
    >>> len(table), float(table["depth_mean"].max()) > 1
    (70, True)
    """
    frames = []
    for paper in _iter_papers(papers):
        trees = sample_parents(paper, method, samples=samples, seed=seed, **options)
        _, root, _ = forest(paper.parent)
        roots = np.flatnonzero(paper.parent < 0)
        cascade = np.searchsorted(roots, root)
        k = roots.size
        parts = [_tree_metrics(trees[s : s + batch], cascade, k) for s in range(0, samples, batch)]
        row: dict[str, Any] = {
            "citation_id": np.full(k, paper.citation_id, dtype=object),
            "root_id": paper.id[roots],
            "size": np.bincount(cascade, minlength=k),
            "method": np.full(k, method, dtype=object),
            "samples": np.full(k, samples),
        }
        for name in SAMPLED_METRICS:
            values = np.concatenate([p[name] for p in parts]).astype(np.float64)
            with np.errstate(all="ignore"):
                row[f"{name}_mean"] = values.mean(axis=0)
                row[f"{name}_p05"] = np.percentile(values, 5, axis=0)
                row[f"{name}_p95"] = np.percentile(values, 95, axis=0)
        frames.append(pd.DataFrame(row))
    if not frames:
        columns = ["citation_id", "root_id", "size", "method", "samples"]
        columns += [f"{m}_{s}" for m in SAMPLED_METRICS for s in ("mean", "p05", "p95")]
        return pd.DataFrame({c: [] for c in columns})
    return pd.concat(frames, ignore_index=True)


def pdi_metrics(
    papers: Paper | Iterable[Paper], *, samples: int = 100, seed: int = 0, **options: Any
) -> pd.DataFrame:
    """:func:`sampled_metrics` with ``method="pdi"``.

    Examples
    --------
    >>> import cascade
    >>> table = pdi_metrics(cascade.read("examples/data"), samples=10, gamma=0.2)
    >>> list(table.columns[:5])
    ['citation_id', 'root_id', 'size', 'method', 'samples']
    """
    return sampled_metrics(papers, "pdi", samples=samples, seed=seed, **options)


# --- expected influence -------------------------------------------------------------------------


def _exact_descendants(paper: Paper, beta: float, rate: float) -> np.ndarray:
    """Expected number of descendants of every tweet under the ``influence`` distribution.

    Parents are drawn independently, so ``E[D_j] = sum_i P(parent(i) = j) (1 + E[D_i])``. With
    ``P(j) = w_j / C_i`` over the candidate prefix, the sum over later retweets is one running
    (log-space) accumulator per cascade: a single reverse pass, exact at any size.
    """
    n = len(paper)
    parent = paper.parent.tolist()
    expect = [0.0] * n
    lay = _layout(paper)
    if lay is None:
        pending = [0.0] * n
        for i in range(n - 1, -1, -1):
            expect[i] = pending[i]
            if parent[i] >= 0:
                pending[parent[i]] += 1.0 + expect[i]
        return np.asarray(expect)
    lw, cum = _influence_logs(lay, beta, rate)
    cand_pos = np.full(n, -1, dtype=np.int64)
    cand_pos[lay.cand] = np.arange(lay.cand.size)
    free_norm = np.full(n, np.nan)
    free_norm[lay.free] = cum[lay.stop - 1]
    is_free = np.zeros(n, dtype=bool)
    is_free[lay.free] = True
    rank = np.full(n, -1, dtype=np.int64)
    rank[lay.cand] = lay.rank
    acc = [-math.inf] * (int(lay.rank.max()) + 1)  # log sum over later free retweets
    pending = [0.0] * n
    lw_list, pos_list, rank_list = lw.tolist(), cand_pos.tolist(), rank.tolist()
    free_list, norm_list = is_free.tolist(), free_norm.tolist()
    for i in range(n - 1, -1, -1):
        e = pending[i]
        q = pos_list[i]
        if q >= 0 and acc[rank_list[i]] > -math.inf:
            e += math.exp(lw_list[q] + acc[rank_list[i]])
        expect[i] = e
        if free_list[i]:
            r = rank_list[i]
            term = math.log1p(e) - norm_list[i]
            a = acc[r]
            acc[r] = term if a == -math.inf else max(a, term) + math.log1p(math.exp(-abs(a - term)))
        elif parent[i] >= 0:
            pending[parent[i]] += 1.0 + e
    return np.asarray(expect)


def _user_totals(paper: Paper, per_tweet: np.ndarray) -> pd.Series:
    totals = np.bincount(paper.user, weights=per_tweet, minlength=len(paper.user_keys))
    return pd.Series(totals, index=pd.Index(paper.user_keys, dtype=object))


def expected_influence(
    papers: Paper | Iterable[Paper],
    method: str = "influence",
    *,
    samples: int | None = None,
    seed: int = 0,
    **options: Any,
) -> pd.Series:
    """Each user's expected number of descendants over all unfoldings (Rizoiu et al. 2018).

    A user's influence is the sum, over their tweets, of the expected number of tweets that
    descend from that tweet when every re-parented retweet draws its parent independently.

    Parameters
    ----------
    papers : Paper, iterable of Paper or Reconstructed
        Resolved papers with their *credited* parents (a :class:`Reconstructed` corpus is
        unwrapped to its credited papers); users are matched case-insensitively across papers.
    method : {"influence", "pdi", "credited", "follow-graph"}
        ``influence`` is computed exactly (one O(n) reverse pass per paper, at any size) unless
        ``samples`` is given; ``pdi`` is always estimated from ``samples`` trees (default 100);
        ``credited`` and ``follow-graph`` count the descendants in their one tree.
    samples : int, optional
        Estimate by the mean over this many sampled trees instead.
    seed : int
        Seed of the sampled trees.
    **options
        Parameters of the method (``gamma``, ``alpha``, ``fit_alpha``, ``beta``, ``rate``,
        ``follow_graph``).

    Returns
    -------
    pandas.Series
        Float, indexed by lower-case handle, named ``expected_influence``, sorted by decreasing
        value (ties by handle).

    Examples
    --------
    >>> import cascade
    >>> top = expected_influence(cascade.read("examples/data"))
    >>> top.index[0], round(float(top.iloc[0]), 3)
    ('byron_c_wallace', 66.844)
    """
    _check(method)
    if isinstance(papers, Reconstructed):  # the parents to re-draw are the credited ones
        papers = papers.corpus
    parts = []
    beta = options.get("beta", INFLUENCE_BETA)
    rate = options.get("rate", INFLUENCE_RATE)
    for paper in _iter_papers(papers):
        if paper.method != "credited":
            raise ValueError(
                f"expected_influence needs credited papers, not a {paper.method} reconstruction"
            )
        if method == "influence" and samples is None:
            per_tweet = _exact_descendants(paper, beta, rate)
        elif method in ("pdi", "influence"):
            k = samples or 100
            opts = {o: v for o, v in options.items() if o != "follow_graph"}
            trees = sample_parents(paper, method, samples=k, seed=seed, **opts)
            per_tweet = np.zeros(len(paper))
            for s in range(0, k, 16):
                chunk = trees[s : s + 16]
                offset = (np.arange(chunk.shape[0], dtype=np.int64) * len(paper))[:, None]
                _, _, size = forest(np.where(chunk >= 0, chunk + offset, -1).ravel())
                per_tweet += (size.reshape(chunk.shape) - 1).sum(axis=0)
            per_tweet /= k
        else:
            tree = reconstruct(paper, method, follow_graph=options.get("follow_graph"))
            per_tweet = (forest(tree.parent)[2] - 1).astype(np.float64)
        parts.append(_user_totals(paper, per_tweet))
    if not parts:
        return pd.Series([], dtype=np.float64, name="expected_influence")
    total = pd.concat(parts).groupby(level=0, sort=False).sum()
    frame = pd.DataFrame({"user": total.index, "value": total.to_numpy()})
    frame = frame.sort_values(["value", "user"], ascending=[False, True], kind="stable")
    return pd.Series(
        frame["value"].to_numpy(), index=pd.Index(frame["user"], dtype=object),
        name="expected_influence",
    )  # fmt: skip


# --- corpora ------------------------------------------------------------------------------------


class Reconstructed:
    """A corpus whose papers come out reconstructed: what ``--reconstruct`` wraps around a read.

    Iterating it yields ``reconstruct(paper, method, **options)`` for every paper of ``corpus``;
    ``log``, ``paths`` and ``records()`` are the corpus's own.

    Examples
    --------
    >>> import cascade
    >>> papers = Reconstructed(cascade.read("examples/data"), "influence")
    >>> [p.method for p in papers], papers.log.used
    (['influence'], 258)
    """

    def __init__(self, corpus: Iterable[Paper], method: str, **options: Any) -> None:
        _check(method)
        if method == "follow-graph":
            if options.get("follow_graph") is None:
                raise ValueError("--reconstruct follow-graph needs --follow-graph FILE")
            options["follow_graph"] = load_follow_graph(options["follow_graph"])
        self.corpus, self.method, self.options = corpus, method, options

    def __repr__(self) -> str:
        return f"<{self.method} reconstruction of {self.corpus!r}>"

    def __getattr__(self, name: str) -> Any:  # log, paths, records, ...
        if name == "corpus":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.corpus, name)

    def __iter__(self) -> Iterator[Paper]:
        for paper in self.corpus:
            yield reconstruct(paper, self.method, **self.options)
