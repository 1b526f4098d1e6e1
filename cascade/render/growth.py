"""The report's growth section: observed growth of each paper against SEISMIC's predictions.

Per paper, the reshares of all its cascades are counted by their *age* (seconds since their own
cascade's root), so the observed curve at age ``t`` is the sum of the cascades'
``retweets_observed`` at ``t``; the prediction made at ``t`` is the sum of the cascades'
predictions (a cascade without a finite one counts with what it has by then), its band the sums
of the cascades' bands, and the final size the sum of their ``final_retweets`` (every reshare
in the data: also those of cascades whose root has no time, which the curve cannot place, so the
curve can end below it).

Two steps, so that the first can run where the papers are (e.g. the report's workers):

1. :func:`growth_data` (a batch of papers) -> the per-cascade predictions and the per-paper ages;
2. :func:`growth_section` (what step 1 returned, concatenated) -> the per-paper table, the figure
   and an HTML fragment.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cascade.deprecation import renamed_keyword
from cascade.model import Batch, Paper, lexsort_whole, stack
from cascade.predict import predict_cascades
from cascade.predict.cascades import as_flag
from cascade.render.plots import DPI, FIGSIZE, MARGINS, plain_ticks, styled

__all__ = ["AGES", "GrowthSection", "growth_data", "growth_section", "growth_table"]

#: Ages the report predicts at: 1 h, 6 h, 24 h.
AGES = (3600.0, 21600.0, 86400.0)
_NAT = np.iinfo(np.int64).min


def _label(at: float) -> str:
    return f"{at / 3600:g}h"


def growth_data(
    papers: Paper | Iterable[Paper],
    at: Sequence[float] = AGES,
    *,
    stacked: Batch | None = None,
    **options,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per-cascade predictions and, per paper, the sorted ages (seconds) of its dated reshares.

    Parameters
    ----------
    papers : Paper or iterable of Paper
    at : sequence of float
        Ages to predict at, seconds.
    stacked : Batch, optional
        ``cascade.model.stack(papers)`` where the caller has it (one stack for every measure
        of a batch).
    **options
        Passed to :func:`cascade.predict_cascades` (``n_star``, ``estimator``, ``columns``,
        ...).

    Returns
    -------
    predictions : pandas.DataFrame
        :func:`cascade.predict_cascades` with ``min_size=1``.
    ages : dict
        citation_id -> sorted float array of reshare ages (reshares of roots with a known time).

    Examples
    --------
    >>> import cascade
    >>> predictions, ages = growth_data(cascade.read("examples/data"))
    >>> len(ages["56155705"]), int(predictions.final_retweets.sum()) // 3
    (188, 188)
    """
    papers = [papers] if isinstance(papers, Paper) else list(papers)
    # Without a stack given, the predictions run in their own batches (their peak of memory).
    predictions = predict_cascades(papers, at=at, min_size=1, stacked=stacked, **options)
    ages: dict[str, np.ndarray] = {}
    if papers:
        b = stack(papers) if stacked is None else stacked
        parent, time = b.parent, b.time
        _, root, _ = b.forest
        dated = (parent >= 0) & ~b.placeholder & (time != _NAT) & (time[root] != _NAT)
        age = np.maximum(time[dated] - time[root[dated]], 0).astype(np.float64)
        # One sort for the whole batch; a paper listed twice is one citation id.
        ids, which = np.unique(
            np.array([p.citation_id for p in papers], dtype=object), return_inverse=True
        )
        owner = which[b.paper[dated]]
        order = lexsort_whole((age, owner))
        age = age[order]
        ends = np.cumsum(np.bincount(owner, minlength=ids.size)).tolist()
        starts = [0, *ends][:-1]
        by_id = {i: age[a:z] for i, a, z in zip(ids.tolist(), starts, ends, strict=True)}
        ages = {p.citation_id: by_id[p.citation_id] for p in papers}
    return predictions, ages


def growth_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """Per paper and age: observed, predicted (with band), supercritical cascades, final size.

    Parameters
    ----------
    predictions : pandas.DataFrame
        A :func:`cascade.predict_cascades` table.

    Returns
    -------
    pandas.DataFrame
        Columns ``citation_id``, ``at_s``, ``cascades``, ``observed``, ``predicted``,
        ``predicted_low``, ``predicted_high`` (inf when a cascade's band is unbounded),
        ``supercritical`` and ``final``; papers by final size (largest first), then id.

    Examples
    --------
    >>> t = pd.DataFrame({"citation_id": ["a", "a"], "at_s": 3600.0,
    ...     "retweets_observed": [1, 2], "predicted_retweets": [3.0, None],
    ...     "predicted_low": [2.0, None], "predicted_high": [5.0, None],
    ...     "supercritical": [False, None], "final_retweets": [4, 2]})
    >>> growth_table(t)[["observed", "predicted", "predicted_low", "final"]].values.tolist()
    [[3.0, 5.0, 4.0, 6.0]]
    """
    observed = predictions["retweets_observed"].astype("Float64").fillna(0).to_numpy(float)
    frame = pd.DataFrame(
        {
            "citation_id": predictions["citation_id"].to_numpy(),
            "at_s": predictions["at_s"].to_numpy(float),
            "cascades": 1,
            "observed": observed,
        }
    )
    for name, column in (
        ("predicted", "predicted_retweets"),
        ("predicted_low", "predicted_low"),
        ("predicted_high", "predicted_high"),
    ):
        value = predictions[column].to_numpy(float)
        frame[name] = np.where(np.isnan(value), observed, value)
    # A supercritical cascade has no point prediction: it counts with what it has by then, and
    # its band (finite below, unbounded above) must still hold that point.
    frame["predicted_low"] = np.minimum(frame["predicted_low"], frame["predicted"])
    frame["predicted_high"] = np.maximum(frame["predicted_high"], frame["predicted"])
    frame["supercritical"] = as_flag(predictions["supercritical"])
    frame["final"] = predictions["final_retweets"].to_numpy(float)
    out = frame.groupby(["citation_id", "at_s"], sort=True).sum().reset_index()
    out["supercritical"] = out["supercritical"].astype(np.int64)
    final = out.groupby("citation_id")["final"].transform("max")
    order = np.lexsort((out["at_s"].to_numpy(), out["citation_id"].to_numpy(), -final.to_numpy()))
    return out.iloc[order].reset_index(drop=True)


@dataclass(frozen=True)
class GrowthSection:
    """The growth section: ``table`` (see :func:`growth_table`), ``figure``, ``html``."""

    table: pd.DataFrame
    figure: Figure
    html: str


@styled
def _figure(table: pd.DataFrame, ages: Mapping[str, np.ndarray], papers: list[str]) -> Figure:
    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    if not papers:
        ax = fig.add_subplot()
        fig.subplots_adjust(**MARGINS)
        ax.set_title("Growth against prediction (no paper with reshares)", y=1.0)
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        return fig
    cols = min(3, len(papers))
    rows = -(-len(papers) // cols)
    # Fixed spacing that holds the small labels (cheaper than a layout engine; see plots.MARGINS).
    space = {"left": 0.07, "right": 0.98, "bottom": 0.1, "top": 0.88, "wspace": 0.3, "hspace": 0.55}
    axes = fig.subplots(rows, cols, squeeze=False, gridspec_kw=space)
    fig.suptitle("Reshares by cascade age: observed (line), SEISMIC prediction made at each age "
                 "(dot, 90% band), final size (dashed)", fontsize=9)  # fmt: skip
    for ax in axes.ravel()[len(papers) :]:
        ax.set_visible(False)
    for ax, cid in zip(axes.ravel(), papers, strict=False):
        rows_p = table[table["citation_id"] == cid]
        age = np.asarray(ages.get(cid, np.zeros(0)), dtype=float) / 3600.0
        final = float(rows_p["final"].max())
        if age.size:
            x = np.concatenate([[0.0], age])
            ax.step(x, np.arange(x.size), where="post", lw=1.2, color="C0")
        at_h = rows_p["at_s"].to_numpy() / 3600.0
        pred = rows_p["predicted"].to_numpy()
        top = max(final, float(np.nanmax(pred, initial=0.0)), 1.0) * 1.6
        low = rows_p["predicted_low"].to_numpy()
        high = np.minimum(rows_p["predicted_high"].to_numpy(), top)  # unbounded: to the top
        ax.errorbar(at_h, pred, yerr=[pred - low, high - pred], fmt="o", ms=4, color="C3",
                    capsize=3, lw=1)  # fmt: skip
        ax.axhline(final, ls="--", lw=1, color="0.4")
        ax.set_xscale("symlog", linthresh=1.0)
        ax.set_xlim(0, max(float(at_h.max()), float(age.max(initial=0.0))) * 1.5)
        ax.set_ylim(0, top)
        plain_ticks(ax)
        ax.set_title(str(cid)[:30], fontsize=8, y=1.0)
        ax.tick_params(labelsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("hours since the cascade's root", fontsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel("reshares", fontsize=7)
    return fig


def _html(table: pd.DataFrame, papers: list[str], titles: Mapping[str, str]) -> str:
    ages = sorted(set(table["at_s"].tolist()))
    head = "".join(f"<th>predicted at {_label(a)} (90% band)</th>" for a in ages)
    rows = []
    for cid in papers:
        p = table[table["citation_id"] == cid].set_index("at_s")
        cells = []
        for a in ages:
            r = p.loc[a]
            hi = "&infin;" if np.isinf(r.predicted_high) else f"{r.predicted_high:.1f}"
            sup = f", {int(r.supercritical)} supercritical" if r.supercritical else ""
            cells.append(
                f"<td>{r.predicted:.1f} [{r.predicted_low:.1f}, {hi}]"
                f'<br><span class="muted">{int(r.observed)} observed{sup}</span></td>'
            )
        name = html.escape(str(titles.get(cid) or cid))
        final = int(p["final"].max())
        rows.append(f"<tr><td>{name}</td><td>{final}</td>{''.join(cells)}</tr>")
    return (
        '<table class="growth"><thead><tr><th>paper</th><th>final reshares</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


@renamed_keyword("top", "n_papers")
def growth_section(
    predictions: pd.DataFrame | Sequence[pd.DataFrame],
    ages: Mapping[str, np.ndarray] | Sequence[Mapping[str, np.ndarray]],
    *,
    n_papers: int = 6,
    titles: Mapping[str, str] | None = None,
) -> GrowthSection:
    """The growth table, figure and HTML for the ``n_papers`` papers with most reshares.

    Parameters
    ----------
    predictions : DataFrame or sequence of DataFrame
        From :func:`growth_data` (one per batch is fine: they are concatenated).
    ages : mapping or sequence of mappings
        From :func:`growth_data` (merged).
    n_papers : int
        Papers drawn and listed in the HTML (the table has all papers; ``top`` in 0.1,
        deprecated).
    titles : mapping, optional
        citation_id -> title shown in the HTML (escaped).

    Returns
    -------
    GrowthSection
        ``table`` (:func:`growth_table`, every paper), ``figure`` (matplotlib, up to ``n_papers``
        small panels; save with :func:`cascade.render.plots.save`) and ``html`` (a ``<table>``,
        every value escaped, no external resource).

    Examples
    --------
    >>> import cascade
    >>> section = growth_section(*growth_data(cascade.read("examples/data")))
    >>> section.table[["at_s", "observed", "final"]].values.tolist()
    [[3600.0, 38.0, 188.0], [21600.0, 94.0, 188.0], [86400.0, 161.0, 188.0]]
    >>> section.html.startswith('<table class="growth">')
    True
    """
    if not isinstance(predictions, pd.DataFrame):
        frames = [p for p in predictions if len(p)]
        predictions = pd.concat(frames, ignore_index=True) if frames else predictions[0]
    table = growth_table(predictions)
    finals = table.groupby("citation_id", sort=False)["final"].max()
    papers = finals.index[finals.to_numpy() > 0][:n_papers].tolist()
    if not isinstance(ages, Mapping):  # merged for the papers drawn only
        parts = list(ages)
        ages = {
            cid: np.sort(np.concatenate([np.zeros(0)] + [p[cid] for p in parts if cid in p]))
            for cid in papers
        }
    return GrowthSection(table, _figure(table, ages, papers), _html(table, papers, titles or {}))
