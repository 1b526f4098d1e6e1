"""Altmetric details-page exports: the ``twitter`` tab, one paper per JSON document.

``{"citation_id": "56155705", "tab": "twitter", "twitter": {"<tweet id>": {"author": "@handle",
"followers": "11,314", "datetime": "2019-02-28 05:12:22", "content_summary": "RT @a: ..."}}}``.
A file holds one such document, or one per line (JSON Lines).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cascade.io.records import PaperRecords, parse_followers_many, parse_times

__all__ = ["from_documents", "sniff"]

NAME = "altmetric-tab"


def sniff(doc: Any) -> bool:
    """Whether a parsed document looks like a details-page export."""
    return isinstance(doc, dict) and "tab" in doc and ("twitter" in doc or "citation_id" in doc)


def from_documents(
    docs: Iterator[tuple[int, Any]], path: str, *, paper_id: str | None = None
) -> Iterator[PaperRecords]:
    """Records from already-parsed ``(line, document)`` pairs of one file."""
    for line, doc in docs:
        records = paper(doc, f"{path}:{line}" if line > 1 else path, paper_id=paper_id)
        del doc  # the parsed document dies before the records are used
        yield records


def _listed(tweets: list, out: PaperRecords) -> tuple[list[str], list[dict]]:
    """Ids and objects of a list of tweets that carry their ``tweet_id`` (or ``id``); the rest
    skipped (repeated ids are counted as duplicates later, as for any record)."""
    ids, values = [], []
    for t in tweets:
        tid = (t.get("tweet_id") or t.get("id")) if isinstance(t, dict) else None
        if isinstance(tid, (str, int)) and not isinstance(tid, bool) and str(tid).strip():
            ids.append(str(tid).strip())
            values.append(t)
        elif isinstance(t, dict):
            out.skip("tweet in the twitter list has no tweet_id")
        else:
            out.skip("tweet is not an object")
    return ids, values


def paper(doc: Any, source: str, *, paper_id: str | None = None) -> PaperRecords:
    """Records of one details-page document. Records that cannot be used are counted, by reason."""
    if not isinstance(doc, dict):
        out = PaperRecords(paper_id or "", source)
        out.skip("not a paper object")
        return out
    cid = paper_id or doc.get("citation_id")
    out = PaperRecords(str(cid) if cid is not None else "", source)
    tweets = doc.get("twitter")
    if tweets is None:
        tweets = {}
    count = len(tweets) if isinstance(tweets, (dict, list)) else 1
    if doc.get("tab", "twitter") != "twitter":
        # Counted, but not a paper of this corpus: a Corpus yields only papers with an id.
        out.citation_id = ""
        out.skip(f"tab is {str(doc.get('tab'))[:40]!r}, not twitter", max(count, 1))
        return out
    if not out.citation_id:
        out.skip("paper has no citation_id", count)
        return out
    if isinstance(tweets, dict):
        ids, values = list(tweets), list(tweets.values())
    elif isinstance(tweets, list):
        # Some exports give the tweets as a list of objects that carry their own id.
        ids, values = _listed(tweets, out)
    else:
        out.skip("twitter is not an object of tweets")
        return out
    if not set(map(type, values)) <= {dict}:
        out.skip("tweet is not an object", sum(t.__class__ is not dict for t in values))
        ids = [i for i, t in zip(ids, values) if t.__class__ is dict]
        values = [t for t in values if t.__class__ is dict]
    # Column by column: one pass per field is several times faster than a call per record.
    out.extend(
        ids,
        [t.get("author") for t in values],
        parse_times([t.get("datetime") for t in values]),
        parse_followers_many([t.get("followers") for t in values]),
        [t.get("content_summary") or "" for t in values],
    )
    return out
