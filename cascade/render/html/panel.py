"""The metrics panel: the figures Gephi and NodeXL show beside a network, computed by igraph."""

from __future__ import annotations

import math
from typing import Any

import igraph as ig
import numpy as np

from cascade.render.html.inputs import weights

#: Up to this many vertices the diameter is exact; above, a double-sweep lower bound.
DIAMETER_EXACT_MAX = 3000


def _fmt(x: float) -> str:
    if isinstance(x, (int, np.integer)) or float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:.3g}"


def metrics(g: ig.Graph, membership: list[int] | None) -> dict[str, Any]:
    """Rows for the panel (name, formatted value) and a log-binned degree distribution.

    Density counts ordered pairs (links are directed); components are weak; modularity is that
    of the colouring's communities (when it is by community) on the undirected, weighted graph;
    the diameter is in hops, ignoring direction, over each component.

    Examples
    --------
    >>> m = metrics(ig.Graph.Star(5, mode="out"), [0] * 5)
    >>> dict(m["rows"])["links"], dict(m["rows"])["diameter (hops)"], dict(m["rows"])["modularity"]
    ('4', '2', '0')
    """
    n, m = g.vcount(), g.ecount()
    rows = [("nodes", f"{n:,}"), ("links", f"{m:,}")]
    rows.append(("density", _fmt(m / (n * (n - 1))) if n > 1 else "0"))
    comps = g.connected_components(mode="weak")
    sizes = comps.sizes()
    rows.append(("components", f"{len(sizes):,}"))
    rows.append(("largest component", f"{max(sizes):,} ({100.0 * max(sizes) / n:.0f}%)"))
    rows.append(("single nodes", f"{sum(1 for s in sizes if s == 1):,}"))
    if membership is not None and m:
        u = g.as_undirected(mode="each")
        q = u.modularity(membership, weights=weights(g).tolist())
        rows.append(("modularity", _fmt(round(q, 3))))
    if n <= DIAMETER_EXACT_MAX:
        rows.append(("diameter (hops)", f"{g.diameter(directed=False, unconn=True):,}"))
    else:
        rows.append(("diameter (hops, at least)", f"{_double_sweep(g, comps):,}"))
    degree = np.asarray(g.degree(mode="all"), dtype=np.int64)
    rows.append(("mean links per node", _fmt(round(2.0 * m / n, 2)) if n else "0"))
    return {"rows": rows, "degrees": _degree_bins(degree)}


def _double_sweep(g: ig.Graph, comps: ig.VertexClustering) -> int:
    """A lower bound on the diameter: the eccentricity of the node farthest from the
    best-connected node of the largest component (two breadth-first searches)."""
    members = comps[int(np.argmax(comps.sizes()))]
    degree = g.degree(members, mode="all")
    start = members[int(np.argmax(degree))]
    far = np.asarray(g.distances(source=[start], mode="all")[0], dtype=float)
    far[~np.isfinite(far)] = -1
    end = int(np.argmax(far))
    back = np.asarray(g.distances(source=[end], mode="all")[0], dtype=float)
    return int(back[np.isfinite(back)].max())


def _degree_bins(degree: np.ndarray) -> list[dict[str, Any]]:
    """Nodes per degree bin 0, 1, 2-3, 4-7, 8-15, ... with bar heights on a log scale.

    Examples
    --------
    >>> [(b["label"], b["count"]) for b in _degree_bins(np.array([0, 1, 1, 2, 3, 9]))]
    [('0', 1), ('1', 2), ('2-3', 2), ('4-7', 0), ('8-15', 1)]
    >>> [b["label"] for b in _degree_bins(np.array([2, 3, 5]))]
    ['2-3', '4-7']
    """
    if degree.size == 0:
        return []
    safe = np.maximum(degree, 1)
    which = np.where(degree == 0, 0, np.floor(np.log2(safe)).astype(np.int64) + 1)
    counts = np.bincount(which)
    peak = math.log1p(int(counts.max()))
    out = []
    for k, c in enumerate(counts.tolist()):
        lo, hi = (0, 0) if k == 0 else (2 ** (k - 1), 2**k - 1)
        label = str(lo) if hi == lo else f"{lo}-{hi}"
        out.append({"label": label, "count": c, "h": round(28.0 * math.log1p(c) / peak, 1)})
    while out and out[0]["count"] == 0:  # the axis starts at the smallest degree present
        out.pop(0)
    return out
