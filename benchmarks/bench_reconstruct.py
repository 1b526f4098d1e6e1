"""Time the reconstruction methods on one large synthetic cascade.

Target (issue 5): a 100,000-retweet cascade with K = 100 sampled trees in at most 30 s. The
baseline measured in the same run is one credited pass over the same paper
(``cascade_metrics``), so figures are also given as ratios to it (the machine is shared and noisy).

Usage::

    python benchmarks/bench_reconstruct.py [--retweets 100000] [--samples 100] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cascade.io.records import PaperRecords  # noqa: E402
from cascade.metrics import cascade_metrics  # noqa: E402
from cascade.reconstruct import (  # noqa: E402
    expected_influence,
    reconstruct_paper,
    sample_parents,
    sampled_metrics,
)
from cascade.resolve import resolve  # noqa: E402


def star(retweets: int, seed: int = 0):
    """One cascade: a root and ``retweets`` native retweets crediting it, heavy-tailed
    followers, inter-arrival times drawn from a Pareto law (one year and more in all)."""
    rng = np.random.default_rng(seed)
    times = np.cumsum(np.floor(rng.pareto(1.2, retweets + 1) * 20)).astype(np.int64)
    followers = np.floor(rng.lognormal(5, 2, retweets + 1))
    records = PaperRecords("bench", "synthetic")
    records.add("0", "root", int(times[0]), float(followers[0]), "post")
    for k in range(1, retweets + 1):
        records.add(
            str(k), f"u{k}", int(times[k]), float(followers[k]), "RT @root: post",
            ref_id="0", ref_kind="retweet",
        )  # fmt: skip
    return resolve(records)


def clock(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--retweets", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paper = star(args.retweets, args.seed)
    k = args.samples
    base, _ = clock(cascade_metrics, paper)
    rows = [("baseline: cascade_metrics, credited", base)]
    rows.append((f"pdi: sample_parents, K={k}", clock(sample_parents, paper, "pdi", samples=k)[0]))
    rows.append(
        (
            f"influence: sample_parents, K={k}",
            clock(sample_parents, paper, "influence", samples=k)[0],
        )
    )
    rows.append(
        (f"pdi: sampled_metrics, K={k}", clock(sampled_metrics, paper, "pdi", samples=k)[0])
    )
    rows.append(
        (f"pdi: reconstruct (modal tree), K={k}", clock(reconstruct_paper, paper, "pdi")[0])
    )
    rows.append(
        (
            "influence: reconstruct (most probable tree)",
            clock(reconstruct_paper, paper, "influence")[0],
        )
    )
    rows.append(("influence: expected_influence, exact", clock(expected_influence, paper)[0]))
    print(f"one cascade of {args.retweets:,} retweets, {k} samples")
    print("| step | seconds | x baseline |\n|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / base:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
