"""Bluesky posts as médialab's ``minet bluesky ...`` writes them, normalised by ``twitwi``.

CSV (a header row, twitwi's ``BlueskyPost`` fields; list fields joined with ``|``) or JSON Lines
(one normalised post per line, lists as lists; read through :mod:`cascade.io.bluesky`). Fields
used: ``uri`` (the id), ``user_handle`` (else ``user_did``), ``timestamp_utc``, ``text`` (twitwi's
full text, links expanded), ``links`` and ``card_link`` (for DOIs), ``quoted_uri`` /
``quoted_user_handle`` (kind ``quote``), ``to_post_uri`` / ``to_user_did`` (kind ``reply``;
``to_root_*`` is not needed for the edge) and ``repost_by_user_did`` / ``repost_by_user_handle``
/ ``repost_timestamp_utc``: a row collected as reposted by someone is the post (as an embedded
copy) plus that repost (kind ``retweet``, id ``<uri>#reposted-by-<did>``).
Partial posts (firehose, no ``user_handle``) take the DID as the author.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from cascade.io.records import InputError, PaperRecords
from cascade.io.social import Posts, at_uri_author, collector_paused, is_at_uri
from cascade.io.sources import read_bytes

__all__ = ["add_post", "is_post", "read", "sniff_text"]

NAME = "bluesky"
GROUPED = True
_POST = "app.bsky.feed.post"
_REQUIRED = ("uri", "user_did", "timestamp_utc")
_FIELD_LIMIT = 10_000_000


def is_post(doc: Any) -> bool:
    """Whether a parsed document is a twitwi-normalised Bluesky post."""
    return (
        isinstance(doc, dict)
        and is_at_uri(doc.get("uri"), _POST)
        and "user_did" in doc
        and "timestamp_utc" in doc
    )


def _header(line: str) -> list[str]:
    try:
        return [c.strip().lstrip("\ufeff") for c in next(csv.reader([line]))]
    except (csv.Error, StopIteration):
        return []


def sniff_text(head: str) -> bool:
    """Whether a file's first characters are a twitwi Bluesky posts CSV header."""
    return set(_REQUIRED) <= set(_header(head.split("\n", 1)[0].rstrip("\r")))


def _str(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    if isinstance(value, str) and value:
        return [v for v in value.split("|") if v]
    return []


def _epoch(value: Any) -> Any:
    """twitwi's ``timestamp_utc``: epoch seconds, as a number or (in CSV) digits."""
    if isinstance(value, str):
        value = value.strip()
        return int(value) if value.isdigit() else value or None
    return value


def add_post(posts: Posts, row: dict[str, Any]) -> None:
    """Collect one twitwi post (a CSV row or a JSON object)."""
    uri = _str(row.get("uri"))
    if uri is None or not is_at_uri(uri, _POST):
        posts.router.skip("no tweet id")
        return
    did = _str(row.get("user_did")) or at_uri_author(uri)
    handle = _str(row.get("user_handle"))
    if handle:
        posts.handles[did] = handle
    quoted, parent = _str(row.get("quoted_uri")), _str(row.get("to_post_uri"))
    if quoted and is_at_uri(quoted, _POST):
        ref, kind = quoted, "quote"
        q_handle = _str(row.get("quoted_user_handle"))
        posts.declare(quoted, q_handle or _str(row.get("quoted_user_did")) or at_uri_author(quoted))
    elif parent and is_at_uri(parent, _POST):
        ref, kind = parent, "reply"
        posts.declare(parent, _str(row.get("to_user_did")) or at_uri_author(parent))
    else:
        ref, kind = None, None
    links = _list(row.get("links"))
    card = _str(row.get("card_link"))
    if card:
        links.append(card)
    reposter = _str(row.get("repost_by_user_did"))
    posts.add(
        uri, handle or did, _epoch(row.get("timestamp_utc")), row.get("text") or "",
        ref_id=ref, ref_kind=kind, links=links, embedded=reposter is not None,
    )  # fmt: skip
    if reposter is not None:
        name = _str(row.get("repost_by_user_handle"))
        if name:
            posts.handles[reposter] = name
        posts.add(
            f"{uri}#reposted-by-{reposter}", name or reposter,
            _epoch(row.get("repost_timestamp_utc")), ref_id=uri, ref_kind="retweet",
            subject=uri,
        )  # fmt: skip


def read(
    path: str, *, paper_id: str | None = None, data: bytes | None = None
) -> Iterator[PaperRecords]:
    """Yield the :class:`PaperRecords` of a twitwi Bluesky posts CSV.

    Parameters
    ----------
    path : str
        The file (plain or gzip, UTF-8).
    paper_id : str, optional
        One paper for every row; ``"from-text"``: the papers each post links; None: the stem.
    data : bytes, optional
        The file's content when already read.

    Raises
    ------
    InputError
        If the file is not UTF-8 CSV with the columns ``uri``, ``user_did``, ``timestamp_utc``.
    """
    if data is None:
        data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text (byte {err.start})") from None
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip() for c in next(reader, [])]
    except csv.Error as err:
        raise InputError(path, f"invalid CSV: {err}", line=1) from None
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}", line=1)
    with collector_paused():
        return iter(_gather(path, reader, header, Posts(path, paper_id, "bluesky")))


def _gather(path: str, reader: Any, header: list[str], posts: Posts) -> list[PaperRecords]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise InputError(path, f"invalid CSV: {err}", line=reader.line_num) from None
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        add_post(posts, dict(zip(header, row)))
    return posts.route()
