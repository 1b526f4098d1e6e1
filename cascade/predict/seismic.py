"""SEISMIC (Zhao et al., KDD 2015): infectiousness and final size of a cascade from its start.

The model: a post with ``n`` followers made at time ``t_i`` brings reshares at rate
``p(t) n phi(t - t_i)``, with the human reaction-time kernel ``phi`` (constant ``c`` up to ``s0``
seconds, then a power law of exponent ``-(1 + theta)``). Every function follows the semantics of
the R package ``seismic`` (``get.infectiousness`` and ``pred.cascade``), written from its formulas:

* ``p(t)`` is a locally weighted estimate over a window ``[t - w, t)``, ``w = t / 2`` clipped to
  ``[min_window, max_window]``, with a triangular weight (1 at ``t``, 0 at ``t - w``). When fewer
  than ``min_count`` posts (the original included) fall inside, the window reaches back to the
  ``min_count + 1``-th most recent post before ``t`` (or to the original). Posts at exactly ``t``
  are outside it;
* its interval is ``p chi2(q; 2k) / (2k)`` for the quantiles ``q`` (0.05 and 0.95: a 90% band),
  ``k`` the reshares in the window. On cascades simulated from the model this band covers the
  true ``p`` less often than its nominal 90% (about 82% with many reshares in the window: the
  triangular weights make the variance ``sum K_i^2``, not ``sum K_i``; less with few, where the
  widened window also biases ``p`` down). ``interval="effective"`` uses the effective count
  ``k_eff = (sum K_i)^2 / sum K_i^2`` instead of ``k`` (not in the package);
* the final size is ``R_t + p sum_{t_i <= t} n_i Phi(t - t_i) / (1 - p n*)``, with ``Phi`` the
  kernel's survival function and ``R_t`` the reshares up to ``t`` (posts at ``t`` included);
  supercritical (no finite size) where ``p n* >= 1``.

Everything is vectorised over the posts and observation times of many cascades at once: one
entry per (cascade, time, post) and segment sums (``np.add.reduceat``), no Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import gammaincinv

__all__ = [
    "ESTIMATORS",
    "INTERVALS",
    "infectiousness",
    "kernel_integral",
    "memory_ccdf",
    "memory_pdf",
    "predict_final_size",
    "predict_many",
]

#: The R package's defaults, measured on Twitter.
THETA = 0.2314843
S0 = 300.0
C = 0.0006265725
N_STAR = 100.0
MAX_WINDOW = 7200.0
MIN_WINDOW = 300.0
MIN_COUNT = 5
QUANTILES = (0.05, 0.95)
#: ``seismic``: the package's windowed estimate; ``mle``: constant-p maximum likelihood.
ESTIMATORS = ("seismic", "mle")
#: ``package``: chi-square band with the raw count ``k``; ``effective``: with ``k_eff``.
INTERVALS = ("package", "effective")


def memory_pdf(
    s: np.ndarray | float, *, theta: float = THETA, s0: float = S0, c: float = C
) -> np.ndarray:
    """The reaction-time density: ``c`` on ``[0, s0]``, ``c (s / s0) ** -(1 + theta)`` beyond.

    Parameters
    ----------
    s : array_like
        Seconds since the post; 0 is returned for negative values.
    theta, s0, c : float
        Power-law exponent, cut-off (seconds) and constant density.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> memory_pdf([0.0, 300.0, 600.0]).round(8).tolist()
    [0.00062657, 0.00062657, 0.00026684]
    """
    s = np.asarray(s, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = c * (np.maximum(s, s0) / s0) ** -(1.0 + theta)
    return np.where(s < 0, 0.0, np.where(s <= s0, c, tail))


def memory_ccdf(
    s: np.ndarray | float, *, theta: float = THETA, s0: float = S0, c: float = C
) -> np.ndarray:
    """Survival of the reaction time: ``1 - c s`` up to ``s0``, ``c s0**(1+theta)/theta s**-theta``.

    Negative ``s`` counts as 0 (survival 1), as in the package.

    Examples
    --------
    >>> memory_ccdf([-5.0, 0.0, 300.0, 3600.0]).round(6).tolist()
    [1.0, 1.0, 0.812028, 0.456833]
    """
    s = np.maximum(np.asarray(s, dtype=np.float64), 0.0)
    tail = c * s0 ** (1.0 + theta) / theta * np.maximum(s, s0) ** -theta
    return np.where(s <= s0, 1.0 - c * s, tail)


def kernel_integral(
    at: np.ndarray | float,
    times: np.ndarray | float,
    window: np.ndarray | float,
    *,
    theta: float = THETA,
    s0: float = S0,
    c: float = C,
) -> np.ndarray:
    """``integral over [at - window, at] of K(t) phi(t - t_i) dt``, in closed form.

    ``K(t) = 1 - (at - t) / window`` is the triangular weight. Arguments broadcast. In the
    post's own clock ``u = t - t_i`` the weight is ``a + u / window`` with
    ``a = 1 - (at - t_i) / window``; the integral splits at ``u = s0`` into a polynomial piece
    and a power-law piece, each integrated exactly. The package's five cases are this with
    ``window >= s0`` (its default); the split here is exact for any window.

    Parameters
    ----------
    at : array_like
        Observation time(s), seconds.
    times : array_like
        Post times ``t_i``, seconds (posts at or after ``at`` give 0).
    window : array_like
        Window length(s) ``w > 0``, seconds.
    theta, s0, c : float
        Kernel parameters.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> round(float(kernel_integral(3600.0, 600.0, 3600.0)), 6)
    0.194307
    """
    at, times, window = np.broadcast_arrays(
        *(np.asarray(x, dtype=np.float64) for x in (at, times, window))
    )
    return _integral_by_age(at - times, window, theta=theta, s0=s0, c=c)


def _integral_by_age(
    age: np.ndarray,
    window: np.ndarray,
    *,
    theta: float,
    s0: float,
    c: float,
    power_hi: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`kernel_integral` from the post's age ``at - t_i``; ``power_hi`` may bring
    ``max(age, s0) ** -theta`` when the caller has it (the survival needs it too)."""
    hi = np.maximum(age, 0.0)
    lo = np.minimum(np.maximum(age - window, 0.0), hi)
    b = 1.0 / window
    a = 1.0 - age * b
    # Constant piece over [lo, hi] clipped to [0, s0].
    ul, uh = np.minimum(lo, s0), np.minimum(hi, s0)
    const = c * (a * (uh - ul) + 0.5 * b * (uh * uh - ul * ul))
    # Power piece over [lo, hi] clipped to [s0, inf): c s0^(1+theta) u^-(1+theta) (a + b u).
    vl, vh = np.maximum(lo, s0), np.maximum(hi, s0)
    scale = c * s0 ** (1.0 + theta)
    ph = vh**-theta if power_hi is None else power_hi
    pl = vl**-theta  # u^(1-theta) = u * u^-theta: two powers, not four
    power = scale * (-a / theta * (ph - pl) + b / (1.0 - theta) * (vh * ph - vl * pl))
    return const + power


def _segment_estimates(
    times: np.ndarray,
    followers: np.ndarray,
    offsets: np.ndarray,
    at: np.ndarray,
    *,
    n_star: float,
    estimator: str,
    max_window: float,
    min_window: float,
    min_count: int,
    quantiles: Sequence[float],
    interval: str,
    theta: float,
    s0: float,
    c: float,
) -> dict[str, np.ndarray]:
    """Estimates for every (cascade, time) pair of many cascades, cascade-major.

    ``times``/``followers`` hold the cascades one after another (cascade ``k`` is
    ``offsets[k]:offsets[k+1]``), each with its original first at time 0 and its reshares in
    time order. Returns flat arrays of length ``(len(offsets) - 1) * len(at)``.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, not {estimator!r}")
    if min_window <= 0 or max_window < min_window:
        raise ValueError("windows must satisfy 0 < min_window <= max_window")
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, not {interval!r}")
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    kernel = {"theta": theta, "s0": s0, "c": c}
    offsets = np.asarray(offsets, dtype=np.int64)
    m = len(at)
    lengths = np.diff(offsets)
    pair_len = np.repeat(lengths, m)
    n_pairs = pair_len.size
    start = np.cumsum(pair_len) - pair_len
    entry_pair = np.repeat(np.arange(n_pairs), pair_len)
    local = np.arange(int(pair_len.sum())) - start[entry_pair]
    pair_cascade = np.arange(n_pairs) // m
    post = offsets[:-1][pair_cascade][entry_pair] + local
    at_pair = np.tile(at, lengths.size)
    t = times[post]
    f = followers[post]
    big_t = at_pair[entry_pair]
    reshare = local > 0

    def total(x: np.ndarray) -> np.ndarray:
        return np.add.reduceat(x, start) if n_pairs else np.zeros(0, dtype=x.dtype)

    before = t < big_t
    upto = t <= big_t
    n_before = total(before.astype(np.int64))
    retweets = total((upto & reshare).astype(np.int64))
    reshares_before = total((before & reshare).astype(np.int64))
    # The kernel's powers only where they count: posts up to t.
    sel = np.flatnonzero(upto)
    sel_pair, sel_t, sel_f, sel_big_t = entry_pair[sel], t[sel], f[sel], big_t[sel]

    def by_pair(values: np.ndarray) -> np.ndarray:
        return np.bincount(sel_pair, weights=values, minlength=n_pairs)

    # The survival's power serves the kernel integral too (the dearest operation here).
    age = sel_big_t - sel_t
    power_hi = np.maximum(age, s0) ** -theta
    survival = np.where(age <= s0, 1.0 - c * age, c * s0 ** (1.0 + theta) / theta * power_hi)
    rest = by_pair(sel_f * survival)

    if estimator == "seismic":
        window = np.clip(at_pair / 2.0, min_window, max_window)
        in_window = before & (t >= big_t - window[entry_pair])
        widen = (total(in_window.astype(np.int64)) < min_count) & (n_before > 0)
        # Back to the (min_count + 1)-th most recent post before t (or the original).
        first = offsets[:-1][pair_cascade] + np.maximum(n_before - min_count - 1, 0)
        window = np.where(widen, at_pair - times[first], window)
        w = window[entry_pair]
        counted = before & reshare & (t >= big_t - w)
        weight = np.where(counted, 1.0 - (big_t - t) / w, 0.0)
        numerator = total(weight)
        squares = total(weight * weight)
        k = total(counted.astype(np.int64))
        # Posts at exactly t give 0: the sum over posts up to t is the sum over posts before t.
        integral = _integral_by_age(age, w[sel], power_hi=power_hi, **kernel)
        exposure = by_pair(sel_f * integral)
    else:
        window = at_pair.astype(np.float64)
        numerator = retweets.astype(np.float64)
        squares = numerator
        k = retweets
        exposure = by_pair(sel_f * (1.0 - survival))

    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(numerator > 0, numerator / exposure, 0.0)
        p = np.where(exposure > 0, p, np.nan)
        count = k if interval == "package" else numerator * numerator / squares
        df = 2.0 * np.where(numerator > 0, count, 1.0)
        low = np.where(numerator > 0, p * _chi2_ppf(quantiles[0], df) / df, 0.0 * p)
        high = np.where(numerator > 0, p * _chi2_ppf(quantiles[1], df) / df, 0.0 * p)

        def final(q: np.ndarray) -> np.ndarray:
            size = retweets + q * rest / (1.0 - q * n_star)
            return np.where(q * n_star >= 1.0, np.inf, size)

        predicted, predicted_low, predicted_high = final(p), final(low), final(high)
    supercritical = p * n_star >= 1.0
    predicted = np.where(supercritical, np.nan, predicted)
    return {
        "at_s": at_pair,
        "retweets_observed": retweets,
        "reshares_before": reshares_before,
        "infectiousness": p,
        "infectiousness_low": low,
        "infectiousness_high": high,
        "predicted_retweets": predicted,
        "predicted_low": predicted_low,
        "predicted_high": predicted_high,
        "supercritical": supercritical,
        "reshares_in_window": k,
        "window_s": window,
        "exposure": exposure,
    }


def _one_cascade(times, followers, at) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    times = np.asarray(times, dtype=np.float64).ravel()
    followers = np.asarray(followers, dtype=np.float64).ravel()
    at = np.atleast_1d(np.asarray(at, dtype=np.float64)).ravel()
    if times.size == 0 or times.shape != followers.shape:
        raise ValueError("times and followers need one entry per post, the original first")
    if not (np.isfinite(times).all() and np.isfinite(followers).all()):
        raise ValueError("times and followers must be finite (no NaN): drop or impute first")
    if (followers < 0).any():
        raise ValueError("follower counts cannot be negative")
    if (times[1:] < times[0]).any():
        raise ValueError("a reshare cannot come before the original (times[0])")
    if not np.isfinite(at).all() or (at <= 0).any():
        raise ValueError("observation times must be positive seconds since the original")
    order = np.concatenate([[0], 1 + np.argsort(times[1:], kind="stable")])
    return times[order] - times[0], followers[order], np.array([0, times.size]), at


_KERNEL_DOC = """
    max_window, min_window : float
        Bounds of the window ``w = t / 2`` (seconds; 7200 and 300 in the package).
    min_count : int
        Fewest posts in the window before it widens (5).
    quantiles : pair of float
        Quantiles of the chi-square interval (0.05, 0.95).
    interval : {"package", "effective"}
        Degrees of freedom ``2k`` (the package) or ``2 k_eff`` (see the module notes).
    theta, s0, c : float
        Memory kernel (0.2314843, 300 s, 0.0006265725)."""


def infectiousness(
    times: np.ndarray,
    followers: np.ndarray,
    at: np.ndarray | float,
    *,
    estimator: str = "seismic",
    max_window: float = MAX_WINDOW,
    min_window: float = MIN_WINDOW,
    min_count: int = MIN_COUNT,
    quantiles: Sequence[float] = QUANTILES,
    interval: str = "package",
    theta: float = THETA,
    s0: float = S0,
    c: float = C,
) -> pd.DataFrame:
    """Infectiousness ``p(t)`` of one cascade and its interval, at one or many times.

    Parameters
    ----------
    times : array_like
        Post times in seconds, the original's first; reshares in any order, none before it.
    followers : array_like
        Follower count of each post's author (same order).
    at : float or array_like
        Observation times, seconds since the original.
    estimator : {"seismic", "mle"}
        ``seismic``: the package's windowed estimate; ``mle``: constant-p maximum likelihood,
        ``R_t / sum_{t_i < t} n_i (1 - Phi(t - t_i))``, interval with ``k = R_t``.
    """
    return predict_final_size(
        times,
        followers,
        at,
        estimator=estimator,
        max_window=max_window,
        min_window=min_window,
        min_count=min_count,
        quantiles=quantiles,
        interval=interval,
        theta=theta,
        s0=s0,
        c=c,
    )[["at_s", "infectiousness", "infectiousness_low", "infectiousness_high",
       "reshares_in_window", "window_s"]]  # fmt: skip


infectiousness.__doc__ = (
    (infectiousness.__doc__ or "").rstrip()
    + _KERNEL_DOC
    + """

    Returns
    -------
    pandas.DataFrame
        One row per time: ``at_s``, ``infectiousness`` (0 where no reshare weighs in the window,
        as in the package), ``infectiousness_low``, ``infectiousness_high``,
        ``reshares_in_window`` (``k``) and ``window_s`` (after widening).

    Examples
    --------
    >>> t = [0, 600, 1200, 1800, 2700, 3600]
    >>> n = [5000, 800, 50, 300, 20, 10]
    >>> infectiousness(t, n, 3600).iloc[0, 1:4].round(6).tolist()
    [0.001967, 0.000672, 0.003813]
    """
)


def predict_final_size(
    times: np.ndarray,
    followers: np.ndarray,
    at: np.ndarray | float,
    *,
    n_star: float = N_STAR,
    estimator: str = "seismic",
    max_window: float = MAX_WINDOW,
    min_window: float = MIN_WINDOW,
    min_count: int = MIN_COUNT,
    quantiles: Sequence[float] = QUANTILES,
    interval: str = "package",
    theta: float = THETA,
    s0: float = S0,
    c: float = C,
) -> pd.DataFrame:
    """Predicted final number of reshares of one cascade, at one or many observation times.

    Parameters
    ----------
    times : array_like
        Post times in seconds, the original's first; reshares in any order, none before it.
    followers : array_like
        Follower count of each post's author (same order).
    at : float or array_like
        Observation times, seconds since the original.
    n_star : float
        Mean follower count of a new resharer (100 in the package).
    estimator : {"seismic", "mle"}
        How ``p`` is estimated (see :func:`infectiousness`)."""
    times, followers, offsets, at = _one_cascade(times, followers, at)
    out = _segment_estimates(
        times,
        followers,
        offsets,
        at,
        n_star=n_star,
        estimator=estimator,
        max_window=max_window,
        min_window=min_window,
        min_count=min_count,
        quantiles=quantiles,
        interval=interval,
        theta=theta,
        s0=s0,
        c=c,
    )
    out.pop("reshares_before")
    out.pop("exposure")
    return pd.DataFrame(out)


predict_final_size.__doc__ = (
    (predict_final_size.__doc__ or "")
    + _KERNEL_DOC
    + """

    Returns
    -------
    pandas.DataFrame
        One row per time: ``at_s``, ``retweets_observed`` (``R_t``, reshares up to ``t``),
        ``infectiousness`` and its interval, ``predicted_retweets`` (NaN where supercritical),
        ``predicted_low`` and ``predicted_high`` (the final size at the interval's ends; inf
        where that end is supercritical), ``supercritical``, ``reshares_in_window`` and
        ``window_s``.

    Examples
    --------
    >>> t = [0, 600, 1200, 1800, 2700, 3600]
    >>> n = [5000, 800, 50, 300, 20, 10]
    >>> row = predict_final_size(t, n, 3600).iloc[0]
    >>> int(row.retweets_observed), round(float(row.predicted_retweets), 3)
    (5, 12.037)
    >>> round(float(predict_final_size(t, n, 3600, estimator="mle").predicted_retweets[0]), 3)
    10.121
    """
)


def predict_many(
    times: np.ndarray,
    followers: np.ndarray,
    offsets: np.ndarray,
    at: np.ndarray | float,
    *,
    n_star: float = N_STAR,
    estimator: str = "seismic",
    max_window: float = MAX_WINDOW,
    min_window: float = MIN_WINDOW,
    min_count: int = MIN_COUNT,
    quantiles: Sequence[float] = QUANTILES,
    interval: str = "package",
    theta: float = THETA,
    s0: float = S0,
    c: float = C,
) -> pd.DataFrame:
    """:func:`predict_final_size` for many cascades at once, from concatenated arrays.

    Parameters
    ----------
    times, followers : ndarray
        The cascades one after another; cascade ``k`` is ``offsets[k]:offsets[k + 1]``, its
        original first at time 0 and its reshares in time order (not checked: this is the fast
        path; :func:`predict_final_size` checks one cascade).
    offsets : ndarray of int
        Start of each cascade, then the total length.
    at : float or array_like
        Observation times, seconds since each original.
    n_star, estimator, max_window, min_window, min_count, quantiles, interval, theta, s0, c
        As in :func:`predict_final_size`.

    Returns
    -------
    pandas.DataFrame
        One row per cascade and time (cascade-major): ``cascade`` (its number) and the columns of
        :func:`predict_final_size`.

    Examples
    --------
    >>> t = [0, 600, 1200, 1800, 2700, 3600, 0, 60]
    >>> n = [5000, 800, 50, 300, 20, 10, 100, 10]
    >>> table = predict_many(np.array(t, float), np.array(n, float), np.array([0, 6, 8]), 3600)
    >>> table.predicted_retweets.round(3).tolist()
    [12.037, 1.069]
    """
    at = np.atleast_1d(np.asarray(at, dtype=np.float64)).ravel()
    out = _segment_estimates(
        np.asarray(times, dtype=np.float64),
        np.asarray(followers, dtype=np.float64),
        np.asarray(offsets, dtype=np.int64),
        at,
        n_star=n_star,
        estimator=estimator,
        max_window=max_window,
        min_window=min_window,
        min_count=min_count,
        quantiles=quantiles,
        interval=interval,
        theta=theta,
        s0=s0,
        c=c,
    )
    out.pop("reshares_before")
    out.pop("exposure")
    return pd.DataFrame({"cascade": np.repeat(np.arange(len(offsets) - 1), at.size)} | out)


def _chi2_ppf(q: float, df: np.ndarray) -> np.ndarray:
    """``scipy.stats.chi2.ppf(q, df)``, by the formula scipy uses, without importing scipy.stats
    (a second of start-up for every report).

    Once per distinct ``df`` (counts: a few hundred among many thousand pairs), the dearest
    function here.
    """
    codes, distinct = pd.factorize(np.asarray(df, dtype=np.float64).ravel(), use_na_sentinel=False)
    value = 2.0 * gammaincinv(np.asarray(distinct, dtype=np.float64) / 2.0, q)
    return value[codes].reshape(np.shape(df))
