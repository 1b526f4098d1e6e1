"""A plain CSV of tweets, for every source without a reader of its own.

Columns (a header row, any order, names case-insensitive): ``tweet_id``, ``paper_id``,
``author``, ``time`` (ISO-8601, UTC when no offset is given) and ``text``; optional
``followers`` (empty = unknown) and ``parent_id`` (the exact parent: edges then come from it,
resolution ``exact``). The tweet-level tables :func:`cascade.export.export` writes read back
unchanged: their ``kind`` column gives the kind of a parent link, and rows with ``placeholder``
true are inferred tweets (not records) that are restored as placeholders.
Without a ``paper_id`` column the paper is ``paper_id`` or else the file's stem; the ``paper_id``
argument overrides the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from cascade import text as T
from cascade.io.papers import Router
from cascade.io.records import InputError, PaperRecords, parse_followers, parse_time
from cascade.io.sources import read_bytes

__all__ = ["COLUMNS", "read", "sniff_text"]

NAME = "csv"
GROUPED = True
COLUMNS = ("tweet_id", "paper_id", "author", "time", "text")
_LINK_KINDS = ("retweet", "quote", "reply")
_TRUE = ("true", "1", "yes", "t")
_FIELD_LIMIT = 10_000_000  # characters in one cell


def _header(line: str) -> list[str]:
    try:
        row = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return []
    return [c.strip().lower().lstrip("\ufeff") for c in row]


def sniff_text(head: str) -> bool:
    """Whether a file's first characters look like this CSV: a header naming the columns."""
    names = set(_header(head.split("\n", 1)[0].rstrip("\r")))
    return {"tweet_id", "author", "time"} <= names


def read(
    path: str, *, paper_id: str | None = None, data: bytes | None = None
) -> Iterator[PaperRecords]:
    """Yield the :class:`PaperRecords` of each paper in a tweets CSV.

    Parameters
    ----------
    path : str
        The file (plain or gzip, UTF-8).
    paper_id : str, optional
        One paper for every row (overrides the ``paper_id`` column).
    data : bytes, optional
        The file's content when already read.

    Raises
    ------
    InputError
        If the file is not UTF-8, not CSV, or lacks a required column.
    """
    if data is None:
        data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start})") from None
    return _rows(path, text, paper_id)


def _rows(path: str, text: str, paper_id: str | None) -> Iterator[PaperRecords]:
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip().lower() for c in next(reader, [])]
    except csv.Error as err:
        raise InputError(path, f"invalid CSV: {err}", line=1) from None
    missing = [c for c in ("tweet_id", "author", "time") if c not in header]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}", line=1)
    col = {name: header.index(name) for name in reversed(header)}  # the first of repeats wins
    has_paper = "paper_id" in col and paper_id is None
    router = Router(path, paper_id)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise InputError(path, f"invalid CSV: {err}", line=reader.line_num) from None
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        values = {name: row[i] if i < len(row) else "" for name, i in col.items()}
        if has_paper:
            pid = values["paper_id"].strip()
            if not pid:
                router.skip("no paper_id")
                continue
            targets = [router.get(pid)]
        else:
            targets = router.route(())
        for out in targets:
            _add(out, values)
    yield from router.results()


def _add(out: PaperRecords, v: dict[str, Any]) -> None:
    text = v.get("text", "")
    parent = v.get("parent_id", "").strip() or None
    kind = v.get("kind", "").strip().lower()
    if v.get("placeholder", "").strip().lower() in _TRUE:
        tid = v["tweet_id"].strip()
        if tid:
            out.add_placeholder(tid, v["author"].strip(), text, kind or "original", parent)
        return
    ref_kind = None
    if parent is None:
        # A root's kind as exported (a text "@h ..." that replies to nothing stays an original);
        # a text crediting a retweet chain is left to resolution.
        if kind in ("original", "reply", "quote") and not T.credited_chain(text)[0]:
            ref_kind = kind
    else:
        if kind in _LINK_KINDS:
            ref_kind = kind
        elif T.reply_to(text) and not T.credited_chain(text)[0]:
            ref_kind = "reply"
        else:
            ref_kind = "retweet"
    out.add(
        v["tweet_id"],
        v["author"],
        parse_time(v["time"].strip()),
        parse_followers(v.get("followers", "").strip()),
        text,
        ref_id=parent,
        ref_kind=ref_kind,
    )
