"""The whole pipeline on generated corpora and on mutated real files.

read -> metrics -> rank -> to_html -> export (-> report) must finish on every corpus a user can
hold: papers without retweets, without any follower count, made only of placeholders, with
empty texts, at the extremes of valid dates, with tweets repeated within and across files, and
several papers in one JSON Lines file. Every input record is used or counted as skipped. On
mutated real files only :class:`~cascade.errors.InputError` may escape.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import mutated

import cascade
from cascade.errors import InputError
from cascade.export import export
from cascade.report import report

EXTREME_TIMES = ["0001-01-01 00:00:00", "9999-12-31 23:59:59"]
HANDLES = ["ann", "Bob", "bob", "cy", "dee", "=cmd", "@at", "eve<script>"]


@st.composite
def tweets(draw, paper_class: str) -> dict[str, dict]:
    """One paper's details-page tweets of the given class, keyed by tweet id."""
    n = draw(st.integers(1, 8))
    out = {}
    for i in range(n):
        author = draw(st.sampled_from(HANDLES))
        if paper_class == "no retweets":
            text = draw(st.sampled_from(["A paper", "Read this", "=1+1 formula", "-x"]))
        elif paper_class == "only placeholders":
            text = f"RT @ghost{i % 2}: an unseen original"
        elif paper_class == "empty texts":
            text = ""
        else:
            text = draw(st.sampled_from(["A paper", "RT @ann: A paper", "RT @bob: RT @ann: x"]))
        if paper_class == "extreme dates":
            time = draw(st.sampled_from(EXTREME_TIMES))
        else:
            time = f"2020-01-{1 + i:02d} 0{draw(st.integers(0, 9))}:00:00"
        followers = None if paper_class == "no followers" else draw(st.sampled_from(["1,024", 7]))
        out[str(1000 + i)] = {
            "author": f"@{author}",
            "followers": followers,
            "datetime": time,
            "content_summary": text,
        }
    return out


CLASSES = ["no retweets", "no followers", "only placeholders", "empty texts", "extreme dates"]


@st.composite
def corpora(draw) -> list[tuple[str, list[dict]]]:
    """Files (name, documents): each class of paper, repeats within and across files."""
    papers = []
    for k, paper_class in enumerate(draw(st.lists(st.sampled_from(CLASSES), min_size=1))):
        doc = {"citation_id": f"p{k}", "tab": "twitter", "twitter": draw(tweets(paper_class))}
        papers.append(doc)
    files = [("multi.jsonl", papers)]  # several papers in one JSON Lines file
    if draw(st.booleans()):  # the first paper again, in another file: one paper, repeats once
        again = json.loads(json.dumps(papers[0]))
        extra = {"9999": {**next(iter(again["twitter"].values())), "content_summary": "new"}}
        again["twitter"].update(extra)
        files.append(("again.json", [again]))
    return files


def _write(folder: Path, files: list[tuple[str, list[dict]]]) -> None:
    folder.mkdir(exist_ok=True)
    for name, docs in files:
        (folder / name).write_text("\n".join(json.dumps(d) for d in docs), encoding="utf-8")


def _expected(files: list[tuple[str, list[dict]]]) -> dict[str, set[str]]:
    """Paper id -> distinct tweet ids over every file."""
    out: dict[str, set[str]] = {}
    for _, docs in files:
        for d in docs:
            out.setdefault(d["citation_id"], set()).update(d["twitter"])
    return out


def _pipeline(folder: Path, out: Path) -> list[cascade.Paper]:
    corpus = cascade.read(folder)
    papers = list(corpus)
    log = corpus.log
    assert log.records == log.used + sum(log.skipped.values())
    cascade.paper_metrics(papers)
    cascade.cascade_metrics(papers)
    if papers:
        cascade.rank_users(papers)
    if any(p.n_tweets for p in papers):  # a graph of nothing is an error ("nothing to draw")
        for level in ("user", "tweet"):
            page = cascade.to_html(papers, level=level)
            assert "<script>alert" not in page and "eve<script>" not in page
        for suffix in ("gexf", "graphml", "json"):
            export(papers, out / f"t.{suffix}", level="tweet")
        nx.read_gexf(out / "t.gexf")
        export(papers, out / "t.csv", level="tweet", formula_guard=False)
    return papers


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(files=corpora())
def test_generated_corpora_go_through_the_whole_pipeline(files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    out = tmp_path_factory.mktemp("out")
    _write(folder, files)
    papers = _pipeline(folder, out)
    expected = _expected(files)
    assert sorted(p.citation_id for p in papers) == sorted(expected)
    for p in papers:  # a tweet repeated within or across files counts once
        assert set(p.id[~p.placeholder].tolist()) == expected[p.citation_id]
    # The tweet table reads back unchanged (formula guard off), placeholders included.
    nodes = pd.read_csv(out / "t.nodes.csv", dtype=str, keep_default_na=False)
    assert len(nodes) == sum(len(p) for p in papers)
    back = list(cascade.read(out / "t.nodes.csv"))
    assert sorted(len(p) for p in back) == sorted(len(p) for p in papers)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(files=corpora())
def test_generated_corpora_report(files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("in")
    _write(folder, files)
    result = report(folder, tmp_path_factory.mktemp("r") / "report", workers=1)
    assert (result.out_dir / "index.html").is_file()
    assert len(result.papers) == len(_expected(files))
    assert result.log.records == result.log.used + sum(result.log.skipped.values())


def test_a_paper_with_no_follower_counts_has_unknown_reach(tmp_path):
    doc = {
        "citation_id": "p",
        "tab": "twitter",
        "twitter": {
            "1": {"author": "@a", "datetime": "2020-01-01 00:00:00", "content_summary": "x"},
            "2": {"author": "@b", "datetime": "2020-01-01 00:01:00", "content_summary": "RT @a: x"},
        },
    }
    (tmp_path / "p.json").write_text(json.dumps(doc))
    table = cascade.rank_users(cascade.read(tmp_path))
    row = table.set_index("handle").loc["a"]
    assert row["retweets_received"] == 1 and np.isnan(row["reach"])
    assert table.set_index("handle").loc["b", "reach"] == 0  # no retweeters: nothing reached


def _pipeline_or_input_error(path: Path, out: Path) -> None:
    try:
        _pipeline(path, out)
    except InputError as err:
        assert "\n" not in str(err)


def _fuzz(fmt: str):
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
    @given(doc=mutated(fmt))
    def run(doc, tmp_path_factory):
        folder = tmp_path_factory.mktemp("f")
        path = folder / "f.json"
        path.write_bytes(json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass"))
        _pipeline_or_input_error(folder, tmp_path_factory.mktemp("o"))

    return run


test_pipeline_fuzz_altmetric_api = _fuzz("altmetric-api")
test_pipeline_fuzz_twitter_v1 = _fuzz("twitter-v1")
test_pipeline_fuzz_twitter_v2 = _fuzz("twitter-v2")
test_pipeline_fuzz_crossref = _fuzz("crossref-events")
test_pipeline_fuzz_backtype = _fuzz("backtype")
test_pipeline_fuzz_altmetric_tab = _fuzz("altmetric-tab")
