"""The commands that read papers and write tables, pages and folders: ``_add_<name>`` declares a
command's options, ``_run_<name>`` calls the API."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from types import SimpleNamespace

from cascade.cli.options import (
    all_papers,
    deprecated_option,
    finish,
    formula_option,
    groups_option,
    measure_papers,
    output_options,
    parallel_options,
    read_options,
    require_papers,
)
from cascade.output import LARGE_TABLE_FORMATS, TABLE_FORMATS, write_table, write_tables

# --- cascade metrics ---------------------------------------------------------------------------


def _add_metrics(sub, common) -> None:
    p = sub.add_parser(
        "metrics",
        parents=[common],
        help="cascade metrics per paper or per cascade",
        description="Size, depth, breadth, structural virality, timing and reach of every "
        "cascade, or per paper.",
    )
    p.add_argument("--per", choices=("paper", "cascade"), default="paper")
    parallel_options(p)
    output_options(p)


def _run_metrics(args: argparse.Namespace) -> int:
    m = measure_papers(args)  # the API decides what runs in this process
    table = m.papers.drop(columns="source") if args.per == "paper" else m.cascades
    require_papers(m.log, args.inputs)
    write_table(table, args.output, args.format)
    return finish(SimpleNamespace(log=m.log), args)


# --- cascade graph -----------------------------------------------------------------------------


# Building the parser imports no graph, plotting or HTML library (a `cascade metrics` run should
# not pay for igraph and matplotlib): option values are checked by the API, which says what it
# accepts.


def _add_graph(sub, common) -> None:
    p = sub.add_parser(
        "graph",
        parents=[common],
        help="interactive HTML diffusion graph (one self-contained, offline file)",
        description="Draw the papers' diffusion graph as one HTML file that opens offline: "
        "nodes sized by a measure, coloured by community, kind, time or paper; search and "
        "weight filter in the page.",
    )
    p.add_argument("-o", "--output", required=True, metavar="OUT.html", help="HTML file to write")
    p.add_argument("--level", default="user", metavar="user|tweet", help="users or tweets as nodes")
    p.add_argument(
        "--size-by",
        default="retweets_received",
        metavar="MEASURE",
        help="node size: retweets_received (default); at user level any ranking measure "
        "(pagerank, reach, unique_retweeters, ...; see 'cascade rank'); at tweet level "
        "descendants; or a numeric node attribute such as followers",
    )
    p.add_argument(
        "--color-by",
        default="community",
        metavar="community|kind|time|paper|suspect",
        help="node colour (default community); suspect: the automated-account flag",
    )
    p.add_argument("--max-nodes", type=int, metavar="N", help="keep the N largest nodes")
    deprecated_option(p, "--top", "--max-nodes", type=int)
    p.add_argument("--min-weight", type=float, metavar="K", help="leave out edges lighter than K")
    p.add_argument(
        "--layout",
        default="auto",
        metavar="auto|physics|precomputed",
        help="auto and precomputed: igraph positions, at rest from the first drawing; "
        "physics: vis-network's simulation moves them on, then stops",
    )
    p.add_argument("--paper-node", action="store_true", help="add a node per paper")
    p.add_argument("--title", help="page heading (default: the paper's title or id)")
    p.add_argument("--seed", type=int, default=0, help="seed for communities and layout")
    parallel_options(p)


def _run_graph(args: argparse.Namespace) -> int:
    from cascade.render.html import to_html

    papers, log = all_papers(args)
    require_papers(log, args.inputs)
    to_html(
        papers[0] if len(papers) == 1 else papers,
        args.output,
        level=args.level,
        size_by=args.size_by,
        color_by=args.color_by,
        max_nodes=args.max_nodes,
        min_weight=args.min_weight,
        layout=args.layout,
        paper_node=args.paper_node,
        title=args.title,
        seed=args.seed,
    )
    return finish(SimpleNamespace(log=log), args)


# --- cascade compare / cascade report -----------------------------------------------------------


def _add_compare(sub, common) -> None:
    p = sub.add_parser(
        "compare",
        parents=[common],
        help="compare cascades across papers and groups of papers",
        description="The per-paper table and the corpus distributions of each metric; with "
        "--groups, per-group summaries, Mann-Whitney U and Kolmogorov-Smirnov tests with effect "
        "sizes, and depth and structural virality compared at matched cascade size. csv and "
        "parquet write one file per table into the folder given by -o (csv without -o prints "
        "the tests, or the paper table without groups).",
    )
    parallel_options(p)
    groups_option(p)
    p.add_argument("--format", choices=TABLE_FORMATS, default="table", help="output format")
    p.add_argument(
        "-o",
        "--output",
        help="output file (json, table); for csv and parquet a stem (out.csv -> out.<table>.csv) "
        "or a folder",
    )


def _run_compare(args: argparse.Namespace) -> int:
    from cascade import compare

    m = measure_papers(args)
    require_papers(m.log, args.inputs)
    tables = {
        "papers": m.papers.drop(columns="source"),
        "distributions": compare.distributions(m.papers),
    }
    if args.groups:
        groups = compare.read_groups(args.groups)
        for warning in compare.check_groups(m.papers, groups, source=args.groups):
            print(f"cascade: warning: {warning}", file=sys.stderr)
        tables["groups"] = compare.group_summary(m.papers, groups)
        tables["tests"] = compare.group_tests(m.papers, groups)
        tables["size_matched"] = compare.size_matched(m.cascades, groups)
    write_tables(tables, args.output, args.format)
    return finish(SimpleNamespace(log=m.log), args)


def _add_report(sub, common) -> None:
    p = sub.add_parser(
        "report",
        parents=[common],
        help="write an offline HTML report comparing the papers' cascades",
        description="Write DIR/index.html (summary, sortable paper table, plots, influencers, "
        "cross-paper audience, group tests), papers.csv/.parquet, cascades.parquet, "
        "influencers.parquet, graphs/<citation_id>.html and plots/*.png/.svg. Same input, same "
        "bytes.",
    )
    parallel_options(p)
    groups_option(p)
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="report folder")
    p.add_argument(
        "--listed",
        type=int,
        default=20,
        metavar="N",
        help="rows of the influencer, audience and spreader tables (default 20)",
    )
    deprecated_option(p, "--top", "--listed", type=int)
    p.add_argument(
        "--graphs",
        metavar="N|all",
        help="graph pages for the N papers with most tweets (default 100), or all",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for layouts and plot samples")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace DIR even if it is a non-empty folder that is not a cascade report",
    )
    p.add_argument(
        "--large-tables",
        choices=LARGE_TABLE_FORMATS,
        default="parquet",
        help="format of cascades.* and influencers.* (a row per cascade / per user; "
        "default parquet: typed and about a quarter of the CSV's size)",
    )


def _run_report(args: argparse.Namespace) -> int:
    from cascade.report import MAX_GRAPHS, report

    if args.graphs is None:
        max_graphs = MAX_GRAPHS
    elif args.graphs == "all":
        max_graphs = None
    elif args.graphs.isdigit():
        max_graphs = int(args.graphs)
    else:
        raise ValueError(f"--graphs takes a number or 'all', not {args.graphs!r}")
    result = report(
        args.inputs,
        args.output,
        groups=args.groups,
        workers=args.workers,
        dask=args.dask,
        n_listed=args.listed,
        max_graphs=max_graphs,
        options=read_options(args),
        seed=args.seed,
        quiet=args.quiet,
        force=args.force,
        large_tables=args.large_tables,
    )
    for warning in result.warnings:
        print(f"cascade: warning: {warning}", file=sys.stderr)
    return finish(SimpleNamespace(log=result.log), args)


# --- cascade export ----------------------------------------------------------------------------


def _add_export(sub, common) -> None:
    p = sub.add_parser(
        "export",
        parents=[common],
        help="write the diffusion graph for Gephi, R, networkx or pandas",
        description="Write the user- or tweet-level diffusion graph as GraphML, GEXF (Gephi: "
        "link attribute 'kind', node start times for the timeline), GML, node-link JSON, or "
        "node and edge tables (<stem>.nodes.<ext> and <stem>.edges.<ext>) as CSV or Parquet.",
    )
    p.add_argument(
        "--format",
        metavar="graphml|gexf|gml|json|csv|parquet",
        help="format (default: from the -o suffix)",
    )
    deprecated_option(p, "--to", "--format")
    formula_option(p)
    parallel_options(p)
    p.add_argument("--level", default="user", metavar="user|tweet", help="users or tweets as nodes")
    p.add_argument(
        "--kinds",
        help="user level: comma-separated links to keep (retweet, quote, reply, mention; "
        "default retweet, as cascade.user_graph)",
    )
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="file to write")


def _run_export(args: argparse.Namespace) -> int:
    from cascade.export import export

    papers, log = all_papers(args)
    require_papers(log, args.inputs)
    from cascade.model import DEFAULT_KINDS

    kinds = DEFAULT_KINDS
    if args.kinds is not None:
        kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    written = export(papers, args.output, format=args.format, level=args.level, kinds=kinds,
                     formula_guard=not args.no_formula_guard)  # fmt: skip
    if not args.quiet:
        print(f"cascade: wrote {', '.join(written)}", file=sys.stderr)
    return finish(SimpleNamespace(log=log), args)


# --- cascade rank ------------------------------------------------------------------------------


def _add_rank(sub, common) -> None:
    p = sub.add_parser(
        "rank",
        parents=[common],
        help="rank the users who spread the papers",
        description="One row per user: tweets, retweets received, reach, cascade descendants, "
        "PageRank (on retweeter -> source edges), HITS, betweenness, coreness, harmonic "
        "centrality, and an automated-account flag with its reason. Users are merged across "
        "all papers (the corpus ranking) unless --per-paper.",
    )
    p.add_argument(
        "--by",
        default="retweets_received",
        metavar="MEASURE",
        help="sort by this measure (default retweets_received; any column of the ranking, "
        "e.g. pagerank, reach, cascade_descendants, expected_influence)",
    )
    p.add_argument(
        "--top-users", type=int, metavar="N", help="keep the first N rows of each ranking"
    )
    deprecated_option(p, "--top", "--top-users", type=int)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--per-paper", action="store_true", help="one ranking per paper")
    mode.add_argument(
        "--corpus", action="store_true", help="one ranking over all papers (the default)"
    )
    p.add_argument(
        "--exclude-suspects",
        action="store_true",
        help="leave suspected automated accounts out of the ranking (their tweets still count)",
    )
    p.add_argument(
        "--no-betweenness", action="store_true", help="skip betweenness (slow on big corpora)"
    )
    p.add_argument(
        "--expected-influence",
        action="store_true",
        help="add expected_influence (Rizoiu et al. 2018; computed anyway with --by it)",
    )
    parallel_options(p)
    output_options(p)


def _run_rank(args: argparse.Namespace) -> int:
    from cascade.rank import MEASURES, rank_users

    if args.top_users is not None and args.top_users < 1:
        raise ValueError("--top-users must be at least 1")
    if args.by not in MEASURES:
        raise ValueError(f"--by {args.by!r} is not a measure; choose from {', '.join(MEASURES)}")
    if args.no_betweenness and args.by == "betweenness":
        raise ValueError("--by betweenness needs that measure: drop --no-betweenness")
    from cascade.rank import COUNT_MEASURES, GRAPH_MEASURES

    measures = [
        m for m in COUNT_MEASURES + GRAPH_MEASURES if m != "betweenness" or not args.no_betweenness
    ]
    if args.expected_influence or args.by == "expected_influence":
        measures.append("expected_influence")
    papers, log = all_papers(args)
    require_papers(log, args.inputs)
    table = rank_users(
        papers,
        by=args.by,
        top_users=args.top_users,
        per_paper=args.per_paper,
        exclude_suspects=args.exclude_suspects,
        measures=measures,
    )
    write_table(table, args.output, args.format, formula_guard=not args.no_formula_guard)
    for name in ("betweenness", "harmonic"):
        note = table.attrs.get(name, "exact")
        if note != "exact" and not args.quiet:
            print(f"cascade: {name} with {note}", file=sys.stderr)
    return finish(SimpleNamespace(log=log), args)


# In the order --help lists them: the main job first.
COMMANDS: list[tuple[str, Callable, Callable]] = [
    ("report", _add_report, _run_report),
    ("metrics", _add_metrics, _run_metrics),
    ("rank", _add_rank, _run_rank),
    ("graph", _add_graph, _run_graph),
    ("compare", _add_compare, _run_compare),
    ("export", _add_export, _run_export),
]
