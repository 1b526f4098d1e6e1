"""Interactive HTML diffusion graphs: one self-contained, offline, escaped file per graph.

pyvis builds the network data (its ``Network`` holds the node and edge lists and renders the
page), but with cascade's own Jinja template and environment, for three reasons found in pyvis
0.3.2 (see ``docs/html.md``):

- every ``cdn_resources`` mode links Bootstrap from a CDN; the template here inlines
  vis-network 9.1.2 and tom-select from pyvis's own package folder and nothing else;
- pyvis's environment has autoescape off; here it is on, and data inside ``<script>`` goes through
  ``tojson``;
- pyvis switches every tooltip to ``innerHTML`` when one title contains ``href``; here tooltips are
  plain strings, which vis-network shows with ``innerText`` (``\\n`` becomes a line break).

The page also carries a Content-Security-Policy that allows only its own inline scripts (by
hash) and no network at all.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import math
import os
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import igraph as ig
import jinja2
import numpy as np

__all__ = ["COLOR_BY", "LAYOUTS", "LEVELS", "PHYSICS_MAX_NODES", "to_html"]

LEVELS = ("user", "tweet")
COLOR_BY = ("community", "kind", "time", "paper")
LAYOUTS = ("auto", "physics", "precomputed")
#: Above this many nodes ``layout="auto"`` switches physics off: the force simulation in the
#: browser stops being interactive at about 1,500 nodes (pyvis #204).
PHYSICS_MAX_NODES = 1000

# Labels cost drawing time and clutter; past this many nodes only the largest are labelled.
_LABEL_ALL_MAX = 300
_LABEL_TOP = 100
_TEXT_MAX = 280  # a tweet's length: enough for any tooltip text
_TITLE_MAX = 200

_TEMPLATE_DIR = Path(__file__).parent / "templates"
_TEMPLATE = "graph.html.j2"
_CSP_PLACEHOLDER = "cascade-csp-placeholder"

# Tableau 10 without its grey, which marks "other".
_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
)
_OTHER = "#b4b4b4"
_KIND_COLORS = {
    "original": "#1f77b4",
    "retweet": "#2ca02c",
    "quote": "#ff7f0e",
    "reply": "#9467bd",
    "mention": "#8c564b",
    "placeholder": "#c7c7c7",
    "source": "#1f77b4",
    "relay": "#ff7f0e",
    "retweeter": "#2ca02c",
    "isolated": "#c7c7c7",
}
# Viridis at nine stops: ordered in lightness, readable for colour-blind viewers.
_VIRIDIS = (
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
)
_PAPER_COLOR = "#222222"

_MEASURE_TITLES = {
    "retweets_received": "retweets received",
    "descendants": "tweets downstream",
    "followers": "followers",
    "tweets": "tweets",
    "papers": "papers",
}


def to_html(
    graph_or_paper: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    level: str | None = None,
    size_by: str | Mapping[str, float] | Sequence[float] | np.ndarray = "retweets_received",
    color_by: str = "community",
    top: int | None = None,
    min_weight: float | None = None,
    layout: str = "auto",
    paper_node: bool = False,
    title: str | None = None,
    seed: int = 0,
) -> str:
    """Render a diffusion graph as one self-contained, interactive HTML page.

    The page needs no network: vis-network and tom-select are inlined from pyvis's bundled copies,
    and a Content-Security-Policy forbids any request. All text from the data (handles, tweet
    texts, titles) is escaped; tooltips are plain text. The same input gives the same bytes.

    Parameters
    ----------
    graph_or_paper : igraph.Graph, Paper or iterable of Paper
        A user graph or tweet graph with the schema of ``cascade.graph`` (see ``docs/design.md``),
        or papers, from which the graph of ``level`` is built with ``cascade.graph``.
    path : str or path-like, optional
        Where to write the page (UTF-8, atomically: a temporary file then a rename). If omitted,
        nothing is written.
    level : {"user", "tweet"}, optional
        Graph to build from papers; default ``"user"``. For a graph input it defaults to the
        graph's own ``level`` attribute, and a different value is an error.
    size_by : str, mapping or sequence, default "retweets_received"
        Node size. A measure name: ``"retweets_received"`` (weighted retweet in-degree for users,
        direct retweets for tweets), ``"descendants"`` (tweets downstream, tweet level), any
        numeric vertex attribute (``"followers"``, ``"tweets"``, ...), or at user level any
        measure of ``cascade.rank.rank_users`` (``"pagerank"``, ``"reach"``,
        ``"cascade_descendants"``, ...). Or the values themselves: a mapping
        (e.g. a pandas Series) from vertex ``name`` (lower-case handle, or tweet id) to value, or a
        sequence with one value per vertex. Missing values count as 0.
    color_by : {"community", "kind", "time", "paper"}, default "community"
        ``community``: Leiden communities (modularity, weighted, undirected, seeded); the nine
        largest get colours. ``kind``: the tweet kind, or for users their role (source, relay,
        retweeter, isolated). ``time``: tweet time or first tweet, by rank. ``paper``: which paper
        (users of several papers are grouped).
    top : int, optional
        Keep only the ``top`` nodes with the largest ``size_by`` value (ties by name).
    min_weight : float, optional
        Leave out edges lighter than this, then the nodes left without an edge. The page lists what
        was left out; its slider filters further in the browser.
    layout : {"auto", "physics", "precomputed"}, default "auto"
        Positions always come from igraph (Fruchterman-Reingold per connected component, seeded,
        components packed by size). ``physics`` lets vis-network's simulation move them on;
        ``precomputed`` switches physics off; ``auto`` uses physics up to
        ``PHYSICS_MAX_NODES`` nodes.
    paper_node : bool, default False
        Add a node per paper with an edge to each original tweet (tweet level) or to each user who
        posted one (user level; for a bare user graph, users nobody retweeted).
    title : str, optional
        Page heading; default the paper's title, else its citation id.
    seed : int, default 0
        Seed for communities and layouts. igraph's (process-global) random generator is replaced
        for the call, then set back to igraph's default, the ``random`` module (igraph cannot
        report a generator set before).

    Returns
    -------
    str
        The HTML text.

    Raises
    ------
    ValueError
        For an unknown option value, a level that does not match the graph, or a graph without
        vertices.

    Examples
    --------
    >>> import igraph as ig
    >>> g = ig.Graph(n=3, edges=[(0, 1), (0, 2)], directed=True)
    >>> g.vs["name"] = ["byron", "ann", "bo"]
    >>> g.vs["handle"] = ["Byron", "ann", "bo"]
    >>> g.es["weight"] = [2, 1]
    >>> g.es["kind"] = ["retweet", "retweet"]
    >>> g["level"] = "user"
    >>> page = to_html(g, title="Attention is not <Explanation>")
    >>> '<h1 id="heading">Attention is not &lt;Explanation&gt;</h1>' in page
    True
    >>> page == to_html(g, title="Attention is not <Explanation>")  # deterministic
    True
    >>> _ = to_html(g, "graph.html", size_by=[1, 5, 2], color_by="kind")  # doctest: +SKIP
    """
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}, not {color_by!r}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if top is not None and (isinstance(top, bool) or int(top) != top or top < 1):
        raise ValueError(f"top must be a positive integer, not {top!r}")
    graph, papers, level = _as_graph(graph_or_paper, level)
    if graph.vcount() == 0:
        raise ValueError("the graph has no vertices: nothing to draw")
    with _seeded(seed):
        page, nodes, edges, options = _build(
            graph,
            papers,
            level=level,
            size_by=size_by,
            color_by=color_by,
            top=None if top is None else int(top),
            min_weight=min_weight,
            layout=layout,
            paper_node=paper_node,
            title=title,
            seed=seed,
        )
    text = _render(page, nodes, edges, options)
    if path is not None:
        _write_atomic(Path(path), text)
    return text


# --------------------------------------------------------------------------------------------
# input


def _is_paper(obj: Any) -> bool:
    return hasattr(obj, "parent") and hasattr(obj, "citation_id") and hasattr(obj, "author")


def _as_graph(obj: Any, level: str | None) -> tuple[ig.Graph, list[Any], str]:
    """The graph to draw, the papers it came from (empty for a graph input) and its level."""
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
    papers = [obj] if _is_paper(obj) else list(obj)
    if not papers or not all(_is_paper(p) for p in papers):
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


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """igraph's random generator, seeded, for the duration (it is process-global).

    igraph has no getter for the current generator, so afterwards it gets its default back: the
    ``random`` module.
    """
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


# --------------------------------------------------------------------------------------------
# measures


def _attr(g: ig.Graph, name: str, default: Any = None) -> list[Any]:
    if name in g.vs.attributes():
        return list(g.vs[name])
    return [default] * g.vcount()


def _edge_attr(g: ig.Graph, name: str, default: Any = None) -> list[Any]:
    if name in g.es.attributes():
        return list(g.es[name])
    return [default] * g.ecount()


def _weights(g: ig.Graph) -> np.ndarray:
    w = np.array([1.0 if x is None else float(x) for x in _edge_attr(g, "weight", 1.0)])
    return w if w.size else np.zeros(0)


def _edge_array(g: ig.Graph) -> np.ndarray:
    if g.ecount() == 0:
        return np.zeros((0, 2), dtype=np.int64)
    return np.asarray(g.get_edgelist(), dtype=np.int64)


def _retweets_received(g: ig.Graph, level: str) -> np.ndarray:
    """Retweets each vertex received: the weight of its outgoing retweet edges (users) or its
    retweet children (tweets). Edges point the way information flowed (author -> retweeter), so
    a user's retweets are the out-strength. Edges without a ``kind`` attribute all count."""
    ends = _edge_array(g)
    kinds = _edge_attr(g, "kind", "retweet")
    is_rt = np.array([k in (None, "retweet") for k in kinds], dtype=bool)
    w = _weights(g) if level == "user" else np.ones(len(ends))
    source = ends[:, 0]
    return np.bincount(source[is_rt], weights=w[is_rt], minlength=g.vcount()).astype(float)


def _descendants(g: ig.Graph) -> np.ndarray:
    """Tweets downstream of each tweet (the tweet graph is a forest), in one reverse pass."""
    order = g.topological_sorting(mode="out")
    size = np.zeros(g.vcount())
    children = g.get_adjlist(mode="out")
    for v in reversed(order):
        size[v] = sum(size[c] + 1 for c in children[v])
    return size


def _measure(g: ig.Graph, papers: list[Any], size_by: Any, level: str) -> tuple[np.ndarray, str]:
    """One value per vertex (NaN -> 0) and a title for the legend."""
    n = g.vcount()
    if isinstance(size_by, str):
        name = size_by
        if name == "retweets_received":
            values = _retweets_received(g, level)
        elif name == "descendants" and level == "tweet":
            values = _descendants(g)
        elif name in g.vs.attributes():
            values = np.array([_number(x) for x in g.vs[name]], dtype=float)
        else:
            values = _rank_measure(g, papers, name, level)
        title = _MEASURE_TITLES.get(name, name.replace("_", " "))
    elif hasattr(size_by, "items") or isinstance(size_by, Mapping):
        lookup = {str(k).lower(): _number(v) for k, v in size_by.items()}
        keys = [str(k).lower() for k in _attr(g, "name", "")]
        values = np.array([lookup.get(k, 0.0) for k in keys], dtype=float)
        title = str(getattr(size_by, "name", None) or "value").replace("_", " ")
    else:
        values = np.asarray(size_by, dtype=float).ravel()
        if values.size != n:
            raise ValueError(f"size_by has {values.size} values for {n} vertices")
        title = "value"
    values = np.nan_to_num(values.astype(float), nan=0.0, posinf=0.0, neginf=0.0)
    return np.maximum(values, 0.0), title


def _rank_measure(g: ig.Graph, papers: list[Any], name: str, level: str) -> np.ndarray:
    """A user measure of ``cascade.rank.rank_users`` (from the papers when there are some, which
    gives every measure; else from the user graph), looked up by case-insensitive handle."""
    from cascade import rank  # loaded on demand: centralities are not free

    if level != "user" or name not in rank.MEASURES:
        numeric = ", ".join(_numeric_attributes(g)) or "none"
        measures = f", a measure of cascade.rank ({', '.join(rank.MEASURES)})"
        raise ValueError(
            f"unknown size_by {name!r}: use 'retweets_received'"
            + (", 'descendants'" if level == "tweet" else measures)
            + f", a numeric vertex attribute ({numeric}), a mapping or one value per vertex"
        )
    table = rank.rank_users(papers if papers else g, by=name, measures=[name])
    by_key = {str(h).lower(): _number(v) for h, v in zip(table["handle"], table[name], strict=True)}
    return np.array([by_key.get(str(k).lower(), 0.0) for k in _attr(g, "name", "")])


def _numeric_attributes(g: ig.Graph) -> list[str]:
    """Vertex attributes whose values are all numbers (or None), for error messages."""
    return sorted(
        a
        for a in g.vs.attributes()
        if all(
            x is None or (isinstance(x, (int, float, np.number)) and not isinstance(x, bool))
            for x in g.vs[a]
        )
    )


def _number(x: Any) -> float:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return value


# --------------------------------------------------------------------------------------------
# colours


def _communities(g: ig.Graph) -> list[int]:
    """Leiden (modularity, weighted) on the undirected graph; labels 0.. by decreasing size."""
    u = g.copy()
    u.es["weight"] = _weights(g).tolist()
    u = u.as_undirected(mode="collapse", combine_edges={"weight": "sum"})
    # Lower-case objective name: "Modularity" silently runs CPM (see library-gotchas.md).
    parts = u.community_leiden(objective_function="modularity", weights="weight", n_iterations=-1)
    membership = parts.membership
    groups: dict[int, list[int]] = {}
    for v, c in enumerate(membership):
        groups.setdefault(c, []).append(v)
    ordered = sorted(groups.values(), key=lambda vs: (-len(vs), vs[0]))
    label = [0] * g.vcount()
    for k, vs in enumerate(ordered):
        for v in vs:
            label[v] = k
    return label


def _viridis(t: float) -> str:
    t = min(max(t, 0.0), 1.0) * (len(_VIRIDIS) - 1)
    i = min(int(t), len(_VIRIDIS) - 2)
    f = t - i
    a, b = _VIRIDIS[i], _VIRIDIS[i + 1]
    return "#{:02x}{:02x}{:02x}".format(*(round(a[k] + (b[k] - a[k]) * f) for k in range(3)))


def _as_datetime(x: Any) -> datetime | None:
    if x is None:
        return None
    if isinstance(x, datetime):
        return x if x.tzinfo else x.replace(tzinfo=timezone.utc)
    if isinstance(x, np.datetime64):
        if np.isnat(x):
            return None
        return datetime.fromtimestamp(int(x.astype("datetime64[s]").astype(np.int64)), timezone.utc)
    with contextlib.suppress(TypeError, ValueError):
        import pandas as pd  # only for timestamps of other types

        ts = pd.Timestamp(x)
        if not pd.isna(ts):
            return (
                ts.tz_localize("UTC").to_pydatetime() if ts.tzinfo is None else ts.to_pydatetime()
            )
    return None


def _fmt_time(t: datetime | None) -> str:
    return "unknown" if t is None else t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _classes(labels: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Colours for categorical labels: the nine most frequent get the palette, the rest grey."""
    freq: dict[str, int] = {}
    for lab in labels:
        freq[lab] = freq.get(lab, 0) + 1
    ranked = sorted(freq, key=lambda lab: (-freq[lab], lab))
    color = {lab: _PALETTE[i] if i < len(_PALETTE) else _OTHER for i, lab in enumerate(ranked)}
    legend = [{"color": color[lab], "label": lab, "count": freq[lab]} for lab in ranked[:9]]
    rest = sum(freq[lab] for lab in ranked[9:])
    if rest:
        legend.append({"color": _OTHER, "label": "others", "count": rest})
    return [color[lab] for lab in labels], legend


def _colors(
    g: ig.Graph,
    papers: list[Any],
    level: str,
    color_by: str,
    measure: np.ndarray,
    handles: list[str],
) -> tuple[list[str], list[dict[str, Any]], dict[str, Any] | None, str]:
    """Per-vertex colours, legend items, an optional gradient and the legend title."""
    n = g.vcount()
    noun = "users" if level == "user" else "tweets"
    if color_by == "community":
        label = _communities(g)
        groups: dict[int, list[int]] = {}
        for v, c in enumerate(label):
            groups.setdefault(c, []).append(v)
        colors = [_OTHER] * n
        legend = []
        shown = [c for c in sorted(groups) if len(groups[c]) > 1][: len(_PALETTE)]
        for i, c in enumerate(shown):
            lead = max(groups[c], key=lambda v: (measure[v], -v))
            for v in groups[c]:
                colors[v] = _PALETTE[i]
            legend.append(
                {"color": _PALETTE[i], "label": f"around {handles[lead]}", "count": len(groups[c])}
            )
        rest = n - sum(len(groups[c]) for c in shown)
        if rest:
            legend.append({"color": _OTHER, "label": "smaller communities", "count": rest})
        return colors, legend, None, f"community (Leiden, {len(groups)} found)"
    if color_by == "kind":
        if level == "tweet":
            kinds = [
                "placeholder" if ph else (k or "unknown")
                for k, ph in zip(_attr(g, "kind", ""), _attr(g, "placeholder", False), strict=True)
            ]
        else:
            indeg = np.array(g.degree(mode="in"))
            outdeg = np.array(g.degree(mode="out"))
            kinds = [
                "relay" if i and o else "source" if o else "retweeter" if i else "isolated"
                for i, o in zip(indeg, outdeg, strict=True)
            ]
        freq: dict[str, int] = {}
        for k in kinds:
            freq[k] = freq.get(k, 0) + 1
        order = sorted(freq, key=lambda k: (-freq[k], k))
        legend = [
            {"color": _KIND_COLORS.get(k, _OTHER), "label": k, "count": freq[k]} for k in order
        ]
        title = "kind of tweet" if level == "tweet" else "role (source, relay, retweeter, isolated)"
        return [_KIND_COLORS.get(k, _OTHER) for k in kinds], legend, None, title
    if color_by == "time":
        times = [_as_datetime(t) for t in _attr(g, "time" if level == "tweet" else "first_seen")]
        known = sorted((t, v) for v, t in enumerate(times) if t is not None)
        colors = [_OTHER] * n
        # By rank, not by clock time: cascades are bursty, a linear scale would paint almost every
        # node the same colour.
        for r, (_, v) in enumerate(known):
            colors[v] = _viridis(r / max(len(known) - 1, 1))
        legend = []
        if len(known) < n:
            legend.append({"color": _OTHER, "label": "time unknown", "count": n - len(known)})
        gradient = None
        if known:
            mid = known[len(known) // 2][0]
            gradient = {
                "stops": [_viridis(i / 8) for i in range(9)],
                "labels": [
                    known[0][0].strftime("%Y-%m-%d"),
                    mid.strftime("%Y-%m-%d"),
                    known[-1][0].strftime("%Y-%m-%d"),
                ],
            }
        what = "tweet time" if level == "tweet" else "first tweet"
        return colors, legend, gradient, f"{what} (earliest to latest {noun}, by rank)"
    # color_by == "paper"
    labels = _paper_labels(g, papers, level)
    colors, legend = _classes(labels)
    return colors, legend, None, "paper"


def _paper_labels(g: ig.Graph, papers: list[Any], level: str) -> list[str]:
    if "citation_id" in g.vs.attributes():
        return [str(c) for c in g.vs["citation_id"]]
    if level == "user" and papers:
        first: dict[str, tuple[Any, str]] = {}
        seen: dict[str, set[str]] = {}
        for paper in papers:
            cid = str(paper.citation_id)
            for author, t in zip(paper.author, paper.time, strict=True):
                key = str(author).lower()
                seen.setdefault(key, set()).add(cid)
                stamp = (np.isnat(t), t) if isinstance(t, np.datetime64) else (True, 0)
                if key not in first or stamp < first[key][0]:
                    first[key] = (stamp, cid)
        labels = []
        for name in _attr(g, "name", ""):
            key = str(name).lower()
            if len(seen.get(key, ())) > 1:
                labels.append("several papers")
            else:
                labels.append(first[key][1] if key in first else "unknown")
        return labels
    if level == "user" and "papers" in g.vs.attributes():
        own = g["citation_id"] if "citation_id" in g.attributes() else None
        return [
            "several papers" if (p or 0) > 1 else (str(own) if own else "one paper")
            for p in g.vs["papers"]
        ]
    own = g["citation_id"] if "citation_id" in g.attributes() else None
    return [str(own) if own else "unknown"] * g.vcount()


# --------------------------------------------------------------------------------------------
# tooltips


# Control characters (but newline and tab), and bidirectional overrides, which could make a
# tooltip display text in an order other than the one stored ("Trojan source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _clean(text: Any, limit: int = _TEXT_MAX) -> str:
    """Printable text for a tooltip: no control characters, no lone surrogates, bounded length."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = str(text)
    # Lone surrogates (from broken JSON escapes) cannot be encoded as UTF-8.
    s = s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    s = _CONTROL.sub(" ", s)
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"


def _fmt_count(x: Any) -> str:
    value = _number(x)
    if math.isnan(value):
        return "unknown"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def _top_tweets(papers: list[Any]) -> dict[str, tuple[int, str]]:
    """Each user's most-retweeted tweet (direct retweets; ties: the earlier) and its count."""
    best: dict[str, tuple[int, int, str]] = {}
    order = 0
    for paper in papers:
        parent = np.asarray(paper.parent)
        kind = np.asarray(paper.kind, dtype=object)
        mask = (parent >= 0) & (kind == "retweet")
        counts = np.bincount(parent[mask], minlength=len(parent))
        for i, (author, text) in enumerate(zip(paper.author, paper.text, strict=True)):
            order += 1
            if not text:
                continue
            key = str(author).lower()
            if key not in best or counts[i] > best[key][0]:
                best[key] = (int(counts[i]), order, str(text))
    return {k: (c, t) for k, (c, _, t) in best.items()}


def _user_title(
    g: ig.Graph,
    v: int,
    handle: str,
    received: float,
    extra: tuple[str, float] | None,
    top_tweet: tuple[int, str] | None,
) -> str:
    vx = g.vs[v].attributes()
    lines = [
        f"@{handle}",
        f"followers: {_fmt_count(vx.get('followers'))}",
        f"tweets: {_fmt_count(vx.get('tweets'))}",
        f"retweets received: {_fmt_count(received)}",
        f"first tweet: {_fmt_time(_as_datetime(vx.get('first_seen')))}",
    ]
    if vx.get("papers") is not None and _number(vx.get("papers")) > 1:
        lines.append(f"papers: {_fmt_count(vx.get('papers'))}")
    if extra is not None:
        lines.append(f"{extra[0]}: {_fmt_count(extra[1])}")
    if top_tweet is not None:
        count, text = top_tweet
        if count < 0:  # from a top_tweet vertex attribute: the count is not known
            head = "most-retweeted tweet:"
        else:
            head = f"most-retweeted tweet ({count:,} retweets):" if count else "tweet:"
        lines.append(head)
        lines.append(_clean(text))
    return "\n".join(lines)


def _tweet_title(
    g: ig.Graph, v: int, handle: str, received: float, extra: tuple[str, float] | None
) -> str:
    vx = g.vs[v].attributes()
    kind = vx.get("kind") or "tweet"
    lines = [
        f"@{handle} \u00b7 {kind}"
        + (" (inferred, not in the data)" if vx.get("placeholder") else ""),
        f"time: {_fmt_time(_as_datetime(vx.get('time')))}",
        f"followers: {_fmt_count(vx.get('followers'))}",
        f"retweets: {_fmt_count(received)}",
    ]
    if extra is not None:
        lines.append(f"{extra[0]}: {_fmt_count(extra[1])}")
    if vx.get("citation_id"):
        lines.append(f"paper: {_clean(vx.get('citation_id'), 60)}")
    text = _clean(vx.get("text"))
    if text:
        lines.append(text)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# layout


def _layout(h: ig.Graph) -> tuple[list[int], list[int]]:
    """Integer positions: each weak component laid out alone, then packed in rows by size.

    One Fruchterman-Reingold run over a disconnected graph lets components drift apart (and its
    grid mode misbehaves on them, igraph #539); cascades are mostly many small stars.
    """
    n = h.vcount()
    xs = np.zeros(n)
    ys = np.zeros(n)
    comps = sorted(h.connected_components(mode="weak"), key=lambda c: (-len(c), c[0]))
    boxes = []
    for members in comps:
        k = len(members)
        radius = 28.0 * math.sqrt(k) + 12.0
        if k == 1:
            local = np.zeros((1, 2))
        elif k == 2:
            local = np.array([[-1.0, 0.0], [1.0, 0.0]])
        else:
            sub = h.induced_subgraph(members)
            grid = "grid" if k > 1000 else "nogrid"
            local = np.asarray(sub.layout_fruchterman_reingold(grid=grid).coords, dtype=float)
            local -= local.mean(axis=0)
        extent = np.abs(local).max() if k > 1 else 1.0
        local = local * (radius / extent if extent > 0 else 0.0)
        boxes.append((members, local, radius if k > 1 else 12.0))
    width = max(2.0 * boxes[0][2], math.sqrt(sum((2.0 * r + 24.0) ** 2 for _, _, r in boxes)) * 1.3)
    x = y = row_height = 0.0
    for members, local, r in boxes:
        size = 2.0 * r + 24.0
        if x > 0 and x + size > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + size / 2.0, y + size / 2.0
        xs[members] = local[:, 0] + cx
        ys[members] = local[:, 1] + cy
        x += size
        row_height = max(row_height, size)
    xs -= (xs.min() + xs.max()) / 2.0
    ys -= (ys.min() + ys.max()) / 2.0
    # Whole pixels: decimals would only add bytes to the file.
    return [int(round(v)) for v in xs], [int(round(v)) for v in ys]


# --------------------------------------------------------------------------------------------
# building the page data


def _build(
    g: ig.Graph,
    papers: list[Any],
    *,
    level: str,
    size_by: Any,
    color_by: str,
    top: int | None,
    min_weight: float | None,
    layout: str,
    paper_node: bool,
    title: str | None,
    seed: int,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    n0, m0 = g.vcount(), g.ecount()
    noun, nouns = ("user", "users") if level == "user" else ("tweet", "tweets")
    names = [str(x) for x in _attr(g, "name", None)]
    if "name" not in g.vs.attributes():
        names = [str(v) for v in range(n0)]
    if level == "user":
        handles = [
            _clean(h if h else nm, 60)
            for h, nm in zip(_attr(g, "handle", None), names, strict=True)
        ]
    else:
        handles = [_clean(a, 60) or "unknown" for a in _attr(g, "author", None)]
    measure, measure_title = _measure(g, papers, size_by, level)
    received = _retweets_received(g, level)
    colors, legend, gradient, color_title = _colors(g, papers, level, color_by, measure, handles)

    # Thinning: edges below min_weight, then nodes left without an edge, then all but the top.
    ends = _edge_array(g)
    weights = _weights(g)
    notes = []
    keep_e = np.ones(m0, dtype=bool)
    keep_v = np.ones(n0, dtype=bool)
    if min_weight is not None and m0:
        keep_e = weights >= min_weight
        keep_v = np.zeros(n0, dtype=bool)
        keep_v[ends[keep_e].ravel()] = True
        dropped_v = n0 - int(keep_v.sum())
        notes.append(
            f"{m0 - int(keep_e.sum()):,} links lighter than {min_weight:g} and the {dropped_v:,} "
            f"{nouns} left without a link (--min-weight {min_weight:g})"
        )
    if top is not None and top < int(keep_v.sum()):
        candidates = np.flatnonzero(keep_v)
        ranked = sorted(candidates.tolist(), key=lambda v: (-measure[v], names[v]))
        before = int(keep_v.sum())
        keep_v = np.zeros(n0, dtype=bool)
        keep_v[ranked[:top]] = True
        notes.append(
            f"{before - top:,} {nouns} outside the top {top:,} by {measure_title} (--top {top})"
        )
    if m0:
        keep_e &= keep_v[ends[:, 0]] & keep_v[ends[:, 1]]
    kept = np.flatnonzero(keep_v).tolist()
    index = {v: i for i, v in enumerate(kept)}
    edge_ids = np.flatnonzero(keep_e).tolist()
    if len(kept) < n0 or len(edge_ids) < m0:
        notes.append(
            f"in all {n0 - len(kept):,} of {n0:,} {nouns} and {m0 - len(edge_ids):,} of {m0:,} "
            "links are left out"
        )

    # Paper nodes: one per paper, linked to the original tweets / their authors.
    paper_nodes: list[tuple[str, str, str, list[int]]] = []
    if paper_node:
        paper_nodes = _paper_links(g, papers, level, kept, title)

    # Layout on the kept graph plus paper nodes.
    h = ig.Graph(n=len(kept) + len(paper_nodes), directed=True)
    pairs = [(index[int(ends[e, 0])], index[int(ends[e, 1])]) for e in edge_ids]
    extra_pairs = [
        (len(kept) + p, index[v]) for p, (_, _, _, vs) in enumerate(paper_nodes) for v in vs
    ]
    h.add_edges(pairs + extra_pairs)
    xs, ys = _layout(h)

    # Node dicts: plain Python values only (pyvis and json fail on numpy scalars).
    top_tweets: dict[str, tuple[int, str]] = {}
    if level == "user" and papers:
        top_tweets = _top_tweets(papers)
    elif level == "user" and "top_tweet" in g.vs.attributes():
        # A user graph built elsewhere may carry each user's most-retweeted text itself.
        top_tweets = {names[v].lower(): (-1, str(t)) for v, t in enumerate(g.vs["top_tweet"]) if t}
    extra_name = measure_title if measure_title != "retweets received" else None
    vmax = float(max((measure[v] for v in kept), default=0.0))
    labelled = set(kept)
    if len(kept) > _LABEL_ALL_MAX:
        labelled = set(sorted(kept, key=lambda v: (-measure[v], names[v]))[:_LABEL_TOP])
    nodes: list[dict[str, Any]] = []
    for i, v in enumerate(kept):
        extra = (extra_name, float(measure[v])) if extra_name else None
        if level == "user":
            tip = _user_title(
                g, v, handles[v], received[v], extra, top_tweets.get(names[v].lower())
            )
        else:
            tip = _tweet_title(g, v, handles[v], received[v], extra)
        node = {
            "id": names[v],
            "handle": handles[v],
            "title": tip,
            "x": xs[i],
            "y": ys[i],
            "size": _size(measure[v], vmax),
            "color": colors[v],
        }
        if v in labelled:
            node["label"] = handles[v]
        nodes.append(node)
    for p, (pid, label, tip, _) in enumerate(paper_nodes):
        j = len(kept) + p
        nodes.append(
            {
                "id": pid,
                "handle": label,
                "label": _clean(label, 60),
                "title": tip,
                "x": xs[j],
                "y": ys[j],
                "size": 30,
                "color": _PAPER_COLOR,
                "shape": "diamond",
            }
        )

    kinds = _edge_attr(g, "kind", None)
    several_kinds = len({k for k in kinds if k}) > 1
    edge_kind = (next((k for k in kinds if k), None) or "retweet") if not several_kinds else "link"
    wmax = float(weights.max()) if m0 else 1.0
    edges: list[dict[str, Any]] = []
    for e in edge_ids:
        w = float(weights[e])
        edge: dict[str, Any] = {"from": names[int(ends[e, 0])], "to": names[int(ends[e, 1])]}
        if w != 1.0:
            edge["weight"] = int(w) if w.is_integer() else round(w, 3)
            edge["width"] = round(1.0 + 4.0 * math.log(w) / math.log(wmax), 1) if wmax > 1 else 1
        if several_kinds and kinds[e]:
            edge["kind"] = str(kinds[e])
        edges.append(edge)
    for pid, _, _, vs in paper_nodes:
        edges.extend({"from": pid, "to": names[v], "paper": True, "dashes": True} for v in vs)

    physics = layout == "physics" or (layout == "auto" and len(nodes) <= PHYSICS_MAX_NODES)
    options = _options(physics=physics, big=len(nodes) > PHYSICS_MAX_NODES, seed=seed)

    kept_weights = [float(weights[e]) for e in edge_ids]
    heading = _heading(g, papers, title)
    cid = g["citation_id"] if "citation_id" in g.attributes() else None
    sub = [
        f"{level} graph",
        f"{len(kept):,} {nouns if len(kept) != 1 else noun}",
        f"{len(edge_ids):,} links",
    ]
    if cid:
        sub.append(f"citation id {cid}")
    elif len(papers) > 1:
        sub.append(f"{len(papers):,} papers")
    method = g["method"] if "method" in g.attributes() else papers[0].method if papers else None
    if method and method != "credited":  # say the tree is inferred, not as the data credit it
        sub.append(f"parents: {method} reconstruction")
    sub.append("layout: " + ("igraph, then vis-network physics" if physics else "igraph"))
    page = {
        "subtitle": " \u00b7 ".join(sub),
        "colors": legend,
        "gradient": gradient,
        "color_title": color_title,
        "size_title": measure_title,
        "notes": notes,
        "edge_note": (
            "arrows point the way information flowed (original author \u2192 retweeter); width "
            "grows with the weight (number of retweets)"
            if level == "user"
            else "arrows point from a tweet to the tweets that spread it"
        ),
        "edge_kind": edge_kind,
        "max_weight": int(math.ceil(max(kept_weights, default=1.0))),
        "lowest_weight": _js_number(min(kept_weights, default=1.0)),
        "min_weight": _js_number(min(kept_weights, default=1.0)),
        "heading": heading,
    }
    page.update(_size_legend(vmax))
    return page, nodes, edges, options


def _js_number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _size(value: float, vmax: float) -> int:
    # Area grows with the value, so a node with 4x the retweets looks 4x as big.
    return int(round(5 + 25 * math.sqrt(value / vmax))) if vmax > 0 else 8


def _nice(x: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``x`` (a round value for the size legend)."""
    if x <= 0:
        return 0.0
    power = 10.0 ** math.floor(math.log10(x))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= x)


def _size_legend(vmax: float) -> dict[str, Any]:
    values = [vmax, _nice(vmax / 4), 0.0] if vmax > 0 else [0.0]
    items = []
    y = 4.0
    for value in values:
        r = _size(value, vmax) * 0.7  # vis draws "size" as a dot's radius; the legend is smaller
        y += r
        items.append(
            {"cx": 24, "cy": round(y), "r": round(r, 1), "tx": 50, "label": _fmt_count(value)}
        )
        y += r + 6.0
    return {"sizes": items, "size_svg_height": int(y) + 2}


def _paper_links(
    g: ig.Graph, papers: list[Any], level: str, kept: list[int], title: str | None
) -> list[tuple[str, str, str, list[int]]]:
    """(node id, label, tooltip, linked vertices) per paper."""
    kept_set = set(kept)
    indeg = g.degree(mode="in")
    names = _attr(g, "name", None)
    result = []
    if papers:
        by_name = {str(nm).lower(): v for v, nm in enumerate(names)}
        for paper in papers:
            cid = str(paper.citation_id)
            roots = np.flatnonzero(np.asarray(paper.parent) < 0)
            if level == "user":
                keys = {str(paper.author[i]).lower() for i in roots}
            else:
                keys = {str(paper.id[i]).lower() for i in roots}
            linked = sorted(by_name[k] for k in keys if k in by_name and by_name[k] in kept_set)
            if level == "tweet" and len(papers) > 1:
                own = _attr(g, "citation_id", None)
                linked = [v for v in linked if own[v] == cid]
            attrs = getattr(paper, "attrs", {}) or {}
            label = str(title or attrs.get("title") or f"paper {cid}")
            tip = _paper_tip(cid, attrs, label)
            result.append((f"paper:{cid}", _clean(label, _TITLE_MAX), tip, linked))
        return result
    cid = g["citation_id"] if "citation_id" in g.attributes() else None
    label = str(title or (f"paper {cid}" if cid else "paper"))
    linked = [v for v in kept if indeg[v] == 0]
    return [(f"paper:{cid or 0}", _clean(label, _TITLE_MAX), _paper_tip(cid, {}, label), linked)]


def _paper_tip(cid: Any, attrs: Mapping[str, Any], label: str) -> str:
    lines = [_clean(label, _TITLE_MAX)]
    if cid:
        lines.append(f"citation id: {_clean(cid, 60)}")
    if attrs.get("doi"):
        lines.append(f"doi: {_clean(attrs['doi'], 120)}")
    lines.append("linked to the original tweets")
    return "\n".join(lines)


def _heading(g: ig.Graph, papers: list[Any], title: str | None) -> str:
    if title:
        return _clean(title, _TITLE_MAX)
    if len(papers) == 1:
        attrs = getattr(papers[0], "attrs", {}) or {}
        if attrs.get("title"):
            return _clean(attrs["title"], _TITLE_MAX)
        return f"Paper {_clean(papers[0].citation_id, 80)}"
    if len(papers) > 1:
        return f"{len(papers):,} papers"
    cid = g["citation_id"] if "citation_id" in g.attributes() else None
    return f"Paper {_clean(cid, 80)}" if cid else "Diffusion graph"


def _options(*, physics: bool, big: bool, seed: int) -> dict[str, Any]:
    """vis-network options. Without physics: no improvedLayout and straight edges, the recipe
    that keeps 10,000 nodes responsive (pyvis #204, #88)."""
    return {
        "autoResize": True,
        "layout": {"randomSeed": seed, "improvedLayout": False},
        "physics": (
            {
                "enabled": True,
                "solver": "forceAtlas2Based",
                "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 60},
                "stabilization": {"enabled": True, "iterations": 100, "fit": True},
            }
            if physics
            else {"enabled": False}
        ),
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"inherit": "from", "opacity": 0.55},
            "smooth": {"enabled": True, "type": "continuous"} if physics else False,
            "selectionWidth": 2,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
        },
    }


# --------------------------------------------------------------------------------------------
# rendering


@functools.lru_cache(maxsize=1)
def _assets() -> dict[str, str]:
    """vis-network 9.1.2 and tom-select from pyvis's package folder, to inline."""
    import pyvis  # here, not at the top: pyvis imports IPython, 0.6 s

    lib = Path(pyvis.__file__).parent / "lib"
    files = {
        "vis_js": lib / "vis-9.1.2" / "vis-network.min.js",
        "vis_css": lib / "vis-9.1.2" / "vis-network.css",
        "tom_js": lib / "tom-select" / "tom-select.complete.min.js",
        "tom_css": lib / "tom-select" / "tom-select.css",
    }
    assets = {}
    for key, file in files.items():
        text = file.read_text(encoding="utf-8")
        # Inline code must not be able to close its own element.
        if re.search(r"</(script|style)", text, re.IGNORECASE):
            raise RuntimeError(f"{file} cannot be inlined: it contains a closing tag")
        # A source map comment would make DevTools look for a file that is not there.
        assets[key] = re.sub(r"\n?//# sourceMappingURL=\S*\s*$", "\n", text)
    return assets


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    # Compact, sorted, UTF-8 JSON: smaller files, and the same bytes for the same input. `tojson`
    # still escapes <, >, & and ' so the data cannot end its <script>.
    env.policies["json.dumps_kwargs"] = {
        "sort_keys": True,
        "ensure_ascii": False,
        "separators": (",", ":"),
        "allow_nan": False,
    }
    return env


def _generator_version() -> str:
    from cascade import __version__  # the package's own number: no metadata lookup

    return str(__version__)


def _render(
    page: dict[str, Any],
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    options: dict[str, Any],
) -> str:
    from pyvis.network import Network

    net = Network(directed=True, select_menu=True, heading=page["heading"], cdn_resources="in_line")
    # Assigned directly: add_node / add_edge are quadratic (pyvis #304).
    net.nodes = nodes
    net.edges = edges
    net.node_ids = [node["id"] for node in nodes]
    net.node_map = {node["id"]: node for node in nodes}
    net.options = options
    net.height, net.width = "100%", "100%"
    env = _environment()
    net.templateEnv = env
    net.path = _TEMPLATE
    env.globals["page"] = {
        **page,
        **_assets(),
        "csp_placeholder": _CSP_PLACEHOLDER,
        "generator": _generator_version(),
    }
    try:
        text = net.generate_html(name="graph.html")
    finally:
        env.globals.pop("page", None)
    return _with_csp(text)


_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _with_csp(text: str) -> str:
    """Fill in the page's Content-Security-Policy: its own inline scripts (by SHA-256), inline
    styles, data: images, nothing else; in particular no request to any host."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode() + "'"
        for m in _SCRIPT.finditer(text)
    )
    policy = (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; "
        "img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    head, sep, rest = text.partition(_CSP_PLACEHOLDER)
    if not sep:
        raise RuntimeError("template lost its Content-Security-Policy placeholder")
    return head + policy + rest


def _write_atomic(path: Path, text: str) -> None:
    from cascade.output import atomic_write  # shared with the table writers

    # Bytes, not text mode: the file must hold exactly the returned text, "\n" line ends included.
    with atomic_write(path.expanduser(), "wb") as fh:
        fh.write(text.encode("utf-8"))
