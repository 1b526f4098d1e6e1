"""What the Bluesky and Mastodon readers share: posts collected first, routed to papers last.

A file's posts are gathered as plain columns (:class:`Posts`) and routed to their papers only at
the end of the file, when everything that changes them is known: the handles of identity events
(an author is a DID until one names it), deletes and updates, and the ids of statuses replied to.
A post with an exact parent but no link of its own waits in the router's unplaced records;
:class:`cascade.io.Corpus` then gives it its parent's papers
(:func:`cascade.io.records.place_by_parents`), or counts it as skipped (``no paper``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np

from cascade.io.papers import Router, not_a_reply, paper_keys
from cascade.io.records import NO_PAPER, PaperRecords, parse_time, parse_times
from cascade.io.sources import collector_paused

__all__ = ["Posts", "at_uri_author", "collector_paused", "is_at_uri"]


_NAT = np.iinfo(np.int64).min


def is_at_uri(value: Any, collection: str | None = None) -> bool:
    """Whether ``value`` is an AT URI (``at://did/collection/rkey``), of ``collection`` if given.

    Examples
    --------
    >>> is_at_uri("at://did:plc:a/app.bsky.feed.post/3k", "app.bsky.feed.post")
    True
    >>> is_at_uri("at://did:plc:a/app.bsky.feed.like/3k", "app.bsky.feed.post")
    False
    """
    if not isinstance(value, str):
        return False
    pattern = _AT_URI.get(collection)
    if pattern is None:
        if collection is not None and (not collection or "/" in collection):
            return False  # no AT URI has such a collection
        middle = "[^/]+" if collection is None else re.escape(collection)
        pattern = _AT_URI[collection] = re.compile(f"at://[^/]+/{middle}/[^/]+").fullmatch
    return pattern(value) is not None


# at://repo/collection/rkey, three non-empty parts (of one collection): the fullmatch of each.
_AT_URI: dict[str | None, Any] = {}


def at_uri_author(uri: str) -> str:
    """The repository (DID or handle) of an AT URI: who wrote the record.

    Examples
    --------
    >>> at_uri_author("at://did:plc:abc/app.bsky.feed.post/3k")
    'did:plc:abc'
    """
    return uri[5:].split("/", 1)[0]


def _times(values: list[Any]) -> list[int]:
    """Epoch seconds of ISO strings (in one numpy pass) and of epoch numbers; NaT if unreadable."""
    strings = [i for i, v in enumerate(values) if v.__class__ is str]
    if len(strings) == len(values):
        # numpy reads a time without its "Z" (UTC) about 15 times faster, to the same value.
        return parse_times([v[:-1] if v[-1:] == "Z" else v for v in values]).tolist()
    out = [_NAT] * len(values)
    if strings:
        for i, t in zip(strings, parse_times([values[i] for i in strings]).tolist()):
            out[i] = t
    for i, v in enumerate(values):
        if v.__class__ is not str and v is not None:
            t = parse_time(v)
            out[i] = _NAT if t is None else t
    return out


def _plain_handle(author: str) -> str:
    """The handle :meth:`PaperRecords.add` keeps for ``author`` ("" for none)."""
    return author.strip().lstrip("@").strip()


# Fields of a collected row.
_ID, _AUTHOR, _TIME, _UNDATED, _FOLLOWERS, _TEXT, _REF, _KIND, _SUBJECT, _KEYS, _EMBEDDED = range(
    11
)
_NO_KEYS: list[str] = []


class Posts:
    """One file's posts, kept as rows until :meth:`route` sends them to their papers.

    Parameters
    ----------
    path : str
        The file.
    paper_id : str, optional
        As for :class:`~cascade.io.papers.Router`: one paper, ``"from-text"``, or None (the
        file's stem).
    platform : str
        Recorded in each paper's ``attrs["platform"]``.

    Examples
    --------
    >>> posts = Posts("f.jsonl", "from-text", "bluesky")
    >>> posts.add("at://did:a/app.bsky.feed.post/1", "did:a", "2024-01-01T00:00:00Z",
    ...           "see doi:10.1234/x")
    >>> posts.add("at://did:b/app.bsky.feed.repost/2", "did:b", "2024-01-01T00:01:00Z",
    ...           ref_id="at://did:a/app.bsky.feed.post/1", ref_kind="retweet")
    >>> posts.handles["did:a"] = "ann.bsky.social"
    >>> [(p.citation_id, p.author, p.ref_id) for p in posts.route()]
    [('10.1234/x', ['ann.bsky.social', 'did:b'], [None, 'at://did:a/app.bsky.feed.post/1'])]
    """

    def __init__(self, path: str, paper_id: str | None, platform: str) -> None:
        self.router = Router(path, paper_id)
        self.platform = platform
        self.rows: list[tuple] = []  # (id, author, time, undated, followers, text, ref, ...)
        self.gone: list[str | None] = []  # why a row no longer counts (deleted, replaced)
        self.where: dict[str, int] = {}  # id -> its current row
        self.handles: dict[str, str] = {}  # DID -> handle (an author is a DID until named)
        self.alias: dict[str, str] = {}  # parent id as referred to -> post id (Mastodon ids)
        self.declared: dict[str, tuple[str, str, str, str | None]] = {}  # placeholders

    def add(
        self,
        post_id: str,
        author: Any,
        time: Any,
        text: Any = "",
        *,
        followers: float = math.nan,
        ref_id: str | None = None,
        ref_kind: str | None = None,
        subject: str | None = None,
        links: Iterable[str] = (),
        embedded: bool = False,
        replace: bool = False,
        undated: bool = False,
    ) -> None:
        """Collect one post or repost (``time``: ISO string or epoch seconds, raw).

        ``subject`` is a repost's post (whose text it shows); ``undated`` keeps a record whose
        time the source does not give; ``replace`` makes it supersede an earlier one (an update);
        ``embedded`` marks a copy carried inside another record (not a record itself).
        """
        if text.__class__ is not str:
            text = ""
        at = self.where.get(post_id)
        gone = None
        if at is not None:
            if embedded:
                return  # a copy carried inside another record adds nothing
            if self.rows[at][_EMBEDDED]:
                self.gone[at] = "embedded copy"  # the record itself is better data
            elif replace:
                self.gone[at] = "replaced by a later update"
            else:
                gone = "duplicate id"
        if gone is None:
            self.where[post_id] = len(self.rows)
        if ref_kind is None and ref_id is None and "@" in text:
            ref_kind = not_a_reply(text)
        keys = paper_keys(text, links) if links or "10." in text or "://" in text else _NO_KEYS
        self.rows.append((
            post_id, author if author.__class__ is str else "", time, undated, followers, text,
            ref_id, ref_kind, subject, keys, embedded,
        ))  # fmt: skip
        self.gone.append(gone)

    def delete(self, post_id: str) -> str:
        """Apply a delete; return the skip reason to count the delete event under."""
        at = self.where.get(post_id)
        if at is None or self.gone[at] is not None or self.rows[at][_EMBEDDED]:
            return "delete of a record not in the data"
        self.gone[at] = "deleted by a later delete event"
        return "delete (applied)"

    def declare(
        self,
        post_id: str,
        author: str,
        text: str = "",
        kind: str = "original",
        parent: str | None = None,
    ) -> None:
        """A post known to exist (its author from its AT URI) that the data may lack."""
        if post_id not in self.declared:
            self.declared[post_id] = (author, text, kind, parent)

    def _live(self, post_id: str | None) -> int | None:
        at = self.where.get(post_id) if post_id is not None else None
        return at if at is not None and self.gone[at] is None else None

    def route(self) -> list[PaperRecords]:
        """Send every post to its papers; return the papers (and the unplaced records)."""
        router, handles, alias, rows, gone = (
            self.router,
            self.handles,
            self.alias,
            self.rows,
            self.gone,
        )
        times = _times([r[_TIME] for r in rows])
        if any(r[_UNDATED] for r in rows):
            self._drop_undated_repeats()
        fixed = router.fixed is not None
        skipped: Counter[str] = Counter()
        above: dict[str | None, tuple] = {}  # parent id -> (links, text shown, placeholders)
        routed: dict[tuple[str, ...], list[PaperRecords]] = {}  # links -> their papers
        where = self.where
        plain: dict[str, str] = {}  # author as collected -> its handle, when add keeps it as is
        reposts: list[tuple[str, str]] = []  # (repost id, post) of live dated reposts
        undated: dict[str, str] = {}  # the same of undated reposts
        for i, r in enumerate(rows):
            reason = gone[i]
            embedded = r[_EMBEDDED]
            if reason is not None:
                if not embedded and reason != "embedded copy":
                    skipped[reason] += 1
                continue
            if r[_SUBJECT] is not None and not embedded:
                if r[_UNDATED]:
                    undated[r[_ID]] = r[_SUBJECT]
                else:
                    reposts.append((r[_ID], r[_SUBJECT]))
            ref = r[_REF]
            if ref is not None and alias:
                ref = alias.get(ref, ref)
            known = above.get(ref)
            if known is None:
                known = above[ref] = self._above(ref)
            keys = r[_KEYS] or known[0]
            if fixed or keys:
                key = tuple(keys)  # the papers of a row's links, looked up once per distinct set
                targets = routed.get(key)
                if targets is None:
                    targets = routed[key] = router.route(keys)
            elif ref is not None:
                targets = [router.unplaced]  # waits for its parent's papers
            else:
                if not embedded:
                    skipped[NO_PAPER] += 1
                continue
            text = r[_TEXT]
            if not text and r[_SUBJECT] is not None:
                shown = where.get(r[_SUBJECT])
                text = rows[shown][_TEXT] if shown is not None and gone[shown] is None else ""
            t: int | None = times[i]
            if t == _NAT and not r[_UNDATED]:
                t = None  # counted as "no time"
            author = handles.get(r[_AUTHOR], r[_AUTHOR])
            tid = r[_ID]
            handle = plain.get(author)
            if handle is None:
                handle = plain[author] = _plain_handle(author)
            # PaperRecords.add, inlined where it would keep the record as given: a new plain id,
            # a plain handle, a time, not an embedded copy.
            fast = (
                t is not None and not embedded and handle and tid.__class__ is str and tid
                and tid.strip() == tid
            )  # fmt: skip
            for out in targets:
                index = out._index
                if fast and tid not in index:
                    out.records += 1
                    index[tid] = len(out.id)
                    out.id.append(tid)
                    out.author.append(handle)
                    out.time.append(t)  # type: ignore[arg-type]  # not None when fast
                    out.followers.append(r[_FOLLOWERS])
                    out.text.append(text)
                    out.ref_id.append(ref)
                    out.ref_kind.append(r[_KIND])
                    out.credited.append(None)
                    kept = True
                else:
                    kept = out.add(
                        tid, author, t, r[_FOLLOWERS], text, ref_id=ref, ref_kind=r[_KIND],
                        embedded=embedded,
                    )  # fmt: skip
                if kept and known[1]:
                    declared = out.placeholders  # PaperRecords.add_placeholder: first wins
                    for pid, placeholder in known[1]:
                        if pid not in declared:
                            declared[pid] = placeholder
        for reason, n in sorted(skipped.items()):
            router.skip(reason, n)
        for out in router.papers.values():
            out.attrs.setdefault("platform", self.platform)
            n_undated = out.time.count(_NAT)
            if n_undated:
                out.attrs["undated_reposts"] = n_undated
        results = router.results()
        facts: dict[str, Any] = {"path": router.path}
        if alias:
            facts["aliases"] = self._aliases()
        if reposts:
            facts["reposts"] = reposts
        if undated:
            facts["undated"] = undated
        for out in results:
            out.across = facts
        return results

    def _aliases(self) -> dict[str, tuple[str, str | None]]:
        """Local id -> (post id, its author): what other files of the run refer to the posts
        of this one by (:mod:`cascade.io.across`)."""
        handles, rows, where = self.handles, self.rows, self.where
        aliases = {}
        for local, post in self.alias.items():
            at = where.get(post)
            author = rows[at][_AUTHOR] if at is not None else None
            aliases[local] = (post, handles.get(author, author) if author else None)
        return aliases

    def _above(self, ref: str | None) -> tuple[list[str], list[tuple[str, tuple]]]:
        """What a record learns from its parent id: the links of the nearest ancestor in the
        file that has any (its papers), and the declared placeholders up to a post in the data
        (declared too, as that post may not be in the record's paper)."""
        if ref is None:
            return _NO_KEYS, []
        handles, declared, rows, gone, where = (
            self.handles, self.declared, self.rows, self.gone, self.where
        )  # fmt: skip
        chain: list[tuple[str, tuple]] = []
        tid: str | None = ref
        seen: set[str] = set()
        while tid is not None and tid in declared and tid not in seen and len(seen) < 1000:
            seen.add(tid)
            author, text, kind, parent = declared[tid]
            live = where.get(tid)
            if live is not None and gone[live] is not None:
                live = None
            shown = live
            if shown is None and kind == "retweet" and parent is not None:
                shown = where.get(parent)
                if shown is not None and gone[shown] is not None:
                    shown = None
            if not text and shown is not None:
                text = rows[shown][_TEXT]
            chain.append((tid, (handles.get(author, author), text, kind, parent)))
            if live is not None:
                break
            tid = parent
        links: list[str] = _NO_KEYS
        tid, hops, alias = ref, 0, self.alias
        while tid is not None and hops < 1000:
            at = where.get(tid)
            if at is None or gone[at] is not None:
                break
            row = rows[at]
            if row[_KEYS]:
                links = row[_KEYS]
                break
            tid = row[_REF]
            tid = alias.get(tid, tid) if tid is not None else None
            hops += 1
        return links, chain

    def _drop_undated_repeats(self) -> None:
        """An undated repost (``getRepostedBy``) of a post its author's dated repost is
        already in the file for adds nothing."""
        handles, rows = self.handles, self.rows

        def key(r: tuple) -> tuple[str, str]:
            return handles.get(r[_AUTHOR], r[_AUTHOR]).lower(), r[_SUBJECT]

        dated = {
            key(r)
            for r, g in zip(rows, self.gone)
            if r[_SUBJECT] is not None and not r[_UNDATED] and g is None
        }
        for i, r in enumerate(rows):
            if r[_UNDATED] and self.gone[i] is None and key(r) in dated:
                self.gone[i] = "undated repeat of a repost in the data"
