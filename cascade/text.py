"""Pure string functions on tweet texts: retweet chains, replies, mentions, normalisation.

Nothing here knows about papers or graphs; every function takes and returns plain strings.
"""

from __future__ import annotations

import re

__all__ = [
    "ELLIPSIS",
    "HOP_START",
    "SHARE_BUTTONS",
    "credited_chain",
    "mentions",
    "normalise",
    "reply_to",
    "same_text",
]

ELLIPSIS = "\u2026"

# Accounts that share buttons and reading apps append as "via @x": x wrote no tweet this one came
# from, so such a via credits nobody (lower case).
SHARE_BUTTONS = frozenset(
    """addthis sharethis instapaper pocket getpocket feedly po_st youtube buffer bufferapp
    flipboard zite digg reddit linkedin tumblr scoopit newsblur inoreader ifttt hootsuite
    sharethis_ storify paper_li pinterest slideshare vimeo wordpress wordpressdotcom
    google googlenews medium_app tweetdeck""".split()
)

# Twitter handles are 1-15 word characters. The prefix tolerates "RT@a:", "rt  @a", a missing
# colon and the manual "MT @a:" (modified tweet), which credits its source like a retweet.
_HOP = re.compile(r"\s*(?:RT|MT)\s*@(\w{1,15})\b\s*:?\s*", re.IGNORECASE)
# "... via @a" at the end of a text credits a as the source (an Altmetric API convention).
_VIA = re.compile(r"\s+via\s+@(\w{1,15})\s*$", re.IGNORECASE)
# Characters a text crediting a retweet hop can begin with.
HOP_START = frozenset("RrMm \t\n\r\u00a0\u3000")
_REPLY = re.compile(r"\s*@(\w{1,15})\b")
# Neither inside a URL (…/@a) nor an e-mail address (x@a.org): the '@' must not follow a word
# character, '/' or another '@' (".@a" is a public mention, not an address).
_MENTION = re.compile(r"(?<![\w/@])@(\w{1,15})\b")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)


def credited_chain(text: str) -> tuple[tuple[str, ...], str]:
    """Split a manual retweet chain off a tweet text.

    Parameters
    ----------
    text : str
        The tweet text.

    Returns
    -------
    handles : tuple of str
        The credited handles, nearest first: ``RT @a: RT @b: x`` gives ``("a", "b")`` (this
        tweet came from a, who had it from b). Empty for a text that credits nobody.
    body : str
        The text after the last ``RT @x:`` / ``MT @x:`` prefix, and without a trailing
        ``via @x`` (which is credited as the last hop).

    Examples
    --------
    >>> credited_chain("RT @a: RT@B text")
    (('a', 'B'), 'text')
    >>> credited_chain("A paper via @journal")
    (('journal',), 'A paper')
    """
    handles = []
    pos = 0
    # Cheap first-letter test: most texts are no retweets, and a regex call costs more.
    if text[:1] in HOP_START:
        while m := _HOP.match(text, pos):
            handles.append(m.group(1))
            pos = m.end()
            if text[pos : pos + 1] not in "RrMm":  # no further hop can start here
                break
    body = text[pos:] if pos else text
    via = _VIA.search(body) if "@" in body[-24:] else None
    if via:
        handles.append(via.group(1))
        body = body[: via.start()]
    return tuple(handles), body


def reply_to(text: str) -> str | None:
    """The handle a text replies to (it begins with ``@handle``), or None.

    Examples
    --------
    >>> reply_to("@momoaiaiai これっすね")
    'momoaiaiai'
    >>> reply_to("Thanks @a") is None
    True
    """
    m = _REPLY.match(text)
    return m.group(1) if m else None


def mentions(text: str) -> tuple[str, ...]:
    """Handles mentioned in a text, in order of first appearance, not inside URLs or e-mails.

    Examples
    --------
    >>> mentions("by @ytay017 et al, see https://x.org/@nope or mail me@host.org")
    ('ytay017',)
    """
    seen: dict[str, str] = {}
    for handle in _MENTION.findall(_URL.sub(" ", text)):
        seen.setdefault(handle.lower(), handle)
    return tuple(seen.values())


def normalise(text: str) -> tuple[str, bool]:
    """Fold a text for comparison: collapse white space, casefold, drop a trailing ``…``.

    Returns
    -------
    folded : str
    truncated : bool
        Whether the text ended with ``…`` (so only its prefix is known).
    """
    folded = " ".join(text.split()).casefold()
    truncated = folded.endswith(ELLIPSIS)
    if truncated:
        folded = folded.rstrip(ELLIPSIS).rstrip()
    return folded, truncated


def same_text(a: tuple[str, bool], b: tuple[str, bool]) -> bool:
    """Whether two normalised texts can be the same tweet, comparing up to a truncation point.

    Parameters
    ----------
    a, b : tuple of (str, bool)
        Results of :func:`normalise`.

    Examples
    --------
    >>> same_text(normalise("Attention is not expl…"), normalise("Attention is  not Explanation"))
    True
    >>> same_text(normalise("abc"), normalise("abd"))
    False
    """
    (x, x_cut), (y, y_cut) = a, b
    if not x or not y:
        return x == y
    if x == y:
        return True
    if x_cut and y.startswith(x):
        return True
    return y_cut and x.startswith(y)
