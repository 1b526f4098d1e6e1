"""Node colours and their legend: communities, kinds, time, paper or the automated-account flag.

Every colouring gives each vertex a legend entry (``groups``), so the page can count what a filter
leaves shown and hide an entry when its legend item is clicked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np

from cascade.render.html.inputs import as_datetime, attr, graph_attr, weights
from cascade.render.html.rng import seeded

COLOR_BY = ("community", "kind", "time", "paper", "suspect")

# Tableau 10 without its grey, which marks "other".
PALETTE = (
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
OTHER = "#b4b4b4"
KIND_COLORS = {
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
    "paper": "#222222",
}
SUSPECT_COLORS = {"automated suspect": "#d62728", "not flagged": "#1f77b4", "paper": "#222222"}
# Viridis at nine stops: ordered in lightness, readable for colour-blind viewers.
VIRIDIS = (
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
PAPER_COLOR = "#222222"


@dataclass(frozen=True)
class Colouring:
    """Per-vertex colours and legend entries (index into ``legend``), the legend, an optional
    gradient (time) and the legend's title."""

    colors: list[str]
    groups: list[int]
    legend: list[dict[str, Any]]
    gradient: dict[str, Any] | None
    title: str
    membership: list[int] | None = None


def communities(g: ig.Graph, seed: int) -> list[int]:
    """Leiden (modularity, weighted) on the undirected graph; labels 0.. by decreasing size."""
    u = g.copy()
    u.es["weight"] = weights(g).tolist()
    u = u.as_undirected(mode="collapse", combine_edges={"weight": "sum"})
    with seeded(seed):
        # Lower-case objective name: "Modularity" silently runs CPM (see library-gotchas.md).
        # Two iterations (igraph's default): on the benchmark's 15 largest user graphs a fifth of
        # the time of iterating until stable, for a modularity 0.1% lower (0.6633 vs 0.6641).
        parts = u.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=2
        )
    membership = np.asarray(parts.membership, dtype=np.int64)
    sizes = np.bincount(membership)
    first = np.full(len(sizes), len(membership), dtype=np.int64)
    np.minimum.at(first, membership, np.arange(len(membership)))
    ordered = np.lexsort((first, -sizes))  # by size, ties by first member
    rank = np.empty(len(sizes), dtype=np.int64)
    rank[ordered] = np.arange(len(sizes))
    return rank[membership].tolist()


def viridis(t: float) -> str:
    """The viridis colour at ``t`` in [0, 1]."""
    t = min(max(t, 0.0), 1.0) * (len(VIRIDIS) - 1)
    i = min(int(t), len(VIRIDIS) - 2)
    f = t - i
    a, b = VIRIDIS[i], VIRIDIS[i + 1]
    return "#{:02x}{:02x}{:02x}".format(*(round(a[k] + (b[k] - a[k]) * f) for k in range(3)))


def _categorical(
    labels: list[str], palette: dict[str, str] | None = None
) -> tuple[list[str], list[int], list[dict[str, Any]]]:
    """Colours for categories: the nine most frequent get their own (from ``palette`` or the
    Tableau colours), the rest one grey "others" entry."""
    freq: dict[str, int] = {}
    for lab in labels:
        freq[lab] = freq.get(lab, 0) + 1
    ranked = sorted(freq, key=lambda lab: (-freq[lab], lab))
    own = ranked if palette is not None else ranked[: len(PALETTE)]
    color = {
        lab: (palette.get(lab, OTHER) if palette is not None else PALETTE[i])
        for i, lab in enumerate(own)
    }
    index = {lab: i for i, lab in enumerate(own)}
    legend = [{"color": color[lab], "label": lab, "count": freq[lab]} for lab in own]
    rest = sum(freq[lab] for lab in ranked if lab not in index)
    if rest:
        legend.append({"color": OTHER, "label": "others", "count": rest})
    groups = [index.get(lab, len(own)) for lab in labels]
    return [color.get(lab, OTHER) for lab in labels], groups, legend


def colouring(
    g: ig.Graph,
    papers: list[Any],
    level: str,
    color_by: str,
    measure: np.ndarray,
    handles: list[str],
    is_paper: np.ndarray,
    seed: int,
) -> Colouring:
    """The colouring named by ``color_by`` (one of :data:`COLOR_BY`)."""
    n = g.vcount()
    noun = "users" if level == "user" else "tweets"
    if color_by == "community":
        label = np.asarray(communities(g, seed), dtype=np.int64)
        sizes = np.bincount(label)
        shown = [c for c in range(len(sizes)) if sizes[c] > 1][: len(PALETTE)]
        entry = np.full(len(sizes), len(shown), dtype=np.int64)  # legend entry per community
        entry[shown] = np.arange(len(shown))
        groups = entry[label].tolist()
        colors = np.asarray((*PALETTE[: len(shown)], OTHER), dtype=object)[entry[label]].tolist()
        legend = []
        for i, c in enumerate(shown):
            members = np.flatnonzero(label == c)
            # The community's most prominent member names it (ties: the first).
            lead = int(members[np.lexsort((members, -measure[members]))[0]])
            legend.append(
                {"color": PALETTE[i], "label": f"around {handles[lead]}", "count": len(members)}
            )
        rest = n - int(sum(sizes[c] for c in shown))
        if rest:
            legend.append({"color": OTHER, "label": "smaller communities", "count": rest})
        # Singletons are communities too for Leiden; saying "384 found" for 12 groups and 372
        # loners misleads, so they are counted apart.
        groups_n, alone = int((sizes > 1).sum()), int((sizes == 1).sum())
        title = f"community (Leiden: {groups_n:,} of two or more {noun}"
        title += f", {alone:,} alone)" if alone else ")"
        return Colouring(colors, groups, legend, None, title, label.tolist())
    if color_by == "kind":
        if level == "tweet":
            kinds = [
                "placeholder" if ph else (k or "unknown")
                for k, ph in zip(attr(g, "kind", ""), attr(g, "placeholder", False), strict=True)
            ]
        else:
            indeg = np.array(g.degree(mode="in"))
            outdeg = np.array(g.degree(mode="out"))
            kinds = [
                "relay" if i and o else "source" if o else "retweeter" if i else "isolated"
                for i, o in zip(indeg, outdeg, strict=True)
            ]
        kinds = ["paper" if p else k for k, p in zip(kinds, is_paper, strict=True)]
        colors, groups, legend = _categorical(kinds, KIND_COLORS)
        title = "kind of tweet" if level == "tweet" else "role (source, relay, retweeter, isolated)"
        return Colouring(colors, groups, legend, None, title)
    if color_by == "time":
        return _by_time(g, level, noun)
    if color_by == "suspect":
        flagged = suspects(g, papers, level)
        labels = [
            "paper" if p else "automated suspect" if f else "not flagged"
            for f, p in zip(flagged, is_paper, strict=True)
        ]
        colors, groups, legend = _categorical(labels, SUSPECT_COLORS)
        return Colouring(colors, groups, legend, None, "automated-account flag (cascade.rank)")
    colors, groups, legend = _categorical(paper_labels(g, papers, level))
    return Colouring(colors, groups, legend, None, "paper")


def _by_time(g: ig.Graph, level: str, noun: str) -> Colouring:
    n = g.vcount()
    times = [as_datetime(t) for t in attr(g, "time" if level == "tweet" else "first_seen")]
    known = sorted((t, v) for v, t in enumerate(times) if t is not None)
    colors = [OTHER] * n
    groups = [0] * n
    # By rank, not by clock time: cascades are bursty, a linear scale would paint almost every
    # node the same colour.
    for r, (_, v) in enumerate(known):
        colors[v] = viridis(r / max(len(known) - 1, 1))
    legend: list[dict[str, Any]] = []
    if len(known) < n:
        legend.append({"color": OTHER, "label": "time unknown", "count": n - len(known)})
        groups = [0 if t is None else 1 for t in times]
    legend.append({"color": viridis(0.5), "label": "time known", "count": len(known)})
    gradient = None
    if known:
        mid = known[len(known) // 2][0]
        gradient = {
            "stops": [viridis(i / 8) for i in range(9)],
            "labels": [
                known[0][0].strftime("%Y-%m-%d"),
                mid.strftime("%Y-%m-%d"),
                known[-1][0].strftime("%Y-%m-%d"),
            ],
        }
    what = "tweet time" if level == "tweet" else "first tweet"
    return Colouring(
        colors, groups, legend, gradient, f"{what} (earliest to latest {noun}, by rank)"
    )


def suspects(g: ig.Graph, papers: list[Any], level: str) -> list[bool]:
    """Whether each vertex's user is flagged by ``cascade.rank.automated_suspects`` (from the
    papers), by a vertex attribute ``automated_suspect`` / ``suspect_reason``, or else by the
    feed-like-handle rule alone (all a bare graph allows)."""
    from cascade import rank

    key_attr = "name" if level == "user" else "user"
    keys = [str(k).lower() for k in attr(g, key_attr, "")]
    if level == "tweet" and "user" not in g.vs.attributes():
        keys = [str(k).lower() for k in attr(g, "author", "")]
    if papers:
        flagged = set(rank.automated_suspects(papers)["key"].astype(str))
        return [k in flagged for k in keys]
    for name in ("automated_suspect", "suspect_reason"):
        if name in g.vs.attributes():
            return [bool(x) and x == x for x in g.vs[name]]
    from cascade.suspects import feed_like

    feed = np.zeros(len(keys), dtype=bool)
    feed[feed_like(np.array(keys, dtype=object))] = True
    return feed.tolist()


def paper_labels(g: ig.Graph, papers: list[Any], level: str) -> list[str]:
    """Which paper each vertex belongs to ("several papers" for users of more than one)."""
    if "citation_id" in g.vs.attributes():
        return [str(c) for c in g.vs["citation_id"]]
    own = graph_attr(g, "citation_id")
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
        for name in attr(g, "name", ""):
            key = str(name).lower()
            if len(seen.get(key, ())) > 1:
                labels.append("several papers")
            else:
                labels.append(first[key][1] if key in first else "unknown")
        return labels
    if level == "user" and "papers" in g.vs.attributes():
        return [
            "several papers" if (p or 0) > 1 else (str(own) if own else "one paper")
            for p in g.vs["papers"]
        ]
    return [str(own) if own else "unknown"] * g.vcount()
