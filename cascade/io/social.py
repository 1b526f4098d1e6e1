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
    if not isinstance(value, str) or not value.startswith("at://"):
        return False
    parts = value[5:].split("/")
    return len(parts) == 3 and all(parts) and (collection is None or parts[1] == collection)


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
        for i, r in enumerate(rows):
            reason = gone[i]
            embedded = r[_EMBEDDED]
            if reason is not None:
                if not embedded and reason != "embedded copy":
                    skipped[reason] += 1
                continue
            ref = r[_REF]
            if ref is not None:
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
            for out in targets:
                kept = out.add(
                    r[_ID], author, t, r[_FOLLOWERS], text, ref_id=ref, ref_kind=r[_KIND],
                    embedded=embedded,
                )  # fmt: skip
                if kept:
                    for tid, placeholder in known[1]:
                        out.add_placeholder(tid, *placeholder)
        for reason, n in sorted(skipped.items()):
            router.skip(reason, n)
        for out in router.papers.values():
            out.attrs.setdefault("platform", self.platform)
            undated = sum(1 for t in out.time if t == _NAT)
            if undated:
                out.attrs["undated_reposts"] = undated
        results = router.results()
        facts = self._across()
        for out in results:
            out.across = facts
        return results

    def _across(self) -> dict[str, Any]:
        """What other files of the run may match (:mod:`cascade.io.across`): the posts' local
        ids, and the reposts by (reposter, post)."""
        facts: dict[str, Any] = {"path": self.router.path}
        handles, rows, gone, where = self.handles, self.rows, self.gone, self.where
        if self.alias:
            aliases = facts["aliases"] = {}
            for local, post in self.alias.items():
                at = where.get(post)
                author = rows[at][_AUTHOR] if at is not None else None
                aliases[local] = (post, handles.get(author, author) if author else None)
        dated: set[tuple[str, str]] = set()
        undated: dict[str, tuple[tuple[str, str], ...]] = {}
        for i, r in enumerate(rows):
            subject = r[_SUBJECT]
            if subject is None or gone[i] is not None or r[_EMBEDDED]:
                continue
            tid, name = r[_ID], r[_AUTHOR]
            if "#reposted-by-" in tid:
                who = tid.rsplit("#reposted-by-", 1)[1]
            else:
                who = at_uri_author(tid) if tid.startswith("at://") else name
            keys = ((who, subject), (handles.get(name, name).lower(), subject))
            if r[_UNDATED]:
                undated[tid] = keys
            else:
                dated.update(keys)
        if undated:
            facts["undated"] = undated
        if dated:
            facts["dated"] = dated
        return facts

    def _above(self, ref: str | None) -> tuple[list[str], list[tuple[str, tuple]]]:
        """What a record learns from its parent id: the links of the nearest ancestor in the
        file that has any (its papers), and the declared placeholders up to a post in the data
        (declared too, as that post may not be in the record's paper)."""
        handles, declared, rows = self.handles, self.declared, self.rows
        chain: list[tuple[str, tuple]] = []
        tid, seen = ref, set[str]()
        while tid is not None and tid in declared and tid not in seen and len(seen) < 1000:
            seen.add(tid)
            author, text, kind, parent = declared[tid]
            shown = self._live(tid)
            if shown is None and kind == "retweet":
                shown = self._live(parent)
            if not text and shown is not None:
                text = rows[shown][_TEXT]
            chain.append((tid, (handles.get(author, author), text, kind, parent)))
            if self._live(tid) is not None:
                break
            tid = parent
        links: list[str] = _NO_KEYS
        tid, hops = ref, 0
        while tid is not None and hops < 1000:
            at = self._live(tid)
            if at is None:
                break
            if rows[at][_KEYS]:
                links = rows[at][_KEYS]
                break
            tid = rows[at][_REF]
            tid = self.alias.get(tid, tid) if tid is not None else None
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
