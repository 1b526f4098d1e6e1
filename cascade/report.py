"""``cascade report``: one folder of papers in, one offline, deterministic report folder out.

The report folder holds:

* ``index.html``: corpus summary, metric distributions, the plots, a sortable and paginated
  table of every paper (linking each paper's graph), the top influencers across papers and per
  paper, the cross-paper audience, and group comparisons when groups are given;
* ``papers.csv`` / ``papers.parquet`` (paper metrics), ``cascades.parquet`` (cascade metrics),
  ``influencers.parquet`` (the corpus ranking; both ``.csv`` with ``large_tables="csv"``),
  ``influencers_per_paper.csv`` (the top users of each
  paper that has a graph page), ``distributions.csv``,
  ``audience_overlap.csv``, ``spreaders.csv`` and, with groups, ``group_summary.csv``,
  ``group_tests.csv`` and ``size_matched.csv``;
* ``graphs/<citation_id>.html``: one interactive graph per paper, for the ``max_graphs``
  (default :data:`MAX_GRAPHS`) papers with the most tweets (each page inlines its JavaScript,
  about 0.8 MB), and ``combined.html``: papers as hub nodes linked to the users who tweeted them
  (the :data:`COMBINED_PAPERS` papers with the most tweets);
* ``plots/*.png`` and ``plots/*.svg``.

The per-paper work (reading, resolving, measuring, graph pages) runs in parallel over local
processes or a Dask cluster (:mod:`cascade.parallel`). The workers tally the corpus ranking
batch by batch (:mod:`cascade.tally`), merged and ranked here (PageRank on the union user graph),
and keep of the papers only those that can get a graph page (:mod:`cascade.facts`).
The same input gives the same files, byte for byte: no dates, seeded layouts and samples.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cascade import compare
from cascade.deprecation import renamed_keyword
from cascade.errors import InputError
from cascade.facts import USER_COLUMNS, Collect, Facts, Largest, Packed
from cascade.graph import combined_graph
from cascade.io import ReadLog, ReadOptions
from cascade.io.options import legacy_options
from cascade.output import (
    LARGE_TABLE_FORMATS,
    atomic_write,
    flat_cells,
    staging_folder,
    swap_folder,
    write_table,
)
from cascade.parallel import Measures, Pool, measure, release_memory
from cascade.rank import COUNT_MEASURES
from cascade.render.growth import growth_section
from cascade.render.index import STATIC_ROWS, index_page  # noqa: F401 (STATIC_ROWS: was here)
from cascade.tally import merge, rank_papers, rank_tally

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
# Counts are cheap; of the graph measures only PageRank is worth its cost in a report.
_RANK_MEASURES = (*COUNT_MEASURES, "pagerank")


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
    warnings : list of str
        What the user should know (e.g. a groups file naming papers not in the data).
    """

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    papers: pd.DataFrame | None = None
    cascades: pd.DataFrame | None = None
    influencers: pd.DataFrame | None = None
    tests: pd.DataFrame | None = None
    log: ReadLog | None = None
    warnings: list[str] = field(default_factory=list)


# --- per-batch work (runs in the workers; the facts of each batch: cascade.facts) -----------


def _write_graph(item: tuple[Packed, str], *, seed: int) -> None:
    """Write one paper's graph page (a picklable unit of work for the page workers)."""
    from cascade.render.html import to_html

    packed, path = item
    to_html(packed.unpack(), path, level="user", seed=seed, assets="../assets/",
            index_href="../index.html")  # fmt: skip


def _draw(job: tuple[str, tuple[Any, ...], dict[str, Any], Path]) -> tuple[list[Path], str]:
    """Draw one plot of :mod:`cascade.render.plots` and save it: its files and its title."""
    from cascade.render import plots

    name, args, kwargs, stem = job
    fig = getattr(plots, name)(*args, **kwargs)
    return plots.save(fig, stem), fig.axes[0].get_title()


def _growth(
    job: tuple[list[pd.DataFrame], list[dict], dict[str, str], Path],
) -> tuple[pd.DataFrame, str, list[Path]]:
    """The growth section's table and HTML, its figure saved to ``stem`` (and its files)."""
    from cascade.render import plots

    predictions, ages, titles, stem = job
    section = growth_section(predictions, ages, titles=titles)
    return section.table, section.html, plots.save(section.figure, stem)


def _combined_page(job: tuple[Any, Path, str, int]) -> None:
    from cascade.render.html import to_html

    graph, path, title, seed = job
    to_html(graph, path, size_by="tweets", title=title, seed=seed, assets="assets/",
            index_href="index.html")  # fmt: skip


# --- the report folder -----------------------------------------------------------------------


def _is_report(folder: Path) -> bool:
    """Whether ``folder`` holds a report this package wrote (its index page says so)."""
    try:
        with open(folder / "index.html", "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return b'<meta name="generator" content="cascade ' in head


# --- helpers ---------------------------------------------------------------------------------


def _file_name(cid: str) -> str:
    """A safe, unique file name for a paper's graph page."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", cid)[:80].lstrip(".") or "paper"
    if safe != cid:
        safe += "-" + hashlib.sha1(cid.encode("utf-8")).hexdigest()[:8]
    return safe + ".html"


def _write_table(frame: pd.DataFrame, path: Path, files: list[Path]) -> None:
    """Write a table as CSV, or as Parquet when ``path`` ends in ``.parquet``."""
    write_table(flat_cells(frame), path, path.suffix[1:])
    files.append(path)


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        print(f"cascade: {message}", file=sys.stderr)


# --- the report ------------------------------------------------------------------------------


@renamed_keyword("top", "n_listed")
def report(
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    groups: str | os.PathLike | Mapping[str, str] | pd.Series | None = None,
    workers: int | None = None,
    dask: Any = None,
    n_listed: int = 20,
    max_graphs: int | None = MAX_GRAPHS,
    options: ReadOptions | None = None,
    seed: int = 0,
    quiet: bool = True,
    force: bool = False,
    large_tables: str = "parquet",
    **legacy: Any,
) -> Report:
    """Write the comparison report of a corpus of papers to ``out_dir``.

    The input is read and resolved once: one pass over the papers (in parallel) gives the metric
    tables, what the rankings and comparisons need, and the papers that get a graph page; the
    corpus-wide reductions (rankings, comparisons, plots) follow. The folder is built beside
    ``out_dir`` and swapped in at the end, so a failed run leaves the previous report (or
    nothing) in place.

    Parameters
    ----------
    inputs : str, path or iterable of them
        Files, directories or glob patterns, as for :func:`cascade.read`.
    out_dir : str or path-like
        The report folder. A previous report there is replaced whole; a non-empty folder that is
        not a cascade report is refused unless ``force``.
    groups : path, mapping or Series, optional
        A CSV of ``citation_id,group`` (see :func:`cascade.compare.read_groups`) or the mapping
        itself: adds group summaries, group tests and size-matched tests.
    workers : int, optional
        Local processes for the per-paper work (default: all cores; 1 = serial).
    dask : str or distributed.Client, optional
        Run the per-paper work on a Dask cluster instead.
    n_listed : int
        Rows of the influencer, audience-overlap and spreader tables; the papers with most
        tweets (this many) also get a table of their own top influencers (``top`` in 0.1,
        deprecated).
    max_graphs : int or None
        Write graph pages for at most this many papers (those with the most tweets; ties by
        citation id); None for every paper.
    options : ReadOptions, optional
        How to read and resolve the inputs (format, paper id, strictness, reconstruction).
    seed : int
        Seed of the graph layouts and of the scatter plot's sample.
    quiet : bool
        No progress messages on standard error.
    force : bool
        Replace ``out_dir`` even if it is a non-empty folder that is not a cascade report.
    large_tables : {"parquet", "csv"}
        Format of the two tables that grow with the corpus, ``cascades`` (a row per cascade) and
        ``influencers`` (a row per user). Parquet keeps them typed and exact, at about a quarter
        of the CSV's size (1M tweets: 9 MB against 41 MB) and a tenth of its writing time; the
        tables with a row per paper are always CSV.
    **legacy
        The 0.1 keywords ``input_format``, ``paper_id``, ``strict``, ``reconstruct`` and
        ``reconstruct_options`` (deprecated: use ``options``).

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
    ['audience_overlap.csv', 'distributions.csv', 'growth.csv']
    >>> sorted(p.name for p in out.files if p.suffix == ".parquet")
    ['cascades.parquet', 'influencers.parquet', 'papers.parquet']
    """
    options = legacy_options(options, legacy, "report")
    if large_tables not in LARGE_TABLE_FORMATS:
        raise ValueError(f"large_tables: choose from {LARGE_TABLE_FORMATS}, not {large_tables!r}")
    out = Path(out_dir)
    group_map = compare.read_groups(groups) if isinstance(groups, (str, os.PathLike)) else groups
    staging = staging_folder(out, ours=_is_report, force=force, what="a cascade report")
    try:
        result = _build(
            inputs, staging, group_map, workers=workers, dask=dask, n_listed=n_listed,
            max_graphs=max_graphs, options=options, seed=seed, quiet=quiet,
            large_tables=large_tables,
        )  # fmt: skip
        swap_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.out_dir = out
    result.files = sorted(out / p.relative_to(staging) for p in result.files)
    _say(quiet, f"report written to {out}/index.html")
    return result


def _build(
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    out: Path,
    group_map: Mapping[str, str] | pd.Series | None,
    *,
    workers: int | None,
    dask: Any,
    n_listed: int,
    max_graphs: int | None,
    options: ReadOptions,
    seed: int,
    quiet: bool,
    large_tables: str,
) -> Report:
    """Write every file of the report into ``out`` (the staging folder)."""
    _say(quiet, "reading and measuring the papers")
    # The papers that can still get a page, as the batches come back (and in the workers).
    pages: dict[str, Packed] = {}
    keep = None if max_graphs is None or max_graphs < 0 else max_graphs  # head(-k): all but k
    largest = Largest(keep)

    def arrived(facts: Facts) -> Facts:
        largest.offer([(cid, v.tweets, v) for cid, v in facts.papers.items()], pages)
        facts.papers.clear()
        return facts

    with Pool(workers, dask) as pool:
        # Local workers write the papers they keep to files here rather than send them back
        # (most are not among the largest of all); the staging folder is the run's own.
        spill = out / ".papers" if dask is None and pool.n > 1 else None
        if spill is not None:
            spill.mkdir()
        m: Measures = measure(inputs, extra=Collect(keep, spill), options=options,
                              arrived=arrived, pool=pool)  # fmt: skip
        if len(m.papers) == 0:
            why = "no papers to report on: " + _why_none(m.log)
            raise InputError(_inputs_text(inputs, m.log), why)
        result = _write(m, pages, out, pool, group_map, n_listed=n_listed,
                        max_graphs=max_graphs, method=options.method, inputs=inputs, seed=seed,
                        quiet=quiet, large_tables=large_tables)  # fmt: skip
    if spill is not None:
        shutil.rmtree(spill)
    return result


def _write(
    m: Measures,
    pages: dict[str, Packed],
    out: Path,
    pool: Pool,
    group_map: Mapping[str, str] | pd.Series | None,
    *,
    n_listed: int,
    max_graphs: int | None,
    method: str,
    inputs: Any,
    seed: int,
    quiet: bool,
    large_tables: str,
) -> Report:
    """Everything after the pass. The pool draws the plots and the pages while this process
    ranks the users and writes the tables and the index page, which waits only for the plots."""
    files: list[Path] = []
    facts: list[Facts] = m.extra
    times = {cid: t for f in facts for cid, t in f.times.items()}
    daily = pd.concat([f.daily for f in facts]).groupby(level=0).sum().sort_index()
    info = {cid: (title, doi) for f in facts for cid, title, doi in f.info}
    titles = {cid: t for cid, (t, _) in info.items()}

    papers = m.papers.copy()
    papers.insert(1, "title", [titles.get(c, "") for c in papers["citation_id"]])
    by_size = papers.sort_values(["tweets", "citation_id"], ascending=[False, True], kind="stable")
    chosen = by_size if max_graphs is None else by_size.head(max_graphs)
    chosen = chosen[chosen["tweets"] > 0]
    graph_names = {str(c): _file_name(str(c)) for c in chosen["citation_id"]}
    papers["graph"] = [
        f"graphs/{graph_names[c]}" if c in graph_names else "" for c in papers["citation_id"]
    ]

    # The workers are idle from the end of the pass: the plots first (they need no merging),
    # then the long single jobs, then the pages (largest first), so the pool's tail is short.
    n_pages = f"{len(graph_names)} page{'s' * (len(graph_names) != 1)}"
    _say(quiet, f"ranking users across papers, drawing the plots and {n_pages}")
    top_papers = by_size["citation_id"].head(CUMULATIVE_PAPERS).tolist()
    day_index = pd.DatetimeIndex((daily.index.to_numpy(dtype=np.int64) * 86400).view("M8[s]"))
    sizes = m.cascades["size"].to_numpy()
    figures = {
        "cumulative_tweets": ("cumulative_tweets", ({c: times[c] for c in top_papers},),
                              {"labels": {c: titles.get(c, "") for c in top_papers}}),
        "cascade_sizes_ccdf": ("size_ccdf", (sizes,), {}),
        "virality_vs_size": ("virality_vs_size",
                             (sizes, m.cascades["structural_virality"].to_numpy()), {"seed": seed}),
        "depth": ("depth_distribution", (m.cascades["depth"].to_numpy(),), {}),
        "tweets_per_day": ("tweets_per_day", (pd.Series(daily.to_numpy(), index=day_index),), {}),
    }  # fmt: skip
    plots_done = pool.start(
        _draw, [(f, a, k, out / "plots" / name) for name, (f, a, k) in figures.items()]
    )
    ranked = pool.start(
        partial(rank_tally, measures=_RANK_MEASURES), [merge([f.tally for f in facts])]
    )
    growth_job = ([f.predictions for f in facts], [f.ages for f in facts], titles)
    growth_done = pool.start(_growth, [(*growth_job, out / "plots" / "growth")])
    found = [f.users for f in facts if len(f.users)]
    users = (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=list(USER_COLUMNS))
    )
    release_memory()  # the pass's papers are gone: give their pages back before the pages
    combined = combined_graph(users, papers, titles, papers_max=COMBINED_PAPERS,
                              users_max=COMBINED_USERS)  # fmt: skip
    drawn = []  # the pages: awaited last, after the index page
    if combined is not None and combined.vcount():
        n_hubs = min(len(papers), COMBINED_PAPERS)
        title = f"{n_hubs} {'paper' if n_hubs == 1 else 'papers'} and the users who tweeted them"
        drawn.append(pool.start(_combined_page, [(combined, out / "combined.html", title, seed)]))
        files.append(out / "combined.html")
    (out / "graphs").mkdir()
    from cascade.render.html import write_assets

    files += write_assets(out / "assets")
    jobs = [(pages[c], str(out / "graphs" / name)) for c, name in graph_names.items()]
    drawn.append(pool.start(partial(_write_graph, seed=seed), jobs))
    files.extend(out / "graphs" / name for name in graph_names.values())

    if graph_names:
        # rank_users(page papers, per_paper=True), one paper unpacked at a time.
        page_papers = (pages.pop(c).unpack() for c in graph_names)
        per_paper = rank_papers(page_papers, top_users=n_listed, measures=_RANK_MEASURES)
        per_paper = per_paper.drop(columns="papers")  # always 1 within one paper
    else:
        per_paper = pd.DataFrame()
    (influencers,) = ranked.result()
    release_memory()

    # Tables.
    table_out = papers.drop(columns=["graph"])
    write_table(table_out, out / "papers.csv", "csv")
    write_table(table_out, out / "papers.parquet", "parquet")
    files += [out / "papers.csv", out / "papers.parquet"]
    _write_table(m.cascades, out / f"cascades.{large_tables}", files)
    _write_table(influencers, out / f"influencers.{large_tables}", files)
    _write_table(per_paper, out / "influencers_per_paper.csv", files)
    dist = compare.distributions(papers)
    _write_table(dist, out / "distributions.csv", files)
    overlap = compare.audience_overlap(users, top=n_listed)
    _write_table(overlap, out / "audience_overlap.csv", files)
    spread = compare.spreaders(users, top=n_listed)
    spread = spread[spread["papers"] >= 2].reset_index(drop=True)
    _write_table(spread, out / "spreaders.csv", files)
    tests = summary = matched = None
    warnings: list[str] = []
    if group_map is not None:
        warnings = compare.check_groups(papers, group_map)
        summary = compare.group_summary(papers, group_map)
        tests = compare.group_tests(papers, group_map)
        matched = compare.size_matched(m.cascades, group_map)
        _write_table(summary, out / "group_summary.csv", files)
        _write_table(tests, out / "group_tests.csv", files)
        _write_table(matched, out / "size_matched.csv", files)
    rank_plot = _draw(("rank_plot", (influencers["retweets_received"].to_numpy(),
                       "retweets received"), {"names": influencers["handle"].tolist()},
                       out / "plots" / "influencer_rank"))  # fmt: skip

    plot_list = []
    for (saved, title), name in zip([*plots_done.result(), rank_plot],
                                    [*figures, "influencer_rank"], strict=True):  # fmt: skip
        files += saved
        plot_list.append({"name": name, "title": title})
    ((growth_table, growth_html, saved),) = growth_done.result()
    files += saved
    _write_table(growth_table, out / "growth.csv", files)

    page = index_page(
        rank_measures=_RANK_MEASURES,
        combined_papers=COMBINED_PAPERS,
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
        growth=growth_html,
        users=users,
        n_listed=n_listed,
        inputs=inputs,
        method=method,
        large_tables=large_tables,
    )
    with atomic_write(out / "index.html") as f:
        f.write(page)
    files.append(out / "index.html")
    for pending in drawn:
        pending.result()
    return Report(out, sorted(files), m.papers, m.cascades, influencers, tests, m.log, warnings)


def _inputs_text(inputs: Any, log: ReadLog) -> str:
    if log.files:
        return ", ".join(map(str, log.files))
    return str(inputs) if isinstance(inputs, (str, os.PathLike)) else ", ".join(map(str, inputs))


def _why_none(log: ReadLog) -> str:
    """Why a read gave no paper, in one line."""
    if not log.files:
        return "no input files"
    if log.errors:
        return "every file failed (" + "; ".join(log.errors[:3]) + ")"
    return log.summary()
