"""Tables for the report's index page: one number format everywhere, and no column that says
nothing (a constant ``papers = 1``, or a lower-case ``user`` beside its display ``handle``).

The format is the one the page's own script uses for the sortable papers table: integers with
thousands separators, other numbers to three significant digits (whole numbers from 1,000 up),
never scientific notation between 0.001 and 10^15.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["fmt_cell", "html_table", "plural"]


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``"1 paper"``, ``"2 papers"``, with thousands separators.

    Examples
    --------
    >>> plural(1, "paper"), plural(2000, "paper"), plural(2, "reply", "replies")
    ('1 paper', '2,000 papers', '2 replies')
    """
    return f"{n:,} {noun if n == 1 else (many or noun + 's')}"


def fmt_cell(value: Any) -> str:
    """A table cell: thousands separators, 3 significant digits, ISO dates, "" when missing.

    Examples
    --------
    >>> [fmt_cell(v) for v in (1804, 1650.3, 1.37, 0.000123, float("nan"), None, True)]
    ['1,804', '1,650', '1.37', '0.000123', '', '', 'yes']
    >>> fmt_cell(pd.Timestamp("2019-02-28 01:55:24")), fmt_cell(("a", "b"))
    ('2019-02-28 01:55', 'a vs b')
    """
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else ""
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "\u221e" if v > 0 else "-\u221e"
        if abs(v) >= 1000 or (v == int(v) and abs(v) < 1e15):
            return f"{round(v):,}" if abs(v) < 1e15 else f"{v:.3g}"
        if abs(v) >= 1e-3:
            return f"{float(f'{v:.3g}')}".removesuffix(".0")
        return f"{v:.3g}"
    if isinstance(value, tuple):
        return " vs ".join(fmt_cell(v) for v in value)
    return str(value)


def _redundant(frame: pd.DataFrame, columns: list[str], drop_constant: Sequence[str]) -> set[str]:
    out = set()
    for c in drop_constant:
        if c in columns and len(frame) and frame[c].nunique(dropna=False) <= 1:
            out.add(c)
    if "user" in columns and "handle" in columns and len(frame):
        same = frame["user"].astype(str).str.lower() == frame["handle"].astype(str).str.lower()
        if bool(same.all()):
            out.add("user")  # the handle column already shows it, in its display form
    return out


def html_table(
    frame: pd.DataFrame,
    columns: list[str] | None = None,
    *,
    drop_constant: Sequence[str] = ("papers",),
) -> dict[str, Any]:
    """The template's table record: column names, which are numeric, and formatted rows.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : list of str, optional
        Columns to show, in order; default all.
    drop_constant : sequence of str, default ("papers",)
        Columns left out when they hold one value throughout (a per-paper table's
        ``papers = 1``). A ``user`` column equal to ``handle`` but for case is left out too.

    Returns
    -------
    dict
        ``columns``, ``numeric`` (one bool per column) and ``rows`` (lists of strings).

    Examples
    --------
    >>> t = pd.DataFrame({"user": ["ann"], "handle": ["Ann"], "papers": [1], "reach": [1650.3]})
    >>> html_table(t)
    {'columns': ['handle', 'reach'], 'numeric': [False, True], 'rows': [['Ann', '1,650']]}
    """
    columns = list(frame.columns) if columns is None else list(columns)
    gone = _redundant(frame, columns, drop_constant)
    columns = [c for c in columns if c not in gone]
    numeric = [
        bool(pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]))
        for c in columns
    ]
    rows = [[fmt_cell(v) for v in row] for row in frame[columns].itertuples(index=False, name=None)]
    return {"columns": columns, "numeric": numeric, "rows": rows}
