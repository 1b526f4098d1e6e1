"""Benchmark: per-paper work on 2 worker processes against 1, and a full report, on the
10,000-paper synthetic corpus.

Usage::

    python benchmarks/bench_parallel.py [--corpus DIR] [--papers 10000] [--repeats 2]
                                        [--report-dir DIR] [--no-report]

The corpus is generated with ``benchmarks/generate.py`` into ``DIR`` when it is missing. Runs of 1
and 2 workers alternate (1, 2, 1, 2, ...) so background load hits both alike; the best time of
each is kept and the ratio ``time(2 workers) / time(1 worker)`` is reported (target <= 0.65 on 2
free cores). The report is timed once, with 2 workers. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _corpus(path: Path, papers: int) -> Path:
    if not path.exists() or not any(path.iterdir()):
        sys.path.insert(0, str(HERE))
        from generate import generate_corpus

        generate_corpus(path, papers=papers, seed=0)
    return path


def _folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="/tmp/cascade-bench-corpus")
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--report-dir", default="/tmp/cascade-bench-report")
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)

    from cascade.parallel import measure

    corpus = _corpus(Path(args.corpus), args.papers)
    times: dict[int, list[float]] = {1: [], 2: []}
    tables = {}
    for _ in range(args.repeats):
        for workers in (1, 2):
            start = time.perf_counter()
            result = measure(corpus, workers=workers)
            times[workers].append(time.perf_counter() - start)
            tables[workers] = result
    identical = tables[1].papers.equals(tables[2].papers) and tables[1].cascades.equals(
        tables[2].cascades
    )
    out = {
        "papers": len(tables[1].papers),
        "tweets": int(tables[1].papers["tweets"].sum()),
        "cores": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0],
        "seconds_1_worker": [round(t, 2) for t in times[1]],
        "seconds_2_workers": [round(t, 2) for t in times[2]],
        "ratio_2_vs_1": round(min(times[2]) / min(times[1]), 3),
        "identical_tables": bool(identical),
    }
    if not args.no_report:
        from cascade.report import report

        start = time.perf_counter()
        report(corpus, args.report_dir, workers=2)
        out["report_seconds"] = round(time.perf_counter() - start, 1)
        index = Path(args.report_dir) / "index.html"
        out["index_html_bytes"] = index.stat().st_size
        out["report_bytes"] = _folder_bytes(Path(args.report_dir))
        out["load_average_1min_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
