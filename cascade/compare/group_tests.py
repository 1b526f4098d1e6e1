"""Group tests of paper metrics: Mann-Whitney U and Kolmogorov-Smirnov for every pair of groups.

scipy.stats is imported when a test runs (:func:`scipy_stats`), not with the package: it takes
about 0.7 s, which a report without groups would pay for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import combinations
from types import ModuleType

import numpy as np
import pandas as pd

from cascade.compare.tables import column, group_names, group_of, metric_names
from cascade.deprecation import renamed_keyword

__all__ = [
    "TEST_COLUMNS",
    "group_tests",
    "holm",
    "mw_row",
    "rank_biserial",
    "scipy_stats",
    "two_sample",
]


def scipy_stats() -> ModuleType:
    """scipy.stats, imported when a test runs: it takes about 0.7 s, paid by every report."""
    from scipy import stats

    return stats


def rank_biserial(u: float, n1: int, n2: int) -> float:
    """P(X > Y) - P(X < Y) from the Mann-Whitney U of the first sample."""
    return float(2.0 * u / (n1 * n2) - 1.0)


def two_sample(a: np.ndarray, b: np.ndarray) -> list[tuple[str, float, float, float, str]]:
    """(test, statistic, p value, effect size, effect measure) for Mann-Whitney U and KS."""
    if a.size == 0 or b.size == 0:
        nan = float("nan")
        return [("mann-whitney", nan, nan, nan, "rank-biserial"), ("ks", nan, nan, nan, "D")]
    mw = scipy_stats().mannwhitneyu(a, b, alternative="two-sided", method="auto")
    ks = scipy_stats().ks_2samp(a, b, alternative="two-sided", method="auto")
    return [
        (
            "mann-whitney",
            float(mw.statistic),
            float(mw.pvalue),
            rank_biserial(mw.statistic, a.size, b.size),
            "rank-biserial",
        ),
        ("ks", float(ks.statistic), float(ks.pvalue), float(ks.statistic), "D"),
    ]


def holm(p: np.ndarray) -> np.ndarray:
    """Holm-Bonferroni adjusted p values (NaN stays NaN)."""
    out = np.full(p.shape, np.nan)
    known = np.flatnonzero(~np.isnan(p))
    if known.size == 0:
        return out
    order = known[np.argsort(p[known], kind="stable")]
    m = order.size
    adjusted = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
    out[order] = adjusted
    return out


TEST_COLUMNS = [
    "metric",
    "test",
    "groups",
    "n",
    "statistic",
    "p_value",
    "p_holm",
    "effect_size",
    "effect_measure",
    "median_a",
    "median_b",
]


@renamed_keyword("papers", "table")
def group_tests(
    table: pd.DataFrame,
    groups: Mapping[str, str] | pd.Series,
    metrics: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Test each metric for a difference between every pair of groups.

    Two-sided Mann-Whitney U (effect size: rank-biserial correlation, ``P(a > b) - P(a < b)``,
    from -1 to 1, positive when group ``a`` tends to be larger) and two-sample
    Kolmogorov-Smirnov (effect size: the distance D between the two empirical distributions,
    0 to 1). NaN values are left out. ``p_holm`` adjusts the p values of each test for the
    number of comparisons (Holm-Bonferroni).

    Parameters
    ----------
    table : pandas.DataFrame
        A paper table with ``citation_id``.
    groups : mapping or Series
        citation id -> group; papers without a group are left out.
    metrics : iterable of str, optional
        Default :data:`METRICS`.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric``, ``test`` (``mann-whitney`` or ``ks``), ``groups`` (the pair ``(a,
        b)``, sorted), ``n`` (sizes ``(n_a, n_b)``), ``statistic`` (U of group a, or D),
        ``p_value``, ``p_holm``, ``effect_size``, ``effect_measure``, ``median_a``, ``median_b``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = pd.DataFrame({"citation_id": [str(i) for i in range(60)],
    ...                   "tweets": np.r_[rng.normal(0, 1, 30), rng.normal(3, 1, 30)]})
    >>> g = {str(i): "a" if i < 30 else "b" for i in range(60)}
    >>> r = group_tests(t, g, ["tweets"])
    >>> r[["test", "effect_size"]].values.tolist()
    [['mann-whitney', -1.0], ['ks', 1.0]]
    >>> bool((r["p_value"] < 1e-6).all())
    True
    """
    assigned = group_of(table, groups)
    names = group_names(assigned)
    rows = []
    for m in metric_names(table, metrics):
        values = column(table, m)
        by_group = {g: values[(assigned == g).to_numpy()] for g in names}
        by_group = {g: v[~np.isnan(v)] for g, v in by_group.items()}
        for a, b in combinations(names, 2):
            x, y = by_group[a], by_group[b]
            for test, statistic, p, effect, measure in two_sample(x, y):
                rows.append(
                    {
                        "metric": m,
                        "test": test,
                        "groups": (a, b),
                        "n": (int(x.size), int(y.size)),
                        "statistic": statistic,
                        "p_value": p,
                        "effect_size": effect,
                        "effect_measure": measure,
                        "median_a": float(np.median(x)) if x.size else np.nan,
                        "median_b": float(np.median(y)) if y.size else np.nan,
                    }
                )
    out = pd.DataFrame(rows, columns=[c for c in TEST_COLUMNS if c != "p_holm"])
    out.insert(6, "p_holm", np.nan)
    for test in ("mann-whitney", "ks"):
        mask = (out["test"] == test).to_numpy()
        out.loc[mask, "p_holm"] = holm(out.loc[mask, "p_value"].to_numpy(dtype=np.float64))
    return out


def mw_row(metric: str, pair: tuple[str, str], label: str, x: np.ndarray, y: np.ndarray) -> dict:
    nan = float("nan")
    if x.size and y.size:
        mw = scipy_stats().mannwhitneyu(x, y, alternative="two-sided")
        statistic, p = float(mw.statistic), float(mw.pvalue)
        effect = rank_biserial(mw.statistic, x.size, y.size)
    else:
        statistic = p = effect = nan
    return {
        "metric": metric,
        "groups": pair,
        "size_bin": label,
        "n": (int(x.size), int(y.size)),
        "median_a": float(np.median(x)) if x.size else nan,
        "median_b": float(np.median(y)) if y.size else nan,
        "statistic": statistic,
        "p_value": p,
        "effect_size": effect,
    }
