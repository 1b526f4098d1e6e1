"""Depth and structural virality compared within cascade-size bins (van Elteren's test).

Bigger cascades are deeper and more viral, so a group with bigger cascades looks more viral even
when cascades of equal size are alike (Juul & Ugander 2021, PNAS 118(46)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from cascade.compare.group_tests import mw_row, scipy_stats
from cascade.compare.tables import column, group_names, group_of

__all__ = [
    "SIZE_MATCHED_COLUMNS",
    "SIZE_MATCHED_METRICS",
    "size_bins",
    "size_matched",
    "van_elteren",
]

#: Cascade metrics compared within size bins.
SIZE_MATCHED_METRICS = ("depth", "structural_virality")


def size_bins(max_size: int, *, start: int = 2) -> list[int]:
    """Powers-of-two bin edges from ``start`` past ``max_size``: bins ``[2, 4), [4, 8), ...``.

    Examples
    --------
    >>> size_bins(9)
    [2, 4, 8, 16]
    >>> size_bins(1)
    [2, 4]
    """
    edges = [start]
    while edges[-1] <= max_size or len(edges) < 2:
        edges.append(edges[-1] * 2)
    return edges


def van_elteren(strata: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """Van Elteren's stratified Wilcoxon test: (z, two-sided p), tie-corrected."""
    num, var = 0.0, 0.0
    for x, y in strata:
        n1, n2 = x.size, y.size
        n = n1 + n2
        ranks = scipy_stats().rankdata(np.concatenate([x, y]))
        w = 1.0 / (n + 1.0)  # locally most powerful weights
        _, ties = np.unique(ranks, return_counts=True)
        v = n1 * n2 / 12.0 * ((n + 1.0) - np.sum(ties**3 - ties) / (n * (n - 1.0)))
        num += w * (ranks[:n1].sum() - n1 * (n + 1.0) / 2.0)
        var += w * w * v
    if var <= 0:
        return float("nan"), float("nan")
    z = num / np.sqrt(var)
    return float(z), float(2.0 * scipy_stats().norm.sf(abs(z)))


SIZE_MATCHED_COLUMNS = [
    "metric",
    "groups",
    "size_bin",
    "n",
    "median_a",
    "median_b",
    "statistic",
    "p_value",
    "effect_size",
]


def size_matched(
    cascades: pd.DataFrame,
    groups: Mapping[str, str] | pd.Series,
    metrics: Sequence[str] = SIZE_MATCHED_METRICS,
    *,
    bins: Sequence[int] | None = None,
    min_per_group: int = 3,
) -> pd.DataFrame:
    """Compare cascade depth and structural virality between groups at matched cascade size.

    Cascades (of size >= 2) are binned by size; within each bin where both groups have at least
    ``min_per_group`` cascades, a Mann-Whitney U test compares them (effect size: rank-biserial
    correlation, positive when group ``a`` is larger). Two summary rows follow per metric and
    pair: ``all sizes`` (unmatched: the naive comparison) and ``size-matched``: van Elteren's
    stratified test over the bins (``statistic`` is its z), with the bins' rank-biserial
    correlations averaged with weights ``n_a * n_b``.

    Parameters
    ----------
    cascades : pandas.DataFrame
        A cascade table (:func:`cascade.cascade_metrics`): ``citation_id``, ``size`` and the
        metrics.
    groups : mapping or Series
        citation id -> group; cascades of papers without a group are left out.
    metrics : sequence of str
        Default ``("depth", "structural_virality")``.
    bins : sequence of int, optional
        Increasing bin edges ``[e0, e1, ...]`` giving bins ``[e0, e1)``, ...; default powers of
        two from 2 (:func:`size_bins`).
    min_per_group : int
        Fewer cascades than this in either group leave a bin out.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric``, ``groups`` (pair), ``size_bin`` (``"4-7"``, ``"all sizes"``,
        ``"size-matched"``), ``n`` (pair of counts), ``median_a``, ``median_b``, ``statistic``,
        ``p_value``, ``effect_size``.
    """
    table = cascades[cascades["size"].to_numpy() >= 2]
    assigned = group_of(table, groups)
    names = group_names(assigned)
    size = table["size"].to_numpy()
    edges = list(bins) if bins is not None else size_bins(int(size.max(initial=2)))
    which = np.searchsorted(np.asarray(edges), size, side="right") - 1
    which[size >= edges[-1]] = -1  # outside the last edge: left out
    rows = []
    for m in metrics:
        values = column(table, m)
        for a, b in combinations(names, 2):
            in_a = (assigned == a).to_numpy() & ~np.isnan(values)
            in_b = (assigned == b).to_numpy() & ~np.isnan(values)
            strata, weights, effects = [], [], []
            for k in range(len(edges) - 1):
                x, y = values[in_a & (which == k)], values[in_b & (which == k)]
                if min(x.size, y.size) < max(1, min_per_group):
                    continue
                label = f"{edges[k]}-{edges[k + 1] - 1}"
                rows.append(mw_row(m, (a, b), label, x, y))
                strata.append((x, y))
                weights.append(x.size * y.size)
                effects.append(rows[-1]["effect_size"])
            rows.append(mw_row(m, (a, b), "all sizes", values[in_a], values[in_b]))
            z, p = van_elteren(strata) if strata else (np.nan, np.nan)
            n_a, n_b = sum(s[0].size for s in strata), sum(s[1].size for s in strata)
            matched_a = np.concatenate([s[0] for s in strata]) if strata else np.empty(0)
            matched_b = np.concatenate([s[1] for s in strata]) if strata else np.empty(0)
            rows.append(
                {
                    "metric": m,
                    "groups": (a, b),
                    "size_bin": "size-matched",
                    "n": (int(n_a), int(n_b)),
                    "median_a": float(np.median(matched_a)) if n_a else np.nan,
                    "median_b": float(np.median(matched_b)) if n_b else np.nan,
                    "statistic": z,
                    "p_value": p,
                    "effect_size": float(np.average(effects, weights=weights))
                    if effects
                    else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=SIZE_MATCHED_COLUMNS)
