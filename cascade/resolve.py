"""Credited resolution: who each tweet came from, as the data credits it.

Turns a reader's :class:`~cascade.io.records.PaperRecords` into a :class:`~cascade.model.Paper`
whose ``parent`` array links every retweet, quote and reply to the tweet it came from.

Rules, per tweet in time order:

* an exact parent id from the source (Twitter API ``retweeted_status``, ``referenced_tweets``, a
  CSV ``parent_id``) wins (resolution ``exact``);
* a retweet ``RT @a: text`` (also ``MT``, ``RT@a``, no colon, any case, ``... via @a``): among a's
  tweets at or before it, the latest whose text matches (white space folded, compared up to a
  truncation ``…``) is the parent (``text``); else a's latest earlier tweet (``author_time``,
  low confidence); else a placeholder "unseen original" by a, one per author and text
  (``placeholder``);
* a manual chain ``RT @a: RT @b: text``: this tweet came from a's tweet, which came from b's; a hop
  absent from the data becomes a placeholder retweet by a (the edge into the tweet is ``chain``);
* a reply ``@h ...``: the latest earlier tweet by h in the paper (``author_time``), else a root;
* anything else is an original: a cascade root.

No retweet is dropped.

:func:`resolve_many` applies the same rules to a batch of papers with array operations (what
:class:`~cascade.io.Corpus` does); ``docs/design.md`` explains how, and the tests check that both
give the same papers.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain as concat

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cascade import text as T
from cascade.io.records import PaperRecords
from cascade.model import Paper

__all__ = ["resolve", "resolve_many"]

_KIND_RANK = {"original": 0, "reply": 0}
_UNKNOWN = "(unknown)"
_NAT = np.iinfo(np.int64).min
_SMALL = 1000  # fewer tweets than this are resolved one by one
_ROUNDS = 4  # rows looked back, in bulk, for a retweet's text before the tweet-by-tweet pass


class _Forest:
    """The resolved forest under construction, in topological order.

    Each row is a record of the input (``source[k] >= 0``, its index in the records) or a
    placeholder (``source[k] == -1``, its fields in ``extra``). Only what matching needs is kept
    per row; the columns are gathered with numpy at the end.
    """

    def __init__(self) -> None:
        self.source: list[int] = []
        self.parent: list[int] = []
        self.resolution: list[str] = []
        self.body: list[str] = []  # text without its RT chain, for matching
        self.by_author: dict[str, list[int]] = {}  # lower-case handle -> rows, in time order
        self.by_id: dict[str, int] = {}
        self.extra: dict[int, tuple[str, str, str, str]] = {}  # row -> (id, author, text, kind)
        self._folds: dict[str, tuple[str, bool]] = {}  # many retweets share one body

    def fold(self, body: str) -> tuple[str, bool]:
        f = self._folds.get(body)
        if f is None:
            f = self._folds[body] = T.normalise(body)
        return f

    def append(self, source: int, key: str, parent: int, resolution: str, body: str) -> int:
        k = len(self.source)
        self.source.append(source)
        self.parent.append(parent)
        self.resolution.append(resolution)
        self.body.append(body)
        self.by_author.setdefault(key, []).append(k)
        return k

    def placeholder(self, author, text, kind, parent, resolution, body, tid=None) -> int:
        k = self.append(-1, author.lower(), parent, resolution, body)
        if tid is None:  # a fresh id, distinct from any read back from an export
            n = len(self.extra) + 1
            while f"placeholder:{n}" in self.by_id:
                n += 1
            tid = f"placeholder:{n}"
        self.extra[k] = (tid, author, text, kind)
        self.by_id[tid] = k  # later tweets naming the same missing parent share it
        return k

    def match(self, key: str, folded: tuple[str, bool]) -> int | None:
        """The latest row by ``key`` (a lower-case handle) whose body matches."""
        body, fold = self.body, self.fold
        for k in reversed(self.by_author.get(key, ())):
            f = fold(body[k])
            if f is folded or T.same_text(f, folded):
                return k
        return None

    def latest_real(self, key: str) -> int | None:
        for k in reversed(self.by_author.get(key, ())):
            if self.source[k] >= 0:
                return k
        return None


def _attach(f, chain: tuple[str, ...], body: str) -> tuple[int, str]:
    """Parent row and resolution for a tweet crediting ``chain`` (nearest hop first).

    ``f`` is a :class:`_Forest` or a :class:`_Batch`: anything with ``fold``, ``match``,
    ``latest_real`` and ``placeholder``.
    """
    folded = f.fold(body)
    # Walk from the nearest hop outwards to the first one found in the data, then build the
    # missing hops back towards this tweet as placeholders.
    depth, parent = 0, None
    for depth in range(len(chain)):
        parent = f.match(chain[depth].lower(), folded)
        if parent is not None:
            resolution = "text"
            break
    if parent is None:  # no hop is in the data: fall back on the credited original's author
        parent = f.latest_real(chain[-1].lower())
        resolution = "author_time"
        if parent is None:
            parent = f.placeholder(chain[-1], body, "original", -1, "", body)
            resolution = "placeholder"
    for k in range(depth - 1, -1, -1):
        text = f"RT @{chain[k + 1]}: {body}"
        parent = f.placeholder(chain[k], text, "retweet", parent, resolution, body)
        resolution = "chain"
    return parent, resolution


def resolve(records: PaperRecords) -> Paper:
    """Resolve one paper's records into a diffusion forest.

    Parameters
    ----------
    records : PaperRecords
        What a reader produced for one paper.

    Returns
    -------
    Paper
        Tweets and placeholders in topological order with their ``parent`` array. Edges run
        from parent to child: the direction information flowed.

    Examples
    --------
    >>> from cascade.io.records import PaperRecords
    >>> r = PaperRecords("p1", "example")
    >>> r.add("1", "@Ann", 0, 10.0, "A paper")
    True
    >>> r.add("2", "@bob", 60, 5.0, "RT @ann: A paper")
    True
    >>> p = resolve(r)
    >>> p.parent.tolist(), p.resolution.tolist()
    ([-1, 0], ['', 'text'])
    """
    return resolve_many([records])[0]


def resolve_many(batch: Sequence[PaperRecords]) -> list[Paper]:
    """Resolve many papers at once: the same papers as :func:`resolve` on each, faster.

    Papers whose tweets are linked by text alone (Altmetric exports, CSV without parent ids) are
    resolved together with array operations; only the tweets whose parent depends on inferred
    tweets (chains with absent hops, unseen originals) go through the rules one by one. Papers
    with exact parent ids from the source, and batches of fewer than 1,000 tweets, are resolved
    paper by paper. See ``docs/design.md``.

    Parameters
    ----------
    batch : sequence of PaperRecords

    Returns
    -------
    list of Paper
        In the order of ``batch``.

    Examples
    --------
    >>> from cascade.io.records import PaperRecords
    >>> a, b = PaperRecords("p1", "x"), PaperRecords("p2", "x")
    >>> a.add("1", "@ann", 0, text="A paper"), a.add("2", "@bob", 60, text="RT @ann: A paper")
    (True, True)
    >>> b.add("3", "@cy", 0, text="RT @dee: Another")
    True
    >>> [(p.citation_id, p.parent.tolist(), p.n_placeholders) for p in resolve_many([a, b])]
    [('p1', [-1, 0], 0), ('p2', [-1, 0], 1)]
    """
    by_text = [
        j
        for j, r in enumerate(batch)
        if not r.placeholders and r.ref_id.count(None) == len(r.ref_id)
    ]
    if sum(len(batch[j]) for j in by_text) < _SMALL:  # array set-up would cost more
        by_text = []
    together = dict(zip(by_text, _resolve_credited([batch[j] for j in by_text])))
    return [together[j] if j in together else _resolve_sequential(r) for j, r in enumerate(batch)]


def _resolve_sequential(records: PaperRecords) -> Paper:
    """The rules of :func:`resolve` applied tweet by tweet, in time order."""
    n = len(records)
    chains: list[tuple[str, ...]] = []
    bodies: list[str] = []
    kinds: list[str] = []
    hop_start = T.HOP_START
    for text, credited, ref_kind in zip(records.text, records.credited, records.ref_kind):
        # Most texts credit nobody: skip the parse unless a prefix or a "via @x" may be there.
        if text[:1] in hop_start or "@" in text[-24:]:
            chain, body = T.credited_chain(text)
        else:
            chain, body = (), text
        if not chain and credited:
            chain = credited
        chains.append(chain)
        bodies.append(body)
        if ref_kind is not None:
            kinds.append(ref_kind)
        elif chain:
            kinds.append("retweet")
        elif "@" in text[:2] and T.reply_to(text):
            kinds.append("reply")
        else:
            kinds.append("original")

    times = np.asarray(records.time, dtype=np.int64)
    sort_time = _parent_first_times(records, times)
    rank = np.fromiter((_KIND_RANK.get(k, 1) for k in kinds), dtype=np.int8, count=n)
    order = np.lexsort((np.arange(n), rank, _ref_depth(records), sort_time))

    f = _Forest()
    keys = [a.lower() for a in records.author]
    has_refs = any(r is not None for r in records.ref_id)
    for i in order.tolist():
        chain, ref_id = chains[i], records.ref_id[i]
        parent, resolution = -1, ""
        if ref_id is not None:
            at = f.by_id.get(ref_id)
            if at is not None:
                parent, resolution = at, "exact"
            elif ref_id in records.placeholders:  # absent, but its author is known
                parent = _known_placeholder(f, records.placeholders, ref_id)
                resolution = "placeholder"
            elif chain:
                parent, resolution = _attach(f, chain, bodies[i])
            else:  # the source names the parent, but not who wrote it
                parent = f.placeholder(_UNKNOWN, "", "original", -1, "", "", tid=ref_id)
                resolution = "placeholder"
        elif chain:
            parent, resolution = _attach(f, chain, bodies[i])
        elif kinds[i] == "reply":
            latest = f.latest_real((T.reply_to(records.text[i]) or "").lower())
            if latest is not None:
                parent, resolution = latest, "author_time"
        k = f.append(i, keys[i], parent, resolution, bodies[i])
        if has_refs:
            f.by_id[records.id[i]] = k
    for tid in records.placeholders:  # known placeholders no tweet referred to
        if has_refs or tid not in records._index:
            _known_placeholder(f, records.placeholders, tid)
    return _to_paper(records, f, kinds)


def _known_placeholder(f: _Forest, known: dict, tid: str) -> int:
    """Row of the declared placeholder ``tid``, creating it (and its placeholder ancestors)."""
    path: list[str] = []
    while tid not in f.by_id and tid in known and len(path) < 10_000 and tid not in path:
        path.append(tid)
        tid = known[tid][3]
    parent = f.by_id.get(tid, -1) if tid is not None else -1
    for hop in reversed(path):
        author, text, kind, _ = known[hop]
        if kind == "original":
            parent = -1
        resolution = "exact" if parent >= 0 else ""
        parent = f.placeholder(author or _UNKNOWN, text, kind, parent, resolution, text, tid=hop)
    return parent


def _ref_depth(records: PaperRecords) -> np.ndarray:
    """How many exact refs lead from each record to one without: parents sort before children
    stamped the same second, whatever their kinds."""
    depth = np.zeros(len(records.id), dtype=np.int64)
    if not any(r is not None for r in records.ref_id):
        return depth
    index = {tid: i for i, tid in enumerate(records.id)}
    for i in range(len(depth)):
        d, ref, seen = 0, records.ref_id[i], 0
        while ref is not None and seen < 1000:
            j = index.get(ref)
            if j is None:
                ref = records.placeholders.get(ref, (None,) * 4)[3]
            else:
                d, ref = d + 1, records.ref_id[j]
            seen += 1
        depth[i] = d + (records.ref_id[i] is not None)
    return depth


def _parent_first_times(records: PaperRecords, times: np.ndarray) -> np.ndarray:
    """Sort times in which a tweet with an exact parent never precedes that parent.

    Sources sometimes stamp a retweet a second before its original; sorting such a retweet at its
    parent's time keeps the parent first.
    """
    if not any(r is not None for r in records.ref_id):
        return times
    index = {tid: i for i, tid in enumerate(records.id)}
    out = times.copy()
    known = records.placeholders
    for i, ref in enumerate(records.ref_id):
        for _ in range(100):  # through declared placeholders to the real tweet above them
            if ref not in known or ref in index:
                break
            ref = known[ref][3]
        j = index.get(ref) if ref is not None else None
        if j is not None and out[j] > out[i]:
            out[i] = out[j]
    return out


def _to_paper(records: PaperRecords, f: _Forest, kinds: list[str]) -> Paper:
    n = len(f.source)
    source = np.array(f.source, dtype=np.int64)
    real = source >= 0
    rows = source[real]

    def column(values, placeholder_field: int, dtype=object) -> np.ndarray:
        out = np.empty(n, dtype=dtype)
        out[real] = np.asarray(values, dtype=dtype)[rows] if len(values) else []
        for k, fields in f.extra.items():
            out[k] = fields[placeholder_field]
        return out

    author = column(records.author, 1)
    codes: dict[str, int] = {}
    user = np.fromiter((codes.setdefault(a.lower(), len(codes)) for a in author), np.int64, n)
    first = np.unique(user, return_index=True)[1]
    time = np.full(n, np.iinfo(np.int64).min)
    time[real] = np.asarray(records.time, dtype=np.int64)[rows]
    followers = np.full(n, np.nan)
    followers[real] = np.asarray(records.followers, dtype=np.float64)[rows]
    columns = {
        "id": column(records.id, 0),
        "author": author,
        "user": user,
        "time": time.view("datetime64[s]"),
        "followers": followers,
        "text": column(records.text, 2),
        "kind": column(kinds, 3),
        "placeholder": ~real,
        "parent": np.array(f.parent, dtype=np.int64),
        "resolution": np.array(f.resolution, dtype=object),
    }
    return _paper(records, columns, author[first], np.array(list(codes), dtype=object))


def _paper(records: PaperRecords, columns: dict, handles, user_keys) -> Paper:
    """A :class:`Paper` of resolved columns, with the accounting of its records."""
    return Paper(
        citation_id=records.citation_id,
        **columns,
        handles=handles,
        user_keys=user_keys,
        source=records.source,
        attrs=dict(records.attrs),
        records=records.records,
        skipped=Counter(records.skipped) if records.skipped else Counter(),
        duplicates=records.duplicates,
        embedded=records.embedded,
    )


# Retweet prefixes in RE2, for pyarrow. They are stricter than ``text._HOP``: where one matches,
# ``credited_chain`` credits the same handles and the body starts right after the prefix. What
# follows "RT @h: " must not begin another hop ("RT@", "rt @", "MT  @"...) nor be white space
# to Python.
_SPACE = r"\s\v\x1c-\x1f\x85\p{Z}"  # Python's white space
_HANDLE = r"[A-Za-z0-9_]{1,15}"
_NEXT = rf"(?:[^RrMm{_SPACE}]|[RrMm](?:[^Tt]|$)|[RrMm][Tt](?:[^@{_SPACE}]|$))"
_ONE_HOP = rf"^RT @(?P<a>{_HANDLE}): {_NEXT}"
_TWO_HOPS = rf"^RT @(?P<a>{_HANDLE}): RT @(?P<b>{_HANDLE}): {_NEXT}"
_PREFIX = rf"^(?:RT @{_HANDLE}: ){{1,2}}"
# Texts that may begin with a hop, in Python's terms; the others credit nobody from the front.
_MAY_HOP = rf"^[{_SPACE}]*[RrMm][Tt][{_SPACE}]*@"


def _bools(arr: pa.Array) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def _lower(arr: pa.Array) -> pa.Array:
    """``str.lower`` of each string; in C where the string is ASCII."""
    other = pc.invert(pc.string_is_ascii(arr))
    out = pc.ascii_lower(arr)
    if pc.any(other).as_py():
        lowered = [v.lower() for v in pc.filter(arr, other).to_pylist()]
        out = pc.replace_with_mask(out, other, pa.array(lowered, pa.string()))
    return out


def _credits(texts: pa.Array):
    """Who each text credits: ``(tweet, depth, handle, bodies)``.

    One ``(tweet, depth, handle)`` row per credited handle, tweet by tweet, nearest first;
    ``bodies`` are the texts without their chains. Plain ``RT @a: text`` and ``RT @a: RT @b:
    text`` prefixes and texts that credit nobody are recognised in C; the rest go through
    :func:`cascade.text.credited_chain`, once per distinct text.
    """
    n = len(texts)
    # "@" among the last 24 characters: a "via @x" credit is possible.
    ending_at = _bools(pc.match_substring_regex(texts, r"(?s)@.{0,23}$"))
    one, two = pc.extract_regex(texts, _ONE_HOP), pc.extract_regex(texts, _TWO_HOPS)
    is_one = _bools(one.is_valid()) & ~ending_at
    is_two = _bools(two.is_valid()) & ~ending_at
    nobody = ~(ending_at | _bools(pc.match_substring_regex(texts, _MAY_HOP)))
    slow = np.flatnonzero(~(is_one | is_two | nobody))

    rows_one, rows_two = np.flatnonzero(is_one), np.flatnonzero(is_two)
    tweet = [rows_one, np.repeat(rows_two, 2)]
    pairs = pc.take(two, rows_two)
    handles = [
        pc.take(one, rows_one).field("a"),
        # a, b of each tweet in turn
        pc.take(
            pa.concat_arrays([pairs.field("a"), pairs.field("b")]),
            np.arange(2 * rows_two.size).reshape(2, -1).T.ravel(),
        ),
    ]
    parsed: dict[str, tuple[tuple[str, ...], str]] = {}
    slow_bodies: list[str | None] = [None] * n
    extra_tweet, extra_handle = [], []
    for i, text in zip(slow.tolist(), pc.take(texts, slow).to_pylist()):
        chain, slow_bodies[i] = parsed.get(text) or parsed.setdefault(text, T.credited_chain(text))
        extra_tweet += [i] * len(chain)
        extra_handle += chain
    tweet.append(np.array(extra_tweet, dtype=np.int64))
    handles.append(pa.array(extra_handle, pa.string()))
    tweet = np.concatenate(tweet)
    handles = pa.concat_arrays(handles)
    by_tweet = np.argsort(tweet, kind="stable")
    tweet, handles = tweet[by_tweet], pc.take(handles, by_tweet)
    # Within a tweet the hops are nearest first: the depth is the rank within the tweet.
    start = np.flatnonzero(np.append(True, tweet[1:] != tweet[:-1])) if tweet.size else tweet
    depth = np.arange(tweet.size) - np.repeat(start, np.diff(np.append(start, tweet.size)))

    bodies = pc.replace_substring_regex(texts, _PREFIX, "", max_replacements=1)
    if slow.size:
        bodies = pc.coalesce(pa.array(slow_bodies, pa.string()), bodies)
    return tweet, depth, handles, bodies


def _for_rows(tweet, depth, handle, code):
    """Hop rows ``(tweet, depth, handle)`` of distinct texts, repeated for the rows with each
    text (``code[i]`` is row i's text)."""
    count = np.bincount(tweet, minlength=code.size and int(code.max()) + 1)
    per_row = count[code]
    start = np.cumsum(count) - count
    row = np.repeat(np.arange(code.size), per_row)
    within = np.arange(row.size) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    entry = start[code][row] + within
    return row, depth[entry], pc.take(handle, entry)


class _Batch:
    """The forest of a batch of papers, for the tweets resolved one by one.

    Every record's row is known in advance (``pos``: its place in the batch's resolution
    order); placeholders are inserted just before the tweet that created them. ``match`` and
    ``latest_real`` see what the sequential :class:`_Forest` would see at that tweet: the rows
    by an author placed before it. Set ``g`` (paper) and ``pos`` before each call.
    """

    def __init__(self, n, n_codes, key_gk, key_pos, key_node, bodies, body_code) -> None:
        self.n = n
        self.codes: dict[int, dict[str, int]] = {}  # paper -> lower-case handle -> code
        # Records sorted by (author code, position), and their bodies: looked up lazily, since
        # few tweets come here.
        self.key_gk, self.key_pos, self.key_node = key_gk, key_pos, key_node
        self.bounds = np.searchsorted(key_gk, np.arange(n_codes + 1)).tolist()  # code's records
        self.bodies, self.body_code = bodies, body_code
        self._rows: dict[int, tuple[list[int], list[int]]] = {}
        self._texts: tuple[list[str], list[int]] | None = None
        self.later: dict[int, list[tuple[int, int]]] = {}  # code -> (pos, node) of placeholders
        self.ph: list[tuple] = []  # (g, pos, code, id, author, text, kind, parent, resolution)
        self.ph_fold: list[tuple[str, bool]] = []
        self.per_paper: dict[int, int] = {}
        self._folds: dict[str, tuple[str, bool]] = {}
        self.g = self.pos = 0

    fold = _Forest.fold

    def body(self, node: int) -> str:
        if self._texts is None:  # as Python lists the first time a body is needed
            self._texts = self.bodies.to_pylist(), self.body_code.tolist()
        bodies, code = self._texts
        return bodies[code[node]]

    def _before(self, key: str) -> tuple[int, list[int], list[int], int]:
        """Code of ``key``, its records' positions and nodes, and how many precede ``pos``."""
        gk = self.codes[self.g][key]
        rows = self._rows.get(gk)
        if rows is None:
            lo, hi = self.bounds[gk], self.bounds[gk + 1]
            rows = self._rows[gk] = (self.key_pos[lo:hi].tolist(), self.key_node[lo:hi].tolist())
        return gk, *rows, bisect_left(rows[0], self.pos)

    def match(self, key: str, folded: tuple[str, bool]) -> int | None:
        gk, pos, node, j = self._before(key)
        later = self.later.get(gk, ())
        q = len(later) - 1
        while j > 0 or q >= 0:
            # A placeholder sits just before the record whose resolution created it.
            if j > 0 and (q < 0 or pos[j - 1] >= later[q][0]):
                j -= 1
                k = node[j]
                f = self.fold(self.body(k))
            else:
                k = later[q][1]
                q -= 1
                f = self.ph_fold[k - self.n]
            if T.same_text(f, folded):
                return k
        return None

    def latest_real(self, key: str) -> int | None:
        _, _, node, j = self._before(key)
        return node[j - 1] if j else None

    def placeholder(self, author, text, kind, parent, resolution, body) -> int:
        k = self.n + len(self.ph)
        gk = self.codes[self.g][author.lower()]
        number = self.per_paper[self.g] = self.per_paper.get(self.g, 0) + 1
        self.ph.append(
            (self.g, self.pos, gk, f"placeholder:{number}", author, text, kind, parent, resolution)
        )
        self.ph_fold.append(self.fold(body))
        self.later.setdefault(gk, []).append((self.pos, k))
        return k


def _same_texts(bodies: pa.Array, code: np.ndarray, a: np.ndarray, b: np.ndarray, fold):
    """:func:`cascade.text.same_text` of the normalised bodies of rows ``a[k]`` and ``b[k]``.

    Row i's body is ``bodies[code[i]]``, and equal bodies have equal codes.
    """
    ca, cb = code[a].astype(np.int64), code[b].astype(np.int64)  # pair codes exceed int32
    same = ca == cb
    rest = np.flatnonzero(~same)
    if rest.size:  # each pair of different bodies once
        m = len(bodies)
        pairs, inverse = np.unique(ca[rest] * m + cb[rest], return_inverse=True)
        x, y = pc.take(bodies, pairs // m), pc.take(bodies, pairs % m)
        same[rest] = _same_different(x, y, fold)[inverse]
    return same


def _same_different(x: pa.Array, y: pa.Array, fold) -> np.ndarray:
    """:func:`cascade.text.same_text` of the normalised ``x[k]`` and ``y[k]``, all different."""
    same = np.zeros(len(x), dtype=bool)
    # The usual difference: one text is the other cut short by "…", as written. Folding white
    # space and case maps a prefix to a prefix, so that needs no normalising.
    for u, v in ((x, y), (y, x)):
        cut = np.flatnonzero(~same & _bools(pc.ends_with(v, T.ELLIPSIS)))
        core = pc.utf8_rtrim_whitespace(pc.utf8_rtrim(pc.take(v, cut), T.ELLIPSIS))
        # Python strips \x1c-\x1f as white space too: leave such texts to the exact test.
        plain = ~_bools(pc.match_substring_regex(core, "[\x1c-\x1f]$"))
        plain &= pc.utf8_length(core).to_numpy() > 0
        same[cut] = plain & _starts_with(pc.take(u, cut), core)
    rest = np.flatnonzero(~same)
    same[rest] = [
        T.same_text(fold(u), fold(v))
        for u, v in zip(pc.take(x, rest).to_pylist(), pc.take(y, rest).to_pylist())
    ]
    return same


def _starts_with(strings: pa.Array, prefixes: pa.Array) -> np.ndarray:
    """``strings[k].startswith(prefixes[k])``, in C: prefixes of one length at a time."""
    length = pc.utf8_length(prefixes).to_numpy()
    out = np.zeros(len(strings), dtype=bool)
    order = np.argsort(length, kind="stable")
    for rows in np.split(order, np.flatnonzero(np.diff(length[order])) + 1):
        if rows.size:
            head = pc.utf8_slice_codeunits(pc.take(strings, rows), 0, int(length[rows[0]]))
            out[rows] = _bools(pc.equal(head, pc.take(prefixes, rows)))
    return out


def _credited_parents(forest, hop: dict, hops, flat, pos, parent, resolution) -> np.ndarray:
    """Parents of the crediting tweets that need no tweet-by-tweet pass; returns the others.

    The sequential rules scan the credited author's rows, newest first, for the text. Real
    records are known in advance; placeholders are the catch, so a tweet is settled here only
    when no placeholder by its author can be among the rows it would scan:

    * its nearest hop's author has a real record before it with the text (found within
      ``_ROUNDS`` steps back): the parent, unless that author is a non-last hop of an unsettled
      chain (only those can put a placeholder after a real record);
    * a one-hop tweet whose author's real records before it all have other texts: the latest
      (``author_time``), unless that author is credited by any unsettled tweet.

    Unsettling a tweet can unsettle others through its hops: repeat until nothing changes.
    """
    hop_tweet, hop_depth, hop_gk = hop["tweet"], hop["depth"], hop["code"]
    n, n_codes = len(pos), int(hop_gk.max(initial=-1)) + 1
    key_gk, by_key = forest.key_gk, forest.key_node
    first = np.flatnonzero(hop_depth == 0)
    tweet, code = hop_tweet[first], hop_gk[first]
    at = np.searchsorted(flat, code * n + pos[tweet]) - 1  # newest real row by code before
    seen = (at >= 0) & (key_gk[np.maximum(at, 0)] == code)
    match = np.full(tweet.size, -1)
    exhausted = np.zeros(tweet.size, dtype=bool)
    look, cur = np.flatnonzero(seen), at.copy()
    for _ in range(_ROUNDS):
        if not look.size:
            break
        same = _same_texts(
            forest.bodies, forest.body_code, by_key[cur[look]], tweet[look], forest.fold
        )
        match[look[same]] = cur[look[same]]
        look = look[~same]
        cur[look] -= 1
        gone = (cur[look] < 0) | (key_gk[np.maximum(cur[look], 0)] != code[look])
        exhausted[look[gone]] = True
        look = look[~gone]
    author_time = exhausted & (hops[tweet] == 1)
    slot = np.full(n, -1)
    slot[tweet] = np.arange(tweet.size)
    hop_slot, last = slot[hop_tweet], hop_depth == hops[hop_tweet] - 1
    unsettled = np.zeros(tweet.size, dtype=bool)
    chain_hop = np.zeros(n_codes, dtype=bool)  # a non-last hop of an unsettled tweet
    any_hop = np.zeros(n_codes, dtype=bool)  # any hop of an unsettled tweet
    while True:
        now = ~(((match >= 0) & ~chain_hop[code]) | (author_time & ~any_hop[code]))
        if (now == unsettled).all():
            break
        unsettled = now
        on = unsettled[hop_slot]
        chain_hop[hop_gk[on & ~last]] = True
        any_hop[hop_gk[on]] = True
    settled = np.flatnonzero(~unsettled)
    text = settled[match[settled] >= 0]
    parent[tweet[text]] = by_key[match[text]]
    resolution[tweet[text]] = "text"
    late = settled[match[settled] < 0]
    parent[tweet[late]] = by_key[at[late]]
    resolution[tweet[late]] = "author_time"
    hard = np.zeros(n, dtype=bool)
    hard[tweet[unsettled]] = True
    return hard


def _row_credits(batch: list[PaperRecords], texts: pa.DictionaryArray):
    """Credited hops of every record, ``(hops, bodies, body_code)``.

    ``hops`` has columns ``tweet`` (record), ``depth`` and ``handle``, tweet by tweet, nearest
    first: from the texts, else from the source (``PaperRecords.credited``). Record i's body is
    ``bodies[body_code[i]]``; equal bodies have equal codes.
    """
    text_code = texts.indices.to_numpy()
    tweet, depth, handle, bodies = _credits(texts.dictionary)
    tweet, depth, handle = _for_rows(tweet, depth, handle, text_code)
    if any(r.credited.count(None) != len(r.credited) for r in batch):
        # Handles the source credits, for texts that credit nobody.
        credited = list(concat.from_iterable(r.credited for r in batch))
        silent = np.flatnonzero(np.bincount(tweet, minlength=len(text_code)) == 0).tolist()
        extra = [(i, d, h) for i in silent if credited[i] for d, h in enumerate(credited[i])]
        if extra:
            more_tweet, more_depth, more_handle = zip(*extra)
            by_tweet = np.argsort(np.concatenate([tweet, more_tweet]), kind="stable")
            tweet = np.concatenate([tweet, more_tweet])[by_tweet]
            depth = np.concatenate([depth, more_depth])[by_tweet]
            handle = pc.take(pa.concat_arrays([handle, pa.array(more_handle)]), by_tweet)
    bodies = bodies.dictionary_encode()
    body_code = bodies.indices.to_numpy().astype(np.int64)[text_code]
    return {"tweet": tweet, "depth": depth, "handle": handle}, bodies.dictionary, body_code


def _resolve_credited(batch: list[PaperRecords]) -> list[Paper]:
    """:func:`resolve` of papers without source-given parents, in one vectorised pass."""
    sizes = np.array([len(r) for r in batch], dtype=np.int64)
    n = int(sizes.sum())
    if n == 0:
        return [_resolve_sequential(r) for r in batch]
    g = np.repeat(np.arange(len(batch)), sizes)
    text_list = list(concat.from_iterable(r.text for r in batch))
    author_list = list(concat.from_iterable(r.author for r in batch))
    authors = pa.array(author_list, pa.string())
    time = np.fromiter(concat.from_iterable(r.time for r in batch), np.int64, n)

    # Retweets of one tweet share their text: parse each distinct text once.
    texts = pa.array(text_list, pa.string()).dictionary_encode()
    hop, bodies, body_code = _row_credits(batch, texts)
    hop_tweet, hop_handle = hop["tweet"], hop["handle"]
    hops = np.bincount(hop_tweet, minlength=n)
    text_code = texts.indices.to_numpy()

    kind = np.full(n, "original", dtype=object)
    kind[hops > 0] = "retweet"
    # Replies: no credit, and the text begins with "@h".
    maybe = _bools(pc.match_substring_regex(texts.dictionary, "(?s)^.?@"))[text_code]
    replied = [(i, T.reply_to(text_list[i])) for i in np.flatnonzero(maybe & (hops == 0)).tolist()]
    reply_rows = np.array([i for i, h in replied if h], dtype=np.int64)
    reply_keys = pa.array([h.lower() for _, h in replied if h], pa.string())
    kind[reply_rows] = "reply"

    # Resolution order: by paper, time, originals and replies before retweets, input order.
    order = np.lexsort((hops > 0, time, g))
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)

    # One code per (paper, lower-case handle), for authors, credited hops and replied users.
    keys, hop["key"] = _lower(authors), _lower(hop_handle)
    names = pa.concat_arrays([keys, hop["key"], reply_keys]).dictionary_encode()
    owner = np.concatenate([g, g[hop_tweet], g[reply_rows]])
    gk, _ = pd.factorize(owner * max(len(names.dictionary), 1) + names.indices.to_numpy())
    author_gk, hop["code"], reply_gk = np.split(gk, [n, n + len(hop_tweet)])

    # Records sorted by (author code, position): "the author's latest row before p" is a search.
    by_key = np.lexsort((pos, author_gk))
    key_gk, key_pos = author_gk[by_key], pos[by_key]
    flat = key_gk * n + key_pos

    def latest_before(q_gk: np.ndarray, q_pos: np.ndarray) -> np.ndarray:
        at = np.maximum(np.searchsorted(flat, q_gk * n + q_pos) - 1, 0)
        return np.where((key_gk[at] == q_gk) & (key_pos[at] < q_pos), by_key[at], -1)

    parent = np.full(n, -1, dtype=np.int64)
    resolution = np.full(n, "", dtype=object)
    if reply_rows.size:
        latest = latest_before(reply_gk, pos[reply_rows])
        parent[reply_rows] = latest
        resolution[reply_rows[latest >= 0]] = "author_time"

    forest = _Batch(n, int(gk.max()) + 1, key_gk, key_pos, by_key, bodies, body_code)
    hard = _credited_parents(forest, hop, hops, flat, pos, parent, resolution)
    _one_by_one(forest, np.flatnonzero(hard), hop, hops, g, pos, parent, resolution)

    real = {"g": g, "pos": pos, "gk": author_gk, "key": keys, "author": author_list,
            "text": text_list, "time": time, "kind": kind, "parent": parent,
            "resolution": resolution}  # fmt: skip
    return _papers(batch, real, forest)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (if it runs) for the duration.

    The tweet-by-tweet pass allocates many small containers that die young and makes no
    reference cycles, while the batch keeps hundreds of thousands of lists alive for the
    collector to walk (about a tenth of the time of a batch where most originals are missing).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _one_by_one(forest: _Batch, rows, hop: dict, hops, g, pos, parent, resolution) -> None:
    """Resolve records ``rows`` by the sequential rules, in resolution order."""
    rows = rows[np.argsort(pos[rows])]
    # The hops of tweet t are the hop rows first[t]:first[t] + hops[t].
    in_rows = np.flatnonzero(np.isin(hop["tweet"], rows))
    handles = pc.take(hop["handle"], in_rows).to_pylist()
    tweets, first = np.unique(hop["tweet"][in_rows], return_index=True)
    first = dict(zip(tweets.tolist(), first.tolist()))
    for paper, key, code in zip(
        g[hop["tweet"][in_rows]].tolist(),
        pc.take(hop["key"], in_rows).to_pylist(),
        hop["code"][in_rows].tolist(),
    ):
        forest.codes.setdefault(paper, {})[key] = code
    parents, resolutions = [], []
    with _collector_paused():
        for i, forest.g, forest.pos, k in zip(
            rows.tolist(), g[rows].tolist(), pos[rows].tolist(), hops[rows].tolist()
        ):
            chain = tuple(handles[first[i] : first[i] + k])
            parent_i, resolution_i = _attach(forest, chain, forest.body(i))
            parents.append(parent_i)
            resolutions.append(resolution_i)
    parent[rows] = np.array(parents, dtype=np.int64)
    resolution[rows] = np.array(resolutions, dtype=object)


def _papers(batch: list[PaperRecords], real: dict, forest: _Batch) -> list[Paper]:
    """Gather records and placeholders into each paper's columns, in topological order."""
    n, m = len(real["g"]), len(forest.ph)
    ph = list(zip(*forest.ph)) if m else [()] * 9
    ph_g, ph_pos, ph_gk, ph_id, ph_author, ph_text, ph_kind, ph_parent, ph_resolution = ph
    node_g = np.concatenate([real["g"], np.array(ph_g, dtype=np.int64)])
    # A placeholder comes just before the record that created it, after earlier placeholders.
    order = np.argsort(
        np.concatenate([real["pos"] * 2 + 1, np.array(ph_pos, dtype=np.int64) * 2]), kind="stable"
    )
    row = np.empty(n + m, dtype=np.int64)
    row[order] = np.arange(n + m)
    counts = np.bincount(node_g, minlength=len(batch))
    offsets = np.cumsum(counts) - counts
    row_g = node_g[order]
    parent = np.concatenate([real["parent"], np.array(ph_parent, dtype=np.int64)])[order]
    parent = np.where(parent >= 0, row[np.maximum(parent, 0)] - offsets[row_g], -1)

    def column(values: list, extra: tuple, dtype=object) -> np.ndarray:
        return np.concatenate([np.asarray(values, dtype=dtype), np.array(extra, dtype=dtype)])[
            order
        ]

    ids = column(list(concat.from_iterable(r.id for r in batch)), ph_id)
    author = column(real["author"], ph_author)
    text = column(real["text"], ph_text)
    kind = column(real["kind"], ph_kind)
    resolution = column(real["resolution"], ph_resolution)
    time = column(real["time"], (_NAT,) * m, np.int64).view("datetime64[s]")
    followers = column(
        np.fromiter(concat.from_iterable(r.followers for r in batch), np.float64, n),
        (np.nan,) * m,
        np.float64,
    )
    placeholder = column(np.zeros(n, dtype=bool), (True,) * m, bool)

    # User codes per paper in order of first appearance, as the sequential rules number them.
    row_gk = column(real["gk"], ph_gk, np.int64)
    by = np.argsort(row_gk, kind="stable")
    s = row_gk[by]
    first = np.sort(by[np.flatnonzero(np.append(True, s[1:] != s[:-1]))])
    rank = np.empty(int(row_gk.max()) + 1, dtype=np.int64)
    rank[row_gk[first]] = np.arange(first.size)
    n_users = np.bincount(row_g[first], minlength=len(batch))
    user_offsets = np.cumsum(n_users) - n_users
    user = rank[row_gk] - user_offsets[row_g]
    handles, user_keys = author[first], np.empty(first.size, dtype=object)
    node = order[first]
    in_data = node < n
    user_keys[in_data] = pc.take(real["key"], node[in_data]).to_numpy(zero_copy_only=False)
    user_keys[~in_data] = [ph_author[k - n].lower() for k in node[~in_data].tolist()]

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
        papers.append(_paper(records, mine, handles[users], user_keys[users]))
    return papers
