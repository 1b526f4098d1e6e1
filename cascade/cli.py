"""The ``cascade`` command: a thin layer over the Python API.

Each subcommand is a pair of functions, ``_add_<name>(subparsers, common)`` that declares its
options and ``_run_<name>(args)`` that calls the API; ``COMMANDS`` lists them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence

from cascade import __version__
from cascade.io import Corpus, InputError, read
from cascade.model import Paper
from cascade.output import TABLE_FORMATS, write_table

__all__ = ["main"]


def _common() -> argparse.ArgumentParser:
    """Options every command that reads input shares."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, directories or globs")
    p.add_argument("--input-format", help="force the input format instead of detecting it")
    p.add_argument("--paper-id", help="paper id for inputs that carry none")
    p.add_argument(
        "--strict", action="store_true", help="exit 2 at the first unreadable file or skipped record"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    return p


def _output(p: argparse.ArgumentParser, default: str = "table") -> None:
    p.add_argument("--format", choices=TABLE_FORMATS, default=default, help="output format")
    p.add_argument("-o", "--output", help="output file (default: standard output)")


def open_corpus(args: argparse.Namespace) -> Corpus:
    """The corpus the command-line arguments name."""
    return read(
        args.inputs, input_format=args.input_format, paper_id=args.paper_id, strict=args.strict
    )


def progress(papers: Corpus, args: argparse.Namespace) -> Iterator[Paper]:
    """Iterate papers with a progress bar on a terminal's standard error (not with --quiet)."""
    if args.quiet or not sys.stderr.isatty():
        yield from papers
        return
    from tqdm import tqdm

    yield from tqdm(papers, unit=" papers", file=sys.stderr, leave=False)


def finish(corpus: Corpus, args: argparse.Namespace) -> int:
    """Report what was read and skipped; the exit code (2 under --strict when anything was)."""
    log = corpus.log
    for error in log.errors:
        print(f"cascade: error: {error}", file=sys.stderr)
    if not args.quiet:
        print(f"cascade: {log.summary()}", file=sys.stderr)
    if args.strict and (log.errors or sum(log.skipped.values())):
        return 2
    return 0


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
    _output(p)


def _run_metrics(args: argparse.Namespace) -> int:
    from cascade.metrics import cascade_metrics, paper_metrics

    corpus = open_corpus(args)
    measure = paper_metrics if args.per == "paper" else cascade_metrics
    table = measure(progress(corpus, args))
    write_table(table, args.output, args.format)
    return finish(corpus, args)


COMMANDS: list[tuple[str, Callable, Callable]] = [
    ("metrics", _add_metrics, _run_metrics),
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
    try:
        return runners[args.command](args)
    except InputError as err:
        print(f"cascade: error: {err}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as err:
        print(f"cascade: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
