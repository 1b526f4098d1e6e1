"""What ``to_html`` draws: the graph (given, or built from papers) and typed access to its
attributes. Nothing here renders; every function is pure."""

from __future__ import annotations

import contextlib
import itertools
from datetime import datetime, timezone
from typing import Any

import igraph as ig
import numpy as np

LEVELS = ("user", "tweet")


def is_paper(obj: Any) -> bool:
    """Whether ``obj`` looks like a :class:`cascade.model.Paper` (duck-typed: no import)."""
    return hasattr(obj, "parent") and hasattr(obj, "citation_id") and hasattr(obj, "author")


def as_graph(obj: Any, level: str | None) -> tuple[ig.Graph, list[Any], str]:
    """The graph to draw, the papers it came from (empty for a graph input) and its level.

    Raises
    ------
    ValueError
        For a level other than the graph's own, or an input that is neither a graph nor papers.
    """
    if isinstance(obj, ig.Graph):
        own = obj["level"] if "level" in obj.attributes() else None
        if own is None:
            own = "tweet" if "author" in obj.vs.attributes() else "user"
        if level is not None and level != own:
            raise ValueError(
                f"this is a {own}-level graph; pass level={own!r}, or pass the papers to build a "
                f"{level}-level graph"
            )
        return obj, [], own
    papers = [obj] if is_paper(obj) else list(obj)
    if not papers or not all(is_paper(p) for p in papers):
        raise ValueError(
            "to_html takes an igraph.Graph (schema in docs/design.md), a cascade Paper, or an "
            "iterable of Papers"
        )
    level = level or "user"
    from cascade import graph as cgraph  # imported here: the renderer also works without papers

    if level == "user":
        g = cgraph.user_graph(papers[0] if len(papers) == 1 else papers)
    else:
        parts = []
        for paper in papers:
            part = cgraph.tweet_graph(paper)
            part.vs["citation_id"] = [str(paper.citation_id)] * part.vcount()
            parts.append(part)
        g = parts[0] if len(parts) == 1 else ig.disjoint_union(parts)
        g["level"] = "tweet"
        g["citation_id"] = str(papers[0].citation_id) if len(papers) == 1 else None
    return g, papers, level


def graph_attr(g: ig.Graph, name: str, default: Any = None) -> Any:
    """A graph attribute, or ``default`` when the graph has none of that name."""
    return g[name] if name in g.attributes() else default


def attr(g: ig.Graph, name: str, default: Any = None) -> list[Any]:
    """A vertex attribute as a list, ``default`` for every vertex when absent."""
    if name in g.vs.attributes():
        return list(g.vs[name])
    return [default] * g.vcount()


def edge_attr(g: ig.Graph, name: str, default: Any = None) -> list[Any]:
    """An edge attribute as a list, ``default`` for every edge when absent."""
    if name in g.es.attributes():
        return list(g.es[name])
    return [default] * g.ecount()


def weights(g: ig.Graph) -> np.ndarray:
    """Edge weights as floats (1 where missing)."""
    if "weight" not in g.es.attributes():
        return np.ones(g.ecount())
    raw = g.es["weight"]
    with contextlib.suppress(TypeError, ValueError):
        w = np.asarray(raw, dtype=float)  # None becomes NaN: only then is the slow pass needed
        if not np.isnan(w).any():
            return w
    return np.array([1.0 if x is None else float(x) for x in raw], dtype=float).reshape(-1)


def edge_array(g: ig.Graph) -> np.ndarray:
    """The edge list as an int64 array of shape (m, 2)."""
    if g.ecount() == 0:
        return np.zeros((0, 2), dtype=np.int64)
    # Flattened first: numpy reads a flat iterator faster than a list of pairs.
    flat = itertools.chain.from_iterable(g.get_edgelist())
    return np.fromiter(flat, dtype=np.int64, count=2 * g.ecount()).reshape(-1, 2)


def components(g: ig.Graph) -> np.ndarray:
    """The weak component of each vertex (igraph's membership, without building a
    ``VertexClustering``)."""
    return np.asarray(ig.GraphBase.connected_components(g, "weak"), dtype=np.int64)


def number(x: Any) -> float:
    """``float(x)``, NaN for anything that is not a number."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def as_datetime(x: Any) -> datetime | None:
    """A timezone-aware UTC datetime from a datetime, numpy or pandas time; None if unknown."""
    if x is None:
        return None
    if isinstance(x, datetime):
        return x if x.tzinfo else x.replace(tzinfo=timezone.utc)
    if isinstance(x, np.datetime64):
        if np.isnat(x):
            return None
        return datetime.fromtimestamp(int(x.astype("datetime64[s]").astype(np.int64)), timezone.utc)
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        import pandas as pd  # only for timestamps of other types

        ts = pd.Timestamp(x)
        if not pd.isna(ts):
            return (
                ts.tz_localize("UTC").to_pydatetime() if ts.tzinfo is None else ts.to_pydatetime()
            )
    return None


def epoch_seconds(times: list[Any]) -> list[int | None]:
    """Whole seconds since 1970 (UTC) per time, None where unknown: the timeline's clock."""
    # Aware datetimes (what cascade.graph stores) are their own UTC time: no conversion.
    return [
        int(t.timestamp()) if type(t) is datetime and t.tzinfo is not None else _epoch(t)
        for t in times
    ]


def _epoch(t: Any) -> int | None:
    d = as_datetime(t)
    return None if d is None else int(d.timestamp())


def first_use_codes(values: list[Any]) -> tuple[list[Any], list[int]]:
    """The distinct values in order of first use, and each value's code into them (two C-level
    passes through dicts).

    Examples
    --------
    >>> first_use_codes(["b", "a", "b"])
    (['b', 'a'], [0, 1, 0])
    """
    table = list(dict.fromkeys(values))
    return table, list(map(dict(zip(table, range(len(table)))).__getitem__, values))


def author_keys(papers: list[Any], names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each tweet's author key (``str(author).lower()``, the papers' tweets stacked in order) and
    each vertex's (``name.lower()``), as codes into one table of keys (-1: no tweet has the
    vertex's key), and the table: the users' lookups as integer arrays.

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> tweet, vertex, keys = author_keys([P(author=np.array(["Ann", "bo", "ann"]))], ["bo", "cy"])
    >>> tweet.tolist(), vertex.tolist(), keys.tolist()
    ([0, 1, 0], [1, -1], ['ann', 'bo'])
    """
    import pandas as pd

    parts = [np.asarray(p.author, dtype=object) for p in papers]
    authors = np.concatenate(parts) if parts else np.zeros(0, dtype=object)
    # Lower-cased once per distinct spelling, not once per tweet.
    codes, distinct = pd.factorize(authors, use_na_sentinel=False)
    lowered = list(map(str.lower, map(str, distinct.tolist())))
    keys, key_of = first_use_codes(lowered)
    code_of = dict(zip(keys, range(len(keys))))
    names_lowered = map(str.lower, names)
    vertex = np.fromiter(
        map(code_of.get, names_lowered, itertools.repeat(-1)), np.int64, len(names)
    )
    return np.asarray(key_of, dtype=np.int64)[codes], vertex, np.asarray(keys, dtype=object)
