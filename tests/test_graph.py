"""igraph builders and the networkx conversion."""

from __future__ import annotations

import math
from collections import Counter

import networkx as nx
import pytest

import cascade
from cascade.graph import to_networkx, tweet_graph, user_graph


@pytest.fixture
def sample(sample_path):
    (paper,) = list(cascade.read(sample_path))
    return paper


def test_tweet_graph_is_a_forest_pointing_the_way_information_flowed(sample):
    g = tweet_graph(sample)
    assert (g.vcount(), g.ecount()) == (258, 188)
    assert max(g.indegree()) == 1
    assert g.is_dag()
    assert len(g.connected_components(mode="weak")) == 70
    for e in g.es:
        source, target = g.vs[e.source], g.vs[e.target]
        assert target["text"].lower().startswith(f"rt @{source['user']}")
        assert source["time"] <= target["time"]
        assert e["kind"] == "retweet"
    assert g["citation_id"] == "56155705" and g["level"] == "tweet"
    assert g.vs[0]["time"].tzinfo is not None


def test_reverse_flips_every_edge(sample):
    forward, backward = tweet_graph(sample), tweet_graph(sample, reverse=True)
    assert sorted(forward.get_edgelist()) == sorted((b, a) for a, b in backward.get_edgelist())


def test_user_graph_weights_are_retweet_counts(sample, sample_raw):
    g = user_graph(sample)
    received = {v["handle"]: g.strength(v, mode="out", weights="weight") for v in g.vs}
    top = sorted(received.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert top == [("byron_c_wallace", 66), ("icoxfog417", 31), ("mark_riedl", 20)]
    assert sum(g.es["weight"]) == 188
    assert set(g.es["kind"]) == {"retweet"}
    tweets = Counter(t["author"].lower().lstrip("@") for t in sample_raw["twitter"].values())
    assert {v["name"]: v["tweets"] for v in g.vs} == dict(tweets)
    v = g.vs.find(name="marypcbuk")
    assert v["followers"] == 11314 and v["papers"] == 1


def test_user_graph_mentions_on_request(sample):
    g = user_graph(sample, kinds=("retweet", "mention"))
    kinds = Counter(g.es["kind"])
    assert kinds["retweet"] == 184
    # @ytay017 is mentioned in an original tweet, but never tweeted about the paper.
    v = g.vs.find(name="ytay017")
    assert v["tweets"] == 0 and v["papers"] == 0
    assert "mention" in {g.es[e]["kind"] for e in g.incident(v, mode="in")}
    with pytest.raises(ValueError, match="unknown edge kinds"):
        user_graph(sample, kinds=("like",))


def test_corpus_graph_merges_users_across_papers(tmp_path, sample_path):
    other = tmp_path / "copy.json"
    other.write_text(sample_path.read_text().replace("56155705", "other"))
    g = user_graph(cascade.read([sample_path, other]))
    single = user_graph(next(iter(cascade.read(sample_path))))
    assert g.vcount() == single.vcount()
    assert sum(g.es["weight"]) == 2 * 188
    assert set(g.vs["papers"]) == {2}
    assert g["citation_id"] is None


def test_followers_are_the_latest_known(tmp_path):
    from conftest import write_paper

    path = write_paper(
        tmp_path / "p.json",
        {
            "1": ("@a", "10", "2020-01-01 00:00:00", "x"),
            "2": ("@A", "30", "2020-01-03 00:00:00", "y"),
            "3": ("@a", "", "2020-01-04 00:00:00", "z"),
            "4": ("@b", "", "2020-01-02 00:00:00", "RT @a: x"),
        },
    )
    g = user_graph(cascade.read(path))
    assert g.vs.find(name="a")["followers"] == 30
    assert math.isnan(g.vs.find(name="b")["followers"])
    assert g.vs.find(name="a")["first_seen"].isoformat() == "2020-01-01T00:00:00+00:00"


def test_to_networkx_keeps_attributes_and_direction(sample):
    g = to_networkx(user_graph(sample))
    assert isinstance(g, nx.DiGraph) and not g.is_multigraph()
    assert g.number_of_nodes() == 210 and g.number_of_edges() == 184
    assert g["byron_c_wallace"]["geilehirnbude"] == {"kind": "retweet", "weight": 1}
    assert g.nodes["byron_c_wallace"]["handle"] == "byron_c_wallace"
    flipped = to_networkx(user_graph(sample), reverse=True)
    assert flipped.has_edge("geilehirnbude", "byron_c_wallace")
    multi = to_networkx(user_graph(sample, kinds=("retweet", "mention")))
    assert multi.is_multigraph()
    t = to_networkx(tweet_graph(sample))
    assert nx.is_forest(t) and t.number_of_nodes() == 258
