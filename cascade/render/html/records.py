"""The columns of one page's nodes and edges, from the graph and the stages of ``page.build``
(thinning, colours, layout): what :mod:`cascade.render.html.columns` encodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np

from cascade.render.html import columns, tooltips
from cascade.render.html.colours import PAPER_COLOR
from cascade.render.html.inputs import attr


@dataclass(frozen=True)
class Nodes:
    """What ``page.build`` knows about the nodes drawn: the kept vertices and the added papers
    (``(id, label, tooltip, linked vertices)`` each)."""

    level: str
    kept: list[int]
    names: list[str]
    handles: list[str]
    hubs: np.ndarray
    measure: np.ndarray
    measure_title: str
    received: np.ndarray
    colors: list[str]
    groups: list[int]
    times: list[int | None]
    labelled: set[int]
    big: set[int]
    sizes: list[int]
    paper_nodes: list[tuple[str, str, str, list[int]]]


def unique_ids(names: list[str]) -> list[str]:
    """Vertex names as vis ids, a repeated name (a tweet in several papers' trees) suffixed
    ``#2``, ``#3``, ... so that every id is unique.

    Examples
    --------
    >>> unique_ids(["1", "2", "1", "1#2", "1"])
    ['1', '2', '1#3', '1#2', '1#4']
    """
    taken = set(names)
    if len(taken) == len(names):  # the common case: every name once
        return list(names)
    seen: set[str] = set()
    out = []
    for name in names:
        if name not in seen:
            seen.add(name)
            out.append(name)
            continue
        k = 2
        while f"{name}#{k}" in taken:
            k += 1
        new = f"{name}#{k}"
        taken.add(new)
        seen.add(new)
        out.append(new)
    return out


#: A Twitter-shaped handle, matched whole (``tooltips._TWITTER_HANDLE`` also matches before a
#: final newline, which ``profile_url`` strips first).
_TWITTER_HANDLE = re.compile("[A-Za-z0-9_]{1,15}")


def _member(values: np.ndarray, chosen: set[int]) -> np.ndarray:
    """Whether each value is in ``chosen``."""
    if not chosen:
        return np.zeros(values.size, dtype=bool)
    return np.isin(values, np.fromiter(chosen, dtype=np.int64, count=len(chosen)))


def _first_by_key(authors: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Each distinct ``str(author).lower()`` in order of first appearance, and the index of its
    first row (the lower-casing done once per distinct author)."""
    import pandas as pd

    codes, distinct = pd.factorize(np.asarray(authors, dtype=object), use_na_sentinel=False)
    lowered = np.asarray([str(a).lower() for a in distinct.tolist()], dtype=object)
    key_of, keys = pd.factorize(lowered, use_na_sentinel=False)
    key = key_of[codes]
    present, first = np.unique(key, return_index=True)
    order = np.argsort(first, kind="stable")
    return np.asarray(keys, dtype=object)[present[order]].tolist(), first[order]


def node_data(g: ig.Graph, papers: list[Any], nd: Nodes, pos: Any) -> dict[str, Any]:
    """The node columns (tooltips as their parts; see :mod:`cascade.render.html.columns`)."""
    level, kept, names, handles, hubs = nd.level, nd.kept, nd.names, nd.handles, nd.hubs
    extra_papers = len(nd.paper_nodes)
    pad: list[Any] = [None] * extra_papers
    ids = unique_ids([names[v] for v in kept] + [p[0] for p in nd.paper_nodes])
    node_handles = [handles[v] for v in kept] + [p[1] for p in nd.paper_nodes]
    placeholder = [bool(x) for x in attr(g, "placeholder", False)]
    kept_arr = np.asarray(kept, dtype=np.int64)
    flag = np.where(np.asarray(pos.small[: len(kept)], dtype=bool), columns.SMALL, 0)
    hub = hubs[kept_arr] if kept else np.zeros(0, dtype=bool)
    flag |= np.where(_member(kept_arr, nd.labelled) | hub, columns.LABEL, 0)
    flag |= np.where(_member(kept_arr, nd.big), columns.BIG, 0)
    flag |= np.where(hub, columns.DIAMOND, 0)
    if level == "tweet":
        flag |= np.where(np.asarray(placeholder, dtype=bool)[kept_arr], columns.PLACEHOLDER, 0)
    flags = flag.astype(np.int64).tolist()
    flags += [columns.LABEL | columns.BIG | columns.DIAMOND] * extra_papers

    # Links back to the source, where the ids allow (tooltips.post_url, profile_url).
    first_posts: dict[str, str] = {}
    if level == "user":  # one post id per user says which network a bare handle belongs to
        for paper in papers:
            real = ~np.asarray(paper.placeholder, dtype=bool)
            keys, first = _first_by_key(paper.author[real])
            ids_real = paper.id[real][first].tolist()
            for key, pid in zip(keys, ids_real, strict=True):
                first_posts.setdefault(key, str(pid))
    authors = attr(g, "author", None)
    posts: list[Any] = []
    profiles: list[Any] = []
    twitter = _TWITTER_HANDLE.fullmatch
    for i, v in enumerate(kept):
        post = None
        if level == "tweet" and not placeholder[v]:
            post = columns.link_code(tooltips.post_url(names[v]), ids[i])
        posts.append(post)
        post_id = names[v] if level == "tweet" else first_posts.get(names[v].lower())
        who = authors[v] or handles[v]
        if hubs[v]:
            profiles.append(None)
        elif (
            type(who) is str
            and twitter(who)
            and (post_id is None or (type(post_id) is str and post_id.isdigit()))
        ):
            # tooltips.profile_url's Twitter case: twitter.com/<who>, stored as [1, who] (1 alone
            # when who is the handle shown).
            profiles.append(1 if who == handles[v] else [1, who])
        else:
            profiles.append(columns.link_code(tooltips.profile_url(who, post_id), handles[v]))

    # The tooltips' parts; the whole tooltip of papers.
    extra = None
    if nd.measure_title not in {"retweets received", "followers", "tweets", "papers"}:
        extra = (nd.measure_title, np.r_[nd.measure[kept], np.zeros(extra_papers)])
    received = np.r_[nd.received[kept], np.zeros(extra_papers)]

    def column(name: str) -> list[Any]:
        values = attr(g, name, None)
        return [values[v] for v in kept] + pad

    special: list[list[Any]] = []
    if level == "user":
        tips = columns.user_tips(
            {"followers": column("followers"), "tweets": column("tweets"),
             "papers": column("papers")},
            received, extra, _top_tweets(g, papers, kept, names) + pad,
        )  # fmt: skip
        users_of = g.degree(mode="out") if hubs.any() else []
        for i, v in enumerate(kept):
            if hubs[v]:
                vx = g.vs[v].attributes()
                special.append([i, tooltips.hub_title(vx, handles[v], users_of[v]), None])
    else:
        tips = columns.tweet_tips(
            {"kind": column("kind"), "text": column("text"), "followers": column("followers"),
             "citation_id": column("citation_id")},
            received, extra,
        )  # fmt: skip
    for p, (_, label, tip, _) in enumerate(nd.paper_nodes):
        special.append([len(kept) + p, tip, tooltips.clean(label, 60)])
    return columns.node_columns(
        level=level,
        ids=ids,
        handles=node_handles,
        x=list(pos.x),
        y=list(pos.y),
        sizes=nd.sizes + [30] * extra_papers,
        colors=[nd.colors[v] for v in kept] + [PAPER_COLOR] * extra_papers,
        groups=[nd.groups[v] for v in kept] + [-1] * extra_papers,
        times=[nd.times[v] for v in kept] + pad,
        flags=flags,
        posts=posts + pad,
        profiles=profiles + pad,
        tips=tips,
        special=special,
    )


def _top_tweets(
    g: ig.Graph, papers: list[Any], kept: list[int], names: list[str]
) -> list[tuple[int, str] | None]:
    """Each kept user's most-retweeted tweet and its count (-1: not known), or None."""
    top: dict[str, tuple[int, str]] = {}
    if papers:
        top = tooltips.top_tweets(papers)
    elif "top_tweet" in g.vs.attributes():
        # A user graph built elsewhere may carry each user's most-retweeted text itself.
        top = {names[v].lower(): (-1, str(t)) for v, t in enumerate(g.vs["top_tweet"]) if t}
    return [top.get(names[v].lower()) for v in kept]


def edge_data(
    g: ig.Graph,
    papers: list[Any],
    nd: Nodes,
    edge_ids: list[int],
    ends: np.ndarray,
    weights: np.ndarray,
    several_kinds: bool,
    t0: int,
) -> dict[str, Any]:
    """The edge columns: the graph's kept edges, then the papers' links to their tweets."""
    from cascade.render.html.inputs import edge_attr

    index = {v: i for i, v in enumerate(nd.kept)}
    kinds = edge_attr(g, "kind", None)
    src = [index[int(ends[e, 0])] for e in edge_ids]
    dst = [index[int(ends[e, 1])] for e in edge_ids]
    times: list[int | None] = [None] * len(edge_ids)
    if nd.level == "user" and papers:
        # A link appears with the first retweet along it, not before (the timeline's slider).
        first = first_retweets(papers)
        times = [
            first.get((nd.names[int(ends[e, 0])].lower(), nd.names[int(ends[e, 1])].lower()))
            for e in edge_ids
        ]
    ws = [float(weights[e]) for e in edge_ids]
    ks = [str(kinds[e]) if several_kinds and kinds[e] else None for e in edge_ids]
    paper = [False] * len(edge_ids)
    for p, (_, _, _, vs) in enumerate(nd.paper_nodes):
        src += [len(nd.kept) + p] * len(vs)
        dst += [index[v] for v in vs]
    extra = len(src) - len(edge_ids)
    return columns.edge_columns(
        sources=src,
        targets=dst,
        weights=ws + [1.0] * extra,
        wmax=float(weights.max()) if g.ecount() else 1.0,
        kinds=ks + [None] * extra,
        times=times + [None] * extra,
        paper=paper + [True] * extra,
        t0=t0,
    )


def first_retweets(papers: list[Any]) -> dict[tuple[str, str], int]:
    """(author key, retweeter key) -> epoch seconds of the first retweet between them.

    Examples
    --------
    >>> import cascade
    >>> first = first_retweets(list(cascade.read("examples/data")))
    >>> first[("byron_c_wallace", "zacharylipton")]
    1551359624
    """
    first: dict[tuple[str, str], int] = {}
    for paper in papers:
        parent = np.asarray(paper.parent, dtype=np.int64)
        child = np.flatnonzero(parent >= 0)
        if child.size == 0:
            continue
        stamp = np.asarray(paper.time, dtype="datetime64[s]")[child]
        known = ~np.isnat(stamp)
        child, stamp = child[known], stamp[known].astype(np.int64)
        author = np.asarray(paper.author, dtype=object)
        src = author[parent[child]]
        dst = author[child]
        for a, b, t in zip(src.tolist(), dst.tolist(), stamp.tolist(), strict=True):
            key = (str(a).lower(), str(b).lower())
            if key not in first or t < first[key]:
                first[key] = int(t)
    return first
