"""Comparing cascades across papers: distributions, group tests, size-matched tests, audiences.

* :func:`distributions`: median and quartiles of every paper metric over the corpus;
* :func:`group_summary` and :func:`group_tests`: per group summaries, and for each metric and
  each pair of groups a Mann-Whitney U test (effect size: rank-biserial correlation) and a
  two-sample Kolmogorov-Smirnov test (effect size: the KS distance D), from scipy;
* :func:`size_matched`: depth and structural virality compared *within cascade-size bins*, with a
  van Elteren stratified test over the bins. Bigger cascades are deeper and more viral, so a
  group with bigger cascades looks more viral even when cascades of equal size are alike
  (Juul & Ugander 2021, PNAS 118(46));
* :func:`audience_overlap` and :func:`spreaders`: users shared between papers (Jaccard
  similarity of their user sets) and users who spread many papers.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cascade.errors import InputError
from cascade.metrics import PAPER_COLUMNS
from cascade.predict.cascades import rank_by_predicted  # papers ranked at the same age

__all__ = [
    "METRICS",
    "SIZE_MATCHED_METRICS",
    "audience_overlap",
    "check_groups",
    "distributions",
    "group_summary",
    "group_tests",
    "rank_by_predicted",
    "read_groups",
    "size_bins",
    "size_matched",
    "spreaders",
]

#: Paper metrics compared by default (columns of :func:`cascade.paper_metrics`).
METRICS = tuple(
    c
    for c in PAPER_COLUMNS
    if c
    not in ("citation_id", "first_tweet", "last_tweet", "placeholders", "duplicates", "skipped")
)
#: Cascade metrics compared within size bins.
SIZE_MATCHED_METRICS = ("depth", "structural_virality")


def _stats():
    """scipy.stats, imported when a test runs: it takes about 0.7 s, paid by every report."""
    from scipy import stats

    return stats


def _metrics(table: pd.DataFrame, metrics: Iterable[str] | None) -> list[str]:
    if metrics is None:
        return [m for m in METRICS if m in table.columns]
    metrics = list(metrics)
    missing = [m for m in metrics if m not in table.columns]
    if missing:
        raise ValueError(f"no such metric column(s): {', '.join(missing)}")
    return metrics


def _describe(values: np.ndarray) -> dict[str, float]:
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


def _column(table: pd.DataFrame, metric: str) -> np.ndarray:
    return pd.to_numeric(table[metric], errors="coerce").to_numpy(dtype=np.float64)


def distributions(papers: pd.DataFrame, metrics: Iterable[str] | None = None) -> pd.DataFrame:
    """Median, quartiles, mean and range of each metric over the papers (NaN values left out).

    Parameters
    ----------
    papers : pandas.DataFrame
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
    rows = [{"metric": m, **_describe(_column(papers, m))} for m in _metrics(papers, metrics)]
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


def check_groups(
    papers: pd.DataFrame, groups: Mapping[str, str] | pd.Series, *, source: str = "groups"
) -> list[str]:
    """What is wrong with a grouping of these papers, one line each (empty when nothing).

    Papers named in ``groups`` but absent from ``papers``, groups left with no paper, and fewer
    than two groups with papers (no test can run) are each reported.

    Parameters
    ----------
    papers : pandas.DataFrame
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
    present = set(papers["citation_id"].astype(str))
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


def _group_of(table: pd.DataFrame, groups: Mapping[str, str] | pd.Series) -> pd.Series:
    groups = pd.Series(groups, dtype=object)
    groups.index = groups.index.astype(str)
    return table["citation_id"].astype(str).map(groups)


def _group_names(assigned: pd.Series) -> list[str]:
    return sorted(str(g) for g in assigned.dropna().unique())


def group_summary(
    papers: pd.DataFrame,
    groups: Mapping[str, str] | pd.Series,
    metrics: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Per group and metric: n, mean, quartiles and range.

    Parameters
    ----------
    papers : pandas.DataFrame
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
    assigned = _group_of(papers, groups)
    rows = []
    for group in _group_names(assigned):
        part = papers[(assigned == group).to_numpy()]
        for m in _metrics(papers, metrics):
            rows.append({"group": group, "metric": m, **_describe(_column(part, m))})
    columns = ["group", "metric", "n", "mean", "min", "q1", "median", "q3", "max"]
    return pd.DataFrame(rows, columns=columns)


def _rank_biserial(u: float, n1: int, n2: int) -> float:
    """P(X > Y) - P(X < Y) from the Mann-Whitney U of the first sample."""
    return float(2.0 * u / (n1 * n2) - 1.0)


def _two_sample(a: np.ndarray, b: np.ndarray) -> list[tuple[str, float, float, float, str]]:
    """(test, statistic, p value, effect size, effect measure) for Mann-Whitney U and KS."""
    if a.size == 0 or b.size == 0:
        nan = float("nan")
        return [("mann-whitney", nan, nan, nan, "rank-biserial"), ("ks", nan, nan, nan, "D")]
    mw = _stats().mannwhitneyu(a, b, alternative="two-sided", method="auto")
    ks = _stats().ks_2samp(a, b, alternative="two-sided", method="auto")
    return [
        (
            "mann-whitney",
            float(mw.statistic),
            float(mw.pvalue),
            _rank_biserial(mw.statistic, a.size, b.size),
            "rank-biserial",
        ),
        ("ks", float(ks.statistic), float(ks.pvalue), float(ks.statistic), "D"),
    ]


def _holm(p: np.ndarray) -> np.ndarray:
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


def group_tests(
    papers: pd.DataFrame,
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
    papers : pandas.DataFrame
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
    assigned = _group_of(papers, groups)
    names = _group_names(assigned)
    rows = []
    for m in _metrics(papers, metrics):
        values = _column(papers, m)
        by_group = {g: values[(assigned == g).to_numpy()] for g in names}
        by_group = {g: v[~np.isnan(v)] for g, v in by_group.items()}
        for a, b in combinations(names, 2):
            x, y = by_group[a], by_group[b]
            for test, statistic, p, effect, measure in _two_sample(x, y):
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
        out.loc[mask, "p_holm"] = _holm(out.loc[mask, "p_value"].to_numpy(dtype=np.float64))
    return out


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


def _van_elteren(strata: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """Van Elteren's stratified Wilcoxon test: (z, two-sided p), tie-corrected."""
    num, var = 0.0, 0.0
    for x, y in strata:
        n1, n2 = x.size, y.size
        n = n1 + n2
        ranks = _stats().rankdata(np.concatenate([x, y]))
        w = 1.0 / (n + 1.0)  # locally most powerful weights
        _, ties = np.unique(ranks, return_counts=True)
        v = n1 * n2 / 12.0 * ((n + 1.0) - np.sum(ties**3 - ties) / (n * (n - 1.0)))
        num += w * (ranks[:n1].sum() - n1 * (n + 1.0) / 2.0)
        var += w * w * v
    if var <= 0:
        return float("nan"), float("nan")
    z = num / np.sqrt(var)
    return float(z), float(2.0 * _stats().norm.sf(abs(z)))


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
    assigned = _group_of(table, groups)
    names = _group_names(assigned)
    size = table["size"].to_numpy()
    edges = list(bins) if bins is not None else size_bins(int(size.max(initial=2)))
    which = np.searchsorted(np.asarray(edges), size, side="right") - 1
    which[size >= edges[-1]] = -1  # outside the last edge: left out
    rows = []
    for m in metrics:
        values = _column(table, m)
        for a, b in combinations(names, 2):
            in_a = (assigned == a).to_numpy() & ~np.isnan(values)
            in_b = (assigned == b).to_numpy() & ~np.isnan(values)
            strata, weights, effects = [], [], []
            for k in range(len(edges) - 1):
                x, y = values[in_a & (which == k)], values[in_b & (which == k)]
                if min(x.size, y.size) < max(1, min_per_group):
                    continue
                label = f"{edges[k]}-{edges[k + 1] - 1}"
                rows.append(_mw_row(m, (a, b), label, x, y))
                strata.append((x, y))
                weights.append(x.size * y.size)
                effects.append(rows[-1]["effect_size"])
            rows.append(_mw_row(m, (a, b), "all sizes", values[in_a], values[in_b]))
            z, p = _van_elteren(strata) if strata else (np.nan, np.nan)
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


def _mw_row(metric: str, pair: tuple[str, str], label: str, x: np.ndarray, y: np.ndarray) -> dict:
    nan = float("nan")
    if x.size and y.size:
        mw = _stats().mannwhitneyu(x, y, alternative="two-sided")
        statistic, p = float(mw.statistic), float(mw.pvalue)
        effect = _rank_biserial(mw.statistic, x.size, y.size)
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


def audience_overlap(
    paper_users: pd.DataFrame,
    *,
    top: int = 20,
    max_papers: int = 1000,
    min_users: int = 5,
) -> pd.DataFrame:
    """The pairs of papers whose audiences (sets of users who tweeted them) overlap most.

    Parameters
    ----------
    paper_users : pandas.DataFrame
        One row per (paper, user): columns ``citation_id`` and ``user`` (lower-case handle).
    top : int
        Pairs to return.
    max_papers : int
        Only the papers with the most users are paired (all pairs of 10,000 papers would be
        50 million); ties by citation id.
    min_users : int
        Papers with fewer users are left out (two papers with one shared user would otherwise
        have Jaccard similarity 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``paper_a``, ``paper_b`` (citation ids), ``users_a``, ``users_b``, ``shared``,
        ``jaccard`` (shared / union); sorted by Jaccard, then shared users, then ids. Only pairs
        that share at least one user.

    Examples
    --------
    >>> pu = pd.DataFrame({"citation_id": list("aaabbbc"), "user": list("xyzxyqz")})
    >>> audience_overlap(pu, min_users=1).values.tolist()
    [['a', 'b', 3, 3, 2, 0.5], ['a', 'c', 3, 1, 1, 0.3333333333333333]]
    """
    columns = ["paper_a", "paper_b", "users_a", "users_b", "shared", "jaccard"]
    pairs = paper_users[["citation_id", "user"]].drop_duplicates()
    counts = pairs.groupby("citation_id", sort=True).size()
    counts = counts[counts >= min_users]
    order = np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))
    keep = counts.iloc[order[:max_papers]].sort_index()
    pairs = pairs[pairs["citation_id"].isin(keep.index)]
    if len(keep) < 2:
        return pd.DataFrame({c: [] for c in columns})
    row = pd.Categorical(pairs["citation_id"], categories=keep.index).codes
    col, _ = pd.factorize(pairs["user"])
    m = sp.csr_matrix((np.ones(len(row)), (row, col)), shape=(len(keep), col.max() + 1))
    shared = sp.triu(m @ m.T, k=1).tocoo()
    size = keep.to_numpy()
    inter = np.rint(shared.data).astype(np.int64)
    jaccard = inter / (size[shared.row] + size[shared.col] - inter)
    ids = keep.index.to_numpy(dtype=object)
    out = pd.DataFrame(
        {
            "paper_a": ids[shared.row],
            "paper_b": ids[shared.col],
            "users_a": size[shared.row],
            "users_b": size[shared.col],
            "shared": inter,
            "jaccard": jaccard,
        }
    )
    out = out.sort_values(
        ["jaccard", "shared", "paper_a", "paper_b"], ascending=[False, False, True, True]
    )
    return out.head(top).reset_index(drop=True)


def spreaders(paper_users: pd.DataFrame, *, top: int = 20) -> pd.DataFrame:
    """Users who tweeted about the most papers.

    Parameters
    ----------
    paper_users : pandas.DataFrame
        One row per (paper, user): ``citation_id``, ``user`` (lower-case handle), optionally
        ``handle`` (display form), ``tweets`` and ``retweets_received`` (counts in that paper).
    top : int
        Rows to return.

    Returns
    -------
    pandas.DataFrame
        Columns ``user``, ``handle``, ``papers`` and, when given, the sums of ``tweets`` and
        ``retweets_received``; sorted by papers, then tweets, then user.

    Examples
    --------
    >>> pu = pd.DataFrame(
    ...     {"citation_id": list("aabc"), "user": list("xyxx"), "tweets": [1, 1, 2, 1]}
    ... )
    >>> spreaders(pu, top=1).values.tolist()
    [['x', 'x', 3, 4]]
    """
    table = paper_users.drop_duplicates(["citation_id", "user"])
    agg: dict[str, tuple[str, str]] = {
        "handle": ("handle" if "handle" in table else "user", "first"),
        "papers": ("citation_id", "nunique"),
    }
    for extra in ("tweets", "retweets_received"):
        if extra in table:
            agg[extra] = (extra, "sum")
    out = table.groupby("user", sort=True).agg(**agg).reset_index()
    keys = ["papers", "tweets"] if "tweets" in out else ["papers"]
    out = out.sort_values([*keys, "user"], ascending=[False] * len(keys) + [True], kind="stable")
    return out.head(top).reset_index(drop=True)
