"""Static plots of a corpus's cascades (matplotlib, Agg canvas, no pyplot state).

Every function returns a :class:`matplotlib.figure.Figure` of ``FIGSIZE`` inches at ``DPI`` (so
PNGs are 800 x 500 pixels) with a title, axis labels and units; :func:`save` writes it as PNG and
SVG, byte for byte the same on every run (fixed SVG hash salt, no date in the metadata).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "DPI",
    "FIGSIZE",
    "MARGINS",
    "SCATTER_MAX",
    "cumulative_tweets",
    "depth_distribution",
    "rank_plot",
    "save",
    "size_ccdf",
    "tweets_per_day",
    "virality_vs_size",
]

FIGSIZE = (8.0, 5.0)
DPI = 100
#: Fixed margins (figure fractions) that hold the titles, axis labels and tick labels of these
#: plots: a layout engine would find them too, at about half the cost of drawing each figure.
MARGINS = {"left": 0.13, "right": 0.97, "bottom": 0.11, "top": 0.92}  # left: "9,999,999"
#: Scatter plots draw at most this many points (a seeded sample); summary lines use all of them.
SCATTER_MAX = 20_000

_RC: Any = {  # matplotlib types rc keys as one Literal: a plain dict of them does not fit
    "svg.hashsalt": "cascade",  # SVG element ids from a fixed salt, not a random one
    "svg.fonttype": "path",
    "path.simplify": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
}


def _figure(title: str, xlabel: str, ylabel: str) -> tuple[Figure, matplotlib.axes.Axes]:
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fig.subplots_adjust(**MARGINS)
    ax.set_title(title, y=1.0)  # placed: no search of the axes for room (half a drawing)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig, ax


def _no_data(ax) -> None:
    ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes, color="0.5")


def save(fig: Figure, stem: str | os.PathLike) -> list[Path]:
    """Write ``fig`` as ``<stem>.png`` and ``<stem>.svg``; the same figure gives the same bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    stem : str or path-like
        Path without the extension; parent folders are created.

    Returns
    -------
    list of Path
        The PNG and SVG paths.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    with matplotlib.rc_context(_RC):
        fig.savefig(paths[0], dpi=DPI, metadata={"Software": None})
        # The layout is settled by the first drawing: the SVG need not solve it again.
        fig.set_layout_engine("none")
        fig.savefig(paths[1], metadata={"Date": None, "Creator": None})
    return paths


def styled(func):
    """Build the figure under the package's rc settings (they apply at drawing, too).

    A decorator for the figure functions of ``cascade.render`` (here and in ``growth``).
    """

    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_RC):
            return func(*args, **kwargs)

    wrapper.__name__, wrapper.__doc__ = func.__name__, func.__doc__
    wrapper.__wrapped__ = func
    return wrapper


@styled
def cumulative_tweets(
    times: Mapping[str, np.ndarray],
    *,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Cumulative tweets against days since each paper's first tweet, papers overlaid.

    Parameters
    ----------
    times : mapping
        Label (e.g. citation id) -> tweet times (``datetime64`` or int64 epoch seconds; NaT and
        int64's minimum are left out). Drawn in the mapping's order.
    title : str, optional
    labels : mapping, optional
        Key of ``times`` -> legend text (e.g. the paper's title); keys without one are shown.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> t = np.array(["2019-02-28T00:00", "2019-03-01T12:00"], dtype="datetime64[s]")
    >>> fig = cumulative_tweets({"56155705": t})
    >>> fig.axes[0].lines[0].get_xydata().tolist()
    [[0.0, 1.0], [1.5, 2.0]]
    >>> fig = cumulative_tweets({"56155705": t}, labels={"56155705": "Attention is not ..."})
    >>> fig.axes[0].get_legend().get_texts()[0].get_text(), fig.axes[0].get_title()[-9:]
    ('Attention is not ...', '(1 paper)')
    """
    n = len(times)
    fig, ax = _figure(
        title or f"Cumulative tweets since each paper's first tweet ({n:,} paper{'s' * (n != 1)})",
        "days since the paper's first tweet (symmetric log scale)",
        "tweets (cumulative)",
    )
    drawn = 0
    for label, t in times.items():
        s = np.asarray(t)
        s = s.astype("datetime64[s]").view(np.int64) if s.dtype.kind == "M" else s.astype(np.int64)
        s = np.sort(s[s != np.iinfo(np.int64).min])
        if s.size:
            days = (s - s[0]) / 86400.0
            text = str((labels or {}).get(label) or label)
            text = text if len(text) <= 40 else text[:39] + "\u2026"
            ax.step(days, np.arange(1, s.size + 1), where="post", label=text, lw=1.2)
            drawn += 1
    if drawn:
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(left=0)
        plain_ticks(ax)
        ax.legend(fontsize=7, loc="upper left", ncols=2 if drawn > 5 else 1)
    else:
        _no_data(ax)
    return fig


@styled
def size_ccdf(sizes: Sequence[int] | np.ndarray) -> Figure:
    """CCDF of cascade sizes on log-log axes: the share of cascades of size >= s.

    Examples
    --------
    >>> fig = size_ccdf([1, 1, 2, 4])
    >>> fig.axes[0].lines[0].get_xydata().tolist()
    [[1.0, 1.0], [2.0, 0.5], [4.0, 0.25]]
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    fig, ax = _figure(
        f"Cascade sizes (CCDF, {sizes.size:,} cascades)",
        "cascade size s (tweets, log scale)",
        "share of cascades with size >= s (log scale)",
    )
    if sizes.size == 0:
        _no_data(ax)
        return fig
    values, counts = np.unique(sizes, return_counts=True)
    ccdf = (sizes.size - np.concatenate([[0], np.cumsum(counts)[:-1]])) / sizes.size
    ax.plot(values, ccdf, marker="o", ms=3, lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_ticks(ax)
    return fig


@styled
def virality_vs_size(size: np.ndarray, virality: np.ndarray, *, seed: int = 0) -> Figure:
    """Structural virality against cascade size (log x), as in Goel et al. (2016).

    Cascades of size 1 (virality undefined) are left out. Points beyond ``SCATTER_MAX`` are a
    seeded random sample; the median line per size bin uses every cascade.
    """
    size = np.asarray(size, dtype=np.float64)
    virality = np.asarray(virality, dtype=np.float64)
    keep = (size >= 2) & ~np.isnan(virality)
    size, virality = size[keep], virality[keep]
    shown = np.arange(size.size)
    if size.size > SCATTER_MAX:
        rng = np.random.default_rng(seed)
        shown = np.sort(rng.choice(size.size, SCATTER_MAX, replace=False))
    note = f", {shown.size:,} of {size.size:,} shown" if shown.size < size.size else ""
    fig, ax = _figure(
        f"Structural virality against cascade size ({size.size:,} cascades{note})",
        "cascade size (tweets, log scale)",
        "structural virality (mean distance between tweets, hops)",
    )
    if size.size == 0:
        _no_data(ax)
        return fig
    # Rasterised: 20,000 vector markers would make the SVG megabytes; axes and text stay vector.
    ax.scatter(
        size[shown], virality[shown], s=6, alpha=0.35, lw=0, label="cascade", rasterized=True
    )
    edges = 2.0 ** np.arange(1, int(np.log2(size.max())) + 2)
    which = np.searchsorted(edges, size, side="right") - 1
    mids, medians = [], []
    for k in range(len(edges) - 1):
        v = virality[which == k]
        if v.size:
            mids.append(np.sqrt(edges[k] * edges[k + 1]))
            medians.append(np.median(v))
    ax.plot(mids, medians, color="C3", lw=2, marker="o", ms=4, label="median per size bin")
    ax.set_xscale("log")
    plain_ticks(ax)
    ax.legend(loc="upper left")
    return fig


@styled
def depth_distribution(depth: Sequence[int] | np.ndarray) -> Figure:
    """Number of cascades at each depth (hops from the root to the farthest tweet), log y.

    Examples
    --------
    >>> fig = depth_distribution([0, 0, 1, 3])
    >>> [float(p.get_height()) for p in fig.axes[0].patches]
    [2.0, 1.0, 0.0, 1.0]
    """
    depth = np.asarray(depth, dtype=np.int64)
    fig, ax = _figure(
        f"Cascade depth ({depth.size:,} cascades)",
        "depth (hops from the root)",
        "cascades (log scale)",
    )
    if depth.size == 0:
        _no_data(ax)
        return fig
    counts = np.bincount(depth)
    ax.bar(np.arange(counts.size), counts.astype(float), width=0.8)
    ax.set_yscale("log")
    plain_ticks(ax)
    ax.set_xticks(np.arange(counts.size) if counts.size <= 20 else ax.get_xticks())
    return fig


@styled
def tweets_per_day(daily: pd.Series) -> Figure:
    """Tweets per day over the whole corpus (per week or per year over long spans).

    Parameters
    ----------
    daily : pandas.Series
        Index: days (datetime-like, UTC), values: tweet counts. Missing days count as 0.

    Examples
    --------
    >>> days = pd.DatetimeIndex(np.array(["0001-01-01", "9999-12-31"], dtype="datetime64[s]"))
    >>> fig = tweets_per_day(pd.Series([1, 2], index=days))  # any valid dates draw
    >>> fig.axes[0].get_ylabel()
    'tweets per year'
    """
    if len(daily) == 0:
        fig, ax = _figure("Tweets per day, whole corpus", "date (UTC)", "tweets per day")
        _no_data(ax)
        return fig
    index = pd.DatetimeIndex(daily.index)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    full = pd.Series(daily.to_numpy(), index=index.as_unit("s")).sort_index()
    span = (full.index[-1] - full.index[0]).days
    # Days over a few years, then weeks, then years: a bar per day over centuries would be
    # millions of points.
    freq, unit = ("D", "day") if span <= 3 * 366 else ("W", "week") if span <= 30 * 366 else (
        "YS", "year")  # fmt: skip
    full = full.groupby(full.index.to_period(freq[0]).start_time).sum()
    full = full.reindex(
        pd.date_range(full.index[0], full.index[-1], freq=freq if freq != "W" else "7D", unit="s"),
        fill_value=0,
    )
    fig, ax = _figure(f"Tweets per {unit}, whole corpus", "date (UTC)", f"tweets per {unit}")
    x = matplotlib.dates.date2num(full.index.to_pydatetime())
    ax.fill_between(x, full.to_numpy(), step="post", alpha=0.4)
    ax.step(x, full.to_numpy(), where="post", lw=0.8)
    ax.set_ylim(bottom=0)
    ax.margins(x=0)  # a margin past year 1 or 9999 is outside what matplotlib can draw
    locator = matplotlib.dates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator))
    return fig


@styled
def rank_plot(
    scores: Sequence[float] | np.ndarray,
    measure: str = "retweets received",
    *,
    names: Sequence[str] | None = None,
    named: int = 5,
) -> Figure:
    """Influencer rank plot: each user's score against their rank, log-log; the ``named``
    highest-ranked users are named beside their points.

    Parameters
    ----------
    scores : array-like
        One score per user (any order; non-positive and NaN scores are left out).
    measure : str
        What the score is, for the axis label.
    names : sequence of str, optional
        One name (handle) per score, in the same order.
    named : int, default 5
        How many of the top users to name.

    Examples
    --------
    >>> fig = rank_plot([1, 5, 2, 0])
    >>> fig.axes[0].lines[0].get_xydata().tolist()
    [[1.0, 5.0], [2.0, 2.0], [3.0, 1.0]]
    >>> fig = rank_plot([1, 5, 2, 0], names=["a", "b", "c", "d"], named=2)
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['@b', '@c']
    """
    s = np.asarray(scores, dtype=np.float64)
    who = np.asarray(names, dtype=object) if names is not None else None
    keep = s > 0
    order = np.argsort(-s[keep], kind="stable")
    s = s[keep][order]
    who = who[keep][order] if who is not None else None
    fig, ax = _figure(
        f"Influencers: {measure} by rank ({s.size:,} users)",
        "rank (log scale)",
        f"{measure} (log scale)",
    )
    if s.size == 0:
        _no_data(ax)
        return fig
    ax.plot(np.arange(1, s.size + 1), s, marker="o" if s.size <= 50 else None, ms=3, lw=1.2)
    ax.set_xscale("log")
    ax.set_yscale("log")
    plain_ticks(ax)
    if who is not None:
        for r in range(min(named, s.size)):
            name = str(who[r])[:24]
            ax.annotate(
                f"@{name}", (r + 1, s[r]), xytext=(6, 2 - 11 * (r % 2)),
                textcoords="offset points", fontsize=8,
            )  # fmt: skip
    return fig


def _plain(value: float, _: Any = None) -> str:
    """A tick label without exponents: 0.5, 2, 1,000."""
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 1 else f"{value:.2g}"


def plain_ticks(ax: matplotlib.axes.Axes) -> None:  # also used by render.growth
    """Log axes labelled 1, 2, 5, 10, 1,000: no "2x10^0" on a range of less than a decade; symlog
    axes labelled 0, 1, 10, 100 (their default labels are mathtext, slow to lay out and to read)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
        if scale == "symlog":
            axis.set_major_formatter(FuncFormatter(_plain))
            continue
        if scale != "log":
            continue
        ax.autoscale_view()  # the limits, now rather than at drawing time
        lo, hi = sorted(axis.get_view_interval())
        axis.set_major_formatter(FuncFormatter(_plain))
        if lo > 0 and hi / lo < 30:  # under about a decade and a half: label 2s and 5s too
            axis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
            axis.set_minor_formatter(FuncFormatter(_plain))
        else:
            axis.set_minor_formatter(NullFormatter())
