"""Tooltip text, and the links back to the source.

Tooltips are plain strings: vis-network shows them with ``innerText`` (``\\n`` becomes a line
break), so nothing here escapes HTML; the browser's text rendering makes the text inert, and an
entity such as ``&amp;`` in the data is shown as stored (decoding belongs to the readers), never
escaped a second time. Pages store the tooltips' parts as columns and the page's script joins
them (:mod:`cascade.render.html.items` in Python); :func:`user_title`, :func:`tweet_title`,
:func:`fmt_count` and :func:`fmt_time` are the formats it reproduces, and what the tests hold it
to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from cascade.render.html.inputs import as_datetime, number

TEXT_MAX = 280  # a tweet's length: enough for any tooltip text
TITLE_MAX = 200

# Control characters (but newline and tab), and bidirectional overrides, which could make a
# tooltip display text in an order other than the one stored ("Trojan source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BSKY_POST = re.compile(
    r"^at://(did:[a-z0-9]+:[A-Za-z0-9._:%-]+)/app\.bsky\.feed\.post/([A-Za-z0-9._~-]+)$"
)
_SAFE_URL = re.compile(r"^https://[A-Za-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$")
_TWITTER_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_FEDI_HANDLE = re.compile(r"^@?([A-Za-z0-9_.-]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})$")
_LOCAL_HANDLE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
_BSKY_HANDLE = re.compile(r"^(?:did:plc:[a-z0-9]+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")


def post_url(post_id: Any) -> str | None:
    """The web page of a post, from its id alone; None when the id allows none.

    Numeric ids are tweets, ``at://<did>/app.bsky.feed.post/<rkey>`` URIs Bluesky posts, and
    ``https://`` ids (Mastodon) their own page; placeholders and anything else get no link.

    Examples
    --------
    >>> post_url("1101102870303330305")
    'https://twitter.com/i/web/status/1101102870303330305'
    >>> post_url("at://did:plc:abc123/app.bsky.feed.post/3kq2")
    'https://bsky.app/profile/did:plc:abc123/post/3kq2'
    >>> post_url("https://mastodon.social/@ann/1123") is not None, post_url("placeholder:1")
    (True, None)
    >>> post_url("https://x.org/a b") is None  # not a plain URL: no link
    True
    """
    s = "" if post_id is None else str(post_id).strip()
    if s.isdigit() and s.isascii():
        return f"https://twitter.com/i/web/status/{s}"
    m = _BSKY_POST.match(s)
    if m:
        return f"https://bsky.app/profile/{m.group(1)}/post/{m.group(2)}"
    if _SAFE_URL.match(s):
        return s
    return None


def profile_url(handle: Any, post_id: Any = None) -> str | None:
    """The profile page of a handle; None when the handle allows none.

    ``user@host`` is a Mastodon account on its server. Otherwise one of the user's post ids,
    when given, says the network: an ``https://`` id (Mastodon) puts a local handle on that
    server, an ``at://`` id (Bluesky) on bsky.app, a numeric id (Twitter) on twitter.com.
    Without one, a did or domain handle is Bluesky's and a Twitter-shaped handle Twitter's.

    Examples
    --------
    >>> profile_url("byron_c_wallace"), profile_url("ann@mastodon.social")
    ('https://twitter.com/byron_c_wallace', 'https://mastodon.social/@ann')
    >>> profile_url("alice", "https://scholar.social/users/alice/statuses/1")
    'https://scholar.social/@alice'
    >>> profile_url("alice.bsky.social"), profile_url("<b>")
    ('https://bsky.app/profile/alice.bsky.social', None)
    """
    s = "" if handle is None else str(handle).strip()
    if s.startswith("@") and s.count("@") == 1:
        s = s[1:]
    m = _FEDI_HANDLE.match(s)
    if m:
        return f"https://{m.group(2)}/@{m.group(1)}"
    post = "" if post_id is None else str(post_id).strip()
    if post.startswith("https://") and _SAFE_URL.match(post) and _LOCAL_HANDLE.match(s):
        host = post[len("https://") :].split("/", 1)[0]
        return f"https://{host}/@{s}"
    if post.startswith("at://"):
        return f"https://bsky.app/profile/{s}" if _BSKY_HANDLE.match(s) else None
    if _TWITTER_HANDLE.match(s) and (not post or post.isdigit()):
        return f"https://twitter.com/{s}"
    if _BSKY_HANDLE.match(s) and not post:
        return f"https://bsky.app/profile/{s}"
    return None


def clean(text: Any, limit: int = TEXT_MAX) -> str:
    """Printable text for a tooltip: no control characters, no lone surrogates, bounded length.

    Examples
    --------
    >>> clean("a\\u202eb\\x00c"), clean("x" * 10, 5), clean(float("nan"))
    ('a b c', 'xxxx…', '')
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    s = str(text)
    # Printable text has no control character, bidirectional override or lone surrogate: the
    # common case, without the two passes below.
    if not s.isprintable():
        # Lone surrogates (from broken JSON escapes) cannot be encoded as UTF-8.
        s = s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        s = _CONTROL.sub(" ", s)
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"


def fmt_count(x: Any) -> str:
    """A count with thousands separators; three significant digits for fractions.

    Examples
    --------
    >>> fmt_count(1804), fmt_count(0.12345), fmt_count(None)
    ('1,804', '0.123', 'unknown')
    """
    value = number(x)
    if math.isnan(value):
        return "unknown"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def fmt_time(t: datetime | None) -> str:
    """ISO date and minute in UTC, or "unknown"."""
    return "unknown" if t is None else t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def top_tweets(papers: list[Any]) -> dict[str, tuple[int, str]]:
    """Each user's most-retweeted tweet (direct retweets; ties: the earlier) and its count."""
    from cascade.render.html.inputs import author_keys
    from cascade.render.html.lookups import top_tweet_rows

    key, _, keys = author_keys(papers, [])
    rows, counts, texts = top_tweet_rows(papers, key, len(keys))
    return {keys[c]: (int(counts[r]), str(texts[r])) for c, r in enumerate(rows.tolist()) if r >= 0}


def user_title(
    vx: Mapping[str, Any],
    handle: str,
    received: float,
    extra: tuple[str, float] | None,
    top_tweet: tuple[int, str] | None,
) -> tuple[str, str]:
    """A user's tooltip: handle, followers, tweets, retweets received, first tweet, ...; and the
    text of their most-retweeted tweet apart ('' when none: see :func:`join`)."""
    lines = [
        f"@{handle}",
        f"followers: {fmt_count(vx.get('followers'))}",
        f"tweets: {fmt_count(vx.get('tweets'))}",
        f"retweets received: {fmt_count(received)}",
        f"first tweet: {fmt_time(as_datetime(vx.get('first_seen')))}",
    ]
    if vx.get("papers") is not None and number(vx.get("papers")) > 1:
        lines.append(f"papers: {fmt_count(vx.get('papers'))}")
    if extra is not None:
        lines.append(f"{extra[0]}: {fmt_count(extra[1])}")
    if top_tweet is not None:
        count, text = top_tweet
        if count < 0:  # from a top_tweet vertex attribute: the count is not known
            head = "most-retweeted tweet:"
        else:
            head = f"most-retweeted tweet ({count:,} retweets):" if count else "tweet:"
        lines.append(head)
        return "\n".join(lines), clean(text)
    return "\n".join(lines), ""


def tweet_title(
    vx: Mapping[str, Any], handle: str, received: float, extra: tuple[str, float] | None
) -> tuple[str, str]:
    """A tweet's tooltip: author and kind, time, followers, retweets, paper; and its text apart
    (see :func:`join`)."""
    kind = vx.get("kind") or "tweet"
    lines = [
        f"@{handle} \u00b7 {kind}"
        + (" (inferred, not in the data)" if vx.get("placeholder") else ""),
        f"time: {fmt_time(as_datetime(vx.get('time')))}",
        f"followers: {fmt_count(vx.get('followers'))}",
        f"retweets: {fmt_count(received)}",
    ]
    if extra is not None:
        lines.append(f"{extra[0]}: {fmt_count(extra[1])}")
    if vx.get("citation_id"):
        lines.append(f"paper: {clean(vx.get('citation_id'), 60)}")
    return "\n".join(lines), clean(vx.get("text"))


def join(head: str, text: str) -> str:
    r"""The whole tooltip, as the page shows it: the text, if any, on the lines after the head.

    Pages store each distinct text once (retweets repeat their original's) and join them in the
    browser the same way.

    Examples
    --------
    >>> join("@a\nfollowers: 3", "RT @b: hello"), join("@a", "")
    ('@a\nfollowers: 3\nRT @b: hello', '@a')
    """
    return f"{head}\n{text}" if text else head


def hub_title(vx: Mapping[str, Any], label: str, users: int) -> str:
    """The tooltip of a paper drawn as a vertex of the graph itself (``combined.html``)."""
    lines = [clean(label, TITLE_MAX), f"citation id: {clean(str(vx.get('name'))[6:], 60)}"]
    if vx.get("tweets") is not None:
        lines.append(f"tweets: {fmt_count(vx.get('tweets'))}")
    lines.append(f"users: {users:,}")
    return "\n".join(lines)


def paper_tip(cid: Any, attrs: Mapping[str, Any], label: str) -> str:
    """The tooltip of an added paper node (``paper_node=True``)."""
    lines = [clean(label, TITLE_MAX)]
    if cid:
        lines.append(f"citation id: {clean(cid, 60)}")
    if attrs.get("doi"):
        lines.append(f"doi: {clean(attrs['doi'], 120)}")
    lines.append("linked to the original tweets")
    return "\n".join(lines)
