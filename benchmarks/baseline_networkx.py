"""Baseline: what a user would write by hand with ``json``, ``re`` and networkx.

For every paper in Altmetric "twitter tab" exports, build the user retweet graph (a
``networkx.DiGraph``, edge original author -> retweeter, ``weight`` = number of retweets) from the
``RT @handle:`` prefix of each tweet, run ``networkx.pagerank`` and keep a one-row summary.

Usage::

    python benchmarks/baseline_networkx.py INPUT [INPUT ...] [--out results.csv]

An INPUT is a directory of per-paper ``.json`` files, a single such file, or a JSON Lines file
(``.jsonl``); any of them may be gzipped (``.gz``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import networkx as nx
import pandas as pd

__all__ = ["iter_papers", "paper_summary", "run_baseline"]

# Only the first, nearest credit counts: "RT @b: RT @a: ..." came to this user from b.
RT_PREFIX = re.compile(r"^RT @(\w{1,15}):")


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _files(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p])
    return files


def iter_papers(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> Iterator[dict]:
    """Yield every paper document in the given files and directories.

    Parameters
    ----------
    paths : path or iterable of paths
        Directories (every file in them), ``.json`` files (one paper) or ``.jsonl`` files (one
        paper per line), optionally gzipped.
    """
    for path in _files(paths):
        with _open(path) as f:
            if ".jsonl" in path.suffixes:
                for line in f:
                    if line.strip():
                        yield json.loads(line)
            else:
                yield json.load(f)


def paper_summary(paper: dict[str, Any]) -> dict[str, Any]:
    """Build one paper's retweet graph, rank its users with PageRank and summarise.

    Parameters
    ----------
    paper : dict
        A details-page document with a ``twitter`` mapping of tweet id to tweet.

    Returns
    -------
    dict
        ``citation_id``, ``tweets``, ``retweets``, ``users`` and ``edges`` of the graph, and the
        ``top_user`` by PageRank with its score ``top_pagerank``.
    """
    graph = nx.DiGraph()
    retweets = 0
    for tweet in paper.get("twitter", {}).values():
        # Handles are case-insensitive on Twitter, so key users by the lower-case form.
        user = tweet["author"].lstrip("@").lower()
        graph.add_node(user)
        match = RT_PREFIX.match(tweet.get("content_summary") or "")
        if match is None:
            continue
        retweets += 1
        source = match.group(1).lower()
        if graph.has_edge(source, user):
            graph[source][user]["weight"] += 1
        else:
            graph.add_edge(source, user, weight=1)

    top_user, top_score = None, float("nan")
    if graph.number_of_nodes():
        # Edges follow the information (author -> retweeter), but PageRank credits the nodes
        # links point to; rank on the reversed view so retweets endorse the author.
        rank = nx.pagerank(graph.reverse(copy=False), weight="weight")
        top_user = max(rank, key=rank.get)
        top_score = rank[top_user]
    return {
        "citation_id": str(paper.get("citation_id")),
        "tweets": len(paper.get("twitter", {})),
        "retweets": retweets,
        "users": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "top_user": top_user,
        "top_pagerank": top_score,
    }


def run_baseline(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Summarise every paper under ``paths`` (see :func:`iter_papers`), one row per paper.

    Returns
    -------
    pandas.DataFrame
        Columns ``citation_id, tweets, retweets, users, edges, top_user, top_pagerank``.
    """
    rows = [paper_summary(paper) for paper in iter_papers(paths)]
    columns = ["citation_id", "tweets", "retweets", "users", "edges", "top_user", "top_pagerank"]
    return pd.DataFrame(rows, columns=columns)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: run the baseline, print timing and totals."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="directories, .json or .jsonl files")
    parser.add_argument("--out", help="write the per-paper results to this CSV file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run_baseline(args.inputs)
    seconds = time.perf_counter() - started
    print(
        f"{len(results)} papers, {results['tweets'].sum()} tweets, "
        f"{results['retweets'].sum()} retweets in {seconds:.1f} s"
    )
    print(results.sort_values("tweets", ascending=False).head(5).to_string(index=False))
    if args.out:
        results.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
