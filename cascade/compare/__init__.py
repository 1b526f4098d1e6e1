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

Modules: :mod:`.tables` (metrics, distributions, groups), :mod:`.group_tests`,
:mod:`.size_matched` and :mod:`.audience`. A paper table is passed as ``table`` (``papers=`` is
the deprecated 0.1 keyword). scipy.stats is imported only when a test runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cascade.compare.audience import audience_overlap, spreaders
from cascade.compare.group_tests import TEST_COLUMNS, group_tests
from cascade.compare.size_matched import (
    SIZE_MATCHED_COLUMNS,
    SIZE_MATCHED_METRICS,
    size_bins,
    size_matched,
)
from cascade.compare.tables import (
    METRICS,
    check_groups,
    distributions,
    group_summary,
    read_groups,
)

if TYPE_CHECKING:
    from cascade.predict.cascades import rank_by_predicted

__all__ = [
    "METRICS",
    "SIZE_MATCHED_COLUMNS",
    "SIZE_MATCHED_METRICS",
    "TEST_COLUMNS",
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


def __getattr__(name: str) -> Any:
    """``rank_by_predicted`` (papers ranked at the same age), loaded on first use: cascade.predict
    imports scipy.stats, which the comparisons import only when a group test runs."""
    if name == "rank_by_predicted":
        from cascade.predict.cascades import rank_by_predicted

        return rank_by_predicted
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
