"""Interactive HTML diffusion graphs: one offline, escaped page per graph.

The page is cascade's own Jinja template (not pyvis's), for reasons found in pyvis 0.3.2 (see
``docs/html.md``):

- every pyvis ``cdn_resources`` mode links Bootstrap from a CDN; the page here inlines
  vis-network 9.1.2 and tom-select from pyvis's own package folder, or loads them from a folder
  beside it (``assets=``, :func:`write_assets`), and nothing else;
- pyvis's environment has autoescape off; here it is on, and data inside ``<script>`` goes through
  ``tojson``;
- pyvis switches every tooltip to ``innerHTML`` when one title contains ``href``; here tooltips are
  plain strings, which vis-network shows with ``innerText`` (``\\n`` becomes a line break).

The node and edge data is stored as columns, deflated and base64-encoded
(:mod:`cascade.render.html.columns`); the page's script inflates them (``DecompressionStream``:
Chrome 80, Firefox 113, Safari 16.4) and builds the vis items and tooltips, as
:func:`cascade.render.html.items.page_items` does in Python.

The page also carries a Content-Security-Policy that allows only its own scripts (by hash) and no
network at all. Rendering keeps no process-wide state: igraph's random generator is only seeded
under a lock (:mod:`cascade.render.html.rng`) and each page renders from its own context.

Modules: ``inputs`` (the graph and its attributes), ``measures`` (node sizes), ``colours``,
``tooltips`` (and the links back to the source), ``layout``, ``page`` (the stages and the page
record), ``records`` and ``columns`` (the node and edge columns), ``lookups`` (what a user page
looks up in its papers, as array operations), ``items`` (the Python reference of the page's item
builder) and ``render`` (template, assets, Content-Security-Policy).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cascade.deprecation import renamed_keyword
from cascade.render.html.colours import COLOR_BY
from cascade.render.html.inputs import LEVELS, as_graph
from cascade.render.html.page import LAYOUTS, PHYSICS_MAX_NODES, Options, build
from cascade.render.html.render import render, write_assets, write_atomic
from cascade.render.html.tooltips import post_url, profile_url

__all__ = [
    "COLOR_BY",
    "LAYOUTS",
    "LEVELS",
    "PHYSICS_MAX_NODES",
    "post_url",
    "profile_url",
    "to_html",
    "write_assets",
]

_RELATIVE = re.compile(r"^(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?!/)[^\s\"'<>\\]*$")


@renamed_keyword("top", "max_nodes")
def to_html(
    graph_or_paper: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    level: str | None = None,
    size_by: str | Mapping[str, float] | Sequence[float] | np.ndarray = "retweets_received",
    color_by: str = "community",
    max_nodes: int | None = None,
    min_weight: float | None = None,
    layout: str = "auto",
    paper_node: bool = False,
    title: str | None = None,
    seed: int = 0,
    assets: str | None = None,
    index_href: str | None = None,
) -> str:
    """Render a diffusion graph as one interactive, offline HTML page.

    The page needs no network: vis-network and tom-select are inlined from pyvis's bundled copies
    (or loaded from ``assets``), and a Content-Security-Policy forbids any request. All text from
    the data (handles, tweet texts, titles) is escaped; tooltips are plain text. The same input
    gives the same bytes, also when several threads render at once.

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
    color_by : {"community", "kind", "time", "paper", "suspect"}, default "community"
        ``community``: Leiden communities (modularity, weighted, undirected, seeded); the nine
        largest get colours. ``kind``: the tweet kind, or for users their role (source, relay,
        retweeter, isolated). ``time``: tweet time or first tweet, by rank. ``paper``: which paper
        (users of several papers are grouped). ``suspect``: the automated-account flag of
        ``cascade.rank.automated_suspects``.
    max_nodes : int, optional
        Keep only the ``max_nodes`` nodes with the largest ``size_by`` value (ties by name;
        ``top`` in 0.1, deprecated).
    min_weight : float, optional
        Leave out edges lighter than this, then the nodes left without an edge. The page lists what
        was left out; its slider filters further in the browser.
    layout : {"auto", "physics", "precomputed"}, default "auto"
        Positions always come from igraph (Fruchterman-Reingold per connected component, seeded;
        stars in closed form; components packed by size, single users and pairs apart).
        ``auto`` and ``precomputed`` draw them as they are, so the page is at rest at once;
        ``physics`` lets vis-network's simulation move them on before the first drawing, then
        stops it.
    paper_node : bool, default False
        Add a node per paper with an edge to each original tweet (tweet level) or to each user who
        posted one (user level; for a bare user graph, users nobody retweeted).
    title : str, optional
        Page heading; default the paper's title, else its citation id.
    seed : int, default 0
        Seed for communities and layouts.
    assets : str, optional
        A relative URL (such as ``"../assets/"``) of a folder written by :func:`write_assets`:
        the page loads its scripts from there instead of inlining 0.69 MB of them. Default: one
        self-contained file.
    index_href : str, optional
        A relative URL (such as ``"../index.html"``) for a link back to a report's index.

    Returns
    -------
    str
        The HTML text.

    Raises
    ------
    ValueError
        For an unknown option value, a level that does not match the graph, a graph without
        vertices, or an ``assets`` / ``index_href`` that is not a relative URL.

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
    >>> len(to_html(g, assets="../assets/")) < len(page) / 10  # scripts loaded from a folder
    True
    >>> _ = to_html(g, "graph.html", size_by=[1, 5, 2], color_by="kind")  # doctest: +SKIP
    """
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {', '.join(COLOR_BY)}, not {color_by!r}")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or int(max_nodes) != max_nodes or max_nodes < 1
    ):
        raise ValueError(f"max_nodes must be a positive integer, not {max_nodes!r}")
    for name, value in (("assets", assets), ("index_href", index_href)):
        if value is not None and not (isinstance(value, str) and _RELATIVE.match(value)):
            raise ValueError(f"{name} must be a relative URL such as '../{name}', not {value!r}")
    if assets is not None and assets and not assets.endswith("/"):
        assets += "/"
    graph, papers, level = as_graph(graph_or_paper, level)
    if graph.vcount() == 0:
        raise ValueError("the graph has no vertices: nothing to draw")
    options = Options(
        level=level,
        size_by=size_by,
        color_by=color_by,
        max_nodes=None if max_nodes is None else int(max_nodes),
        min_weight=min_weight,
        layout=layout,
        paper_node=paper_node,
        title=title,
        seed=seed,
        index_href=index_href,
    )
    page, data, vis = build(graph, papers, options)
    text = render(page, data, vis, assets_href=assets)
    if path is not None:
        write_atomic(Path(path), text)
    return text
