"""Writing tables and files: atomic writes, and tables as text, CSV, JSON or Parquet."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson
import pandas as pd

from cascade.errors import InputError

__all__ = [
    "FORMULA_START",
    "TABLE_FORMATS",
    "atomic_path",
    "atomic_write",
    "flat_cells",
    "guard_formulas",
    "staging_folder",
    "swap_folder",
    "table_records",
    "write_table",
    "write_tables",
]

TABLE_FORMATS = ("table", "csv", "json", "parquet")
#: Formats of the report's tables that grow with the corpus (a row per cascade or per user).
LARGE_TABLE_FORMATS = ("parquet", "csv")
#: A text cell starting with one of these opens as a formula in Excel or LibreOffice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with ``'`` (as OWASP
    recommends against CSV injection). Only text cells change: numbers stay numbers.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        A copy where needed (``frame`` itself when no cell needs it).

    Examples
    --------
    >>> t = pd.DataFrame({"text": ["=1+1", "ok", "@me", ""], "n": [-1, 2, 3, 4]})
    >>> guard_formulas(t).values.tolist()
    [["'=1+1", -1], ['ok', 2], ["'@me", 3], ['', 4]]
    """
    out = frame
    for name in frame.columns:
        column = frame[name]
        if column.dtype.kind not in "OSU" and not pd.api.types.is_string_dtype(column):
            continue
        text = column.astype(object)
        risky = np.fromiter(
            (isinstance(v, str) and v.startswith(FORMULA_START) for v in text),
            bool,
            len(text),
        )
        if risky.any():
            if out is frame:
                out = frame.copy()
            values = text.to_numpy(copy=True)
            values[risky] = ["'" + v for v in values[risky]]
            out[name] = pd.Series(values, index=frame.index, dtype=column.dtype)
    return out


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
    """Datetime columns as ISO-8601 strings (None for missing), as ``Timestamp.isoformat``."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype) or out[name].dtype.kind == "M":
            out[name] = iso_strings(out[name])
    return out


def iso_strings(times: pd.Series) -> np.ndarray:
    """``[t.isoformat() for t in times]`` (None for missing), in numpy for UTC and naive times.

    Examples
    --------
    >>> t = pd.Series(["2019-02-28 00:00:00", None, "2019-03-01 12:00:00.5"])
    >>> t = pd.to_datetime(t, utc=True, format="ISO8601")
    >>> iso_strings(t).tolist()
    ['2019-02-28T00:00:00+00:00', None, '2019-03-01T12:00:00.500000+00:00']
    """
    tz = getattr(times.dtype, "tz", None)
    values = (times.dt.tz_localize(None) if tz is not None else times).to_numpy()
    unit = np.datetime_data(values.dtype)[0] if values.dtype.kind == "M" else None
    if (
        (tz is not None and str(tz) != "UTC")
        or unit not in ("s", "ms", "us", "ns")
        or (unit == "ns" and (values.view(np.int64)[~np.isnat(values)] % 1000).any())
    ):  # another zone or unit, or nanoseconds: the slow way, cell by cell
        return np.array([None if pd.isna(t) else t.isoformat() for t in times], dtype=object)
    micro = values.astype("datetime64[us]")
    text = np.datetime_as_string(micro.astype("datetime64[s]"), unit="s").astype(object)
    fraction = micro.view(np.int64) % 1_000_000 != 0
    text[fraction] = np.datetime_as_string(micro[fraction], unit="us")
    if tz is not None:
        text = text + "+00:00"
    text[np.isnat(values)] = None
    return text


def table_records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts for JSON: times ISO-8601, NaN as None, numpy scalars as Python ones."""
    frame = _iso(frame).astype(object)
    frame = frame.where(pd.notna(frame), None)
    return frame.to_dict(orient="records")


def _text(frame: pd.DataFrame) -> str:
    with pd.option_context("display.width", 200, "display.max_columns", None):
        return frame.to_string(index=False)


def flat_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Tuple cells (such as the pair of groups a test compares) as "a;b" text, not Python reprs
    (a copy when there are some; else ``frame`` itself)."""
    pairs = [c for c in frame.columns if len(frame) and isinstance(frame[c].iloc[0], tuple)]
    if not pairs:
        return frame
    out = frame.copy()
    for c in pairs:
        out[c] = [";".join(str(x) for x in v) for v in out[c]]
    return out


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError


def _emit(text: str, path: str | os.PathLike | None) -> None:
    """Text to a file (atomically), or to standard output when ``path`` is None."""
    if not text.endswith("\n"):
        text += "\n"
    if path is None:
        sys.stdout.write(text)
    else:
        with atomic_write(path) as f:
            f.write(text)


def _json(value: Any) -> str:
    return orjson.dumps(
        value, default=_json_default, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY
    ).decode()


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike | None,
    fmt: str = "table",
    *,
    formula_guard: bool = True,
) -> None:
    """Write a table to ``path`` (atomically) or to standard output when ``path`` is None or "-".

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str, path or None
    fmt : {"table", "csv", "json", "parquet"}
        ``json`` is an array of objects (times ISO-8601, missing values null); ``parquet`` needs a
        file path.
    formula_guard : bool
        CSV only: prefix ``'`` to text cells a spreadsheet would run as formulas
        (:func:`guard_formulas`). Turn it off for exact round trips.
    """
    if fmt not in TABLE_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {TABLE_FORMATS}")
    to_stdout = path is None or str(path) == "-"
    if fmt == "parquet":
        if path is None or to_stdout:
            raise ValueError("parquet output needs a file: give -o FILE")
        with atomic_path(path) as tmp:
            # zstd: a quarter smaller than the default snappy, as fast, and every reader has it.
            # Plain pages: zstd packs repeated ids better than dictionary pages do (the 1M-tweet
            # report's cascades: 6.9 MB against 7.6 MB) and they are written 30% faster.
            frame.to_parquet(tmp, index=False, compression="zstd", use_dictionary=False)
        return
    if fmt == "json":
        text = _json(table_records(frame))
    elif fmt == "csv":
        # CRLF as in RFC 4180: the csv writer then also quotes fields holding a bare "\r".
        table = guard_formulas(frame) if formula_guard else frame
        text = _iso(table).to_csv(index=False, lineterminator="\r\n")
    else:
        text = _text(frame)
    _emit(text, None if to_stdout else path)


def write_tables(
    tables: dict[str, pd.DataFrame],
    path: str | os.PathLike | None,
    fmt: str = "table",
    *,
    formula_guard: bool = True,
) -> list[Path]:
    """Write several named tables at once; return the files written.

    ``table``: one section per table; ``json``: one object whose keys are the table names;
    ``csv`` and ``parquet``: one file per table. A ``path`` with a suffix is a stem
    (``out.csv`` -> ``out.papers.csv``, ``out.tests.csv``, ...), one without a suffix a folder
    (``DIR/papers.csv``, ...). To standard output, CSV gives only the ``tests`` table, or
    ``papers`` when there is none.
    """
    to_stdout = path is None or str(path) == "-"
    if fmt == "json":
        text = _json({name: table_records(t) for name, t in tables.items()})
    elif fmt == "table":
        text = "".join(f"== {name} ==\n{_text(t)}\n\n" for name, t in tables.items())
    elif path is None or to_stdout:
        if fmt == "parquet":
            raise ValueError("parquet output needs a file stem or a folder: give -o")
        table = flat_cells(tables.get("tests", tables["papers"]))
        write_table(table, None, fmt, formula_guard=formula_guard)
        return []
    else:
        target = Path(path)
        if target.suffix and not target.is_dir():
            paths = {n: target.with_name(f"{target.stem}.{n}.{fmt}") for n in tables}
        else:
            paths = {n: target / f"{n}.{fmt}" for n in tables}
        for name, t in tables.items():
            write_table(flat_cells(t), paths[name], fmt, formula_guard=formula_guard)
        return list(paths.values())
    _emit(text, None if to_stdout else path)
    return [] if path is None or to_stdout else [Path(path)]


def staging_folder(out: Path, *, ours: Callable[[Path], bool], force: bool, what: str) -> Path:
    """A fresh hidden sibling of ``out`` to build a folder in (``.<name>.*.tmp``).

    A non-empty ``out`` that ``ours`` does not recognise (not ``what``) is refused unless
    ``force``, so an unrelated folder is never replaced; a file there is always refused.
    """
    if out.exists():
        if not out.is_dir():
            raise InputError(str(out), "exists and is not a folder: choose another -o")
        if any(out.iterdir()) and not ours(out) and not force:
            raise InputError(
                str(out),
                f"is a non-empty folder that is not {what}: choose another -o, "
                "or give --force (force=True) to replace it",
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))


def swap_folder(staging: Path, out: Path) -> None:
    """Put the finished folder in place of ``out``: nothing half-written is ever under ``out``."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(staging, 0o777 & ~mask)
    if not out.exists():
        os.replace(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.replace(out, old / "report")
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)
