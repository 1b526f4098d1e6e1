"""Mastodon API statuses: a JSON array, one status per line, search results or a thread context.

Shapes read: ``[Status, ...]`` (timelines, ``/api/v1/accounts/:id/statuses``), one Status per
line (JSON Lines), ``{"statuses": [...]}`` (``/api/v2/search``) and ``{"ancestors": [...],
"descendants": [...]}`` (``/api/v1/statuses/:id/context``).

Fields: the id is the status ``uri`` (unique across instances), else its ``url``, else its
``id``; the author ``account.acct`` and ``account.followers_count``; ``created_at``;
``content``, HTML turned into plain text with entities decoded; links for DOIs from ``card.url``
and the content's ``<a href>`` (mentions and hashtags left out). Exact parents: a ``reblog``
points at the original (kind ``retweet``; the original is carried, as an embedded copy);
``quote.quoted_status`` (``quote.quoted_status_id``, or the older ``quoted_status``) at the
quoted status (``quote``); ``in_reply_to_id`` at the status replied to (``reply``). Status ids
are local to the instance that served the file: replies are matched to the statuses of the same
file, then to those of the other files of the run (:mod:`cascade.io.across`); a parent absent
from them all becomes a placeholder ``mastodon-id:<id>`` (by the replied account when a file of
the run shows that account's id, else ``(unknown)``).

Papers: ``paper_id``, ``"from-text"`` (the DOIs, else URLs, a status links; one without takes
its parent's papers) or the file's stem.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from cascade.io.records import PaperRecords, parse_followers
from cascade.io.social import Posts, collector_paused

__all__ = ["from_documents", "html_text", "sniff"]

NAME = "mastodon"
GROUPED = True
_LOCAL = "mastodon-id:"
UNKNOWN = "(unknown)"  # the author of a placeholder whose account no file shows
_MAX_DEPTH = 3
_BLOCKS = frozenset({"p", "div", "blockquote", "li", "ul", "ol", "pre"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS and self.parts and not self.parts[-1].endswith("\n\n"):
            self.parts.append("\n\n")
        elif tag == "a":
            a = dict(attrs)
            classes = (a.get("class") or "").split()
            rel = (a.get("rel") or "").split()
            href = a.get("href")
            if href and "mention" not in classes and "hashtag" not in classes:
                if "tag" not in rel:
                    self.links.append(href)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: Any) -> tuple[str, list[str]]:
    """Plain text of a status's HTML ``content`` (entities decoded) and the links it makes.

    Examples
    --------
    >>> html_text('<p>A &amp; B&#39;s <a href="https://doi.org/10.1/x">paper</a></p><p>ok</p>')
    ("A & B's paper\\n\\nok", ['https://doi.org/10.1/x'])
    """
    if not isinstance(html, str) or not html:
        return "", []
    if "<" not in html and "&" not in html:
        return html, []
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts).strip(), parser.links


def _is_status(doc: Any) -> bool:
    account = doc.get("account") if isinstance(doc, dict) else None
    return (
        isinstance(account, dict)
        and "acct" in account
        and "content" in doc
        and "created_at" in doc
        and ("uri" in doc or "id" in doc)
    )


def _statuses(doc: Any) -> list | None:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        if isinstance(doc.get("statuses"), list):
            return doc["statuses"]
        if isinstance(doc.get("ancestors"), list) or isinstance(doc.get("descendants"), list):
            return [*(doc.get("ancestors") or []), *(doc.get("descendants") or [])]
    return None


def sniff(doc: Any) -> bool:
    """Whether a parsed document holds Mastodon statuses."""
    items = _statuses(doc)
    if items is not None:
        return bool(items) and _is_status(items[0])
    return _is_status(doc)


def from_documents(
    docs: Iterator[tuple[int, Any]], path: str, *, paper_id: str | None = None
) -> Iterator[PaperRecords]:
    """Records from already-parsed ``(line, document)`` pairs of one file."""
    with collector_paused():
        papers = _gather(docs, Posts(path, paper_id, "mastodon"))
    yield from papers


def _gather(docs: Iterator[tuple[int, Any]], posts: Posts) -> list[PaperRecords]:
    accounts: dict[str, str] = {}  # account id -> acct
    replied: dict[str, str] = {}  # local status id -> the account id it replies to
    for _, doc in docs:
        items = _statuses(doc)
        for status in items if items is not None else [doc]:
            if _is_status(status):
                _add(posts, status, accounts, replied, embedded=False, depth=0)
            else:
                posts.router.skip("not a Mastodon status")
    unknown: dict[str, str] = {}  # placeholder -> the account id of an author not in the file
    for local, account in replied.items():  # parents absent from the file
        ref = _LOCAL + local
        if ref not in posts.alias:
            posts.declare(ref, accounts.get(account, UNKNOWN))
            if account not in accounts:
                unknown[ref] = account
    papers = posts.route()
    # Who the accounts are, for the placeholders of other files (cascade.io.across).
    papers[0].across.update(accounts=accounts, unknown=unknown)
    return papers


def _id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() or None if isinstance(value, str) else None


def _post_id(s: dict) -> str | None:
    return _id(s.get("uri")) or _id(s.get("url")) or _id(s.get("id"))


def _quoted(s: dict) -> tuple[dict | None, str | None]:
    """``(quoted status if carried, its local id)``."""
    quote = s.get("quote")
    if isinstance(quote, dict):
        qs = quote.get("quoted_status")
        if isinstance(qs, dict) and _is_status(qs):
            return qs, _id(qs.get("id"))
        return None, _id(quote.get("quoted_status_id"))
    qs = s.get("quoted_status")
    if isinstance(qs, dict) and _is_status(qs):
        return qs, _id(qs.get("id"))
    return None, None


def _add(
    posts: Posts, s: dict, accounts: dict, replied: dict, *, embedded: bool, depth: int
) -> None:
    sid = _post_id(s)
    if sid is None:
        if not embedded:
            posts.router.skip("no tweet id")
        return
    local = _id(s.get("id"))
    if local is not None:
        posts.alias.setdefault(_LOCAL + local, sid)
    account = s["account"]
    acct = account.get("acct") if isinstance(account.get("acct"), str) else None
    if acct and _id(account.get("id")):
        accounts.setdefault(_id(account.get("id")), acct)
    followers = parse_followers(account.get("followers_count"))
    reblog = s.get("reblog")
    if isinstance(reblog, dict) and _is_status(reblog) and _post_id(reblog):
        original = _post_id(reblog)
        posts.add(
            sid, acct, s.get("created_at"), followers=followers, ref_id=original,
            ref_kind="retweet", subject=original, embedded=embedded,
        )  # fmt: skip
        if depth < _MAX_DEPTH:
            _add(posts, reblog, accounts, replied, embedded=True, depth=depth + 1)
        return
    text, links = html_text(s.get("content"))
    card = s.get("card")
    if isinstance(card, dict) and isinstance(card.get("url"), str):
        links.append(card["url"])
    quoted, quoted_local = _quoted(s)
    reply = _id(s.get("in_reply_to_id"))
    if quoted is not None and _post_id(quoted):
        ref, kind = _post_id(quoted), "quote"
    elif quoted_local is not None:
        ref, kind = _LOCAL + quoted_local, "quote"
    elif reply is not None:
        ref, kind = _LOCAL + reply, "reply"
        account_id = _id(s.get("in_reply_to_account_id"))
        if account_id:
            replied.setdefault(reply, account_id)
    else:
        ref, kind = None, None
    posts.add(
        sid, acct, s.get("created_at"), text, followers=followers, ref_id=ref, ref_kind=kind,
        links=links, embedded=embedded,
    )  # fmt: skip
    if quoted is not None and depth < _MAX_DEPTH:
        _add(posts, quoted, accounts, replied, embedded=True, depth=depth + 1)
