"""What a user-level page looks up in its papers, by user: the first post (which network a
handle is on), the most-retweeted tweet (the tooltip's text) and the first retweet between two
users (when a link appears on the timeline).

Users are integer codes into one table of keys (``str(author).lower()``,
:func:`cascade.render.html.inputs.author_keys`), and every lookup is a few array operations over
the papers' tweets stacked in order, not a loop over them.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _stacked(papers: list[Any], name: str, dtype: Any = object) -> np.ndarray:
    parts = [np.asarray(getattr(p, name), dtype=dtype) for p in papers]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def _first_per_group(group: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """The first of ``rows`` (already in the order that decides) of each of ``k`` groups, -1 for
    a group without one."""
    out = np.full(k, -1, dtype=np.int64)
    present, first = np.unique(group, return_index=True)
    out[present] = rows[first]
    return out


def first_posts(papers: list[Any], key: np.ndarray, k: int) -> np.ndarray:
    """Each key's first real (not placeholder) post id, as a string; None for a key without one.

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> p = P(id=np.array([7, 8, 9]), placeholder=np.array([True, False, False]))
    >>> first_posts([p], np.array([0, 0, 1]), 3).tolist()
    ['8', '9', None]
    """
    real = np.flatnonzero(~_stacked(papers, "placeholder", bool))
    row = _first_per_group(key[real], real, k)
    ids = _stacked(papers, "id")
    out = np.full(k, None, dtype=object)
    has = row >= 0
    out[has] = [str(x) for x in ids[row[has]].tolist()]
    return out


def direct_retweets(papers: list[Any]) -> np.ndarray:
    """Each stacked tweet's direct retweets (children of kind ``retweet``)."""
    counts = []
    for paper in papers:
        parent = np.asarray(paper.parent)
        kind = np.asarray(paper.kind, dtype=object)
        mask = (parent >= 0) & (kind == "retweet")
        counts.append(np.bincount(parent[mask], minlength=len(parent)))
    return np.concatenate(counts).astype(np.int64) if counts else np.zeros(0, dtype=np.int64)


def top_tweet_rows(
    papers: list[Any], key: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each key's most-retweeted tweet with a text (direct retweets; ties: the earlier) as a row
    of the stacked tweets (-1: none), and the stacked retweet counts and texts.

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> p = P(parent=np.array([-1, -1, 1]), kind=np.array(["original", "original", "retweet"]),
    ...       text=np.array(["a", "b", "RT b"], dtype=object))
    >>> rows, counts, texts = top_tweet_rows([p], np.array([0, 0, 1]), 2)
    >>> rows.tolist(), counts.tolist()
    ([1, 2], [0, 1, 0])
    """
    counts = direct_retweets(papers)
    texts = _stacked(papers, "text")
    rows = np.flatnonzero(texts.astype(bool))  # a tweet without text has nothing to show
    rows = rows[np.lexsort((rows, -counts[rows], key[rows]))]
    return _first_per_group(key[rows], rows, k), counts, texts


def first_retweet_times(
    papers: list[Any], key: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every (author, retweeter) pair with a dated retweet, as the sorted codes
    ``author * k + retweeter``, and the epoch seconds of its first retweet.

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> p = P(parent=np.array([-1, 0, 0]), time=np.array([0, 9, 5], dtype="datetime64[s]"))
    >>> pairs, first = first_retweet_times([p], np.array([0, 1, 1]), 2)
    >>> pairs.tolist(), first.tolist()
    ([1], [5])
    """
    pair_parts, time_parts = [], []
    offset = 0
    for paper in papers:
        parent = np.asarray(paper.parent, dtype=np.int64)
        child = np.flatnonzero(parent >= 0)
        stamp = np.asarray(paper.time, dtype="datetime64[s]")[child]
        known = ~np.isnat(stamp)
        child = child[known]
        pair_parts.append(key[offset + parent[child]] * k + key[offset + child])
        time_parts.append(stamp[known].astype(np.int64))
        offset += len(parent)
    if not pair_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pair, stamp = np.concatenate(pair_parts), np.concatenate(time_parts)
    order = np.lexsort((stamp, pair))
    pair, stamp = pair[order], stamp[order]
    first = np.r_[True, pair[1:] != pair[:-1]] if pair.size else np.zeros(0, dtype=bool)
    return pair[first], stamp[first]


def lookup(codes: np.ndarray, table: np.ndarray, values: np.ndarray) -> list[Any]:
    """``values`` at each code's place in the sorted ``table``; None for a code not in it (or
    negative).

    Examples
    --------
    >>> lookup(np.array([3, 1, -1]), np.array([1, 3]), np.array([10, 30]))
    [30, 10, None]
    """
    at = np.searchsorted(table, codes)
    at = np.minimum(at, max(len(table) - 1, 0))
    hit = (codes >= 0) & (table[at] == codes) if len(table) else np.zeros(len(codes), dtype=bool)
    out = np.full(len(codes), None, dtype=object)
    out[hit] = values[at[hit]].tolist()
    return out.tolist()
