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

import contextlib
import ctypes
import ctypes.util
import glob
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve_triangular

from cascade.metrics import forest
from cascade.model import NAT, Paper, distinct, latest_per_group, stack, sum_known

__all__ = [
    "BETWEENNESS_CUTOFF",
    "EXACT_BETWEENNESS_LIMIT",
    "FEED_HANDLE",
    "GRAPH_MEASURES",
    "MEASURES",
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
GRAPH_MEASURES = ("pagerank", "hub", "authority", "betweenness", "coreness", "harmonic")
#: Measures over all unfoldings of the retweet paths (see :mod:`cascade.reconstruct`).
RECONSTRUCTION_MEASURES = ("expected_influence",)
MEASURES = COUNT_MEASURES + GRAPH_MEASURES + RECONSTRUCTION_MEASURES

#: Betweenness and harmonic centrality are exact on graphs of at most this many users (for
#: ``per_paper``: on each paper's graph). Above it, betweenness counts only paths of at most
#: ``betweenness_cutoff`` steps (igraph's ``cutoff``; still minutes at 140,000 users: leave it
#: out with ``measures``) and harmonic centrality only users within 2 steps; the table's
#: ``attrs`` say which. Exact betweenness is O(users x edges): 24 s at 20,000 users.
EXACT_BETWEENNESS_LIMIT = 5000
BETWEENNESS_CUTOFF = 2
DAMPING = 0.85

#: Handles that read like feeds: ``bot`` as a word or a suffix (``brundagebot``, ``arxiv_cs_bot``;
#: not the surnames ``abbot(t)``, ``talbot``, ``cabot``), ``arxiv``, ``rss`` or ``feed`` as a word,
#: ``papers`` / ``journal`` / ``_news`` as a suffix, an arXiv category as a suffix (``_cscl``,
#: ``_statml``). Matched on the lower-case handle; a handle alone flags an account, so the rule
#: stays narrow (``journalist_jane``, ``robotics_lab``, ``newsome`` pass).
FEED_HANDLE = re.compile(
    r"(?<!tal)(?<!ab)(?<!ca)bots?\d*$|(?:^|_)bots?(?:_|\d|$)|arxiv"
    r"|(?:^|_)(?:rss|feeds?)(?:_|\d|$)|(?:rss|feeds?)$"
    r"|(?:papers|journal|_news)$|_(?:cs|stat|math|physics|econ|qbio|astro)_?[a-z]{2}$"
)
#: The same (URL-normalised) text posted at least this many times about one paper.
REPEATS = 3
#: At least this many dated tweets with gaps whose coefficient of variation is below ``REGULAR_CV``.
REGULAR_MIN_TWEETS = 8
REGULAR_CV = 0.1
_URL = r"https?://\S+"


# --- the units being ranked ------------------------------------------------------------------


def _units(papers: list[Paper], per_paper: bool) -> dict[str, Any]:
    """Stack the papers and number the ranked units: users per paper, or users merged by key."""
    b = stack(papers)
    uid, keys = pd.factorize(b["user_keys"])
    b["uid"], b["keys"] = uid, np.asarray(keys, dtype=object)
    b["first_handle"] = b["handles"][np.unique(uid, return_index=True)[1]]
    if per_paper:
        b["author"] = b["user"]  # stack() numbers users per paper already
        b["n"] = b["n_users"]
        b["unit_paper"] = b["user_paper"]
        b["unit_uid"] = uid
        b["unit_handle"] = b["handles"]
    else:
        b["author"] = uid[b["user"]]
        b["n"] = len(keys)
        b["unit_paper"] = np.zeros(len(keys), dtype=np.int64)
        b["unit_uid"] = np.arange(len(keys))
        b["unit_handle"] = b["first_handle"]
    return b


def _retweet_pairs(b: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(source unit, retweeter unit) of every retweet edge of the forests, placeholders included."""
    child = np.flatnonzero(b["parent"] >= 0)
    child = child[b["kind"][child] == "retweet"]
    return b["author"][b["parent"][child]], b["author"][child]


def _preorder(parent: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Depth-first pre-order number of every vertex (children in index order).

    ``pre[i] = pre[parent[i]] + 1 + sizes of i's earlier siblings``; roots follow each other. A
    lower-triangular solve sums those increments down every root path at once.
    """
    n = len(parent)
    owner = np.where(parent >= 0, parent, n)  # roots are siblings under a virtual vertex n
    order = np.lexsort((np.arange(n), owner))
    s = size[order].astype(np.float64)
    run_start = np.flatnonzero(np.r_[True, owner[order][1:] != owner[order][:-1]])
    before = np.cumsum(s) - s  # sizes of every earlier vertex in the sort order
    first = np.repeat(before[run_start], np.diff(np.r_[run_start, n]))
    step = np.empty(n)
    step[order] = before - first  # sizes of earlier siblings
    step += parent >= 0
    child = np.flatnonzero(parent >= 0)
    down = sp.csr_matrix((np.ones(child.size), (child, parent[child])), shape=(n, n))
    pre = spsolve_triangular(
        sp.identity(n, format="csr") - down, step, lower=True, unit_diagonal=True
    )
    return np.rint(pre).astype(np.int64)


def _descendants(b: dict[str, Any]) -> np.ndarray:
    """Per unit: tweets strictly below any of its tweets in the forest (each counted once).

    Subtrees of one user's tweets are nested or disjoint (pre-order intervals are laminar); a
    tweet inside the subtree of an earlier tweet by the same user adds nothing new.
    """
    parent = b["parent"]
    if parent.size == 0:
        return np.zeros(b["n"], dtype=np.int64)
    _, _, size = forest(parent)
    pre = _preorder(parent, size)
    unit = b["author"]
    order = np.lexsort((pre, unit))
    end = (pre + size)[order]
    # Running maximum of interval ends within each unit's run (offset makes runs independent).
    offset = unit[order].astype(np.float64) * (len(parent) + 1.0)
    reach = np.maximum.accumulate(end + offset) - offset
    nested = np.zeros(len(order), dtype=bool)
    same = unit[order][1:] == unit[order][:-1]
    nested[1:] = same & (pre[order][1:] < reach[:-1])
    top = order[~nested]
    return np.bincount(unit[top], weights=size[top] - 1, minlength=b["n"]).astype(np.int64)


def _counts(b: dict[str, Any]) -> dict[str, np.ndarray]:
    n, unit = b["n"], b["author"]
    real = ~b["placeholder"]
    src, dst = _retweet_pairs(b)
    followers = latest_per_group(b["followers"], b["time"], unit, n)
    pairs = distinct(src[src != dst] * n + dst[src != dst])
    p_src, p_dst = np.divmod(pairs, n)
    f = followers[p_dst]
    unique = np.bincount(p_src, minlength=n)
    reach = np.where(unique > 0, sum_known(p_src, f, n), 0.0)
    paper_unit = distinct(b["paper"] * n + unit)
    return {
        "papers": np.bincount(paper_unit % n, minlength=n),
        "tweets": np.bincount(unit[real], minlength=n),
        "retweets_made": np.bincount(unit[real & (b["kind"] == "retweet")], minlength=n),
        "retweets_received": np.bincount(src, minlength=n),
        "unique_retweeters": unique,
        "followers": followers,
        "reach": reach,
        "cascade_descendants": _descendants(b),
    }


# --- graph measures --------------------------------------------------------------------------


def _weighted_edges(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    key, weight = np.unique(src * n + dst, return_counts=True)
    return np.column_stack(np.divmod(key, n)), weight.astype(np.float64)


def _graph(n: int, edges: np.ndarray) -> ig.Graph:
    g = ig.Graph(n, directed=True)
    g.add_edges(np.ascontiguousarray(edges, dtype=np.int64))
    return g


def _starts(block: np.ndarray) -> np.ndarray:
    """First index of each run of equal values in a sorted array."""
    return np.flatnonzero(np.r_[True, block[1:] != block[:-1]])


def _scaled(x: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``x`` divided by its maximum within each block (blocks begin at ``starts``)."""
    top = np.repeat(np.maximum.reduceat(x, starts), np.diff(np.r_[starts, len(x)]))
    return np.divide(x, top, out=np.zeros(len(x)), where=top > 0)


@contextlib.contextmanager
def _one_omp_thread() -> Iterator[None]:
    """Run igraph's OpenMP code (PageRank's PRPACK solver) on one thread for the duration.

    PRPACK sums in OpenMP threads in an order that changes from run to run, so PageRank's last
    bits would too; on one thread every run gives the same bytes.
    """
    lib, before = None, 1
    try:
        found = glob.glob(
            os.path.join(os.path.dirname(ig.__file__), "..", "igraph.libs", "libgomp*")
        )
        name = found[0] if found else ctypes.util.find_library("gomp")
        if name:
            lib = ctypes.CDLL(name)
            before = lib.omp_get_max_threads()
            lib.omp_set_num_threads(1)
    except (OSError, AttributeError):
        lib = None
    try:
        yield
    finally:
        if lib is not None:
            lib.omp_set_num_threads(before)


def _hits(
    n: int,
    edges: np.ndarray,
    weight: np.ndarray,
    block: np.ndarray,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Hub and authority scores on ``edges`` (retweeter -> source), scaled to max 1 per block.

    Power iteration from the all-ones vector, every block (paper) at once: ``a = A^T h``,
    ``h = A a``, each divided by its block's maximum. ``A^T A`` is positive semi-definite, so it
    converges to the leading singular vectors; where the leading singular value is repeated (two
    equal stars) it gives the all-ones vector's projection, which is deterministic and treats
    equal structures equally (igraph's ARPACK returns an arbitrary vector of that space, and a
    different one from run to run). ``block`` must be sorted.
    """
    if len(edges) == 0:
        return np.zeros(n), np.zeros(n)
    a_matrix = sp.csr_matrix((weight, (edges[:, 0], edges[:, 1])), shape=(n, n))
    hub = np.ones(n)
    # Iterate on the blocks not yet converged only: most papers converge in a few steps, a few
    # with nearly equal leading singular values take thousands.
    active, blocks, h = np.arange(n), block, hub.copy()
    a_active, at_active, starts = a_matrix, a_matrix.T.tocsr(), _starts(block)
    for step in range(max_iter):
        new = _scaled(a_active @ _scaled(at_active @ h, starts), starts)
        done = np.maximum.reduceat(np.abs(new - h), starts) < tol
        h = new
        if done.all():
            break
        if done.any() and step % 10 == 9:  # drop converged blocks (edges stay within blocks)
            keep = ~np.repeat(done, np.diff(np.r_[starts, len(h)]))
            hub[active[~keep]] = h[~keep]
            active, h, blocks = active[keep], h[keep], blocks[keep]
            a_active = a_active[keep][:, keep]
            at_active, starts = a_active.T.tocsr(), _starts(blocks)
    hub[active] = h
    authority = _scaled(a_matrix.T.tocsr() @ hub, _starts(block))
    # Scores that decay towards 0 stop at about the tolerance: report them as 0.
    return np.where(hub < 1e-9, 0.0, hub), np.where(authority < 1e-9, 0.0, authority)


def _graph_measures(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    unit_paper: np.ndarray,
    wanted: set[str],
    *,
    per_paper: bool,
    betweenness_cutoff: int | None,
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Centralities of every unit on the (disjoint union of the papers') user graph.

    Coreness, betweenness and harmonic centrality of a disjoint union are those of each part.
    PageRank of a disjoint union, renormalised within each part, is each part's PageRank: every
    part satisfies ``p = d P^T p + c 1`` with its own constant ``c``. HITS is not additive (its
    eigenvector lives in one part): its power iteration normalises each part separately.
    """
    out: dict[str, np.ndarray] = {}
    notes: dict[str, str] = {}
    edges, weight = _weighted_edges(src, dst, n)
    g = _graph(n, edges)  # source -> retweeter
    if "pagerank" in wanted:
        rev = _graph(n, edges[:, ::-1])
        with _one_omp_thread():
            pr = rev.pagerank(weights=weight.tolist(), damping=DAMPING, directed=True)
        pr = np.asarray(pr)
        total = np.bincount(unit_paper, weights=pr)
        out["pagerank"] = pr / total[unit_paper]
    if {"hub", "authority"} & wanted:
        out["hub"], out["authority"] = _hits(n, edges[:, ::-1], weight, unit_paper)
    largest = int(np.bincount(unit_paper).max(initial=0))
    cutoff = None if largest <= EXACT_BETWEENNESS_LIMIT else betweenness_cutoff
    if {"betweenness", "harmonic"} & wanted:
        if per_paper:
            # igraph's all-pairs searches cost O(vertices) per source even in a tiny component:
            # on the union of 10,000 papers that is quadratic, so search each paper's graph.
            searched = _per_paper(
                n, edges, unit_paper, wanted & {"betweenness", "harmonic"}, cutoff
            )
        else:
            searched = {}
            if "betweenness" in wanted:
                searched["betweenness"] = np.asarray(g.betweenness(directed=True, cutoff=cutoff))
            if "harmonic" in wanted:
                searched["harmonic"] = (
                    np.asarray(g.harmonic_centrality(mode="out", normalized=False))
                    if cutoff is None
                    else _harmonic_within_two(g)
                )
        out.update(searched)
        if "betweenness" in wanted:
            notes["betweenness"] = _cutoff_note(cutoff, largest)
        if "harmonic" in wanted:
            notes["harmonic"] = _cutoff_note(None if cutoff is None else 2, largest)
    if "coreness" in wanted:
        simple = g.copy()
        simple.to_undirected(mode="collapse")
        simple.simplify()
        out["coreness"] = np.asarray(simple.coreness(mode="all"), dtype=np.int64)
    return out, notes


def _per_paper(
    n: int, edges: np.ndarray, unit_paper: np.ndarray, wanted: set[str], cutoff: int | None
) -> dict[str, np.ndarray]:
    """Betweenness and harmonic centrality of each paper's own graph (papers with edges)."""
    out = {name: np.zeros(n) for name in wanted}
    bounds = np.searchsorted(unit_paper, np.arange(unit_paper.max(initial=-1) + 2))
    edge_paper = unit_paper[edges[:, 0]]  # edges are sorted by source, so by paper too
    cuts = np.searchsorted(edge_paper, np.arange(len(bounds)))
    for k in np.flatnonzero(np.diff(cuts) > 0).tolist():
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        g = _graph(hi - lo, edges[cuts[k] : cuts[k + 1]] - lo)
        if "betweenness" in wanted:
            out["betweenness"][lo:hi] = g.betweenness(directed=True, cutoff=cutoff)
        if "harmonic" in wanted:
            out["harmonic"][lo:hi] = (
                g.harmonic_centrality(mode="out", normalized=False)
                if cutoff is None
                else _harmonic_within_two(g)
            )
    return out


def _harmonic_within_two(g: ig.Graph) -> np.ndarray:
    """Harmonic centrality counting only users within 2 steps: ``|N1| + |N2 \\ N1| / 2``.

    On a corpus graph igraph's cutoff-2 distance search is slow (80 s at 140,000 users); counting
    the neighbourhoods at distance 1 and exactly 2 is not (0.5 s).
    """
    near = g.neighborhood_size(order=1, mode="out", mindist=1)
    second = g.neighborhood_size(order=2, mode="out", mindist=2)
    return np.asarray(near) + 0.5 * np.asarray(second)


def _cutoff_note(cutoff: int | None, largest: int) -> str:
    if cutoff is None:
        return "exact"
    return (
        f"cutoff={cutoff}: only paths of at most {cutoff} steps (a graph has {largest} users, "
        f"more than {EXACT_BETWEENNESS_LIMIT})"
    )


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
    b = _units(papers, per_paper=False)
    key, handle, reason = _suspects(b, papers)
    flagged = np.flatnonzero(reason != "")
    return pd.DataFrame(
        {"key": key[flagged], "handle": handle[flagged], "suspect_reason": reason[flagged]}
    )


def _suspects(b: dict[str, Any], papers: list[Paper]) -> tuple[np.ndarray, ...]:
    """Per global user: key, display handle and the reasons (``""`` when not suspect)."""
    keys, uid = b["keys"], b["uid"][b["user"]]
    n = len(keys)
    reasons: list[list[str]] = [[] for _ in range(n)]

    posted = np.flatnonzero(~b["placeholder"] & (b["kind"] != "retweet"))
    # Only (paper, user) pairs with enough posts can repeat a text: normalise just their texts.
    pair = b["paper"][posted] * n + uid[posted]
    _, inverse, count = np.unique(pair, return_inverse=True, return_counts=True)
    posted = posted[count[inverse] >= REPEATS]
    if posted.size:
        text = np.concatenate([p.text for p in papers])[posted]
        norm = pd.Series(text, dtype=object).str.replace(_URL, "<url>", regex=True)
        norm = norm.str.lower().str.split().str.join(" ")
        codes = pd.factorize(norm)[0]
        said = (norm != "").to_numpy()  # no text (some sources give none) repeats nothing
        group = pd.DataFrame({"u": uid[posted], "p": b["paper"][posted], "t": codes})[said]
        counts = group.value_counts(sort=False).reset_index(name="k")
        counts = counts[counts["k"] >= REPEATS].sort_values(["u", "k"], ascending=[True, False])
        cids = [p.citation_id for p in papers]
        for u, p, k in counts.drop_duplicates("u")[["u", "p", "k"]].itertuples(index=False):
            reasons[u].append(f"same text posted {k} times about paper {cids[p]}")

    for u in np.flatnonzero([bool(FEED_HANDLE.search(k)) for k in keys.tolist()]).tolist():
        reasons[u].append("feed-like handle")

    dated = np.flatnonzero(~b["placeholder"] & (b["time"] != NAT))
    order = dated[np.lexsort((b["time"][dated], uid[dated]))]
    same = uid[order][1:] == uid[order][:-1]
    gap_user = uid[order][1:][same]
    gap = np.diff(b["time"][order])[same].astype(np.float64)
    m = np.bincount(gap_user, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(gap_user, weights=gap, minlength=n) / m
        var = np.bincount(gap_user, weights=gap**2, minlength=n) / m - mean**2
        cv = np.sqrt(np.maximum(var, 0.0)) / mean
    regular = (m + 1 >= REGULAR_MIN_TWEETS) & (mean > 0) & (cv < REGULAR_CV)
    for u in np.flatnonzero(regular).tolist():
        reasons[u].append(f"regular posting: {m[u] + 1} tweets, gaps vary by {cv[u]:.0%}")

    reason = np.array(["; ".join(r) for r in reasons], dtype=object)
    return keys, b["first_handle"], reason


# --- the ranking -----------------------------------------------------------------------------


def _from_graph(
    graph: ig.Graph, wanted: set[str], cutoff: int | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Measures available from a prepared user graph (edges source -> retweeter)."""
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
    values, notes = _graph_measures(
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
        if column in attrs and column in wanted:
            table[column] = graph.vs[column]
    if "retweets_received" in wanted:
        table["retweets_received"] = np.bincount(src, minlength=n)
    if "unique_retweeters" in wanted:
        other = src != dst
        table["unique_retweeters"] = np.bincount(
            distinct(src[other] * n + dst[other]) // max(n, 1), minlength=n
        )
    for name in GRAPH_MEASURES:
        if name in values:
            table[name] = values[name]
    return table, notes


def rank_users(
    papers: Paper | Iterable[Paper] | ig.Graph,
    *,
    by: str = "retweets_received",
    top: int | None = None,
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
        :func:`cascade.graph.user_graph` (edges source -> retweeter; only graph measures and
        the counts the graph carries). ``cascade_descendants`` follows whatever ``parent``
        arrays the papers have (credited retweets or a reconstruction).
    by : str
        The measure to sort by, descending; ties are broken by handle (case-insensitive).
    top : int, optional
        Keep the first ``top`` rows of each ranking.
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
        counts each retweeter once. ``attrs`` record ``by``, the mode and how ``betweenness``
        and ``harmonic`` were computed (exact or with a cutoff).

    Examples
    --------
    >>> import cascade
    >>> table = rank_users(cascade.read("examples/data"), top=3)
    >>> table[["rank", "handle", "retweets_received", "unique_retweeters"]].values.tolist()
    [[1, 'byron_c_wallace', 66, 66], [2, 'icoxfog417', 31, 30], [3, 'mark_riedl', 20, 20]]
    >>> rank_users(cascade.read("examples/data"), by="pagerank", top=1)["handle"].tolist()
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
        table, notes = _from_graph(papers, wanted, betweenness_cutoff)
        table["automated_suspect"] = [bool(FEED_HANDLE.search(k)) for k in table["_key"]]
        table["suspect_reason"] = np.where(table["automated_suspect"], "feed-like handle", "")
        group = np.zeros(len(table), dtype=np.int64)
        return _finish(table, group, by, top, exclude_suspects, "graph", notes)

    papers = [papers] if isinstance(papers, Paper) else list(papers)
    b = _units(papers, per_paper)
    n = b["n"]
    values = {k: v for k, v in _counts(b).items() if k in wanted}
    if wanted & set(GRAPH_MEASURES):
        src, dst = _retweet_pairs(b)
        graph_values, notes = _graph_measures(
            n,
            src,
            dst,
            b["unit_paper"],
            wanted,
            per_paper=per_paper,
            betweenness_cutoff=betweenness_cutoff,
        )
        values.update(graph_values)
    else:
        notes = {}
    if "expected_influence" in wanted:
        values["expected_influence"] = _expected_influence(papers, b, per_paper)

    table = pd.DataFrame({"handle": b["unit_handle"]})
    if per_paper:
        cids = np.array([p.citation_id for p in papers], dtype=object)
        table.insert(0, "citation_id", cids[b["unit_paper"]])
    table["_key"] = b["keys"][b["unit_uid"]]
    for name in MEASURES:
        if name in values:
            table[name] = values[name]
    _, _, reason = _suspects(b, papers)
    table["automated_suspect"] = reason[b["unit_uid"]] != ""
    table["suspect_reason"] = reason[b["unit_uid"]]
    mode = "per-paper" if per_paper else "corpus"
    return _finish(table, b["unit_paper"], by, top, exclude_suspects, mode, notes)


def _expected_influence(papers: list[Paper], b: dict[str, Any], per_paper: bool) -> np.ndarray:
    """Rizoiu et al.'s expected descendants of each unit's tweets over all unfoldings.

    Computed from the credited parents; NaN for papers already reconstructed (their credited
    parents are no longer known).
    """
    from cascade.reconstruct import expected_influence

    out = np.full(b["n"], np.nan)
    credited = [i for i, p in enumerate(papers) if p.method == "credited"]
    if not per_paper:
        if len(credited) == len(papers):
            value = expected_influence(papers)
            out[:] = value.reindex(b["keys"]).fillna(0.0).to_numpy()
        return out
    for i in credited:
        units = np.flatnonzero(b["unit_paper"] == i)
        value = expected_influence(papers[i])
        out[units] = value.reindex(b["keys"][b["unit_uid"][units]]).fillna(0.0).to_numpy()
    return out


def _finish(
    table: pd.DataFrame,
    group: np.ndarray,
    by: str,
    top: int | None,
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
    key = table["_key"].to_numpy()
    order = np.lexsort((key, -value, group))
    table = table.iloc[order].reset_index(drop=True)
    g = group[order]
    start = np.searchsorted(g, g)  # first row of each row's ranking (g is sorted)
    rank = np.arange(len(g)) - start + 1
    table.insert(0, "rank", rank)
    if top is not None:
        table = table[rank <= top].reset_index(drop=True)
    table = table.drop(columns="_key")
    table.attrs = {"by": by, "mode": mode, **notes}
    return table
