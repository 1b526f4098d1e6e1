"""The columns of one page's nodes and edges, from the graph and the stages of ``page.build``
(thinning, colours, layout): what :mod:`cascade.render.html.columns` encodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np

from cascade.render.html import columns, lookups, tooltips
from cascade.render.html.colours import PAPER_COLOR
from cascade.render.html.inputs import attr, author_keys


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
    #: :func:`cascade.render.html.inputs.author_keys` of the papers (user level with papers).
    keys: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


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


def _kept(values: list[Any], nd: Nodes) -> list[Any]:
    """``values`` (one per vertex) of the kept vertices."""
    if len(nd.kept) == len(values):  # nothing thinned: kept is every vertex, in order
        return list(values)
    return [values[v] for v in nd.kept]


#: Twitter-shaped handles, and numeric ids, joined by NUL characters.
_JOINED_HANDLES = re.compile("[A-Za-z0-9_]{1,15}(?:\x00[A-Za-z0-9_]{1,15})*")
_JOINED_DIGITS = re.compile("[0-9]+(?:\x00[0-9]+)*")


def _all_match(joined: re.Pattern[str], values: list[Any]) -> bool:
    """Whether ``joined`` matches all ``values`` joined by NUL characters (a NUL in a value, or
    a value that is not a string, says no): one match for the common case of all nodes."""
    try:
        text = "\x00".join(values)
    except TypeError:
        return False
    return text.count("\x00") == len(values) - 1 and joined.fullmatch(text) is not None


def _profiles(
    whos: list[Any], post_ids: list[Any], handles: list[str], hub: np.ndarray
) -> list[Any]:
    """Each node's profile link as stored (see :func:`tooltips.profile_url`)."""
    # tooltips.profile_url's Twitter case: twitter.com/<who>, stored as [1, who], or 1 alone when
    # who is the handle shown (the common case, found for all nodes at once).
    if _all_match(_JOINED_DIGITS, [p for p in post_ids if p is not None]):
        numeric = np.ones(len(post_ids), dtype=bool)
    else:
        numeric = np.array([p is None or (type(p) is str and p.isdigit()) for p in post_ids])
    if _all_match(_JOINED_HANDLES, whos):
        shaped = np.ones(len(whos), dtype=bool)
    else:
        match = _TWITTER_HANDLE.fullmatch
        shaped = np.array([type(w) is str and match(w) is not None for w in whos], dtype=bool)
    twitter = shaped & numeric.astype(bool) & ~hub
    out: list[Any] = [1] * len(whos)
    for i in np.flatnonzero(~twitter | hub).tolist():
        out[i] = None
    if whos is not handles:
        for i in np.flatnonzero(twitter).tolist():
            if whos[i] != handles[i]:
                out[i] = [1, whos[i]]
    for i in np.flatnonzero(~twitter & ~hub).tolist():
        out[i] = columns.link_code(tooltips.profile_url(whos[i], post_ids[i]), handles[i])
    return out


def node_data(g: ig.Graph, papers: list[Any], nd: Nodes, pos: Any) -> dict[str, Any]:
    """The node columns (tooltips as their parts; see :mod:`cascade.render.html.columns`)."""
    level, kept, names, handles, hubs = nd.level, nd.kept, nd.names, nd.handles, nd.hubs
    extra_papers = len(nd.paper_nodes)
    pad: list[Any] = [None] * extra_papers
    kept_names = _kept(names, nd)
    kept_handles = _kept(handles, nd)
    ids = unique_ids(kept_names + [p[0] for p in nd.paper_nodes])
    node_handles = kept_handles + [p[1] for p in nd.paper_nodes]
    kept_arr = np.asarray(kept, dtype=np.int64)
    flag = np.where(np.asarray(pos.small[: len(kept)], dtype=bool), columns.SMALL, 0)
    hub = hubs[kept_arr] if kept else np.zeros(0, dtype=bool)
    flag |= np.where(_member(kept_arr, nd.labelled) | hub, columns.LABEL, 0)
    flag |= np.where(_member(kept_arr, nd.big), columns.BIG, 0)
    flag |= np.where(hub, columns.DIAMOND, 0)
    placeholder = None
    if level == "tweet":
        placeholder = [bool(x) for x in _kept(attr(g, "placeholder", False), nd)]
        flag |= np.where(np.asarray(placeholder, dtype=bool), columns.PLACEHOLDER, 0)
    flags = flag.astype(np.int64).tolist()
    flags += [columns.LABEL | columns.BIG | columns.DIAMOND] * extra_papers

    # Links back to the source, where the ids allow (tooltips.post_url, profile_url).
    posts: list[Any] = [None] * len(kept)
    if level == "tweet":
        assert placeholder is not None
        posts = [
            None if ph else columns.link_code(tooltips.post_url(nm), i)
            for nm, i, ph in zip(kept_names, ids[: len(kept)], placeholder, strict=True)
        ]
        post_ids: list[Any] = kept_names
    elif nd.keys is not None:  # one post id per user says which network a bare handle is on
        tweet_key, vertex_key, keys = nd.keys
        first = lookups.first_posts(papers, tweet_key, len(keys))
        vk = vertex_key[kept_arr] if kept else np.zeros(0, dtype=np.int64)
        found = np.full(len(kept), None, dtype=object)
        found[vk >= 0] = first[vk[vk >= 0]]
        post_ids = found.tolist()
    else:
        post_ids = [None] * len(kept)
    whos = kept_handles
    if "author" in g.vs.attributes():
        whos = [a or h for a, h in zip(_kept(g.vs["author"], nd), kept_handles, strict=True)]
    profiles = _profiles(whos, post_ids, kept_handles, hub)

    # The tooltips' parts; the whole tooltip of papers.
    extra = None
    if nd.measure_title not in {"retweets received", "followers", "tweets", "papers"}:
        extra = (nd.measure_title, np.r_[nd.measure[kept], np.zeros(extra_papers)])
    received = np.r_[nd.received[kept], np.zeros(extra_papers)]

    def column(name: str) -> list[Any]:
        return _kept(attr(g, name, None), nd) + pad

    special: list[list[Any]] = []
    if level == "user":
        count, text = _top_tweets(g, papers, nd)
        tips = columns.user_tips(
            {"followers": column("followers"), "tweets": column("tweets"),
             "papers": column("papers")},
            received, extra, count + pad, text + pad,
        )  # fmt: skip
        users_of = g.degree(mode="out") if hubs.any() else []
        for i in np.flatnonzero(hub).tolist():
            v = kept[i]
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
        colors=_kept(nd.colors, nd) + [PAPER_COLOR] * extra_papers,
        groups=_kept(nd.groups, nd) + [-1] * extra_papers,
        times=_kept(nd.times, nd) + pad,
        flags=flags,
        posts=posts + pad,
        profiles=profiles + pad,
        tips=tips,
        special=special,
    )


def _top_tweets(g: ig.Graph, papers: list[Any], nd: Nodes) -> tuple[list[Any], list[Any]]:
    """Each kept user's most-retweeted tweet: its count (-1: not known; None: no tweet) and its
    text (None: no tweet)."""
    n = len(nd.kept)
    if nd.keys is not None:
        tweet_key, vertex_key, keys = nd.keys
        rows, counts, texts = lookups.top_tweet_rows(papers, tweet_key, len(keys))
        vk = vertex_key[np.asarray(nd.kept, dtype=np.int64)] if n else np.zeros(0, np.int64)
        row = np.full(n, -1, dtype=np.int64)
        row[vk >= 0] = rows[vk[vk >= 0]]
        has = row >= 0
        count = np.full(n, None, dtype=object)
        count[has] = counts[row[has]].tolist()
        text = np.full(n, None, dtype=object)
        text[has] = list(map(str, texts[row[has]].tolist()))
        return count.tolist(), text.tolist()
    if not papers and "top_tweet" in g.vs.attributes():
        # A user graph built elsewhere may carry each user's most-retweeted text itself.
        top = {nd.names[v].lower(): str(t) for v, t in enumerate(g.vs["top_tweet"]) if t}
        text_of = [top.get(nd.names[v].lower()) for v in nd.kept]
        return [None if t is None else -1 for t in text_of], text_of
    return [None] * n, [None] * n


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

    position = np.full(g.vcount(), -1, dtype=np.int64)
    position[np.asarray(nd.kept, dtype=np.int64)] = np.arange(len(nd.kept))
    eids = np.asarray(edge_ids, dtype=np.int64)
    kept_ends = ends[eids].reshape(-1, 2)
    src = position[kept_ends[:, 0]].tolist()
    dst = position[kept_ends[:, 1]].tolist()
    times: list[int | None] = [None] * len(edge_ids)
    if nd.level == "user" and nd.keys is not None:
        # A link appears with the first retweet along it, not before (the timeline's slider).
        tweet_key, vertex_key, keys = nd.keys
        pairs, first = lookups.first_retweet_times(papers, tweet_key, len(keys))
        a, b = vertex_key[kept_ends[:, 0]], vertex_key[kept_ends[:, 1]]
        code = np.where((a >= 0) & (b >= 0), a * len(keys) + b, -1)
        times = lookups.lookup(code, pairs, first)
    ws = weights[eids].tolist() if len(edge_ids) else []
    ks: list[str | None] = [None] * len(edge_ids)
    if several_kinds:
        kinds = edge_attr(g, "kind", None)
        ks = [str(kinds[e]) if kinds[e] else None for e in edge_ids]
    paper = [False] * len(edge_ids)
    for p, (_, _, _, vs) in enumerate(nd.paper_nodes):
        src += [len(nd.kept) + p] * len(vs)
        dst += position[np.asarray(vs, dtype=np.int64)].tolist()
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
    tweet_key, _, keys = author_keys(papers, [])
    pairs, first = lookups.first_retweet_times(papers, tweet_key, len(keys))
    src, dst = np.divmod(pairs, max(len(keys), 1))
    return {
        (keys[a], keys[b]): t
        for a, b, t in zip(src.tolist(), dst.tolist(), first.tolist(), strict=True)
    }
