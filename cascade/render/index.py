"""The report's index page (``index.html``): its template context, rendered by Jinja2."""

from __future__ import annotations

import math
import os
from collections import Counter
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from cascade.metrics import PAPER_COLUMNS
from cascade.render.tables import fmt_cell, html_table

__all__ = ["STATIC_ROWS", "index_page"]

#: Rows of the papers table written into the page itself (the script pages through the rest).
STATIC_ROWS = 50
_TEMPLATES = Path(__file__).parent / "templates"


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _json_column(column: pd.Series) -> list[Any]:
    """:func:`_json_value` of every value of a column, a whole column at a time."""
    # numpy dtypes only: pandas' nullable ones give pd.NA, which _json_value sees to
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else ""
    if kind in ("i", "u", "b"):
        return column.tolist()
    if kind == "f":
        return [None if math.isnan(x) else x for x in column.tolist()]
    if column.dtype.kind == "M":
        text = column.dt.strftime("%Y-%m-%d %H:%M")
        return [t if isinstance(t, str) else None for t in text.tolist()]
    return [_json_value(v) for v in column.tolist()]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def index_page(
    *,
    rank_measures: tuple[str, ...],
    combined_papers: int,
    m,
    papers,
    dist,
    influencers,
    per_paper,
    overlap,
    spread,
    summary,
    tests,
    matched,
    by_size,
    plot_list,
    combined,
    users,
    n_listed,
    inputs,
    method: str,
    growth: str,
    large_tables: str,
) -> str:
    """The report's index page (everything in it escaped by the template)."""
    log = m.log
    skipped = Counter(log.skipped)
    first = papers["first_tweet"].dropna()
    last = papers["last_tweet"].dropna()
    corpus = {
        "files": len(log.files),
        "papers": len(papers),
        "records": log.records,
        "tweets": int(papers["tweets"].sum()),
        "users": int(users["user"].nunique()),
        "cascades": len(m.cascades),
        "first": fmt_cell(first.min()) if len(first) else "",
        "last": fmt_cell(last.max()) if len(last) else "",
        "skipped": sorted(skipped.items()),
        "skipped_total": sum(skipped.values()),
        "errors": log.errors,
    }
    columns = ["citation_id", "title", "graph", *[c for c in PAPER_COLUMNS if c != "citation_id"]]
    data = [list(row) for row in zip(*(_json_column(papers[c]) for c in columns), strict=True)]
    static = by_size.head(STATIC_ROWS).index
    inf_cols = ["rank", "handle", *rank_measures, "automated_suspect"]
    per_paper_blocks = []
    for cid in by_size["citation_id"].head(n_listed).tolist():
        rows = per_paper[per_paper["citation_id"] == cid] if len(per_paper) else per_paper
        if len(rows):
            per_paper_blocks.append(
                {
                    "citation_id": cid,
                    "title": papers.loc[papers["citation_id"] == cid, "title"].iloc[0],
                    "table": html_table(rows.head(5), [c for c in inf_cols if c != "papers"]),
                }
            )
    from cascade import __version__

    context = {
        "version": __version__,
        "large": large_tables,
        "n_cascades": len(m.cascades),
        "n_users": len(influencers),
        "method": method,
        "inputs": [
            str(i) for i in ([inputs] if isinstance(inputs, (str, os.PathLike)) else inputs)
        ],
        "corpus": corpus,
        "distributions": html_table(dist),
        "plots": plot_list,
        "columns": columns,
        "numeric": [pd.api.types.is_numeric_dtype(papers[c]) for c in columns],
        "data": data,
        "static_rows": [{c: fmt_cell(papers.at[i, c]) for c in columns} for i in static],
        "influencers": html_table(influencers.head(n_listed), inf_cols),
        "per_paper": per_paper_blocks,
        "overlap": html_table(overlap),
        "spreaders": html_table(spread),
        "combined": combined,
        "growth": growth,
        "combined_papers": min(len(papers), combined_papers),
        "groups": None
        if tests is None
        else {
            "summary": html_table(summary),
            "tests": html_table(tests),
            "matched": html_table(matched),
        },
    }
    from cascade.render.html.render import CSP_PLACEHOLDER, with_csp

    text = _environment().get_template("report.html.j2").render(**context, csp=CSP_PLACEHOLDER)
    return with_csp(text, external=True)
