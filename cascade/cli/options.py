"""Options every command shares, and the steps every command runs (read, finish, exit code)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from cascade.errors import InputError
from cascade.io import FORMAT_NAMES, Corpus, ReadLog, ReadOptions
from cascade.model import Paper
from cascade.output import TABLE_FORMATS
from cascade.reconstruct import (
    DEFAULT_ALPHA,
    DEFAULT_GAMMA,
    DEFAULT_SAMPLES,
    INFLUENCE_BETA,
    INFLUENCE_RATE,
    METHODS,
    Reconstruction,
)

__all__ = [
    "all_papers",
    "apply_renamed",
    "common_options",
    "deprecated_option",
    "finish",
    "formula_option",
    "groups_option",
    "measure_papers",
    "output_options",
    "parallel_options",
    "read_options",
    "reconstruction",
    "require_papers",
]


def common_options() -> argparse.ArgumentParser:
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
    reconstruct_arguments(p)
    return p


def reconstruct_arguments(p: argparse.ArgumentParser) -> None:
    """--reconstruct METHOD and its parameters (see cascade.reconstruct)."""
    g = p.add_argument_group("reconstruction of retweet paths")
    g.add_argument(
        "--reconstruct", choices=METHODS, default="credited", metavar="METHOD",
        help="how retweets get their parents: " + ", ".join(METHODS) + " (default: credited)",
    )  # fmt: skip
    g.add_argument(
        "--samples", type=int, default=DEFAULT_SAMPLES,
        help=f"pdi: trees sampled (default {DEFAULT_SAMPLES})",
    )  # fmt: skip
    g.add_argument("--reconstruct-seed", type=int, default=0, help="seed of the sampled trees")
    g.add_argument("--gamma", type=float, default=DEFAULT_GAMMA, help="pdi: followers weight")
    g.add_argument("--alpha", type=float, default=DEFAULT_ALPHA, help="pdi: time exponent")
    g.add_argument("--fit-alpha", action="store_true", help="pdi: fit alpha to each paper")
    g.add_argument("--beta", type=float, default=INFLUENCE_BETA, help="influence: f exponent")
    g.add_argument("--rate", type=float, default=INFLUENCE_RATE, help="influence: decay /s")
    g.add_argument("--follow-graph", metavar="FILE", help="follow-graph: CSV of follower,followee")


def output_options(p: argparse.ArgumentParser, default: str = "table") -> None:
    p.add_argument("--format", choices=TABLE_FORMATS, default=default, help="output format")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    formula_option(p)


def formula_option(p: argparse.ArgumentParser) -> None:
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
        same_text=args.same_text,
        reconstruction=reconstruction(args),
    )


def all_papers(args: argparse.Namespace) -> tuple[list[Paper], ReadLog]:
    """Every paper of the inputs, read on ``--workers`` processes or ``--dask``; and the log."""
    from cascade.parallel import read_papers

    return read_papers(args.inputs, **_run_options(args))


def measure_papers(args: argparse.Namespace):
    """Paper and cascade metrics of the inputs, on ``--workers`` processes or ``--dask``."""
    from cascade.parallel import measure

    return measure(args.inputs, **_run_options(args))


def _run_options(args: argparse.Namespace) -> dict:
    """Where and how the API reads (it decides what runs in this process)."""
    return {
        "workers": args.workers,
        "dask": args.dask,
        "options": read_options(args),
        "progress": not args.quiet,
    }


def reconstruction(args: argparse.Namespace) -> Reconstruction | None:
    """The ``--reconstruct`` method with every parameter given (each method reads its own)."""
    if args.reconstruct == "credited":
        return None
    return Reconstruction(
        args.reconstruct, samples=args.samples, seed=args.reconstruct_seed, gamma=args.gamma,
        alpha=args.alpha, fit_alpha=args.fit_alpha, beta=args.beta, rate=args.rate,
        follow_graph=args.follow_graph,
    )  # fmt: skip


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
        f.error
        or (f"{f.path}: {f.ignored}" if f.ignored else None)
        or f"{f.path}: no paper ({f.records} records, none usable)"
        for f in log.files.values()
    )
    raise InputError(", ".join(inputs), f"no papers read: {reasons}")


def parallel_options(p: argparse.ArgumentParser) -> None:
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


def deprecated_option(p: argparse.ArgumentParser, old: str, new: str, **kwargs: Any) -> None:
    """Accept ``old`` (a 0.1 spelling, hidden from --help) for the option ``new``, with a warning.

    The old option stores into the new one's destination; :func:`apply_renamed` warns.
    """
    dest = new.lstrip("-").replace("-", "_")
    p.add_argument(old, dest=f"_old_{dest}", help=argparse.SUPPRESS, **kwargs)
    p.set_defaults(_renamed=[*(p.get_default("_renamed") or []), (old, new, dest)])


def apply_renamed(args: argparse.Namespace) -> None:
    """Move the values given under deprecated spellings to their new options, with a warning."""
    for old, new, dest in getattr(args, "_renamed", None) or []:
        value = getattr(args, f"_old_{dest}", None)
        if value is None:
            continue
        print(f"cascade: warning: {old} is deprecated, use {new}", file=sys.stderr)
        setattr(args, dest, value)


def groups_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--groups", metavar="FILE.csv", help="CSV of citation_id,group: compare the groups"
    )
