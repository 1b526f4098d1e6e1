"""The rules of :mod:`cascade.resolve.rules` for a batch of papers at once, with array operations.

For papers whose tweets are linked by text alone. ``docs/design.md`` explains the steps; the tests
check that the result equals :func:`~cascade.resolve.rules.resolve_sequential`, column by column.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import chain as concat
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cascade import text as T
from cascade.io.records import PaperRecords
from cascade.io.sources import collector_paused
from cascade.model import Paper, labels
from cascade.resolve.credits import MAY_BE_EMPTY, Credits, Hops, bools, lower, row_credits
from cascade.resolve.matching import earliest_same_text, same_texts
from cascade.resolve.rules import (
    NAT,
    Folded,
    addressed_to_poster,
    attach,
    paper_of,
    resolve_sequential,
    same_text_applies,
)

ROUNDS = 4  # rows looked back, in bulk, for a retweet's text before the tweet-by-tweet pass


@dataclass
class Placeholders:
    """Placeholders the tweet-by-tweet pass created, as columns."""

    paper: list[int] = field(default_factory=list)
    pos: list[int] = field(default_factory=list)  # of the tweet that created it
    code: list[int] = field(default_factory=list)  # (paper, handle) code of its author
    id: list[str] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    resolution: list[str] = field(default_factory=list)
    folded: list[Folded] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.id)


@dataclass
class ByAuthor:
    """Records sorted by (author code, position in the resolution order)."""

    code: np.ndarray  # author code of each sorted record
    pos: np.ndarray
    record: np.ndarray  # the record
    key: np.ndarray  # code * n + pos: "the author's latest record before p" is a search

    def latest_before(self, code: np.ndarray, pos: np.ndarray) -> np.ndarray:
        at = np.maximum(np.searchsorted(self.key, code * self.code.size + pos) - 1, 0)
        hit = (self.code[at] == code) & (self.pos[at] < pos)
        return np.where(hit, self.record[at], -1)


class BatchForest:
    """The forest of a batch of papers, for the tweets resolved one by one.

    Every record's row is known in advance (its place in the resolution order); placeholders are
    inserted just before the tweet that created them. ``match`` and ``latest_real`` see what the
    sequential :class:`~cascade.resolve.rules.Forest` would see at that tweet: the rows by an
    author placed before it. Set ``paper`` and ``pos`` before each call.
    """

    def __init__(self, n: int, n_codes: int, by_author: ByAuthor, credits: Credits) -> None:
        self.n = n
        self.codes: dict[int, dict[str, int]] = {}  # paper -> lower-case handle -> code
        self.by_author = by_author
        self.bounds = np.searchsorted(by_author.code, np.arange(n_codes + 1)).tolist()
        self.credits = credits
        self._rows: dict[int, tuple[list[int], list[int]]] = {}
        self._bodies: tuple[list[str], list[int], dict[int, int]] | None = None
        self.later: dict[int, list[tuple[int, int]]] = {}  # code -> (pos, row) of placeholders
        self.placeholders = Placeholders()
        self.per_paper: dict[int, int] = {}
        self._folds: dict[str, Folded] = {}
        self.paper = self.pos = 0

    def fold(self, body: str) -> Folded:
        folded = self._folds.get(body)
        if folded is None:
            folded = self._folds[body] = T.normalise(body)
        return folded

    def _texts(self) -> tuple[list[str], list[int], dict[int, int]]:
        if self._bodies is None:  # as Python lists the first time a body is needed
            c = self.credits
            # Only a credit after a comment looks with another body than its own: keep those.
            other = np.flatnonzero(c.query_code != c.body_code)
            query = dict(zip(other.tolist(), c.query_code[other].tolist()))
            self._bodies = c.bodies.to_pylist(), c.body_code.tolist(), query
        return self._bodies

    def body(self, record: int) -> str:
        bodies, code, _ = self._texts()
        return bodies[code[record]]

    def query(self, record: int) -> str:
        """The body record ``record`` looks for its parent with."""
        bodies, code, other = self._texts()
        return bodies[other.get(record, code[record])]

    def _before(self, key: str) -> tuple[int, list[int], list[int], int]:
        """Code of ``key``, its records' positions and rows, and how many precede ``pos``."""
        code = self.codes[self.paper][key]
        rows = self._rows.get(code)
        if rows is None:
            lo, hi = self.bounds[code], self.bounds[code + 1]
            b = self.by_author
            rows = self._rows[code] = (b.pos[lo:hi].tolist(), b.record[lo:hi].tolist())
        return code, *rows, bisect_left(rows[0], self.pos)

    def match(self, key: str, folded: Folded) -> int | None:
        code, pos, record, j = self._before(key)
        later = self.later.get(code, ())
        q = len(later) - 1
        while j > 0 or q >= 0:
            # A placeholder sits just before the record whose resolution created it.
            if j > 0 and (q < 0 or pos[j - 1] >= later[q][0]):
                j -= 1
                k = record[j]
                f = self.fold(self.body(k))
            else:
                k = later[q][1]
                q -= 1
                f = self.placeholders.folded[k - self.n]
            if T.same_text(f, folded):
                return k
        return None

    def latest_real(self, key: str) -> int | None:
        _, _, record, j = self._before(key)
        return record[j - 1] if j else None

    def placeholder(
        self, author: str, text: str, kind: str, parent: int, resolution: str, body: str
    ) -> int:
        k = self.n + len(self.placeholders)
        code = self.codes[self.paper][author.lower()]
        number = self.per_paper[self.paper] = self.per_paper.get(self.paper, 0) + 1
        p = self.placeholders
        p.paper.append(self.paper)
        p.pos.append(self.pos)
        p.code.append(code)
        p.id.append(f"placeholder:{number}")
        p.author.append(author)
        p.text.append(text)
        p.kind.append(kind)
        p.parent.append(parent)
        p.resolution.append(resolution)
        p.folded.append(self.fold(body))
        self.later.setdefault(code, []).append((self.pos, k))
        return k


@dataclass
class HopCodes:
    """The batch's hops with the (paper, handle) code of each, and each tweet's hop count."""

    tweet: np.ndarray
    depth: np.ndarray
    handle: pa.Array
    key: pa.Array  # lower-case handle
    code: np.ndarray
    count: np.ndarray  # hops per record

    def without(self, records: np.ndarray) -> HopCodes:
        """The hops of every record but ``records`` (a bool mask over the records)."""
        keep = np.flatnonzero(~records[self.tweet])
        count = np.where(records, 0, self.count)
        h = Hops(self.tweet, self.depth, self.handle).take(keep)
        return HopCodes(h.tweet, h.depth, h.handle, pc.take(self.key, keep), self.code[keep], count)


@dataclass
class Links:
    """Parents and resolutions found for some records."""

    records: np.ndarray
    parent: np.ndarray
    resolution: np.ndarray


def settle(forest: BatchForest, hops: HopCodes, pos: np.ndarray) -> tuple[Links, np.ndarray]:
    """Parents of the crediting tweets that need no tweet-by-tweet pass, and the others.

    The sequential rules scan the credited author's rows, newest first, for the text. Real
    records are known in advance; placeholders are the catch, so a tweet is settled here only
    when no placeholder by its author can be among the rows it would scan:

    * its nearest hop's author has a real record before it with the text (found within
      ``ROUNDS`` steps back): the parent, unless that author is a non-last hop of an unsettled
      chain (only those can put a placeholder after a real record);
    * a one-hop tweet whose author's real records before it all have other texts: the latest
      (``author_time``), unless that author is credited by any unsettled tweet.

    Unsettling a tweet can unsettle others through its hops: repeat until nothing changes.
    Returns the settled tweets' links and the records left to the tweet-by-tweet pass.
    """
    n, n_codes = len(pos), int(hops.code.max(initial=-1)) + 1
    by, credits = forest.by_author, forest.credits
    first = np.flatnonzero(hops.depth == 0)
    tweet, code = hops.tweet[first], hops.code[first]
    at = np.searchsorted(by.key, code * n + pos[tweet]) - 1  # newest real row by code before
    seen = (at >= 0) & (by.code[np.maximum(at, 0)] == code)
    match = np.full(tweet.size, -1)
    exhausted = np.zeros(tweet.size, dtype=bool)
    look, cur = np.flatnonzero(seen), at.copy()
    for _ in range(ROUNDS):
        if not look.size:
            break
        candidate = by.record[cur[look]]
        same = same_texts(
            credits.bodies,
            credits.body_code[candidate],
            credits.query_code[tweet[look]],
            forest.fold,
        )
        match[look[same]] = cur[look[same]]
        look = look[~same]
        cur[look] -= 1
        gone = (cur[look] < 0) | (by.code[np.maximum(cur[look], 0)] != code[look])
        exhausted[look[gone]] = True
        look = look[~gone]
    author_time = exhausted & (hops.count[tweet] == 1)
    slot = np.full(n, -1)
    slot[tweet] = np.arange(tweet.size)
    hop_slot, last = slot[hops.tweet], hops.depth == hops.count[hops.tweet] - 1
    unsettled = np.zeros(tweet.size, dtype=bool)
    chain_hop = np.zeros(n_codes, dtype=bool)  # a non-last hop of an unsettled tweet
    any_hop = np.zeros(n_codes, dtype=bool)  # any hop of an unsettled tweet
    while True:
        now = ~(((match >= 0) & ~chain_hop[code]) | (author_time & ~any_hop[code]))
        if (now == unsettled).all():
            break
        unsettled = now
        on = unsettled[hop_slot]
        chain_hop[hops.code[on & ~last]] = True
        any_hop[hops.code[on]] = True
    settled = np.flatnonzero(~unsettled)
    by_text = match[settled] >= 0
    parent = by.record[np.where(by_text, match[settled], at[settled])]
    resolution = labels(by_text, "text", "author_time")
    hard = np.zeros(n, dtype=bool)
    hard[tweet[unsettled]] = True
    return Links(tweet[settled], parent, resolution), hard


def one_by_one(
    forest: BatchForest, records: np.ndarray, hops: HopCodes, paper: np.ndarray, pos: np.ndarray
) -> Links:
    """Resolve ``records`` by the sequential rules, in resolution order."""
    records = records[np.argsort(pos[records])]
    # The hops of tweet t are the hop rows first[t]:first[t] + count[t].
    in_rows = np.flatnonzero(np.isin(hops.tweet, records))
    handles = pc.take(hops.handle, in_rows).to_pylist()
    tweets, first = np.unique(hops.tweet[in_rows], return_index=True)
    start = dict(zip(tweets.tolist(), first.tolist()))
    for p, key, code in zip(
        paper[hops.tweet[in_rows]].tolist(),
        pc.take(hops.key, in_rows).to_pylist(),
        hops.code[in_rows].tolist(),
    ):
        forest.codes.setdefault(p, {})[key] = code
    parents, resolutions = [], []
    with collector_paused():
        for i, forest.paper, forest.pos, k in zip(
            records.tolist(), paper[records].tolist(), pos[records].tolist(),
            hops.count[records].tolist(),
        ):  # fmt: skip
            chain = tuple(handles[start[i] : start[i] + k])
            parent_i, resolution_i = attach(forest, chain, forest.query(i))
            parents.append(parent_i)
            resolutions.append(resolution_i)
    return Links(records, np.array(parents, dtype=np.int64), np.array(resolutions, dtype=object))


def _folded_groups(
    batch: list[PaperRecords], paper: np.ndarray, texts: pa.DictionaryArray
) -> np.ndarray | None:
    """One code per (paper, folded text) for the records the ``same_text`` rule may link (-1
    for the others, and for empty texts); None when no paper of the batch allows the rule."""
    allowed = np.array([same_text_applies(r) for r in batch], dtype=bool)
    if not allowed.any():
        return None
    text_code = texts.indices.to_numpy()
    rows = np.flatnonzero(allowed[paper])
    distinct = np.unique(text_code[rows])
    folded = [T.normalise(t)[0] for t in pc.take(texts.dictionary, distinct).to_pylist()]
    names, code = np.unique(np.array(folded, dtype=object), return_inverse=True)
    folded_code = np.full(len(texts.dictionary), -1, dtype=np.int64)
    folded_code[distinct] = np.where(names[code] == "", -1, code)
    per_row = folded_code[text_code[rows]]
    group = np.full(paper.size, -1, dtype=np.int64)
    ok = per_row >= 0
    group[rows[ok]] = pd.factorize(paper[rows[ok]] * len(names) + per_row[ok])[0]
    return group


def _without_unowned(
    group: np.ndarray, pos: np.ndarray, texts: list[str], keys: pa.Array
) -> np.ndarray:
    """``group`` with -1 for every copy of a text whose earliest copy is addressed to its poster
    (:func:`~cascade.resolve.rules.addressed_to_poster`): the ``same_text`` rule skips them."""
    member = np.flatnonzero(group >= 0)
    if not member.size:
        return group
    rows = member[np.lexsort((pos[member], group[member]))]
    in_order = group[rows]
    first = rows[np.append(True, in_order[1:] != in_order[:-1])]  # each text's earliest copy
    first = first[np.fromiter(("@" in texts[i] for i in first.tolist()), bool, first.size)]
    unowned = [
        group[i]
        for i, key in zip(first.tolist(), pc.take(keys, first).to_pylist())
        if addressed_to_poster(texts[i], key)
    ]
    return np.where(np.isin(group, unowned), -1, group) if unowned else group


@dataclass
class BatchRecords:
    """The batch's records as columns, resolved."""

    paper: np.ndarray
    pos: np.ndarray
    code: np.ndarray  # (paper, handle) code of the author
    key: pa.Array  # lower-case author
    author: list[str]
    text: list[str]
    time: np.ndarray
    kind: np.ndarray
    parent: np.ndarray
    resolution: np.ndarray


def resolve_credited(batch: list[PaperRecords]) -> list[Paper]:
    """:func:`~cascade.resolve.resolve` of papers without source-given parents, in one pass."""
    sizes = np.array([len(r) for r in batch], dtype=np.int64)
    n = int(sizes.sum())
    if n == 0:
        return [resolve_sequential(r) for r in batch]
    paper = np.repeat(np.arange(len(batch)), sizes)
    text_list = list(concat.from_iterable(r.text for r in batch))
    author_list = list(concat.from_iterable(r.author for r in batch))
    keys = lower(pa.array(author_list, pa.string()))
    time = np.fromiter(concat.from_iterable(r.time for r in batch), np.int64, n)

    # Retweets of one tweet share their text: parse each distinct text once.
    texts = pa.array(text_list, pa.string()).dictionary_encode()
    credits = row_credits(batch, texts, keys)
    count = np.bincount(credits.hops.tweet, minlength=n)
    text_code = texts.indices.to_numpy()

    kind = np.full(n, "original", dtype=object)
    kind[count > 0] = "retweet"
    # Replies: no credit, and the text begins with "@h".
    maybe = bools(pc.match_substring_regex(texts.dictionary, "(?s)^.?@"))[text_code]
    replied = [(i, T.reply_to(text_list[i])) for i in np.flatnonzero(maybe & (count == 0)).tolist()]
    reply_rows = np.array([i for i, h in replied if h], dtype=np.int64)
    reply_keys = pa.array([h.lower() for _, h in replied if h], pa.string())
    kind[reply_rows] = "reply"

    # Resolution order: by paper, time, originals and replies before retweets, input order.
    order = np.lexsort((count > 0, time, paper))
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)

    # One code per (paper, lower-case handle), for authors, credited hops and replied users.
    hop_keys = lower(credits.hops.handle)
    names = pa.concat_arrays([keys, hop_keys, reply_keys]).dictionary_encode()
    owner = np.concatenate([paper, paper[credits.hops.tweet], paper[reply_rows]])
    codes, _ = pd.factorize(owner * max(len(names.dictionary), 1) + names.indices.to_numpy())
    author_code, hop_code, reply_code = np.split(codes, [n, n + len(credits.hops.tweet)])
    h = credits.hops
    hops = HopCodes(h.tweet, h.depth, h.handle, hop_keys, hop_code, count)

    # Records sorted by (author code, position): "the author's latest row before p" is a search.
    sorted_records = np.lexsort((pos, author_code))
    by = ByAuthor(
        author_code[sorted_records],
        pos[sorted_records],
        sorted_records,
        author_code[sorted_records] * n + pos[sorted_records],
    )
    parent = np.full(n, -1, dtype=np.int64)
    resolution = np.full(n, "", dtype=object)

    # Same text as an earlier tweet by another user, for records that credit no chain.
    groups = _folded_groups(batch, paper, texts)
    same = np.zeros(n, dtype=bool)
    if groups is not None:
        groups = _without_unowned(groups, pos, text_list, keys)
        query = (count == 0) | (credits.rule != "")
        earliest = earliest_same_text(groups, author_code, pos, query)
        same = earliest >= 0
        parent[same], resolution[same], kind[same] = earliest[same], "same_text", "retweet"
        hops = hops.without(same)
    replies = reply_rows[~same[reply_rows]]
    if replies.size:
        latest = by.latest_before(reply_code[~same[reply_rows]], pos[replies])
        parent[replies] = latest
        resolution[replies[latest >= 0]] = "author_time"

    forest = BatchForest(n, int(codes.max()) + 1, by, credits)
    settled, hard = settle(forest, hops, pos)
    # Nothing was compared for a tweet without text.
    may = np.flatnonzero(bools(pc.match_substring_regex(credits.bodies, MAY_BE_EMPTY)))
    empty = np.zeros(len(credits.bodies), dtype=bool)
    empty[may] = [not forest.fold(b)[0] for b in pc.take(credits.bodies, may).to_pylist()]
    no_text = empty[credits.query_code[settled.records]] & (settled.resolution == "text")
    settled.resolution[no_text] = "no_text"
    rest = one_by_one(forest, np.flatnonzero(hard), hops, paper, pos)
    for links in (settled, rest):
        parent[links.records] = links.parent
        resolution[links.records] = links.resolution
    other = (credits.rule != "") & ~same  # a credit after a comment names its rule
    resolution[other] = credits.rule[other]

    rows = BatchRecords(paper, pos, author_code, keys, author_list, text_list, time, kind, parent,
                        resolution)  # fmt: skip
    return _papers(batch, rows, forest)


def _papers(batch: list[PaperRecords], real: BatchRecords, forest: BatchForest) -> list[Paper]:
    """Gather records and placeholders into each paper's columns, in topological order."""
    made = forest.placeholders
    n, m = len(real.paper), len(made)
    node_paper = np.concatenate([real.paper, np.array(made.paper, dtype=np.int64)])
    # A placeholder comes just before the record that created it, after earlier placeholders.
    order = np.argsort(
        np.concatenate([real.pos * 2 + 1, np.array(made.pos, dtype=np.int64) * 2]), kind="stable"
    )
    row = np.empty(n + m, dtype=np.int64)
    row[order] = np.arange(n + m)
    counts = np.bincount(node_paper, minlength=len(batch))
    offsets = np.cumsum(counts) - counts
    row_paper = node_paper[order]
    parent = np.concatenate([real.parent, np.array(made.parent, dtype=np.int64)])[order]
    parent = np.where(parent >= 0, row[np.maximum(parent, 0)] - offsets[row_paper], -1)

    def column(values: Any, extra: Any, dtype: Any = object) -> np.ndarray:
        joined = np.concatenate([np.asarray(values, dtype=dtype), np.array(extra, dtype=dtype)])
        return joined[order]

    ids = column(list(concat.from_iterable(r.id for r in batch)), made.id)
    author = column(real.author, made.author)
    text = column(real.text, made.text)
    kind = column(real.kind, made.kind)
    resolution = column(real.resolution, made.resolution)
    time = column(real.time, [NAT] * m, np.int64).view("datetime64[s]")
    followers = column(
        np.fromiter(concat.from_iterable(r.followers for r in batch), np.float64, n),
        [np.nan] * m,
        np.float64,
    )
    placeholder = column(np.zeros(n, dtype=bool), [True] * m, bool)

    # User codes per paper in order of first appearance, as the sequential rules number them.
    row_code = column(real.code, made.code, np.int64)
    by = np.argsort(row_code, kind="stable")
    s = row_code[by]
    first = np.sort(by[np.flatnonzero(np.append(True, s[1:] != s[:-1]))])
    rank = np.empty(int(row_code.max()) + 1, dtype=np.int64)
    rank[row_code[first]] = np.arange(first.size)
    n_users = np.bincount(row_paper[first], minlength=len(batch))
    user_offsets = np.cumsum(n_users) - n_users
    user = rank[row_code] - user_offsets[row_paper]
    handles, user_keys = author[first], np.empty(first.size, dtype=object)
    node = order[first]
    in_data = node < n
    user_keys[in_data] = pc.take(real.key, node[in_data]).to_numpy(zero_copy_only=False)
    user_keys[~in_data] = [made.author[k - n].lower() for k in node[~in_data].tolist()]

    columns = {
        "id": ids,
        "author": author,
        "user": user,
        "time": time,
        "followers": followers,
        "text": text,
        "kind": kind,
        "placeholder": placeholder,
        "parent": parent,
        "resolution": resolution,
    }
    papers = []
    for p, records in enumerate(batch):
        rows = slice(offsets[p], offsets[p] + counts[p])
        users = slice(user_offsets[p], user_offsets[p] + n_users[p])
        mine = {name: values[rows] for name, values in columns.items()}
        papers.append(paper_of(records, mine, handles[users], user_keys[users]))
    return papers
