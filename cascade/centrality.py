"""Centralities of users on retweet graphs, for many rankings at once (igraph's C core).

The graph handed in is the disjoint union of the rankings' user graphs (one per paper, or one
for the corpus), edges source -> retweeter; every measure is computed so that each part's values
are those of that part alone. Used by :func:`cascade.rank.rank_users`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import glob
import os
from collections.abc import Iterator

import igraph as ig
import numpy as np
import scipy.sparse as sp

__all__ = [
    "BETWEENNESS_CUTOFF",
    "DAMPING",
    "EXACT_BETWEENNESS_LIMIT",
    "GRAPH_MEASURES",
    "graph_measures",
    "weighted_edges",
]

GRAPH_MEASURES = ("pagerank", "hub", "authority", "betweenness", "coreness", "harmonic")
#: Betweenness and harmonic centrality are exact on graphs of at most this many users (for
#: ``per_paper``: on each paper's graph). Above it, betweenness counts only paths of at most
#: ``betweenness_cutoff`` steps (igraph's ``cutoff``; still minutes at 140,000 users: leave it
#: out with ``measures``) and harmonic centrality only users within 2 steps; the table's
#: ``attrs`` say which. Exact betweenness is O(users x edges): 24 s at 20,000 users.
EXACT_BETWEENNESS_LIMIT = 5000
BETWEENNESS_CUTOFF = 2
DAMPING = 0.85


def weighted_edges(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
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


def graph_measures(
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
    edges, weight = weighted_edges(src, dst, n)
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
