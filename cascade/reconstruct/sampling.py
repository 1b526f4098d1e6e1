"""The probabilistic methods, ``pdi`` and ``influence``: exact parent probabilities and samplers.

Candidates form a *prefix* of the cascade's participants (:mod:`.candidates`), so the followers
part and the whole ``influence`` kernel (``exp(rate (t_i - t_j)) = exp(rate t_i) exp(-rate t_j)``)
sample from cumulative sums with one ``np.searchsorted`` per draw. The time part of ``pdi`` is
sampled exactly by rejection: time gaps are cut into geometric blocks (ratio sqrt 2), a block is
drawn with weight ``count x (largest g in block)`` and a candidate uniformly inside, accepted with
probability ``g(gap) / largest g`` (>= 2 ** (-alpha / 2)). Memory is O(n log T) for the blocks
plus the K x n sampled parents; no n x n matrix is ever formed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cascade.model import Paper
from cascade.reconstruct.candidates import Candidates, candidates
from cascade.reconstruct.options import (
    DEFAULT_ALPHA,
    DEFAULT_GAMMA,
    DEFAULT_METHOD,
    DEFAULT_SAMPLES,
    INFLUENCE_BETA,
    INFLUENCE_RATE,
    PROBABILISTIC,
    X_MIN,
    Reconstruction,
    check_method,
    check_probabilistic,
)

__all__ = [
    "draw",
    "estimate_alpha",
    "influence_logs",
    "modal",
    "most_probable",
    "parent_probabilities",
    "sample_parents",
]

_RATIO = math.sqrt(2.0)  # geometric block ratio of the pdi time part
_PAIRS = 2_000_000  # (retweet, sample) pairs drawn at once: bounds the working memory


# --- pdi ----------------------------------------------------------------------------------------


def _g(gap: np.ndarray, alpha: float) -> np.ndarray:
    return np.power(np.maximum(gap, X_MIN), -alpha)


def _time_blocks(lay: Candidates) -> np.ndarray:
    """Integer gap boundaries ``0 = E_0 < E_1 = x_min < ... < E_B``, E_B above every gap."""
    max_gap = int((lay.tau[lay.stop] - lay.tau[lay.start]).max())
    edges = [0, int(math.ceil(X_MIN))]
    x = X_MIN
    while edges[-1] <= max_gap:
        x *= _RATIO
        edges.append(max(int(math.ceil(x)), edges[-1] + 1))
    return np.asarray(edges, dtype=np.int64)


def _sample_pdi(
    lay: Candidates, samples: int, rng: np.random.Generator, gamma: float, alpha: float
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


def influence_logs(lay: Candidates, beta: float, rate: float) -> tuple[np.ndarray, np.ndarray]:
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
    lay: Candidates, samples: int, rng: np.random.Generator, beta: float, rate: float
) -> np.ndarray:
    lw, cum = influence_logs(lay, beta, rate)
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
    lay = candidates(paper)
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
    method: str = DEFAULT_METHOD,
    *,
    samples: int = DEFAULT_SAMPLES,
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
    check_probabilistic(method)
    spec = Reconstruction(
        method, samples=samples, seed=seed, gamma=gamma, alpha=alpha, fit_alpha=fit_alpha,
        beta=beta, rate=rate,
    )  # fmt: skip
    return draw(paper, spec)


def draw(paper: Paper, spec: Reconstruction) -> np.ndarray:
    """``spec.samples`` parent arrays of ``paper`` drawn from ``spec`` (a probabilistic method)."""
    check_probabilistic(spec.method)
    out = np.repeat(paper.parent[None, :], spec.samples, axis=0)
    lay = candidates(paper)
    if lay is None:
        return out
    rng = np.random.default_rng(spec.seed)
    if spec.method == "pdi":
        pos = _sample_pdi(lay, spec.samples, rng, spec.gamma, _alpha(paper, spec))
    else:
        pos = _sample_influence(lay, spec.samples, rng, spec.beta, spec.rate)
    out[:, lay.free] = lay.cand[pos]
    return out


def _alpha(paper: Paper, spec: Reconstruction) -> float:
    """The ``pdi`` time exponent for ``paper``: ``spec.alpha``, or fitted to the paper."""
    if spec.fit_alpha or spec.alpha is None:
        return estimate_alpha(paper)
    return spec.alpha


def parent_probabilities(
    paper: Paper,
    method: str = DEFAULT_METHOD,
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
    check_method(method)
    columns = ["child", "parent", "child_id", "parent_id", "probability"]
    lay = candidates(paper)
    if lay is None or method not in PROBABILISTIC:
        return pd.DataFrame({c: [] for c in columns})
    spec = Reconstruction(
        method, gamma=gamma, alpha=alpha, fit_alpha=fit_alpha, beta=beta, rate=rate
    )
    counts = lay.stop - lay.start
    if int(counts.sum()) > max_pairs:
        raise ValueError(f"{int(counts.sum())} pairs exceed max_pairs={max_pairs}")
    row = np.repeat(np.arange(lay.free.size), counts)
    pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + lay.start[row]
    if method == "pdi":
        gap = (lay.tau[lay.stop[row]] - lay.tau[pos]).astype(np.float64)
        g = _g(gap, _alpha(paper, spec))
        f = lay.followers[pos]
        prob = gamma * f / np.bincount(row, f)[row] + (1 - gamma) * g / np.bincount(row, g)[row]
    else:
        lw, cum = influence_logs(lay, beta, rate)
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


def modal(pos: np.ndarray, n_cand: int) -> tuple[np.ndarray, np.ndarray]:
    """Most frequent candidate of every column of ``pos`` (ties: the earliest) and its share."""
    samples, m = pos.shape
    col = np.repeat(np.arange(m)[None, :], samples, axis=0).ravel()
    keys, counts = np.unique(col * np.int64(n_cand) + pos.ravel(), return_counts=True)
    key_col = keys // n_cand
    order = np.lexsort((keys, -counts, key_col))
    first = order[np.searchsorted(key_col[order], np.arange(m))]
    return keys[first] % n_cand, counts[first] / samples


def most_probable(lay: Candidates, beta: float, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """``influence``: each free retweet's most probable parent (ties: the most recent) and its
    exact probability."""
    lw, cum = influence_logs(lay, beta, rate)
    top = np.maximum.accumulate(lw)
    # Latest position holding the running maximum: ties go to the most recent.
    arg = np.maximum.accumulate(np.where(lw == top, np.arange(lw.size), 0))
    at = arg[lay.stop - 1]
    return lay.cand[at], np.exp(lw[at] - cum[lay.stop - 1])
