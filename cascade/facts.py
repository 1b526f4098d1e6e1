"""What the report keeps of each batch of papers, and the papers it keeps for its pages.

:class:`Collect` runs in the workers on every batch of the report's one pass (the ``extra`` of
:func:`cascade.parallel.measure`) and gives its :class:`Facts`: the users of every paper, the
dated tweets, titles, the growth predictions, the tally of the corpus ranking
(:mod:`cascade.tally`), and the papers that can still get a graph page. Those are chosen by
:class:`Largest`, a running selection of the papers with the most tweets: the report never holds
every resolved paper at once, only the few that can be drawn.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from cascade.model import NAT, Batch, Paper, lexsort_whole, take_strings
from cascade.rank import Units, stack_units
from cascade.render.growth import growth_data
from cascade.tally import Tally, units_tally

__all__ = ["GROWTH_COLUMNS", "USER_COLUMNS", "Collect", "Facts", "Largest", "Packed"]

USER_COLUMNS = ("citation_id", "user", "handle", "tweets", "retweets_received")
#: The columns of the growth predictions that the growth section reads
#: (:func:`cascade.render.growth.growth_table`).
GROWTH_COLUMNS = (
    "citation_id",
    "at_s",
    "retweets_observed",
    "predicted_retweets",
    "predicted_low",
    "predicted_high",
    "supercritical",
    "final_retweets",
)


@dataclass
class Facts:
    """What the report needs from a batch beyond the metric tables (picklable: from workers)."""

    users: pd.DataFrame  # citation_id, user, handle, tweets, retweets_received
    times: dict[str, np.ndarray]  # citation_id -> sorted epoch seconds of its dated tweets
    daily: pd.Series  # tweets per UTC day (epoch days)
    info: list[tuple[str, str, str]]  # citation_id, title, doi
    predictions: pd.DataFrame  # the growth section's, per cascade (render.growth.growth_data)
    ages: dict[str, np.ndarray]  # citation_id -> sorted ages of its reshares (the same)
    tally: Tally  # what the corpus ranking reads of the batch
    papers: dict[str, Packed] = field(default_factory=dict)  # those that may get a page


class Packed:
    """A paper kept pickled: a third of its size as live arrays, one allocation (no scattered
    strings), and what a page worker is sent anyway.

    With ``spill``, a folder that every process of the run can read, the pickle is written to a
    file there instead of being held: a worker then sends back only the file's name, not the
    paper, and most papers kept by a worker are never read again (the report draws only the
    largest of all workers' papers).

    Examples
    --------
    >>> import cascade
    >>> paper = next(iter(cascade.read("examples/data")))
    >>> packed = Packed(paper)
    >>> packed.tweets, packed.unpack().citation_id
    (258, '56155705')
    >>> import pickle, tempfile
    >>> spilled = Packed(paper, tempfile.mkdtemp())
    >>> spilled.blob is None, len(pickle.dumps(spilled)) < 300, spilled.unpack().n_tweets
    (True, True, 258)
    """

    __slots__ = ("blob", "path", "tweets")

    def __init__(self, paper: Paper, spill: str | os.PathLike | None = None) -> None:
        self.tweets = paper.n_tweets
        self.blob: bytes | None = None
        self.path: str | None = None
        if spill is None:
            self.blob = pickle.dumps(paper, protocol=5)
            return
        fd, self.path = tempfile.mkstemp(suffix=".pickle", dir=spill)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(paper, f, protocol=5)

    def unpack(self) -> Paper:
        if self.blob is not None:
            paper = pickle.loads(self.blob)
        else:
            with open(cast(str, self.path), "rb") as f:
                paper = pickle.load(f)
        assert isinstance(paper, Paper)
        return paper


class Largest:
    """A running selection of the ``k`` papers with the most tweets (ties by citation id).

    Papers are offered batch by batch as (citation id, tweets, value), each into a ``holder``
    (a dict citation id -> value, e.g. a batch's :attr:`Facts.papers`); a paper that falls out
    of the ``k`` largest seen so far is removed from its holder, and a paper offered again (same
    citation id) replaces the earlier one: the selection is that of the last copies as long as
    a later copy never has fewer tweets (a paper read again whole, see ``arrived`` in
    :func:`cascade.parallel.map_papers`). ``k=None`` keeps every paper.

    Examples
    --------
    >>> import cascade
    >>> papers = list(cascade.read("tests/data/twitter-v2"))
    >>> kept: dict = {}
    >>> Largest(1).offer([(p.citation_id, p.n_tweets, p) for p in papers], kept)
    >>> list(kept) == [min(papers, key=lambda p: (-p.n_tweets, p.citation_id)).citation_id]
    True
    """

    def __init__(self, k: int | None) -> None:
        self.k = k
        self._where: dict[str, tuple[tuple[int, str], dict[str, Any]]] = {}

    def offer(self, entries: Iterable[tuple[str, int, Any]], holder: dict[str, Any]) -> None:
        """Offer (citation id, tweets, value) entries, kept in ``holder`` while among the
        largest."""
        for cid, tweets, value in list(entries):
            earlier = self._where.get(cid)
            if earlier is not None and earlier[1] is not holder:
                earlier[1].pop(cid, None)
            holder[cid] = value
            self._where[cid] = ((-tweets, cid), holder)
        if self.k is not None and len(self._where) > self.k:
            ranked = sorted(self._where.items(), key=lambda item: item[1][0])
            for cid, (_, place) in ranked[max(self.k, 0) :]:
                place.pop(cid, None)
                del self._where[cid]


class Collect:
    """The report's per-batch work: ``Collect(keep)(batch) -> Facts`` (picklable).

    One instance serves the batches of one group of files in order (a worker receives its own
    copy), so its :class:`Largest` keeps at most ``keep`` papers over the group. With ``spill``
    (a folder), those papers are written there (see :class:`Packed`) rather than sent back.
    """

    def __init__(self, keep: int | None, spill: str | os.PathLike | None = None) -> None:
        self.largest = Largest(keep)
        self.spill = None if spill is None else os.path.abspath(spill)

    def __call__(self, batch: list[Paper], stacked: Batch | None = None) -> Facts:
        """The facts of ``batch``; ``stacked`` is its :func:`cascade.model.stack`, if the caller
        has it (:func:`cascade.parallel.measure` shares the metrics' one)."""
        b = stack_units(batch, per_paper=False, stacked=stacked)
        times, daily = _times(b, batch)
        attrs = [p.attrs or {} for p in batch]
        info = [
            (p.citation_id, str(a.get("title") or ""), str(a.get("doi") or ""))
            for p, a in zip(batch, attrs, strict=True)
        ]
        # Here, batch by batch: all papers' predictions at once were the report's peak of memory.
        predictions, ages = growth_data(batch, stacked=b, columns=GROWTH_COLUMNS)
        facts = Facts(
            users=_users(b, batch),
            times=times,
            daily=daily,
            info=info,
            predictions=predictions,
            ages=ages,
            tally=units_tally(b, batch),
        )
        tweets = np.bincount(b.paper[~b.placeholder], minlength=len(batch)).tolist()
        offers = [(p.citation_id, n, p) for p, n in zip(batch, tweets, strict=True)]
        self.largest.offer(offers, facts.papers)
        for cid, paper in facts.papers.items():  # this batch's papers that may get a page
            facts.papers[cid] = Packed(cast(Paper, paper), self.spill)
        return facts


def _users(b: Units, batch: list[Paper]) -> pd.DataFrame:
    """One row per (paper, user who tweeted it): tweets and retweets received in that paper."""
    if not batch:
        return pd.DataFrame()
    real = ~b.placeholder
    k = b.n_users
    tweets = np.bincount(b.user[real], minlength=k)
    child = np.flatnonzero((b.parent >= 0) & b.retweet)
    received = np.bincount(b.user[b.parent[child]], minlength=k)
    present = np.flatnonzero(tweets > 0)
    cids = np.array([p.citation_id for p in batch], dtype=object)
    # Each distinct citation id, key and handle of the batch converted (and, as objects, kept)
    # once, not once per paper: these outlive the papers, and each would hold the memory
    # around it. A handle is mostly its key's first form: only the others are numbered apart.
    uid, handles = b.uid[present], b.handles[present]
    other = np.flatnonzero(handles != b.first_handle[uid])
    code, forms = pd.factorize(handles[other])
    handle = uid.copy()
    handle[other] = len(b.first_handle) + code
    return pd.DataFrame(
        {
            "citation_id": take_strings(cids, b.user_paper[present]),
            "user": take_strings(b.keys, uid),
            "handle": take_strings(np.concatenate([b.first_handle, forms]), handle),
            "tweets": tweets[present],
            "retweets_received": received[present],
        }
    )


def _times(b: Units, batch: list[Paper]) -> tuple[dict[str, np.ndarray], pd.Series]:
    """Every paper's sorted epoch seconds of its dated tweets; tweets per UTC day."""
    dated = np.flatnonzero(~b.placeholder & (b.time != NAT))
    paper, seconds = b.paper[dated], b.time[dated]
    order = lexsort_whole((seconds, paper))
    seconds = seconds[order]
    ends = np.cumsum(np.bincount(paper, minlength=len(batch))).tolist()
    starts = [0, *ends][:-1]
    times = {p.citation_id: seconds[a:z] for p, a, z in zip(batch, starts, ends, strict=True)}
    # np.unique(..., return_counts=True) by one sort (its hashing path is the slower for int64).
    day = np.sort(seconds // 86400)
    first = np.flatnonzero(np.append(True, day[1:] != day[:-1])) if day.size else day
    count = np.diff(np.append(first, day.size))
    return times, pd.Series(count, index=np.asarray(day[first], dtype=np.int64), dtype=np.int64)
