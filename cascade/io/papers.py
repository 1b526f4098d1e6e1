"""Which paper a record belongs to: DOIs and links in texts, and the routing of records to papers.

Shared by every reader of sources that carry no paper id (Twitter API files, Crossref,
Backtype, CSV, Bluesky, Mastodon): a :class:`Router` files each record under one given paper,
under the papers its text links (``paper_id="from-text"``, :data:`FROM_TEXT`), or under the
file's stem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cascade import text as T
from cascade.io.records import PaperRecords

__all__ = [
    "FROM_TEXT",
    "NO_PAPER_ID",
    "Router",
    "file_stem",
    "find_dois",
    "normalise_doi",
    "not_a_reply",
    "paper_keys",
]

FROM_TEXT = "from-text"
NO_PAPER_ID = "no paper id in the text (no DOI or URL)"

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>&]+", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)
_NOT_PAPERS = ("twitter.com", "x.com", "t.co", "mobile.twitter.com")


def normalise_doi(value: str) -> str:
    """A DOI in its canonical lower-case form, without ``https://doi.org/`` or ``doi:``.

    Examples
    --------
    >>> normalise_doi("https://doi.org/10.1016/S0092-8674(02)00637-2")
    '10.1016/s0092-8674(02)00637-2'
    """
    return _DOI_PREFIX.sub("", value.strip()).lower()


def _trim(doi: str) -> str:
    doi = doi.rstrip(".,;:!?'\u2026")
    # A closing bracket belongs to the DOI only if it closes one opened inside it.
    while doi.endswith(")") and doi.count(")") > doi.count("("):
        doi = doi[:-1].rstrip(".,;:")
    return doi


def find_dois(*texts: str) -> list[str]:
    """DOIs in texts and URLs (percent-encoded ones too), lower-case, in order of appearance.

    Examples
    --------
    >>> find_dois("see http://www.plosone.org/article/info%3Adoi%2F10.1371%2Fjournal.pone.0012292.")
    ['10.1371/journal.pone.0012292']
    """
    # One search over the texts joined by new lines, which no DOI match crosses (nor does a
    # percent escape): the matches of each text in turn.
    joined = "\n".join([t for t in texts if isinstance(t, str)])
    found: dict[str, None] = {}
    for m in _DOI.finditer(unquote(joined) if "%" in joined else joined):
        doi = _trim(m.group(0)).lower()
        if "/" in doi and not doi.endswith("/"):
            found.setdefault(doi)
    return list(found)


def _url_key(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host or host in _NOT_PAPERS:
        return None
    return host + parts.path.rstrip("/")


def paper_keys(text: object, urls: Iterable[object] = ()) -> list[str]:
    """The papers a tweet links: its DOIs, or else its (non-Twitter) URLs without scheme or query.

    Examples
    --------
    >>> paper_keys("Read https://arxiv.org/abs/1902.10186?x=1 now")
    ['arxiv.org/abs/1902.10186']
    >>> paper_keys("x", ["https://doi.org/10.1000/ABC"])
    ['10.1000/abc']
    """
    links = [u for u in urls if isinstance(u, str)]
    text = text if isinstance(text, str) else ""
    dois = find_dois(text, *links)
    if dois:
        return dois
    keys: dict[str, None] = {}
    for url in [*links, *_URL.findall(text)]:
        key = _url_key(url)
        if key:
            keys.setdefault(key)
    return list(keys)


def file_stem(path: str) -> str:
    """A file's name up to its first dot: the default paper id of a file without one."""
    return Path(path).name.split(".")[0] or Path(path).name


class Router:
    """Sends one file's tweet records to their papers' :class:`PaperRecords`.

    Parameters
    ----------
    path : str
        The file.
    paper_id : str, optional
        A paper id for every record, :data:`FROM_TEXT` (the papers each tweet links), or None
        (``default``, else the file's stem).
    default : str, optional
        The paper id when ``paper_id`` is None (None: the file's stem; "" : from the text).
    """

    def __init__(self, path: str, paper_id: str | None, default: str | None = None) -> None:
        self.path = path
        if paper_id is None:
            paper_id = file_stem(path) if default is None else (default or FROM_TEXT)
        self.fixed = None if paper_id == FROM_TEXT else str(paper_id)
        self.papers: dict[str, PaperRecords] = {}
        # Records placed in no paper are still counted, here.
        self.unplaced = PaperRecords("", path)

    def get(self, key: str) -> PaperRecords:
        out = self.papers.get(key)
        if out is None:
            out = self.papers[key] = PaperRecords(key, self.path)
        return out

    def route(self, keys: Iterable[str]) -> list[PaperRecords]:
        """The papers of a record with these links (the fixed paper, whatever its links)."""
        if self.fixed is not None:
            return [self.get(self.fixed)]
        return [self.get(k) for k in keys]

    def skip(self, reason: str, n: int = 1) -> None:
        self.unplaced.skip(reason, n)

    def waiting(self, reason: str = NO_PAPER_ID) -> PaperRecords:
        """Where a record with an exact parent but no paper of its own waits for its parent's
        papers (:func:`cascade.io.records.place_by_parents`); ``reason`` counts it if none."""
        self.unplaced.attrs.setdefault("unplaced_reason", reason)
        return self.unplaced

    def results(self) -> list[PaperRecords]:
        out = list(self.papers.values())
        if self.unplaced.records or not out:
            out.append(self.unplaced)
        return out


def not_a_reply(text: str) -> str | None:
    """``"original"`` for a text that starts with ``@h`` but that the API says replies to nothing.

    Such a tweet only mentions h; texts crediting a retweet chain are left to resolution.
    """
    if T.reply_to(text) and not T.credited_chain(text)[0]:
        return "original"
    return None
