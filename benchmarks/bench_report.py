"""The report against the metrics on the same corpus, in one run: wall time, peak memory, size.

Issue targets: ``cascade report`` (default options, ``--workers 1``) at most 3x the wall time of
``cascade metrics --workers 1`` on the same corpus; peak memory at most 1 GB; the report folder
at most 60 MB with its 100 graph pages. Each command runs in a fresh process; the best of
``--repeat`` runs counts (the machines are shared and noisy: compare ratios from one run).

    python benchmarks/bench_report.py [--papers 10000] [--corpus DIR] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _timed(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one command in a fresh process."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of the children is the largest so far: only a new maximum is this run's.
    return wall, max(peak, before) / 1024


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--corpus", help="an existing corpus (default: generate one)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cascade-bench-report-"))
    corpus = Path(args.corpus) if args.corpus else work / "corpus"
    if not args.corpus:
        sys.path.insert(0, str(HERE))
        from generate import generate_corpus

        generate_corpus(corpus, papers=args.papers, seed=0)
    cli = [sys.executable, "-c", "import sys; from cascade.cli import main; sys.exit(main())"]
    metrics = report = None
    for _ in range(args.repeat):
        m = _timed(
            [*cli, "metrics", str(corpus), "--workers", "1", "-q", "-o", str(work / "m.txt")]
        )
        shutil.rmtree(work / "report", ignore_errors=True)
        r = _timed(
            [*cli, "report", str(corpus), "--workers", "1", "-q", "-o", str(work / "report")]
        )
        metrics = m if metrics is None or m[0] < metrics[0] else metrics
        report = r if report is None or r[0] < report[0] else report
    result = {
        "papers": args.papers,
        "metrics_s": round(metrics[0], 2),
        "report_s": round(report[0], 2),
        "report_over_metrics": round(report[0] / metrics[0], 2),
        "peak_memory_mb": round(max(metrics[1], report[1])),
        "report_folder_mb": round(_size_mb(work / "report"), 1),
        "graph_pages": len(list((work / "report" / "graphs").glob("*.html"))),
    }
    print(json.dumps(result, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
