"""Every command on every real input, as a user runs them: exit 0, nothing lost, outputs parse.

The inputs are every folder of ``tests/data`` (a copy of the shared real samples) and the bundled
sample. Each command runs in this process through :func:`cascade.cli.main`; its outputs are read
back with pandas, json and networkx.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from conftest import DATA, ROOT

import cascade
from cascade.cli import main

FOLDERS = sorted(p for p in DATA.iterdir() if p.is_dir()) + [ROOT / "examples" / "data"]
# Twitter API samples are searches, not papers: their papers come from the DOIs in the texts.
PAPER_ID = {"twitter-v1": "from-text", "twitter-v2": "from-text"}


def _run(folder: Path, *argv: str) -> int:
    args = [*argv, str(folder), "--workers", "1", "-q"]
    if folder.name in PAPER_ID:
        args += ["--paper-id", PAPER_ID[folder.name]]
    return main(args)


@functools.cache
def _papers(folder: Path) -> tuple[cascade.Paper, ...]:
    return tuple(cascade.read(folder, paper_id=PAPER_ID.get(folder.name)))


@pytest.fixture(scope="module", params=FOLDERS, ids=[f.name for f in FOLDERS])
def folder(request) -> Path:
    return request.param


def test_every_record_is_used_or_skipped_with_a_reason(folder):
    corpus = cascade.read(folder, paper_id=PAPER_ID.get(folder.name))
    papers = list(corpus)
    assert papers, corpus.log.summary()
    for entry in corpus.log.files.values():
        assert entry.records == entry.used + sum(entry.skipped.values()), entry
        assert entry.error is None or entry.records == 0 or entry.used >= 0
    # Every used record is a tweet of a paper; originals known only from inside another record
    # are tweets but not records, and from the texts one tweet may belong to several papers.
    in_papers = sum(p.n_tweets - p.embedded for p in papers)
    if folder.name in PAPER_ID:
        assert in_papers >= corpus.log.used
    else:
        assert in_papers == corpus.log.used
    assert len({p.citation_id for p in papers}) == len(papers)


def test_metrics_both_levels(folder, tmp_path):
    papers = _papers(folder)
    cascades = sum(int((p.parent < 0).sum()) for p in papers)
    for per, rows in (("paper", len(papers)), ("cascade", cascades)):
        out = tmp_path / f"{per}.csv"
        assert _run(folder, "metrics", "--per", per, "--format", "csv", "-o", str(out)) == 0
        assert len(pd.read_csv(out)) == rows


def test_rank(folder, tmp_path):
    out = tmp_path / "rank.json"
    assert _run(folder, "rank", "--format", "json", "-o", str(out)) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    users = {k for p in _papers(folder) for k in p.user_keys[p.user[~p.placeholder]].tolist()}
    assert rows and len(rows) >= len(users)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("level", ["user", "tweet"])
def test_graph(folder, tmp_path, level):
    out = tmp_path / "g.html"
    assert _run(folder, "graph", "--level", level, "-o", str(out)) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page


def test_compare(folder, tmp_path):
    out = tmp_path / "compare.json"
    assert _run(folder, "compare", "--format", "json", "-o", str(out)) == 0
    tables = json.loads(out.read_text(encoding="utf-8"))
    assert len(tables["papers"]) == len(_papers(folder))
    stem = tmp_path / "cmp.csv"  # a stem: cmp.papers.csv, cmp.distributions.csv
    assert _run(folder, "compare", "--format", "csv", "-o", str(stem)) == 0
    assert not stem.exists()
    assert len(pd.read_csv(tmp_path / "cmp.papers.csv")) == len(tables["papers"])
    assert len(pd.read_csv(tmp_path / "cmp.distributions.csv")) > 0


@pytest.mark.parametrize("suffix", ["graphml", "gexf", "json", "gml", "csv", "parquet"])
@pytest.mark.parametrize("level", ["user", "tweet"])
def test_export(folder, tmp_path, level, suffix):
    out = tmp_path / f"g.{suffix}"
    assert _run(folder, "export", "--level", level, "-o", str(out)) == 0
    papers = _papers(folder)
    if level == "tweet":
        nodes = sum(len(p) for p in papers)
        edges = sum(int((p.parent >= 0).sum()) for p in papers)
    if suffix in ("csv", "parquet"):
        read = pd.read_csv if suffix == "csv" else pd.read_parquet
        node_table = read(tmp_path / f"g.nodes.{suffix}")
        edge_table = read(tmp_path / f"g.edges.{suffix}")
        if level == "tweet":
            assert (len(node_table), len(edge_table)) == (nodes, edges)
        return
    if suffix == "json":
        doc = json.loads(out.read_text(encoding="utf-8"))
        graph = nx.node_link_graph(doc, edges="links")
    elif suffix == "gml":
        graph = nx.read_gml(out)
    else:
        graph = (nx.read_graphml if suffix == "graphml" else nx.read_gexf)(out)
    if level == "tweet":
        # Node keys are unique within the file: no two tweets merge.
        assert graph.number_of_nodes() == nodes
        assert graph.number_of_edges() == edges


def test_report(folder, tmp_path):
    out = tmp_path / "report"
    assert _run(folder, "report", "--graphs", "5", "-o", str(out)) == 0
    assert (out / "index.html").is_file()
    papers = pd.read_csv(out / "papers.csv")
    assert len(papers) == len(_papers(folder))
    for csv in out.glob("*.csv"):
        pd.read_csv(csv)  # every table parses
    pages = sorted(p.name for p in (out / "graphs").iterdir())
    index = (out / "index.html").read_text(encoding="utf-8")
    linked = sorted(set(re.findall(r"graphs/([^\"'<>\s]+\.html)", index)))
    assert len(pages) == min(5, int((papers["tweets"] > 0).sum()))
    assert linked == pages  # the index links every page, and no stale one is left
    assert not list(tmp_path.glob(".report.*"))  # no staging folder left behind
