"""SEISMIC predictions for every cascade of a corpus: one row per cascade and observation time.

A cascade is a root tweet and its descendants (the trees of :func:`cascade.metrics.forest`);
its reshares are the descendants that are real tweets (placeholders, tweets inferred but not in
the data, have no time and are left out). Times are seconds since the root.

Missing data, decided here:

* a root that is a placeholder, or has no time: no prediction (``reason``);
* a root whose follower count is unknown: no prediction (its followers are most of the exposure
  at the start, and guessing them would set ``p`` by the guess);
* a reshare whose follower count is unknown gets the median of the known reshare counts of its
  cascade (``followers_imputed`` counts them); with none known: no prediction;
* a reshare without a time cannot be placed: it counts in ``final_retweets`` only
  (``undated_retweets``);
* a reshare dated before its root (clock skew, edited data) counts as made at the root's time;
* no reshare before ``t``: no prediction at that time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd

from cascade.model import Batch, Paper, lexsort_whole, stack, take_strings
from cascade.predict.seismic import (
    MAX_WINDOW,
    MIN_COUNT,
    MIN_WINDOW,
    N_STAR,
    QUANTILES,
    S0,
    THETA,
    C,
    _segment_estimates,
)

__all__ = ["PREDICT_COLUMNS", "REASONS", "predict_cascades", "rank_by_predicted"]

PREDICT_COLUMNS = [
    "citation_id",
    "root_id",
    "at_s",
    "retweets_observed",
    "infectiousness",
    "infectiousness_low",
    "infectiousness_high",
    "predicted_retweets",
    "predicted_low",
    "predicted_high",
    "supercritical",
    "final_retweets",
    "reshares_in_window",
    "window_s",
    "followers_imputed",
    "undated_retweets",
    "reason",
]
#: Why a row has no prediction.
REASONS = {
    "placeholder": "root is a placeholder: its time is unknown",
    "root_time": "root time unknown",
    "root_followers": "root follower count unknown",
    "reshare_followers": "no reshare follower count known",
    "none_before": "no reshares before t",
    "no_exposure": "zero followers exposed before t",
}
_NAT = np.iinfo(np.int64).min
#: The reasons as small codes while the rows are made (0: predicted), and their texts.
_CODE = {name: i + 1 for i, name in enumerate(REASONS)}
_TEXT = np.array([None, *REASONS.values()], dtype=object)


def _batches(papers: Paper | Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    it = iter([papers] if isinstance(papers, Paper) else papers)
    while batch := list(islice(it, size)):
        yield batch


def _group_median(group: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """Median of the known values of each of ``k`` groups (NaN where none is known)."""
    known = ~np.isnan(values)
    med = pd.Series(values[known]).groupby(group[known]).median()
    out = np.full(k, np.nan)
    out[med.index.to_numpy(dtype=np.int64)] = med.to_numpy()
    return out


def _batch_rows(
    papers: list[Paper],
    at: np.ndarray,
    min_size: int,
    options: dict,
    b: Batch | None = None,
    columns: Sequence[str] = PREDICT_COLUMNS,
) -> pd.DataFrame:
    b = stack(papers) if b is None else b
    parent, time, followers = b.parent, b.time, b.followers
    roots = np.flatnonzero(parent < 0)
    k = roots.size
    cascade = b.cascade
    member = (parent >= 0) & ~b.placeholder
    dated = member & (time != _NAT)
    final = np.bincount(cascade[member], minlength=k)
    undated = np.bincount(cascade[member & ~dated], minlength=k)

    root_time = time[roots]
    reason = np.zeros(k, dtype=np.int8)
    # Later checks win, so the most basic problem is the one reported.
    median = _group_median(cascade[dated], followers[dated], k)
    reason[np.isnan(median) & (np.bincount(cascade[dated], minlength=k) > 0)] = _CODE[
        "reshare_followers"
    ]
    reason[np.isnan(followers[roots])] = _CODE["root_followers"]
    reason[root_time == _NAT] = _CODE["root_time"]
    reason[b.placeholder[roots]] = _CODE["placeholder"]

    keep = final >= min_size
    number = np.cumsum(keep) - 1  # row block of each kept cascade
    valid = keep & (reason == 0)
    seg = np.cumsum(valid) - 1  # segment of each valid cascade

    # Posts of the valid cascades: root first, then reshares in time order.
    posts = np.concatenate([roots[valid], np.flatnonzero(dated & valid[cascade])])
    c_post = cascade[posts]
    rel = np.maximum((time[posts] - root_time[c_post]).astype(np.float64), 0.0)
    is_reshare = parent[posts] >= 0
    order = lexsort_whole((rel, is_reshare, seg[c_post]))
    posts, c_post, rel = posts[order], c_post[order], rel[order]
    f = followers[posts]
    missing = np.isnan(f)
    f = np.where(missing, median[c_post], f)
    imputed = np.bincount(c_post[missing], minlength=k)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(seg[c_post], minlength=int(valid.sum())))])
    est = _segment_estimates(rel, f, offsets, at, **options)

    m = at.size
    n_rows = int(keep.sum()) * m
    kept = np.flatnonzero(keep)
    row_cascade = np.repeat(kept, m)
    citation = np.array([p.citation_id for p in papers], dtype=object)
    repeat = np.repeat(np.arange(kept.size), m)  # the rows of each kept cascade
    out: dict[str, Any] = {"at_s": np.tile(at, kept.size)}
    # The strings only where asked for: their conversion is dear.
    if "citation_id" in columns:
        out["citation_id"] = take_strings(citation, b.paper[roots[row_cascade]])
    if "root_id" in columns:
        out["root_id"] = take_strings(b.id[roots[kept]], repeat)
    # Observed reshares up to t, wherever the root time is known (also without followers).
    observed = np.zeros((k, m), dtype=np.int64)
    origin = root_time[cascade]
    rel_all = np.where(origin == _NAT, np.inf, (time - np.where(origin == _NAT, 0, origin)))
    for j, t in enumerate(at):
        observed[:, j] = np.bincount(cascade[dated & (rel_all <= t)], minlength=k)
    observed = pd.array(observed[kept].ravel(), dtype="Int64")
    observed[np.repeat(root_time[kept] == _NAT, m)] = pd.NA
    out["retweets_observed"] = observed

    rows = (number[np.flatnonzero(valid)][:, None] * m + np.arange(m)).ravel()
    for name in ("infectiousness", "infectiousness_low", "infectiousness_high",
                 "predicted_retweets", "predicted_low", "predicted_high"):  # fmt: skip
        col = np.full(n_rows, np.nan)
        col[rows] = est[name]
        out[name] = col
    supercritical = pd.array(np.zeros(n_rows, dtype=bool), dtype="boolean")
    out["final_retweets"] = final[row_cascade]
    in_window = pd.array(np.zeros(n_rows, dtype=np.int64), dtype="Int64")
    window = np.full(n_rows, np.nan)
    in_window[rows], window[rows] = est["reshares_in_window"], est["window_s"]
    out["reshares_in_window"], out["window_s"] = in_window, window
    out["followers_imputed"] = imputed[row_cascade]
    out["undated_retweets"] = undated[row_cascade]

    row_reason = reason[row_cascade]
    per_time = np.zeros(rows.size, dtype=np.int8)
    per_time[est["exposure"] <= 0] = _CODE["no_exposure"]
    per_time[est["reshares_before"] == 0] = _CODE["none_before"]
    row_reason[rows] = per_time
    predicted = np.zeros(n_rows, dtype=bool)
    predicted[rows[per_time == 0]] = True
    supercritical[rows] = est["supercritical"]
    supercritical[~predicted] = pd.NA
    out["supercritical"] = supercritical
    for name in ("infectiousness", "infectiousness_low", "infectiousness_high",
                 "predicted_retweets", "predicted_low", "predicted_high"):  # fmt: skip
        out[name][~predicted] = np.nan
    in_window[~predicted] = pd.NA
    window[~predicted] = np.nan
    out["reason"] = _TEXT[row_reason]
    return pd.DataFrame({name: out[name] for name in columns})


def predict_cascades(
    papers: Paper | Iterable[Paper],
    at: float | Sequence[float] = (3600.0, 21600.0),
    *,
    n_star: float = N_STAR,
    min_size: int = 1,
    estimator: str = "seismic",
    max_window: float = MAX_WINDOW,
    min_window: float = MIN_WINDOW,
    min_count: int = MIN_COUNT,
    quantiles: Sequence[float] = QUANTILES,
    interval: str = "package",
    theta: float = THETA,
    s0: float = S0,
    c: float = C,
    batch_size: int = 2000,
    stacked: Batch | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """SEISMIC final-size prediction of every cascade, at each observation time.

    Parameters
    ----------
    papers : Paper or iterable of Paper
        For example ``cascade.read("data/")``.
    at : float or sequence of float
        Observation times, seconds after each cascade's root.
    n_star : float
        Mean follower count of a new resharer (the package's 100).
    min_size : int
        Only cascades with at least this many reshares in the data get rows (a selection on
        the outcome: use it to leave out lone tweets, not to evaluate).
    estimator : {"seismic", "mle"}
        The package's windowed estimate, or constant-p maximum likelihood.
    max_window, min_window, min_count, quantiles, interval, theta, s0, c
        As in :func:`cascade.predict.predict_final_size`, with the package's defaults.
    batch_size : int
        Papers handled together in one vectorised pass.
    stacked : Batch, optional
        ``cascade.model.stack(papers)`` where the caller has it already (shared with the other
        measures of a batch): the papers are then one pass, whatever ``batch_size``.
    columns : sequence of str, optional
        Only these columns (of :data:`PREDICT_COLUMNS`, in this order): the work of the others
        is saved. Default: all.

    Returns
    -------
    pandas.DataFrame
        One row per cascade and time: ``citation_id``, ``root_id``, ``at_s``,
        ``retweets_observed`` (reshares up to ``t``), ``infectiousness`` with
        ``infectiousness_low`` / ``infectiousness_high`` (the 90% chi-square interval),
        ``predicted_retweets`` (NaN where supercritical or not predicted), ``predicted_low`` /
        ``predicted_high`` (inf where that end is supercritical), ``supercritical`` (NA where
        not predicted), ``final_retweets`` (the reshares in the data, for evaluation),
        ``reshares_in_window``, ``window_s``, ``followers_imputed``, ``undated_retweets`` and
        ``reason`` (None where predicted, else why not; see :data:`REASONS`).

    Examples
    --------
    >>> import cascade
    >>> table = predict_cascades(cascade.read("examples/data"), at=[3600], min_size=20)
    >>> columns = ["retweets_observed", "predicted_retweets", "final_retweets"]
    >>> table[columns].round(1).to_numpy().tolist()
    [[7, 15.6, 66], [9, 14.4, 26]]
    """
    times = np.atleast_1d(np.asarray(at, dtype=np.float64)).ravel()
    if times.size == 0 or not np.isfinite(times).all() or (times <= 0).any():
        raise ValueError("observation times must be positive numbers of seconds")
    if min_size < 0:
        raise ValueError("min_size cannot be negative")
    options = {
        "n_star": n_star,
        "estimator": estimator,
        "max_window": max_window,
        "min_window": min_window,
        "min_count": min_count,
        "quantiles": quantiles,
        "interval": interval,
        "theta": theta,
        "s0": s0,
        "c": c,
    }
    names = PREDICT_COLUMNS if columns is None else list(columns)
    unknown = set(names) - set(PREDICT_COLUMNS)
    if unknown:
        raise ValueError(f"unknown columns {sorted(unknown)}; choose from {PREDICT_COLUMNS}")
    if stacked is not None:
        papers = [papers] if isinstance(papers, Paper) else list(papers)
        return _batch_rows(papers, times, min_size, options, stacked, names)
    batches = _batches(papers, batch_size)
    tables = [_batch_rows(batch, times, min_size, options, None, names) for batch in batches]
    tables = [t for t in tables if len(t)]
    if not tables:
        return _batch_rows([], times, min_size, options, None, names)
    return pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]


def as_flag(column: pd.Series) -> np.ndarray:
    """A nullable flag column (boolean, or float read back from CSV) as bool, missing = False."""
    return column.astype("boolean").fillna(False).to_numpy(dtype=bool)


def rank_by_predicted(predictions: pd.DataFrame, at: float) -> pd.DataFrame:
    """Papers ranked by their predicted number of reshares, from their cascades at one age.

    Parameters
    ----------
    predictions : pandas.DataFrame
        The table of :func:`cascade.predict_cascades` (one row per cascade and age).
    at : float
        The age in seconds (one of the table's ``at_s``): papers are compared at the same age.

    Returns
    -------
    pandas.DataFrame
        One row per paper, best first: ``rank``, ``citation_id``, ``cascades``, ``predicted``
        (cascades with a finite prediction), ``supercritical`` (cascades with no finite prediction),
        ``retweets_observed`` (by that age), ``predicted_retweets`` (sum over cascades of the
        prediction, or of the reshares observed by then where there is no finite one) and
        ``final_retweets`` (in the data, for evaluation).

    Examples
    --------
    >>> t = pd.DataFrame({"citation_id": ["a", "a", "b"], "at_s": 3600.0,
    ...     "retweets_observed": [1, 2, 5], "predicted_retweets": [3.0, None, 4.0],
    ...     "supercritical": [False, None, False], "final_retweets": [4, 2, 6]})
    >>> rank_by_predicted(t, 3600)[["citation_id", "predicted_retweets"]].values.tolist()
    [['a', 5.0], ['b', 4.0]]
    """
    rows = predictions[predictions["at_s"] == at]
    if rows.empty:
        ages = sorted(set(predictions["at_s"].tolist()))
        raise ValueError(f"no predictions at {at} s; the table has ages {ages}")
    observed = rows["retweets_observed"].fillna(0).to_numpy(dtype=np.float64)
    predicted = rows["predicted_retweets"].to_numpy(dtype=np.float64)
    table = pd.DataFrame(
        {
            "citation_id": rows["citation_id"].to_numpy(),
            "cascades": 1,
            "predicted": ~np.isnan(predicted),
            "supercritical": as_flag(rows["supercritical"]),
            "retweets_observed": observed,
            "predicted_retweets": np.where(np.isnan(predicted), observed, predicted),
            "final_retweets": rows["final_retweets"].to_numpy(),
        }
    )
    out = table.groupby("citation_id", sort=True).sum().reset_index()
    out["retweets_observed"] = out["retweets_observed"].astype(np.int64)
    out = out.sort_values("predicted_retweets", ascending=False, kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.reset_index(drop=True)
