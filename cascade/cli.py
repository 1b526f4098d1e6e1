"""The ``cascade`` command: a thin layer over the Python API.

Each subcommand is a pair of functions, ``_add_<name>(subparsers, common)`` that declares its
options and ``_run_<name>(args)`` that calls the API; ``COMMANDS`` lists them.
"""

from __future__ import annotations

import argparse
import gc
import linecache
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from types import SimpleNamespace

from cascade import __version__
from cascade.errors import InputError
from cascade.io import FORMAT_NAMES, Corpus, ReadLog, ReadOptions
from cascade.model import Paper
from cascade.output import TABLE_FORMATS, write_table, write_tables

__all__ = ["main"]


def _common() -> argparse.ArgumentParser:
    """Options every command that reads input shares."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories or globs")
    p.add_argument(
        "--input-format",
        choices=FORMAT_NAMES,
        metavar="FORMAT",
        help="force the input format instead of detecting it: " + ", ".join(FORMAT_NAMES),
    )
    p.add_argument("--paper-id", help="paper id for inputs that carry none")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 2 if a file is unreadable or a record is skipped (each file and reason named)",
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar, no summary (errors still)"
    )
    p.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    p.add_argument(
        "--no-same-text", dest="same_text", action="store_false",
        help="never link a tweet to an earlier one by its identical text (the Altmetric API's "
        "native retweets; see cascade.resolve)",
    )  # fmt: skip
    _reconstruct_options(p)
    return p


def _reconstruct_options(p: argparse.ArgumentParser) -> None:
    """--reconstruct METHOD and its parameters (see cascade.reconstruct)."""
    import cascade.reconstruct as R

    g = p.add_argument_group("reconstruction of retweet paths")
    g.add_argument(
        "--reconstruct", choices=R.METHODS, default="credited", metavar="METHOD",
        help="how retweets get their parents: " + ", ".join(R.METHODS) + " (default: credited)",
    )  # fmt: skip
    g.add_argument("--samples", type=int, default=100, help="pdi: trees sampled (default 100)")
    g.add_argument("--reconstruct-seed", type=int, default=0, help="seed of the sampled trees")
    g.add_argument("--gamma", type=float, default=R.DEFAULT_GAMMA, help="pdi: followers weight")
    g.add_argument("--alpha", type=float, default=R.DEFAULT_ALPHA, help="pdi: time exponent")
    g.add_argument("--fit-alpha", action="store_true", help="pdi: fit alpha to each paper")
    g.add_argument("--beta", type=float, default=R.INFLUENCE_BETA, help="influence: f exponent")
    g.add_argument("--rate", type=float, default=R.INFLUENCE_RATE, help="influence: decay /s")
    g.add_argument("--follow-graph", metavar="FILE", help="follow-graph: CSV of follower,followee")


def _output(p: argparse.ArgumentParser, default: str = "table") -> None:
    p.add_argument("--format", choices=TABLE_FORMATS, default=default, help="output format")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    _formula_option(p)


def _formula_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-formula-guard",
        action="store_true",
        help="CSV: write text cells exactly, even those a spreadsheet would run as a formula "
        "(by default a text cell starting with = + - @ tab or CR gets a leading ')",
    )


def read_options(args: argparse.Namespace) -> ReadOptions:
    """The :class:`ReadOptions` the command-line arguments give."""
    return ReadOptions(
        input_format=args.input_format,
        paper_id=args.paper_id,
        strict=args.strict,
        reconstruct=args.reconstruct,
        reconstruct_options=reconstruct_options(args),
        same_text=args.same_text,
    )


def open_corpus(args: argparse.Namespace) -> Corpus:
    """The corpus the command-line arguments name (read in this process)."""
    return read_options(args).open(args.inputs)  # type: ignore[return-value]


def all_papers(args: argparse.Namespace) -> tuple[list[Paper], ReadLog]:
    """Every paper of the inputs, read on ``--workers`` processes or ``--dask``; and the log."""
    from cascade.parallel import read_papers

    if getattr(args, "dask", None) is None and getattr(args, "workers", None) == 1:
        corpus = open_corpus(args)
        return list(progress(corpus, args)), corpus.log
    return read_papers(
        args.inputs, workers=args.workers, dask=args.dask, options=read_options(args)
    )


def measure_papers(args: argparse.Namespace):
    """Paper and cascade metrics of the inputs, on ``--workers`` processes or ``--dask``."""
    from cascade.parallel import measure

    return measure(args.inputs, workers=args.workers, dask=args.dask, options=read_options(args))


def reconstruct_options(args: argparse.Namespace) -> dict:
    """The options of the chosen ``--reconstruct`` method, as keyword arguments."""
    if args.reconstruct == "pdi":
        return {
            "samples": args.samples,
            "seed": args.reconstruct_seed,
            "gamma": args.gamma,
            "alpha": args.alpha,
            "fit_alpha": args.fit_alpha,
        }
    if args.reconstruct == "influence":
        return {"beta": args.beta, "rate": args.rate}
    if args.reconstruct == "follow-graph":
        return {"follow_graph": args.follow_graph}
    return {}


def progress(papers: Corpus, args: argparse.Namespace) -> Iterator[Paper]:
    """Iterate papers with a progress bar on a terminal's standard error (not with --quiet)."""
    if args.quiet or not sys.stderr.isatty():
        yield from papers
        return
    from tqdm import tqdm

    yield from tqdm(papers, unit=" papers", file=sys.stderr, leave=False)


def finish(corpus: Corpus | SimpleNamespace, args: argparse.Namespace) -> int:
    """Report what was read and skipped; the exit code (2 under --strict when anything was).

    Errors (unreadable files, bad lines) are printed even with ``--quiet``; so is, under
    ``--strict``, every file that had records skipped, with the reasons.
    """
    log = corpus.log
    for error in log.errors:
        print(f"cascade: error: {error}", file=sys.stderr)
    if not args.quiet:
        print(f"cascade: {log.summary()}", file=sys.stderr)
    if args.strict:
        for entry in log.files.values():
            if entry.skipped:
                reasons = ", ".join(f"{r}: {n}" for r, n in sorted(entry.skipped.items()))
                print(f"cascade: error: {entry.path}: records skipped ({reasons})", file=sys.stderr)
        if log.errors or sum(log.skipped.values()):
            return 2
    return 0


def require_papers(log: ReadLog, inputs: Sequence[str]) -> None:
    """Raise :class:`InputError` when nothing could be read: no output is written then."""
    if log.papers:
        return
    if not log.files:
        raise InputError(", ".join(inputs), "no input files found")
    reasons = "; ".join(
        f.error or f"{f.path}: no paper ({f.records} records, none usable)"
        for f in log.files.values()
    )
    raise InputError(", ".join(inputs), f"no papers read: {reasons}")


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
    _parallel_options(p)
    _output(p)


def _run_metrics(args: argparse.Namespace) -> int:
    from cascade.parallel import default_workers

    if args.dask is None and (args.workers or default_workers()) == 1:
        # Serial: stream the papers through the batched metrics, with a progress bar.
        from cascade.metrics import cascade_metrics, paper_metrics

        corpus = open_corpus(args)
        table = (paper_metrics if args.per == "paper" else cascade_metrics)(progress(corpus, args))
        log = corpus.log
    else:
        m = measure_papers(args)
        table = m.papers.drop(columns="source") if args.per == "paper" else m.cascades
        log = m.log
    require_papers(log, args.inputs)
    write_table(table, args.output, args.format)
    return finish(SimpleNamespace(log=log), args)


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
    p.add_argument("--top", type=int, metavar="N", help="keep the N largest nodes")
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
    _parallel_options(p)


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
        top=args.top,
        min_weight=args.min_weight,
        layout=args.layout,
        paper_node=args.paper_node,
        title=args.title,
        seed=args.seed,
    )
    return finish(SimpleNamespace(log=log), args)


# --- cascade compare / cascade report -----------------------------------------------------------


def _parallel_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local worker processes for the per-paper work (default: all cores; 1 = serial)",
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run the per-paper work on a Dask cluster (scheduler address, e.g. tcp://host:8786); "
        "workers read the input paths themselves",
    )


def _groups_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--groups", metavar="FILE.csv", help="CSV of citation_id,group: compare the groups"
    )


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
    _parallel_options(p)
    _groups_option(p)
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
        "cross-paper audience, group tests), papers.csv/.parquet, cascades.csv, "
        "influencers.csv, graphs/<citation_id>.html and plots/*.png/.svg. Same input, same "
        "bytes.",
    )
    _parallel_options(p)
    _groups_option(p)
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="report folder")
    p.add_argument("--top", type=int, default=20, help="influencers and pairs listed (default 20)")
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
        top=args.top,
        max_graphs=max_graphs,
        options=read_options(args),
        seed=args.seed,
        quiet=args.quiet,
        force=args.force,
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
    p.add_argument("--to", help=argparse.SUPPRESS)  # the 0.1 spelling of --format (deprecated)
    _formula_option(p)
    _parallel_options(p)
    p.add_argument("--level", default="user", metavar="user|tweet", help="users or tweets as nodes")
    p.add_argument(
        "--kinds",
        default="retweet,quote,reply",
        help="user level: comma-separated links to keep (retweet, quote, reply, mention)",
    )
    p.add_argument("-o", "--output", required=True, metavar="PATH", help="file to write")


def _run_export(args: argparse.Namespace) -> int:
    from cascade.export import export

    if args.to is not None:
        print("cascade: warning: --to is deprecated, use --format", file=sys.stderr)
    fmt = args.format or args.to
    papers, log = all_papers(args)
    require_papers(log, args.inputs)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
    written = export(papers, args.output, format=fmt, level=args.level, kinds=kinds,
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
    p.add_argument("--top", type=int, metavar="N", help="keep the first N rows of each ranking")
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
    _parallel_options(p)
    _output(p)


def _run_rank(args: argparse.Namespace) -> int:
    from cascade.rank import MEASURES, rank_users

    if args.top is not None and args.top < 1:
        raise ValueError("--top must be at least 1")
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
        top=args.top,
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


# --- cascade predict ---------------------------------------------------------------------------

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> float:
    """Seconds in a duration such as ``30m``, ``1h``, ``1.5h``, ``1d`` or ``3600`` (seconds).

    Parameters
    ----------
    text : str
        A positive number with an optional unit ``s``, ``m``, ``h`` or ``d``.

    Returns
    -------
    float
        Seconds; an ``argparse.ArgumentTypeError`` (a clear usage error) otherwise.

    Examples
    --------
    >>> duration("30m"), duration("6h"), duration("1d"), duration("3600")
    (1800.0, 21600.0, 86400.0, 3600.0)
    """
    value = text.strip().lower()
    scale = _UNITS.get(value[-1:], None)
    number = value[:-1] if scale else value
    try:
        seconds = float(number) * (scale or 1)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a positive duration (e.g. 3600, 30m, 1h, 6h, 1d)"
        )
    return seconds


def _add_predict(sub, common) -> None:
    p = sub.add_parser(
        "predict",
        parents=[common],
        help="predict each cascade's final size from its first hours (SEISMIC)",
        description="SEISMIC (Zhao et al., KDD 2015): each cascade's infectiousness with its 90%% "
        "interval and predicted final number of reshares, at each --at age; one row per cascade "
        "and age, with the observed final size for evaluation and the reason where there is no "
        "prediction.",
    )
    p.add_argument(
        "--at", type=duration, action="append", metavar="AGE",
        help="age of the cascade to predict at: 3600, 30m, 1h, 6h, 1d (repeatable; default 1h)",
    )  # fmt: skip
    p.add_argument("--n-star", type=float, default=100.0, help="mean resharer followers (100)")
    p.add_argument(
        "--min-size", type=int, default=1, metavar="N",
        help="only cascades with at least N reshares in the data (default 1)",
    )  # fmt: skip
    p.add_argument("--estimator", choices=("seismic", "mle"), default="seismic")
    p.add_argument(
        "--per", choices=("cascade", "paper"), default="cascade",
        help="one row per cascade and age (default), or papers ranked by predicted size per age",
    )  # fmt: skip
    _parallel_options(p)
    _output(p)


def _run_predict(args: argparse.Namespace) -> int:
    from cascade.predict import predict_cascades

    papers, log = all_papers(args)  # read on --workers processes; predicting is one pass
    require_papers(log, args.inputs)
    table = predict_cascades(
        papers,
        at=args.at or [3600.0],
        n_star=args.n_star,
        min_size=args.min_size,
        estimator=args.estimator,
    )
    if args.per == "paper" and len(table):
        import pandas as pd

        from cascade.compare import rank_by_predicted

        ranked = [rank_by_predicted(table, at).assign(at_s=at) for at in dict.fromkeys(table.at_s)]
        table = pd.concat(ranked, ignore_index=True)
    write_table(table, args.output, args.format, formula_guard=not args.no_formula_guard)
    return finish(SimpleNamespace(log=log), args)


# In the order --help lists them: the main job first.
COMMANDS: list[tuple[str, Callable, Callable]] = [
    ("report", _add_report, _run_report),
    ("metrics", _add_metrics, _run_metrics),
    ("rank", _add_rank, _run_rank),
    ("graph", _add_graph, _run_graph),
    ("compare", _add_compare, _run_compare),
    ("export", _add_export, _run_export),
    ("predict", _add_predict, _run_predict),
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cascade`` command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="cascade",
        description="Information cascades of tweets about scholarly papers.",
    )
    parser.add_argument("--version", action="version", version=f"cascade {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common()
    runners = {}
    for name, add, run in COMMANDS:
        add(sub, common)
        runners[name] = run
    args = parser.parse_args(argv)
    # A run allocates millions of short-lived containers (parsed JSON) and keeps few: collect the
    # youngest generation every 50,000 allocations rather than every 700 (cycles still go).
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        return runners[args.command](args)
    except InputError as err:
        print(f"cascade: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        if isinstance(err, OSError) or (isinstance(err, ValueError) and _raised_here(err)):
            print(f"cascade: error: {err}", file=sys.stderr)  # a bad option or path
            return 2
        if args.debug:
            raise
        print(
            f"cascade: internal error (a bug in cascade, please report it): "
            f"{type(err).__name__}: {err}\ncascade: run again with --debug for the traceback",
            file=sys.stderr,
        )
        return 1
    finally:
        gc.set_threshold(*threshold)


def _raised_here(err: BaseException) -> bool:
    """Whether ``err`` was raised by cascade's own code (a check of the user's options), not
    inside a library it calls (which would be a bug of ours)."""
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    path = tb.tb_frame.f_code.co_filename
    # A C function (numpy's) raising adds no frame: the line itself must be our `raise`.
    own = os.path.dirname(path).startswith(os.path.dirname(os.path.abspath(__file__)))
    return own and linecache.getline(path, tb.tb_lineno).lstrip().startswith("raise")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
