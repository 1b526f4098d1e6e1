"""The page's data: node and edge columns, the legend, the timeline and vis-network's options.

:func:`build` goes through the stages in order: labels, measure and colours, thinning, paper
nodes, layout, then the node and edge columns (:mod:`cascade.render.html.records`) and the page
record. Everything returned is plain Python (pyvis
and ``json`` fail on numpy scalars), and the same input gives the same records.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np

from cascade.render.html import records, tooltips
from cascade.render.html.colours import KIND_COLORS, colouring
from cascade.render.html.inputs import (
    attr,
    author_keys,
    edge_array,
    edge_attr,
    epoch_seconds,
    graph_attr,
)
from cascade.render.html.inputs import weights as edge_weights
from cascade.render.html.layout import layout as place
from cascade.render.html.measures import measure as size_measure
from cascade.render.html.measures import retweets_received
from cascade.render.html.panel import metrics as panel_metrics
from cascade.render.html.records import first_retweets  # noqa: F401 - importable from here too

LAYOUTS = ("auto", "physics", "precomputed")
#: Above this many nodes ``layout="physics"`` still starts from igraph's positions, but the
#: simulation gets fewer iterations before the first drawing.
PHYSICS_MAX_NODES = 1000

# Labels cost drawing time and clutter; past this many nodes only the largest are labelled.
LABEL_ALL_MAX = 300
LABEL_TOP = 100
# This many of the largest nodes (and every paper) keep a label readable at the fitted zoom.
LABEL_BIG = 12
TIMELINE_BINS = 60


@dataclass(frozen=True)
class Options:
    """What the caller asked for (validated by ``to_html``)."""

    level: str
    size_by: Any
    color_by: str
    max_nodes: int | None
    min_weight: float | None
    layout: str
    paper_node: bool
    title: str | None
    seed: int
    index_href: str | None = None


@dataclass(frozen=True)
class Thinned:
    """Vertices and edges left after ``--min-weight`` and ``--max-nodes``, and what was said."""

    kept: list[int]
    edge_ids: list[int]
    notes: list[str]


def _thin(
    g: ig.Graph,
    opt: Options,
    measure: np.ndarray,
    title: str,
    names: list[str],
    nouns: str,
    ends: np.ndarray,
) -> Thinned:
    """Edges below min_weight, then nodes left without an edge, then all but the largest."""
    n0, m0 = g.vcount(), g.ecount()
    weights = edge_weights(g)
    notes = []
    keep_e = np.ones(m0, dtype=bool)
    keep_v = np.ones(n0, dtype=bool)
    if opt.min_weight is not None and m0:
        keep_e = weights >= opt.min_weight
        keep_v = np.zeros(n0, dtype=bool)
        keep_v[ends[keep_e].ravel()] = True
        dropped_v = n0 - int(keep_v.sum())
        notes.append(
            f"{m0 - int(keep_e.sum()):,} links lighter than {opt.min_weight:g} and the "
            f"{dropped_v:,} {nouns} left without a link (--min-weight {opt.min_weight:g})"
        )
    top = opt.max_nodes
    if top is not None and top < int(keep_v.sum()):
        candidates = np.flatnonzero(keep_v)
        ranked = sorted(candidates.tolist(), key=lambda v: (-measure[v], names[v]))
        before = int(keep_v.sum())
        keep_v = np.zeros(n0, dtype=bool)
        keep_v[ranked[:top]] = True
        notes.append(
            f"{before - top:,} {nouns} outside the top {top:,} by {title} (--max-nodes {top})"
        )
    if m0:
        keep_e &= keep_v[ends[:, 0]] & keep_v[ends[:, 1]]
    kept = np.flatnonzero(keep_v).tolist()
    edge_ids = np.flatnonzero(keep_e).tolist()
    if len(kept) < n0 or len(edge_ids) < m0:
        notes.append(
            f"in all {n0 - len(kept):,} of {n0:,} {nouns} and {m0 - len(edge_ids):,} of {m0:,} "
            "links are left out"
        )
    return Thinned(kept, edge_ids, notes)


def build(
    g: ig.Graph, papers: list[Any], opt: Options
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The page record, the node and edge columns (:mod:`cascade.render.html.columns`) and the
    vis-network options of a graph."""
    level = opt.level
    noun, nouns = ("user", "users") if level == "user" else ("tweet", "tweets")
    names = list(map(str, attr(g, "name", None)))
    if "name" not in g.vs.attributes():
        names = list(map(str, range(g.vcount())))
    if level == "user":
        handles = _handles(attr(g, "handle", None), names)
    else:
        handles = [tooltips.clean(a, 60) or "unknown" for a in attr(g, "author", None)]
    # Papers drawn as vertices of the graph itself (the report's combined.html).
    hubs = np.zeros(len(names), dtype=bool)
    if level == "user" and "paper:" in "\n".join(names):  # one scan says "none" mostly
        hubs = np.array([nm.startswith("paper:") for nm in names], dtype=bool)
    ends = edge_array(g)
    received = retweets_received(g, level, ends)
    measure, measure_title = size_measure(g, papers, opt.size_by, level, received)
    colours = colouring(g, papers, level, opt.color_by, measure, handles, hubs, opt.seed)
    thin = _thin(g, opt, measure, measure_title, names, nouns, ends)
    kept, edge_ids = thin.kept, thin.edge_ids

    paper_nodes = _paper_links(g, papers, level, kept, opt.title) if opt.paper_node else []
    h = ig.Graph(n=len(kept) + len(paper_nodes), directed=True)
    kept_arr = np.asarray(kept, dtype=np.int64)
    position = np.full(g.vcount(), -1, dtype=np.int64)
    position[kept_arr] = np.arange(len(kept))
    extra_pairs = [
        (len(kept) + p, int(position[v])) for p, (_, _, _, vs) in enumerate(paper_nodes) for v in vs
    ]
    pairs = position[ends[np.asarray(edge_ids, dtype=np.int64)]].reshape(-1, 2)
    h_ends = np.vstack([pairs, np.asarray(extra_pairs, dtype=np.int64).reshape(-1, 2)])
    h.add_edges(h_ends)
    # The colouring's communities (when it is by community) also arrange big components.
    member = None
    if colours.membership is not None:
        member = np.r_[
            np.asarray(colours.membership, dtype=np.int64)[kept_arr],
            -1 - np.arange(len(paper_nodes), dtype=np.int64),
        ]
    pos = place(h, opt.seed, member, h_ends)
    span = (max(pos.x) - min(pos.x)) if pos.x else 0
    # The largest node stays visible at the fitted zoom of a big layout.
    smax = max(30.0, 0.02 * span)

    times = epoch_seconds(attr(g, "time" if level == "tweet" else "first_seen"))
    vmax = float(max(measure[kept_arr].tolist(), default=0.0))
    order = largest(kept, measure, names, LABEL_BIG if len(kept) <= LABEL_ALL_MAX else LABEL_TOP)
    labelled = set(kept) if len(kept) <= LABEL_ALL_MAX else set(order[:LABEL_TOP])
    big = set(order[:LABEL_BIG]) | set(np.flatnonzero(hubs).tolist())
    nd = records.Nodes(
        level=level, kept=kept, names=names, handles=handles, hubs=hubs, measure=measure,
        measure_title=measure_title, received=received, colors=colours.colors,
        groups=colours.groups, times=times, labelled=labelled, big=big,
        sizes=sizes(measure[kept_arr], vmax, smax), paper_nodes=paper_nodes,
        keys=author_keys(papers, names) if level == "user" and papers else None,
    )  # fmt: skip
    data = records.node_data(g, papers, nd, pos)

    kinds = edge_attr(g, "kind", None)
    several_kinds = len({k for k in kinds if k}) > 1
    edge_kind = (next((k for k in kinds if k), None) or "retweet") if not several_kinds else "link"
    weights = edge_weights(g)
    data["edges"] = records.edge_data(
        g, papers, nd, edge_ids, ends, weights, several_kinds, data["t0"]
    )

    n_nodes = len(kept) + len(paper_nodes)
    physics = opt.layout == "physics"
    options = vis_options(physics=physics, big=n_nodes > PHYSICS_MAX_NODES, seed=opt.seed)
    kept_weights = weights[np.asarray(edge_ids, dtype=np.int64)].tolist()
    page = {
        "subtitle": _subtitle(g, papers, level, len(kept), len(edge_ids), noun, nouns, physics),
        "colors": colours.legend,
        "gradient": colours.gradient,
        "color_title": colours.title,
        "size_title": measure_title,
        "notes": thin.notes,
        "edge_note": _edge_note(level, edge_kind, bool(hubs.any())),
        "edge_kind": "tweet" if edge_kind == "tweeted" else edge_kind,
        "kinds": _kind_legend(kinds, edge_ids) if several_kinds else [],
        "max_weight": int(math.ceil(max(kept_weights, default=1.0))),
        "lowest_weight": _js_number(min(kept_weights, default=1.0)),
        "min_weight": _js_number(min(kept_weights, default=1.0)),
        "heading": heading(g, papers, opt.title),
        "level": level,
        "physics": physics,
        "small": sum(pos.small[: len(kept)]),
        # Past a few hundred nodes the single users and pairs start hidden (a toggle shows them).
        "small_hidden": len(kept) > LABEL_ALL_MAX and 0 < sum(pos.small[: len(kept)]) < len(kept),
        "kind_colors": dict(KIND_COLORS) if several_kinds else {},
        "metrics": panel_metrics(g, colours.membership, ends),
        "index_href": opt.index_href,
        "timeline": timeline(
            times if len(kept) == len(times) else [times[v] for v in kept],
            papers if level == "user" else [],
            level,
        ),
    }
    page.update(size_legend(vmax, smax))
    return page, data, options


def _handles(raw: list[Any], names: list[str]) -> list[str]:
    """Each user's handle as shown (:func:`tooltips.clean`, 60 characters), the name where the
    graph has none."""
    clean = tooltips.clean
    try:  # the common case, checked for all at once: printable, short, non-empty strings
        if "".join(raw).isprintable() and max(map(len, raw), default=0) <= 60 and "" not in raw:
            return list(raw)
    except TypeError:  # not all strings
        pass
    return [
        h if type(h) is str and h and len(h) <= 60 and h.isprintable() else clean(h or nm, 60)
        for h, nm in zip(raw, names, strict=True)
    ]


def largest(kept: list[int], measure: np.ndarray, names: list[str], k: int) -> list[int]:
    """The (at most) ``k`` kept vertices of the largest measure, in that order (ties by name,
    then vertex): the head of ``sorted(kept, key=lambda v: (-measure[v], names[v]))``.

    Examples
    --------
    >>> largest([0, 1, 2, 3], np.array([1.0, 5.0, 1.0, 0.0]), ["d", "c", "b", "a"], 3)
    [1, 2, 0]
    """
    if k >= len(kept):
        return sorted(kept, key=lambda v: (-measure[v], names[v]))
    values = measure[kept]
    cut = np.partition(values, len(values) - k)[len(values) - k]  # the k-th largest value
    idx = np.asarray(kept, dtype=np.int64)
    above = idx[values > cut].tolist()
    tied = idx[values == cut].tolist()  # in kept order: sorting by name alone stays stable
    head = sorted(above, key=lambda v: (-measure[v], names[v]))
    return head + sorted(tied, key=names.__getitem__)[: k - len(head)]


def _subtitle(
    g: ig.Graph,
    papers: list[Any],
    level: str,
    n: int,
    m: int,
    noun: str,
    nouns: str,
    physics: bool,
) -> str:
    sub = [f"{level} graph", f"{n:,} {nouns if n != 1 else noun}", f"{m:,} link{'s' * (m != 1)}"]
    cid = graph_attr(g, "citation_id")
    if cid:
        sub.append(f"citation id {cid}")
    elif len(papers) > 1:
        sub.append(f"{len(papers):,} papers")
    method = graph_attr(g, "method", papers[0].method if papers else None)
    if method and method != "credited":  # say the tree is inferred, not as the data credit it
        sub.append(f"parents: {method} reconstruction")
    sub.append("layout: " + ("igraph, then vis-network physics" if physics else "igraph"))
    return " \u00b7 ".join(sub)


def _edge_note(level: str, edge_kind: str, hubs: bool) -> str:
    if hubs:
        return (
            "links go from a paper to each user who tweeted it; width grows with that user's "
            "number of tweets about the paper"
        )
    if level == "user":
        return (
            "arrows point the way information flowed (original author \u2192 retweeter); width "
            "grows with the weight (number of retweets)"
        )
    return "arrows point from a tweet to the tweets that spread it"


def _kind_legend(kinds: list[Any], edge_ids: list[int]) -> list[dict[str, Any]]:
    from cascade.render.html.colours import KIND_COLORS, OTHER

    freq: dict[str, int] = {}
    for e in edge_ids:
        k = str(kinds[e] or "unknown")
        freq[k] = freq.get(k, 0) + 1
    return [
        {"label": k, "color": KIND_COLORS.get(k, OTHER), "count": freq[k]}
        for k in sorted(freq, key=lambda k: (-freq[k], k))
    ]


def timeline(times: list[int | None], papers: list[Any], level: str) -> dict[str, Any] | None:
    """Counts over time for the chart beside the network, or None without two distinct times.

    Tweets of the papers when there are some (the user level), else the vertices' own times
    (tweets, or users by first tweet).

    Examples
    --------
    >>> t = timeline([0, 0, 3600, None, 7200], [], "tweet")
    >>> t["start"], t["end"], sum(t["bins"]), t["unknown"], t["what"]
    (0, 7200, 4, 1, 'tweets')
    """
    known = np.array([t for t in times if t is not None], dtype=np.int64)
    what = "tweets" if level == "tweet" else "users by first tweet"
    if papers:
        stamps = [np.asarray(p.time, dtype="datetime64[s]") for p in papers]
        stamp = np.concatenate(stamps) if stamps else np.zeros(0, dtype="datetime64[s]")
        stamp = stamp[~np.isnat(stamp)]
        if stamp.size:
            known = stamp.astype(np.int64)
            what = "tweets"
    if known.size == 0 or known.min() == known.max():
        return None
    start, end = int(known.min()), int(known.max())
    counts, _ = np.histogram(known, bins=TIMELINE_BINS, range=(start, end))
    peak = int(counts.max())
    return {
        "start": start,
        "end": end,
        "bins": counts.tolist(),
        "heights": [round(40.0 * c / peak, 1) for c in counts.tolist()],
        "peak": peak,
        "what": what,
        "unknown": times.count(None),
    }


def _js_number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def size(value: float, vmax: float, smax: float = 30.0) -> int:
    """A node's radius: area grows with the value (4x the retweets looks 4x as big)."""
    return int(round(5 + (smax - 5) * math.sqrt(value / vmax))) if vmax > 0 else 8


def sizes(values: np.ndarray, vmax: float, smax: float = 30.0) -> list[int]:
    """:func:`size` of every value at once (np.rint rounds half to even, as round() does).

    Examples
    --------
    >>> sizes(np.array([0.0, 1.0, 4.0]), 4.0) == [size(v, 4.0) for v in (0.0, 1.0, 4.0)]
    True
    """
    if vmax <= 0:
        return [8] * len(values)
    r = 5 + (smax - 5) * np.sqrt(np.asarray(values, dtype=float) / vmax)
    return np.rint(r).astype(np.int64).tolist()


def nice(x: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``x`` (a round value for the size legend).

    Examples
    --------
    >>> nice(1773), nice(0.3), nice(0)
    (1000.0, 0.2, 0.0)
    """
    if x <= 0:
        return 0.0
    power = 10.0 ** math.floor(math.log10(x))
    return max(m * power for m in (1.0, 2.0, 5.0) if m * power <= x)


def size_legend(vmax: float, smax: float = 30.0) -> dict[str, Any]:
    """Three circles for the legend: the largest value, a round quarter of it, and zero."""
    values = [vmax, nice(vmax / 4), 0.0] if vmax > 0 else [0.0]
    items = []
    y = 4.0
    for value in values:
        # vis draws "size" as a dot's radius; the legend draws the default-scale 30 px at 21 px.
        r = size(value, vmax, 30.0) * 0.7
        y += r
        items.append(
            {
                "cx": 24,
                "cy": round(y),
                "r": round(r, 1),
                "tx": 50,
                "label": tooltips.fmt_count(value),
            }
        )
        y += r + 6.0
    return {"sizes": items, "size_svg_height": int(y) + 2}


def _paper_links(
    g: ig.Graph, papers: list[Any], level: str, kept: list[int], title: str | None
) -> list[tuple[str, str, str, list[int]]]:
    """(node id, label, tooltip, linked vertices) per paper."""
    kept_set = set(kept)
    indeg = g.degree(mode="in")
    names = attr(g, "name", None)
    result = []
    if papers:
        own = attr(g, "citation_id", None)
        # At tweet level a tweet id may sit in several papers' trees: look it up in its own.
        many = level == "tweet" and len(papers) > 1
        by_name = {(str(own[v]) if many else "", str(nm).lower()): v for v, nm in enumerate(names)}
        for paper in papers:
            cid = str(paper.citation_id)
            roots = np.flatnonzero(np.asarray(paper.parent) < 0)
            source = paper.author if level == "user" else paper.id
            keys = {(cid if many else "", str(source[i]).lower()) for i in roots}
            linked = sorted(by_name[k] for k in keys if k in by_name and by_name[k] in kept_set)
            attrs = getattr(paper, "attrs", {}) or {}
            label = str(title or attrs.get("title") or f"paper {cid}")
            tip = tooltips.paper_tip(cid, attrs, label)
            result.append((f"paper:{cid}", tooltips.clean(label, tooltips.TITLE_MAX), tip, linked))
        return result
    cid = graph_attr(g, "citation_id")
    label = str(title or (f"paper {cid}" if cid else "paper"))
    linked = [v for v in kept if indeg[v] == 0]
    tip = tooltips.paper_tip(cid, {}, label)
    return [(f"paper:{cid or 0}", tooltips.clean(label, tooltips.TITLE_MAX), tip, linked)]


def heading(g: ig.Graph, papers: list[Any], title: str | None) -> str:
    """The page's heading: the title given, the paper's title, or its citation id."""
    if title:
        return tooltips.clean(title, tooltips.TITLE_MAX)
    if len(papers) == 1:
        attrs = getattr(papers[0], "attrs", {}) or {}
        if attrs.get("title"):
            return tooltips.clean(attrs["title"], tooltips.TITLE_MAX)
        return f"Paper {tooltips.clean(papers[0].citation_id, 80)}"
    if len(papers) > 1:
        return f"{len(papers):,} papers"
    cid = graph_attr(g, "citation_id")
    return f"Paper {tooltips.clean(cid, 80)}" if cid else "Diffusion graph"


def vis_options(*, physics: bool, big: bool, seed: int) -> dict[str, Any]:
    """vis-network options. Without physics: no improvedLayout and straight edges, the recipe
    that keeps 10,000 nodes responsive (pyvis #204, #88). With physics, the simulation runs
    before the first drawing and the page switches it off once stabilised."""
    return {
        "autoResize": True,
        "layout": {"randomSeed": seed, "improvedLayout": False},
        "physics": (
            {
                "enabled": True,
                "solver": "forceAtlas2Based",
                "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 60},
                "stabilization": {"enabled": True, "iterations": 60 if big else 150, "fit": True},
                "minVelocity": 1.0,
            }
            if physics
            else {"enabled": False}
        ),
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            # Small labels show only once zoomed in (drawThreshold, in screen pixels); the largest
            # nodes' labels are kept readable at any zoom by the page's script.
            "font": {"size": 12, "strokeWidth": 3, "strokeColor": "#ffffff"},
            "scaling": {"label": {"drawThreshold": 14, "maxVisible": 30}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"inherit": "from", "opacity": 0.55},
            "smooth": {"enabled": True, "type": "continuous"} if physics and not big else False,
            "selectionWidth": 2,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
        },
    }
