"""Cascade and paper metrics against hand-computed values, closed forms and networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cascade
from cascade.io.records import PaperRecords
from cascade.metrics import forest, structural_virality
from cascade.resolve import resolve

HAND_TREE = np.array([-1, 0, 0, 1, 1, 3])  # R->A, R->B, A->C, A->D, C->E


def test_hand_tree():
    depth, root, size = forest(HAND_TREE)
    assert size.tolist() == [6, 4, 1, 2, 1, 1]
    assert depth.tolist() == [0, 1, 1, 2, 2, 3]
    wiener = sum(s * (6 - s) for s in size[1:])
    assert wiener == 31
    assert structural_virality(HAND_TREE) == pytest.approx(62 / 30)


@pytest.mark.parametrize("n", [2, 3, 10, 1000])
def test_star_and_path_closed_forms(n):
    star = np.array([-1] + [0] * (n - 1))
    path = np.arange(-1, n - 1)
    assert structural_virality(star) == pytest.approx(2 * (n - 1) / n)
    assert structural_virality(path) == pytest.approx((n + 1) / 3)


def test_single_vertex_and_deep_path():
    assert np.isnan(structural_virality(np.array([-1])))
    n = 200_000  # far deeper than any recursion limit
    depth, _, size = forest(np.arange(-1, n - 1))
    assert depth[-1] == n - 1 and size[0] == n


def test_rejects_unordered_parents():
    with pytest.raises(ValueError, match="topological"):
        forest(np.array([1, -1]))


@st.composite
def random_trees(draw):
    n = draw(st.integers(1, 60))
    return np.array([-1] + [draw(st.integers(0, i - 1)) for i in range(1, n)])


@settings(max_examples=200, deadline=None)
@given(random_trees())
def test_agrees_with_networkx_all_pairs(parent):
    n = len(parent)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((int(p), i) for i, p in enumerate(parent) if p >= 0)
    depth, _, _ = forest(parent)
    dist = nx.single_source_shortest_path_length(g, 0)
    assert depth.tolist() == [dist[i] for i in range(n)]
    if n > 1:
        expected = 2 * nx.wiener_index(g) / (n * (n - 1))
        assert structural_virality(parent) == pytest.approx(expected)


def _paper_from_tree(parent, cid="t"):
    """A paper whose retweets spell the tree out as manual chains."""
    r = PaperRecords(cid, "test")
    for i in range(len(parent)):
        chain, j = [], parent[i]
        while j >= 0:
            chain.append(f"u{j}")
            j = parent[j]
        r.add(str(i), f"u{i}", 60 * i, 10.0 * (i + 1), "".join(f"RT @{h}: " for h in chain) + "x")
    return resolve(r)


def test_chain_file_gives_the_hand_tree_metrics(chain_path):
    (row,) = cascade.cascade_metrics(cascade.read(chain_path)).to_dict("records")
    assert row["size"] == 6 and row["depth"] == 3 and row["max_breadth"] == 2
    assert row["structural_virality"] == pytest.approx(62 / 30)
    assert row["users"] == 6
    assert row["reach"] == 1000 + 100 + 50 + 20 + 10 + 5
    assert row["duration_s"] == 300
    assert row["time_to_half_s"] == 120  # the 3rd of 6 tweets, at minute 2
    assert row["start"].isoformat() == "2020-01-01T00:00:00+00:00"


@settings(max_examples=30, deadline=None)
@given(st.lists(random_trees(), min_size=1, max_size=5))
def test_batching_does_not_change_results(trees):
    papers = [_paper_from_tree(t, cid=f"p{k}") for k, t in enumerate(trees)]
    together = cascade.cascade_metrics(papers, batch_size=len(papers))
    one_by_one = cascade.cascade_metrics(papers, batch_size=1)
    assert together.equals(one_by_one)
    expected = [structural_virality(t) for t in trees]
    np.testing.assert_allclose(together["structural_virality"], expected)
    assert together["depth"].tolist() == [int(forest(t)[0].max()) for t in trees]


def test_breadth_of_a_lone_root_is_zero():
    table = cascade.cascade_metrics(_paper_from_tree(np.array([-1])))
    assert table[["size", "depth", "max_breadth", "duration_s"]].values.tolist() == [[1, 0, 0, 0]]
    assert np.isnan(table["structural_virality"].iloc[0])


def test_depth_matches_igraph_eccentricity(chain_path, sample_path):
    for paper in cascade.read([chain_path, sample_path]):
        g = paper.tweet_graph()
        table = cascade.cascade_metrics(paper)
        roots = np.flatnonzero(paper.parent < 0)
        ecc = g.eccentricity(vertices=roots.tolist(), mode="out")
        assert table["depth"].tolist() == [int(e) for e in ecc]


def test_sample_paper_metrics(sample_path, sample_raw):
    (row,) = cascade.paper_metrics(cascade.read(sample_path)).to_dict("records")
    texts = [t["content_summary"] for t in sample_raw["twitter"].values()]
    authors = {t["author"].lower() for t in sample_raw["twitter"].values()}
    assert row["tweets"] == 258
    assert row["retweets"] == sum(t.startswith("RT @") for t in texts) == 188
    assert row["replies"] == 1
    assert row["originals"] == 258 - 188 - 1
    assert row["users"] == len(authors)
    assert row["largest_cascade"] == 67  # byron_c_wallace's tweet and its 66 retweets
    assert row["cascades"] == 70 and row["max_depth"] == 1
    assert row["first_tweet"].isoformat() == "2019-02-28T01:55:24+00:00"
    assert row["last_tweet"].isoformat() == "2020-05-25T10:24:28+00:00"
    assert row["retweet_share"] == pytest.approx(188 / 258)
    assert row["placeholders"] == row["duplicates"] == row["skipped"] == 0


def test_lexsort_whole_is_np_lexsort():
    """The packed one-key sort gives lexsort's order, and falls back where keys do not pack."""
    from cascade.model import NAT, lexsort_whole

    rng = np.random.default_rng(7)
    for trial in range(200):
        n = int(rng.integers(0, 60))
        keys = [
            rng.integers(-3, 3, n),
            rng.integers(0, 4, n).astype(np.float64),  # whole seconds as floats
            rng.random(n) < 0.5,
            rng.integers(-(10**9), 10**9, n),
        ][: int(rng.integers(1, 5))]
        if n and trial % 5 == 0:
            keys[0] = keys[0].astype(np.int64)
            keys[0][0] = NAT  # too wide a range: np.lexsort itself
        if n and trial % 7 == 0:
            keys[-1] = keys[-1] + 0.5  # not whole numbers: np.lexsort itself
        assert lexsort_whole(tuple(keys)).tolist() == np.lexsort(tuple(keys)).tolist()


def test_batch_cascade_numbers_every_tweet_by_its_root():
    from cascade.model import stack

    b = stack(list(cascade.read("examples/data")))
    _, root, _ = b.forest
    roots = np.flatnonzero(b.parent < 0)
    assert int(b.cascade.max()) + 1 == len(roots) == 70  # the sample's 70 cascades
    assert b.cascade[roots].tolist() == list(range(70))  # roots numbered in order
    assert (roots[b.cascade] == root).all()  # every tweet in its root's cascade
