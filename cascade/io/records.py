"""What a reader produces: one paper's tweet records, validated and counted, not yet resolved.

Readers call :meth:`PaperRecords.add` once per tweet record they find; every record ends up either
kept or counted in ``skipped`` under a reason, so nothing is lost silently.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import numpy as np

from cascade.errors import InputError
from cascade.model import NAT

__all__ = [
    "NO_PAPER",
    "InputError",
    "PaperRecords",
    "as_object",
    "parse_followers",
    "parse_followers_many",
    "parse_time",
    "parse_times",
    "place_by_parents",
]

#: Skip reason of a record that belongs to no paper (no link of its own, no parent in a paper).
NO_PAPER = "no paper"


_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9}
_NUMBER = re.compile(r"^([0-9]*\.?[0-9]+)\s*([kmb]?)$", re.IGNORECASE)


def as_object(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object (a dict), else an empty one.

    Examples
    --------
    >>> as_object({"id": 1}), as_object(None), as_object([1])
    ({'id': 1}, {}, {})
    """
    return value if isinstance(value, dict) else {}


def parse_followers(value: Any) -> float:
    """Follower count from ints, ``"11,314"``, ``"1.2K"`` or ``"3M"``; NaN if missing or unreadable.

    Missing is NaN, never 0: a user with 0 followers and a user whose count is unknown differ.

    Examples
    --------
    >>> parse_followers("11,314"), parse_followers("1.2K"), parse_followers(7)
    (11314.0, 1200.0, 7.0)
    >>> parse_followers("")
    nan
    """
    if isinstance(value, bool) or value is None:
        return math.nan
    if isinstance(value, (int, float)):
        return float(value) if value >= 0 and math.isfinite(value) else math.nan
    if not isinstance(value, str):
        return math.nan
    s = value.replace(",", "").replace("\u202f", "").replace(" ", "")
    try:
        number = float(s)
    except ValueError:
        m = _NUMBER.match(s)
        if not m:
            return math.nan
        number = float(m.group(1)) * _SUFFIX.get(m.group(2).lower(), 1.0)
    return float(round(number)) if number >= 0 and math.isfinite(number) else math.nan


def parse_time(value: Any) -> int | None:
    """UTC time as integer seconds since the epoch, or None when missing or unreadable.

    Accepts ``"YYYY-MM-DD HH:MM:SS"`` (taken as UTC), ISO-8601 with ``Z`` or an offset,
    Twitter v1.1's ``"Thu Dec 03 14:19:01 +0000 2015"``, and epoch seconds or milliseconds.

    Examples
    --------
    >>> parse_time("1970-01-02 00:00:00"), parse_time("1970-01-01T01:00:00+01:00")
    (86400, 0)
    >>> parse_time("Thu Jan 01 00:01:00 +0000 1970")
    60
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            return None
        # Epoch milliseconds are > 1e11 for every date after 1973.
        seconds = int(value // 1000 if value > 1e11 else value)
        return seconds if seconds <= 253402300799 else None  # after 9999-12-31: unreadable
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            t = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    try:
        return int(t.timestamp())
    except (OverflowError, OSError, ValueError):
        return None


def parse_followers_many(values: list[Any]) -> list[float]:
    """:func:`parse_followers` over a list; in one pass for ``"11,314"``-style strings, ints and
    missing values, value by value if any other form is there."""
    nan = math.nan
    try:
        numbers = np.array(
            [
                nan if v is None or v == "" else float(v) if v.__class__ is int
                else float(v.replace(",", ""))
                for v in values
            ],
            dtype=np.float64,
        )  # fmt: skip
    except (AttributeError, ValueError, OverflowError):  # "1.2K", floats, ...
        return [parse_followers(v) for v in values]
    return np.where((numbers >= 0) & (numbers < math.inf), np.round(numbers), nan).tolist()


def parse_times(values: list[Any]) -> np.ndarray:
    """:func:`parse_time` over a list: int64 epoch seconds, int64's minimum where unreadable.

    ISO-8601 strings (the common case) are parsed by numpy in one call; anything else falls back
    to :func:`parse_time` value by value.
    """
    if set(map(type, values)) == {str} and all(values):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # numpy warns that it folds UTC offsets in
                return np.array(values, dtype="datetime64[s]").view(np.int64)
        except ValueError:
            pass
    parsed = (parse_time(v) for v in values)
    return np.fromiter((NAT if t is None else t for t in parsed), np.int64, len(values))


@dataclass
class PaperRecords:
    """One paper's tweet records as read, in input order, plus the accounting of what was skipped.

    Columns are plain lists of equal length; :func:`cascade.resolve.resolve` turns them into a
    :class:`cascade.model.Paper`.

    Attributes
    ----------
    citation_id : str
        The paper's id in the source.
    source : str
        The file it came from.
    attrs : dict
        Paper attributes the source gives (``doi``, ``title``, ...).
    records : int
        Tweet records in the input (kept + skipped); tweets known only from inside another
        record (``embedded``) are not records.
    skipped : Counter
        Reason -> number of records left out.
    duplicates : int
        Records whose tweet id was already seen for this paper (also in ``skipped``).
    embedded : int
        Tweets known only from inside another record that filled in a cascade root.
    placeholders : dict
        Tweets known to exist but not in the data: id -> ``(author, text, kind, parent_id)``
        (a Crossref retweet's original, whose author is known; the placeholders of an exported
        table read back). They are not records; :func:`cascade.resolve.resolve` uses one when a
        tweet's exact parent is absent from the data, and keeps those nobody refers to.
    same_text : bool
        The source stores a native retweet with the original's text and no credit (the Altmetric
        API): resolution may then link a tweet to the earliest tweet by another user with the
        same text (resolution ``same_text``). Readers of such sources set it.
    across : dict
        What the reader knows of its file for matching records across the files of a run
        (:mod:`cascade.io.across`): ids as other records refer to them, undated reposts. Shared
        by the papers of one file; not part of the records.
    """

    citation_id: str
    source: str
    attrs: dict[str, Any] = field(default_factory=dict)
    id: list[str] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    time: list[int] = field(default_factory=list)
    followers: list[float] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    ref_id: list[str | None] = field(default_factory=list)
    ref_kind: list[str | None] = field(default_factory=list)
    credited: list[tuple[str, ...] | None] = field(default_factory=list)
    records: int = 0
    skipped: Counter = field(default_factory=Counter)
    duplicates: int = 0
    embedded: int = 0
    placeholders: dict[str, tuple[str, str, str, str | None]] = field(default_factory=dict)
    same_text: bool = False
    across: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.id)

    def skip(self, reason: str, n: int = 1) -> None:
        """Count ``n`` input records left out, under ``reason``."""
        self.records += n
        self.skipped[reason] += n

    def add(
        self,
        tweet_id: Any,
        author: Any,
        time: int | None,
        followers: float = math.nan,
        text: Any = "",
        *,
        ref_id: Any = None,
        ref_kind: str | None = None,
        credited: tuple[str, ...] | None = None,
        embedded: bool = False,
    ) -> bool:
        """Keep one tweet record, or count it as skipped; return whether it was kept.

        Parameters
        ----------
        tweet_id : str or int
            The tweet id (kept as a string).
        author : str
            Handle, with or without ``@``.
        time : int or None
            UTC epoch seconds (see :func:`parse_time`); None skips the record.
        followers : float
            Follower count, NaN when unknown.
        text : str
            Tweet text.
        ref_id, ref_kind : optional
            Exact parent given by the source (``retweet``, ``quote`` or ``reply``).
        credited : tuple of str, optional
            Handles the source credits as retweet hops, nearest first; None means "read them
            from the text".
        embedded : bool
            The tweet is known only from inside another record (an original carried by a
            retweet). It is not counted as a record; if its id is already kept it is ignored, and
            if a later record has its id, the record replaces it.
        """
        if not embedded:
            self.records += 1
        if isinstance(tweet_id, int) and not isinstance(tweet_id, bool):
            tweet_id = str(tweet_id)
        if not isinstance(tweet_id, str) or not tweet_id.strip():
            return self._reject("no tweet id", embedded)
        tweet_id = tweet_id.strip()
        handle = author.strip().lstrip("@").strip() if isinstance(author, str) else ""
        if not handle:
            return self._reject("no author", embedded)
        if time is None:
            return self._reject("no time", embedded)
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        at = self._index.get(tweet_id)
        if at is not None:
            if embedded:
                return False
            if at < 0:  # an embedded copy stands here: the record itself is better data
                at = -at - 1
                self.embedded -= 1
                self._index[tweet_id] = at
                self._set(at, handle, time, followers, text, ref_id, ref_kind, credited)
                return True
            self.duplicates += 1
            self.skipped["duplicate id"] += 1
            return False
        self._index[tweet_id] = -len(self.id) - 1 if embedded else len(self.id)
        self.embedded += embedded
        self.id.append(tweet_id)
        self.author.append(handle)
        self.time.append(time)
        self.followers.append(followers)
        self.text.append(text)
        self.ref_id.append(None if ref_id is None else str(ref_id))
        self.ref_kind.append(ref_kind)
        self.credited.append(credited)
        return True

    def add_placeholder(
        self,
        tweet_id: str,
        author: str,
        text: str = "",
        kind: str = "original",
        parent_id: str | None = None,
    ) -> None:
        """Declare a tweet known to exist but absent from the data (not a record; first wins)."""
        self.placeholders.setdefault(str(tweet_id), (author, text, kind, parent_id))

    def extend(
        self,
        ids: list[Any],
        authors: list[Any],
        times: np.ndarray,
        followers: list[float],
        texts: list[Any],
    ) -> None:
        """Keep many records without source-given parents at once, as :meth:`add` does one by one.

        ``times`` are epoch seconds from :func:`parse_times` (int64 minimum = unreadable).
        """
        if not self._index:
            handles = _plain_handles(authors)
            plain = handles is not None and _plain_ids(ids)
            index = dict(zip(ids, range(len(ids)))) if plain else {}
            if (
                plain
                and handles is not None  # implied by plain; for the type checker
                and len(index) == len(ids)
                and not (times == NAT).any()
                and set(map(type, texts)) <= {str}
            ):
                # Every record is usable as it is: keep the columns.
                n = len(ids)
                self.records += n
                self.id, self.author, self.time = list(ids), handles, times.tolist()
                self.followers, self.text = list(followers), list(texts)
                self.ref_id, self.ref_kind, self.credited = [None] * n, [None] * n, [None] * n
                self._index = index
                return
        if self._index or len(set(ids)) != len(ids) or not all(i.__class__ is str for i in ids):
            for args in zip(ids, authors, times.tolist(), followers, texts):
                self.add(*args[:2], None if args[2] == NAT else args[2], *args[3:])
            return
        handles = [a.strip().lstrip("@").strip() if a.__class__ is str else "" for a in authors]
        keep = [bool(h) and bool(i.strip()) for h, i in zip(handles, ids)]
        timed = (times != NAT).tolist()
        self.records += len(ids)
        for reason, bad in (
            ("no tweet id", sum(not i.strip() for i in ids)),
            ("no author", sum(bool(i.strip()) and not h for h, i in zip(handles, ids))),
            ("no time", sum(k and not t for k, t in zip(keep, timed))),
        ):
            if bad:
                self.skipped[reason] += bad
        rows = [j for j, (k, t) in enumerate(zip(keep, timed)) if k and t]
        start = len(self.id)
        self.id.extend(ids[j].strip() for j in rows)
        self.author.extend(handles[j] for j in rows)
        self.time.extend(times[rows].tolist())
        self.followers.extend(followers[j] for j in rows)
        self.text.extend(
            t if t.__class__ is str else "" if t is None else str(t)
            for t in (texts[j] for j in rows)
        )
        self.ref_id.extend([None] * len(rows))
        self.ref_kind.extend([None] * len(rows))
        self.credited.extend([None] * len(rows))
        self._index.update(zip(self.id[start:], range(start, len(self.id))))

    def _set(
        self,
        i: int,
        handle: str,
        time: int,
        followers: float,
        text: str,
        ref_id: Any,
        ref_kind: str | None,
        credited: tuple[str, ...] | None,
    ) -> None:
        self.author[i], self.time[i], self.followers[i], self.text[i] = (
            handle,
            time,
            followers,
            text,
        )
        self.ref_id[i] = None if ref_id is None else str(ref_id)
        self.ref_kind[i], self.credited[i] = ref_kind, credited

    def _reject(self, reason: str, embedded: bool) -> bool:
        if not embedded:
            self.skipped[reason] += 1
        return False

    @property
    def used(self) -> int:
        """Records kept."""
        return self.records - sum(self.skipped.values())


def _plain_ids(ids: list[Any]) -> bool:
    """Whether every id is a non-empty string without surrounding white space."""
    try:
        joined = "".join(ids)
    except TypeError:  # not all strings
        return False
    if all(ids) and joined.isdigit():  # the usual tweet ids, checked in C
        return True
    return all(i and i == i.strip() for i in ids)


def _plain_handles(authors: list[Any]) -> list[str] | None:
    """The handles of ``"@handle"`` authors (one ``@``, no white space), or None if any differs."""
    try:
        joined = "\n" + "\n".join(authors)
    except TypeError:
        return None
    # Splitting at white space gives the authors back only if none is empty or has white space.
    if (
        joined.split() != authors
        or joined.count("\n@") != len(authors)
        or "\n@@" in joined
        or "\n@\n" in joined + "\n"
    ):
        return None
    return [a[1:] for a in authors]


def place_by_parents(
    papers: list[PaperRecords], pending: list[PaperRecords]
) -> tuple[Counter, list[int]]:
    """Put every record in the papers of its exact parent, transitively (in place).

    A reply, retweet or quote belongs to every paper its parent belongs to, so papers found from
    the links in the text keep whole cascades: a reply without the DOI stays in its thread's
    paper. Declared placeholders (a missing hop of a chain) pass papers on as records do.

    Parameters
    ----------
    papers : list of PaperRecords
        Papers with an id; records and placeholders are copied into them.
    pending : list of PaperRecords
        Records placed in no paper yet (a reader's ``citation_id == ""`` records, holding the
        rows that name an exact parent). They are left as they are; the caller counts the rows
        placed nowhere as skipped (:data:`NO_PAPER`).

    Returns
    -------
    extra : Counter
        Records added, by source file (the first file of a merged paper): each copy of a record
        into one more paper; a pending row placed in ``k`` papers adds ``k - 1``.
    unplaced : list of int
        For each pending entry, how many of its records went into no paper.

    Examples
    --------
    >>> a = PaperRecords("10.1/x", "f.json")
    >>> _ = a.add("1", "ann", 0, text="see 10.1/x")
    >>> wait = PaperRecords("", "f.json")
    >>> _ = wait.add("2", "bob", 5, text="agreed", ref_id="1", ref_kind="reply")
    >>> _ = wait.add("3", "cy", 6, text="nothing", ref_id="99", ref_kind="reply")
    >>> place_by_parents([a], [wait])
    (Counter({'f.json': 0}), [1])
    >>> a.id
    ['1', '2']
    """
    where: dict[str, tuple[PaperRecords, int]] = {}  # child id -> a row of it, a record first
    declared: dict[str, PaperRecords] = {}  # placeholder id -> who declared it
    children: dict[str, list[str]] = {}
    for r in (*papers, *pending):
        index = r._index
        for tid, ref in zip(r.id, r.ref_id):
            if ref is None:
                continue
            at = index[tid]
            if tid not in where:
                children.setdefault(ref, []).append(tid)
                where[tid] = (r, at)
            elif at >= 0 and where[tid][1] < 0:
                where[tid] = (r, at)
        for tid, (_, _, _, parent) in r.placeholders.items():
            if tid not in declared:
                declared[tid] = r
                if parent is not None:
                    children.setdefault(str(parent), []).append(tid)
    waiting = {id(r): i for i, r in enumerate(pending)}
    copies: list[Counter[int]] = [Counter() for _ in pending]  # row -> papers it went into
    extra: Counter = Counter()
    if not children:
        return extra, [len(r) - r.embedded for r in pending]
    for paper in papers:
        # From the paper's own posts only: a placeholder declared as the parent of one of them
        # (a tweet replied to) is no evidence that its other children belong to the paper.
        stack = sorted(children.keys() & paper._index.keys(), reverse=True)  # a set: sorted
        visited: set[str] = set()
        while stack:
            tid = stack.pop()
            if tid in visited:
                continue
            visited.add(tid)
            for child in children.get(tid, ()):
                if child in visited:
                    continue
                if child in paper._index:
                    pass
                elif child in where:
                    src, at = where[child]
                    j = at if at >= 0 else -at - 1
                    paper.add(
                        child, src.author[j], src.time[j], src.followers[j], src.text[j],
                        ref_id=src.ref_id[j], ref_kind=src.ref_kind[j],
                        credited=src.credited[j], embedded=at < 0,
                    )  # fmt: skip
                    if at >= 0:
                        k = waiting.get(id(src))
                        if k is None:
                            extra[src.source.split("; ")[0]] += 1
                        else:
                            copies[k][j] += 1
                elif child not in paper.placeholders:
                    paper.placeholders[child] = declared[child].placeholders[child]
                stack.append(child)
    unplaced = []
    for r, placed in zip(pending, copies):
        extra[r.source.split("; ")[0]] += sum(placed.values()) - len(placed)
        unplaced.append(sum(at >= 0 for at in r._index.values()) - len(placed))
    return extra, unplaced
