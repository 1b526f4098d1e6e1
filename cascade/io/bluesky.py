"""Bluesky: Jetstream captures, AppView API views and minet/twitwi JSON Lines exports.

*Jetstream* (JSON Lines, as the service emits them): ``{"did", "time_us", "kind": "commit",
"commit": {"operation", "collection", "rkey", "record", "cid"}}``. Posts
(``app.bsky.feed.post``) give ``text``, ``createdAt``, link facets, embeds (``external``,
``record``, ``recordWithMedia``) and ``reply`` (root and parent); reposts
(``app.bsky.feed.repost``) give ``subject``, ``via`` and ``createdAt``. Likes and every other
collection are skipped ("not a post or repost"); a delete removes the earlier create (both are
counted: "deleted by a later delete event", "delete (applied)"); an update replaces it.
``kind: "identity"`` events give the handles; an author with none stays its DID.
Jetstream v2 frames (``network.bsky.jetstream.subscribeEvents``: ``{"$type": "message",
"payload": {"$type": "...#commit", "seq", "did", "time", "operation", "collection", "rkey",
"record", ...}}``, or the payloads saved without their frame) read the same way, their RFC 3339
``time`` standing for ``time_us``; error frames and ``#info`` payloads are counted as skipped.

*AppView views* (``app.bsky.feed.*`` responses saved as JSON): ``searchPosts``, ``getPosts``,
``getQuotes`` (``posts``), ``getAuthorFeed``, ``getTimeline``, ``getFeed`` (``feed``, where a
``reason`` of type ``reasonRepost`` is a repost by ``reason.by``), ``getPostThread``
(``thread``: parents and replies) and ``getRepostedBy`` (``repostedBy``: reposts whose time the
API does not give; they are kept with no time and counted in ``attrs["undated_reposts"]``; one
whose author's dated repost of the post is in the data, in this file or another of the run, is
counted as skipped instead).
Follower counts come from the author's ``followersCount`` where the view has one.

Ids are AT URIs (``at://did/app.bsky.feed.post/rkey``). Exact parents: a repost points to its
``via`` repost when it names one (the true repost-of-repost path), else to its subject (kind
``retweet``); a post embedding a post points to it (``quote``; quote wins over reply, as for
Twitter); a reply to its parent (``reply``). A parent absent from the data becomes a
placeholder by the author its AT URI names; a missing ``via`` repost becomes a placeholder repost
of the subject, so the chain keeps its depth. Reposts with no id of their own (``getRepostedBy``,
feed items without ``reason.uri``, twitwi) are ``<subject uri>#reposted-by-<did>``.

Papers: ``paper_id``, ``"from-text"`` (the DOIs, else URLs, of the text, link facets and
external embeds; a post without any takes its parent's papers), or the file's stem.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import Any, cast

from cascade.io import minet
from cascade.io.records import PaperRecords, parse_followers
from cascade.io.social import Posts, at_uri_author, collector_paused, is_at_uri

__all__ = ["from_documents", "sniff"]

NAME = "bluesky"
GROUPED = True
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
_KINDS = ("commit", "identity", "account", "sync")
_NOT_POST = "not a post or repost"


# Jetstream v2 (``network.bsky.jetstream.subscribeEvents``, frames of the ``xrpc.v1.json``
# subprotocol): ``{"$type": "message", "payload": {"$type": V2 + "commit", ...}}``.
V2 = "network.bsky.jetstream.subscribeEvents#"


def _is_event(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if "did" in doc and doc.get("kind") in _KINDS and "time_us" in doc:
        return True
    payload = _v2_payload(doc)
    return payload is not None and "did" in payload


def _v2_payload(doc: dict) -> dict | None:
    """The event of a Jetstream v2 frame (or the payload saved without its frame), else None."""
    kind = doc.get("$type")
    if kind == "message":
        doc = doc.get("payload")  # type: ignore[assignment]
        kind = doc.get("$type") if isinstance(doc, dict) else None
    return doc if isinstance(kind, str) and kind.startswith(V2) else None


def _is_post_view(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and is_at_uri(doc.get("uri"))
        and isinstance(doc.get("record"), dict)
        and isinstance(doc.get("author"), dict)
    )


def _is_view(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    for key, test in (("posts", _is_post_view), ("feed", lambda d: isinstance(d, dict))):
        items = doc.get(key)
        if isinstance(items, list) and items and test(items[0]):
            return key == "posts" or _is_post_view(items[0].get("post"))
    thread = doc.get("thread")
    if isinstance(thread, dict) and (_is_post_view(thread.get("post")) or "notFound" in thread):
        return True
    return isinstance(doc.get("repostedBy"), list) and is_at_uri(doc.get("uri"))


def sniff(doc: Any) -> bool:
    """Whether a parsed document is a Jetstream event, an AppView view or a twitwi post."""
    if isinstance(doc, list):
        return bool(doc) and (_is_post_view(doc[0]) or minet.is_post(doc[0]))
    return _is_event(doc) or _is_view(doc) or _is_post_view(doc) or minet.is_post(doc)


def from_documents(
    docs: Iterator[tuple[int, Any]], path: str, *, paper_id: str | None = None
) -> Iterator[PaperRecords]:
    """Records from already-parsed ``(line, document)`` pairs of one file."""
    with collector_paused():
        papers = _gather(docs, Posts(path, paper_id, "bluesky"))
    yield from papers


def _gather(docs: Iterator[tuple[int, Any]], posts: Posts) -> list[PaperRecords]:
    other: Counter[str] = Counter()  # events that are no post or repost, counted at the end
    for _, doc in docs:
        if doc.__class__ is dict and "time_us" in doc:
            kind = doc.get("kind")
            if kind == "commit":
                c = doc.get("commit")
                collection = c.get("collection") if c.__class__ is dict else None
                if collection == POST or collection == REPOST:
                    c = cast(dict, c)  # the collection implies a dict
                    _commit(posts, doc.get("did"), collection, c, us=doc.get("time_us"))
                else:
                    other[_NOT_POST if c.__class__ is dict else "commit is not an object"] += 1
            elif kind == "identity":
                _identity(posts, doc.get("did"), doc.get("identity"))
                other["identity event"] += 1
            else:
                other[f"{str(kind)[:20]} event"] += 1
        elif doc.__class__ is dict and "$type" in doc and _v2_event(posts, doc, other):
            pass
        elif isinstance(doc, list):
            for item in doc:
                _one(posts, item)
        else:
            _one(posts, doc)
    for reason, n in sorted(other.items()):
        posts.router.skip(reason, n)
    return posts.route()


def _one(posts: Posts, doc: Any) -> None:
    if _is_post_view(doc):
        _post_view(posts, doc)
    elif minet.is_post(doc):
        minet.add_post(posts, doc)
    elif isinstance(doc, dict) and _is_view(doc):
        _view(posts, doc)
    else:
        posts.router.skip("not a Bluesky post, event or view")


# Jetstream -------------------------------------------------------------------------------------


def _v2_event(posts: Posts, doc: dict, other: Counter[str]) -> bool:
    """Read a Jetstream v2 frame (its commit's fields sit on the event itself, its time is
    ``time``, RFC 3339); False if ``doc`` is none. Error and info frames are counted."""
    if doc.get("$type") == "error" and "error" in doc:
        other["stream error frame"] += 1
        return True
    event = _v2_payload(doc)
    if event is None:
        return False
    kind = event["$type"][len(V2) :]
    collection = event.get("collection")
    if kind == "commit" and (collection == POST or collection == REPOST):
        _commit(posts, event.get("did"), collection, event, iso=event.get("time"))
    elif kind == "commit":
        other[_NOT_POST] += 1
    else:
        if kind == "identity":
            _identity(posts, event.get("did"), event.get("identity"))
        other[f"{kind[:20]} event"] += 1
    return True


def _identity(posts: Posts, did: Any, identity: Any) -> None:
    """The handle of an identity event (``identity``: its upstream ``#identity`` object)."""
    identity = identity if isinstance(identity, dict) else {}
    did, handle = identity.get("did") or did, identity.get("handle")
    if isinstance(did, str) and isinstance(handle, str) and handle and handle != "handle.invalid":
        posts.handles[did] = handle


def _commit(
    posts: Posts, did: Any, collection: str, c: dict, *, us: Any = None, iso: Any = None
) -> None:
    """One commit of a post or repost: ``c`` holds ``operation``, ``rkey`` and ``record``; the
    event's time (v1 ``time_us``, v2 ``time``) stands for a record without ``createdAt``."""
    rkey, op = c.get("rkey"), c.get("operation")
    if did.__class__ is not str or rkey.__class__ is not str or not did or not rkey:
        posts.router.skip("no tweet id")
        return
    uri = f"at://{did}/{collection}/{rkey}"
    if op == "delete":
        posts.router.skip(posts.delete(uri))
        return
    record = c.get("record")
    if (op != "create" and op != "update") or type(record) is not dict:
        posts.router.skip(f"commit {str(op)[:20]} without a record")
        return
    time = record.get("createdAt")
    if time.__class__ is not str:
        time = iso if iso.__class__ is str else None
        if isinstance(us, (int, float)) and not isinstance(us, bool):
            time = us / 1e6
    if collection == POST:
        _post_record(posts, uri, did, time, record, replace=op == "update")
    else:
        _repost(posts, uri, did, time, record.get("subject"), record.get("via"), op == "update")


def _ref_uri(ref: Any, collection: str | None = None) -> str | None:
    """The URI of a strong ref ``{"uri", "cid"}`` (or of a view carrying one)."""
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if is_at_uri(uri, collection) else None


def _repost(
    posts: Posts, uri: str, author: str, time: Any, subject: Any, via: Any, replace: bool = False
) -> None:
    post = _ref_uri(subject, POST)
    if post is None:
        posts.router.skip("repost of something other than a post")
        return
    through = _ref_uri(via, REPOST)
    declared = posts.declared  # Posts.declare, inlined: first wins
    if post not in declared:
        declared[post] = (at_uri_author(post), "", "original", None)
    if through is not None and through not in declared:
        declared[through] = (at_uri_author(through), "", "retweet", post)
    posts.add(
        uri, author, time, ref_id=through or post, ref_kind="retweet", subject=post,
        replace=replace,
    )  # fmt: skip


def _links(record: dict, embed: Any = None) -> list[str]:
    """Link facets and external embeds (of the record, and of its view's ``embed``)."""
    if embed is None and "facets" not in record and "embed" not in record:
        return []
    out = []
    facets = record.get("facets")
    for facet in facets if isinstance(facets, list) else ():
        features = facet.get("features") if isinstance(facet, dict) else None
        for f in features if isinstance(features, list) else ():
            if isinstance(f, dict) and isinstance(f.get("uri"), str):
                out.append(f["uri"])
    for e in (record.get("embed"), embed):
        if isinstance(e, dict):
            media = e.get("media")
            for holder in (e, media if isinstance(media, dict) else None):
                ext = holder.get("external") if holder else None
                if isinstance(ext, dict) and isinstance(ext.get("uri"), str):
                    out.append(ext["uri"])
    return out


def _quoted(embed: Any) -> tuple[str | None, dict | None]:
    """``(uri, view record if carried)`` of a post embedded by a record or its view."""
    if not isinstance(embed, dict):
        return None, None
    inner = embed.get("record")
    if isinstance(inner, dict) and isinstance(inner.get("record"), dict):  # recordWithMedia
        inner = inner["record"]
    uri = _ref_uri(inner, POST)
    # a URI implies a dict (see _ref_uri)
    carried = (
        inner if uri and isinstance(inner, dict) and isinstance(inner.get("value"), dict) else None
    )
    return uri, carried


def _post_record(
    posts: Posts,
    uri: str,
    author: str | None,
    time: Any,
    record: dict,
    *,
    followers: float = math.nan,
    embed: Any = None,
    embedded: bool = False,
    replace: bool = False,
) -> None:
    own = record.get("embed")
    quoted = _quoted(own)[0] if own is not None else None
    if quoted is None and embed is not None:
        quoted = _quoted(embed)[0]
    reply = record.get("reply")
    parent = _ref_uri(reply.get("parent"), POST) if isinstance(reply, dict) else None
    ref, kind = (quoted, "quote") if quoted else (parent, "reply") if parent else (None, None)
    if ref is not None and ref not in posts.declared:
        posts.declare(ref, at_uri_author(ref))
    posts.add(
        uri, author, time, record.get("text"), followers=followers, ref_id=ref, ref_kind=kind,
        links=_links(record, embed), embedded=embedded, replace=replace,
    )  # fmt: skip


# AppView views ---------------------------------------------------------------------------------


def _actor(posts: Posts, actor: Any) -> tuple[str | None, float]:
    """``(handle or DID, followers)`` of a profile view; remembers its DID's handle."""
    if not isinstance(actor, dict):
        return None, math.nan
    did, handle = actor.get("did"), actor.get("handle")
    if isinstance(did, str) and isinstance(handle, str) and handle and handle != "handle.invalid":
        posts.handles[did] = handle
    name = handle if isinstance(handle, str) and handle and handle != "handle.invalid" else did
    return name, parse_followers(actor.get("followersCount"))


def _post_view(posts: Posts, view: Any, *, embedded: bool = False) -> None:
    if not _is_post_view(view):
        if not embedded:
            posts.router.skip("post view without uri, author or record")
        return
    author, followers = _actor(posts, view["author"])
    record = view["record"]
    time = record.get("createdAt") if isinstance(record.get("createdAt"), str) else None
    _post_record(
        posts, view["uri"], author, time or view.get("indexedAt"), record,
        followers=followers, embed=view.get("embed"), embedded=embedded,
    )  # fmt: skip
    _, carried = _quoted(view.get("embed"))
    if carried is not None:  # the quoted post, as the view shows it
        _post_view(posts, carried | {"record": carried["value"]}, embedded=True)


def _feed_item(posts: Posts, item: Any) -> None:
    if not isinstance(item, dict) or not _is_post_view(item.get("post")):
        posts.router.skip("feed item without a post view")
        return
    post, reason = item["post"], item.get("reason")
    reply = item.get("reply")
    if isinstance(reply, dict):  # the thread's root and parent, as carried
        for key in ("root", "parent"):
            _post_view(posts, reply.get(key), embedded=True)
    if not isinstance(reason, dict) or not str(reason.get("$type", "")).endswith("reasonRepost"):
        _post_view(posts, post)
        return
    _post_view(posts, post, embedded=True)
    by, followers = _actor(posts, reason.get("by"))
    repost_id = _ref_uri(reason, REPOST) or _repost_id(post["uri"], reason.get("by"), by)
    posts.add(
        repost_id, by, reason.get("indexedAt"), followers=followers, ref_id=post["uri"],
        ref_kind="retweet", subject=post["uri"],
    )  # fmt: skip


def _repost_id(subject: str, actor: Any, name: Any) -> str:
    did = actor.get("did") if isinstance(actor, dict) else None
    return f"{subject}#reposted-by-{did or name}"


def _thread(posts: Posts, node: Any) -> None:
    stack = [node]
    seen = 0
    while stack and seen < 1_000_000:
        node = stack.pop()
        seen += 1
        if not isinstance(node, dict) or not _is_post_view(node.get("post")):
            continue  # notFoundPost, blockedPost: nothing to read
        _post_view(posts, node["post"])
        parent, replies = node.get("parent"), node.get("replies")
        if isinstance(parent, dict):
            stack.append(parent)
        if isinstance(replies, list):
            stack.extend(reversed(replies))


def _view(posts: Posts, doc: dict) -> None:
    if isinstance(doc.get("posts"), list):
        for view in doc["posts"]:
            _post_view(posts, view)
    if isinstance(doc.get("feed"), list):
        for item in doc["feed"]:
            _feed_item(posts, item)
    if isinstance(doc.get("thread"), dict):
        _thread(posts, doc["thread"])
    if isinstance(doc.get("repostedBy"), list) and is_at_uri(doc.get("uri"), POST):
        subject = doc["uri"]
        posts.declare(subject, at_uri_author(subject))
        for actor in doc["repostedBy"]:
            name, followers = _actor(posts, actor)
            if name is None:
                posts.router.skip("reposter is not a profile view")
                continue
            posts.add(
                _repost_id(subject, actor, name), name, None, followers=followers,
                ref_id=subject, ref_kind="retweet", subject=subject, undated=True,
            )  # fmt: skip
