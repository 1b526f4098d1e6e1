"""Audiences across papers: users shared between papers, and users who spread many papers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["audience_overlap", "spreaders"]


def audience_overlap(
    paper_users: pd.DataFrame,
    *,
    top: int = 20,
    max_papers: int = 1000,
    min_users: int = 5,
) -> pd.DataFrame:
    """The pairs of papers whose audiences (sets of users who tweeted them) overlap most.

    Parameters
    ----------
    paper_users : pandas.DataFrame
        One row per (paper, user): columns ``citation_id`` and ``user`` (lower-case handle).
    top : int
        Pairs to return.
    max_papers : int
        Only the papers with the most users are paired (all pairs of 10,000 papers would be
        50 million); ties by citation id.
    min_users : int
        Papers with fewer users are left out (two papers with one shared user would otherwise
        have Jaccard similarity 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``paper_a``, ``paper_b`` (citation ids), ``users_a``, ``users_b``, ``shared``,
        ``jaccard`` (shared / union); sorted by Jaccard, then shared users, then ids. Only pairs
        that share at least one user.

    Examples
    --------
    >>> pu = pd.DataFrame({"citation_id": list("aaabbbc"), "user": list("xyzxyqz")})
    >>> audience_overlap(pu, min_users=1).values.tolist()
    [['a', 'b', 3, 3, 2, 0.5], ['a', 'c', 3, 1, 1, 0.3333333333333333]]
    """
    columns = ["paper_a", "paper_b", "users_a", "users_b", "shared", "jaccard"]
    _, paper, user, ids, _ = _first_pairs(paper_users)
    counts = np.bincount(paper, minlength=len(ids))
    ids = np.asarray(ids, dtype=object)
    by_id = np.argsort(ids, kind="stable")  # paper codes in order of citation id
    n_users = counts[by_id]
    big = np.flatnonzero(n_users >= max(min_users, 1))  # positions in that order
    # The max_papers papers with most users (a stable sort: ties by id), kept in order of id.
    order = np.argsort(-n_users[big], kind="stable")
    keep = by_id[np.sort(big[order[:max_papers]])]
    if len(keep) < 2:
        return pd.DataFrame({c: [] for c in columns})
    row_of = np.full(len(ids), -1, dtype=np.int64)  # paper code -> matrix row
    row_of[keep] = np.arange(len(keep))
    row = row_of[paper]
    sel = row >= 0
    col = pd.factorize(user[sel])[0]
    m = sp.csr_matrix((np.ones(int(sel.sum())), (row[sel], col)), shape=(len(keep), col.max() + 1))
    shared = sp.triu(m @ m.T, k=1).tocoo()
    size = counts[keep]
    inter = np.rint(shared.data).astype(np.int64)
    jaccard = inter / (size[shared.row] + size[shared.col] - inter)
    names = ids[keep]
    pick = _leading(top, -jaccard, -inter)
    a, b = shared.row[pick], shared.col[pick]
    out = pd.DataFrame(
        {
            "paper_a": names[a],
            "paper_b": names[b],
            "users_a": size[a],
            "users_b": size[b],
            "shared": inter[pick],
            "jaccard": jaccard[pick],
        }
    )
    out = out.sort_values(
        ["jaccard", "shared", "paper_a", "paper_b"], ascending=[False, False, True, True]
    )
    return out.head(top).reset_index(drop=True)


def spreaders(paper_users: pd.DataFrame, *, top: int = 20) -> pd.DataFrame:
    """Users who tweeted about the most papers.

    Parameters
    ----------
    paper_users : pandas.DataFrame
        One row per (paper, user): ``citation_id``, ``user`` (lower-case handle), optionally
        ``handle`` (display form), ``tweets`` and ``retweets_received`` (counts in that paper).
    top : int
        Rows to return.

    Returns
    -------
    pandas.DataFrame
        Columns ``user``, ``handle``, ``papers`` and, when given, the sums of ``tweets`` and
        ``retweets_received``; sorted by papers, then tweets, then user.

    Examples
    --------
    >>> pu = pd.DataFrame(
    ...     {"citation_id": list("aabc"), "user": list("xyxx"), "tweets": [1, 1, 2, 1]}
    ... )
    >>> spreaders(pu, top=1).values.tolist()
    [['x', 'x', 3, 4]]
    """
    first, _, user, _, users = _first_pairs(paper_users)
    rows = paper_users.iloc[first]
    n = len(users)
    papers = np.bincount(user, minlength=n)
    sums = {
        extra: np.bincount(
            user, weights=np.nan_to_num(rows[extra].to_numpy(np.float64)), minlength=n
        )
        for extra in ("tweets", "retweets_received")
        if extra in paper_users
    }
    tweets = sums.get("tweets", np.zeros(n))
    rank = _leading(top, -papers, -tweets)
    names = np.asarray(users[rank], dtype=object)
    by_name = np.lexsort((names.astype(str), -tweets[rank], -papers[rank]))[:top]
    rank, names = rank[by_name], names[by_name]
    handle = _first_valid(rows["handle" if "handle" in paper_users else "user"], user, rank)
    out = pd.DataFrame({"user": names, "handle": handle, "papers": papers[rank]})
    for extra, total in sums.items():
        out[extra] = total[rank].astype(paper_users[extra].dtype)
    return out


def _leading(top: int, *keys: np.ndarray) -> np.ndarray:
    """The rows that can be among the ``top`` first in ascending order of ``keys`` (most
    significant first) whatever breaks their ties: the ``top`` first and all tied with the last."""
    order = np.lexsort(keys[::-1])
    if top <= 0:
        return order[:0]
    if top >= len(order):
        return order
    last = order[top - 1]
    tied = np.logical_and.reduce([k[order[top:]] == k[last] for k in keys])
    return order[: top + int(tied.sum())]


def _first_pairs(
    paper_users: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index, pd.Index]:
    """The first row of every distinct (paper, user) pair, in row order (as ``drop_duplicates``
    keeps them; rows without a paper or user left out), its paper and user codes, and the papers
    and users that the codes number."""
    paper, papers = pd.factorize(paper_users["citation_id"])
    user, users = pd.factorize(paper_users["user"])
    known = np.flatnonzero((paper >= 0) & (user >= 0))
    pair = paper[known].astype(np.int64) * max(len(users), 1) + user[known]
    first = known[~pd.Series(pair).duplicated().to_numpy()]  # hashed: no sort of the pairs
    return first, paper[first], user[first], papers, users


def _first_valid(values: pd.Series, group: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The first non-null value of each ``wanted`` group (None where all are null), as pandas'
    ``first`` gives it."""
    rows = np.flatnonzero(np.isin(group, wanted) & pd.notna(values).to_numpy())
    groups, at = np.unique(group[rows], return_index=True)
    first = dict(zip(groups.tolist(), values.iloc[rows[at]].tolist(), strict=True))
    return np.array([first.get(g) for g in wanted.tolist()], dtype=object)
