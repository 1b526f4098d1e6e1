"""Benchmark: SEISMIC predictions for 1,000 cascades of 1,000 posts at 3 observation times.

Target (issue 15): at most 2 s. Three timings, best of ``--repeat``, in the same run:

* ``baseline``: a plain numpy pass over the same arrays, one segment sum per time of the followers
  weighted by the kernel's survival (``sum n_i Phi(t - t_i)``, the cheapest piece of the
  prediction), i.e. what any vectorised code must at least spend;
* ``estimator``: the vectorised estimator over the arrays (``cascade.predict.predict_many``);
* ``papers``: ``cascade.predict_cascades`` over the same cascades as 1,000 ``Paper`` objects
  (roots from the parent arrays, missing-data checks, the table).

The ratios are ``estimator / baseline`` and ``papers / baseline``.

Usage::

    python benchmarks/bench_predict.py [--cascades 1000] [--posts 1000] [--repeat 3] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cascade.model import Paper  # noqa: E402
from cascade.predict import memory_ccdf, predict_cascades, predict_many  # noqa: E402
from cascade.predict.simulate import sample_delays  # noqa: E402

AT = np.array([3600.0, 21600.0, 86400.0])


def make_arrays(cascades: int, posts: int, seed: int):
    """Cascades of ``posts`` posts each: originals at 0, reshare delays from the kernel."""
    rng = np.random.default_rng(seed)
    delays = np.minimum(sample_delays(rng, cascades * (posts - 1)), 30 * 86400.0)
    times = np.concatenate(
        [np.zeros((cascades, 1)), np.sort(np.round(delays).reshape(cascades, -1), axis=1)], axis=1
    ).ravel()
    followers = np.round(rng.lognormal(np.log(100) - 0.5, 1.0, cascades * posts))
    offsets = np.arange(cascades + 1) * posts
    return times, followers, offsets


def make_papers(times: np.ndarray, followers: np.ndarray, offsets: np.ndarray) -> list[Paper]:
    """One paper per cascade: a star (every reshare's parent is the original)."""
    papers = []
    start = np.datetime64("2020-01-01T00:00:00", "s")
    for k in range(len(offsets) - 1):
        n = int(offsets[k + 1] - offsets[k])
        sl = slice(offsets[k], offsets[k + 1])
        parent = np.zeros(n, dtype=np.int64)
        parent[0] = -1
        ids = np.array([f"{k}_{i}" for i in range(n)], dtype=object)
        papers.append(
            Paper(
                citation_id=str(k),
                id=ids,
                author=ids,
                user=np.arange(n, dtype=np.int64),
                time=start + times[sl].astype("timedelta64[s]"),
                followers=followers[sl].copy(),
                text=np.full(n, "", dtype=object),
                kind=np.array(["original"] + ["retweet"] * (n - 1), dtype=object),
                placeholder=np.zeros(n, dtype=bool),
                parent=parent,
                resolution=np.array([""] + ["text"] * (n - 1), dtype=object),
                handles=ids,
                user_keys=ids,
            )
        )
    return papers


def baseline(times: np.ndarray, followers: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    starts = offsets[:-1]
    return np.stack(
        [
            np.add.reduceat(np.where(times <= t, followers * memory_ccdf(t - times), 0.0), starts)
            for t in AT
        ],
        axis=1,
    )


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def run(cascades: int = 1000, posts: int = 1000, repeat: int = 3, seed: int = 0) -> dict:
    """Time the baseline, the estimator and predict_cascades; returns seconds and ratios."""
    times, followers, offsets = make_arrays(cascades, posts, seed)
    papers = make_papers(times, followers, offsets)
    out: dict = {"cascades": cascades, "posts": posts, "times": len(AT)}
    out["baseline_s"], _ = _best(lambda: baseline(times, followers, offsets), repeat)
    out["estimator_s"], table = _best(lambda: predict_many(times, followers, offsets, AT), repeat)
    out["papers_s"], rows = _best(lambda: predict_cascades(papers, at=AT), repeat)
    out["estimator_ratio"] = out["estimator_s"] / out["baseline_s"]
    out["papers_ratio"] = out["papers_s"] / out["baseline_s"]
    # The two paths agree (same cascades, same order).
    np.testing.assert_allclose(
        rows["predicted_retweets"].to_numpy(), table["predicted_retweets"].to_numpy(), rtol=1e-12
    )
    out["supercritical_share"] = float(table["supercritical"].mean())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cascades", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = run(args.cascades, args.posts, args.repeat, args.seed)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
