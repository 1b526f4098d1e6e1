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

This module also holds the helpers the other tweet-stream readers share (:class:`Router`,
:func:`paper_keys`, :func:`find_dois`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from cascade import text as T
from cascade.io.records import PaperRecords, parse_followers, parse_time

__all__ = [
    "FROM_TEXT",
    "Router",
    "find_dois",
    "from_documents",
    "normalise_doi",
    "paper_keys",
    "sniff",
]

NAME = "twitter-v1"
# Records of one paper may be spread over several files, and one file may hold several papers.
GROUPED = True
FROM_TEXT = "from-text"
NO_PAPER_ID = "no paper id in the text (no DOI or URL)"
_MAX_DEPTH = 3  # statuses nested deeper than a quote inside a retweet are not followed

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>&]+", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)
_NOT_PAPERS = ("twitter.com", "x.com", "t.co", "mobile.twitter.com")


def normalise_doi(value: str) -> str:
    """A DOI in its canonical lower-case form, without ``https://doi.org/`` or ``doi:``.

    Examples
    --------
    >>> normalise_doi("https://doi.org/10.1016/S0092-8674(02)00637-2")
    '10.1016/s0092-8674(02)00637-2'
    """
    return _DOI_PREFIX.sub("", value.strip()).lower()


def _trim(doi: str) -> str:
    doi = doi.rstrip(".,;:!?'\u2026")
    # A closing bracket belongs to the DOI only if it closes one opened inside it.
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1].rstrip(".,;:")
    return doi


def find_dois(*texts: str) -> list[str]:
    """DOIs in texts and URLs (percent-encoded ones too), lower-case, in order of appearance.

    Examples
    --------
    >>> find_dois("see http://www.plosone.org/article/info%3Adoi%2F10.1371%2Fjournal.pone.0012292.")
    ['10.1371/journal.pone.0012292']
    """
    found: dict[str, None] = {}
    for text in texts:
        if not isinstance(text, str):
            continue
        for m in _DOI.finditer(unquote(text) if "%" in text else text):
            doi = _trim(m.group(0)).lower()
            if "/" in doi and not doi.endswith("/"):
                found.setdefault(doi)
    return list(found)


def _url_key(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host or host in _NOT_PAPERS:
        return None
    return host + parts.path.rstrip("/")


def paper_keys(text: str, urls: Iterable[str] = ()) -> list[str]:
    """The papers a tweet links: its DOIs, or else its (non-Twitter) URLs without scheme or query.

    Examples
    --------
    >>> paper_keys("Read https://arxiv.org/abs/1902.10186?x=1 now")
    ['arxiv.org/abs/1902.10186']
    >>> paper_keys("x", ["https://doi.org/10.1000/ABC"])
    ['10.1000/abc']
    """
    urls = [u for u in urls if isinstance(u, str)]
    text = text if isinstance(text, str) else ""
    dois = find_dois(text, *urls)
    if dois:
        return dois
    keys: dict[str, None] = {}
    for url in [*urls, *_URL.findall(text)]:
        key = _url_key(url)
        if key:
            keys.setdefault(key)
    return list(keys)


def file_stem(path: str) -> str:
    """A file's name up to its first dot: the default paper id of a file without one."""
    return Path(path).name.split(".")[0] or Path(path).name


class Router:
    """Sends one file's tweet records to their papers' :class:`PaperRecords`.

    Parameters
    ----------
    path : str
        The file.
    paper_id : str, optional
        A paper id for every record, :data:`FROM_TEXT` (the papers each tweet links), or None
        (``default``, else the file's stem).
    default : str, optional
        The paper id when ``paper_id`` is None (None: the file's stem; "" : from the text).
    """

    def __init__(self, path: str, paper_id: str | None, default: str | None = None) -> None:
        self.path = path
        if paper_id is None:
            paper_id = file_stem(path) if default is None else (default or FROM_TEXT)
        self.fixed = None if paper_id == FROM_TEXT else str(paper_id)
        self.papers: dict[str, PaperRecords] = {}
        # Records placed in no paper are still counted, here.
        self.unplaced = PaperRecords("", path)

    def get(self, key: str) -> PaperRecords:
        out = self.papers.get(key)
        if out is None:
            out = self.papers[key] = PaperRecords(key, self.path)
        return out

    def route(self, keys: Iterable[str]) -> list[PaperRecords]:
        """The papers of a record with these links (the fixed paper, whatever its links)."""
        if self.fixed is not None:
            return [self.get(self.fixed)]
        return [self.get(k) for k in keys]

    def skip(self, reason: str, n: int = 1) -> None:
        self.unplaced.skip(reason, n)

    def waiting(self, reason: str = NO_PAPER_ID) -> PaperRecords:
        """Where a record with an exact parent but no paper of its own waits for its parent's
        papers (:func:`cascade.io.records.place_by_parents`); ``reason`` counts it if none."""
        self.unplaced.attrs.setdefault("unplaced_reason", reason)
        return self.unplaced

    def results(self) -> list[PaperRecords]:
        out = list(self.papers.values())
        if self.unplaced.records or not out:
            out.append(self.unplaced)
        return out


def not_a_reply(text: str) -> str | None:
    """``"original"`` for a text that starts with ``@h`` but that the API says replies to nothing.

    Such a tweet only mentions h; texts crediting a retweet chain are left to resolution.
    """
    if T.reply_to(text) and not T.credited_chain(text)[0]:
        return "original"
    return None


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
    out = []
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
    user = t.get("user") if isinstance(t.get("user"), dict) else {}
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
    if kept and ref_kind == "reply" and isinstance(replied, str) and replied.strip():
        out.add_placeholder(ref_id, replied.strip())  # used only if the tweet is not in the data
    if depth < _MAX_DEPTH:
        for inner in (carried, t.get("quoted_status")):
            if isinstance(inner, dict):
                _add(out, inner, embedded=True, depth=depth + 1)
