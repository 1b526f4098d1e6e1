"""Validate the reconstruction methods against the true retweet paths of real Weibo cascades.

Reads the 30 cascades of ``tests/fixtures/weibo_sample.txt`` (a copy of
``shared/data/weibo-paths``: 7,147 adoptions with their full retweet paths), reconstructs every
cascade with each method, and prints per method:

* parent accuracy: the share of the 7,117 retweets whose parent is their true parent (the
  adoption whose path is theirs minus its last user; one true parent is missing from the data,
  so 100% is out of reach by one retweet);
* depth MAE and virality MAE: mean absolute error, over the 30 cascades, of the depth and the
  structural virality of the reconstructed tree against the true tree.

For ``pdi`` and ``influence`` two rows: the representative tree (``reconstruct_paper``), and the
sampled trees (accuracy averaged over samples; errors of the sample means, ``sampled_metrics``).
Weibo gives no follower counts: ``f = 1`` for everyone, so the ``pdi`` followers part is uniform
over the candidates and ``influence`` reduces to its time decay. The data has no follower graph
either: ``follow-graph`` cannot run on it; the ``oracle`` row builds one from the true paths
(retweeter follows their true parent's author), which leaks the answer and only shows the method
with a perfect graph.

Usage::

    python benchmarks/validate_weibo.py [PATH] [--samples 100] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cascade  # noqa: E402
from cascade.ground_truth import true_parents  # noqa: E402
from cascade.metrics import cascade_metrics, forest  # noqa: E402
from cascade.reconstruct import (  # noqa: E402
    estimate_alpha,
    reconstruct_paper,
    sample_parents,
    sampled_metrics,
)

DEFAULT = str(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "weibo_sample.txt")


def _truth_prefix(paper: cascade.Paper) -> np.ndarray:
    return np.array([p.rsplit("/", 1)[0] if "/" in p else "" for p in paper.text], dtype=object)


def _correct(paper: cascade.Paper, parent: np.ndarray) -> tuple[int, int]:
    """Retweets whose parent adoption has the true parent's path; and the number of retweets."""
    retweet = paper.parent >= 0
    ok = paper.text[np.maximum(parent, 0)] == _truth_prefix(paper)
    return int((ok & retweet).sum()), int(retweet.sum())


def _depth_sv(parent: np.ndarray) -> tuple[float, float]:
    depth, _, size = forest(parent)
    n = len(parent)
    s = size[parent >= 0].astype(np.float64)
    return float(depth.max()), float(2.0 * np.sum(s * (n - s)) / (n * (n - 1.0)))


def evaluate(papers, samples: int, seed: int) -> pd.DataFrame:
    truth = {p.citation_id: _depth_sv(true_parents(p)[0]) for p in papers}
    rows = []

    def tree_row(label: str, trees: dict) -> None:
        ok = total = 0
        d_err, v_err = [], []
        for p in papers:
            c, t = _correct(p, trees[p.citation_id].parent)
            ok, total = ok + c, total + t
            m = cascade_metrics(trees[p.citation_id]).iloc[0]
            d_err.append(abs(m["depth"] - truth[p.citation_id][0]))
            v_err.append(abs(m["structural_virality"] - truth[p.citation_id][1]))
        rows.append((label, ok / total, np.mean(d_err), np.mean(v_err)))

    def sampled_row(label: str, method: str, **options) -> None:
        ok = total = 0
        d_err, v_err = [], []
        for p in papers:
            trees = sample_parents(p, method, samples=samples, seed=seed, **options)
            retweet = p.parent >= 0
            hit = p.text[np.maximum(trees, 0)] == _truth_prefix(p)[None, :]
            ok += float(hit[:, retweet].sum()) / samples
            total += int(retweet.sum())
            m = sampled_metrics(p, method, samples=samples, seed=seed, **options).iloc[0]
            d_err.append(abs(m["depth_mean"] - truth[p.citation_id][0]))
            v_err.append(abs(m["structural_virality_mean"] - truth[p.citation_id][1]))
        rows.append((label, ok / total, np.mean(d_err), np.mean(v_err)))

    tree_row("credited (root attribution)", {p.citation_id: p for p in papers})
    for label, opts in [
        ("pdi gamma=0.5 alpha=1.5, modal tree", {}),
        ("pdi gamma=0.5 fitted alpha, modal tree", {"fit_alpha": True}),
        ("pdi gamma=0 alpha=1.5 (time only), modal tree", {"gamma": 0.0}),
    ]:
        trees = {
            p.citation_id: reconstruct_paper(p, "pdi", samples=samples, seed=seed, **opts)
            for p in papers
        }
        tree_row(label, trees)
    sampled_row(f"pdi gamma=0.5 alpha=1.5, {samples} samples", "pdi")
    sampled_row(f"pdi gamma=0.5 fitted alpha, {samples} samples", "pdi", fit_alpha=True)
    tree_row(
        "influence, most probable tree",
        {p.citation_id: reconstruct_paper(p, "influence") for p in papers},
    )
    sampled_row(f"influence, {samples} samples", "influence")
    oracle = {}
    for p in papers:
        parent, _ = true_parents(p)
        child = np.flatnonzero(parent >= 0)
        pairs = list(zip(p.user_keys[p.user[child]], p.user_keys[p.user[parent[child]]]))
        oracle[p.citation_id] = reconstruct_paper(p, "follow-graph", follow_graph=pairs)
    tree_row("ORACLE follow-graph (graph from the true paths)", oracle)
    return pd.DataFrame(rows, columns=["method", "parent_accuracy", "depth_mae", "virality_mae"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=DEFAULT)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    corpus = cascade.read(args.path)
    papers = list(corpus)
    retweets = sum(int((p.parent >= 0).sum()) for p in papers)
    print(f"{len(papers)} cascades, {corpus.log.used} adoptions, {retweets} retweets")
    alphas = [estimate_alpha(p) for p in papers]
    print(f"fitted alpha per cascade: median {np.median(alphas):.3f}")
    start = time.perf_counter()
    table = evaluate(papers, args.samples, args.seed)
    print(f"(evaluated in {time.perf_counter() - start:.1f} s)\n")
    lines = ["| method | parent accuracy | depth MAE | virality MAE |", "|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(
            f"| {r.method} | {100 * r.parent_accuracy:.1f}% | {r.depth_mae:.2f} | "
            f"{r.virality_mae:.3f} |"
        )
    lines.append("| follow-graph | not available: the Weibo sample has no follower graph | | |")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
