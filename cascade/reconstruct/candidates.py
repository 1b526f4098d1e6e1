"""The candidate parents of every re-parented retweet of a paper, as flat arrays.

Which tweets are re-parented, and among whom, is decided here once for every method (see
:mod:`cascade.reconstruct`): native retweets crediting their cascade's root pick a parent among
the participants of that cascade before them; times are made non-decreasing per cascade.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cascade.metrics import forest
from cascade.model import NAT, Paper, distinct

__all__ = ["SHIFT", "Candidates", "candidates"]

SHIFT = 34  # cascade rank << 34 | seconds since the first tweet: spans up to 544 years


@dataclass(frozen=True)
class Candidates:
    """Re-parented retweets and their candidates, as flat arrays over all cascades of a paper.

    Candidates are grouped by cascade (``rank``), in index order inside a cascade; the candidates
    of free retweet ``r`` are the positions ``start[r] <= q < stop[r]``.
    """

    free: np.ndarray  # tweet index of each re-parented retweet, ascending
    cand: np.ndarray  # tweet index of each candidate
    rank: np.ndarray  # cascade rank of each candidate
    tau: np.ndarray  # effective time of each candidate, seconds since the first one (int64)
    key: np.ndarray  # rank << SHIFT | tau: sorted
    followers: np.ndarray  # follower weight of each candidate (unknown or 0 -> 1)
    start: np.ndarray  # per free retweet
    stop: np.ndarray  # per free retweet (= its own candidate position)
    free_rank: np.ndarray  # per free retweet


def candidates(paper: Paper) -> Candidates | None:
    """The re-parented retweets of ``paper`` and their candidates; None when there are none.

    Examples
    --------
    >>> from cascade.io.records import PaperRecords
    >>> from cascade.resolve import resolve
    >>> r = PaperRecords("p", "example")
    >>> for k, t in enumerate([0, 5, 9]):
    ...     _ = r.add(str(k), f"u{k}", t, 1.0, "post" if k == 0 else "RT @u0: post")
    >>> c = candidates(resolve(r))
    >>> c.free.tolist(), c.cand.tolist(), c.tau.tolist(), c.stop.tolist()
    ([1, 2], [0, 1, 2], [0, 5, 9], [1, 2])
    """
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
    if rel.size and int(rel.max()) >= 1 << SHIFT:
        raise ValueError(f"paper {paper.citation_id}: tweets span more than 500 years")
    # A running max per cascade (ranks dominate the key) makes times non-decreasing and gives a
    # placeholder the latest known time before it.
    key = np.maximum.accumulate((rank.astype(np.int64) << SHIFT) | rel)
    tau = key - (rank.astype(np.int64) << SHIFT)
    f = paper.followers[cand]
    followers = np.where(np.isnan(f) | (f <= 0), 1.0, f)
    return Candidates(free, cand, rank, tau, key, followers, start, stop, free_rank)
