"""The report against the metrics on the same corpus, in one run: wall and CPU time, peak memory,
folder size; optionally against another checkout's code on the same input, in the same run.

Issue targets: ``cascade report`` (default options) at most 3x the wall time of
``cascade metrics`` on the same corpus (both ``--workers 1``, or both on all cores with
``--workers default``); peak memory at most 1 GB; the report folder
at most 60 MB with its 100 graph pages. Each command runs in a fresh process; the best of
``--repeat`` runs counts, runs alternating between the checkouts (the machines are shared and
noisy: compare ratios from one run, and CPU seconds rather than wall seconds).

    python benchmarks/bench_report.py [--papers 10000] [--corpus DIR] [--repeat 1]
                                      [--baseline CHECKOUT] [--workers N|default]

``--corpus`` may be any input (a sample folder of ../shared/data, say); without it a corpus of
``--papers`` papers is generated (``generate.py``, seed 0). ``--baseline`` runs the same commands
with the code of another checkout (e.g. a ``git worktree`` of the previous commit).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_CLI = "import sys; from cascade.cli import main; sys.exit(main())"


def _timed(argv: list[str], cwd: Path) -> dict[str, float]:
    """Wall seconds, CPU seconds (user + system, worker processes included) and peak resident
    memory (MB, the largest process) of one command, in a fresh process started in ``cwd`` (so
    ``python -c`` imports that checkout's package)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 2):  # 2: some input skipped, as on real data
        raise SystemExit(f"{' '.join(argv)} failed in {cwd}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak": usage.ru_maxrss / 1024}


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(min(r[k] for r in runs), 2) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--corpus", help="an existing input (default: generate one)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--baseline", help="another checkout, measured alternately")
    parser.add_argument(
        "--workers", default="1", help="for both commands; 'default' leaves it out (all cores)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cascade-bench-report-"))
    corpus = Path(args.corpus).resolve() if args.corpus else work / "corpus"
    if not args.corpus:
        sys.path.insert(0, str(HERE))
        from generate import generate_corpus

        generate_corpus(corpus, papers=args.papers, seed=0)
    trees = {"this": HERE.parent}
    if args.baseline:
        trees["baseline"] = Path(args.baseline).resolve()
    cli = [sys.executable, "-c", _CLI]
    workers = [] if args.workers == "default" else ["--workers", args.workers]
    runs: dict[str, dict[str, list]] = {t: {"metrics": [], "report": []} for t in trees}
    for _ in range(args.repeat):
        for tree, root in trees.items():
            out = work / f"report-{tree}"
            shutil.rmtree(out, ignore_errors=True)
            metrics = [*cli, "metrics", str(corpus), *workers, "-q", "-o", str(work / "m")]
            runs[tree]["metrics"].append(_timed(metrics, root))
            report = [*cli, "report", str(corpus), *workers, "-q", "-o", str(out)]
            runs[tree]["report"].append(_timed(report, root))
    result: dict = {"corpus": str(corpus), "repeat": args.repeat, "workers": args.workers}
    for tree in trees:
        m, r = _best(runs[tree]["metrics"]), _best(runs[tree]["report"])
        result[tree] = {
            "metrics": m,
            "report": r,
            "report_over_metrics_wall": round(r["wall"] / m["wall"], 2),
            "report_over_metrics_cpu": round(r["cpu"] / m["cpu"], 2),
            "report_folder_mb": round(_size_mb(work / f"report-{tree}"), 1),
            "graph_pages": len(list((work / f"report-{tree}" / "graphs").glob("*.html"))),
        }
    if args.baseline:
        this, base = result["this"]["report"], result["baseline"]["report"]
        result["report_this_over_baseline"] = {k: round(this[k] / base[k], 2) for k in this}
    print(json.dumps(result, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
