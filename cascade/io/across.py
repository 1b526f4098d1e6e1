"""Matching the records of one run across its files (Bluesky and Mastodon readers).

A reader sees one file; what links its records to those of other files of the same run is
left in ``PaperRecords.across`` (one dict shared by the papers of a file) and applied here,
once every file is read and before membership by parents
(:func:`cascade.io.records.place_by_parents`):

* ``aliases``: how records refer to a post by another id than its own. Mastodon's
  ``in_reply_to_id`` and ``quote.quoted_status_id`` are ids local to the instance that served
  the file (``mastodon-id:<id>``), matched within a file by the reader; a reference left
  unmatched there is matched here to the status of another file with that local id (one JSON
  file per search page, say). A local id that two files give to different statuses is
  ambiguous and matched to neither (the parent stays a placeholder).
* ``accounts`` and ``unknown``: the author of a Mastodon placeholder (a status replied to
  that no file holds) is its ``in_reply_to_account_id``'s ``acct`` when another file shows
  that account (account ids are local too: one two files give different accts is not used).
* ``reposts`` and ``undated``: Bluesky reposts by (reposter's DID, post): a ``getRepostedBy``
  repost (no time, ``undated``) of a post its author's dated repost is in another file for
  (a Jetstream capture, a feed) adds nothing, and is counted as skipped
  (``undated repeat of a repost in the data``), as it is within one file.

``attrs["undated_reposts"]`` is counted again on the papers as they are at the end.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cascade.io.records import PaperRecords
from cascade.model import NAT

__all__ = ["UNDATED_REPEAT", "count_undated", "match", "reposter"]

#: Skip reason of an undated repost whose reposter's dated repost of the same post is in the run.
UNDATED_REPEAT = "undated repeat of a repost in the data"

_COLUMNS = ("id", "author", "time", "followers", "text", "ref_id", "ref_kind", "credited")


def match(records: list[PaperRecords], facts: Iterable[dict[str, Any]], log: Any) -> None:
    """Apply what the files of a run know of each other to their records (in place).

    Parameters
    ----------
    records : list of PaperRecords
        Every paper of the run and the records waiting for their parents' papers.
    facts : iterable of dict
        The ``across`` of every file read (a merged paper keeps only its first file's).
    log : cascade.io.ReadLog
        Where a record dropped here is counted as skipped, under its file.

    Examples
    --------
    >>> a = PaperRecords("10.1/x", "a.json")
    >>> _ = a.add("https://i.social/s/1", "ann", 0, text="10.1/x")
    >>> a.across = {"path": "a.json", "aliases": {"mastodon-id:1": ("https://i.social/s/1", "ann")}}
    >>> b = PaperRecords("", "b.json")
    >>> _ = b.add("https://i.social/s/2", "bob", 5, ref_id="mastodon-id:1", ref_kind="reply")
    >>> b.placeholders["mastodon-id:1"] = ("(unknown)", "", "original", None)
    >>> b.across = {"path": "b.json", "aliases": {"mastodon-id:2": ("https://i.social/s/2", "bob")}}
    >>> match([a, b], [a.across, b.across], None)
    >>> b.ref_id, b.placeholders
    (['https://i.social/s/1'], {'https://i.social/s/1': ('ann', '', 'original', None)})
    """
    facts = list(facts)
    if len(facts) < 2:
        return  # one file: its reader matched everything it could
    aliases: dict[str, tuple[str, str | None]] = {}
    accounts: dict[str, str | None] = {}  # Mastodon account id -> acct (None: ambiguous)
    ambiguous: set[str] = set()
    undated: dict[str, tuple[str, tuple[str, str]]] = {}  # repost id -> (file, its key)
    for f in facts:
        for local, target in f.get("aliases", {}).items():
            if aliases.setdefault(local, target)[0] != target[0]:
                ambiguous.add(local)
        for tid, post in f.get("undated", {}).items():
            undated.setdefault(tid, (f["path"], (reposter(tid), post)))
        for account, acct in f.get("accounts", {}).items():
            if accounts.setdefault(account, acct) != acct:
                accounts[account] = None
    for local in ambiguous:
        del aliases[local]
    authors = {  # placeholder -> its author, shown by another file
        ref: accounts[account]
        for f in facts
        for ref, account in f.get("unknown", {}).items()
        if accounts.get(account)
    }
    drop: dict[str, str] = {}
    if undated:
        dated = {(reposter(t), post) for f in facts for t, post in f.get("reposts", ())}
        drop = {t: path for t, (path, key) in undated.items() if key in dated}
    for r in records:
        for ref in authors.keys() & r.placeholders.keys() if authors else ():
            author, text, kind, parent = r.placeholders[ref]
            r.placeholders[ref] = (authors[ref] or author, text, kind, parent)
        if aliases:
            _rewrite(r, aliases)
        if drop and not drop.keys().isdisjoint(r._index):
            for path, n in _remove(r, drop).items():
                r.skipped[UNDATED_REPEAT] += n
                entry = log.file(path)
                entry.used -= n
                entry.skipped[UNDATED_REPEAT] += n


def reposter(repost_id: str) -> str:
    """Who made a repost, from its id: the DID of ``at://did/...`` (else the id itself), the
    reposter of ``<post>#reposted-by-<did>``.

    Examples
    --------
    >>> reposter("at://did:plc:a/app.bsky.feed.repost/3k")
    'did:plc:a'
    >>> reposter("at://did:plc:b/app.bsky.feed.post/3k#reposted-by-did:plc:c")
    'did:plc:c'
    """
    if "#reposted-by-" in repost_id:
        return repost_id.rsplit("#reposted-by-", 1)[1]
    return repost_id[5:].split("/", 1)[0] if repost_id.startswith("at://") else repost_id


def _rewrite(r: PaperRecords, aliases: dict[str, tuple[str, str | None]]) -> None:
    """References by a local id to the post's own id; placeholders of them renamed alike."""
    r.ref_id = [aliases[ref][0] if ref in aliases else ref for ref in r.ref_id]
    for local in [t for t in r.placeholders if t in aliases]:
        author, text, kind, parent = r.placeholders.pop(local)
        post, known = aliases[local]
        if post not in r._index:  # the parent is in the run, not in this paper
            r.placeholders.setdefault(post, (known or author, text, kind, parent))


def _remove(r: PaperRecords, drop: dict[str, str]) -> dict[str, int]:
    """Remove the records whose id is in ``drop``; return how many, by the file ``drop`` names."""
    keep = [i for i, t in enumerate(r.id) if t not in drop]
    removed: dict[str, int] = {}
    for t in r.id:
        if t in drop and r._index[t] >= 0:
            removed[drop[t]] = removed.get(drop[t], 0) + 1
    r.embedded -= sum(1 for t in r.id if t in drop and r._index[t] < 0)
    for name in _COLUMNS:
        column = getattr(r, name)
        setattr(r, name, [column[i] for i in keep])
    r._index = {t: j if r._index[t] >= 0 else -j - 1 for j, t in enumerate(r.id)}
    return removed


def count_undated(papers: Iterable[PaperRecords]) -> None:
    """``attrs["undated_reposts"]``: the records with no time of each paper of a Bluesky or
    Mastodon file (one with ``across``), as the paper now is.

    Examples
    --------
    >>> p = PaperRecords("10.1/x", "f.json", across={"path": "f.json"})
    >>> _ = p.add("1", "ann", 0)
    >>> _ = p.add("1#reposted-by-bob", "bob", int(NAT), ref_id="1", ref_kind="retweet")
    >>> count_undated([p])
    >>> p.attrs
    {'undated_reposts': 1}
    """
    nat = int(NAT)
    for p in papers:
        n = p.time.count(nat) if p.across or "undated_reposts" in p.attrs else 0
        if n:
            p.attrs["undated_reposts"] = n
        else:
            p.attrs.pop("undated_reposts", None)
