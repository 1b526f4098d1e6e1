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
    pairs = paper_users[["citation_id", "user"]].drop_duplicates()
    counts = pairs.groupby("citation_id", sort=True).size()
    counts = counts[counts >= min_users]
    order = np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))
    keep = counts.iloc[order[:max_papers]].sort_index()
    pairs = pairs[pairs["citation_id"].isin(keep.index)]
    if len(keep) < 2:
        return pd.DataFrame({c: [] for c in columns})
    row = pd.Categorical(pairs["citation_id"], categories=keep.index).codes
    col, _ = pd.factorize(pairs["user"])
    m = sp.csr_matrix((np.ones(len(row)), (row, col)), shape=(len(keep), col.max() + 1))
    shared = sp.triu(m @ m.T, k=1).tocoo()
    size = keep.to_numpy()
    inter = np.rint(shared.data).astype(np.int64)
    jaccard = inter / (size[shared.row] + size[shared.col] - inter)
    ids = keep.index.to_numpy(dtype=object)
    out = pd.DataFrame(
        {
            "paper_a": ids[shared.row],
            "paper_b": ids[shared.col],
            "users_a": size[shared.row],
            "users_b": size[shared.col],
            "shared": inter,
            "jaccard": jaccard,
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
    table = paper_users.drop_duplicates(["citation_id", "user"])
    agg: dict[str, tuple[str, str]] = {
        "handle": ("handle" if "handle" in table else "user", "first"),
        "papers": ("citation_id", "nunique"),
    }
    for extra in ("tweets", "retweets_received"):
        if extra in table:
            agg[extra] = (extra, "sum")
    out = table.groupby("user", sort=True).agg(**agg).reset_index()
    keys = ["papers", "tweets"] if "tweets" in out else ["papers"]
    out = out.sort_values([*keys, "user"], ascending=[False] * len(keys) + [True], kind="stable")
    return out.head(top).reset_index(drop=True)
