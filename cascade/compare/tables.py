"""Paper tables described: the metrics compared, their distributions, groups of papers.

Every function here takes a paper table (:func:`cascade.paper_metrics`, one row per paper) as
``table``; the 0.1 keyword ``papers=`` is deprecated (``papers`` names an iterable of
:class:`~cascade.model.Paper` everywhere else).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from cascade.deprecation import renamed_keyword
from cascade.errors import InputError
from cascade.metrics import PAPER_COLUMNS

__all__ = [
    "METRICS",
    "check_groups",
    "column",
    "describe",
    "distributions",
    "group_names",
    "group_of",
    "group_summary",
    "metric_names",
    "read_groups",
]

#: Paper metrics compared by default (columns of :func:`cascade.paper_metrics`).
METRICS = tuple(
    c
    for c in PAPER_COLUMNS
    if c
    not in ("citation_id", "first_tweet", "last_tweet", "placeholders", "duplicates", "skipped")
)


def metric_names(table: pd.DataFrame, metrics: Iterable[str] | None) -> list[str]:
    if metrics is None:
        return [m for m in METRICS if m in table.columns]
    metrics = list(metrics)
    missing = [m for m in metrics if m not in table.columns]
    if missing:
        raise ValueError(f"no such metric column(s): {', '.join(missing)}")
    return metrics


def describe(values: np.ndarray) -> dict[str, float]:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return dict.fromkeys(("n", "mean", "min", "q1", "median", "q3", "max"), np.nan) | {"n": 0}
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {
        "n": int(values.size),
        "mean": float(values.mean()),
        "min": float(values.min()),
        "q1": float(q1),
        "median": float(median),
        "q3": float(q3),
        "max": float(values.max()),
    }


def column(table: pd.DataFrame, metric: str) -> np.ndarray:
    return pd.to_numeric(table[metric], errors="coerce").to_numpy(dtype=np.float64)


@renamed_keyword("papers", "table")
def distributions(table: pd.DataFrame, metrics: Iterable[str] | None = None) -> pd.DataFrame:
    """Median, quartiles, mean and range of each metric over the papers (NaN values left out).

    Parameters
    ----------
    table : pandas.DataFrame
        A paper table, e.g. :func:`cascade.paper_metrics`.
    metrics : iterable of str, optional
        Columns to describe; default :data:`METRICS`.

    Returns
    -------
    pandas.DataFrame
        One row per metric: ``metric``, ``n``, ``mean``, ``min``, ``q1``, ``median``, ``q3``,
        ``max``.

    Examples
    --------
    >>> t = pd.DataFrame({"tweets": [1, 2, 3, 4, 100]})
    >>> distributions(t, ["tweets"])[["n", "q1", "median", "q3"]].values.tolist()
    [[5.0, 2.0, 3.0, 4.0]]
    """
    rows = [{"metric": m, **describe(column(table, m))} for m in metric_names(table, metrics)]
    return pd.DataFrame(rows, columns=["metric", "n", "mean", "min", "q1", "median", "q3", "max"])


def read_groups(path: str | os.PathLike) -> pd.Series:
    """Read a CSV of ``citation_id,group`` into a Series (index: citation id, values: group).

    Parameters
    ----------
    path : str or path-like
        UTF-8 CSV with a header naming the columns ``citation_id`` and ``group`` (other columns
        are ignored). Ids and groups are read as text; blank groups leave the paper out.

    Returns
    -------
    pandas.Series
        Named ``group``, indexed by ``citation_id``, in file order.

    Raises
    ------
    InputError
        For a missing column, or a paper listed twice with different groups.
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            text = f.read()
    except OSError as err:
        raise InputError(path, f"cannot read: {err}") from None
    reader = csv.DictReader(io.StringIO(text))
    fields = [c.strip() for c in reader.fieldnames or []]
    for needed in ("citation_id", "group"):
        if needed not in fields:
            raise InputError(path, "the groups CSV needs a header with columns citation_id,group")
    reader.fieldnames = fields
    groups: dict[str, str] = {}
    for line, row in enumerate(reader, 2):
        cid, group = (row.get("citation_id") or "").strip(), (row.get("group") or "").strip()
        if not cid or not group:
            continue
        if groups.get(cid, group) != group:
            raise InputError(
                path, f"paper {cid!r} is in two groups: {groups[cid]!r} and {group!r}", line=line
            )
        groups[cid] = group
    series = pd.Series(groups, name="group", dtype=object)
    series.index.name = "citation_id"
    return series


@renamed_keyword("papers", "table")
def check_groups(
    table: pd.DataFrame, groups: Mapping[str, str] | pd.Series, *, source: str = "groups"
) -> list[str]:
    """What is wrong with a grouping of these papers, one line each (empty when nothing).

    Papers named in ``groups`` but absent from ``table``, groups left with no paper, and fewer
    than two groups with papers (no test can run) are each reported.

    Parameters
    ----------
    table : pandas.DataFrame
        A paper table with ``citation_id``.
    groups : mapping or Series
        citation id -> group.
    source : str
        Where the grouping came from, for the messages.

    Returns
    -------
    list of str

    Examples
    --------
    >>> t = pd.DataFrame({"citation_id": ["a", "b"]})
    >>> for line in check_groups(t, {"a": "x", "c": "y"}):
    ...     print(line)
    groups: 1 paper not in the data (c)
    groups: group y has no paper in the data
    groups: only 1 group has papers (x): no group test can run
    """
    groups = pd.Series(groups, dtype=object)
    groups.index = groups.index.astype(str)
    present = set(table["citation_id"].astype(str))
    missing = [c for c in groups.index if c not in present]
    out = []
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        noun = "paper" if len(missing) == 1 else "papers"
        out.append(f"{source}: {len(missing)} {noun} not in the data ({shown})")
    used = groups[[c in present for c in groups.index]]
    for group in sorted(set(map(str, groups)) - set(map(str, used))):
        out.append(f"{source}: group {group} has no paper in the data")
    names = sorted(set(map(str, used)))
    if len(names) < 2:
        out.append(
            f"{source}: only {len(names)} group has papers ({', '.join(names) or 'none'}): "
            "no group test can run"
        )
    return out


def group_of(table: pd.DataFrame, groups: Mapping[str, str] | pd.Series) -> pd.Series:
    groups = pd.Series(groups, dtype=object)
    groups.index = groups.index.astype(str)
    return table["citation_id"].astype(str).map(groups)


def group_names(assigned: pd.Series) -> list[str]:
    return sorted(str(g) for g in assigned.dropna().unique())


@renamed_keyword("papers", "table")
def group_summary(
    table: pd.DataFrame,
    groups: Mapping[str, str] | pd.Series,
    metrics: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per group and metric: n, mean, quartiles and range.

    Parameters
    ----------
    table : pandas.DataFrame
        A paper table with ``citation_id``.
    groups : mapping or Series
        citation id -> group (see :func:`read_groups`). Papers without a group are left out.
    metrics : iterable of str, optional
        Default :data:`METRICS`.

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``metric``, ``n``, ``mean``, ``min``, ``q1``, ``median``, ``q3``,
        ``max``; groups sorted by name.
    """
    assigned = group_of(table, groups)
    rows = []
    for group in group_names(assigned):
        part = table[(assigned == group).to_numpy()]
        for m in metric_names(table, metrics):
            rows.append({"group": group, "metric": m, **describe(column(part, m))})
    columns = ["group", "metric", "n", "mean", "min", "q1", "median", "q3", "max"]
    return pd.DataFrame(rows, columns=columns)
