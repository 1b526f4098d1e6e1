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
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import orjson
import pandas as pd

from cascade.deprecation import renamed_keyword
from cascade.graph import DEFAULT_KINDS, EDGE_KINDS, user_graph
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
        kinds = tuple(kinds)
        unknown = set(kinds) - set(EDGE_KINDS)
        if unknown:
            raise ValueError(f"unknown edge kinds {sorted(unknown)}; choose from {EDGE_KINDS}")
        return _user_tables(papers, kinds)
    raise ValueError(f"unknown level {level!r}; choose from {LEVELS}")


def _plain(value: Any) -> Any:
    """A value as a plain Python scalar for graph files, or None when missing."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_nx(nodes: pd.DataFrame, edges: pd.DataFrame, *, level: str) -> nx.DiGraph:
    """A networkx graph from :func:`graph_tables` output: missing values left out, times ISO-8601.

    Tweet-level nodes are keyed by tweet id when they come from one paper, else by
    ``"<paper_id>/<tweet_id>"``; user-level nodes by lower-case handle. A node's ``start`` is its
    time (tweet) or first appearance (user), which Gephi's timeline uses; an edge's is the child
    tweet's time.
    """
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
        data = {c: v for c, v in zip(columns, map(_plain, row)) if v is not None}
        data["label"] = str(lab)
        if _plain(t) is not None:
            data["start"] = _plain(t)
        g.add_node(k, **data)
    edge_columns = [c for c in edges.columns if c not in ("source", "target")]
    for s, d, row in zip(src, dst, edges[edge_columns].itertuples(index=False)):
        data = {c: v for c, v in zip(edge_columns, map(_plain, row)) if v is not None}
        t = _plain(edge_start.get(d))
        if t is not None:
            data["start"] = t
        g.add_edge(s, d, **data)
    return g


# Characters XML 1.0 cannot hold, even escaped (control characters, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells with the characters XML cannot hold replaced by U+FFFD (GraphML, GEXF).

    Examples
    --------
    >>> _xml_safe(pd.DataFrame({"t": ["a\x1bb", "ok"], "n": [1, 2]})).values.tolist()
    [['a\ufffdb', 1], ['ok', 2]]
    """
    out = frame
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind != "O" and not pd.api.types.is_string_dtype(column):
            continue
        fixed = [_NOT_XML.sub("\ufffd", v) if isinstance(v, str) else v for v in column]
        if fixed != column.tolist():
            if out is frame:
                out = frame.copy()
            out[name] = pd.Series(fixed, index=frame.index, dtype=column.dtype)
    return out


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
    nodes, edges = graph_tables(papers, level=level, kinds=kinds)
    if fmt in ("csv", "parquet"):
        node_path, edge_path = _table_paths(path, fmt)
        for frame, where in ((nodes, node_path), (edges, edge_path)):
            if fmt == "csv":
                _write_csv(guard_formulas(frame) if formula_guard else frame, where)
            else:
                write_table(frame, where, fmt)
        return [str(node_path), str(edge_path)]
    if fmt in ("graphml", "gexf"):
        nodes, edges = _xml_safe(nodes), _xml_safe(edges)
    g = to_nx(nodes, edges, level=level)
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
