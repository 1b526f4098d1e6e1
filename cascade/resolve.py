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
    """Accumulates the resolved tweets (and placeholders) in topological order."""

    def __init__(self) -> None:
        self.cols: dict[str, list] = {
            k: []
            for k in ("id", "author", "time", "followers", "text", "kind", "placeholder")
            + ("parent", "resolution")
        }
        self.body: list[str] = []  # text without its RT chain, for matching
        self.folded: list[tuple[str, bool] | None] = []  # normalised body, computed on demand
        self.by_author: dict[str, list[int]] = {}
        self.by_id: dict[str, int] = {}
        self.n_placeholders = 0

    def append(self, tid, author, time, followers, text, kind, placeholder, parent, resolution, body):
        i = len(self.body)
        c = self.cols
        c["id"].append(tid)
        c["author"].append(author)
        c["time"].append(time)
        c["followers"].append(followers)
        c["text"].append(text)
        c["kind"].append(kind)
        c["placeholder"].append(placeholder)
        c["parent"].append(parent)
        c["resolution"].append(resolution)
        self.body.append(body)
        self.folded.append(None)
        self.by_author.setdefault(author.lower(), []).append(i)
        self.by_id[tid] = i
        return i

    def _fold(self, i: int) -> tuple[str, bool]:
        f = self.folded[i]
        if f is None:
            f = self.folded[i] = T.normalise(self.body[i])
        return f

    def match(self, author: str, folded: tuple[str, bool]) -> int | None:
        """The latest tweet (or placeholder) by ``author`` whose body matches."""
        for i in reversed(self.by_author.get(author.lower(), ())):
            if T.same_text(self._fold(i), folded):
                return i
        return None

    def latest_real(self, author: str) -> int | None:
        placeholder = self.cols["placeholder"]
        for i in reversed(self.by_author.get(author.lower(), ())):
            if not placeholder[i]:
                return i
        return None

    def placeholder(self, author, text, kind, parent, resolution, body, tid=None) -> int:
        self.n_placeholders += 1
        tid = tid or f"placeholder:{self.n_placeholders}"
        return self.append(tid, author, None, np.nan, text, kind, True, parent, resolution, body)

    def attach(self, chain: tuple[str, ...], body: str) -> tuple[int, str]:
        """Parent index and resolution for a tweet crediting ``chain`` (nearest hop first)."""
        folded = T.normalise(body)
        # Walk from the nearest hop outwards to the first one found in the data, then build the
        # missing hops back towards this tweet as placeholders.
        depth, parent = 0, None
        for depth, handle in enumerate(chain):
            parent = self.match(handle, folded)
            if parent is not None:
                resolution = "text"
                break
        if parent is None:  # no hop is in the data: fall back on the credited original's author
            parent = self.latest_real(chain[-1])
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
    for text, credited, ref_kind in zip(records.text, records.credited, records.ref_kind):
        chain, body = T.credited_chain(text)
        if not chain and credited:
            chain = credited
        chains.append(chain)
        bodies.append(body)
        if ref_kind is not None:
            kinds.append(ref_kind)
        elif chain:
            kinds.append("retweet")
        elif T.reply_to(text):
            kinds.append("reply")
        else:
            kinds.append("original")

    times = np.fromiter(records.time, dtype=np.int64, count=n)
    sort_time = _parent_first_times(records, times)
    rank = np.fromiter((_KIND_RANK.get(k, 1) for k in kinds), dtype=np.int8, count=n)
    order = np.lexsort((np.arange(n), rank, sort_time))

    f = _Forest()
    for i in order.tolist():
        tid, author, text = records.id[i], records.author[i], records.text[i]
        kind, chain, ref_id = kinds[i], chains[i], records.ref_id[i]
        parent, resolution = -1, ""
        if ref_id is not None:
            at = f.by_id.get(ref_id)
            if at is not None:
                parent, resolution = at, "exact"
            elif chain:
                parent, resolution = f.attach(chain, bodies[i])
            else:  # the source names the parent, but not who wrote it
                parent = f.placeholder(_UNKNOWN, "", "original", -1, "", "", tid=ref_id)
                resolution = "placeholder"
        elif chain:
            parent, resolution = f.attach(chain, bodies[i])
        elif kind == "reply":
            latest = f.latest_real(T.reply_to(text) or "")
            if latest is not None:
                parent, resolution = latest, "author_time"
        f.append(
            tid, author, int(times[i]), records.followers[i], text, kind, False, parent,
            resolution, bodies[i],
        )  # fmt: skip
    return _to_paper(records, f)


def _parent_first_times(records: PaperRecords, times: np.ndarray) -> np.ndarray:
    """Sort times in which a tweet with an exact parent never precedes that parent.

    Sources sometimes stamp a retweet a second before its original; sorting such a retweet at its
    parent's time keeps the parent first.
    """
    if not any(r is not None for r in records.ref_id):
        return times
    index = {tid: i for i, tid in enumerate(records.id)}
    out = times.copy()
    for i, ref in enumerate(records.ref_id):
        j = index.get(ref) if ref is not None else None
        if j is not None and out[j] > out[i]:
            out[i] = out[j]
    return out


def _to_paper(records: PaperRecords, f: _Forest) -> Paper:
    c = f.cols
    n = len(c["id"])
    keys: dict[str, int] = {}
    handles: list[str] = []
    user = np.empty(n, dtype=np.int64)
    for i, author in enumerate(c["author"]):
        key = author.lower()
        code = keys.get(key)
        if code is None:
            code = keys[key] = len(handles)
            handles.append(author)
        user[i] = code
    nat = np.datetime64("NaT").astype(np.int64)
    time = np.fromiter((nat if t is None else t for t in c["time"]), np.int64, n)
    obj = lambda values: np.array(values, dtype=object)  # noqa: E731
    return Paper(
        citation_id=records.citation_id,
        id=obj(c["id"]),
        author=obj(c["author"]),
        user=user,
        time=time.view("datetime64[s]"),
        followers=np.array(c["followers"], dtype=np.float64),
        text=obj(c["text"]),
        kind=obj(c["kind"]),
        placeholder=np.array(c["placeholder"], dtype=bool),
        parent=np.array(c["parent"], dtype=np.int64),
        resolution=obj(c["resolution"]),
        handles=obj(handles),
        user_keys=obj(list(keys)),
        source=records.source,
        attrs=dict(records.attrs),
        records=records.records,
        skipped=records.skipped.copy(),
        duplicates=records.duplicates,
        embedded=records.embedded,
    )
