"""Influencer rankings: who made a paper travel, within one paper and across many.

:func:`rank_users` gives one row per user with every measure as a column. The counts come from
the ``parent`` arrays of a whole batch of papers at once (:func:`cascade.model.stack`,
:func:`cascade.metrics.forest`); the centralities come from igraph on the user graph (edges
original author -> retweeter, weighted by how many times; see :func:`cascade.graph.user_graph`).

Direction conventions, stated once:

* ``pagerank`` and ``hub`` / ``authority`` (HITS) run on the *reversed* user graph, retweeter ->
  source, so that a retweet is a vote for its source: being retweeted (by well-retweeted users)
  raises ``pagerank`` and ``authority``; retweeting good sources raises ``hub``.
* ``betweenness`` and ``harmonic`` count shortest paths along the flow of information
  (source -> retweeter), unweighted (retweet counts are not distances).
* ``coreness`` is the k-core number of the undirected, simple user graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

import igraph as ig
import numpy as np
import pandas as pd

from cascade.centrality import (
    BETWEENNESS_CUTOFF,
    EXACT_BETWEENNESS_LIMIT,
    GRAPH_MEASURES,
    graph_measures,
)
from cascade.deprecation import renamed_keyword
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
from cascade.suspects import (  # noqa: F401 (REPEATS, REGULAR_*: also importable from here)
    FEED_HANDLE,
    REGULAR_CV,
    REGULAR_MIN_TWEETS,
    REPEATS,
    reasons,
    repeats,
)

__all__ = [
    "BETWEENNESS_CUTOFF",
    "EXACT_BETWEENNESS_LIMIT",
    "FEED_HANDLE",
    "GRAPH_MEASURES",
    "MEASURES",
    "NOT_FROM_GRAPH",
    "automated_suspects",
    "rank_users",
]

COUNT_MEASURES = (
    "papers",
    "tweets",
    "retweets_made",
    "retweets_received",
    "unique_retweeters",
    "followers",
    "reach",
    "cascade_descendants",
)
#: Measures over all unfoldings of the retweet paths (see :mod:`cascade.reconstruct`).
RECONSTRUCTION_MEASURES = ("expected_influence",)
MEASURES = COUNT_MEASURES + GRAPH_MEASURES + RECONSTRUCTION_MEASURES


# --- the units being ranked ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Units(Batch):
    """A :class:`~cascade.model.Batch` with the units being ranked numbered.

    A unit is a user of one paper (``per_paper``) or a user merged across papers by key.
    """

    uid: np.ndarray  # global user number (merged by key) of every user code
    keys: np.ndarray  # lower-case handle of every global user
    first_handle: np.ndarray  # display handle of every global user (its first form)
    author: np.ndarray  # unit of every tweet
    n: int  # number of units
    unit_paper: np.ndarray  # ranking (paper, or 0 for the corpus) of every unit
    unit_uid: np.ndarray  # global user of every unit
    unit_handle: np.ndarray  # display handle of every unit


def stack_units(papers: list[Paper], per_paper: bool, stacked: Batch | None = None) -> Units:
    """Stack the papers and number the ranked units: users per paper, or users merged by key.

    ``stacked`` is ``stack(papers)`` where the caller has it; what it has measured already (its
    cached :attr:`~cascade.model.Batch.forest`, ...) serves the units too.
    """
    b = stack(papers) if stacked is None else stacked
    uid, keys, first_handle = b.merged_users()
    batch = {f.name: getattr(b, f.name) for f in fields(Batch)}
    if per_paper:  # stack() numbers users per paper already
        units = Units(**batch, uid=uid, keys=keys, first_handle=first_handle, author=b.user,
                      n=b.n_users, unit_paper=b.user_paper, unit_uid=uid,
                      unit_handle=b.handles)  # fmt: skip
    else:
        units = Units(**batch, uid=uid, keys=keys, first_handle=first_handle, author=uid[b.user],
                      n=len(keys), unit_paper=np.zeros(len(keys), dtype=np.int64),
                      unit_uid=np.arange(len(keys)), unit_handle=first_handle)  # fmt: skip
    cached = vars(units)
    cached.update({name: value for name, value in vars(b).items() if name not in cached})
    return units


def _retweet_pairs(b: Units) -> tuple[np.ndarray, np.ndarray]:
    """(source unit, retweeter unit) of every retweet edge of the forests, placeholders included."""
    child = np.flatnonzero(b.parent >= 0)
    child = child[b.retweet[child]]
    return b.author[b.parent[child]], b.author[child]


def _preorder(parent: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Depth-first pre-order number of every vertex (children in index order).

    ``pre[i] = pre[parent[i]] + 1 + sizes of i's earlier siblings``; roots follow each other.
    Pointer doubling (as :func:`cascade.metrics.forest` finds depths) sums those increments
    down every root path at once, in whole numbers.
    """
    n = len(parent)
    owner = np.where(parent >= 0, parent, n)  # roots are siblings under a virtual vertex n
    order = lexsort_whole((owner,))
    s = size[order].astype(np.int64)
    run_start = np.flatnonzero(np.r_[True, owner[order][1:] != owner[order][:-1]])
    before = np.cumsum(s) - s  # sizes of every earlier vertex in the sort order
    first = np.repeat(before[run_start], np.diff(np.r_[run_start, n]))
    pre = np.empty(n, dtype=np.int64)
    pre[order] = before - first  # sizes of earlier siblings
    pre += parent >= 0
    # After each round, pre[i] sums the increments from i up to jump[i] (excluded).
    jump = np.asarray(parent, dtype=np.int64).copy()
    active = np.flatnonzero(jump >= 0)
    while active.size:
        up = jump[active]
        pre[active] += pre[up]
        jump[active] = jump[up]
        active = active[jump[active] >= 0]
    return pre


def _descendants(b: Units) -> np.ndarray:
    """Per unit: tweets strictly below any of its tweets in the forest (each counted once).

    Subtrees of one user's tweets are nested or disjoint (pre-order intervals are laminar); a
    tweet inside the subtree of an earlier tweet by the same user adds nothing new.
    """
    parent = b.parent
    if parent.size == 0:
        return np.zeros(b.n, dtype=np.int64)
    _, _, size = b.forest
    pre = _preorder(parent, size)
    unit = b.author
    order = lexsort_whole((pre, unit))
    end = (pre + size)[order]
    # Running maximum of interval ends within each unit's run (offset makes runs independent).
    offset = unit[order].astype(np.float64) * (len(parent) + 1.0)
    reach = np.maximum.accumulate(end + offset) - offset
    nested = np.zeros(len(order), dtype=bool)
    same = unit[order][1:] == unit[order][:-1]
    nested[1:] = same & (pre[order][1:] < reach[:-1])
    outermost = order[~nested]
    return np.bincount(unit[outermost], weights=size[outermost] - 1, minlength=b.n).astype(np.int64)


def _counts(b: Units) -> dict[str, np.ndarray]:
    n, unit = b.n, b.author
    real = ~b.placeholder
    src, dst = _retweet_pairs(b)
    followers = latest_per_group(b.followers, b.time, unit, n)
    unique, reach = _direct(src, dst, followers, n)
    paper_unit = distinct(b.paper * n + unit)
    return {
        "papers": np.bincount(paper_unit % n, minlength=n),
        "tweets": np.bincount(unit[real], minlength=n),
        "retweets_made": np.bincount(unit[real & b.retweet], minlength=n),
        "retweets_received": np.bincount(src, minlength=n),
        "unique_retweeters": unique,
        "followers": followers,
        "reach": reach,
        "cascade_descendants": _descendants(b),
    }


def _direct(
    src: np.ndarray, dst: np.ndarray, followers: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per unit: distinct other units that retweeted it directly, and the sum of their latest
    known followers (``reach``: 0 without retweeters, NaN when none of their counts is known)."""
    pairs = distinct(src[src != dst] * n + dst[src != dst])
    p_src, p_dst = np.divmod(pairs, n)
    unique = np.bincount(p_src, minlength=n)
    reach = np.where(unique > 0, sum_known(p_src, followers[p_dst], n), 0.0)
    return unique, reach


# --- automated accounts ----------------------------------------------------------------------


def automated_suspects(papers: Paper | Iterable[Paper]) -> pd.DataFrame:
    """Users whose tweets look automated, with the evidence.

    Three rules, each from the data alone:

    * **repeated text**: the same text (URLs and case ignored) posted at least ``REPEATS`` (3)
      times about one paper, retweets not counted;
    * **feed-like handle**: the lower-case handle matches :data:`FEED_HANDLE`;
    * **regular posting**: at least ``REGULAR_MIN_TWEETS`` (8) dated tweets over all the papers
      whose gaps have a coefficient of variation (std / mean) below ``REGULAR_CV`` (0.1).

    Parameters
    ----------
    papers : Paper or iterable of Paper

    Returns
    -------
    pandas.DataFrame
        One row per flagged user: ``key`` (lower-case handle), ``handle`` and ``suspect_reason``
        (the rules that fired, ``"; "``-separated).

    Examples
    --------
    >>> import cascade
    >>> automated_suspects(cascade.read("examples/data")).query("key == 'arxiv_cscl'").iloc[0, 2]
    'same text posted 16 times about paper 56155705; feed-like handle'
    """
    papers = [papers] if isinstance(papers, Paper) else list(papers)
    b = stack_units(papers, per_paper=False)
    key, handle, reason = _suspects(b, papers)
    flagged = np.flatnonzero(reason != "")
    return pd.DataFrame(
        {"key": key[flagged], "handle": handle[flagged], "suspect_reason": reason[flagged]}
    )


def _suspects(b: Units, papers: list[Paper]) -> tuple[np.ndarray, ...]:
    """Per global user: key, display handle and the reasons (``""`` when not suspect)."""
    uid = b.uid[b.user]
    cids = [p.citation_id for p in papers]
    repeated = [(u, k, cids[p]) for u, p, k in repeats(b, uid, len(b.keys), papers)]
    dated = np.flatnonzero(~b.placeholder & (b.time != NAT))
    return b.keys, b.first_handle, reasons(b.keys, repeated, uid[dated], b.time[dated])


# --- the ranking -----------------------------------------------------------------------------


#: Measures a user graph cannot give (they need the tweets): NaN columns in a ranking of a graph.
NOT_FROM_GRAPH = ("retweets_made", "cascade_descendants", *RECONSTRUCTION_MEASURES)


def _from_graph(
    graph: ig.Graph, wanted: set[str], cutoff: int | None
) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, str]]:
    """Handles, keys and every measure of a prepared user graph (edges source -> retweeter).

    ``papers``, ``tweets`` and ``followers`` are the vertex attributes of
    :func:`cascade.graph.user_graph` (NaN where the graph has none); the other counts and
    ``reach`` come from its retweet edges and weights; the measures of :data:`NOT_FROM_GRAPH`
    are NaN.
    """
    n = graph.vcount()
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    if "kind" in graph.es.attributes():
        keep = np.asarray(graph.es["kind"], dtype=object) == "retweet"
    else:
        keep = np.ones(len(edges), dtype=bool)
    weight = (
        np.asarray(graph.es["weight"], dtype=np.int64)
        if "weight" in graph.es.attributes()
        else np.ones(len(edges), dtype=np.int64)
    )
    src = np.repeat(edges[keep, 0], weight[keep])
    dst = np.repeat(edges[keep, 1], weight[keep])
    values, notes = graph_measures(
        n,
        src,
        dst,
        np.zeros(n, dtype=np.int64),
        wanted,
        per_paper=False,
        betweenness_cutoff=cutoff,
    )
    attrs = set(graph.vs.attributes())
    names = graph.vs["name"] if "name" in attrs else [str(i) for i in range(n)]
    table = pd.DataFrame({"handle": graph.vs["handle"] if "handle" in attrs else names})
    table["_key"] = [str(k).lower() for k in names]
    for column in ("papers", "tweets", "followers"):
        values[column] = np.asarray(graph.vs[column]) if column in attrs else np.full(n, np.nan)
    other = src != dst
    p_src, p_dst = np.divmod(distinct(src[other] * n + dst[other]), max(n, 1))
    unique = np.bincount(p_src, minlength=n)
    followers = np.asarray(values["followers"], dtype=np.float64)
    values["retweets_received"] = np.bincount(src, minlength=n)
    values["unique_retweeters"] = unique
    values["reach"] = np.where(unique > 0, sum_known(p_src, followers[p_dst], n), 0.0)
    for name in NOT_FROM_GRAPH:
        values[name] = np.full(n, np.nan)
    return table, values, notes


@renamed_keyword("top", "top_users")
def rank_users(
    papers: Paper | Iterable[Paper] | ig.Graph,
    *,
    by: str = "retweets_received",
    top_users: int | None = None,
    per_paper: bool = False,
    exclude_suspects: bool = False,
    measures: Iterable[str] | None = None,
    betweenness_cutoff: int = BETWEENNESS_CUTOFF,
) -> pd.DataFrame:
    """Rank the users who tweeted about papers: who made them travel.

    Parameters
    ----------
    papers : Paper, iterable of Paper, or igraph.Graph
        One paper, a corpus (``cascade.read(...)``), or a user graph from
        :func:`cascade.graph.user_graph` (edges source -> retweeter). ``cascade_descendants``
        follows whatever ``parent`` arrays the papers have (credited retweets or a
        reconstruction).
    by : str
        The measure to sort by, descending; ties are broken by handle (case-insensitive).
    top_users : int, optional
        Keep the first ``top_users`` rows (users) of each ranking (``top`` in 0.1, deprecated).
    per_paper : bool
        One ranking per paper (a ``citation_id`` column) instead of one ranking of the users
        merged across all papers (the corpus ranking, PageRank on the union user graph).
    exclude_suspects : bool
        Leave out users flagged ``automated_suspect`` (they stay in every count of the others).
    measures : iterable of str, optional
        Compute only these of :data:`MEASURES`. Default: all but ``expected_influence`` (a
        per-tweet pass over every cascade, about as long again as the rest on a large corpus),
        which is computed when named here or used as ``by``. Leave out ``betweenness`` on big
        corpora.
    betweenness_cutoff : int
        Path length limit for ``betweenness`` and ``harmonic`` on graphs of more than
        :data:`EXACT_BETWEENNESS_LIMIT` users; ``table.attrs`` tell which was used.

    Returns
    -------
    pandas.DataFrame
        One row per user (per paper with ``per_paper``): ``rank`` (1 = top), ``citation_id``
        (``per_paper`` only), ``handle`` (display form) and the measures:

        - ``papers``: papers the user tweeted about;
        - ``tweets``: tweets in the data; ``retweets_made``: retweets among them;
        - ``retweets_received``: retweets of the user's tweets (weighted in-degree on retweet
          edges, inferred chain hops included);
        - ``unique_retweeters``: distinct other users who retweeted them directly;
        - ``followers``: latest known follower count (NaN unknown);
        - ``reach``: sum of the latest known followers of those distinct direct retweeters
          (0 without retweeters; NaN when none of their counts is known);
        - ``cascade_descendants``: tweets (placeholders included) in the subtrees below the
          user's tweets in the tweet forest, each counted once: deeper levels count wherever
          manual chains or a reconstruction give them;
        - ``pagerank``: weighted PageRank (damping 0.85) on retweeter -> source edges, so being
          retweeted raises it; sums to 1 per ranking;
        - ``hub``, ``authority``: HITS on the same edges, scaled to a maximum of 1 per ranking;
        - ``betweenness``: unnormalised directed shortest-path betweenness;
        - ``coreness``: k-core number of the undirected simple user graph;
        - ``harmonic``: sum of 1 / distance to the users reached along the flow;
        - ``expected_influence``: expected number of tweets descending from the user's tweets
          over all unfoldings of the native retweets' paths (Rizoiu et al. 2018; see
          :func:`cascade.reconstruct.expected_influence`); NaN for reconstructed papers;

        and ``automated_suspect`` (bool) with ``suspect_reason`` (see
        :func:`automated_suspects`). Sums over a corpus are totals over its papers; ``reach``
        counts each retweeter once.

        A graph gives the same columns as its papers' corpus ranking: the measures of
        :data:`NOT_FROM_GRAPH` (``retweets_made``, ``cascade_descendants``,
        ``expected_influence``), which need the tweets, are NaN (and cannot be ``by``), as are
        ``papers``, ``tweets`` and ``followers`` when the graph has no such vertex attribute;
        ``automated_suspect`` checks the handle rule alone.

        ``attrs`` record ``by``, the mode and how ``betweenness`` and ``harmonic`` were computed
        (exact or with a cutoff).

    Examples
    --------
    >>> import cascade
    >>> table = rank_users(cascade.read("examples/data"), top_users=3)
    >>> table[["rank", "handle", "retweets_received", "unique_retweeters"]].values.tolist()
    [[1, 'byron_c_wallace', 66, 66], [2, 'icoxfog417', 31, 30], [3, 'mark_riedl', 20, 20]]
    >>> rank_users(cascade.read("examples/data"), by="pagerank", top_users=1)["handle"].tolist()
    ['byron_c_wallace']
    """
    if measures is None:  # every measure but the reconstruction ones, unless sorted by one
        measures = (
            COUNT_MEASURES + GRAPH_MEASURES + ((by,) if by in RECONSTRUCTION_MEASURES else ())
        )
    wanted = set(measures)
    unknown = wanted - set(MEASURES)
    if unknown:
        raise ValueError(f"unknown measures {sorted(unknown)}; choose from {MEASURES}")
    if by not in wanted:
        raise ValueError(f"cannot sort by {by!r}: choose one of the computed measures {MEASURES}")

    if isinstance(papers, ig.Graph):
        if by in NOT_FROM_GRAPH:
            raise ValueError(f"cannot rank a user graph by {by!r}: it needs the papers' tweets")
        table, values, notes = _from_graph(papers, wanted, betweenness_cutoff)
        for name in MEASURES:
            if name in wanted:
                table[name] = values[name]
        table["automated_suspect"] = [bool(FEED_HANDLE.search(k)) for k in table["_key"]]
        table["suspect_reason"] = np.where(table["automated_suspect"], "feed-like handle", "")
        group = np.zeros(len(table), dtype=np.int64)
        return _finish(table, group, by, top_users, exclude_suspects, "graph", notes)

    papers = [papers] if isinstance(papers, Paper) else list(papers)
    b = stack_units(papers, per_paper)
    n = b.n
    values = {k: v for k, v in _counts(b).items() if k in wanted}
    if wanted & set(GRAPH_MEASURES):
        src, dst = _retweet_pairs(b)
        graph_values, notes = graph_measures(
            n,
            src,
            dst,
            b.unit_paper,
            wanted,
            per_paper=per_paper,
            betweenness_cutoff=betweenness_cutoff,
        )
        values.update(graph_values)
    else:
        notes = {}
    if "expected_influence" in wanted:
        values["expected_influence"] = _expected_influence(papers, b, per_paper)

    table = pd.DataFrame({"handle": b.unit_handle})
    if per_paper:
        cids = np.array([p.citation_id for p in papers], dtype=object)
        table.insert(0, "citation_id", cids[b.unit_paper])
    table["_key"] = b.keys[b.unit_uid]
    for name in MEASURES:
        if name in values:
            table[name] = values[name]
    _, _, reason = _suspects(b, papers)
    table["automated_suspect"] = reason[b.unit_uid] != ""
    table["suspect_reason"] = reason[b.unit_uid]
    mode = "per-paper" if per_paper else "corpus"
    return _finish(table, b.unit_paper, by, top_users, exclude_suspects, mode, notes)


def _expected_influence(papers: list[Paper], b: Units, per_paper: bool) -> np.ndarray:
    """Rizoiu et al.'s expected descendants of each unit's tweets over all unfoldings.

    Computed from the credited parents; NaN for papers already reconstructed (their credited
    parents are no longer known).
    """
    from cascade.reconstruct import expected_influence

    out = np.full(b.n, np.nan)
    credited = [i for i, p in enumerate(papers) if p.method == "credited"]
    if not per_paper:
        if len(credited) == len(papers):
            value = expected_influence(papers)
            out[:] = value.reindex(b.keys).fillna(0.0).to_numpy()
        return out
    for i in credited:
        units = np.flatnonzero(b.unit_paper == i)
        value = expected_influence(papers[i])
        out[units] = value.reindex(b.keys[b.unit_uid[units]]).fillna(0.0).to_numpy()
    return out


def _finish(
    table: pd.DataFrame,
    group: np.ndarray,
    by: str,
    top_users: int | None,
    exclude_suspects: bool,
    mode: str,
    notes: dict[str, str],
) -> pd.DataFrame:
    """Sort (``by`` descending, NaN last, then handle), number the ranks, cut, drop suspects."""
    if exclude_suspects:
        keep = ~table["automated_suspect"].to_numpy()
        table, group = table[keep], group[keep]
    value = table[by].to_numpy(dtype=np.float64)
    value = np.where(np.isnan(value), -np.inf, value)
    order = _sort_order(group, value, table["_key"].to_numpy())
    table = table.iloc[order].reset_index(drop=True)
    g = group[order]
    start = np.searchsorted(g, g)  # first row of each row's ranking (g is sorted)
    rank = np.arange(len(g)) - start + 1
    table.insert(0, "rank", rank)
    if top_users is not None:
        table = table[rank <= top_users].reset_index(drop=True)
    table = table.drop(columns="_key")
    table.attrs = {"by": by, "mode": mode, **notes}
    return table


def _sort_order(group: np.ndarray, value: np.ndarray, key: np.ndarray) -> np.ndarray:
    """``np.lexsort((key, -value, group))``: by group, ``value`` descending, then key. Arrow
    sorts the string keys (code-point order, as Python compares them) several times faster."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        keys = pa.array(key, type=pa.string())
    except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate: no UTF-8 form
        return np.lexsort((key, -value, group))
    table = pa.table({"g": group, "v": value, "k": keys})
    by = [("g", "ascending"), ("v", "descending"), ("k", "ascending")]
    return pc.sort_indices(table, sort_keys=by).to_numpy()
