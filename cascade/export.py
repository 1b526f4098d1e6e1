"""Export diffusion graphs for Gephi, R, networkx, pandas: GraphML, GEXF, GML, JSON, CSV, Parquet.

Two levels: ``user`` (who spread the papers to whom, :func:`cascade.graph.user_graph`) and
``tweet`` (the tweet forest, one cascade per tree, with the parents of whatever :class:`Paper` is
given: credited or reconstructed). Every format is written atomically: an interrupted run leaves
no half-written file under the final name.

Tables (``csv``, ``parquet``) are two files, ``<stem>.nodes.<ext>`` and ``<stem>.edges.<ext>``.
The edge table starts ``source, target, kind``, then ``weight`` (user level) or
``resolution, probability, paper_id`` (tweet level). The tweet-level node table has the columns of
the plain-CSV reader (``tweet_id, paper_id, author, time, text, followers, parent_id`` plus
``kind, resolution, placeholder``), so it reads back with :func:`cascade.read` unchanged.

The graph files (``graphml``, ``gexf``, ``gml``, ``json``) hold :func:`cascade.graph.to_networkx`
of the user graph or the tweet forests, the one networkx schema (attribute names as in
``docs/design.md``, times ISO-8601, missing values left out), plus Gephi's ``label`` and
``start`` and, on tweet nodes, ``citation_id``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import networkx as nx
import numpy as np
import orjson
import pandas as pd

from cascade.deprecation import renamed_keyword, warn_deprecated
from cascade.graph import (
    DEFAULT_KINDS,
    EDGE_KINDS,
    plain_value,
    to_networkx,
    tweet_graph,
    user_graph,
)
from cascade.model import Paper
from cascade.output import atomic_path, atomic_write, guard_formulas, write_table

__all__ = ["EXPORT_FORMATS", "LEVELS", "export", "graph_tables", "to_nx"]

EXPORT_FORMATS = ("graphml", "gexf", "gml", "json", "csv", "parquet")
LEVELS = ("user", "tweet")
TWEET_NODE_COLUMNS = [
    "tweet_id",
    "paper_id",
    "author",
    "time",
    "text",
    "followers",
    "parent_id",
    "kind",
    "resolution",
    "placeholder",
]
_SUFFIX = {".graphml": "graphml", ".gexf": "gexf", ".gml": "gml", ".json": "json"}
_SUFFIX.update({".csv": "csv", ".parquet": "parquet"})


def _tweet_tables(papers: list[Paper]) -> tuple[pd.DataFrame, pd.DataFrame]:
    nodes, edges = [], []
    for p in papers:
        table = p.to_frame().rename(columns={"id": "tweet_id"})
        nodes.append(table.assign(paper_id=p.citation_id)[TWEET_NODE_COLUMNS])
        child = np.flatnonzero(p.parent >= 0)
        probability = np.full(len(p), np.nan) if p.probability is None else p.probability
        edges.append(
            pd.DataFrame(
                {
                    "source": table["parent_id"].to_numpy()[child],
                    "target": p.id[child],
                    "kind": p.kind[child],
                    "resolution": p.resolution[child],
                    "probability": np.asarray(probability, dtype=np.float64)[child],
                    "paper_id": p.citation_id,
                }
            )
        )
    if not nodes:
        return pd.DataFrame(columns=TWEET_NODE_COLUMNS), pd.DataFrame(
            columns=["source", "target", "kind", "resolution", "probability", "paper_id"]
        )
    return pd.concat(nodes, ignore_index=True), pd.concat(edges, ignore_index=True)


def _kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    kinds = tuple(kinds)
    unknown = set(kinds) - set(EDGE_KINDS)
    if unknown:
        raise ValueError(f"unknown edge kinds {sorted(unknown)}; choose from {EDGE_KINDS}")
    return kinds


def _user_tables(papers: list[Paper], kinds: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    g = user_graph(papers, kinds=kinds)
    names = np.asarray(g.vs["name"], dtype=object) if g.vcount() else np.empty(0, object)
    first = [np.nan if t is None else t.timestamp() for t in g.vs["first_seen"]]
    first_seen = pd.Series(pd.to_datetime(first, unit="s", utc=True), dtype="datetime64[ns, UTC]")
    nodes = pd.DataFrame(
        {
            "id": names,
            "handle": g.vs["handle"],
            "tweets": np.asarray(g.vs["tweets"], dtype=np.int64),
            "followers": np.asarray(g.vs["followers"], dtype=np.float64),
            "first_seen": first_seen,
            "papers": np.asarray(g.vs["papers"], dtype=np.int64),
        }
    )
    ends = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    edges = pd.DataFrame(
        {
            "source": names[ends[:, 0]],
            "target": names[ends[:, 1]],
            "kind": pd.Series(g.es["kind"], dtype=object),
            "weight": np.asarray(g.es["weight"], dtype=np.int64),
        }
    )
    return nodes, edges


def graph_tables(
    papers: Paper | Iterable[Paper],
    *,
    level: str = "user",
    kinds: Iterable[str] = DEFAULT_KINDS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node and edge tables of the papers' diffusion graph.

    Parameters
    ----------
    papers : Paper or iterable of Paper
        Resolved or reconstructed papers (their ``parent`` arrays are used as they are).
    level : {"user", "tweet"}
        Users (merged across papers) or tweets as nodes.
    kinds : iterable of str
        User level: which links become edges (see :func:`cascade.graph.user_graph`); default
        :data:`~cascade.graph.DEFAULT_KINDS` (retweets), as ``user_graph``.

    Returns
    -------
    nodes, edges : pandas.DataFrame
        User level: nodes ``id`` (lower-case handle), ``handle``, ``tweets``, ``followers``,
        ``first_seen``, ``papers``; edges ``source``, ``target``, ``kind``, ``weight``. Tweet
        level: nodes ``tweet_id``, ``paper_id``, ``author``, ``time``, ``text``, ``followers``,
        ``parent_id``, ``kind``, ``resolution``, ``placeholder``; edges ``source``, ``target``,
        ``kind``, ``resolution``, ``probability`` (NaN unless a probabilistic method set it),
        ``paper_id``. Ids are strings; times are UTC.

    Examples
    --------
    >>> import cascade
    >>> nodes, edges = graph_tables(cascade.read("examples/data"), level="tweet")
    >>> len(nodes), len(edges), list(edges.columns[:3])
    (258, 188, ['source', 'target', 'kind'])
    """
    papers = [papers] if isinstance(papers, Paper) else list(papers)
    if level == "tweet":
        return _tweet_tables(papers)
    if level == "user":
        return _user_tables(papers, _kinds(kinds))
    raise ValueError(f"unknown level {level!r}; choose from {LEVELS}")


def _graph_file(papers: list[Paper], level: str, kinds: tuple[str, ...]) -> nx.DiGraph:
    """The networkx graph the graph formats write: :func:`cascade.graph.to_networkx` of the
    papers' user graph or tweet forests, plus what Gephi reads.

    Gephi's ``label`` (handle, or tweet author) and ``start`` (first appearance, or tweet time;
    an edge's is its child tweet's time) are added. A tweet file of several papers joins their
    forests, nodes keyed ``<paper>/<tweet>`` (:func:`_node_keys`); every tweet node carries its
    paper's ``citation_id``.
    """
    if level == "user":
        g = to_networkx(user_graph(papers, kinds=kinds))
        for _, data in g.nodes(data=True):
            data["label"] = str(data.get("handle", ""))
            if "first_seen" in data:
                data["start"] = data["first_seen"]
        return g
    if level != "tweet":
        raise ValueError(f"unknown level {level!r}; choose from {LEVELS}")
    forests = [to_networkx(tweet_graph(p)) for p in papers]
    cids = [p.citation_id for p, f in zip(papers, forests) for _ in f]
    keys = iter(_node_keys(cids, [str(k) for f in forests for k in f]))
    out = nx.MultiDiGraph() if any(f.is_multigraph() for f in forests) else nx.DiGraph()
    out.graph["level"] = "tweet"
    if len(papers) == 1:
        out.graph.update(forests[0].graph)
    for cid, f in zip([p.citation_id for p in papers], forests):
        key = {k: next(keys) for k in f}
        for k, data in f.nodes(data=True):
            extra = {"citation_id": cid, "label": str(data.get("author", ""))}
            if "time" in data:
                extra["start"] = data["time"]
            out.add_node(key[k], **data, **extra)
        for s, d, data in f.edges(data=True):
            start = f.nodes[d].get("time")
            out.add_edge(key[s], key[d], **data, **({} if start is None else {"start": start}))
    return out


def to_nx(nodes: pd.DataFrame, edges: pd.DataFrame, *, level: str) -> nx.DiGraph:
    """Deprecated (0.1): a networkx graph from :func:`graph_tables` output.

    Use :func:`cascade.graph.to_networkx` on :func:`cascade.graph.user_graph` or
    :func:`cascade.graph.tweet_graph`, the one networkx schema. Tweet-level nodes are keyed by
    tweet id when they come from one paper, else by ``"<paper_id>/<tweet_id>"``; user-level
    nodes by lower-case handle; missing values are left out, times are ISO-8601.
    """
    warn_deprecated("cascade.export.to_nx()", "cascade.graph.to_networkx()")
    if level == "tweet":
        node_keys = _node_keys(nodes["paper_id"].tolist(), nodes["tweet_id"].tolist())
        key = dict(zip(zip(nodes["paper_id"], nodes["tweet_id"]), node_keys))
        src = [key[p, t] for p, t in zip(edges["paper_id"], edges["source"])]
        dst = [key[p, t] for p, t in zip(edges["paper_id"], edges["target"])]
        label, start = nodes["author"], nodes["time"]
        edge_start = dict(zip(node_keys, start))
    else:
        node_keys = nodes["id"].tolist()
        src, dst = edges["source"].tolist(), edges["target"].tolist()
        label, start = nodes["handle"], nodes["first_seen"]
        edge_start = {}
    multi = len(set(zip(src, dst))) < len(src)
    g = nx.MultiDiGraph() if multi else nx.DiGraph()
    g.graph["level"] = level
    columns = list(nodes.columns)
    for k, row, lab, t in zip(node_keys, nodes.itertuples(index=False), label, start):
        data = {c: v for c, v in zip(columns, map(plain_value, row)) if v is not None}
        data["label"] = str(lab)
        if plain_value(t) is not None:
            data["start"] = plain_value(t)
        g.add_node(k, **data)
    edge_columns = [c for c in edges.columns if c not in ("source", "target")]
    for s, d, row in zip(src, dst, edges[edge_columns].itertuples(index=False)):
        data = {c: v for c, v in zip(edge_columns, map(plain_value, row)) if v is not None}
        t = plain_value(edge_start.get(d))
        if t is not None:
            data["start"] = t
        g.add_edge(s, d, **data)
    return g


# Characters XML 1.0 cannot hold, even escaped (control characters, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(g: nx.DiGraph) -> nx.DiGraph:
    """``g`` with the characters XML cannot hold replaced by U+FFFD in its text (GraphML, GEXF).

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_node("a", text="a\x1bb", tweets=1)
    >>> _xml_safe(g).nodes["a"]
    {'text': 'a\ufffdb', 'tweets': 1}
    """
    records = [g.graph, *(d for _, d in g.nodes(data=True)), *(d for *_, d in g.edges(data=True))]
    for data in records:
        for k, v in data.items():
            if isinstance(v, str) and _NOT_XML.search(v):
                data[k] = _NOT_XML.sub("\ufffd", v)
    return g


def _node_keys(paper_ids: list[str], tweet_ids: list[str]) -> list[str]:
    """A key per tweet node, unique within the file.

    The tweet id where the file holds one paper, else ``<paper id>/<tweet id>``; a key that
    still repeats (ids with ``/`` in them can meet) gets ``#2``, ``#3``, ... in file order.

    Examples
    --------
    >>> _node_keys(["a/b", "a"], ["c", "b/c"])
    ['a/b/c', 'a/b/c#2']
    """
    single = len(set(paper_ids)) <= 1
    keys = tweet_ids if single else [f"{p}/{t}" for p, t in zip(paper_ids, tweet_ids)]
    seen: dict[str, int] = {}
    out = []
    for k in keys:
        n = seen[k] = seen.get(k, 0) + 1
        out.append(k if n == 1 else f"{k}#{n}")
    return out


def _write_gexf(g: nx.DiGraph, path: str) -> None:
    # Start times are ISO-8601 strings: networkx declares them timeformat "date", which Gephi
    # parses with their time of day, and which networkx.read_gexf reads back ("dateTime" it
    # cannot).
    text = "\n".join(nx.generate_gexf(g, version="1.2draft"))
    with atomic_write(path) as f:
        f.write(text + "\n")


def _write_gml(g: nx.DiGraph, path: str) -> None:
    h = g.copy()
    for _, data in h.nodes(data=True):
        data.pop("label", None)  # GML uses the node key as its label
        for k, v in data.items():
            if isinstance(v, bool):
                data[k] = int(v)
    for *_, data in h.edges(data=True):
        for k, v in data.items():
            if isinstance(v, bool):
                data[k] = int(v)
    with atomic_write(path) as f:
        for line in nx.generate_gml(h):
            f.write(line + "\n")


def _write_json(g: nx.DiGraph, path: str) -> None:
    doc = {
        "directed": True,
        "multigraph": g.is_multigraph(),
        "graph": dict(g.graph),
        "nodes": [{"id": k, **data} for k, data in g.nodes(data=True)],
        "links": [{"source": s, "target": d, **data} for s, d, data in g.edges(data=True)],
    }
    with atomic_write(path, "wb") as f:
        f.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV with ISO-8601 times whose every text cell holding a line break is quoted.

    Rows end in CRLF (RFC 4180): Python's csv writer quotes only the line breaks that appear in
    its line terminator, and a bare ``\r`` left unquoted in a tweet splits its row on reading.
    """
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = [None if pd.isna(t) else t.isoformat() for t in out[name]]
    with atomic_write(path) as f:
        out.to_csv(f, index=False, lineterminator="\r\n")


def _table_paths(path: Path, fmt: str) -> tuple[Path, Path]:
    stem = path.name[: -len(path.suffix)] if path.suffix in (".csv", ".parquet") else path.name
    return path.with_name(f"{stem}.nodes.{fmt}"), path.with_name(f"{stem}.edges.{fmt}")


@renamed_keyword("to", "format")
def export(
    papers: Paper | Iterable[Paper],
    path: str | os.PathLike,
    *,
    format: str | None = None,
    level: str = "user",
    kinds: Iterable[str] = DEFAULT_KINDS,
    formula_guard: bool = True,
) -> list[str]:
    """Write the papers' diffusion graph for other tools.

    Parameters
    ----------
    papers : Paper or iterable of Paper
        Resolved or reconstructed papers (a :class:`~cascade.io.Corpus` works).
    path : str or path
        Output file; for ``csv`` / ``parquet`` the stem of ``<stem>.nodes.<ext>`` and
        ``<stem>.edges.<ext>``.
    format : {"graphml", "gexf", "gml", "json", "csv", "parquet"}, optional
        The format; default: from the file suffix (``to`` in 0.1, deprecated).
    level : {"user", "tweet"}
        Users or tweets as nodes.
    kinds : iterable of str
        User level: which links become edges (``retweet``, ``quote``, ``reply``, ``mention``);
        default :data:`~cascade.graph.DEFAULT_KINDS` (retweets), as ``user_graph``.
    formula_guard : bool
        CSV: prefix ``'`` to text cells a spreadsheet would run as formulas (see
        :func:`cascade.output.guard_formulas`); False for exact round trips through
        :func:`cascade.read`.

    Returns
    -------
    list of str
        The files written.

    Examples
    --------
    >>> import cascade, tempfile, os
    >>> out = os.path.join(tempfile.mkdtemp(), "users.gexf")
    >>> export(cascade.read("examples/data"), out) == [out]
    True
    """
    path = Path(path)
    fmt = format or _SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot tell the export format from {path.name!r}: give a suffix "
            f"({', '.join(sorted(_SUFFIX))}) or a format ({', '.join(EXPORT_FORMATS)})"
        )
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")
    if fmt in ("csv", "parquet"):
        nodes, edges = graph_tables(papers, level=level, kinds=kinds)
        node_path, edge_path = _table_paths(path, fmt)
        for frame, where in ((nodes, node_path), (edges, edge_path)):
            if fmt == "csv":
                _write_csv(guard_formulas(frame) if formula_guard else frame, where)
            else:
                write_table(frame, where, fmt)
        return [str(node_path), str(edge_path)]
    papers = [papers] if isinstance(papers, Paper) else list(papers)
    g = _graph_file(papers, level, _kinds(kinds))
    if fmt in ("graphml", "gexf"):
        g = _xml_safe(g)
    if fmt == "graphml":
        with atomic_path(path) as tmp:
            nx.write_graphml(g, tmp, named_key_ids=True)
    elif fmt == "gexf":
        _write_gexf(g, str(path))
    elif fmt == "gml":
        _write_gml(g, str(path))
    else:
        _write_json(g, str(path))
    return [str(path)]
