"""Twitter API v2 as twarc2 writes it: response pages, or flattened tweets, one per line.

A page is ``{"data": [tweets], "includes": {"users": [...], "tweets": [...]}, ...}``; a flattened
tweet (``twarc2 flatten``) carries its ``author`` object and full ``referenced_tweets`` inline.
Exact parents come from ``referenced_tweets`` (``retweeted`` -> ``retweet``, ``quoted`` ->
``quote``, ``replied_to`` -> ``reply``; retweet wins over quote over reply). Followers come from
the author's ``public_metrics.followers_count``. Referenced tweets found in ``includes.tweets``
(or inline, when flattened) fill in their cascade's root with real data and are counted as
``embedded``, not as records.

The paper id works as for v1.1 (:mod:`cascade.io.twitter_v1`): ``paper_id``, ``"from-text"``
(the DOIs or URLs each tweet links, ``entities.urls[].expanded_url`` included), or the file's stem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cascade.io.papers import NO_PAPER_ID, Router, not_a_reply, paper_keys
from cascade.io.records import PaperRecords, as_object, parse_followers, parse_time

__all__ = ["from_documents", "sniff"]

NAME = "twitter-v2"
GROUPED = True
_KINDS = {"retweeted": "retweet", "quoted": "quote", "replied_to": "reply"}
_RANK = {"retweet": 0, "quote": 1, "reply": 2}


def _is_tweet(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and "id" in doc
        and "text" in doc
        and ("author_id" in doc or isinstance(doc.get("author"), dict))
        and "user" not in doc
    )


def sniff(doc: Any) -> bool:
    """Whether a parsed document looks like a v2 page or a flattened v2 tweet."""
    if isinstance(doc, dict) and "data" in doc and ("includes" in doc or "meta" in doc):
        data = doc["data"]
        first = data[0] if isinstance(data, list) and data else data
        return _is_tweet(first) or (isinstance(data, list) and not data)
    if isinstance(doc, list):
        return bool(doc) and _is_tweet(doc[0])
    return _is_tweet(doc)


def _dicts(value: Any) -> list[dict]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def from_documents(
    docs: Iterator[tuple[int, Any]], path: str, *, paper_id: str | None = None
) -> Iterator[PaperRecords]:
    """Records from already-parsed ``(line, document)`` pairs of one file."""
    router = Router(path, paper_id)
    for _, doc in docs:
        if isinstance(doc, dict) and "data" in doc:
            includes = as_object(doc.get("includes"))
            users = _users(includes.get("users"))
            included = {str(t.get("id")): t for t in _dicts(includes.get("tweets"))}
            tweets = doc["data"]
            if not isinstance(tweets, (list, dict)):
                router.skip("data is not a list of tweets")
                continue
        else:
            users, included, tweets = {}, {}, doc if isinstance(doc, list) else [doc]
        for tweet in tweets if isinstance(tweets, list) else [tweets]:
            _add_tweet(router, tweet, users, included)
    yield from router.results()


def _users(value: Any) -> dict[str, dict]:
    return {str(u.get("id")): u for u in _dicts(value)}


def _author(t: dict, users: dict[str, dict]) -> tuple[Any, float]:
    user = t.get("author") if isinstance(t.get("author"), dict) else None
    if user is None:
        user = users.get(str(t.get("author_id")), {})
    metrics = user.get("public_metrics")
    followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
    return user.get("username"), parse_followers(followers)


def _parent(t: dict) -> tuple[str | None, str | None, dict | None]:
    """``(parent id, kind, the parent tweet if given inline)``: the highest-ranked reference."""
    best = None
    for ref in _dicts(t.get("referenced_tweets")):
        kind = _KINDS.get(ref["type"]) if isinstance(ref.get("type"), str) else None
        ref_id = ref.get("id")
        if isinstance(ref_id, int) and not isinstance(ref_id, bool):
            ref_id = str(ref_id)
        if kind is None or not isinstance(ref_id, str) or not ref_id.strip():
            continue
        if best is None or _RANK[kind] < _RANK[best[1]]:
            best = (ref_id.strip(), kind, ref if _is_tweet(ref) else None)
    return best or (None, None, None)


def _urls(t: dict) -> list[str]:
    entities = as_object(t.get("entities"))
    out: list[str] = []
    for u in _dicts(entities.get("urls")):
        out.extend(v for v in (u.get("unwound_url"), u.get("expanded_url")) if isinstance(v, str))
    return out


def _add_tweet(router: Router, t: Any, users: dict, included: dict) -> None:
    if not isinstance(t, dict):
        router.skip("tweet is not an object")
        return
    ref_id, ref_kind, inline = _parent(t)
    parent = inline or (included.get(ref_id) if ref_id else None)
    targets = router.route(())
    if router.fixed is None:
        keys = paper_keys(t.get("text"), _urls(t))
        if parent is not None:
            keys += [k for k in paper_keys(parent.get("text"), _urls(parent)) if k not in keys]
        targets = router.route(keys)
        if not targets:
            if ref_id is None:
                router.skip(NO_PAPER_ID)
                return
            targets = [router.waiting()]  # it takes its parent's papers (cascade.io.Corpus)
    for out in targets:
        _add(out, t, users, embedded=False, ref=(ref_id, ref_kind))
        # Its parent (from includes, or inline), then the parent's own parent: at most two levels.
        if parent is not None:
            grand_id, grand_kind, grand_inline = _parent(parent)
            _add(out, parent, users, embedded=True, ref=(grand_id, grand_kind))
            grand = grand_inline or (included.get(grand_id) if grand_id else None)
            if grand is not None:
                _add(out, grand, users, embedded=True, ref=_parent(grand)[:2])


def _add(out: PaperRecords, t: dict, users: dict, *, embedded: bool, ref: tuple) -> None:
    handle, followers = _author(t, users)
    raw = t.get("text")
    text = raw if isinstance(raw, str) else ""
    kept = out.add(
        t.get("id"),
        handle,
        parse_time(t.get("created_at")),
        followers,
        text,
        ref_id=ref[0],
        ref_kind=ref[1] or not_a_reply(text),
        embedded=embedded,
    )
    if kept and ref[1] == "reply":  # the replied-to author is known even when the tweet is not
        replied = t.get("in_reply_to_user")
        if not isinstance(replied, dict):
            replied = users.get(str(t.get("in_reply_to_user_id")), {})
        handle = replied.get("username")
        if isinstance(handle, str) and handle.strip():
            out.add_placeholder(ref[0], handle.strip())
