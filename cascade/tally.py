"""The corpus ranking of users from small per-batch tallies, merged exactly.

:func:`cascade.rank_users` over a corpus needs every paper at once. A :class:`Tally` is what
that ranking reads of a batch of papers, a few arrays per user and per retweet: :func:`tally`
makes one from a batch (in a worker), :func:`merge` joins tallies of consecutive batches, and
:func:`rank_tally` ranks the merged tally. The result equals ``rank_users(papers)`` over the
same papers in the same order, to the last bit: users are numbered in order of first appearance
as :meth:`cascade.model.Batch.merged_users` numbers them, so every float sum runs in the same
order.

What a tally keeps, per user (lower-case handle) of the batch: the additive counts (``papers``,
``tweets``, ``retweets_made``, ``cascade_descendants``: subtrees never leave a paper), the
latest known follower count with its time, and the most repeated text (count and paper); per
retweet edge, its (source, retweeter); per dated tweet, its user and time (the regular-posting
rule looks at the gaps over all papers). The rest (``retweets_received``,
``unique_retweeters``, ``reach``, the centralities) comes from the merged edges.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cascade.centrality import BETWEENNESS_CUTOFF, GRAPH_MEASURES, graph_measures
from cascade.model import NAT, Paper, distinct, latest_per_group, lexsort_whole
from cascade.rank import (
    COUNT_MEASURES,
    MEASURES,
    Units,
    _counts,
    _descendants,
    _direct,
    _finish,
    _retweet_pairs,
    rank_users,
    stack_units,
)
from cascade.suspects import reasons, repeats

__all__ = [
    "ADDITIVE",
    "TALLY_MEASURES",
    "Tally",
    "merge",
    "rank_papers",
    "rank_tally",
    "tally",
    "units_tally",
]

#: Counts of a user that add up over batches.
ADDITIVE = ("papers", "tweets", "retweets_made", "cascade_descendants")
#: The measures :func:`rank_tally` can give: every measure of :func:`cascade.rank_users` but
#: ``expected_influence`` (it needs the tweets).
TALLY_MEASURES = COUNT_MEASURES + GRAPH_MEASURES


@dataclass
class Tally:
    """What a corpus ranking of users reads of a batch of papers (picklable, small).

    Users are numbered in order of first appearance (``keys``); every other user column holds
    such numbers.

    Attributes
    ----------
    keys, handles : ndarray of str (object)
        Lower-case handle and first display form of every user.
    counts : dict of str to ndarray of int64
        The :data:`ADDITIVE` counts, one value per user.
    src, dst : ndarray of int64
        Source and retweeter of every retweet edge of the forests, in tweet order.
    latest_user, latest_time, latest_followers : ndarray
        For every user with a known follower count: the user, the time (epoch seconds, NaT as
        :data:`cascade.model.NAT`) and value of the latest one (of equal times, the last).
    repeat_user, repeat_count : ndarray of int64; repeat_paper : ndarray of str (object)
        Users with a text posted at least ``REPEATS`` times about one paper: how many times,
        about which paper (the first of equal counts).
    dated_user, dated_time : ndarray of int64
        User and time of every dated tweet in the data.
    """

    keys: np.ndarray
    handles: np.ndarray
    counts: dict[str, np.ndarray]
    src: np.ndarray
    dst: np.ndarray
    latest_user: np.ndarray
    latest_time: np.ndarray
    latest_followers: np.ndarray
    repeat_user: np.ndarray
    repeat_count: np.ndarray
    repeat_paper: np.ndarray
    dated_user: np.ndarray
    dated_time: np.ndarray

    def __len__(self) -> int:
        return len(self.keys)


def tally(papers: Paper | Iterable[Paper]) -> Tally:
    """The tally of a batch of papers.

    Examples
    --------
    >>> import cascade
    >>> t = tally(cascade.read("examples/data"))
    >>> len(t), int(t.counts["tweets"].sum()), len(t.src)
    (210, 258, 188)
    """
    papers = [papers] if isinstance(papers, Paper) else list(papers)
    return units_tally(stack_units(papers, per_paper=False), papers)


def units_tally(b: Units, papers: list[Paper]) -> Tally:
    """The tally of ``papers`` already stacked as corpus units
    (``rank.stack_units(papers, per_paper=False)``)."""
    n, unit = b.n, b.author
    real = ~b.placeholder
    src, dst = _retweet_pairs(b)
    paper_unit = distinct(b.paper * n + unit)
    counts = {
        "papers": np.bincount(paper_unit % max(n, 1), minlength=n),
        "tweets": np.bincount(unit[real], minlength=n),
        "retweets_made": np.bincount(unit[real & b.retweet], minlength=n),
        "cascade_descendants": _descendants(b),
    }
    known = np.flatnonzero(~np.isnan(b.followers))
    order = known[lexsort_whole((b.time[known], unit[known]))]
    last = order[np.append(unit[order][1:] != unit[order][:-1], True)] if order.size else order
    cids = np.array([p.citation_id for p in papers], dtype=object)
    found = np.array(repeats(b, b.uid[b.user], n, papers), dtype=np.int64).reshape(-1, 3)
    dated = np.flatnonzero(real & (b.time != NAT))
    return Tally(
        keys=b.keys,
        handles=b.first_handle,
        counts={k: v.astype(np.int64) for k, v in counts.items()},
        src=src.astype(np.int64),
        dst=dst.astype(np.int64),
        latest_user=unit[last].astype(np.int64),
        latest_time=b.time[last],
        latest_followers=b.followers[last],
        repeat_user=found[:, 0],
        repeat_count=found[:, 2],
        repeat_paper=cids[found[:, 1]],
        dated_user=unit[dated].astype(np.int64),
        dated_time=b.time[dated],
    )


def merge(tallies: Sequence[Tally]) -> Tally:
    """One tally of consecutive batches, from theirs in input order.

    ``merge([tally(a), tally(b)])`` holds what ``tally(a + b)`` holds; users keep the order of
    first appearance over the batches.

    Examples
    --------
    >>> import cascade
    >>> papers = list(cascade.read("tests/data/twitter-v2"))
    >>> whole, parts = tally(papers), merge([tally(papers[:1]), tally(papers[1:])])
    >>> whole.keys.tolist() == parts.keys.tolist(), len(whole.src) == len(parts.src)
    (True, True)
    """
    if len(tallies) == 1:
        return tallies[0]
    if not tallies:
        return tally([])
    codes, keys = pd.factorize(np.concatenate([t.keys for t in tallies]))
    n = len(keys)
    bounds = np.cumsum([0] + [len(t) for t in tallies])
    maps = [codes[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    first = np.unique(codes, return_index=True)[1]
    handles = np.concatenate([t.handles for t in tallies])[first]

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(t, name) for t in tallies])

    def users(name: str) -> np.ndarray:
        return np.concatenate([m[getattr(t, name)] for m, t in zip(maps, tallies, strict=True)])

    counts = {}
    for name in ADDITIVE:
        total = np.zeros(n, dtype=np.int64)
        for m, t in zip(maps, tallies, strict=True):
            total[m] += t.counts[name]  # m holds each user once: no repeated index
        counts[name] = total
    # The latest follower count: the latest of the batches' latest (of equal times, the last).
    user, time = users("latest_user"), cat("latest_time")
    value = cat("latest_followers")
    order = np.lexsort((time, user))
    last = order[np.append(user[order][1:] != user[order][:-1], True)] if order.size else order
    # The most repeated text: the highest count, of equal counts the earliest batch's.
    r_user, r_count = users("repeat_user"), cat("repeat_count")
    pick = np.lexsort((np.arange(len(r_user)), -r_count, r_user))
    pick = pick[np.append(True, r_user[pick][1:] != r_user[pick][:-1])] if pick.size else pick
    return Tally(
        keys=np.asarray(keys, dtype=object),
        handles=handles,
        counts=counts,
        src=users("src"),
        dst=users("dst"),
        latest_user=user[last],
        latest_time=time[last],
        latest_followers=value[last],
        repeat_user=r_user[pick],
        repeat_count=r_count[pick],
        repeat_paper=cat("repeat_paper")[pick],
        dated_user=users("dated_user"),
        dated_time=cat("dated_time"),
    )


def _wanted(by: str, measures: Iterable[str] | None) -> set[str]:
    wanted = set(TALLY_MEASURES if measures is None else measures)
    unknown = wanted - set(TALLY_MEASURES)
    if unknown:
        raise ValueError(f"a tally cannot give {sorted(unknown)}; choose from {TALLY_MEASURES}")
    if by not in wanted:
        raise ValueError(f"cannot sort by {by!r}: choose one of the computed measures")
    return wanted


def rank_tally(
    t: Tally,
    *,
    by: str = "retweets_received",
    top_users: int | None = None,
    exclude_suspects: bool = False,
    measures: Iterable[str] | None = None,
    betweenness_cutoff: int = BETWEENNESS_CUTOFF,
) -> pd.DataFrame:
    """The corpus ranking of :func:`cascade.rank_users` from a (merged) tally.

    The parameters are those of :func:`cascade.rank_users` (no ``per_paper``: a per-paper
    ranking needs one paper only); ``measures`` are among :data:`TALLY_MEASURES` (default: all).

    Examples
    --------
    >>> import cascade
    >>> table = rank_tally(tally(cascade.read("examples/data")), top_users=3)
    >>> table[["rank", "handle", "retweets_received", "unique_retweeters"]].values.tolist()
    [[1, 'byron_c_wallace', 66, 66], [2, 'icoxfog417', 31, 30], [3, 'mark_riedl', 20, 20]]
    """
    wanted = _wanted(by, measures)
    n = len(t)
    followers = latest_per_group(t.latest_followers, t.latest_time, t.latest_user, n)
    unique, reach = _direct(t.src, t.dst, followers, n)
    values = {
        **t.counts,
        "retweets_received": np.bincount(t.src, minlength=n),
        "unique_retweeters": unique,
        "followers": followers,
        "reach": reach,
    }
    notes: dict[str, str] = {}
    if wanted & set(GRAPH_MEASURES):
        graph_values, notes = graph_measures(
            n,
            t.src,
            t.dst,
            np.zeros(n, dtype=np.int64),
            wanted,
            per_paper=False,
            betweenness_cutoff=betweenness_cutoff,
        )
        values.update(graph_values)
    table = pd.DataFrame({"handle": t.handles})
    table["_key"] = t.keys
    for name in MEASURES:
        if name in wanted:
            table[name] = values[name]
    repeated = zip(t.repeat_user.tolist(), t.repeat_count.tolist(), t.repeat_paper, strict=True)
    reason = reasons(t.keys, repeated, t.dated_user, t.dated_time)
    table["automated_suspect"] = reason != ""
    table["suspect_reason"] = reason
    group = np.zeros(n, dtype=np.int64)
    return _finish(table, group, by, top_users, exclude_suspects, "corpus", notes)


def rank_papers(
    papers: Iterable[Paper],
    *,
    by: str = "retweets_received",
    top_users: int | None = None,
    exclude_suspects: bool = False,
    measures: Iterable[str] | None = None,
    betweenness_cutoff: int = BETWEENNESS_CUTOFF,
) -> pd.DataFrame:
    """``rank_users(papers, per_paper=True)``, one paper in memory at a time.

    ``papers`` may be a generator: each paper is measured and dropped before the next is drawn;
    what stays is a few arrays per user and per retweet (the centralities run on the union of
    the papers' user graphs at the end, the suspect rules look across the papers as
    :func:`cascade.rank_users` does). The parameters are those of :func:`rank_tally`.

    Examples
    --------
    >>> import cascade
    >>> table = rank_papers(iter(cascade.read("examples/data")), top_users=1)
    >>> table[["rank", "citation_id", "handle", "retweets_received"]].values.tolist()
    [[1, '56155705', 'byron_c_wallace', 66]]
    """
    wanted = _wanted(by, measures)
    columns: dict[str, list[np.ndarray]] = {"citation_id": [], "handle": [], "_key": []}
    counted = [name for name in COUNT_MEASURES if name in wanted]
    columns |= {name: [] for name in counted}
    suspects: list[Tally] = []
    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    sizes: list[int] = []
    for paper in papers:
        b = stack_units([paper], per_paper=True)
        values = _counts(b)
        columns["citation_id"].append(np.full(b.n, paper.citation_id, dtype=object))
        columns["handle"].append(b.unit_handle)
        columns["_key"].append(b.keys[b.unit_uid])
        for name in counted:
            columns[name].append(values[name])
        s, d = _retweet_pairs(b)
        src.append(s + sum(sizes))
        dst.append(d + sum(sizes))
        suspects.append(_suspect_tally(b, paper))
        sizes.append(b.n)
    if not sizes:
        return rank_users([], per_paper=True, by=by, measures=wanted)
    cat = {name: np.concatenate(parts) for name, parts in columns.items()}
    n = sum(sizes)
    # Built as rank_users builds its table, so the columns get the same dtypes.
    table = pd.DataFrame({"handle": cat["handle"]})
    table.insert(0, "citation_id", cat["citation_id"])
    table["_key"] = cat["_key"]
    for name in counted:
        table[name] = cat[name]
    unit_paper = np.repeat(np.arange(len(sizes)), sizes)
    notes: dict[str, str] = {}
    if wanted & set(GRAPH_MEASURES):
        values, notes = graph_measures(
            n,
            np.concatenate(src),
            np.concatenate(dst),
            unit_paper,
            wanted,
            per_paper=True,
            betweenness_cutoff=betweenness_cutoff,
        )
        for name in GRAPH_MEASURES:
            if name in wanted:
                table[name] = values[name]
    t = merge(suspects)
    repeated = zip(t.repeat_user.tolist(), t.repeat_count.tolist(), t.repeat_paper, strict=True)
    reason = reasons(t.keys, repeated, t.dated_user, t.dated_time)
    uid = pd.Index(t.keys).get_indexer(cat["_key"])
    table["automated_suspect"] = reason[uid] != ""
    table["suspect_reason"] = reason[uid]
    return _finish(table, unit_paper, by, top_users, exclude_suspects, "per-paper", notes)


def _suspect_tally(b: Units, paper: Paper) -> Tally:
    """A tally of one paper with only what the suspect rules read (users, repeats, dates)."""
    n = len(b.keys)
    found = np.array(repeats(b, b.uid[b.user], n, [paper]), dtype=np.int64).reshape(-1, 3)
    dated = np.flatnonzero(~b.placeholder & (b.time != NAT))
    none = np.zeros(0, dtype=np.int64)
    return Tally(
        keys=b.keys,
        handles=b.first_handle,
        counts={name: np.zeros(n, dtype=np.int64) for name in ADDITIVE},
        src=none,
        dst=none,
        latest_user=none,
        latest_time=none,
        latest_followers=np.zeros(0),
        repeat_user=found[:, 0],
        repeat_count=found[:, 2],
        repeat_paper=np.full(len(found), paper.citation_id, dtype=object),
        dated_user=b.uid[b.user][dated],
        dated_time=b.time[dated],
    )
