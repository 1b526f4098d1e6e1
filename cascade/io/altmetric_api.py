"""Altmetric Details Page API v1 ``fetch`` responses: one paper per JSON document.

``{"altmetric_id": 101320, "citation": {"doi": ...}, "posts": {"twitter": [{"tweet_id",
"posted_on", "summary", "author": {"id_on_source", "followers"}, "rt": [handles]}]}}``.
``posts`` may be ``[]`` and ``posts.twitter`` absent. The paper id is ``altmetric_id`` (the DOI
and title are kept in ``attrs``). ``rt`` lists the handles Altmetric credits as retweet sources,
nearest first (the handle this tweet retweeted, then that tweet's source, ...): they are kept in
that order. A native retweet is stored with the original's text and no ``RT @`` prefix, so the
records allow the ``same_text`` rule (:mod:`cascade.resolve`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cascade.io.records import PaperRecords, as_object, parse_followers, parse_time

__all__ = ["from_documents", "sniff"]

NAME = "altmetric-api"


def sniff(doc: Any) -> bool:
    """Whether a parsed document looks like a details-page API response."""
    return isinstance(doc, dict) and "altmetric_id" in doc and ("posts" in doc or "counts" in doc)


def from_documents(
    docs: Iterator[tuple[int, Any]], path: str, *, paper_id: str | None = None
) -> Iterator[PaperRecords]:
    """Records from already-parsed ``(line, document)`` pairs of one file."""
    for line, doc in docs:
        yield paper(doc, f"{path}:{line}" if line > 1 else path, paper_id=paper_id)


def _handles(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(h.strip().lstrip("@") for h in value if isinstance(h, str) and h.strip("@ "))


def paper(doc: Any, source: str, *, paper_id: str | None = None) -> PaperRecords:
    """Records of one API response. Records that cannot be used are counted, by reason."""
    if not isinstance(doc, dict):
        out = PaperRecords("", source)
        out.skip("not a paper object")
        return out
    cid = paper_id if paper_id is not None else doc.get("altmetric_id")
    ok = cid is not None and not isinstance(cid, (bool, dict, list, float))
    out = PaperRecords(str(cid).strip() if ok else "", source, same_text=True)
    citation = as_object(doc.get("citation"))
    for key in ("doi", "title"):
        if isinstance(citation.get(key), str):
            out.attrs[key] = citation[key].lower() if key == "doi" else citation[key]
    posts = as_object(doc.get("posts"))
    tweets = posts.get("twitter", [])
    if isinstance(tweets, dict):
        tweets = list(tweets.values())
    if not isinstance(tweets, list):
        out.skip("posts.twitter is not a list")
        return out
    if not out.citation_id:
        out.skip("paper has no altmetric_id", len(tweets))
        return out
    for t in tweets:
        if not isinstance(t, dict):
            out.skip("tweet is not an object")
            continue
        author = as_object(t.get("author"))
        credited = _handles(t.get("rt"))
        out.add(
            t.get("tweet_id"),
            author.get("id_on_source"),
            parse_time(t.get("posted_on")),
            parse_followers(author.get("followers")),
            t.get("summary") if isinstance(t.get("summary"), str) else "",
            credited=credited or None,
        )
    return out
