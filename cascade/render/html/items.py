"""The vis-network items of a written page, built from its columns as the page's script builds
them: the Python reference of the browser's builder (``tests/test_pages_items.py`` compares the
two item by item, tooltips included).

:func:`page_items` reads a page (the data block and the settings block), :func:`build_items`
turns decoded columns into the node and edge items, with tooltip text in the formats of
:mod:`cascade.render.html.tooltips`: counts with thousands separators, ``unknown`` for missing
values, times as ``YYYY-MM-DD HH:MM UTC``.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from datetime import datetime, timedelta, timezone
from typing import Any

_BLOCK = re.compile(r'<script type="application/x-cascade-data" id="cascade-data">([^<]*)</script>')
_SPEC = re.compile(r'<script type="application/json" id="cascade-page">(.*?)</script>', re.DOTALL)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
SMALL, LABEL, BIG, DIAMOND, PLACEHOLDER = 1, 2, 4, 8, 16


def decode(text: str) -> dict[str, Any]:
    """The columns of a data block: base64, then zlib, then JSON.

    Examples
    --------
    >>> decode("eAGrVqpQsjKsBQAInQIg")
    {'x': 1}
    """
    return json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8"))


def page_data(html: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The decoded data block and the settings block of a page.

    Examples
    --------
    >>> import igraph as ig
    >>> from cascade.render.html import to_html
    >>> g = ig.Graph(n=2, edges=[(0, 1)], directed=True)
    >>> g.vs["name"], g["level"] = ["ann", "bo"], "user"
    >>> data, spec = page_data(to_html(g))
    >>> data["handle"], data["id"], data["edges"]["from"], spec["edgeKind"]
    (['ann', 'bo'], [None, None], [0], 'retweet')
    """
    block = _BLOCK.search(html)
    spec = _SPEC.search(html)
    if block is None or spec is None:
        raise ValueError("not a cascade graph page: no data block")
    return decode(block.group(1)), json.loads(spec.group(1))


def page_items(html: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The node and edge items a page gives vis-network, as its script builds them.

    Examples
    --------
    >>> import igraph as ig
    >>> from cascade.render.html import to_html
    >>> g = ig.Graph(n=2, edges=[(0, 1)], directed=True)
    >>> g.vs["name"], g.vs["handle"], g["level"] = ["ann", "bo"], ["Ann", "bo"], "user"
    >>> nodes, edges = page_items(to_html(g))
    >>> nodes[0]["id"], nodes[0]["title"].split("\\n")[:2], edges[0]["title"]
    ('ann', ['@Ann', 'followers: unknown'], 'Ann → bo: 1 retweet')
    """
    data, spec = page_data(html)
    return build_items(data, spec)


def count(v: Any) -> str:
    """A stored tooltip number as shown: ``unknown``, the text itself, or the integer with
    thousands separators (:func:`cascade.render.html.tooltips.fmt_count`'s format).

    Examples
    --------
    >>> count(None), count("0.123"), count(-1234567)
    ('unknown', '0.123', '-1,234,567')
    """
    if v is None:
        return "unknown"
    if isinstance(v, str):
        return v
    return f"{int(v):,}"


def when(t: int | None) -> str:
    """Epoch seconds as ``YYYY-MM-DD HH:MM UTC`` (JavaScript's ``toISOString``), or unknown.

    Examples
    --------
    >>> when(1551359624), when(None)
    ('2019-02-28 13:13 UTC', 'unknown')
    """
    if t is None:
        return "unknown"
    d = _EPOCH + timedelta(seconds=t)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d} UTC"


def js_number(x: float) -> str:
    """A number as JavaScript's ``String(x)`` writes it (for the values a page holds).

    Examples
    --------
    >>> js_number(2.0), js_number(2.5), js_number(3)
    ('2', '2.5', '3')
    """
    if float(x).is_integer() and abs(x) < 1e21:
        return str(int(x))
    return repr(float(x))


def _user_tip(tips: dict[str, Any], i: int, handle: str, t: int | None) -> str:
    lines = [
        "@" + handle,
        "followers: " + count(tips["followers"][i]),
        "tweets: " + count(tips["tweets"][i]),
        "retweets received: " + count(tips["received"][i]),
        "first tweet: " + when(t),
    ]
    if tips["papers"][i] is not None:
        lines.append("papers: " + count(tips["papers"][i]))
    if tips["extra"] is not None:
        lines.append(tips["extra"][0] + ": " + count(tips["extra"][1][i]))
    top = tips["top"][i]
    if top is not None:
        if top < 0:
            lines.append("most-retweeted tweet:")
        elif top:
            lines.append(f"most-retweeted tweet ({top:,} retweets):")
        else:
            lines.append("tweet:")
    k = tips["text"][i]
    if k >= 0:
        lines.append(tips["texts"][k])
    return "\n".join(lines)


def _tweet_tip(tips: dict[str, Any], i: int, handle: str, t: int | None, flags: int) -> str:
    head = "@" + handle + " \u00b7 " + tips["kinds"][tips["kind"][i]]
    if flags & PLACEHOLDER:
        head += " (inferred, not in the data)"
    lines = [
        head,
        "time: " + when(t),
        "followers: " + count(tips["followers"][i]),
        "retweets: " + count(tips["received"][i]),
    ]
    if tips["extra"] is not None:
        lines.append(tips["extra"][0] + ": " + count(tips["extra"][1][i]))
    if tips["paper"][i] >= 0:
        lines.append("paper: " + tips["papers"][tips["paper"][i]])
    k = tips["text"][i]
    if k >= 0:
        lines.append(tips["texts"][k])
    return "\n".join(lines)


def _link(v: Any, base: str) -> Any:
    return [v, base] if isinstance(v, int) else v


def build_items(
    d: dict[str, Any], spec: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Node and edge items from decoded columns ``d`` and the settings block ``spec``."""
    special = {int(s[0]): s for s in d["special"]}
    tips = d["tips"]
    user = d["level"] == "user"
    nodes: list[dict[str, Any]] = []
    for i, handle in enumerate(d["handle"]):
        nid = d["id"][i] if d["id"][i] is not None else handle.lower()
        f = d["flags"][i]
        t = None if d["t"][i] is None else d["t0"] + d["t"][i]
        if i in special:
            title = special[i][1]
        elif user:
            title = _user_tip(tips, i, handle, t)
        else:
            title = _tweet_tip(tips, i, handle, t, f)
        n: dict[str, Any] = {
            "id": nid,
            "handle": handle,
            "title": title,
            "x": d["x"][i],
            "y": d["y"][i],
            "size": d["size"][i],
            "color": d["colors"][d["color"][i]],
            "c": d["c"][i],
        }
        if t is not None:
            n["t"] = t
        if f & SMALL:
            n["s"] = 1
        if f & LABEL:
            n["label"] = special[i][2] if i in special and special[i][2] is not None else handle
        if f & BIG:
            n["big"] = 1
        if d["post"][i] is not None:
            n["post"] = _link(d["post"][i], nid)
        if d["profile"][i] is not None:
            n["profile"] = _link(d["profile"][i], handle)
        if f & DIAMOND:
            n["shape"] = "diamond"
        nodes.append(n)
    e = d["edges"]
    edges: list[dict[str, Any]] = []
    for j, (a, b) in enumerate(zip(e["from"], e["to"], strict=True)):
        item: dict[str, Any] = {"id": j, "from": nodes[a]["id"], "to": nodes[b]["id"]}
        if e["w"][j] is not None:
            item["weight"] = e["w"][j]
            item["width"] = e["width"][j]
        if e["kind"][j] >= 0:
            item["kind"] = e["kinds"][e["kind"][j]]
        if e["t"][j] is not None:
            item["t"] = d["t0"] + e["t"][j]
        if e["paper"][j]:
            item["paper"] = True
            item["dashes"] = True
        else:
            w = item.get("weight") or 1
            kind = item.get("kind") or spec["edgeKind"]
            item["title"] = (
                f"{nodes[a]['handle']} \u2192 {nodes[b]['handle']}: {js_number(w)} {kind}"
                + ("" if w == 1 else "s")
            )
            if item.get("kind") and spec["kindColors"].get(item["kind"]):
                item["color"] = {"color": spec["kindColors"][item["kind"]], "opacity": 0.7}
        edges.append(item)
    return nodes, edges
