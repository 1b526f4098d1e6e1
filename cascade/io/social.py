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
from collections.abc import Iterable
from typing import Any

import numpy as np

from cascade.io.records import NO_PAPER, PaperRecords, parse_time, parse_times
from cascade.io.twitter_v1 import Router, not_a_reply, paper_keys

__all__ = ["Posts", "at_uri_author", "is_at_uri"]

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
        return parse_times(values).tolist()
    out = [_NAT] * len(values)
    if strings:
        for i, t in zip(strings, parse_times([values[i] for i in strings]).tolist()):
            out[i] = t
    for i, v in enumerate(values):
        if v.__class__ is not str and v is not None:
            t = parse_time(v)
            out[i] = _NAT if t is None else t
    return out


class Posts:
    """One file's posts, kept as columns until :meth:`route` sends them to their papers.

    Parameters
    ----------
    path : str
        The file.
    paper_id : str, optional
        As for :class:`~cascade.io.twitter_v1.Router`: one paper, ``"from-text"``, or None (the
        file's stem).
    platform : str
        Recorded in each paper's ``attrs["platform"]``.
    """

    def __init__(self, path: str, paper_id: str | None, platform: str) -> None:
        self.router = Router(path, paper_id)
        self.platform = platform
        self.id: list[str] = []
        self.author: list[str] = []  # a DID until an identity event names it
        self.time: list[Any] = []  # raw: ISO strings, epoch numbers or None
        self.undated: list[bool] = []  # the source gives no time (kept, time NaT)
        self.followers: list[float] = []
        self.text: list[str] = []
        self.ref_id: list[str | None] = []
        self.ref_kind: list[str | None] = []
        self.subject: list[str | None] = []  # a repost's post, whose text it shows
        self.keys: list[list[str]] = []
        self.embedded: list[bool] = []
        self.gone: list[str | None] = []  # why a row no longer counts (deleted, replaced)
        self.where: dict[str, int] = {}  # id -> its current row
        self.handles: dict[str, str] = {}  # DID -> handle
        self.alias: dict[str, str] = {}  # parent id as referred to -> post id (Mastodon ids)
        self.declared: dict[str, tuple[str, str, str, str | None]] = {}  # placeholders

    def add(
        self,
        post_id: str,
        author: Any,
        time: Any,
        text: str = "",
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
        """Collect one post (or repost); ``replace`` makes it supersede an earlier one."""
        text = text if isinstance(text, str) else ""
        at = self.where.get(post_id)
        gone = None
        if at is not None:
            if embedded:
                return  # a copy carried inside another record adds nothing
            if self.embedded[at]:
                self.gone[at] = "embedded copy"  # the record itself is better data
            elif replace:
                self.gone[at] = "replaced by a later update"
            else:
                gone = "duplicate id"
        if gone is None:
            self.where[post_id] = len(self.id)
        self.id.append(post_id)
        self.author.append(author if isinstance(author, str) else "")
        self.time.append(time)
        self.undated.append(undated)
        self.followers.append(followers)
        self.text.append(text)
        self.ref_id.append(ref_id)
        self.ref_kind.append(ref_kind or (None if ref_id else not_a_reply(text)))
        self.subject.append(subject)
        self.keys.append(paper_keys(text, links) if text or links else [])
        self.embedded.append(embedded)
        self.gone.append(gone)

    def delete(self, post_id: str) -> str:
        """Apply a delete; return the skip reason to count the delete event under."""
        at = self.where.get(post_id)
        if at is None or self.gone[at] is not None or self.embedded[at]:
            return "delete of a record not in the data"
        self.gone[at] = "deleted by a later delete event"
        return "delete (applied)"

    def declare(
        self, post_id: str, author: str, text: str = "", kind: str = "original", parent=None
    ) -> None:
        """A post known to exist (its author from its AT URI) that the data may lack."""
        self.declared.setdefault(post_id, (author, text, kind, parent))

    def _live(self, post_id: str | None) -> int | None:
        at = self.where.get(post_id) if post_id is not None else None
        return at if at is not None and self.gone[at] is None else None

    def route(self) -> list[PaperRecords]:
        """Send every post to its papers; return the papers (and the unplaced records)."""
        router, handles, alias = self.router, self.handles, self.alias
        times = _times(self.time)
        if any(self.undated):
            self._drop_undated_repeats()
        for i, post_id in enumerate(self.id):
            reason = self.gone[i]
            if reason is not None:
                if not self.embedded[i] and reason != "embedded copy":
                    router.skip(reason)
                continue
            ref = self.ref_id[i]
            ref = alias.get(ref, ref) if ref is not None else None
            keys = self.keys[i] or (self._parent_keys(ref) if router.fixed is None else ())
            if router.fixed is not None:
                targets = router.route(())
            elif keys:
                targets = router.route(keys)
            elif ref is not None:
                targets = [router.unplaced]  # waits for its parent's papers
            else:
                if not self.embedded[i]:
                    router.skip(NO_PAPER)
                continue
            text, shown = self.text[i], self._live(self.subject[i])
            if not text and shown is not None:
                text = self.text[shown]
            t = times[i]
            if t == _NAT:
                t = _NAT if self.undated[i] else None  # None: counted as "no time"
            author = handles.get(self.author[i], self.author[i])
            chain = self._chain(ref)
            for out in targets:
                kept = out.add(
                    post_id, author, t, self.followers[i], text, ref_id=ref,
                    ref_kind=self.ref_kind[i], embedded=self.embedded[i],
                )  # fmt: skip
                if kept:
                    for tid in chain:
                        a, ptext, kind, parent = self.declared[tid]
                        shown = self._live(tid)
                        if shown is None and kind == "retweet":
                            shown = self._live(parent)
                        if not ptext and shown is not None:
                            ptext = self.text[shown]
                        out.add_placeholder(tid, handles.get(a, a), ptext, kind, parent)
        for out in router.papers.values():
            out.attrs.setdefault("platform", self.platform)
            undated = sum(1 for t in out.time if t == _NAT)
            if undated:
                out.attrs["undated_reposts"] = undated
        return router.results()

    def _parent_keys(self, ref: str | None) -> list[str]:
        """The links of the nearest ancestor in the file that has any (its papers)."""
        seen = 0
        while ref is not None and seen < 1000:
            at = self._live(ref)
            if at is None:
                return []
            if self.keys[at]:
                return self.keys[at]
            ref = self.ref_id[at]
            ref = self.alias.get(ref, ref) if ref is not None else None
            seen += 1
        return []

    def _drop_undated_repeats(self) -> None:
        """An undated repost (``getRepostedBy``) of a post its author's dated repost is
        already in the file for adds nothing."""
        handles = self.handles
        dated = {
            (handles.get(a, a).lower(), s)
            for a, s, u, g in zip(self.author, self.subject, self.undated, self.gone)
            if s is not None and not u and g is None
        }
        for i, (a, s, u) in enumerate(zip(self.author, self.subject, self.undated)):
            if u and self.gone[i] is None and (handles.get(a, a).lower(), s) in dated:
                self.gone[i] = "undated repeat of a repost in the data"

    def _chain(self, ref: str | None) -> list[str]:
        """The declared placeholders a parent id leads through, up to a post in the data."""
        chain: list[str] = []
        # The first post in the data is declared too: it may not be in this record's paper.
        while ref is not None and ref in self.declared and ref not in chain and len(chain) < 1000:
            chain.append(ref)
            if self._live(ref) is not None:
                break
            ref = self.declared[ref][3]
        return chain
