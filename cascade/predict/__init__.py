"""Predicting how big a cascade will get: SEISMIC (Zhao et al., KDD 2015).

* :mod:`cascade.predict.seismic`: the model over one cascade's arrays (kernel, closed-form
  integrals, infectiousness with its interval, final size), vectorised over posts and times;
* :mod:`cascade.predict.cascades`: :func:`predict_cascades`, one row per cascade of a corpus and
  observation time.
"""

from __future__ import annotations

from cascade.predict.cascades import PREDICT_COLUMNS, REASONS, predict_cascades, rank_by_predicted
from cascade.predict.seismic import (
    ESTIMATORS,
    infectiousness,
    kernel_integral,
    memory_ccdf,
    memory_pdf,
    predict_final_size,
    predict_many,
)

__all__ = [
    "ESTIMATORS",
    "PREDICT_COLUMNS",
    "REASONS",
    "infectiousness",
    "kernel_integral",
    "memory_ccdf",
    "memory_pdf",
    "predict_cascades",
    "predict_final_size",
    "predict_many",
    "rank_by_predicted",
]
