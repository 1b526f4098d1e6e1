"""The rules that flag automated accounts, stated once (:func:`cascade.automated_suspects`,
the rankings' ``automated_suspect`` and ``suspect_reason`` columns, the graph pages' suspect
colouring).

Three rules, each from the data alone: the same text posted at least :data:`REPEATS` times
about one paper (retweets not counted); a feed-like handle (:data:`FEED_HANDLE`); regular
posting (at least :data:`REGULAR_MIN_TWEETS` dated tweets whose gaps vary by less than
:data:`REGULAR_CV`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from cascade.model import Batch, Paper, lexsort_whole

__all__ = ["FEED_HANDLE", "REGULAR_CV", "REGULAR_MIN_TWEETS", "REPEATS", "feed_like", "reasons",
           "repeats"]  # fmt: skip

#: Handles that read like feeds: ``bot`` as a word or a suffix (``brundagebot``, ``arxiv_cs_bot``;
#: not the surnames ``abbot(t)``, ``talbot``, ``cabot``), ``arxiv``, ``rss`` or ``feed`` as a word,
#: ``papers`` / ``journal`` / ``_news`` as a suffix, an arXiv category as a suffix (``_cscl``,
#: ``_statml``). Matched on the lower-case handle; a handle alone flags an account, so the rule
#: stays narrow (``journalist_jane``, ``robotics_lab``, ``newsome`` pass).
FEED_HANDLE = re.compile(
    r"(?<!tal)(?<!ab)(?<!ca)bots?\d*$|(?:^|_)bots?(?:_|\d|$)|arxiv"
    r"|(?:^|_)(?:rss|feeds?)(?:_|\d|$)|(?:rss|feeds?)$"
    r"|(?:papers|journal|_news)$|_(?:cs|stat|math|physics|econ|qbio|astro)_?[a-z]{2}$"
)
#: The same (URL-normalised) text posted at least this many times about one paper.
REPEATS = 3
#: At least this many dated tweets with gaps whose coefficient of variation is below ``REGULAR_CV``.
REGULAR_MIN_TWEETS = 8
REGULAR_CV = 0.1
_URL = r"https?://\S+"


def repeats(b: Batch, uid: np.ndarray, n: int, papers: list[Paper]) -> list[tuple[int, int, int]]:
    """Every user's most repeated text about one paper, when posted at least :data:`REPEATS`
    times (retweets not counted); of equal counts, the first paper's.

    Parameters
    ----------
    b : Batch
        The papers stacked (:func:`cascade.model.stack`).
    uid : ndarray of int
        The user of every tweet, numbered ``0 .. n - 1`` across the papers.
    n : int
        Users.
    papers : list of Paper
        The stacked papers (their texts).

    Returns
    -------
    list of (user, paper, count)
        Papers by their index in ``papers``.

    Examples
    --------
    >>> import cascade
    >>> from cascade.model import stack
    >>> papers = list(cascade.read("examples/data"))
    >>> b = stack(papers)
    >>> uid, keys, _ = b.merged_users()
    >>> [(str(keys[u]), p, k) for u, p, k in repeats(b, uid[b.user], len(keys), papers)]
    [('arxiv_cscl', 0, 16)]
    """
    posted = np.flatnonzero(~b.placeholder & ~b.retweet)
    # Only (paper, user) pairs with enough posts can repeat a text: normalise just their texts.
    pair = b.paper[posted] * n + uid[posted]
    _, inverse, count = np.unique(pair, return_inverse=True, return_counts=True)
    posted = posted[count[inverse] >= REPEATS]
    if not posted.size:
        return []
    text = np.concatenate([p.text for p in papers])[posted]
    norm = pd.Series(text, dtype=object).str.replace(_URL, "<url>", regex=True)
    norm = norm.str.lower().str.split().str.join(" ")
    codes = pd.factorize(norm)[0]
    said = (norm != "").to_numpy()  # no text (some sources give none) repeats nothing
    u, p, t = uid[posted][said], b.paper[posted][said], codes[said]
    if not u.size:
        return []
    # Count each (user, paper, text) in one sort; keep the counts of at least REPEATS.
    order = lexsort_whole((t, p, u))
    u, p, t = u[order], p[order], t[order]
    start = np.flatnonzero(np.r_[True, (u[1:] != u[:-1]) | (p[1:] != p[:-1]) | (t[1:] != t[:-1])])
    k = np.diff(np.r_[start, u.size])
    u, p, k = u[start][k >= REPEATS], p[start][k >= REPEATS], k[k >= REPEATS]
    # Per user, the highest count; of equal counts, the first paper's.
    pick = lexsort_whole((p, -k, u))
    pick = pick[np.r_[True, u[pick][1:] != u[pick][:-1]]] if pick.size else pick
    return list(zip(u[pick].tolist(), p[pick].tolist(), k[pick].tolist(), strict=True))


def reasons(
    keys: np.ndarray,
    repeated: Iterable[tuple[int, int, str]],
    dated_uid: np.ndarray,
    dated_time: np.ndarray,
) -> np.ndarray:
    """Every user's suspect reasons, the three rules in order.

    Parameters
    ----------
    keys : ndarray of str
        Lower-case handle of every user.
    repeated : iterable of (user, count, citation id)
        Each user's most repeated text (from :func:`repeats`).
    dated_uid, dated_time : ndarray of int
        User and time (epoch seconds) of every dated tweet.

    Returns
    -------
    ndarray of str (object)
        Per user, the reasons ``"; "``-joined, ``""`` for none.

    Examples
    --------
    >>> keys = np.array(["newsbot", "jane"], dtype=object)
    >>> hourly = np.arange(8) * 3600
    >>> for reason in reasons(keys, [(1, 4, "p1")], np.zeros(8, dtype=np.int64), hourly):
    ...     print(reason)
    feed-like handle; regular posting: 8 tweets, gaps vary by 0%
    same text posted 4 times about paper p1
    """
    n = len(keys)
    found: dict[int, list[str]] = {}  # only the few flagged users get a list
    for u, k, cid in repeated:
        found.setdefault(u, []).append(f"same text posted {k} times about paper {cid}")

    for u in feed_like(keys).tolist():
        found.setdefault(u, []).append("feed-like handle")

    order = lexsort_whole((dated_time, dated_uid))
    uid, time = dated_uid[order], dated_time[order]
    same = uid[1:] == uid[:-1]
    gap_user = uid[1:][same]
    gap = np.diff(time)[same].astype(np.float64)
    m = np.bincount(gap_user, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(gap_user, weights=gap, minlength=n) / m
        var = np.bincount(gap_user, weights=gap**2, minlength=n) / m - mean**2
        cv = np.sqrt(np.maximum(var, 0.0)) / mean
    regular = (m + 1 >= REGULAR_MIN_TWEETS) & (mean > 0) & (cv < REGULAR_CV)
    for u in np.flatnonzero(regular).tolist():
        found.setdefault(u, []).append(
            f"regular posting: {m[u] + 1} tweets, gaps vary by {cv[u]:.0%}"
        )

    out = np.full(n, "", dtype=object)
    for u, r in found.items():
        out[u] = "; ".join(r)
    return out


# Every handle that FEED_HANDLE matches holds one of these (a screen run in C before the regex).
_FEED_SCREEN = "bot|arxiv|rss|feed|papers|journal|_news|_(?:cs|stat|math|physics|econ|qbio|astro)"


def feed_like(keys: np.ndarray) -> np.ndarray:
    """The users whose lower-case handle matches :data:`FEED_HANDLE`.

    Parameters
    ----------
    keys : ndarray of str (object)

    Returns
    -------
    ndarray of int
        Their indices, in order.

    Examples
    --------
    >>> feed_like(np.array(["arxiv_cscl", "talbot", "ml_papers"], dtype=object)).tolist()
    [0, 2]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        screened = pc.match_substring_regex(pa.array(keys, type=pa.string()), _FEED_SCREEN)
        maybe = np.flatnonzero(screened.to_numpy(zero_copy_only=False))
    except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate: no UTF-8 form
        maybe = np.arange(len(keys))
    return maybe[[bool(FEED_HANDLE.search(k)) for k in keys[maybe].tolist()]]
