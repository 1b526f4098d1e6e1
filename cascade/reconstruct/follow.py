"""The ``follow-graph`` method: the parent is the latest earlier participant the retweeter follows.

Time-inferred diffusion (Goel et al. 2016; Vosoughi et al. 2018). A retweeter who follows no
earlier participant keeps the credited root.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from cascade.errors import InputError
from cascade.model import Paper, distinct
from cascade.reconstruct.candidates import Candidates

__all__ = ["as_follow_graph", "follow_parents", "load_follow_graph"]


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


def follow_parents(paper: Paper, lay: Candidates, follows: pd.DataFrame) -> np.ndarray:
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


def as_follow_graph(source: Any) -> pd.DataFrame:
    """``source`` as a follower graph table: itself when already loaded, else loaded."""
    if isinstance(source, pd.DataFrame) and list(source.columns) == ["follower", "followee"]:
        return source
    return load_follow_graph(source)
