"""Where records come from: inputs expanded into files, and JSON / JSON Lines documents."""

from __future__ import annotations

import gc
import glob
import gzip
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from cascade.errors import InputError

__all__ = ["collector_paused", "expand", "iter_documents", "read_bytes"]

_GLOB_CHARS = frozenset("*?[")


def expand(inputs: str | os.PathLike | Iterable[str | os.PathLike]) -> list[str]:
    """Turn files, directories and glob patterns into a sorted, de-duplicated list of files.

    A directory stands for every non-hidden file in it (not recursing); a pattern for its
    matches (``**`` recurses).

    Raises
    ------
    InputError
        For an input that names nothing.
    """
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    files: dict[str, None] = {}
    for item in inputs:
        item = os.fspath(item)
        path = Path(item)
        if path.is_dir():
            found = sorted(
                str(p) for p in path.iterdir() if p.is_file() and not p.name.startswith(".")
            )
        elif path.is_file():
            found = [item]
        elif _GLOB_CHARS & set(item):
            found = sorted(p for p in glob.glob(item, recursive=True) if os.path.isfile(p))
        else:
            raise InputError(item, "no such file or directory")
        if not found:
            raise InputError(item, "matches no file")
        files.update(dict.fromkeys(found))
    return list(files)


def read_bytes(path: str) -> bytes:
    """A file's bytes, gunzipped when it is gzip-compressed (by content, not by name), without
    a UTF-8 byte-order mark (editors on Windows write one; JSON parsers refuse it)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        return data[3:] if data[:3] == b"\xef\xbb\xbf" else data
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise InputError(path, f"cannot read: {err}") from None


def _position(data: bytes, pos: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, pos) + 1
    return line, pos - (data.rfind(b"\n", 0, pos) + 1) + 1


# A byte that is not white space (as bytes.strip sees it, which JSON's white space is part of).
_CONTENT = re.compile(rb"[^ \t\n\r\x0b\x0c]")


def _surely_json_lines(data: bytes) -> bool:
    """Whether ``data`` cannot be one JSON document but is JSON Lines: its first non-blank line
    is a document by itself, and something other than white space follows it.

    Examples
    --------
    >>> _surely_json_lines(b'{"a": 1}\\n{"a": 2}\\n'), _surely_json_lines(b'{"a": 1}\\n\\n')
    (True, False)
    >>> _surely_json_lines(b'{\\n"a": 1}\\n')
    False
    """
    start = _CONTENT.search(data)
    end = data.find(b"\n", start.start()) if start is not None else -1
    if start is None or end < 0:
        return False
    try:
        orjson.loads(data[start.start() : end])
    except orjson.JSONDecodeError:
        return False
    return _CONTENT.search(data, end) is not None


def iter_documents(
    path: str,
    data: bytes | None = None,
    *,
    on_error: Callable[[InputError], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, document)`` from a JSON file (one document) or JSON Lines (one per line).

    Parameters
    ----------
    path : str
        The file (plain or gzip).
    data : bytes, optional
        Its content, when already read.
    on_error : callable, optional
        Called with the error of each bad line of a JSON Lines file, after which the next lines
        are read; without it, the first bad line raises.

    Raises
    ------
    InputError
        Naming the file, line and column of the first syntax error.
    """
    if data is None:
        data = read_bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not _surely_json_lines(data):  # spares parsing a large JSON Lines file as one document
        try:
            yield 1, orjson.loads(data)
            return
        except orjson.JSONDecodeError as err:
            first_error = err
    # Not one document: JSON Lines if its first line is a document by itself.
    lines = data.split(b"\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InputError(path, "empty file") from None
    try:
        orjson.loads(lines[first])
    except orjson.JSONDecodeError:  # not reached if the data is surely JSON Lines
        row, col = _position(data, first_error.pos)
        raise InputError(path, f"invalid JSON: {first_error.msg}", line=row, column=col) from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            error = InputError(path, f"invalid JSON: {err.msg}", line=number, column=err.colno)
            if on_error is None:
                raise error from None
            on_error(error)
            continue
        yield number, doc


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (if it runs) for the duration.

    For passes that allocate many small containers that die young and make no reference cycles
    while much is kept alive (a file's posts being gathered, the tweet-by-tweet resolution): the
    collector would walk everything kept, again and again (half the time of a Jetstream read,
    a tenth of a batch whose originals are mostly missing).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
