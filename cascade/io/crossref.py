"""Crossref Event Data: pages of events (``{"message": {"events": [...]}}``), event arrays, JSONL.

Each Twitter event is one tweet: its id from ``subj_id`` (``twitter://status?id=N`` or
``http://twitter.com/<user>/statuses/N``), its author from ``subj.author.url``, its time from
``occurred_at``. ``subj.original-tweet-url`` names the retweeted original (the retweet's exact
parent) and ``original-tweet-author`` its author, so an original absent from the data becomes a
placeholder with the right author. There is no text and no follower count (NaN: missing, not zero).

The paper is the event's ``obj_id`` DOI in lower case (``paper_id`` overrides it); events of other
sources (Wikipedia, Reddit, ...) and deleted events are counted as skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from cascade.io.papers import Router, normalise_doi
from cascade.io.records import PaperRecords, as_object, parse_time

__all__ = ["from_documents", "sniff", "tweet_id", "twitter_handle"]

NAME = "crossref-events"
GROUPED = True

_STATUS_ID = re.compile(r"(?:status(?:es)?[/?](?:id=)?)(\d+)", re.IGNORECASE)
_HANDLE = re.compile(r"(?:screen_name=|twitter\.com/)@?(\w{1,15})\b", re.IGNORECASE)


def tweet_id(url: Any) -> str | None:
    """The tweet id in a Crossref tweet URL.

    Examples
    --------
    >>> tweet_id("twitter://status?id=1220353107185455104")
    '1220353107185455104'
    >>> tweet_id("http://twitter.com/mauraax/statuses/923703555172659204")
    '923703555172659204'
    """
    m = _STATUS_ID.search(url) if isinstance(url, str) else None
    return m.group(1) if m else None


def twitter_handle(url: Any) -> str | None:
    """The handle in a Crossref author URL.

    Examples
    --------
    >>> twitter_handle("twitter://user?screen_name=jash1084"), twitter_handle("http://www.twitter.com/ab")
    ('jash1084', 'ab')
    """
    m = _HANDLE.search(url) if isinstance(url, str) else None
    return m.group(1) if m else None


def _is_event(doc: Any) -> bool:
    return isinstance(doc, dict) and "subj_id" in doc and "obj_id" in doc


def sniff(doc: Any) -> bool:
    """Whether a parsed document looks like Crossref Event Data."""
    if isinstance(doc, dict) and isinstance(doc.get("message"), dict):
        return "events" in doc["message"]
    if isinstance(doc, dict) and isinstance(doc.get("events"), list):
        return not doc["events"] or _is_event(doc["events"][0])
    if isinstance(doc, list):
        return bool(doc) and _is_event(doc[0])
    return _is_event(doc)


def from_documents(
    docs: Iterator[tuple[int, Any]], path: str, *, paper_id: str | None = None
) -> Iterator[PaperRecords]:
    """Records from already-parsed ``(line, document)`` pairs of one file."""
    router = Router(path, paper_id, default="")
    for _, doc in docs:
        events: Any = doc
        if isinstance(doc, dict) and isinstance(doc.get("message"), dict):
            events = doc["message"].get("events")
        elif isinstance(doc, dict) and "events" in doc:
            events = doc["events"]
        if isinstance(events, dict):
            events = [events]
        if not isinstance(events, list):
            router.skip("events is not a list")
            continue
        for event in events:
            _add_event(router, event)
    yield from router.results()


def _add_event(router: Router, e: Any) -> None:
    if not isinstance(e, dict):
        router.skip("event is not an object")
        return
    obj = e.get("obj_id")
    doi = normalise_doi(obj) if isinstance(obj, str) else ""
    targets = router.route([doi] if doi else [])
    if not targets:
        router.skip("event has no obj_id")
        return
    out = targets[0]
    if doi:
        out.attrs.setdefault("doi", doi)
    source = e.get("source_id")
    if source != "twitter":
        out.skip(f"not a twitter event ({str(source)[:20]})")
        return
    if e.get("action") == "delete":
        out.skip("deleted event")
        return
    subj = as_object(e.get("subj"))
    tid = tweet_id(e.get("subj_id")) or tweet_id(subj.get("pid"))
    if tid is None and isinstance(subj.get("alternative-id"), str):
        tid = subj["alternative-id"]
    author = as_object(subj.get("author"))
    handle = twitter_handle(author.get("url")) or twitter_handle(e.get("subj_id"))
    original = tweet_id(subj.get("original-tweet-url"))
    ref_id = original if original and original != tid else None
    time = parse_time(e.get("occurred_at"))
    kept = out.add(
        tid,
        handle,
        parse_time(subj.get("issued")) if time is None else time,
        math.nan,
        "",
        ref_id=ref_id,
        ref_kind="retweet" if ref_id else None,
    )
    root_author = twitter_handle(subj.get("original-tweet-author"))
    if kept and ref_id is not None and root_author:
        out.add_placeholder(ref_id, root_author)  # used only if the original is not in the data
