"""Who each text credits, for a whole batch at once: the credit patterns in RE2 (pyarrow).

Each distinct text is parsed once. The usual retweet prefixes (``RT @a: x``, ``RT @a: RT @b: x``)
and texts that can credit nobody are recognised in C; every other text goes through
:func:`cascade.text.credited_chain` (and :func:`cascade.text.other_credit`) in Python, so the
rules themselves are written once, in :mod:`cascade.text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain as concat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cascade import text as T
from cascade.io.records import PaperRecords
from cascade.resolve.rules import credit_chain, usable_hints

# Retweet prefixes in RE2. They are stricter than ``text._HOP``: where one matches,
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
# Texts that may hold a credit after a comment (``text.OTHER_HINT``, white space as Python's).
_MAY_OTHER = rf"(?:[Rr][Tt]|[Mm][Tt]|[Hh][Tt]|[Hh]/[Tt]|[Vv][Ii][Aa])[{_SPACE}:]*@"
# Bodies that may fold to nothing: white space and ellipses only (Python decides the rest).
MAY_BE_EMPTY = rf"^[{_SPACE}\x{{2026}}]*$"


def bools(arr: pa.Array) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def lower(arr: pa.Array) -> pa.Array:
    """``str.lower`` of each string; in C where the string is ASCII."""
    other = pc.invert(pc.string_is_ascii(arr))
    out = pc.ascii_lower(arr)
    if pc.any(other).as_py():
        lowered = [v.lower() for v in pc.filter(arr, other).to_pylist()]
        out = pc.replace_with_mask(out, other, pa.array(lowered, pa.string()))
    return out


@dataclass
class Hops:
    """Credited hops, one row per (tweet, hop), tweet by tweet and nearest hop first."""

    tweet: np.ndarray  # int64: the crediting tweet (a text, or a record)
    depth: np.ndarray  # int64: 0 for the nearest hop
    handle: pa.Array  # the credited handle, as written

    def take(self, rows: np.ndarray) -> Hops:
        return Hops(self.tweet[rows], self.depth[rows], pc.take(self.handle, rows))


def _depths(tweet: np.ndarray) -> np.ndarray:
    """Rank of each hop row within its tweet (rows sorted by tweet)."""
    start = np.flatnonzero(np.append(True, tweet[1:] != tweet[:-1])) if tweet.size else tweet
    return np.arange(tweet.size) - np.repeat(start, np.diff(np.append(start, tweet.size)))


@dataclass
class TextCredits:
    """What each distinct text credits: its chain (``hops``, by text) and ``bodies``, and for
    texts that credit nobody so, a credit after a comment (``other_*``, by text)."""

    hops: Hops
    bodies: pa.Array
    other_text: np.ndarray  # int64: texts with a credit after a comment
    other_rule: list[str]
    other_handle: list[str]
    other_body: list[str]


def text_credits(texts: pa.Array) -> TextCredits:
    """Who each text credits (see :class:`TextCredits`).

    Examples
    --------
    >>> import pyarrow as pa
    >>> c = text_credits(pa.array(["RT @a: x", "plain", "Ha RT @b: y"]))
    >>> c.hops.tweet.tolist(), c.hops.handle.to_pylist(), c.bodies.to_pylist()
    ([0], ['a'], ['x', 'plain', 'Ha RT @b: y'])
    >>> c.other_text.tolist(), c.other_rule, c.other_handle, c.other_body
    ([2], ['mid_text'], ['b'], ['y'])
    """
    n = len(texts)
    # "@" among the last 24 characters: a "via @x" credit is possible.
    ending_at = bools(pc.match_substring_regex(texts, r"(?s)@.{0,23}$"))
    one, two = pc.extract_regex(texts, _ONE_HOP), pc.extract_regex(texts, _TWO_HOPS)
    is_one = bools(one.is_valid()) & ~ending_at
    is_two = bools(two.is_valid()) & ~ending_at
    if is_two.any():  # "RT @a: RT @A: x" is one hop: leave it to Python
        pairs = pc.take(two, np.flatnonzero(is_two))
        is_two[np.flatnonzero(is_two)] = ~bools(
            pc.equal(lower(pairs.field("a")), lower(pairs.field("b")))
        )
    nobody = ~(ending_at | bools(pc.match_substring_regex(texts, f"{_MAY_HOP}|{_MAY_OTHER}")))
    slow = np.flatnonzero(~(is_one | is_two | nobody))

    rows_one, rows_two = np.flatnonzero(is_one), np.flatnonzero(is_two)
    tweets = [rows_one, np.repeat(rows_two, 2)]
    pairs = pc.take(two, rows_two)
    handles = [
        pc.take(one, rows_one).field("a"),
        # a, b of each tweet in turn
        pc.take(
            pa.concat_arrays([pairs.field("a"), pairs.field("b")]),
            np.arange(2 * rows_two.size).reshape(2, -1).T.ravel(),
        ),
    ]
    slow_bodies: list[str | None] = [None] * n
    slow_tweet: list[int] = []
    slow_handle: list[str] = []
    other_text, other_rule, other_handle, other_body = [], [], [], []
    for i, text in zip(slow.tolist(), pc.take(texts, slow).to_pylist()):
        chain, slow_bodies[i] = T.credited_chain(text)
        slow_tweet += [i] * len(chain)
        slow_handle += chain
        if not chain and (other := T.other_credit(text)) is not None:
            other_text.append(i)
            other_rule.append(other[0])
            other_handle.append(other[1])
            other_body.append(other[2])
    tweets.append(np.array(slow_tweet, dtype=np.int64))
    handles.append(pa.array(slow_handle, pa.string()))
    tweet = np.concatenate(tweets)
    by_tweet = np.argsort(tweet, kind="stable")
    tweet, handle = tweet[by_tweet], pc.take(pa.concat_arrays(handles), by_tweet)

    bodies = pc.replace_substring_regex(texts, _PREFIX, "", max_replacements=1)
    if slow.size:
        bodies = pc.coalesce(pa.array(slow_bodies, pa.string()), bodies)
    return TextCredits(
        Hops(tweet, _depths(tweet), handle),
        bodies,
        np.array(other_text, dtype=np.int64),
        other_rule,
        other_handle,
        other_body,
    )


def for_rows(hops: Hops, code: np.ndarray) -> Hops:
    """Hop rows of distinct texts, repeated for the rows with each text (``code[i]`` is row i's
    text)."""
    count = np.bincount(hops.tweet, minlength=code.size and int(code.max()) + 1)
    per_row = count[code]
    start = np.cumsum(count) - count
    row = np.repeat(np.arange(code.size), per_row)
    within = np.arange(row.size) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    entry = start[code][row] + within
    return Hops(row, hops.depth[entry], pc.take(hops.handle, entry))


@dataclass
class Credits:
    """Who every record of a batch credits.

    ``hops`` are the hops of each record, nearest first: from its text and the source's hints
    (:func:`~cascade.resolve.rules.credit_chain`), else its credit after a comment (then
    ``rule[i]`` names it: ``mid_text``, ``hat_tip``, ``via``; "" otherwise). Record i's body is
    ``bodies[body_code[i]]`` (equal bodies have equal codes); it looks for its parent with the body
    ``bodies[query_code[i]]``, which differs for a credit after a comment.
    """

    hops: Hops
    rule: np.ndarray
    bodies: pa.Array
    body_code: np.ndarray
    query_code: np.ndarray


def row_credits(batch: list[PaperRecords], texts: pa.DictionaryArray, keys: pa.Array) -> Credits:
    """:class:`Credits` of the records of ``batch`` (``texts``, ``keys``: their texts and
    lower-case authors, concatenated)."""
    text_code = texts.indices.to_numpy()
    n = text_code.size
    parsed = text_credits(texts.dictionary)
    hops = for_rows(parsed.hops, text_code)
    has_chain = np.bincount(hops.tweet, minlength=n) > 0
    # Credits after a comment, for records whose text credits nobody before.
    uses = np.zeros(len(texts.dictionary), dtype=bool)
    uses[parsed.other_text] = True
    slot = np.full(len(texts.dictionary), -1)
    slot[parsed.other_text] = np.arange(parsed.other_text.size)
    rows = np.flatnonzero(uses[text_code])
    other_slot = slot[text_code[rows]]
    other_handle = pa.array(parsed.other_handle, pa.string())
    own = bools(pc.equal(lower(pc.take(other_handle, other_slot)), pc.take(keys, rows)))
    rows, other_slot = rows[~own], other_slot[~own]  # a credit of oneself credits nobody
    rule = np.full(n, "", dtype=object)
    hints: list = []
    if any(r.credited.count(None) != len(r.credited) for r in batch):
        hints = [usable_hints(h) for h in concat.from_iterable(r.credited for r in batch)]
    hinted = np.array([h is not None for h in hints], dtype=bool)
    if hinted.any():
        # Hints change the chain of the records they name: rebuild those, hop by hop.
        rows, other_slot = rows[~hinted[rows]], other_slot[~hinted[rows]]
        mine = np.flatnonzero(hinted)
        theirs = np.flatnonzero(hinted[hops.tweet])
        handles = pc.take(hops.handle, theirs).to_pylist()
        start = np.searchsorted(hops.tweet[theirs], mine).tolist()
        ends = np.searchsorted(hops.tweet[theirs], mine, side="right").tolist()
        new_tweet: list[int] = []
        new_handle: list[str] = []
        for i, a, b in zip(mine.tolist(), start, ends):
            chain = credit_chain(tuple(handles[a:b]), hints[i])
            new_tweet += [i] * len(chain)
            new_handle += chain
        keep = np.flatnonzero(~hinted[hops.tweet])
        tweet = np.concatenate([hops.tweet[keep], np.array(new_tweet, dtype=np.int64)])
        handle = pa.concat_arrays([pc.take(hops.handle, keep), pa.array(new_handle, pa.string())])
        by_tweet = np.argsort(tweet, kind="stable")
        tweet = tweet[by_tweet]
        hops = Hops(tweet, _depths(tweet), pc.take(handle, by_tweet))
        has_chain = np.bincount(hops.tweet, minlength=n) > 0
    keep = ~has_chain[rows]
    rows, other_slot = rows[keep], other_slot[keep]
    if rows.size:
        rule[rows] = np.array(parsed.other_rule, dtype=object)[other_slot]
        tweet = np.concatenate([hops.tweet, rows])
        handle = pa.concat_arrays([hops.handle, pc.take(other_handle, other_slot)])
        by_tweet = np.argsort(tweet, kind="stable")
        tweet = tweet[by_tweet]
        hops = Hops(tweet, _depths(tweet), pc.take(handle, by_tweet))
    m = len(parsed.bodies)
    every = parsed.bodies
    if parsed.other_body:
        every = pa.concat_arrays([every, pa.array(parsed.other_body, pa.string())])
    every = every.dictionary_encode()
    codes = every.indices.to_numpy().astype(np.int64)
    body_code = codes[:m][text_code]
    query_code = body_code.copy()
    query_code[rows] = codes[m:][other_slot]
    return Credits(hops, rule, every.dictionary, body_code, query_code)
