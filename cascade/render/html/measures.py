"""The size measure: one non-negative value per vertex, from a name, a mapping or a sequence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import igraph as ig
import numpy as np

from cascade.render.html.inputs import attr, edge_array, edge_attr, number, weights

MEASURE_TITLES = {
    "retweets_received": "retweets received",
    "descendants": "tweets downstream",
    "followers": "followers",
    "tweets": "tweets",
    "papers": "papers",
}


def retweets_received(g: ig.Graph, level: str, ends: np.ndarray | None = None) -> np.ndarray:
    """Retweets each vertex received: the weight of its outgoing retweet edges (users) or its
    retweet children (tweets). Edges point the way information flowed (author -> retweeter), so
    a user's retweets are the out-strength. Edges without a ``kind`` attribute all count.
    ``ends``: the graph's ``edge_array``, when the caller has it."""
    ends = edge_array(g) if ends is None else ends
    kinds = np.asarray(edge_attr(g, "kind", "retweet"), dtype=object)
    is_rt = (kinds == "retweet") | (kinds == None)  # noqa: E711 - elementwise, not identity
    w = weights(g) if level == "user" else np.ones(len(ends))
    source = ends[:, 0]
    return np.bincount(source[is_rt], weights=w[is_rt], minlength=g.vcount()).astype(float)


def downstream(g: ig.Graph) -> np.ndarray:
    """Tweets downstream of each tweet of a tweet forest: ``metrics.forest``'s subtree size,
    less the tweet itself, after putting the vertices in topological order."""
    from cascade.metrics import forest

    n = g.vcount()
    order = np.asarray(g.topological_sorting(mode="out"), dtype=np.int64)
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    parent = np.full(n, -1, dtype=np.int64)
    ends = edge_array(g)
    # A forest has one parent per tweet; should a vertex have several, the first counts.
    child_pos = position[ends[::-1, 1]]
    parent[child_pos] = position[ends[::-1, 0]]
    _, _, size = forest(parent)
    out = np.empty(n)
    out[order] = size[np.arange(n)] - 1
    return out


def measure(
    g: ig.Graph,
    papers: list[Any],
    size_by: Any,
    level: str,
    received: np.ndarray | None = None,
) -> tuple[np.ndarray, str]:
    """One value per vertex (NaN and negatives -> 0) and a title for the legend (``received``:
    :func:`retweets_received`, when the caller has it).

    Raises
    ------
    ValueError
        For an unknown measure name or a sequence of the wrong length.
    """
    n = g.vcount()
    if isinstance(size_by, str):
        name = size_by
        if name == "retweets_received":
            values = retweets_received(g, level) if received is None else received.copy()
        elif name == "descendants" and level == "tweet":
            values = downstream(g)
        elif name in g.vs.attributes():
            values = np.array([number(x) for x in g.vs[name]], dtype=float)
        else:
            values = rank_measure(g, papers, name, level)
        title = MEASURE_TITLES.get(name, name.replace("_", " "))
    elif hasattr(size_by, "items") or isinstance(size_by, Mapping):
        lookup = {str(k).lower(): number(v) for k, v in size_by.items()}
        keys = [str(k).lower() for k in attr(g, "name", "")]
        values = np.array([lookup.get(k, 0.0) for k in keys], dtype=float)
        title = str(getattr(size_by, "name", None) or "value").replace("_", " ")
    else:
        values = np.asarray(size_by, dtype=float).ravel()
        if values.size != n:
            raise ValueError(f"size_by has {values.size} values for {n} vertices")
        title = "value"
    values = np.nan_to_num(values.astype(float), nan=0.0, posinf=0.0, neginf=0.0)
    return np.maximum(values, 0.0), title


def rank_measure(g: ig.Graph, papers: list[Any], name: str, level: str) -> np.ndarray:
    """A user measure of ``cascade.rank.rank_users`` (from the papers when there are some, which
    gives every measure; else from the user graph), looked up by case-insensitive handle."""
    from cascade import rank  # loaded on demand: centralities are not free

    if level != "user" or name not in rank.MEASURES:
        numeric = ", ".join(numeric_attributes(g)) or "none"
        measures = f", a measure of cascade.rank ({', '.join(rank.MEASURES)})"
        raise ValueError(
            f"unknown size_by {name!r}: use 'retweets_received'"
            + (", 'descendants'" if level == "tweet" else measures)
            + f", a numeric vertex attribute ({numeric}), a mapping or one value per vertex"
        )
    table = rank.rank_users(papers if papers else g, by=name, measures=[name])
    by_key = {str(h).lower(): number(v) for h, v in zip(table["handle"], table[name], strict=True)}
    return np.array([by_key.get(str(k).lower(), 0.0) for k in attr(g, "name", "")])


def numeric_attributes(g: ig.Graph) -> list[str]:
    """Vertex attributes whose values are all numbers (or None), for error messages."""
    return sorted(
        a
        for a in g.vs.attributes()
        if all(
            x is None or (isinstance(x, (int, float, np.number)) and not isinstance(x, bool))
            for x in g.vs[a]
        )
    )
