"""Check the batched resolution against the tweet-by-tweet rules on a whole corpus.

The tests compare the two on small generated batches; this runs them over a synthetic corpus of
realistic size (``generate.py``) and reports the first paper and column that differ, and the time
each took. ``--drop 0.2`` leaves out a fifth of the tweets first (seeded), so that retweets lose
their originals: unseen-original placeholders, chain hops and author-time fallbacks at scale.
``--same-text`` lets the ``same_text`` rule link every paper (as for Altmetric API sources), so
that the bulk rule meets the others at scale too.

    python benchmarks/check_resolution.py /tmp/bench-corpus [--batch-tweets 50000] [--drop 0.2]
        [--same-text]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import cascade
from cascade.model import COLUMNS
from cascade.resolve import resolve_many
from cascade.resolve.rules import resolve_sequential


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--batch-tweets", type=int, default=50_000)
    parser.add_argument("--drop", type=float, default=0.0, help="share of tweets left out")
    parser.add_argument("--same-text", action="store_true", help="allow the same_text rule")
    args = parser.parse_args(argv)

    records = list(cascade.read(args.corpus).records())
    rng = np.random.default_rng(0)
    for r in records:
        keep = np.flatnonzero(rng.random(len(r)) >= args.drop).tolist()
        for name in ("id", "author", "time", "followers", "text", "ref_id", "ref_kind", "credited"):
            column = getattr(r, name)
            setattr(r, name, [column[i] for i in keep])
        r.same_text |= args.same_text
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
    slow = [resolve_sequential(r) for r in records]
    t_slow = time.perf_counter() - t
    for got, want in zip(fast, slow):
        for name in (*COLUMNS, "handles", "user_keys"):
            a, b = getattr(got, name), getattr(want, name)
            if not np.array_equal(a, b, equal_nan=a.dtype.kind in "fM"):  # NaN, NaT
                print(f"differ: paper {got.citation_id}, column {name}", file=sys.stderr)
                return 1
    tweets = sum(len(r) for r in records)
    placeholders = sum(p.n_placeholders for p in fast)
    print(
        f"{len(records)} papers, {tweets} tweets, {placeholders} placeholders: identical; "
        f"batched {t_fast:.2f} s, "
        f"tweet by tweet {t_slow:.2f} s ({t_fast / t_slow:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
