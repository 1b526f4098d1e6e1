"""Check the batched resolution against the tweet-by-tweet rules on a whole corpus.

The tests compare the two on small generated batches; this runs them over a synthetic corpus of
realistic size (``generate.py``) and reports the first paper and column that differ, and the time
each took.

    python benchmarks/check_resolution.py /tmp/bench-corpus [--batch-tweets 50000]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import cascade
from cascade.model import COLUMNS
from cascade.resolve import _resolve_sequential, resolve_many


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--batch-tweets", type=int, default=50_000)
    args = parser.parse_args(argv)

    records = list(cascade.read(args.corpus).records())
    batches, batch, size = [], [], 0
    for r in records:
        batch.append(r)
        size += len(r)
        if size >= args.batch_tweets:
            batches.append(batch)
            batch, size = [], 0
    batches.append(batch)

    t = time.perf_counter()
    fast = [p for b in batches for p in resolve_many(b)]
    t_fast = time.perf_counter() - t
    t = time.perf_counter()
    slow = [_resolve_sequential(r) for r in records]
    t_slow = time.perf_counter() - t
    for got, want in zip(fast, slow):
        for name in (*COLUMNS, "handles", "user_keys"):
            if not np.array_equal(
                getattr(got, name), getattr(want, name), equal_nan=name == "followers"
            ):
                print(f"differ: paper {got.citation_id}, column {name}", file=sys.stderr)
                return 1
    tweets = sum(len(r) for r in records)
    print(
        f"{len(records)} papers, {tweets} tweets: identical; batched {t_fast:.2f} s, "
        f"tweet by tweet {t_slow:.2f} s ({t_fast / t_slow:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
