"""``cascade report``: one folder of papers in, one offline, deterministic report folder out.

The report folder holds:

* ``index.html``: corpus summary, metric distributions, the plots, a sortable and paginated
  table of every paper (linking each paper's graph), the top influencers across papers and per
  paper, the cross-paper audience, and group comparisons when groups are given;
* ``papers.csv`` / ``papers.parquet`` (paper metrics), ``cascades.csv`` (cascade metrics),
  ``influencers.csv`` (the corpus ranking), ``influencers_per_paper.csv`` (the top users of each
  paper that has a graph page), ``distributions.csv``,
  ``audience_overlap.csv``, ``spreaders.csv`` and, with groups, ``group_summary.csv``,
  ``group_tests.csv`` and ``size_matched.csv``;
* ``graphs/<citation_id>.html``: one interactive graph per paper, for the ``max_graphs``
  (default :data:`MAX_GRAPHS`) papers with the most tweets (each page inlines its JavaScript,
  about 0.8 MB), and ``combined.html``: papers as hub nodes linked to the users who tweeted them
  (the :data:`COMBINED_PAPERS` papers with the most tweets);
* ``plots/*.png`` and ``plots/*.svg``.

The per-paper work (reading, resolving, measuring, per-paper rankings, graph pages) runs in
parallel over local processes or a Dask cluster (:mod:`cascade.parallel`). The corpus ranking
needs every paper at once (PageRank on the union user graph) and runs in this process.
The same input gives the same files, byte for byte: no dates, seeded layouts and samples.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import igraph as ig
import jinja2
import numpy as np
import pandas as pd

from cascade import compare
from cascade.io import InputError, ReadLog, read
from cascade.metrics import PAPER_COLUMNS
from cascade.model import Paper
from cascade.output import atomic_write, write_table
from cascade.parallel import Measures, map_papers, measure
from cascade.rank import COUNT_MEASURES, rank_users

__all__ = ["COMBINED_PAPERS", "COMBINED_USERS", "MAX_GRAPHS", "Report", "report"]

#: Default cap on per-paper graph pages: each page inlines its JavaScript (about 0.8 MB).
MAX_GRAPHS = 100
#: Papers drawn as hubs on the combined page (those with the most tweets).
COMBINED_PAPERS = 50
#: Users on the combined page: all users of its papers up to this many, else the users who
#: tweeted the most of those papers.
COMBINED_USERS = 2000
#: Papers overlaid on the cumulative-tweets plot.
CUMULATIVE_PAPERS = 10
#: Rows of the papers table written into the page itself (the script pages through the rest).
STATIC_ROWS = 50
# Counts are cheap; of the graph measures only PageRank is worth its cost in a report.
_RANK_MEASURES = (*COUNT_MEASURES, "pagerank")
_TEMPLATES = Path(__file__).parent / "render" / "templates"


@dataclass
class Report:
    """What :func:`report` wrote and computed.

    Attributes
    ----------
    out_dir : Path
    files : list of Path
        Every file written, sorted.
    papers, cascades, influencers : pandas.DataFrame
    tests : pandas.DataFrame or None
        Group tests, when groups were given.
    log : ReadLog
        What became of every input record.
    """

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    papers: pd.DataFrame | None = None
    cascades: pd.DataFrame | None = None
    influencers: pd.DataFrame | None = None
    tests: pd.DataFrame | None = None
    log: ReadLog | None = None


# --- per-batch work (runs in the workers) --------------------------------------------------------


def _collect(batch: list[Paper]) -> dict[str, Any]:
    """What the report needs from a batch beyond the metric tables."""
    users, times, days, info = [], {}, [], []
    for p in batch:
        real = ~p.placeholder
        k = len(p.handles)
        tweets = np.bincount(p.user[real], minlength=k)
        child = np.flatnonzero((p.parent >= 0) & (p.kind == "retweet"))
        received = np.bincount(p.user[p.parent[child]], minlength=k)
        present = np.flatnonzero(tweets > 0)
        users.append(
            pd.DataFrame(
                {
                    "citation_id": p.citation_id,
                    "user": p.user_keys[present],
                    "handle": p.handles[present],
                    "tweets": tweets[present],
                    "retweets_received": received[present],
                }
            )
        )
        seconds = p.time[real].astype("datetime64[s]").view(np.int64)
        seconds = np.sort(seconds[seconds != np.iinfo(np.int64).min])
        times[p.citation_id] = seconds
        days.append(seconds // 86400)
        attrs = p.attrs or {}
        info.append((p.citation_id, str(attrs.get("title") or ""), str(attrs.get("doi") or "")))
    day, count = np.unique(np.concatenate(days), return_counts=True) if days else ([], [])
    return {
        "users": pd.concat(users, ignore_index=True),
        "times": times,
        "daily": pd.Series(count, index=np.asarray(day, dtype=np.int64), dtype=np.int64),
        "info": info,
    }


def _write_graphs(
    batch: list[Paper], *, out: str, names: Mapping[str, str], top: int, seed: int
) -> list[pd.DataFrame]:
    """Write the graph page of each wanted paper of the batch; its top influencers.

    Each paper is ranked on its own, so the result does not depend on how papers are batched.
    """
    from cascade.render.html import to_html

    ranked = []
    for p in batch:
        name = names.get(p.citation_id)
        if name is not None and len(p):
            to_html(p, os.path.join(out, "graphs", name), level="user", seed=seed)
            table = rank_users(p, top=top, measures=_RANK_MEASURES)
            table.insert(0, "citation_id", p.citation_id)
            ranked.append(table)
    return ranked


# --- helpers ---------------------------------------------------------------------------------


def _file_name(cid: str) -> str:
    """A safe, unique file name for a paper's graph page."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", cid)[:80].lstrip(".") or "paper"
    if safe != cid:
        safe += "-" + hashlib.sha1(cid.encode("utf-8")).hexdigest()[:8]
    return safe + ".html"


def _fmt(value: Any) -> str:
    """A cell for the page: thousands separators, 3 significant digits, ISO dates, "" missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else ""
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if v == int(v) and abs(v) < 1e15:
            return f"{int(v):,}"
        return f"{v:,.3g}" if abs(v) >= 1e-3 else f"{v:.3g}"
    if isinstance(value, tuple):
        return " vs ".join(_fmt(v) for v in value)
    return str(value)


def _html_table(frame: pd.DataFrame, columns: list[str] | None = None) -> dict[str, Any]:
    columns = list(frame.columns) if columns is None else columns
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in columns
    ]
    rows = [[_fmt(v) for v in row] for row in frame[columns].itertuples(index=False, name=None)]
    return {"columns": columns, "numeric": numeric, "rows": rows}


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _write_csv(frame: pd.DataFrame, path: Path, files: list[Path]) -> None:
    out = frame.copy()
    for c in out.columns:  # pairs such as ("a", "b") as "a;b", not Python reprs
        if len(out) and isinstance(out[c].iloc[0], tuple):
            out[c] = [";".join(str(x) for x in v) for v in out[c]]
    write_table(out, path, "csv")
    files.append(path)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _combined_graph(
    users: pd.DataFrame, papers: pd.DataFrame, titles: Mapping[str, str]
) -> ig.Graph | None:
    """Papers as hub nodes, each linked (paper -> user) to the users who tweeted it."""
    hubs = papers.sort_values(["tweets", "citation_id"], ascending=[False, True]).head(
        COMBINED_PAPERS
    )
    cids = hubs["citation_id"].astype(str).tolist()
    if not cids:
        return None
    links = users[users["citation_id"].isin(cids)]
    per_user = links.groupby("user", sort=True).agg(
        handle=("handle", "first"), papers=("citation_id", "nunique"), tweets=("tweets", "sum")
    )
    if len(per_user) > COMBINED_USERS:
        per_user = per_user.reset_index().sort_values(
            ["papers", "tweets", "user"], ascending=[False, False, True], kind="stable"
        )
        per_user = per_user.head(COMBINED_USERS).set_index("user").sort_index()
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
    g.es["kind"] = ["tweeted"] * g.ecount()
    g.es["weight"] = links["tweets"].astype(int).tolist()
    g["level"] = "user"
    g["citation_id"] = None
    return g


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        print(f"cascade: {message}", file=sys.stderr)


# --- the report ------------------------------------------------------------------------------


def report(
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    groups: str | os.PathLike | Mapping[str, str] | pd.Series | None = None,
    workers: int | None = None,
    dask: Any = None,
    top: int = 20,
    max_graphs: int | None = MAX_GRAPHS,
    input_format: str | None = None,
    paper_id: str | None = None,
    strict: bool = False,
    seed: int = 0,
    quiet: bool = True,
    reconstruct: str = "credited",
    reconstruct_options: Mapping[str, Any] | None = None,
    same_text: bool = True,
) -> Report:
    """Write the comparison report of a corpus of papers to ``out_dir``.

    Parameters
    ----------
    inputs : str, path or iterable of them
        Files, directories or glob patterns, as for :func:`cascade.read`.
    out_dir : str or path-like
        The report folder (created; files already there with the same names are replaced).
    groups : path, mapping or Series, optional
        A CSV of ``citation_id,group`` (see :func:`cascade.compare.read_groups`) or the mapping
        itself: adds group summaries, group tests and size-matched tests.
    workers : int, optional
        Local processes for the per-paper work (default: all cores; 1 = serial).
    dask : str or distributed.Client, optional
        Run the per-paper work on a Dask cluster instead.
    top : int
        Influencers listed for the corpus and for each paper.
    max_graphs : int or None
        Write graph pages for at most this many papers (those with the most tweets; ties by
        citation id); None for every paper.
    input_format, paper_id, strict, same_text
        As for :func:`cascade.read`.
    seed : int
        Seed of the graph layouts and of the scatter plot's sample.
    quiet : bool
        No progress messages on standard error.
    reconstruct, reconstruct_options
        How retweets get their parents (a method of :func:`cascade.reconstruct.reconstruct` and
        its options); the page says which method produced its numbers.

    Returns
    -------
    Report

    Examples
    --------
    >>> import tempfile
    >>> out = report("examples/data", tempfile.mkdtemp(), workers=1)
    >>> out.papers[["citation_id", "tweets"]].values.tolist()
    [['56155705', 258]]
    >>> sorted(p.name for p in out.files if p.suffix == ".csv")[:3]
    ['audience_overlap.csv', 'cascades.csv', 'distributions.csv']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    group_map = compare.read_groups(groups) if isinstance(groups, (str, os.PathLike)) else groups
    files: list[Path] = []
    run = {
        "workers": workers,
        "dask": dask,
        "input_format": input_format,
        "paper_id": paper_id,
        "strict": strict,
        "reconstruct": reconstruct,
        "reconstruct_options": dict(reconstruct_options or {}),
        "same_text": same_text,
    }

    _say(quiet, "reading and measuring the papers")
    m: Measures = measure(inputs, extra=_collect, **run)
    if len(m.papers) == 0:
        raise InputError(", ".join(map(str, m.log.files)) or str(inputs), "no paper to report on")
    users = pd.concat([e["users"] for e in m.extra], ignore_index=True)
    times: dict[str, np.ndarray] = {}
    for e in m.extra:
        times.update(e["times"])
    daily = pd.concat([e["daily"] for e in m.extra]).groupby(level=0).sum().sort_index()
    info = {cid: (title, doi) for e in m.extra for cid, title, doi in e["info"]}
    titles = {cid: t for cid, (t, _) in info.items()}

    papers = m.papers.copy()
    papers.insert(1, "title", [titles.get(c, "") for c in papers["citation_id"]])
    by_size = papers.sort_values(["tweets", "citation_id"], ascending=[False, True], kind="stable")
    chosen = by_size if max_graphs is None else by_size.head(max_graphs)
    graph_names = {str(c): _file_name(str(c)) for c in chosen["citation_id"]}
    papers["graph"] = [
        f"graphs/{graph_names[c]}" if c in graph_names else "" for c in papers["citation_id"]
    ]

    _say(quiet, f"writing {len(graph_names)} graph pages")
    sources = list(dict.fromkeys(chosen["source"].tolist()))
    ranked: list[pd.DataFrame] = []
    if sources:
        target = str(out.resolve()) if dask is not None else str(out)
        results, _ = map_papers(
            partial(_write_graphs, out=target, names=graph_names, top=top, seed=seed),
            sources,
            **run,
        )
        ranked = [t for tables in results for t in tables]
        files.extend(out / "graphs" / name for name in graph_names.values())
    per_paper = pd.concat(ranked, ignore_index=True) if ranked else pd.DataFrame()

    _say(quiet, "ranking users across papers")

    corpus = read(inputs, input_format=input_format, paper_id=paper_id, same_text=same_text)
    if reconstruct != "credited":
        from cascade.reconstruct import Reconstructed

        corpus = Reconstructed(corpus, reconstruct, **run["reconstruct_options"])
    influencers = rank_users(corpus, measures=_RANK_MEASURES)

    # Tables.
    table_out = papers.drop(columns=["graph"])
    write_table(table_out, out / "papers.csv", "csv")
    write_table(table_out, out / "papers.parquet", "parquet")
    files += [out / "papers.csv", out / "papers.parquet"]
    _write_csv(m.cascades, out / "cascades.csv", files)
    _write_csv(influencers, out / "influencers.csv", files)
    _write_csv(per_paper, out / "influencers_per_paper.csv", files)
    dist = compare.distributions(papers)
    _write_csv(dist, out / "distributions.csv", files)
    overlap = compare.audience_overlap(users, top=top)
    _write_csv(overlap, out / "audience_overlap.csv", files)
    spread = compare.spreaders(users, top=top)
    spread = spread[spread["papers"] >= 2].reset_index(drop=True)
    _write_csv(spread, out / "spreaders.csv", files)
    tests = summary = matched = None
    if group_map is not None:
        summary = compare.group_summary(papers, group_map)
        tests = compare.group_tests(papers, group_map)
        matched = compare.size_matched(m.cascades, group_map)
        _write_csv(summary, out / "group_summary.csv", files)
        _write_csv(tests, out / "group_tests.csv", files)
        _write_csv(matched, out / "size_matched.csv", files)

    # Plots.
    _say(quiet, "drawing the plots")
    from cascade.render import plots

    top_papers = by_size["citation_id"].head(CUMULATIVE_PAPERS).tolist()
    day_index = pd.to_datetime(daily.index.to_numpy(dtype=np.int64) * 86400, unit="s")
    figures = {
        "cumulative_tweets": plots.cumulative_tweets({c: times[c] for c in top_papers}),
        "cascade_sizes_ccdf": plots.size_ccdf(m.cascades["size"].to_numpy()),
        "virality_vs_size": plots.virality_vs_size(
            m.cascades["size"].to_numpy(), m.cascades["structural_virality"].to_numpy(), seed=seed
        ),
        "depth": plots.depth_distribution(m.cascades["depth"].to_numpy()),
        "tweets_per_day": plots.tweets_per_day(pd.Series(daily.to_numpy(), index=day_index)),
        "influencer_rank": plots.rank_plot(
            influencers["retweets_received"].to_numpy(), "retweets received"
        ),
    }
    plot_list = []
    for name, fig in figures.items():
        files += plots.save(fig, out / "plots" / name)
        plot_list.append({"name": name, "title": fig.axes[0].get_title()})

    combined = _combined_graph(users, papers, titles)
    if combined is not None and combined.vcount():
        from cascade.render.html import to_html

        title = f"{min(len(papers), COMBINED_PAPERS)} papers and the users who tweeted them"
        to_html(combined, out / "combined.html", size_by="tweets", title=title, seed=seed)
        files.append(out / "combined.html")

    page = _page(
        m=m,
        papers=papers,
        dist=dist,
        influencers=influencers,
        per_paper=per_paper,
        overlap=overlap,
        spread=spread,
        summary=summary,
        tests=tests,
        matched=matched,
        by_size=by_size,
        plot_list=plot_list,
        combined=combined is not None,
        users=users,
        top=top,
        inputs=inputs,
        method=reconstruct,
    )
    with atomic_write(out / "index.html") as f:
        f.write(page)
    files.append(out / "index.html")
    _say(quiet, f"report written to {out}/index.html")
    return Report(out, sorted(files), m.papers, m.cascades, influencers, tests, m.log)


def _page(
    *,
    m,
    papers,
    dist,
    influencers,
    per_paper,
    overlap,
    spread,
    summary,
    tests,
    matched,
    by_size,
    plot_list,
    combined,
    users,
    top,
    inputs,
    method: str,
) -> str:
    """The index page's HTML (everything in it escaped by the template)."""
    log = m.log
    skipped = Counter(log.skipped)
    first = papers["first_tweet"].dropna()
    last = papers["last_tweet"].dropna()
    corpus = {
        "files": len(log.files),
        "papers": len(papers),
        "records": log.records,
        "tweets": int(papers["tweets"].sum()),
        "users": int(users["user"].nunique()),
        "cascades": len(m.cascades),
        "first": _fmt(first.min()) if len(first) else "",
        "last": _fmt(last.max()) if len(last) else "",
        "skipped": sorted(skipped.items()),
        "skipped_total": sum(skipped.values()),
        "errors": log.errors,
    }
    columns = ["citation_id", "title", "graph", *[c for c in PAPER_COLUMNS if c != "citation_id"]]
    data = [
        [_json_value(v) for v in row] for row in papers[columns].itertuples(index=False, name=None)
    ]
    static = by_size.head(STATIC_ROWS).index
    inf_cols = ["rank", "handle", *_RANK_MEASURES, "automated_suspect"]
    per_paper_blocks = []
    for cid in by_size["citation_id"].head(top).tolist():
        rows = per_paper[per_paper["citation_id"] == cid] if len(per_paper) else per_paper
        if len(rows):
            per_paper_blocks.append(
                {
                    "citation_id": cid,
                    "title": papers.loc[papers["citation_id"] == cid, "title"].iloc[0],
                    "table": _html_table(rows.head(5), inf_cols),
                }
            )
    from cascade import __version__

    context = {
        "version": __version__,
        "method": method,
        "inputs": [
            str(i) for i in ([inputs] if isinstance(inputs, (str, os.PathLike)) else inputs)
        ],
        "corpus": corpus,
        "distributions": _html_table(dist),
        "plots": plot_list,
        "columns": columns,
        "numeric": [pd.api.types.is_numeric_dtype(papers[c]) for c in columns],
        "data": data,
        "static_rows": [{c: _fmt(papers.at[i, c]) for c in columns} for i in static],
        "influencers": _html_table(influencers.head(top), inf_cols),
        "per_paper": per_paper_blocks,
        "overlap": _html_table(overlap),
        "spreaders": _html_table(spread),
        "combined": combined,
        "combined_papers": min(len(papers), COMBINED_PAPERS),
        "groups": None
        if tests is None
        else {
            "summary": _html_table(summary),
            "tests": _html_table(tests),
            "matched": _html_table(matched),
        },
    }
    return _environment().get_template("report.html.j2").render(**context)
