"""Exports: GEXF, GraphML, GML, JSON, tables; atomic writes; the read-export-read round trip."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cascade
from cascade.cli import main
from cascade.export import export, graph_tables
from cascade.io.records import PaperRecords
from cascade.resolve import resolve

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "data"
FIX = ROOT / "tests" / "fixtures"
GEXF = "{http://www.gexf.net/1.2draft}"


def test_edge_tables_start_with_source_target_kind():
    forest_kinds = ("retweet", "quote", "reply")
    nodes, edges = graph_tables(cascade.read(SAMPLE), level="user", kinds=forest_kinds)
    assert list(edges.columns) == ["source", "target", "kind", "weight"]
    assert int(edges["weight"].sum()) == 188  # every edge of the sample's forest
    _, retweets = graph_tables(cascade.read(SAMPLE), level="user")  # the default: retweets
    assert retweets["kind"].unique().tolist() == ["retweet"]
    default_graph = cascade.user_graph(cascade.read(SAMPLE))
    assert int(retweets["weight"].sum()) == sum(default_graph.es["weight"]) == 188
    nodes, edges = graph_tables(cascade.read(SAMPLE), level="tweet")
    assert list(edges.columns[:5]) == ["source", "target", "kind", "resolution", "probability"]
    assert edges["source"].map(type).eq(str).all() and nodes["tweet_id"].map(type).eq(str).all()
    assert len(nodes) == 258 and len(edges) == 188


def test_gexf_for_gephi(tmp_path):
    path = tmp_path / "g.gexf"
    export(cascade.read(FIX / "twitter_v1_search_head.json", paper_id="p"), path, level="tweet")
    root = ET.parse(path).getroot()
    graph = root.find(f"{GEXF}graph")
    # "date" with full ISO-8601 times: what networkx.read_gexf reads back ("dateTime" it cannot).
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    back = nx.read_gexf(path)
    assert back.number_of_nodes() == len(list(root.iter(f"{GEXF}node")))
    assert back.number_of_edges() == len(list(root.iter(f"{GEXF}edge")))
    titles = {a.get("title") for a in root.iter(f"{GEXF}attribute")}
    assert "kind" in titles and "type" not in titles
    nodes = list(root.iter(f"{GEXF}node"))
    p = next(iter(cascade.read(FIX / "twitter_v1_search_head.json", paper_id="p")))
    assert len(nodes) == len(p)
    starts = [n.get("start") for n in nodes if n.get("start")]
    assert len(starts) == p.n_tweets  # placeholders have no known time
    assert all(pd.Timestamp(s).tzinfo is not None for s in starts)
    kind_id = next(a.get("id") for a in root.iter(f"{GEXF}attribute") if a.get("title") == "kind")
    edge_kinds = {
        v.get("value")
        for e in root.iter(f"{GEXF}edge")
        for v in e.iter()
        if v.get("for") == kind_id
    }
    assert edge_kinds == {"retweet", "quote", "reply"}
    assert "nan" not in path.read_text(encoding="utf-8").lower().replace("nanc", "")


def test_cli_export_has_the_api_default_kinds(tmp_path):
    """Retweets only, as user_graph: on a file whose forest has quotes and replies too."""
    src = FIX / "twitter_v1_search_head.json"
    out = tmp_path / "users.csv"
    assert main(["export", str(src), "--paper-id", "p", "--format", "csv", "-o", str(out)]) == 0
    edges = pd.read_csv(tmp_path / "users.edges.csv", dtype={"source": str, "target": str})
    papers = list(cascade.read(src, paper_id="p"))
    _, api = graph_tables(papers)
    _, every = graph_tables(papers, kinds=("retweet", "quote", "reply"))
    assert set(every["kind"]) == {"retweet", "quote", "reply"}
    assert edges["kind"].unique().tolist() == ["retweet"] and len(edges) < len(every)
    graph = cascade.user_graph(papers)
    assert edges["weight"].sum() == api["weight"].sum() == sum(graph.es["weight"])
    assert edges[["source", "target"]].values.tolist() == api[["source", "target"]].values.tolist()


def test_graphml_gml_and_json_read_back_with_networkx(tmp_path):
    corpus = cascade.read(SAMPLE)
    for fmt in ("graphml", "gml", "json"):
        export(corpus, tmp_path / f"u.{fmt}")
    g = nx.read_graphml(tmp_path / "u.graphml")
    nodes, edges = graph_tables(corpus)
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(edges)
    v = g.nodes["byron_c_wallace"]
    assert isinstance(v["tweets"], int) and isinstance(v["followers"], float)
    assert v["first_seen"].endswith("+00:00")
    h = nx.read_gml(tmp_path / "u.gml")
    assert h.number_of_edges() == len(edges)
    doc = json.loads((tmp_path / "u.json").read_text(encoding="utf-8"))
    assert len(doc["nodes"]) == len(nodes) and len(doc["links"]) == len(edges)
    assert {"source", "target", "kind", "weight"} <= set(doc["links"][0])


def test_tables_are_written_as_two_files(tmp_path):
    written = export(cascade.read(SAMPLE), tmp_path / "out.parquet", level="tweet")
    assert [Path(w).name for w in written] == ["out.nodes.parquet", "out.edges.parquet"]
    nodes = pd.read_parquet(written[0])
    assert nodes["tweet_id"].map(type).eq(str).all() and len(nodes) == 258


def test_an_interrupted_export_leaves_no_file(tmp_path, monkeypatch):
    def boom(g, path, **kw):
        Path(path).write_text("<graphml half")
        raise KeyboardInterrupt

    monkeypatch.setattr(nx, "write_graphml", boom)
    with pytest.raises(KeyboardInterrupt):
        export(cascade.read(SAMPLE), tmp_path / "g.graphml")
    assert list(tmp_path.iterdir()) == []


def test_cli_export(tmp_path, capsys):
    out = tmp_path / "t.csv"
    code = main(["export", str(SAMPLE), "--to", "csv", "--level", "tweet", "-o", str(out)])
    assert code == 0
    assert (tmp_path / "t.nodes.csv").is_file() and (tmp_path / "t.edges.csv").is_file()
    assert "258 records" in capsys.readouterr().err
    code = main(["export", str(FIX / "crossref_events_179_head.json"), "-o", str(tmp_path / "g")])
    assert code == 2  # no format from a suffix-less name


def _fingerprint(p):
    child = np.flatnonzero(p.parent >= 0)
    parent_of = dict(zip(p.id[child].tolist(), p.id[p.parent[child]].tolist()))
    rows = {}
    for i, tid in enumerate(p.id.tolist()):
        f = p.followers[i]
        rows[tid] = (
            str(p.time[i]),
            None if math.isnan(f) else f,
            parent_of.get(tid),
            p.kind[i],
            bool(p.placeholder[i]),
            p.author[i],
        )
    return rows


def _round_trip(papers, tmp_path):
    export(papers, tmp_path / "t.csv", level="tweet")
    back = {p.citation_id: p for p in cascade.read(tmp_path / "t.nodes.csv")}
    return back


@pytest.mark.parametrize(
    "name, kw",
    [
        ("twitter_v1_search_head.json", {"paper_id": "p"}),
        ("twitter_v2_flat_head.jsonl", {"paper_id": "p"}),
        ("crossref_events_179_head.json", {}),
        ("backtype_page1.json", {}),
        ("chain_tree.json", {}),
        ("altmetric_api_357137.json", {}),
    ],
)
def test_round_trip_real_samples(name, kw, tmp_path):
    papers = list(cascade.read(FIX / name, **kw))
    back = _round_trip(papers, tmp_path)
    assert sorted(back) == sorted(p.citation_id for p in papers)
    for p in papers:
        assert _fingerprint(back[p.citation_id]) == _fingerprint(p)


handles = st.sampled_from(["ann", "Bob", "cy", "dee", "Ed"])
texts = st.one_of(
    st.sampled_from(["A paper", "RT @ann: A paper", "RT @bob: RT @cy: A paper", "@dee hi", "x"]),
    st.text(max_size=20),
)
tweets = st.lists(
    st.tuples(
        st.integers(2**53, 2**63 - 1),
        handles,
        st.integers(0, 10**9),
        st.one_of(st.none(), st.integers(0, 10**7)),
        texts,
        st.one_of(st.none(), st.integers(0, 30)),
        st.sampled_from(["retweet", "quote", "reply"]),
    ),
    max_size=30,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tweets=tweets)
def test_round_trip_property(tweets, tmp_path_factory):
    r = PaperRecords("paper,1", "generated")
    ids = [str(t[0]) for t in tweets]
    for tid, who, time, followers, text, ref, kind in tweets:
        ref_id = None if ref is None else (ids[ref] if ref < len(ids) else f"9{ref}")
        r.add(tid, who, time, math.nan if followers is None else float(followers), text,
              ref_id=ref_id, ref_kind=kind if ref_id else None)  # fmt: skip
    paper = resolve(r)
    back = _round_trip([paper], tmp_path_factory.mktemp("rt"))
    if len(paper) == 0:
        assert back == {}
        return
    assert _fingerprint(back["paper,1"]) == _fingerprint(paper)


def test_graph_files_have_the_to_networkx_schema(tmp_path):
    """One networkx schema: the files are to_networkx's graphs plus Gephi's label and start."""
    from cascade.graph import to_networkx, tweet_graph, user_graph

    papers = list(cascade.read(FIX / "twitter_v1_search_head.json", paper_id="p"))
    export(papers, tmp_path / "u.graphml")
    export(papers, tmp_path / "t.graphml", level="tweet")
    users, tweets = nx.read_graphml(tmp_path / "u.graphml"), nx.read_graphml(tmp_path / "t.graphml")
    for written, graph, extra in (
        (users, to_networkx(user_graph(papers)), {"label", "start"}),
        (tweets, to_networkx(tweet_graph(papers[0])), {"label", "start", "citation_id"}),
    ):
        assert set(written) == set(graph)
        for key, data in graph.nodes(data=True):
            has = set(written.nodes[key])  # "start" only where a time is known
            assert has - {"start"} == set(data) | (extra - {"start"})
            assert ("start" in has) == any(t in data for t in ("time", "first_seen"))
            assert {k: written.nodes[key][k] for k in data} == data
        for s, d, data in graph.edges(data=True):
            assert {k: written[s][d][k] for k in data} == data
    forest = to_networkx(tweet_graph(papers[0]))
    placeholder = next(k for k, v in forest.nodes(data=True) if v["placeholder"])
    assert "time" not in forest.nodes[placeholder]  # unknown: left out, not None or NaN
    assert {"kind", "resolution"} == set(next(iter(forest.edges(data=True)))[2])
    dated = next(v for _, v in forest.nodes(data=True) if "time" in v)
    assert dated["time"].endswith("+00:00") and tweets.graph["level"] == "tweet"


def test_tweet_files_of_several_papers_key_nodes_by_paper(tmp_path):
    papers = [next(iter(cascade.read(SAMPLE))), next(iter(cascade.read(FIX / "chain_tree.json")))]
    export(papers, tmp_path / "t.gml", level="tweet")
    g = nx.read_gml(tmp_path / "t.gml")
    assert g.number_of_nodes() == sum(len(p) for p in papers)
    assert g.number_of_edges() == sum(int((p.parent >= 0).sum()) for p in papers)
    for p in papers:
        key = f"{p.citation_id}/{p.id[0]}"
        assert g.nodes[key]["citation_id"] == p.citation_id


def test_to_nx_is_deprecated():
    from cascade.export import to_nx

    nodes, edges = graph_tables(cascade.read(SAMPLE))
    with pytest.warns(DeprecationWarning, match=r"to_nx\(\) is deprecated: use cascade\.graph"):
        g = to_nx(nodes, edges, level="user")
    assert g.number_of_edges() == len(edges)


@given(
    st.lists(
        st.none() | st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        max_size=8,
    ),
    st.sampled_from(["s", "ms", "us", "ns"]),
    st.booleans(),
)
def test_iso_strings_are_isoformat(values, unit, utc):
    from cascade.output import iso_strings

    times = pd.Series(pd.to_datetime(values, utc=utc))
    try:
        times = times.astype(f"datetime64[{unit}, UTC]" if utc else f"datetime64[{unit}]")
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        return  # outside the unit's range
    expected = [None if pd.isna(t) else t.isoformat() for t in times]
    assert iso_strings(times).tolist() == expected
