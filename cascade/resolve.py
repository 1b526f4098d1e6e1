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
"""

from __future__ import annotations

import numpy as np

from cascade import text as T
from cascade.io.records import PaperRecords
from cascade.model import Paper

__all__ = ["resolve"]

_KIND_RANK = {"original": 0, "reply": 0}
_UNKNOWN = "(unknown)"


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

    def attach(self, chain: tuple[str, ...], body: str) -> tuple[int, str]:
        """Parent row and resolution for a tweet crediting ``chain`` (nearest hop first)."""
        folded = self.fold(body)
        # Walk from the nearest hop outwards to the first one found in the data, then build the
        # missing hops back towards this tweet as placeholders.
        depth, parent = 0, None
        for depth in range(len(chain)):
            parent = self.match(chain[depth].lower(), folded)
            if parent is not None:
                resolution = "text"
                break
        if parent is None:  # no hop is in the data: fall back on the credited original's author
            parent = self.latest_real(chain[-1].lower())
            resolution = "author_time"
            if parent is None:
                parent = self.placeholder(chain[-1], body, "original", -1, "", body)
                resolution = "placeholder"
        for k in range(depth - 1, -1, -1):
            text = f"RT @{chain[k + 1]}: {body}"
            parent = self.placeholder(chain[k], text, "retweet", parent, resolution, body)
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
                parent, resolution = f.attach(chain, bodies[i])
            else:  # the source names the parent, but not who wrote it
                parent = f.placeholder(_UNKNOWN, "", "original", -1, "", "", tid=ref_id)
                resolution = "placeholder"
        elif chain:
            parent, resolution = f.attach(chain, bodies[i])
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
    return Paper(
        citation_id=records.citation_id,
        id=column(records.id, 0),
        author=author,
        user=user,
        time=time.view("datetime64[s]"),
        followers=followers,
        text=column(records.text, 2),
        kind=column(kinds, 3),
        placeholder=~real,
        parent=np.array(f.parent, dtype=np.int64),
        resolution=np.array(f.resolution, dtype=object),
        handles=author[first],
        user_keys=np.array(list(codes), dtype=object),
        source=records.source,
        attrs=dict(records.attrs),
        records=records.records,
        skipped=records.skipped.copy(),
        duplicates=records.duplicates,
        embedded=records.embedded,
    )
