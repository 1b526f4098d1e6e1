"""Measures over reconstructed trees: sampled cascade metrics and expected influence.

Depth, breadth and structural virality of sampled trees come from
:func:`cascade.metrics.tree_shapes`, subtree sizes from :func:`cascade.metrics.forest`: the one
place each is computed, for credited and reconstructed trees alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from cascade.deprecation import renamed_keyword, warn_deprecated
from cascade.metrics import forest, tree_shapes
from cascade.model import Paper
from cascade.reconstruct.candidates import candidates
from cascade.reconstruct.options import (
    DEFAULT_METHOD,
    DEFAULT_SAMPLES,
    PROBABILISTIC,
    Reconstruction,
    check_method,
    check_probabilistic,
)
from cascade.reconstruct.sampling import draw, influence_logs
from cascade.reconstruct.trees import Reconstructed, loaded, rebuild

__all__ = ["SAMPLED_METRICS", "expected_influence", "pdi_metrics", "sampled_metrics"]

SAMPLED_METRICS = ("depth", "max_breadth", "structural_virality")
BATCH_SIZE = 16  # sampled trees measured together: memory ~ BATCH_SIZE x n


def _stacked_forest(trees: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The parent arrays of ``trees`` (S, n) as one forest: (parent, depth, subtree size)."""
    s_n, n = trees.shape
    offset = (np.arange(s_n, dtype=np.int64) * n)[:, None]
    parent = np.where(trees >= 0, trees + offset, -1).ravel()
    depth, _, size = forest(parent)
    return parent, depth, size


def _tree_metrics(trees: np.ndarray, cascade: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """Depth, max breadth and structural virality of every cascade of every tree, (S, k)."""
    s_n = trees.shape[0]
    parent, depth, size = _stacked_forest(trees)
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


@renamed_keyword("batch", "batch_size")
def sampled_metrics(
    papers: Paper | Iterable[Paper],
    method: str = DEFAULT_METHOD,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    batch_size: int = BATCH_SIZE,
    **parameters: Any,
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
    batch_size : int
        Trees measured together (memory ~ batch_size x n). The 0.1 name ``batch=`` is
        deprecated.
    **parameters
        ``gamma``, ``alpha``, ``fit_alpha``, ``beta``, ``rate`` (see
        :class:`~cascade.reconstruct.Reconstruction`).

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
    check_probabilistic(method)
    spec = Reconstruction(method, samples=samples, seed=seed, **parameters)
    frames = []
    for paper in _iter_papers(papers):
        trees = draw(paper, spec)
        _, root, _ = forest(paper.parent)
        roots = np.flatnonzero(paper.parent < 0)
        cascade = np.searchsorted(roots, root)
        k = roots.size
        parts = [
            _tree_metrics(trees[s : s + batch_size], cascade, k)
            for s in range(0, samples, batch_size)
        ]
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
    papers: Paper | Iterable[Paper], *, samples: int = DEFAULT_SAMPLES, seed: int = 0,
    **parameters: Any,
) -> pd.DataFrame:  # fmt: skip
    """Deprecated: :func:`sampled_metrics`, whose default method is ``pdi``.

    Examples
    --------
    >>> import cascade, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     table = pdi_metrics(cascade.read("examples/data"), samples=10, gamma=0.2)
    >>> list(table.columns[:5])
    ['citation_id', 'root_id', 'size', 'method', 'samples']
    """
    warn_deprecated("pdi_metrics()", "sampled_metrics()")
    return sampled_metrics(papers, "pdi", samples=samples, seed=seed, **parameters)


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
    lay = candidates(paper)
    if lay is None:
        pending = [0.0] * n
        for i in range(n - 1, -1, -1):
            expect[i] = pending[i]
            if parent[i] >= 0:
                pending[parent[i]] += 1.0 + expect[i]
        return np.asarray(expect)
    lw, cum = influence_logs(lay, beta, rate)
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
    **parameters: Any,
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
    **parameters
        Parameters of the method (``gamma``, ``alpha``, ``fit_alpha``, ``beta``, ``rate``,
        ``follow_graph``; see :class:`~cascade.reconstruct.Reconstruction`).

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
    check_method(method)
    spec = Reconstruction(method, samples=samples or DEFAULT_SAMPLES, seed=seed, **parameters)
    spec = loaded(spec)  # a follower graph read once for every paper
    if isinstance(papers, Reconstructed):  # the parents to re-draw are the credited ones
        papers = papers.corpus
    parts = []
    for paper in _iter_papers(papers):
        if paper.method != "credited":
            raise ValueError(
                f"expected_influence needs credited papers, not a {paper.method} reconstruction"
            )
        if method == "influence" and samples is None:
            per_tweet = _exact_descendants(paper, spec.beta, spec.rate)
        elif method in PROBABILISTIC:
            trees = draw(paper, spec)
            per_tweet = np.zeros(len(paper))
            for s in range(0, spec.samples, BATCH_SIZE):
                chunk = trees[s : s + BATCH_SIZE]
                _, _, size = _stacked_forest(chunk)
                per_tweet += (size.reshape(chunk.shape) - 1).sum(axis=0)
            per_tweet /= spec.samples
        else:
            per_tweet = (forest(rebuild(paper, spec).parent)[2] - 1).astype(np.float64)
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
