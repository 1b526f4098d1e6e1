"""The :class:`Paper`: one paper's tweets as columns, resolved into a diffusion forest.

The single fact every stage after reading shares is the ``parent`` array: ``parent[i]`` is the
index of the tweet tweet ``i`` came from (-1 for a cascade root). Tweets are stored in topological
order (``parent[i] < i``), so subtree sizes and depths come from array operations.
See ``docs/design.md`` for the full list of columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import igraph as ig

__all__ = [
    "COLUMNS",
    "DEFAULT_KINDS",
    "EDGE_KINDS",
    "NAT",
    "Batch",
    "Paper",
    "distinct",
    "latest_per_group",
    "lexsort_whole",
    "stack",
    "sum_known",
    "take_strings",
]

#: ``datetime64``'s NaT seen as int64 (what :func:`stack` puts in ``time`` for unknown times).
NAT = np.iinfo(np.int64).min
#: The links a user graph can have: the kinds of the tweet forest's edges, and mentions.
EDGE_KINDS = ("retweet", "quote", "reply", "mention")
#: The links of a user graph unless told otherwise (``user_graph``, ``export``, ``cascade export``):
#: retweets, the edges the rankings' centralities use, so a graph ranks as its papers do.
DEFAULT_KINDS = ("retweet",)

COLUMNS = (
    "id",
    "author",
    "user",
    "time",
    "followers",
    "text",
    "kind",
    "placeholder",
    "parent",
    "resolution",
)


@dataclass(frozen=True, eq=False)
class Paper:
    """One paper's tweets, as numpy columns of equal length, in topological order.

    Attributes
    ----------
    citation_id : str
        The paper's id.
    id, author, text, kind, resolution : ndarray of str (object)
        Tweet id, author's handle (display form), text, kind (``original``, ``retweet``,
        ``quote``, ``reply``) and the rule that found the edge into the tweet (``exact``,
        ``text``, ``no_text``, ``author_time``, ``placeholder``, ``chain``, ``same_text``,
        ``mid_text``, ``hat_tip``, ``via``: see :mod:`cascade.resolve`; ``""`` for roots).
    user : ndarray of int64
        Code of the author in ``handles`` / ``user_keys`` (handles match case-insensitively).
    time : ndarray of datetime64[s]
        UTC time; NaT for placeholders.
    followers : ndarray of float64
        Followers at tweet time; NaN when unknown.
    placeholder : ndarray of bool
        Tweets inferred, not in the data (unseen originals and chain hops).
    parent : ndarray of int64
        Index of the parent tweet, -1 for roots. Information flows parent -> child.
    handles, user_keys : ndarray of str (object)
        Display form and lower-case key of each user code.
    source : str
        The file the paper came from.
    attrs : dict
        Paper attributes from the source (``doi``, ``title``, ...).
    records, duplicates, embedded : int
        Tweet records in the input; records repeating a tweet id; originals known only from
        inside another record.
    skipped : Counter
        Reason -> number of input records left out.
    method : str
        How the parents were found (``credited`` or a reconstruction method).
    probability : ndarray of float64 or None
        Under a probabilistic reconstruction (``pdi``, ``influence``): the probability of each
        tweet's parent edge (NaN for roots and for edges the method kept as given); else None.
    """

    citation_id: str
    id: np.ndarray
    author: np.ndarray
    user: np.ndarray
    time: np.ndarray
    followers: np.ndarray
    text: np.ndarray
    kind: np.ndarray
    placeholder: np.ndarray
    parent: np.ndarray
    resolution: np.ndarray
    handles: np.ndarray
    user_keys: np.ndarray
    source: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    records: int = 0
    skipped: Counter = field(default_factory=Counter)
    duplicates: int = 0
    embedded: int = 0
    method: str = "credited"
    probability: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.id)

    def __repr__(self) -> str:
        return (
            f"<Paper {self.citation_id!r}: {self.n_tweets} tweets, {self.n_placeholders} "
            f"placeholders, {int((self.parent < 0).sum())} cascades>"
        )

    def _repr_html_(self) -> str:
        """Jupyter's inline view: the user graph page (at most ``NOTEBOOK_TOP`` users) in a
        sandboxed iframe; ``cascade.show(paper, ...)`` takes every option of ``to_html``."""
        from cascade.render.notebook import NOTEBOOK_TOP, show

        return show(self, max_nodes=NOTEBOOK_TOP, height=560)._repr_html_()

    @property
    def n_tweets(self) -> int:
        """Tweets in the data (vertices that are not placeholders)."""
        return int(len(self.id) - self.placeholder.sum())

    @property
    def n_placeholders(self) -> int:
        """Inferred tweets (unseen originals and chain hops)."""
        return int(self.placeholder.sum())

    def with_parents(
        self,
        parent: np.ndarray,
        resolution: np.ndarray | None = None,
        *,
        method: str,
        probability: np.ndarray | None = None,
    ) -> Paper:
        """A copy with another parent array (same tweets, same order), e.g. a reconstruction.

        ``parent`` must keep the topological order: ``parent[i] < i``. ``probability`` gives each
        edge's probability under a probabilistic method (None otherwise).
        """
        parent = np.asarray(parent, dtype=np.int64)
        if parent.shape != self.parent.shape or np.any(parent >= np.arange(len(parent))):
            raise ValueError("parent must have one entry per tweet, each < its own index")
        if resolution is None:
            resolution = labels(parent >= 0, method, "")
        return replace(
            self, parent=parent, resolution=resolution, method=method, probability=probability
        )

    def to_frame(self) -> pd.DataFrame:
        """The tweets as a pandas DataFrame, one row per tweet (placeholders included).

        Columns: ``id``, ``author``, ``time`` (UTC), ``followers``, ``text``, ``kind``,
        ``placeholder``, ``parent_id`` (None for roots), ``resolution``.
        """
        parent_id = np.where(self.parent >= 0, self.id[np.maximum(self.parent, 0)], None)
        return pd.DataFrame(
            {
                "id": self.id,
                "author": self.author,
                "time": pd.to_datetime(self.time).tz_localize("UTC"),
                "followers": self.followers,
                "text": self.text,
                "kind": self.kind,
                "placeholder": self.placeholder,
                "parent_id": parent_id,
                "resolution": self.resolution,
            }
        )

    def tweet_graph(self, *, reverse: bool = False) -> ig.Graph:
        """The tweet-level diffusion forest; see :func:`cascade.graph.tweet_graph`."""
        from cascade.graph import tweet_graph

        return tweet_graph(self, reverse=reverse)

    def user_graph(
        self, *, kinds: tuple[str, ...] = ("retweet",), reverse: bool = False
    ) -> ig.Graph:
        """The user-level diffusion graph; see :func:`cascade.graph.user_graph`."""
        from cascade.graph import user_graph

        return user_graph(self, kinds=kinds, reverse=reverse)


@dataclass(frozen=True, eq=False)
class Batch:
    """A batch of papers stacked into global columns, so one array operation serves them all.

    Parents are global indices (the batch stays topologically ordered); user codes are global
    and distinct per paper (the same person in two papers has two codes: merge by ``user_keys``
    where needed); ``time`` is int64 epoch seconds with :data:`NAT` for unknown.
    """

    paper: np.ndarray  # paper number of every tweet
    parent: np.ndarray
    user: np.ndarray
    time: np.ndarray
    followers: np.ndarray
    kind: np.ndarray
    placeholder: np.ndarray
    id: np.ndarray
    user_keys: np.ndarray  # per user code
    handles: np.ndarray  # per user code
    user_paper: np.ndarray  # paper number of every user code
    n_users: int

    @cached_property
    def forest(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Depth, root and subtree size of every tweet (:func:`cascade.metrics.forest`), computed
        once per batch for every measure that reads it."""
        from cascade.metrics import forest  # metrics builds on this module

        return forest(self.parent)

    @cached_property
    def cascade(self) -> np.ndarray:
        """The cascade (root, in order) of every tweet: 0 for the first root's tree, and so on."""
        _, root, _ = self.forest
        return np.cumsum(self.parent < 0)[root] - 1

    @cached_property
    def retweet(self) -> np.ndarray:
        """Whether each tweet is a retweet (``kind == "retweet"``), compared once per batch."""
        return np.asarray(self.kind == "retweet", dtype=bool)

    def merged_users(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Users merged across papers by lower-case handle, the one rule for it.

        Returns
        -------
        uid : ndarray of int64
            Merged user of every user code, numbered in order of first appearance.
        keys, handles : ndarray of str (object)
            Lower-case handle and display form (the first seen) of every merged user.
        """
        uid, keys = pd.factorize(self.user_keys)
        # Users are numbered in order of first appearance: a code is a user's first where it
        # exceeds every earlier one (a linear scan, not a sort).
        seen = np.maximum.accumulate(np.concatenate([[-1], uid[:-1]])) if uid.size else uid
        handles = self.handles[np.flatnonzero(uid > seen)]
        return uid, np.asarray(keys, dtype=object), handles


def stack(papers: list[Paper]) -> Batch:
    """Stack a batch of papers into one :class:`Batch` of global columns.

    Examples
    --------
    >>> import cascade
    >>> b = stack(list(cascade.read("examples/data")))
    >>> len(b.parent), b.n_users, int((b.parent < 0).sum())
    (258, 210, 70)
    """
    lengths = np.array([len(p) for p in papers], dtype=np.int64)
    n_users = np.array([len(p.handles) for p in papers], dtype=np.int64)
    paper = np.repeat(np.arange(len(papers)), lengths)
    offsets = np.cumsum(lengths) - lengths
    user_offsets = np.cumsum(n_users) - n_users

    def cat(name: str, dtype: Any = None) -> np.ndarray:
        arrays = [getattr(p, name) for p in papers]
        return np.concatenate(arrays) if arrays else np.empty(0, dtype=dtype or object)

    parent = cat("parent", np.int64)
    return Batch(
        paper=paper,
        parent=np.where(parent >= 0, parent + offsets[paper], -1),
        user=cat("user", np.int64) + user_offsets[paper],
        time=cat("time", "datetime64[s]").astype("datetime64[s]").view(np.int64),
        followers=cat("followers", np.float64),
        kind=cat("kind"),
        placeholder=cat("placeholder", bool),
        id=cat("id"),
        user_keys=cat("user_keys"),
        handles=cat("handles"),
        user_paper=np.repeat(np.arange(len(papers)), n_users),
        n_users=int(n_users.sum()),
    )


def latest_per_group(values: np.ndarray, time: np.ndarray, group: np.ndarray, k: int) -> np.ndarray:
    """The value with the latest time in each of ``k`` groups, ignoring NaN values.

    Used for "followers = latest known count". Groups without a known value get NaN.

    Examples
    --------
    >>> latest_per_group(np.array([1.0, 2.0, np.nan]), np.array([5, 3, 9]), np.array([0, 0, 0]), 2)
    array([ 1., nan])
    """
    out = np.full(k, np.nan)
    known = np.flatnonzero(~np.isnan(values))
    order = known[lexsort_whole((time[known], group[known]))]
    g = group[order]
    # The last entry of each group's run, in time order, is the latest.
    last = np.flatnonzero(np.append(g[1:] != g[:-1], True)) if g.size else g
    out[g[last]] = values[order[last]]
    return out


def sum_known(group: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Per-group sum of the known (non-NaN) values, as float; NaN for a group with none known.

    The one rule for follower sums (reach): unknown counts are left out, and a group none of
    whose counts is known has an unknown sum, not 0.

    Parameters
    ----------
    group : ndarray of int
        Group of each value, in ``[0, k)``.
    values : ndarray of float
        The values; NaN = unknown.
    k : int
        Number of groups.

    Returns
    -------
    ndarray of float64, length ``k``

    Examples
    --------
    >>> sum_known(np.array([0, 0, 1]), np.array([2.0, np.nan, np.nan]), 3).tolist()
    [2.0, nan, nan]
    >>> sum_known(np.array([], dtype=int), np.array([]), 2).dtype
    dtype('float64')
    """
    known = ~np.isnan(values)
    index = np.asarray(group)[known]
    # bincount with empty weights returns int64, which cannot hold NaN: ask for float.
    total = np.bincount(index, weights=values[known], minlength=k).astype(np.float64)
    total[np.bincount(index, minlength=k) == 0] = np.nan
    return total


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array.

    The same as ``np.unique(values)``, which in numpy 2.4 takes a hashing path that is about 20
    times slower than sorting for int64 arrays.

    Examples
    --------
    >>> distinct(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    s = np.sort(values)
    return s[np.append(True, s[1:] != s[:-1])] if s.size else s


def labels(mask: np.ndarray, yes: str, no: str) -> np.ndarray:
    """An object array holding ``yes`` where ``mask`` is true and ``no`` elsewhere.

    Every entry is one of the two given ``str`` objects. ``np.where(mask, yes, no)`` followed by
    ``.astype(object)`` makes a new ``str`` per entry instead (about 55 bytes each), which
    label columns such as ``Paper.resolution`` then keep for as long as the paper lives.

    Examples
    --------
    >>> out = labels(np.array([True, False, True]), "text", "author_time")
    >>> out.tolist(), out[0] is out[2]
    (['text', 'author_time', 'text'], True)
    """
    return np.array([no, yes], dtype=object)[np.asarray(mask, dtype=bool).astype(np.intp)]


def take_strings(values: np.ndarray, index: np.ndarray) -> Any:
    """``values[index]`` as a table column, each entry of ``values`` converted once.

    pandas converts a column of ``str`` objects into its own string form (Arrow in pandas 3)
    string by string: converting the distinct values and repeating them is a few times cheaper
    than converting every row, and the column is the one ``pd.DataFrame({...: values[index]})``
    makes (in pandas 2, object rows that share the string objects).

    Examples
    --------
    >>> column = take_strings(np.array(["a", "b"], dtype=object), np.array([1, 1, 0]))
    >>> pd.DataFrame({"x": column})["x"].tolist()
    ['b', 'b', 'a']
    """
    return pd.Series(values).array.take(np.asarray(index, dtype=np.intp))


def lexsort_whole(keys: Sequence[np.ndarray]) -> np.ndarray:
    """``np.lexsort(keys)`` (the last key first, ties in input order) for keys of whole numbers.

    The keys and the position are packed into one int64 key, unique, so one plain sort gives
    the stable order (several times faster than ``lexsort``'s stable pass per key); keys whose
    ranges do not fit in 62 bits together, or that hold other numbers, take ``np.lexsort``.

    Examples
    --------
    >>> keys = (np.array([3.0, 1.0, 2.0, 1.0]), np.array([1, 0, 1, 0]))
    >>> lexsort_whole(keys).tolist(), np.lexsort(keys).tolist()
    ([1, 3, 2, 0], [1, 3, 2, 0])
    """
    n = len(keys[0]) if len(keys) else 0
    packed = np.arange(n, dtype=np.int64)
    scale = max(n, 1)
    for key in keys:
        if not n:
            break
        if key.dtype.kind == "f" and not (np.isfinite(key).all() and (key == np.floor(key)).all()):
            return np.lexsort(keys)
        low, high = int(key.min()), int(key.max())
        if scale * (high - low + 1) >= 2**62:
            return np.lexsort(keys)
        packed += (key.astype(np.int64) - low) * scale
        scale *= high - low + 1
    return np.argsort(packed)
