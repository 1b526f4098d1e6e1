"""``cascade predict``: SEISMIC final-size predictions of every cascade, at given ages."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from types import SimpleNamespace

from cascade.cli.options import (
    all_papers,
    finish,
    output_options,
    parallel_options,
    require_papers,
)
from cascade.output import write_table

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
    parallel_options(p)
    output_options(p)


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


COMMANDS: list[tuple[str, Callable, Callable]] = [("predict", _add_predict, _run_predict)]
