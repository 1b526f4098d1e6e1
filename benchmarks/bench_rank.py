"""Benchmark: influencer rankings against ``cascade metrics`` on the same corpus, same run.

Target (issue 4): ranking with every measure except betweenness takes at most 2x the time of
``cascade.paper_metrics(cascade.read(dir))``. Both are timed end to end (reading included, as the
CLI runs them) and on papers already in memory (the computation alone).

Usage::

    python benchmarks/bench_rank.py [CORPUS_DIR] [--papers 10000] [--seed 0] [--repeat 1]

Without ``CORPUS_DIR`` a corpus is generated with ``generate.py`` into a temporary directory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cascade
from cascade.rank import COUNT_MEASURES, GRAPH_MEASURES, rank_users

# Issue 4's target: every ranking measure but betweenness (expected_influence, a reconstruction
# measure, is opt-in and not part of it).
NO_BETWEENNESS = [m for m in COUNT_MEASURES + GRAPH_MEASURES if m != "betweenness"]


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def run(corpus_dir: str, repeat: int = 1) -> dict[str, float]:
    """Time metrics and rankings on ``corpus_dir``; returns the seconds and ratios."""
    out: dict[str, float] = {}
    out["metrics_end_to_end"], _ = _best(
        lambda: cascade.paper_metrics(cascade.read(corpus_dir)), repeat
    )
    out["rank_end_to_end"], table = _best(
        lambda: rank_users(cascade.read(corpus_dir), measures=NO_BETWEENNESS), repeat
    )
    papers = list(cascade.read(corpus_dir))
    out["tweets"] = sum(len(p) for p in papers)
    out["users"] = len(table)
    out["metrics_compute"], _ = _best(lambda: cascade.paper_metrics(papers), repeat)
    out["rank_compute"], _ = _best(lambda: rank_users(papers, measures=NO_BETWEENNESS), repeat)
    out["rank_per_paper_compute"], _ = _best(
        lambda: rank_users(papers, measures=NO_BETWEENNESS, per_paper=True), repeat
    )
    out["ratio_end_to_end"] = out["rank_end_to_end"] / out["metrics_end_to_end"]
    out["ratio_compute"] = out["rank_compute"] / out["metrics_compute"]
    out["ratio_per_paper_compute"] = out["rank_per_paper_compute"] / out["metrics_compute"]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", help="corpus directory (default: generate one)")
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs of each")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cascade-bench-rank-") as tmp:
        corpus = args.corpus
        if corpus is None:
            sys.path.insert(0, str(Path(__file__).parent))
            from generate import generate_corpus

            corpus = str(Path(tmp) / "corpus")
            generate_corpus(corpus, papers=args.papers, seed=args.seed)
        result = run(corpus, repeat=args.repeat)
    print(f"corpus: {corpus} ({int(result['tweets']):,} tweets, {int(result['users']):,} users)")
    for name in ("metrics", "rank", "rank_per_paper"):
        for kind in ("end_to_end", "compute"):
            key = f"{name}_{kind}"
            if key in result:
                print(f"{key:28s} {result[key]:8.2f} s")
    print(f"ratio rank / metrics, end to end:   {result['ratio_end_to_end']:.2f} (target <= 2)")
    print(f"ratio rank / metrics, compute only: {result['ratio_compute']:.2f}")
    print(f"ratio per-paper rank / metrics, compute only: {result['ratio_per_paper_compute']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
