"""Cascade and paper metrics, straight from the ``parent`` array.

Every measure is an array operation over a batch of papers at once, so 100,000 papers cost a few
hundred numpy calls, not millions of Python steps:

* depth and root of every tweet by pointer doubling (O(n log depth));
* subtree sizes ``s`` from one sparse triangular solve, ``(I - A) s = 1`` with ``A`` the
  parent -> child adjacency (triangular because tweets are in topological order): O(n) in C,
  whatever the shape of the trees;
* structural virality (Goel et al. 2016) from the Wiener index ``W = sum_v s_v (n - s_v)`` over
  non-root v: ``2 W / (n (n - 1))``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve_triangular

from cascade.model import (
    NAT,
    Batch,
    Paper,
    distinct,
    latest_per_group,
    lexsort_whole,
    stack,
    sum_known,
)

__all__ = [
    "CASCADE_COLUMNS",
    "PAPER_COLUMNS",
    "batch_tables",
    "cascade_metrics",
    "forest",
    "iter_metrics",
    "metric_tables",
    "paper_metrics",
    "structural_virality",
    "tree_shapes",
]

CASCADE_COLUMNS = [
    "citation_id",
    "root_id",
    "size",
    "depth",
    "max_breadth",
    "structural_virality",
    "start",
    "end",
    "duration_s",
    "time_to_half_s",
    "users",
    "reach",
]
PAPER_COLUMNS = [
    "citation_id",
    "tweets",
    "originals",
    "retweets",
    "replies",
    "users",
    "cascades",
    "largest_cascade",
    "max_depth",
    "max_breadth",
    "mean_structural_virality",
    "max_structural_virality",
    "first_tweet",
    "last_tweet",
    "duration_days",
    "retweet_share",
    "reach",
    "placeholders",
    "duplicates",
    "skipped",
]


def forest(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Depth, root and subtree size of every vertex of a forest in topological order.

    Parameters
    ----------
    parent : ndarray of int
        ``parent[i]`` is the parent of vertex ``i`` (-1 for roots), with ``parent[i] < i``.

    Returns
    -------
    depth, root, size : ndarray of int64
        Distance from the root, index of the root, and number of vertices in the subtree
        rooted at each vertex (itself included).

    Examples
    --------
    >>> depth, root, size = forest(np.array([-1, 0, 0, 1, 1, 3]))
    >>> depth.tolist(), root.tolist(), size.tolist()
    ([0, 1, 1, 2, 2, 3], [0, 0, 0, 0, 0, 0], [6, 4, 1, 2, 1, 1])
    """
    parent = np.asarray(parent, dtype=np.int64)
    n = len(parent)
    index = np.arange(n)
    has_parent = parent >= 0
    if np.any(parent >= index):
        raise ValueError("parent must be in topological order: parent[i] < i")
    # Pointer doubling: after k rounds jump[i] is i's ancestor 2**k levels up (or its root).
    jump = np.where(has_parent, parent, index)
    depth = has_parent.astype(np.int64)
    active = np.flatnonzero(jump[jump] != jump)
    while active.size:
        up = jump[active]
        depth[active] += depth[up]
        jump[active] = jump[up]
        active = active[jump[jump[active]] != jump[active]]
    child = np.flatnonzero(has_parent)
    if child.size == 0:
        return depth, jump, np.ones(n, dtype=np.int64)
    adjacency = sp.csr_matrix((np.ones(child.size), (parent[child], child)), shape=(n, n))
    size = spsolve_triangular(
        sp.identity(n, format="csr") - adjacency, np.ones(n), lower=False, unit_diagonal=True
    )
    return depth, jump, np.rint(size).astype(np.int64)


def structural_virality(parent: np.ndarray) -> float:
    """Structural virality of one tree: the mean distance between all pairs of its vertices.

    Computed in O(n) from subtree sizes (Goel et al. 2016): ``2 W / (n (n - 1))`` with the
    Wiener index ``W = sum over non-root v of s_v (n - s_v)``.

    Parameters
    ----------
    parent : ndarray of int
        Parent of each vertex (-1 for the root), in topological order.

    Returns
    -------
    float
        NaN for a single vertex.

    Examples
    --------
    >>> structural_virality(np.array([-1, 0, 0, 1, 1, 3]))  # 62 / 30
    2.066666666666667
    >>> structural_virality(np.array([-1, 0, 0, 0]))  # a star: 2 (n - 1) / n
    1.5
    """
    parent = np.asarray(parent, dtype=np.int64)
    n = len(parent)
    if (parent < 0).sum() != 1:
        raise ValueError("structural_virality takes one tree: exactly one root")
    if n == 1:
        return float("nan")
    _, _, size = forest(parent)
    s = size[parent >= 0].astype(np.float64)
    return float(2.0 * np.sum(s * (n - s)) / (n * (n - 1.0)))


def tree_shapes(
    parent: np.ndarray, depth: np.ndarray, size: np.ndarray, tree: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Size, depth, maximum breadth and structural virality of each of ``k`` trees of a forest.

    The one place these shapes are computed, for credited cascades and sampled reconstructions.

    Parameters
    ----------
    parent, depth, size : ndarray of int
        The forest and its :func:`forest` depths and subtree sizes.
    tree : ndarray of int
        Tree number (in ``[0, k)``) of every vertex.
    k : int
        Number of trees.

    Returns
    -------
    size, depth, max_breadth : ndarray of int64
    structural_virality : ndarray of float64
        ``2 W / (n (n - 1))``, ``W = sum s_v (n - s_v)`` over non-roots; NaN for one vertex.

    Examples
    --------
    >>> parent = np.array([-1, 0, 0, 1, 1, 3, -1])
    >>> depth, root, size = forest(parent)
    >>> n, d, b, v = tree_shapes(parent, depth, size, np.array([0] * 6 + [1]), 2)
    >>> n.tolist(), d.tolist(), b.tolist(), v.round(4).tolist()
    ([6, 1], [3, 0], [2, 0], [2.0667, nan])
    """
    n = np.bincount(tree, minlength=k)
    nonroot = parent >= 0
    s = size[nonroot].astype(np.float64)
    wiener = np.bincount(tree[nonroot], weights=s * (n[tree[nonroot]] - s), minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        virality = np.where(n > 1, 2.0 * wiener / (n * (n - 1.0)), np.nan)
    max_depth = _group_max(tree, depth, k, 0)
    levels = int(depth.max(initial=0)) + 1
    keys, counts = np.unique(tree[nonroot] * levels + depth[nonroot], return_counts=True)
    breadth = np.zeros(k, dtype=np.int64)
    np.maximum.at(breadth, keys // levels, counts)
    return n, max_depth, breadth, virality


def _group_max(index: np.ndarray, values: np.ndarray, k: int, initial: float) -> np.ndarray:
    out = np.full(k, initial, dtype=values.dtype)
    np.maximum.at(out, index, values)
    return out


def batch_tables(
    papers: list[Paper], stacked: Batch | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cascade and paper tables of one batch of papers, measured together.

    Parameters
    ----------
    papers : list of Paper
    stacked : Batch, optional
        Their :func:`cascade.model.stack`, when the caller has it (its cached forest is used,
        and kept for whatever else reads the batch).

    Returns
    -------
    (cascades, papers) : tuple of pandas.DataFrame
        As :func:`metric_tables`.

    Examples
    --------
    >>> import cascade
    >>> cascades, table = batch_tables(list(cascade.read("examples/data")))
    >>> len(cascades), table["tweets"].tolist()
    (70, [258])
    """
    b = stack(papers) if stacked is None else stacked
    depth, _, size = b.forest
    roots = np.flatnonzero(b.parent < 0)
    k = roots.size
    cascade = b.cascade

    n, max_depth, breadth, virality = tree_shapes(b.parent, depth, size, cascade, k)

    time = b.time
    dated = np.flatnonzero(time != NAT)
    by_time = dated[lexsort_whole((time[dated], cascade[dated]))]
    dated_cascade = cascade[by_time]
    m = np.bincount(dated_cascade, minlength=k)
    first = np.searchsorted(dated_cascade, np.arange(k))
    has_time = m > 0
    start = np.where(has_time, time[by_time[np.minimum(first, len(by_time) - 1)]], NAT)
    end = np.where(has_time, time[by_time[np.maximum(first + m - 1, 0)]], NAT)
    half = time[by_time[np.maximum(first + (m + 1) // 2 - 1, 0)]] if len(by_time) else start
    duration = np.where(has_time, end - start, np.nan)
    to_half = np.where(has_time, half - start, np.nan)

    pairs = distinct(cascade.astype(np.int64) * b.n_users + b.user)
    pair_cascade, pair_user = pairs // b.n_users, pairs % b.n_users
    followers = latest_per_group(b.followers, b.time, b.user, b.n_users)
    users = np.bincount(pair_cascade, minlength=k)
    reach = sum_known(pair_cascade, followers[pair_user], k)

    paper_of_cascade = b.paper[roots]
    ids = np.concatenate([p.id for p in papers])
    citation = np.array([p.citation_id for p in papers], dtype=object)
    cascades = pd.DataFrame(
        {
            "citation_id": citation[paper_of_cascade],
            "root_id": ids[roots],
            "size": n,
            "depth": max_depth,
            "max_breadth": breadth,
            "structural_virality": virality,
            "start": _utc(start),
            "end": _utc(end),
            "duration_s": duration,
            "time_to_half_s": to_half,
            "users": users,
            "reach": reach,
        }
    )
    return cascades, _paper_table(papers, b, cascades, paper_of_cascade, followers)


def _utc(seconds: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(seconds.view("datetime64[s]")).tz_localize("UTC")


def _paper_table(
    papers: list[Paper],
    b: Batch,
    cascades: pd.DataFrame,
    paper_of_cascade: np.ndarray,
    followers: np.ndarray,
) -> pd.DataFrame:
    k = len(papers)
    real = ~b.placeholder
    # Tweets of each kind per paper, from one pass over the kinds (string comparisons are slow).
    code, kinds = pd.factorize(b.kind[real])
    counts = np.bincount(b.paper[real] * len(kinds) + code, minlength=k * len(kinds))
    by_kind: dict[str, np.ndarray] = dict(zip(kinds, counts.reshape(k, len(kinds)).T))
    none = np.zeros(k, dtype=np.int64)
    tweets = np.bincount(b.paper[real], minlength=k)
    retweets = by_kind.get("retweet", none)
    user_paper = b.user_paper
    time = b.time
    dated = real & (time != NAT)
    first = np.full(k, np.iinfo(np.int64).max)
    np.minimum.at(first, b.paper[dated], time[dated])
    last = _group_max(b.paper[dated], time[dated], k, NAT)
    seen = first != np.iinfo(np.int64).max
    first = np.where(seen, first, NAT)

    size = cascades["size"].to_numpy()
    multi = size >= 2
    sv = cascades["structural_virality"].to_numpy()
    sv_sum = np.bincount(paper_of_cascade[multi], weights=sv[multi], minlength=k)
    sv_n = np.bincount(paper_of_cascade[multi], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        sv_mean = np.where(sv_n > 0, sv_sum / sv_n, np.nan)
        share = np.where(tweets > 0, retweets / tweets, np.nan)
    sv_max = _group_max(paper_of_cascade[multi], sv[multi], k, -np.inf)
    return pd.DataFrame(
        {
            "citation_id": [p.citation_id for p in papers],
            "tweets": tweets,
            "originals": by_kind.get("original", none),
            "retweets": retweets,
            "replies": by_kind.get("reply", none),
            "users": np.bincount(user_paper, minlength=k),
            "cascades": np.bincount(paper_of_cascade, minlength=k),
            "largest_cascade": _group_max(paper_of_cascade, size, k, 0),
            "max_depth": _group_max(paper_of_cascade, cascades["depth"].to_numpy(), k, 0),
            "max_breadth": _group_max(paper_of_cascade, cascades["max_breadth"].to_numpy(), k, 0),
            "mean_structural_virality": sv_mean,
            "max_structural_virality": np.where(sv_n > 0, sv_max, np.nan),
            "first_tweet": _utc(first),
            "last_tweet": _utc(np.where(seen, last, NAT)),
            "duration_days": np.where(seen, (last - first) / 86400.0, np.nan),
            "retweet_share": share,
            "reach": sum_known(user_paper, followers, k),
            "placeholders": np.bincount(b.paper[~real], minlength=k),
            "duplicates": np.array([p.duplicates for p in papers], dtype=np.int64),
            "skipped": np.array([sum(p.skipped.values()) for p in papers], dtype=np.int64),
        }
    )


def _batches(papers: Paper | Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    if isinstance(papers, Paper):
        papers = [papers]
    it = iter(papers)
    while batch := list(islice(it, size)):
        yield batch


def iter_metrics(
    papers: Paper | Iterable[Paper], *, batch_size: int = 2000
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Yield ``(cascades, papers)`` tables batch by batch, reading the papers lazily.

    Use it to measure a corpus too large to hold: only ``batch_size`` papers are in memory.
    """
    for batch in _batches(papers, batch_size):
        yield batch_tables(batch)


def metric_tables(
    papers: Paper | Iterable[Paper], *, batch_size: int = 2000
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables in one pass over the papers: ``(cascades, papers)``.

    :func:`cascade_metrics` and :func:`paper_metrics` each give one of them; a corpus read from
    files is read and resolved once here instead of twice.

    Examples
    --------
    >>> import cascade
    >>> cascades, papers = cascade.metric_tables(cascade.read("examples/data"))
    >>> len(cascades), papers["cascades"].tolist()
    (70, [70])
    """
    tables = list(iter_metrics(papers, batch_size=batch_size))
    return (
        _stack([c for c, _ in tables], CASCADE_COLUMNS),
        _stack([p for _, p in tables], PAPER_COLUMNS),
    )


def cascade_metrics(papers: Paper | Iterable[Paper], *, batch_size: int = 2000) -> pd.DataFrame:
    """One row per cascade (tree of the tweet-level forest) of the given papers.

    Parameters
    ----------
    papers : Paper or iterable of Paper
        For example ``cascade.read("data/")``.
    batch_size : int
        Papers measured together in one vectorised pass.

    Returns
    -------
    pandas.DataFrame
        Columns ``citation_id``, ``root_id`` (the root tweet's id), ``size``, ``depth`` (root
        eccentricity), ``max_breadth`` (most tweets at one depth >= 1; 0 for a lone root),
        ``structural_virality`` (mean distance between all pairs; NaN for size 1), ``start``,
        ``end`` (UTC), ``duration_s``, ``time_to_half_s`` (until half the cascade's dated tweets
        had appeared), ``users`` (distinct, placeholder authors included) and ``reach`` (sum of
        the distinct users' latest known follower counts; NaN when none is known).

    Examples
    --------
    >>> import cascade
    >>> table = cascade.cascade_metrics(cascade.read("examples/data"))
    >>> int(table["size"].max())
    67
    """
    tables = [c for c, _ in iter_metrics(papers, batch_size=batch_size)]
    return _stack(tables, CASCADE_COLUMNS)


def paper_metrics(papers: Paper | Iterable[Paper], *, batch_size: int = 2000) -> pd.DataFrame:
    """One row per paper.

    Parameters
    ----------
    papers : Paper or iterable of Paper
        For example ``cascade.read("data/")``.
    batch_size : int
        Papers measured together in one vectorised pass.

    Returns
    -------
    pandas.DataFrame
        Columns ``citation_id``, ``tweets`` (tweets in the data), ``originals``, ``retweets``,
        ``replies``, ``users``, ``cascades``, ``largest_cascade``, ``max_depth``,
        ``max_breadth``, ``mean_structural_virality`` and ``max_structural_virality`` (over
        cascades of size >= 2), ``first_tweet``, ``last_tweet`` (UTC), ``duration_days``,
        ``retweet_share`` (retweets / tweets), ``reach`` (sum of the latest known follower counts
        of the paper's distinct users), ``placeholders``, ``duplicates`` and ``skipped`` (input
        records left out).

    Examples
    --------
    >>> import cascade
    >>> table = cascade.paper_metrics(cascade.read("examples/data"))
    >>> table[["tweets", "retweets", "placeholders"]].values.tolist()
    [[258, 188, 0]]
    """
    tables = [p for _, p in iter_metrics(papers, batch_size=batch_size)]
    return _stack(tables, PAPER_COLUMNS)


def _stack(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not tables:
        return pd.DataFrame({c: [] for c in columns})
    return pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
