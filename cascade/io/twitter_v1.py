"""Twitter API v1.1 statuses: a JSON array, ``{"statuses": [...]}``, one status, or JSON Lines.

Exact parents: ``retweeted_status`` (kind ``retweet``), ``quoted_status`` /
``quoted_status_id_str`` (``quote``) and ``in_reply_to_status_id_str`` (``reply``); when a status
is both, retweet wins over quote over reply (a quote-reply takes its content from the quoted tweet).
The statuses carried inside a record (``retweeted_status``, ``quoted_status``) fill in their
cascade's root with real data; they are counted as ``embedded``, not as records.

Statuses carry no paper id. The paper is ``paper_id`` when given; with ``paper_id="from-text"``
(:data:`FROM_TEXT`, ``--paper-id from-text``) each tweet goes to the papers whose DOIs, or else
URLs, it links (text and ``entities.urls[].expanded_url``; a retweet or quote also takes its
original's links); otherwise the file name up to its first dot (``doi-search.json`` -> paper
``doi-search``): one file, or one stem, per paper's search results.

"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cascade.io.papers import NO_PAPER_ID, Router, not_a_reply, paper_keys
from cascade.io.records import PaperRecords, as_object, parse_followers, parse_time

__all__ = ["from_documents", "sniff"]

NAME = "twitter-v1"
# Records of one paper may be spread over several files, and one file may hold several papers.
GROUPED = True
_MAX_DEPTH = 3  # statuses nested deeper than a quote inside a retweet are not followed


def _is_status(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and ("id_str" in doc or "id" in doc)
        and isinstance(doc.get("user"), dict)
        and "created_at" in doc
    )


def sniff(doc: Any) -> bool:
    """Whether a parsed document looks like v1.1 statuses."""
    if isinstance(doc, dict) and isinstance(doc.get("statuses"), list):
        return True
    if isinstance(doc, list):
        return bool(doc) and _is_status(doc[0])
    return _is_status(doc)


def from_documents(
    docs: Iterator[tuple[int, Any]], path: str, *, paper_id: str | None = None
) -> Iterator[PaperRecords]:
    """Records from already-parsed ``(line, document)`` pairs of one file."""
    router = Router(path, paper_id)
    for _, doc in docs:
        if isinstance(doc, dict) and isinstance(doc.get("statuses"), list):
            statuses = doc["statuses"]
        elif isinstance(doc, list):
            statuses = doc
        else:
            statuses = [doc]
        for status in statuses:
            add_status(router, status)
    yield from router.results()


def _text(t: dict) -> str:
    ext = t.get("extended_tweet")
    if isinstance(ext, dict) and isinstance(ext.get("full_text"), str):
        return ext["full_text"]
    for key in ("full_text", "text"):
        if isinstance(t.get(key), str):
            return t[key]
    return ""


def _urls(t: dict) -> list[str]:
    out: list[str] = []
    for holder in (t, t.get("extended_tweet")):
        entities = holder.get("entities") if isinstance(holder, dict) else None
        urls = entities.get("urls") if isinstance(entities, dict) else None
        for u in urls if isinstance(urls, list) else ():
            if isinstance(u, dict):
                out.extend(v for v in (u.get("expanded_url"), u.get("url")) if isinstance(v, str))
    return out


def _id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _status_id(t: dict) -> Any:
    return t.get("id_str") if t.get("id_str") is not None else t.get("id")


def _parent(t: dict) -> tuple[str | None, str | None, dict | None]:
    """``(parent id, kind, parent status if carried)`` of a status."""
    rs, qs = t.get("retweeted_status"), t.get("quoted_status")
    if isinstance(rs, dict) and _id(_status_id(rs)):
        return _id(_status_id(rs)), "retweet", rs
    quoted = _id(t.get("quoted_status_id_str")) or _id(t.get("quoted_status_id"))
    if isinstance(qs, dict):
        quoted = quoted or _id(_status_id(qs))
    if quoted:
        return quoted, "quote", qs if isinstance(qs, dict) else None
    reply = _id(t.get("in_reply_to_status_id_str")) or _id(t.get("in_reply_to_status_id"))
    if reply:
        return reply, "reply", None
    return None, None, None


def _keys(t: dict, depth: int = 0) -> list[str]:
    keys = paper_keys(_text(t), _urls(t))
    if depth < _MAX_DEPTH:
        for inner in (t.get("retweeted_status"), t.get("quoted_status")):
            if isinstance(inner, dict):
                keys += [k for k in _keys(inner, depth + 1) if k not in keys]
    return keys


def add_status(router: Router, status: Any) -> None:
    """Add one status (and the statuses it carries, as embedded) to its papers."""
    if not isinstance(status, dict):
        router.skip("status is not an object")
        return
    targets = router.route(_keys(status) if router.fixed is None else ())
    if not targets:
        if _parent(status)[0] is None:
            router.skip(NO_PAPER_ID)
            return
        targets = [router.waiting()]  # it takes its parent's papers (cascade.io.Corpus)
    for out in targets:
        _add(out, status, embedded=False, depth=0)


def _add(out: PaperRecords, t: dict, *, embedded: bool, depth: int) -> None:
    user = as_object(t.get("user"))
    ref_id, ref_kind, carried = _parent(t)
    if ref_kind is None:
        ref_kind = not_a_reply(_text(t))
    replied = t.get("in_reply_to_screen_name")
    kept = out.add(
        _status_id(t),
        user.get("screen_name"),
        parse_time(t.get("created_at")),
        parse_followers(user.get("followers_count")),
        _text(t),
        ref_id=ref_id,
        ref_kind=ref_kind,
        embedded=embedded,
    )
    # ref_id is set whenever ref_kind is (see _parent)
    if kept and ref_kind == "reply" and ref_id and isinstance(replied, str) and replied.strip():
        out.add_placeholder(ref_id, replied.strip())  # used only if the tweet is not in the data
    if depth < _MAX_DEPTH:
        for inner in (carried, t.get("quoted_status")):
            if isinstance(inner, dict):
                _add(out, inner, embedded=True, depth=depth + 1)
