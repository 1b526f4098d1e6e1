"""The resolution rules, tweet by tweet: the oracle of the batched path, and what both share.

:func:`resolve_sequential` applies the rules of :mod:`cascade.resolve` literally, one tweet at a
time in resolution order, with a :class:`Forest` that grows row by row. :func:`attach` (a credited
chain to its parent) and :func:`credit_chain` (text credits against the source's hints) are the
rules the batched path also calls.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

import numpy as np

from cascade import text as T
from cascade.io.records import PaperRecords
from cascade.model import Paper

KIND_RANK = {"original": 0, "reply": 0}  # sort before retweets stamped the same second
UNKNOWN = "(unknown)"
NAT = np.iinfo(np.int64).min
Folded = tuple[str, bool]


def credit_chain(text_chain: tuple[str, ...], hints: tuple[str, ...] | None) -> tuple[str, ...]:
    """The hops a tweet credits, nearest first, from its text and the source's hints.

    The text's credits win; the hints fill in a text that credits nobody, and supply the
    intermediate hops where they agree with the text on the root and name more hops. A hint
    naming a share button (:data:`cascade.text.SHARE_BUTTONS`) is no hop.

    Examples
    --------
    >>> credit_chain(("Max_Fisher",), ("calestous", "max_fisher"))
    ('calestous', 'max_fisher')
    >>> credit_chain(("a",), ("b",)), credit_chain((), ("b",))
    (('a',), ('b',))
    """
    hints = usable_hints(hints)
    if not hints:
        return text_chain
    if not text_chain:
        return hints
    if len(hints) > len(text_chain) and hints[-1].lower() == text_chain[-1].lower():
        return hints
    return text_chain


def usable_hints(hints: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The source's hints without share-button accounts; None if none is left."""
    if hints and any(h.lower() in T.SHARE_BUTTONS for h in hints):
        hints = tuple(h for h in hints if h.lower() not in T.SHARE_BUTTONS)
    return hints or None


def same_text_applies(records: PaperRecords) -> bool:
    """Whether the ``same_text`` rule may link this paper's tweets: its source stores native
    retweets with the original's text, and it gives no exact parents."""
    return (
        records.same_text
        and not records.placeholders
        and records.ref_id.count(None) == len(records.ref_id)
    )


def addressed_to_poster(text: str, key: str) -> bool:
    """Whether ``text`` @-mentions its own poster ``key`` (a lower-case handle).

    Nobody mentions themselves: such a text was written to its poster by someone else, and the
    poster's copy is a native retweet of it (all 12 such tweets in the Altmetric API samples are
    hinted as retweets of another user). The ``same_text`` rule takes the earliest copy of a
    text to be its author's; a text whose earliest copy is addressed to its poster has no known
    author, and the rule credits no copy of it.

    Examples
    --------
    >>> addressed_to_poster("http://t.co/x @DoctorKarl RE:Swearing to control pain.", "doctorkarl")
    True
    >>> addressed_to_poster("@DoctorKarl RE:Swearing to control pain.", "davebrooker322")
    False
    """
    return "@" in text and key in (h.lower() for h in T.mentions(text))


class Forest:
    """The resolved forest under construction, in topological order.

    Each row is a record of the input (``source[k] >= 0``, its index in the records) or a
    placeholder (``source[k] == -1``, its fields in ``extra``). Only what matching needs is kept
    per row; the columns are gathered with numpy at the end.
    """

    def __init__(self) -> None:
        self.source: list[int] = []
        self.parent: list[int] = []
        self.resolution: list[str] = []
        self.body: list[str] = []  # text without its credits, for matching
        self.by_author: dict[str, list[int]] = {}  # lower-case handle -> rows, in time order
        self.by_id: dict[str, int] = {}
        self.by_text: dict[str, list[tuple[int, str]]] = {}  # folded text -> (row, handle)
        self.unowned: set[str] = set()  # folded texts whose earliest copy mentions its poster
        self.extra: dict[int, tuple[str, str, str, str]] = {}  # row -> (id, author, text, kind)
        self._folds: dict[str, Folded] = {}  # many retweets share one body

    def fold(self, body: str) -> Folded:
        folded = self._folds.get(body)
        if folded is None:
            folded = self._folds[body] = T.normalise(body)
        return folded

    def append(self, source: int, key: str, parent: int, resolution: str, body: str) -> int:
        k = len(self.source)
        self.source.append(source)
        self.parent.append(parent)
        self.resolution.append(resolution)
        self.body.append(body)
        self.by_author.setdefault(key, []).append(k)
        return k

    def placeholder(
        self,
        author: str,
        text: str,
        kind: str,
        parent: int,
        resolution: str,
        body: str,
        tid: str | None = None,
    ) -> int:
        k = self.append(-1, author.lower(), parent, resolution, body)
        if tid is None:  # a fresh id, distinct from any read back from an export
            n = len(self.extra) + 1
            while f"placeholder:{n}" in self.by_id:
                n += 1
            tid = f"placeholder:{n}"
        self.extra[k] = (tid, author, text, kind)
        self.by_id[tid] = k  # later tweets naming the same missing parent share it
        return k

    def match(self, key: str, folded: Folded) -> int | None:
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

    def earliest_same_text(self, folded: str, key: str) -> int | None:
        """The earliest real row with the folded text ``folded`` by another user than ``key``;
        None for a text whose earliest copy is addressed to its poster."""
        if folded in self.unowned:
            return None
        for k, other in self.by_text.get(folded, ()):
            if other != key:
                return k
        return None


class Rows(Protocol):
    """What :func:`attach` needs of a forest (:class:`Forest`, or the batch's)."""

    def fold(self, body: str) -> Folded: ...
    def match(self, key: str, folded: Folded) -> int | None: ...
    def latest_real(self, key: str) -> int | None: ...
    def placeholder(
        self, author: str, text: str, kind: str, parent: int, resolution: str, body: str
    ) -> int: ...


def attach(f: Rows, chain: tuple[str, ...], body: str) -> tuple[int, str]:
    """Parent row and resolution for a tweet crediting ``chain`` (nearest hop first).

    Among a hop's rows before the tweet the latest whose body matches is the parent (``text``;
    ``no_text`` when the body is empty, as nothing was compared), else the credited original's
    author's latest (``author_time``), else a placeholder original (``placeholder``); the hops
    between it and the tweet that are absent become placeholder retweets (``chain``).
    """
    folded = f.fold(body)
    # Walk from the nearest hop outwards to the first one found in the data, then build the
    # missing hops back towards this tweet as placeholders.
    depth, parent, resolution = 0, None, "text" if folded[0] else "no_text"
    for depth in range(len(chain)):
        parent = f.match(chain[depth].lower(), folded)
        if parent is not None:
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


def parse_credits(
    text: str, hints: tuple[str, ...] | None, key: str
) -> tuple[tuple[str, ...], str, tuple[str, str, str] | None]:
    """``(chain, body, other)`` of one tweet: the hops its text and hints credit, the text
    without them, and a credit after a comment (:func:`cascade.text.other_credit`) for a tweet
    that credits nobody else, unless it names the tweet's own author ``key``."""
    # Most texts credit nobody: skip the parse unless a prefix or a "via @x" may be there.
    if text[:1] in T.HOP_START or "@" in text[-24:]:
        text_chain, body = T.credited_chain(text)
    else:
        text_chain, body = (), text
    chain = credit_chain(text_chain, hints)
    other = None if chain or "@" not in text else T.other_credit(text)
    if other is not None and other[1].lower() == key:
        other = None
    return chain, body, other


def resolve_sequential(records: PaperRecords) -> Paper:
    """The rules of :func:`cascade.resolve.resolve` applied tweet by tweet, in time order."""
    n = len(records)
    keys = [a.lower() for a in records.author]
    chains, bodies, others, kinds = [], [], [], []
    for text, hints, ref_kind, key in zip(records.text, records.credited, records.ref_kind, keys):
        chain, body, other = parse_credits(text, hints, key)
        chains.append(chain)
        bodies.append(body)
        others.append(other)
        if ref_kind is not None:
            kinds.append(ref_kind)
        elif chain or other:
            kinds.append("retweet")
        elif "@" in text[:2] and T.reply_to(text):
            kinds.append("reply")
        else:
            kinds.append("original")

    times = np.asarray(records.time, dtype=np.int64)
    sort_time = _parent_first_times(records, times)
    rank = np.fromiter((KIND_RANK.get(k, 1) for k in kinds), dtype=np.int8, count=n)
    order = np.lexsort((np.arange(n), rank, _ref_depth(records), sort_time))

    f = Forest()
    has_refs = any(r is not None for r in records.ref_id)
    by_text = same_text_applies(records)
    for i in order.tolist():
        chain, ref_id = chains[i], records.ref_id[i]
        parent, resolution = -1, ""
        folded = T.normalise(records.text[i])[0] if by_text else ""
        if ref_id is not None:
            at = f.by_id.get(ref_id)
            if at is not None:
                parent, resolution = at, "exact"
            elif ref_id in records.placeholders:  # absent, but its author is known
                parent = _known_placeholder(f, records.placeholders, ref_id)
                resolution = "placeholder"
            elif chain:
                parent, resolution = attach(f, chain, bodies[i])
            elif ref_id in records._index:
                pass  # a parent in the data that cannot come first (a cycle of references): a root
            else:  # the source names the parent, but not who wrote it
                parent = f.placeholder(UNKNOWN, "", "original", -1, "", "", tid=ref_id)
                resolution = "placeholder"
        elif chain:
            parent, resolution = attach(f, chain, bodies[i])
        elif folded and (same := f.earliest_same_text(folded, keys[i])) is not None:
            parent, resolution, kinds[i] = same, "same_text", "retweet"
        elif others[i] is not None:
            rule, handle, body = others[i]
            parent, resolution = attach(f, (handle,), body)[0], rule
        elif kinds[i] == "reply":
            latest = f.latest_real((T.reply_to(records.text[i]) or "").lower())
            if latest is not None:
                parent, resolution = latest, "author_time"
        k = f.append(i, keys[i], parent, resolution, bodies[i])
        if folded:
            if folded not in f.by_text and addressed_to_poster(records.text[i], keys[i]):
                f.unowned.add(folded)
            f.by_text.setdefault(folded, []).append((k, keys[i]))
        if has_refs:
            f.by_id[records.id[i]] = k
    for tid in records.placeholders:  # known placeholders no tweet referred to
        if has_refs or tid not in records._index:
            _known_placeholder(f, records.placeholders, tid)
    return _to_paper(records, f, kinds)


def _known_placeholder(f: Forest, known: dict, tid: str) -> int:
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
        parent = f.placeholder(author or UNKNOWN, text, kind, parent, resolution, text, tid=hop)
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


def _to_paper(records: PaperRecords, f: Forest, kinds: list[str]) -> Paper:
    n = len(f.source)
    source = np.array(f.source, dtype=np.int64)
    real = source >= 0
    rows = source[real]

    def column(values: list, placeholder_field: int, dtype: Any = object) -> np.ndarray:
        out = np.empty(n, dtype=dtype)
        out[real] = np.asarray(values, dtype=dtype)[rows] if len(values) else []
        for k, fields in f.extra.items():
            out[k] = fields[placeholder_field]
        return out

    author = column(records.author, 1)
    codes: dict[str, int] = {}
    user = np.fromiter((codes.setdefault(a.lower(), len(codes)) for a in author), np.int64, n)
    first = np.unique(user, return_index=True)[1]
    time = np.full(n, NAT)
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
    return paper_of(records, columns, author[first], np.array(list(codes), dtype=object))


def paper_of(
    records: PaperRecords, columns: dict[str, np.ndarray], handles: np.ndarray, keys: np.ndarray
) -> Paper:
    """A :class:`Paper` of resolved columns, with the accounting of its records."""
    return Paper(
        citation_id=records.citation_id,
        id=columns["id"],
        author=columns["author"],
        user=columns["user"],
        time=columns["time"],
        followers=columns["followers"],
        text=columns["text"],
        kind=columns["kind"],
        placeholder=columns["placeholder"],
        parent=columns["parent"],
        resolution=columns["resolution"],
        handles=handles,
        user_keys=keys,
        source=records.source,
        attrs=dict(records.attrs),
        records=records.records,
        skipped=Counter(records.skipped) if records.skipped else Counter(),
        duplicates=records.duplicates,
        embedded=records.embedded,
    )
