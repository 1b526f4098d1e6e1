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
    "other_credit",
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


# Credits written after a comment: "comment RT @a: quoted", "... MT @a ...", "HT @a", "h/t @a",
# "(via @a)", "/via @a", "via @a, ...". The first one in the text counts.
# Letters matched without re.IGNORECASE, which also folds "ı" to "i" (RE2 does not).
_OTHER = re.compile(
    r"(?<!\w)(?:(?P<rt>[Rr][Tt]|[Mm][Tt])\s*@(?P<a>\w{1,15})\b\s*:?\s*"
    r"|(?P<ht>[Hh][Tt]|[Hh]/[Tt])\s*:?\s*@(?P<b>\w{1,15})\b"
    r"|[Vv][Ii][Aa]\s*:?\s*@(?P<c>\w{1,15})\b)"
)
# What a text must contain for _OTHER to match (a cheap test; the batch's RE2 filter is alike).
OTHER_HINT = re.compile(r"(?:[Rr][Tt]|[Mm][Tt]|[Hh][Tt]|[Hh]/[Tt]|[Vv][Ii][Aa])[\s:]*@")


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
        # A share button's "via @x" credits nobody, but is no part of what the tweet says.
        if via.group(1).lower() not in SHARE_BUTTONS:
            handles.append(via.group(1))
        body = body[: via.start()]
    if len(handles) > 1:  # "RT @x: ... via @x" is one hop, not x -> x
        handles = [h for k, h in enumerate(handles) if not k or h.lower() != handles[k - 1].lower()]
    return tuple(handles), body


def other_credit(text: str) -> tuple[str, str, str] | None:
    """A credit written after a comment: ``(rule, handle, body)``, or None.

    For texts that :func:`credited_chain` credits nobody. ``rule`` is ``mid_text`` for
    ``comment RT @a: quoted`` (and ``MT``), ``hat_tip`` for ``HT @a`` / ``h/t @a``, ``via`` for
    ``(via @a)``, ``/via @a`` or ``via @a,`` inside the text. ``body`` is what the credited tweet
    would have said: the text after an ``RT``/``MT`` credit, the text before the others. The first
    credit in the text counts; a via naming a share button credits nobody.

    Examples
    --------
    >>> other_credit("Ha! RT @a: the paper")
    ('mid_text', 'a', 'the paper')
    >>> other_credit("The paper http://t.co/x (via @b) #longreads")
    ('via', 'b', 'The paper http://t.co/x (')
    >>> other_credit("The paper (via @Pocket)") is None
    True
    """
    if not OTHER_HINT.search(text):
        return None
    m = _OTHER.search(text)
    if m is None:
        return None
    if m.group("rt"):
        rule, handle, body = "mid_text", m.group("a"), text[m.end() :]
    elif m.group("ht"):
        rule, handle, body = "hat_tip", m.group("b"), text[: m.start()].rstrip()
    else:
        rule, handle, body = "via", m.group("c"), text[: m.start()].rstrip()
        if handle.lower() in SHARE_BUTTONS:
            return None
    return rule, handle, body


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
