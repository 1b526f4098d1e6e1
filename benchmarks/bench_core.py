"""Time the core against its floor and a hand-written baseline, in one run.

Stages, each in a fresh process pinned to one core (the targets are single-core):

(a) floor:    read and parse every file with orjson, nothing else;
(b) baseline: json + re + networkx, building each paper's user graph and its PageRank
              (``baseline_networkx.py``: what a user would write by hand);
(c) cascade:  ``cascade metrics CORPUS`` (read, resolve, measure, write the table);
(d) structural virality of a 1,000,000-node random tree and of a 1,000,000-node path.

Each stage runs ``--repeat`` times, interleaved, and the fastest run counts: the machines are
shared and noisy, so ratios measured in the same run are what to compare.

    python benchmarks/bench_core.py [--corpus DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

STAGES = {
    "floor": """
import glob, os, orjson
for path in sorted(glob.glob(os.path.join(CORPUS, "*"))):
    with open(path, "rb") as f:
        orjson.loads(f.read())
""",
    "baseline": """
import sys
sys.path.insert(0, BENCH)
from baseline_networkx import run_baseline
run_baseline([CORPUS])
""",
    "cascade": """
from cascade.cli import main
assert main(["metrics", CORPUS, "--workers", "1", "--format", "csv", "-o", OUT, "--quiet"]) == 0
""",
    "virality": """
import numpy as np
from cascade.metrics import structural_virality
n = 1_000_000
rng = np.random.default_rng(0)
tree = np.concatenate([[-1], (rng.random(n - 1) * np.arange(1, n)).astype(np.int64)])
path = np.arange(-1, n - 1)
for parent in (tree, path):
    t = time.perf_counter()
    structural_virality(parent)
    RESULT.append(time.perf_counter() - t)
""",
}

_RUNNER = """
import json, os, resource, sys, time
os.sched_setaffinity(0, {{0}})
CORPUS, BENCH, OUT = {corpus!r}, {bench!r}, {out!r}
RESULT = []
t0 = time.perf_counter()
{code}
wall = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall": wall, "peak_mb": peak, "extra": RESULT}}))
"""


def run_stage(name: str, corpus: str) -> dict:
    code = _RUNNER.format(
        corpus=corpus,
        bench=str(HERE),
        out="/tmp/_cascade_bench.csv",
        code=STAGES[name],
    )
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="/tmp/cascade-bench-corpus")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.exists():
        sys.path.insert(0, str(HERE))
        from generate import generate_corpus

        print(json.dumps(generate_corpus(corpus, papers=10_000, seed=0)), file=sys.stderr)
    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        for name in STAGES:
            result = run_stage(name, str(corpus))
            if name not in best or result["wall"] < best[name]["wall"]:
                best[name] = result
            print(f"{name}: {result['wall']:.2f} s", file=sys.stderr)
    a, b, c = (best[k]["wall"] for k in ("floor", "baseline", "cascade"))
    tree_s, path_s = best["virality"]["extra"]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"corpus: {corpus} ({sum(1 for _ in corpus.iterdir())} files)\n")
    print("| stage | best wall (s) | peak memory (MB) | ratio |")
    print("|---|---|---|---|")
    peak = {k: f"{v['peak_mb']:.0f}" for k, v in best.items()}
    print(f"| (a) parse only (orjson) | {a:.2f} | {peak['floor']} | 1.00x (a) |")
    print(f"| (b) json + re + networkx | {b:.2f} | {peak['baseline']} | {b / a:.2f}x (a) |")
    print(
        f"| (c) cascade metrics | {c:.2f} | {peak['cascade']} | "
        f"{c / a:.2f}x (a), {c / b:.2f}x (b) |"
    )
    print(
        f"\nstructural virality, 1,000,000-node random tree: {tree_s:.3f} s; path: {path_s:.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
