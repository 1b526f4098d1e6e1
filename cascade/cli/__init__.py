"""The ``cascade`` command: a thin layer over the Python API.

Each subcommand is a pair of functions, ``_add_<name>(subparsers, common)`` that declares its
options and ``_run_<name>(args)`` that calls the API (:mod:`cascade.cli.commands`,
:mod:`cascade.cli.predict`); :mod:`cascade.cli.options` holds what they share; ``COMMANDS``
lists them in the order ``--help`` shows.
"""

from __future__ import annotations

import argparse
import gc
import linecache
import os
import sys
from collections.abc import Callable, Sequence

from cascade import __version__
from cascade.cli import commands, predict
from cascade.cli.options import apply_renamed, common_options
from cascade.cli.predict import duration
from cascade.errors import InputError

__all__ = ["COMMANDS", "duration", "main"]

COMMANDS: list[tuple[str, Callable, Callable]] = commands.COMMANDS + predict.COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cascade`` command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="cascade",
        description="Information cascades of tweets about scholarly papers.",
    )
    parser.add_argument("--version", action="version", version=f"cascade {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = common_options()
    runners = {}
    for name, add, run in COMMANDS:
        add(sub, common)
        runners[name] = run
    args = parser.parse_args(argv)
    apply_renamed(args)
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
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # cascade/
    own = os.path.dirname(path).startswith(package)
    return own and linecache.getline(path, tb.tb_lineno).lstrip().startswith("raise")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
