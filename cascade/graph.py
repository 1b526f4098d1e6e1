"""igraph builders: the tweet-level forest and user-level graphs, and conversion to networkx.

Direction convention: edges point the way information flowed, parent tweet -> child tweet and
original author -> retweeter. Every builder takes ``reverse=True`` for the opposite (retweeter ->
source), which is what "being retweeted raises your score" centralities such as PageRank need.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from cascade import text as T
from cascade.model import (
    DEFAULT_KINDS,
    EDGE_KINDS,
    NAT,
    Batch,
    Paper,
    distinct,
    latest_per_group,
    stack,
)

__all__ = [
    "DEFAULT_KINDS",
    "EDGE_KINDS",
    "combined_graph",
    "plain_value",
    "to_networkx",
    "tweet_graph",
    "user_graph",
]


def _datetimes(seconds: np.ndarray) -> list[datetime | None]:
    """int64 epoch seconds (NaT = int64 min) as tz-aware UTC datetimes, None for NaT.

    Examples
    --------
    >>> _datetimes(np.array([0, NAT]))
    [datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), None]
    """
    seconds = np.asarray(seconds, dtype=np.int64)
    known = seconds != NAT
    try:  # pandas converts all at once (the same datetimes, with the tzinfo timezone.utc)
        stamps = pd.to_datetime(np.where(known, seconds, 0), unit="s", utc=True)
        out = np.asarray(stamps.to_pydatetime(), dtype=object)
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):  # past pandas' range
        return [
            None if s == NAT else datetime.fromtimestamp(s, tz=timezone.utc)
            for s in seconds.tolist()
        ]
    out[~known] = None
    return out.tolist()


def tweet_graph(paper: Paper, *, reverse: bool = False) -> ig.Graph:
    """The tweet-level diffusion forest of one paper.

    Parameters
    ----------
    paper : Paper
        A resolved (or reconstructed) paper.
    reverse : bool
        Point edges child -> parent instead of parent -> child (the flow of information).

    Returns
    -------
    igraph.Graph
        Directed; one vertex per tweet and placeholder (in the paper's order) with attributes
        ``name`` (tweet id), ``author``, ``user`` (lower-case handle), ``time`` (UTC datetime or
        None), ``followers`` (NaN when unknown), ``text``, ``kind``, ``placeholder`` and
        ``resolution``; edges carry ``kind`` and ``resolution``. Each weakly connected component
        is one cascade.

    Examples
    --------
    >>> import cascade
    >>> paper = next(iter(cascade.read("examples/data")))
    >>> g = tweet_graph(paper)
    >>> g.vcount(), g.ecount(), len(g.connected_components(mode="weak"))
    (258, 188, 70)
    """
    child = np.flatnonzero(paper.parent >= 0)
    ends = (child, paper.parent[child]) if reverse else (paper.parent[child], child)
    g = ig.Graph(len(paper), directed=True)
    g.add_edges(np.column_stack(ends))
    g.vs["name"] = paper.id.tolist()
    g.vs["author"] = paper.author.tolist()
    g.vs["user"] = paper.user_keys[paper.user].tolist()
    g.vs["time"] = _datetimes(paper.time.view(np.int64))
    g.vs["followers"] = paper.followers.tolist()
    g.vs["text"] = paper.text.tolist()
    g.vs["kind"] = paper.kind.tolist()
    g.vs["placeholder"] = paper.placeholder.tolist()
    g.vs["resolution"] = paper.resolution.tolist()
    g.es["kind"] = paper.kind[child].tolist()
    g.es["resolution"] = paper.resolution[child].tolist()
    if paper.probability is not None:  # a probabilistic reconstruction's confidence per edge
        g.es["probability"] = paper.probability[child].tolist()
    g["citation_id"] = paper.citation_id
    g["level"] = "tweet"
    g["method"] = paper.method
    return g


def _mention_pairs(papers: list[Paper], b: Batch) -> tuple[np.ndarray, list[str], list[str]]:
    """Global user code of each mentioning tweet's author, and the mentioned keys and handles."""
    src, keys, handles = [], [], []
    for offset, p in zip(np.cumsum([0] + [len(p) for p in papers[:-1]]), papers):
        for i in np.flatnonzero(~p.placeholder).tolist():
            chain, body = T.credited_chain(p.text[i])
            own = p.user_keys[p.user[i]]
            replied = (T.reply_to(body) or "").lower() if p.kind[i] == "reply" else ""
            for handle in T.mentions(body):
                key = handle.lower()
                if key not in (own, replied):
                    src.append(b.user[offset + i])
                    keys.append(key)
                    handles.append(handle)
    return np.asarray(src, dtype=np.int64), keys, handles


def user_graph(
    papers: Paper | Iterable[Paper],
    *,
    kinds: Iterable[str] = DEFAULT_KINDS,
    reverse: bool = False,
) -> ig.Graph:
    """The user-level diffusion graph of one paper, or of many papers together (a corpus graph).

    Parameters
    ----------
    papers : Paper or iterable of Paper
        One paper, or several: users are merged by case-insensitive handle across papers.
    kinds : iterable of str
        Which links become edges: any of ``retweet``, ``quote``, ``reply`` (from the tweet
        forest) and ``mention`` (author -> each handle mentioned in the text). Default
        :data:`DEFAULT_KINDS` (retweets), as for :func:`cascade.export.export`.
    reverse : bool
        Point edges retweeter -> source instead of source -> retweeter.

    Returns
    -------
    igraph.Graph
        Directed. Vertices in order of first appearance, with ``name`` (lower-case handle),
        ``handle`` (display form first seen), ``tweets`` (tweets in the data), ``followers``
        (latest known; NaN when unknown), ``first_seen`` (UTC datetime or None) and ``papers``
        (papers the user tweeted about). Edge u -> v with ``kind`` and ``weight`` = how many
        times v took the paper from u that way; one edge per (u, v, kind).

    Examples
    --------
    >>> import cascade
    >>> g = user_graph(cascade.read("examples/data"))
    >>> top = max(g.vs, key=lambda v: g.strength(v, mode="out", weights="weight"))
    >>> top["handle"], g.strength(top, mode="out", weights="weight")
    ('byron_c_wallace', 66.0)
    """
    single = isinstance(papers, Paper)
    papers = [papers] if isinstance(papers, Paper) else list(papers)
    kinds = tuple(kinds)
    unknown = set(kinds) - set(EDGE_KINDS)
    if unknown:
        raise ValueError(f"unknown edge kinds {sorted(unknown)}; choose from {EDGE_KINDS}")
    b = stack(papers)
    uid, keys, handles = b.merged_users()

    src_parts, dst_parts, kind_parts = [], [], []
    child = np.flatnonzero(b.parent >= 0)
    for code, name in enumerate(EDGE_KINDS[:3]):
        if name in kinds:
            c = child[b.kind[child] == name]
            src_parts.append(uid[b.user[b.parent[c]]])
            dst_parts.append(uid[b.user[c]])
            kind_parts.append(np.full(c.size, code))
    if "mention" in kinds:
        src, mentioned, mentioned_handles = _mention_pairs(papers, b)
        # factorize numbers keys in order of first appearance: known users keep their codes.
        codes, merged = pd.factorize(np.concatenate([keys, np.asarray(mentioned, dtype=object)]))
        dst = codes[len(keys) :]
        present, first = np.unique(dst, return_index=True)
        new = present >= len(keys)  # mentioned users who did not tweet about the papers
        handles = np.concatenate([handles, np.asarray(mentioned_handles, dtype=object)[first[new]]])
        keys = np.asarray(merged, dtype=object)
        src_parts.append(uid[src])
        dst_parts.append(dst)
        kind_parts.append(np.full(dst.size, EDGE_KINDS.index("mention")))
    n = len(keys)
    src = np.concatenate(src_parts) if src_parts else np.empty(0, np.int64)
    dst = np.concatenate(dst_parts) if dst_parts else np.empty(0, np.int64)
    kind = np.concatenate(kind_parts) if kind_parts else np.empty(0, np.int64)
    edge_key, weight = np.unique((src * n + dst) * len(EDGE_KINDS) + kind, return_counts=True)
    pair, kind = np.divmod(edge_key, len(EDGE_KINDS))
    src, dst = np.divmod(pair, n)

    real = ~b.placeholder
    author = uid[b.user]
    dated = real & (b.time != NAT)
    first_seen = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_seen, author[dated], b.time[dated])
    first_seen[first_seen == np.iinfo(np.int64).max] = NAT
    paper_user = distinct(b.paper * n + author)

    g = ig.Graph(n, directed=True)
    g.add_edges(np.column_stack((dst, src) if reverse else (src, dst)))
    g.vs["name"] = keys.tolist()
    g.vs["handle"] = handles.tolist()
    g.vs["tweets"] = np.bincount(author[real], minlength=n).tolist()
    g.vs["followers"] = latest_per_group(b.followers, b.time, author, n).tolist()
    g.vs["first_seen"] = _datetimes(first_seen)
    g.vs["papers"] = np.bincount(paper_user % n, minlength=n).tolist()
    g.es["kind"] = np.asarray(EDGE_KINDS, dtype=object)[kind].tolist()
    g.es["weight"] = weight.tolist()
    g["citation_id"] = papers[0].citation_id if single else None
    g["level"] = "user"
    return g


def plain_value(value: Any) -> Any:
    """A graph attribute as a plain value every networkx writer takes; None when missing.

    Times become ISO-8601 strings (UTC offset included), numpy scalars Python ones, NaN and
    infinities None.

    Examples
    --------
    >>> plain_value(datetime(2020, 1, 2, tzinfo=timezone.utc)), plain_value(float("nan"))
    ('2020-01-02T00:00:00+00:00', None)
    >>> plain_value(np.int64(3)), plain_value("x")
    (3, 'x')
    """
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _plain_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in attributes.items():
        value = plain_value(v)
        if value is not None:
            out[k] = value
    return out


def to_networkx(graph: ig.Graph, *, reverse: bool = False) -> nx.DiGraph | nx.MultiDiGraph:
    """Convert a cascade graph to networkx, keyed by ``name`` (tweet id or lower-case handle).

    The one networkx conversion (:func:`cascade.export.export` writes its GraphML, GEXF, GML and
    JSON files through it): the attributes keep the names of the igraph schemas (see
    :func:`tweet_graph`, :func:`user_graph` and ``docs/design.md``), with plain values every
    networkx writer takes (:func:`plain_value`): times as ISO-8601 strings, and a missing value
    (NaN follower count, unknown time, None) left out rather than stored.

    Parameters
    ----------
    graph : igraph.Graph
        From :func:`tweet_graph` or :func:`user_graph`.
    reverse : bool
        Flip every edge.

    Returns
    -------
    networkx.DiGraph or networkx.MultiDiGraph
        A MultiDiGraph only when two edges join the same ordered pair (a user graph with several
        kinds of link). Vertex attributes but ``name`` (the key), edge attributes (``kind`` and
        ``weight`` or ``resolution``) and graph attributes are copied.

    Examples
    --------
    >>> import cascade
    >>> g = to_networkx(user_graph(cascade.read("examples/data")))
    >>> g["byron_c_wallace"]["geilehirnbude"]
    {'kind': 'retweet', 'weight': 1}
    >>> g.nodes["byron_c_wallace"]["first_seen"]
    '2019-02-28T12:48:54+00:00'
    """
    names = graph.vs["name"]
    edges = graph.get_edgelist()
    pairs = [(names[b], names[a]) if reverse else (names[a], names[b]) for a, b in edges]
    multi = len(set(pairs)) < len(pairs)
    out = nx.MultiDiGraph() if multi else nx.DiGraph()
    out.graph.update(_plain_attributes({k: graph[k] for k in graph.attributes()}))
    for v in graph.vs:
        data = _plain_attributes(v.attributes())
        data.pop("name", None)
        out.add_node(v["name"], **data)
    for (u, v), e in zip(pairs, graph.es):
        out.add_edge(u, v, **_plain_attributes(e.attributes()))
    return out


def combined_graph(
    users: pd.DataFrame,
    papers: pd.DataFrame,
    titles: Mapping[str, str] | None = None,
    *,
    papers_max: int = 50,
    users_max: int = 2000,
) -> ig.Graph | None:
    """Papers as hub nodes, each linked (paper -> user, kind ``tweeted``) to its users.

    Parameters
    ----------
    users : pandas.DataFrame
        One row per (paper, user): ``citation_id``, ``user`` (lower-case key), ``handle`` and
        ``tweets`` (the user's tweets about that paper).
    papers : pandas.DataFrame
        ``citation_id`` and ``tweets`` per paper (e.g. :func:`cascade.paper_metrics`).
    titles : mapping, optional
        Paper titles, for the hub labels (default ``paper <id>``).
    papers_max : int
        Hubs: the papers with the most tweets (ties by citation id).
    users_max : int
        Users: all users of those papers up to this many, else those who tweeted the most of
        those papers.

    Returns
    -------
    igraph.Graph or None
        None when there is no paper. Vertex attributes ``name`` (``paper:<id>`` or the user
        key), ``handle``, ``tweets``, ``papers`` and ``hub`` (True for paper vertices); edge
        attributes ``kind`` and ``weight`` (tweets).

    Examples
    --------
    >>> users = pd.DataFrame({"citation_id": ["a", "a", "b"], "user": ["x", "y", "x"],
    ...                       "handle": ["X", "Y", "X"], "tweets": [2, 1, 1]})
    >>> papers = pd.DataFrame({"citation_id": ["a", "b"], "tweets": [3, 1]})
    >>> g = combined_graph(users, papers)
    >>> g.vs["name"], g.es["weight"]
    (['paper:a', 'paper:b', 'x', 'y'], [2, 1, 1])
    """
    titles = titles or {}
    hubs = papers.sort_values(["tweets", "citation_id"], ascending=[False, True]).head(papers_max)
    cids = hubs["citation_id"].astype(str).tolist()
    if not cids:
        return None
    links = users[users["citation_id"].isin(cids)]
    per_user = links.groupby("user", sort=True).agg(
        handle=("handle", "first"), papers=("citation_id", "nunique"), tweets=("tweets", "sum")
    )
    if len(per_user) > users_max:
        per_user = per_user.reset_index().sort_values(
            ["papers", "tweets", "user"], ascending=[False, False, True], kind="stable"
        )
        per_user = per_user.head(users_max).set_index("user").sort_index()
    links = links[links["user"].isin(per_user.index)]
    n_papers = len(cids)
    code = {u: n_papers + i for i, u in enumerate(per_user.index)}
    paper_code = {c: i for i, c in enumerate(cids)}
    g = ig.Graph(n_papers + len(per_user), directed=True)
    src = links["citation_id"].map(paper_code).to_numpy(dtype=np.int64)
    dst = links["user"].map(code).to_numpy(dtype=np.int64)
    g.add_edges(np.column_stack([src, dst]))
    g.vs["name"] = [f"paper:{c}" for c in cids] + per_user.index.tolist()
    g.vs["handle"] = [titles.get(c) or f"paper {c}" for c in cids] + per_user["handle"].tolist()
    g.vs["tweets"] = hubs["tweets"].astype(int).tolist() + per_user["tweets"].astype(int).tolist()
    g.vs["papers"] = [1] * n_papers + per_user["papers"].astype(int).tolist()
    g.vs["hub"] = [True] * n_papers + [False] * len(per_user)
    g.es["kind"] = ["tweeted"] * g.ecount()
    g.es["weight"] = links["tweets"].astype(int).tolist()
    g["level"] = "user"
    g["citation_id"] = None
    return g
