"""The page's node and edge data as columns: one array per field, repeated strings in tables.

A page stores no vis-network items and no tooltip text as such: :func:`node_columns` and
:func:`edge_columns` give one array per field (integer codes into shared tables for colours,
kinds, citation ids and tweet texts), the page's script builds the vis items and their tooltips
from them in the browser, and :mod:`cascade.render.html.items` is the same builder in Python
(the reference the browser tests compare the page's items with, tooltip by tooltip).
:func:`encode` writes the columns as JSON, compressed with zlib (level 1) and base64-encoded:
the browser inflates them with ``DecompressionStream`` (Chrome 80, Firefox 113, Safari 16.4).

Numbers shown in tooltips (followers, tweets, retweets, a measure) are columns of *shown
values*: ``None`` for unknown, an integer (shown with thousands separators), or, for anything
else (fractions, integers past 2**53), the text :func:`tooltips.fmt_count` gives. Times are
whole seconds after the page's ``t0``.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from cascade.render.html import tooltips
from cascade.render.html.inputs import first_use_codes

#: Common URL beginnings, stored once in the page: a link is ``[k, rest]`` for
#: ``URL_PREFIXES[k] + rest`` (10,000 profile links would otherwise repeat 200 kB of them).
URL_PREFIXES = (
    "https://twitter.com/i/web/status/",
    "https://twitter.com/",
    "https://bsky.app/profile/",
)

# Node flags, one integer per node.
SMALL, LABEL, BIG, DIAMOND, PLACEHOLDER = 1, 2, 4, 8, 16

_EXACT = 2.0**53


def short_url(url: str) -> list[Any] | str:
    """``[k, rest]`` when ``url`` starts with ``URL_PREFIXES[k]``, else the URL itself.

    Examples
    --------
    >>> short_url("https://twitter.com/ann"), short_url("https://x.org/1")
    ([1, 'ann'], 'https://x.org/1')
    """
    for k, prefix in enumerate(URL_PREFIXES):
        if url.startswith(prefix):
            return [k, url[len(prefix) :]]
    return url


def link_code(url: str | None, base: str) -> int | list[Any] | str | None:
    """A link as stored: ``k`` alone when it is ``URL_PREFIXES[k] + base`` (a tweet's id, a
    user's handle), else :func:`short_url`'s form; None for no link.

    Examples
    --------
    >>> link_code("https://twitter.com/ann", "ann"), link_code("https://twitter.com/bo", "ann")
    (1, [1, 'bo'])
    """
    if not url:
        return None
    short = short_url(url)
    if isinstance(short, list) and short[1] == base:
        return int(short[0])
    return short


def shown_numbers(values: Sequence[Any] | np.ndarray) -> list[int | str | None]:
    """Tooltip numbers as stored: None when unknown, whole numbers as integers, anything else
    as :func:`tooltips.fmt_count` writes it.

    Examples
    --------
    >>> shown_numbers([3.0, float("nan"), 0.12345, None, 2.0**60])
    [3, None, '0.123', None, '1,152,921,504,606,846,976']
    """
    try:
        x = np.asarray(values, dtype=float)  # None becomes NaN
    except (TypeError, ValueError):
        x = np.array([tooltips.number(v) for v in values], dtype=float)
    whole = np.isfinite(x) & (np.floor(x) == x) & (np.abs(x) < _EXACT)
    out = np.full(len(x), None, dtype=object)
    out[whole] = x[whole].astype(np.int64).tolist()  # -0.0 becomes 0
    for i in np.flatnonzero(~whole & ~np.isnan(x)).tolist():
        out[i] = tooltips.fmt_count(float(x[i]))
    return out.tolist()


class Strings:
    """A table of distinct strings in order of first use, and the codes into it."""

    def __init__(self) -> None:
        self.table: list[str] = []
        self._code: dict[str, int] = {}

    def code(self, s: str) -> int:
        c = self._code.get(s)
        if c is None:
            c = self._code[s] = len(self.table)
            self.table.append(s)
        return c


def encode(data: dict[str, Any]) -> str:
    """The columns as the page stores them: JSON (sorted keys), zlib level 1, base64.

    Examples
    --------
    >>> from cascade.render.html.items import decode
    >>> text = encode({"x": [1, 2], "s": "</script>"})
    >>> "<" in text, decode(text)
    (False, {'s': '</script>', 'x': [1, 2]})
    """
    from cascade.render.html.render import dumps

    raw = dumps(data).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 1)).decode("ascii")


def node_columns(
    *,
    level: str,
    ids: list[str],
    handles: list[str],
    x: list[int],
    y: list[int],
    sizes: list[int],
    colors: list[str],
    groups: list[int],
    times: list[int | None],
    flags: list[int],
    posts: list[int | list[Any] | str | None],
    profiles: list[int | list[Any] | str | None],
    tips: dict[str, Any],
    special: list[list[Any]],
) -> dict[str, Any]:
    """Every node field as a column (``tips``: the tooltip columns of the level, see
    :func:`user_tips` and :func:`tweet_tips`; ``special``: ``[index, title, label]`` of the
    nodes whose tooltip is written whole, papers)."""
    palette, color = first_use_codes(colors)
    known = [t for t in times if t is not None]
    t0 = min(known) if known else 0
    return {
        "level": level,
        "id": lowered_ids(ids, handles),
        "handle": handles,
        "x": x,
        "y": y,
        "size": sizes,
        "color": color,
        "colors": palette,
        "c": groups,
        "t0": t0,
        "t": [None if t is None else t - t0 for t in times],
        "flags": flags,
        "post": posts,
        "profile": profiles,
        "tips": tips,
        "special": special,
        "prefixes": list(URL_PREFIXES),
    }


def lowered_ids(ids: list[str], handles: list[str]) -> list[str | None]:
    """The id column: an id that is its ASCII handle in lower case is left out (None), as the
    page lowers the handle itself.

    Examples
    --------
    >>> lowered_ids(["ann", "bo", "\u00e9", "7"], ["Ann", "bo", "\u00c9", "cy"])
    [None, None, '\u00e9', '7']
    """
    if len(ids) != len(handles):
        raise ValueError("one handle per id")
    same = np.asarray(ids, dtype=object) == np.asarray(list(map(str.lower, handles)), dtype=object)
    if not "".join(handles).isascii():  # else every handle is
        same &= np.fromiter(map(str.isascii, handles), dtype=bool, count=len(handles))
    out = np.asarray(ids, dtype=object)
    out[same] = None
    return out.tolist()


def edge_columns(
    *,
    sources: list[int],
    targets: list[int],
    weights: list[float],
    wmax: float,
    kinds: list[str | None],
    times: list[int | None],
    paper: list[bool],
    t0: int,
) -> dict[str, Any]:
    """Every edge field as a column: ends as node indexes, the weight and width where the weight
    is not 1, the kind as a code (-1: none), the first retweet's time after ``t0``, the paper
    flag."""
    import math

    table = Strings()
    # Weights are mostly a few small counts: each distinct one is written once.
    shown: dict[float, tuple[int | float, int | float]] = {}
    for w in set(weights):
        if w != 1.0:
            width = round(1.0 + 4.0 * math.log(w) / math.log(wmax), 1) if wmax > 1 else 1
            shown[w] = (int(w) if float(w).is_integer() else round(w, 3), width)
    none = (None, None)
    pairs = [none if p else shown.get(w, none) for w, p in zip(weights, paper, strict=True)]
    kind = [-1] * len(kinds)  # the common case: no kinds to tell apart
    if not all_none(kinds):
        kind = [-1 if k is None else table.code(k) for k in kinds]
    return {
        "from": sources,
        "to": targets,
        "w": [w for w, _ in pairs],
        "width": [x for _, x in pairs],
        "kind": kind,
        "kinds": table.table,
        "t": [None if t is None else t - t0 for t in times],
        "paper": list(map(int, paper)),
    }


def all_none(values: list[Any]) -> bool:
    """Whether every value is None (``count`` runs in C).

    Examples
    --------
    >>> all_none([None, None]), all_none([None, 0])
    (True, False)
    """
    return values.count(None) == len(values)


def user_tips(
    vxs: dict[str, list[Any]],
    received: np.ndarray,
    extra: tuple[str, np.ndarray] | None,
    top: list[int | None],
    top_text: list[str | None],
) -> dict[str, Any]:
    """The columns of users' tooltips (see :func:`tooltips.user_title`, the format): followers,
    tweets, retweets received, papers (None: no line), a measure, the most-retweeted tweet's
    count (``top``, None: no tweet) and text (a code into ``texts``, -1 for none)."""
    papers = vxs.get("papers", [])
    shown_papers: list[int | str | None] = [None] * len(received)
    if papers:
        try:
            x = np.asarray(papers, dtype=float)  # None becomes NaN
        except (TypeError, ValueError):
            x = np.array([tooltips.number(p) for p in papers], dtype=float)
        shown_papers = shown_numbers(np.where(x > 1, x, np.nan))  # one paper: no line
    codes, texts = texts_table(top_text)
    return {
        "followers": shown_numbers(vxs["followers"]),
        "tweets": shown_numbers(vxs["tweets"]),
        "received": shown_numbers(received),
        "papers": shown_papers,
        "extra": None if extra is None else [extra[0], shown_numbers(extra[1])],
        "top": list(top),
        "text": codes,
        "texts": texts,
    }


def texts_table(texts: list[Any]) -> tuple[list[int], list[str]]:
    """Tooltip texts as codes into a table of the distinct :func:`tooltips.clean` texts in
    order of first use (-1: None, or nothing left to show); each distinct text cleaned once.

    Examples
    --------
    >>> texts_table(["b", None, "a\\x00", "b", "", "a "])
    ([0, -1, 1, 0, -1, 1], ['b', 'a '])
    """
    distinct = list(dict.fromkeys(texts))  # in order of first use (the table's order too)
    limit, clean = tooltips.TEXT_MAX, tooltips.clean
    table: dict[str, int] = {}
    code = []
    for t in distinct:
        if t is None:
            code.append(-1)
            continue
        # A printable, short text, the common case, is its own clean text.
        s = t if type(t) is str and len(t) <= limit and t.isprintable() else clean(t)
        code.append(table.setdefault(s, len(table)) if s else -1)
    return list(map(dict(zip(distinct, code, strict=True)).__getitem__, texts)), list(table)


def tweet_tips(
    vxs: dict[str, list[Any]],
    received: np.ndarray,
    extra: tuple[str, np.ndarray] | None,
) -> dict[str, Any]:
    """The columns of tweets' tooltips (see :func:`tooltips.tweet_title`, the format): kind (a
    code), followers, retweets, a measure, the paper (a code, -1 for none) and the text (a
    code, -1 for none)."""
    kinds, papers, texts = Strings(), Strings(), Strings()
    cleaned: dict[Any, str] = {}
    text_codes = []
    for t in vxs["text"]:
        key = t if isinstance(t, str) else repr(t)
        s = cleaned.get(key)
        if s is None:
            s = cleaned[key] = tooltips.clean(t)
        text_codes.append(texts.code(s) if s else -1)
    cids = vxs.get("citation_id") or [None] * len(received)
    return {
        "kind": [kinds.code(str(k or "tweet")) for k in vxs["kind"]],
        "kinds": kinds.table,
        "followers": shown_numbers(vxs["followers"]),
        "received": shown_numbers(received),
        "extra": None if extra is None else [extra[0], shown_numbers(extra[1])],
        "paper": [papers.code(tooltips.clean(c, 60)) if c else -1 for c in cids],
        "papers": papers.table,
        "text": text_codes,
        "texts": texts.table,
    }
