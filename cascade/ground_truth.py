"""Parent arrays the data know for certain, to check reconstructions against.

A Weibo path file (:mod:`cascade.io.weibo`) records every adoption's full retweet path; the
reader keeps it in each tweet's ``text`` and credits the root, as a platform's native retweets
do. :func:`true_parents` reads the true tree back: the oracle of
``benchmarks/validate_weibo.py`` and of the reconstruction tests.
"""

from __future__ import annotations

import numpy as np

from cascade.model import Paper

__all__ = ["true_parents"]


def true_parents(paper: Paper) -> tuple[np.ndarray, np.ndarray]:
    """The true parent of every adoption of a Weibo cascade read by this module.

    Parameters
    ----------
    paper : Paper
        One cascade as read from a Weibo path file by :mod:`cascade.io.weibo` (its ``text``
        holds each adoption's path).

    Returns
    -------
    parent : ndarray of int64
        Index of the true parent adoption: the latest earlier adoption whose path is this one's
        minus its last user. Where that adoption is missing from the data (one of the 7,147 on
        the sample), the nearest ancestor on the path that is present; -1 for the root.
    exact : ndarray of bool
        Whether the parent adoption itself is in the data (False for roots).

    Examples
    --------
    >>> from cascade.io.weibo import read
    >>> from cascade.resolve import resolve
    >>> records = next(read("x.txt", data=b"7\\t1\\t100\\t3\\t1:0 1/2:5 1/2/3:9\\n"))
    >>> parent, exact = true_parents(resolve(records))
    >>> parent.tolist(), exact.tolist()
    ([-1, 0, 1], [False, True, True])
    """
    n = len(paper)
    parent = np.full(n, -1, dtype=np.int64)
    exact = np.zeros(n, dtype=bool)
    latest: dict[str, int] = {}
    for i, user_path in enumerate(paper.text.tolist()):
        prefix = user_path
        first = True
        while "/" in prefix:
            prefix = prefix.rsplit("/", 1)[0]
            j = latest.get(prefix)
            if j is not None:
                parent[i], exact[i] = j, first
                break
            first = False
        else:
            if "/" in user_path:  # a path not starting at the root user: credit the root post
                parent[i] = 0
        latest[user_path] = i
    return parent, exact
