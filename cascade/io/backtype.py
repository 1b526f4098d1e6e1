"""Backtype/Backtweets search results: an array of tweets, or ``{"tweets": [...]}`` pages.

Fields: ``tweet_id``, ``tweet_from_user``, ``tweet_created_at`` (``YYYY-MM-DD HH:MM:SS``, UTC) and
``tweet_text``, HTML with links as ``<a href="...">shown</a>`` and manual chains
``RT @a: RT @b: ...``. The text kept is what the tweet showed (tags removed, entities decoded).
The paper is each tweet's DOI, found in the text or its links (percent-encoded ones too); a
tweet linking two DOIs belongs to both papers; ``paper_id`` puts every tweet in one paper.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from cascade.io.papers import Router, find_dois
from cascade.io.records import PaperRecords, parse_time

__all__ = ["from_documents", "plain_text", "sniff"]

NAME = "backtype"
GROUPED = True

_TAG = re.compile(r"<[^<>]{0,2000}>")
_HREF = re.compile(r"""href\s*=\s*["']([^"']{0,2000})["']""", re.IGNORECASE)


def plain_text(value: str) -> str:
    """A tweet's HTML as the text it showed.

    Examples
    --------
    >>> plain_text('RT @a: Dinos &amp; horns <a href="http://x.org/1">http://bit.ly/b</a>')
    'RT @a: Dinos & horns http://bit.ly/b'
    """
    return html.unescape(_TAG.sub("", value))


def _is_tweet(doc: Any) -> bool:
    return isinstance(doc, dict) and "tweet_id" in doc and "tweet_from_user" in doc


def sniff(doc: Any) -> bool:
    """Whether a parsed document looks like Backtype results."""
    if isinstance(doc, dict) and isinstance(doc.get("tweets"), list):
        return not doc["tweets"] or _is_tweet(doc["tweets"][0])
    if isinstance(doc, list):
        return bool(doc) and _is_tweet(doc[0])
    return _is_tweet(doc)


def from_documents(
    docs: Iterator[tuple[int, Any]], path: str, *, paper_id: str | None = None
) -> Iterator[PaperRecords]:
    """Records from already-parsed ``(line, document)`` pairs of one file."""
    router = Router(path, paper_id, default="")
    for _, doc in docs:
        tweets = doc.get("tweets") if isinstance(doc, dict) and "tweets" in doc else doc
        if isinstance(tweets, dict):
            tweets = [tweets]
        if not isinstance(tweets, list):
            router.skip("tweets is not a list")
            continue
        for t in tweets:
            _add(router, t)
    yield from router.results()


def _add(router: Router, t: Any) -> None:
    if not isinstance(t, dict):
        router.skip("tweet is not an object")
        return
    value = t.get("tweet_text")
    raw = value if isinstance(value, str) else ""
    keys = find_dois(raw, *_HREF.findall(raw)) if router.fixed is None else []
    targets = router.route(keys)
    if not targets:
        router.skip("no DOI in the tweet")
        return
    text = plain_text(raw)
    time = parse_time(t.get("tweet_created_at"))
    for out in targets:
        out.add(t.get("tweet_id"), t.get("tweet_from_user"), time, float("nan"), text)
