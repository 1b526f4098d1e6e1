"""Text matching for a whole batch: :func:`cascade.text.same_text` on many pairs of bodies, and
the ``same_text`` rule (the earliest tweet by another user with the same text)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cascade import text as T
from cascade.resolve.credits import bools

Fold = Callable[[str], tuple[str, bool]]


def same_texts(bodies: pa.Array, a: np.ndarray, b: np.ndarray, fold: Fold) -> np.ndarray:
    """:func:`cascade.text.same_text` of the normalised ``bodies[a[k]]`` and ``bodies[b[k]]``.

    Equal codes are equal bodies, and equal bodies are the same text.
    """
    a, b = a.astype(np.int64), b.astype(np.int64)  # pair codes exceed int32
    same = a == b
    rest = np.flatnonzero(~same)
    if rest.size:  # each pair of different bodies once
        m = len(bodies)
        pairs, inverse = np.unique(a[rest] * m + b[rest], return_inverse=True)
        x, y = pc.take(bodies, pairs // m), pc.take(bodies, pairs % m)
        same[rest] = _same_different(x, y, fold)[inverse]
    return same


def _same_different(x: pa.Array, y: pa.Array, fold: Fold) -> np.ndarray:
    """:func:`cascade.text.same_text` of the normalised ``x[k]`` and ``y[k]``, all different."""
    same = np.zeros(len(x), dtype=bool)
    # The usual difference: one text is the other cut short by "…", as written. Folding white
    # space and case maps a prefix to a prefix, so that needs no normalising.
    for u, v in ((x, y), (y, x)):
        cut = np.flatnonzero(~same & bools(pc.ends_with(v, T.ELLIPSIS)))
        core = pc.utf8_rtrim_whitespace(pc.utf8_rtrim(pc.take(v, cut), T.ELLIPSIS))
        # Python strips \x1c-\x1f as white space too: leave such texts to the exact test.
        plain = ~bools(pc.match_substring_regex(core, "[\x1c-\x1f]$"))
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
            out[rows] = bools(pc.equal(head, pc.take(prefixes, rows)))
    return out


def earliest_same_text(
    group: np.ndarray, author: np.ndarray, pos: np.ndarray, query: np.ndarray
) -> np.ndarray:
    """For each record, the earliest earlier record in its group by another author, or -1.

    Parameters
    ----------
    group : int64 array
        One code per (paper, folded text), -1 for records that take no part.
    author : int64 array
        One code per (paper, lower-case handle).
    pos : int64 array
        Place in the resolution order.
    query : bool array
        Records that look for such a parent.

    Examples
    --------
    >>> group, author = np.array([0, 0, 0, 1]), np.array([5, 5, 6, 7])
    >>> earliest_same_text(group, author, np.array([0, 1, 2, 3]), np.ones(4, bool)).tolist()
    [-1, -1, 0, -1]
    """
    parent = np.full(group.size, -1, dtype=np.int64)
    member = np.flatnonzero(group >= 0)
    if not member.size:
        return parent
    rows = member[np.lexsort((pos[member], group[member]))]
    sorted_group = group[rows]
    start = np.flatnonzero(np.append(True, sorted_group[1:] != sorted_group[:-1]))
    size = np.diff(np.append(start, sorted_group.size))
    first = rows[start]  # the earliest record of each group
    first_author = np.repeat(author[first], size)
    other = author[rows] != first_author
    # The earliest record of each group by another author than its earliest record's.
    second = np.full(start.size, -1, dtype=np.int64)
    which = np.repeat(np.arange(start.size), size)[other]
    at = np.flatnonzero(np.append(True, which[1:] != which[:-1])) if which.size else which
    second[which[at]] = rows[other][at]
    slot = np.repeat(np.arange(start.size), size)
    ask = query[rows]
    candidate = np.where(other, np.repeat(first, size), second[slot])
    ok = ask & (candidate >= 0)
    ok[ok] = pos[candidate[ok]] < pos[rows[ok]]
    parent[rows[ok]] = candidate[ok]
    return parent
