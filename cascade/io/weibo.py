"""Weibo retweet cascades with their full retweet paths (the DeepHawkes / CasFlow TSV format).

One cascade per line, five tab-separated fields::

    cascade_id  root_user  publish_unix_time  n_participants  "root/u1/.../uk:delta_s ..."

Each space-separated adoption ``1/125921/467482:3655`` says that user 467482 reshared user 1's
post through user 125921's reshare, 3655 seconds after publication. These are *true* paths, so the
format is the ground truth for checking a reconstruction (``benchmarks/validate_weibo.py``).

How a line becomes records (one paper per cascade, ``citation_id`` = the cascade id):

* each adoption is one tweet record: id ``<cascade_id>:<k>`` (``k`` its position on the line),
  author the adopting user's id, time publication + delta, followers unknown (NaN: Weibo gives
  none), and as *text* the adoption's path ``root/u1/.../uk`` (the data has no text; the path is
  what the record says, and :func:`cascade.ground_truth.true_parents` reads the truth back
  from it);
* the root adoption (``root:0``) is the original; every other adoption is a retweet that credits
  the root post, exactly as a platform's native retweet does (``ref_id`` = the root's id), so the
  credited tree is the star whose accuracy the literature quotes (64.6% on the sample data);
* adoptions are added in (time, path length) order, so a parent stamped in the same second as its
  child still comes first.

Malformed lines and adoptions are skipped and counted by reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from cascade.io.records import InputError, PaperRecords

__all__ = ["read", "sniff_text"]

NAME = "weibo-paths"
_LINE = re.compile(r"^\s*\d+\t\d+\t\d+\t\d+\t\S+:\d+")


def sniff_text(head: str) -> bool:
    """Whether the first line of a text file looks like a Weibo path cascade.

    Examples
    --------
    >>> sniff_text("14709\\t1\\t1464739201\\t2\\t1:0 1/850430:481\\n")
    True
    >>> sniff_text("id,author,time\\n")
    False
    """
    return bool(_LINE.match(head.split("\n", 1)[0]))


def read(
    path: str, *, paper_id: str | None = None, data: bytes | None = None
) -> Iterator[PaperRecords]:
    """Yield one :class:`PaperRecords` per cascade line of a Weibo path file.

    Parameters
    ----------
    path : str
        The file (the caller may pass its bytes as ``data``).
    paper_id : str, optional
        Overrides the cascade id (meant for files holding one cascade).
    data : bytes, optional
        The file's content when already read.

    Examples
    --------
    >>> papers = list(read("x.txt", data=b"7\\t1\\t100\\t3\\t1:0 1/2:5 1/2/3:9\\n"))
    >>> papers[0].citation_id, papers[0].author, papers[0].time, papers[0].text
    ('7', ['1', '2', '3'], [100, 105, 109], ['1', '1/2', '1/2/3'])
    """
    if data is None:
        with open(path, "rb") as f:
            data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 text ({err.reason})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield _cascade(line, f"{path}:{number}", paper_id)


def _cascade(line: str, source: str, paper_id: str | None) -> PaperRecords:
    fields = line.rstrip("\r").split("\t")
    if len(fields) != 5 or not all(f.strip().isdigit() for f in fields[:4]):
        out = PaperRecords(paper_id or "", source)
        out.skip("malformed cascade line")
        return out
    cid, root_user, published = fields[0].strip(), fields[1].strip(), int(fields[2])
    out = PaperRecords(paper_id or cid, source)
    entries = []
    for k, item in enumerate(fields[4].split()):
        user_path, _, delta = item.rpartition(":")
        users = user_path.split("/")
        if not delta.isdigit() or not all(users):
            out.skip("malformed adoption")
            continue
        entries.append((int(delta), len(users), k, user_path, users))
    entries.sort(key=lambda e: e[:3])
    root_id = None
    for offset, length, k, user_path, users in entries:
        if length == 1 and root_id is None:
            root_id = f"{cid}:{k}"
            out.add(root_id, users[0], published + offset, np.nan, user_path)
    if root_id is None:  # no root adoption on the line: the post itself is known from the header
        root_id = f"{cid}:root"
        out.add(root_id, root_user, published, np.nan, root_user, embedded=True)
    for offset, length, k, user_path, users in entries:
        tweet_id = f"{cid}:{k}"
        if tweet_id == root_id:
            continue
        if length == 1:
            out.skip("second root adoption")
            continue
        out.add(
            tweet_id, users[-1], published + offset, np.nan, user_path,
            ref_id=root_id, ref_kind="retweet",
        )  # fmt: skip
    return out


def __getattr__(name: str) -> Any:
    """``true_parents``, moved to :mod:`cascade.ground_truth` (deprecated here for one release)."""
    if name == "true_parents":
        from cascade.deprecation import warn_deprecated
        from cascade.ground_truth import true_parents

        warn_deprecated("cascade.io.weibo.true_parents", "cascade.ground_truth.true_parents")
        return true_parents
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
