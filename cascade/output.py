"""Writing tables and files: atomic writes, and tables as text, CSV, JSON or Parquet."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import orjson
import pandas as pd

__all__ = ["TABLE_FORMATS", "atomic_path", "atomic_write", "table_records", "write_table"]

TABLE_FORMATS = ("table", "csv", "json", "parquet")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path beside ``path``; on success it is renamed to ``path``.

    An interrupted run leaves no half-written file under the final name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    # mkstemp makes the file private (0600); give it the permissions open() would have.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Open a temporary file for writing (UTF-8 in text mode) that replaces ``path`` on success."""
    with atomic_path(path) as tmp:
        encoding = None if "b" in mode else "utf-8"
        with open(tmp, mode, encoding=encoding, newline="" if encoding else None) as f:
            yield f


def _iso(frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime columns as ISO-8601 strings (None for missing)."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype) or out[name].dtype.kind == "M":
            out[name] = [None if pd.isna(t) else t.isoformat() for t in out[name]]
    return out


def table_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts for JSON: times ISO-8601, NaN as None, numpy scalars as Python ones."""
    frame = _iso(frame).astype(object)
    frame = frame.where(pd.notna(frame), None)
    return frame.to_dict(orient="records")


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError


def write_table(frame: pd.DataFrame, path: str | os.PathLike | None, fmt: str = "table") -> None:
    """Write a table to ``path`` (atomically) or to standard output when ``path`` is None or "-".

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str, path or None
    fmt : {"table", "csv", "json", "parquet"}
        ``json`` is an array of objects (times ISO-8601, missing values null); ``parquet`` needs a
        file path.
    """
    if fmt not in TABLE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {TABLE_FORMATS}")
    to_stdout = path is None or str(path) == "-"
    if fmt == "parquet":
        if to_stdout:
            raise ValueError("parquet output needs a file: give -o FILE")
        with atomic_path(path) as tmp:
            frame.to_parquet(tmp, index=False)
        return
    if fmt == "json":
        text = orjson.dumps(
            table_records(frame),
            default=_json_default,
            option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY,
        ).decode()
    elif fmt == "csv":
        # CRLF as in RFC 4180: the csv writer then also quotes fields holding a bare "\r".
        text = _iso(frame).to_csv(index=False, lineterminator="\r\n")
    else:
        with pd.option_context("display.width", 200, "display.max_columns", None):
            text = frame.to_string(index=False)
    if not text.endswith("\n"):
        text += "\n"
    if to_stdout:
        sys.stdout.write(text)
    else:
        with atomic_write(path) as f:
            f.write(text)
