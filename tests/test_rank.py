"""Influencer rankings: real sample values, hand-computed trees, networkx as the oracle."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cascade
from cascade import centrality as C
from cascade import rank as R
from cascade.cli import main
from cascade.graph import to_networkx
from cascade.model import Paper
from cascade.rank import FEED_HANDLE, automated_suspects, rank_users

SAMPLE = "examples/data"
CHAIN = "tests/fixtures/chain_tree.json"


@pytest.fixture(scope="module")
def sample() -> Paper:
    return next(iter(cascade.read(SAMPLE)))


@pytest.fixture(scope="module")
def chain() -> Paper:
    # Tweets in order R, a, b, c, d, e; tree R->a, R->b, a->c, a->d, c->e.
    return next(iter(cascade.read(CHAIN)))


def by_handle(table: pd.DataFrame, column: str) -> dict:
    return dict(zip(table["handle"], table[column].tolist()))


# --- the real sample ---------------------------------------------------------------------------


def test_sample_top_three_by_retweets_received(sample):
    table = rank_users(sample, top_users=3)
    assert table["handle"].tolist() == ["byron_c_wallace", "icoxfog417", "mark_riedl"]
    assert table["retweets_received"].tolist() == [66, 31, 20]
    assert table["rank"].tolist() == [1, 2, 3]


def test_sample_pagerank_top_and_sum(sample):
    table = rank_users(sample, by="pagerank")
    assert table["handle"].iloc[0] == "byron_c_wallace"
    assert table["pagerank"].sum() == pytest.approx(1.0)
    # One row per user of the paper.
    assert len(table) == len(sample.handles)


def test_sample_arxiv_cscl_flagged_with_repeated_text(sample):
    real = ~sample.placeholder
    posts = Counter(sample.author[real & (sample.author == "arxiv_cscl")].tolist())
    assert posts["arxiv_cscl"] == 16  # the same title, two different t.co links
    table = rank_users(sample)
    row = table.set_index("handle").loc["arxiv_cscl"]
    assert bool(row["automated_suspect"])
    reason = "same text posted 16 times about paper 56155705; feed-like handle"
    assert row["suspect_reason"] == reason
    assert not table.set_index("handle").loc["byron_c_wallace", "automated_suspect"]


def test_exclude_suspects_only_filters_rows(sample):
    full = rank_users(sample)
    kept = rank_users(sample, exclude_suspects=True)
    suspects = set(full.loc[full["automated_suspect"], "handle"])
    assert "arxiv_cscl" in suspects
    assert set(kept["handle"]) == set(full["handle"]) - suspects
    assert kept["rank"].tolist() == list(range(1, len(kept) + 1))
    # The others' measures are unchanged: nothing was deleted.
    merged = kept.merge(full, on="handle", suffixes=("", "_full"))
    assert (merged["pagerank"] == merged["pagerank_full"]).all()
    assert (merged["reach"].fillna(-1) == merged["reach_full"].fillna(-1)).all()


def test_sample_handles_flagged_are_feeds(sample):
    flagged = set(automated_suspects(sample)["handle"])
    assert flagged == {
        "arxiv_cscl",
        "arxiv_cs_cl",
        "arxiv_org",
        "arxiv_in_review",
        "BrundageBot",
        "arxiv_pop",
        "arxivml",
        "ArxivSanityHype",
    }


@pytest.mark.parametrize(
    "handle",
    ["brundagebot", "arxiv_cs_bot", "bot_of_papers", "paper_feed_ai", "nature_rss", "ml_papers",
     "arxiv_cscl", "foo_statml", "scirate_bot", "arxivdaily", "bmj_journal", "tech_news"],
)  # fmt: skip
def test_feed_like_handles(handle):
    assert FEED_HANDLE.search(handle)


@pytest.mark.parametrize(
    "handle",
    ["abbott", "talbot", "cabot", "robotics_lab", "newsome", "byron_c_wallace", "feedback_loop",
     "botanist", "journalist_jane", "paperboy"],
)  # fmt: skip
def test_human_handles_not_flagged(handle):
    assert not FEED_HANDLE.search(handle)


def _paper(times: list[str], author: str = "clockwork") -> Paper:
    n = len(times)
    return Paper(
        citation_id="p",
        id=np.array([str(i) for i in range(n)], dtype=object),
        author=np.array([author] * n, dtype=object),
        user=np.zeros(n, dtype=np.int64),
        time=np.array(times, dtype="datetime64[s]"),
        followers=np.full(n, 10.0),
        text=np.array([f"post {i}" for i in range(n)], dtype=object),
        kind=np.array(["original"] * n, dtype=object),
        placeholder=np.zeros(n, dtype=bool),
        parent=np.full(n, -1, dtype=np.int64),
        resolution=np.array([""] * n, dtype=object),
        handles=np.array([author], dtype=object),
        user_keys=np.array([author.lower()], dtype=object),
    )


def test_regular_posting_flagged():
    hours = [f"2020-01-01T{h:02d}:00:{h % 3:02d}" for h in range(8)]  # hourly, within 2 s
    table = automated_suspects(_paper(hours))
    assert table["suspect_reason"].tolist() == ["regular posting: 8 tweets, gaps vary by 0%"]
    irregular = ["2020-01-01T00:00:00", "2020-01-01T00:00:05", "2020-01-01T03:00:00"] + [
        f"2020-01-02T{h:02d}:00:00" for h in (1, 2, 7, 8, 20)
    ]
    assert automated_suspects(_paper(irregular)).empty
    assert automated_suspects(_paper(hours[:7])).empty  # too few tweets to judge


# --- the hand-made chain tree ------------------------------------------------------------------


def test_chain_reach_and_descendants(chain):
    table = rank_users(chain)
    # Direct retweeters only: R <- a (100), b (50); a <- c (20), d (10); c <- e (5).
    assert by_handle(table, "reach") == {"R": 150, "a": 30, "c": 5, "b": 0, "d": 0, "e": 0}
    # Subtree below each tweet: R {a, b, c, d, e}; a {c, d, e}; c {e}.
    descendants = {"R": 5, "a": 3, "c": 1, "b": 0, "d": 0, "e": 0}
    assert by_handle(table, "cascade_descendants") == descendants
    assert by_handle(table, "retweets_received") == {"R": 2, "a": 2, "c": 1, "b": 0, "d": 0, "e": 0}
    assert by_handle(table, "retweets_made") == {"R": 0, "a": 1, "b": 1, "c": 1, "d": 1, "e": 1}
    assert by_handle(table, "followers")["R"] == 1000
    # Betweenness along the flow: a is inside R->c, R->d, R->e; c inside R->e, a->e.
    assert by_handle(table, "betweenness") == {"R": 0, "a": 3, "b": 0, "c": 2, "d": 0, "e": 0}
    # Harmonic along the flow: R reaches a, b at 1, c, d at 2, e at 3.
    assert by_handle(table, "harmonic")["R"] == pytest.approx(1 + 1 + 1 / 2 + 1 / 2 + 1 / 3)
    assert by_handle(table, "coreness") == dict.fromkeys("Rabcde", 1)
    # Ties (R and a: 2 retweets each) are broken by handle, case-insensitively.
    assert table["handle"].tolist()[:3] == ["a", "R", "c"]


def test_reach_leaves_unknown_follower_counts_out(chain):
    followers = chain.followers.copy()
    followers[[2, 3, 4]] = np.nan  # b, c and d: counts unknown
    reach = by_handle(rank_users(dataclasses.replace(chain, followers=followers)), "reach")
    assert reach["R"] == 100  # a's 100; b's unknown count is left out, not read as 0
    assert np.isnan(reach["a"])  # none of c's and d's counts is known: unknown, not 0
    assert reach["c"] == 5 and reach["b"] == 0  # e's 5; no retweeters at all: 0


def test_descendants_follow_the_papers_parents(chain):
    star = chain.with_parents(np.array([-1, 0, 0, 0, 0, 0]), method="star")
    assert by_handle(rank_users(star), "cascade_descendants") == {
        "R": 5, "a": 0, "b": 0, "c": 0, "d": 0, "e": 0
    }  # fmt: skip


def test_descendants_count_nested_subtrees_once(chain):
    # R also wrote c's tweet: its subtree {e} is inside R's root subtree, so R keeps 5, not 6.
    user = chain.user.copy()
    user[3] = 0
    paper = dataclasses.replace(chain, user=user, author=chain.author.copy())
    assert by_handle(rank_users(paper), "cascade_descendants")["R"] == 5


def test_corpus_merges_users_across_papers(chain):
    twin = dataclasses.replace(chain, citation_id="tree-2")
    corpus = rank_users([chain, twin])
    single = rank_users(chain)
    assert by_handle(corpus, "papers") == dict.fromkeys("Rabcde", 2)
    assert by_handle(corpus, "retweets_received")["R"] == 4
    assert by_handle(corpus, "cascade_descendants")["R"] == 10
    # The same retweeters in both papers: reach counts each once.
    assert by_handle(corpus, "reach")["R"] == 150
    # The union graph is the single graph with doubled weights: the same PageRank.
    for handle, value in by_handle(single, "pagerank").items():
        assert by_handle(corpus, "pagerank")[handle] == pytest.approx(value)
    assert corpus.attrs["mode"] == "corpus"


def test_per_paper_equals_papers_ranked_alone(sample, chain):
    both = rank_users([sample, chain], per_paper=True)
    assert both.attrs["mode"] == "per-paper"
    for paper in (sample, chain):
        alone = rank_users(paper)
        part = both[both["citation_id"] == paper.citation_id].drop(columns="citation_id")
        pd.testing.assert_frame_equal(
            part.reset_index(drop=True), alone, check_exact=False, rtol=1e-9, atol=1e-12
        )
    top = rank_users([sample, chain], per_paper=True, top_users=2)
    assert top.groupby("citation_id")["rank"].apply(list).to_dict() == {
        "56155705": [1, 2],
        "tree-1": [1, 2],
    }


def test_betweenness_cutoff_is_reported(sample, monkeypatch):
    assert rank_users(sample).attrs["betweenness"] == "exact"
    monkeypatch.setattr("cascade.centrality.EXACT_BETWEENNESS_LIMIT", 10)
    table = rank_users(sample)
    assert table.attrs["betweenness"].startswith("cutoff=2: only paths of at most 2 steps")
    assert table.attrs["harmonic"].startswith("cutoff=2")
    g = cascade.user_graph(sample)
    expected = dict(zip(g.vs["handle"], g.betweenness(directed=True, cutoff=2)))
    assert by_handle(table, "betweenness") == pytest.approx(expected)


def test_measures_subset_and_errors(sample):
    table = rank_users(sample, measures=["tweets", "pagerank"], by="pagerank")
    assert list(table.columns) == [
        "rank", "handle", "tweets", "pagerank", "automated_suspect", "suspect_reason"
    ]  # fmt: skip
    with pytest.raises(ValueError, match="unknown measures"):
        rank_users(sample, measures=["fame"])
    with pytest.raises(ValueError, match="cannot sort by"):
        rank_users(sample, measures=["tweets"], by="pagerank")


# --- igraph against networkx -------------------------------------------------------------------


@st.composite
def weighted_digraphs(draw) -> ig.Graph:
    n = draw(st.integers(3, 12))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            min_size=2,
            max_size=40,
            unique=True,
        )
    )
    weights = draw(st.lists(st.integers(1, 9), min_size=len(pairs), max_size=len(pairs)))
    g = ig.Graph(n, pairs, directed=True)
    g.vs["name"] = [f"u{i}" for i in range(n)]
    g.vs["handle"] = g.vs["name"]
    g.es["weight"] = weights
    g.es["kind"] = ["retweet"] * len(pairs)
    return g


def _normalised(values: dict) -> dict:
    total = sum(values.values())
    return {k: v / total for k, v in values.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted_digraphs())
def test_pagerank_betweenness_harmonic_match_networkx(g):
    table = rank_users(g, by="pagerank")
    votes = to_networkx(g, reverse=True)  # retweeter -> source
    expected = nx.pagerank(votes, alpha=0.85, weight="weight", tol=1e-13, max_iter=10_000)
    got = by_handle(table, "pagerank")
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, abs=1e-6)
    flow = to_networkx(g)
    betweenness = nx.betweenness_centrality(flow, normalized=False)
    harmonic = nx.harmonic_centrality(flow.reverse())  # networkx sums distances *to* a node
    for name in flow:
        assert by_handle(table, "betweenness")[name] == pytest.approx(betweenness[name], abs=1e-6)
        assert by_handle(table, "harmonic")[name] == pytest.approx(harmonic[name], abs=1e-6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted_digraphs())
def test_hits_matches_networkx(g):
    votes = to_networkx(g, reverse=True)
    a = nx.to_numpy_array(votes, weight="weight")
    sigma = np.linalg.svd(a, compute_uv=False)
    assume(sigma[0] - sigma[1] > 1e-2 * sigma[0])  # a unique leading singular vector
    hubs, authorities = nx.hits(votes, tol=1e-12, max_iter=10_000)
    table = rank_users(g)
    for column, expected in (("hub", hubs), ("authority", authorities)):
        got = _normalised(by_handle(table, column))
        for name, value in expected.items():
            assert got[name] == pytest.approx(value, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(weighted_digraphs())
def test_harmonic_within_two_matches_igraph_cutoff(g):
    got = C._harmonic_within_two(g)
    expected = g.harmonic_centrality(mode="out", cutoff=2, normalized=False)
    assert got.tolist() == pytest.approx(expected)


def test_graph_input_matches_paper_input(sample):
    from_graph = rank_users(cascade.user_graph(sample), by="pagerank")
    from_paper = rank_users(sample, by="pagerank")
    assert from_graph["handle"].tolist()[:5] == from_paper["handle"].tolist()[:5]
    assert from_graph["pagerank"].tolist() == pytest.approx(from_paper["pagerank"].tolist())
    assert from_graph["retweets_received"].tolist() == from_paper["retweets_received"].tolist()


def test_graph_input_has_the_paper_columns(sample):
    """One column set whatever the input; what a graph cannot give is NaN, the rest agrees."""
    g = cascade.user_graph(sample)
    for measures in (None, [*R.COUNT_MEASURES, "pagerank", "expected_influence"]):
        from_graph = rank_users(g, measures=measures).set_index("handle")
        from_paper = rank_users(sample, measures=measures).set_index("handle")
        assert list(from_graph.columns) == list(from_paper.columns)
        from_graph = from_graph.loc[from_paper.index]
        for name in from_paper.columns.drop(["rank", "automated_suspect", "suspect_reason"]):
            if name in R.NOT_FROM_GRAPH:
                assert from_graph[name].isna().all(), name
            else:
                got, want = from_graph[name].to_numpy(float), from_paper[name].to_numpy(float)
                np.testing.assert_allclose(got, want, rtol=1e-9, equal_nan=True, err_msg=name)
    assert rank_users(g).loc[0, "reach"] == rank_users(sample).loc[0, "reach"] > 0
    bare = ig.Graph(3, [(0, 1), (0, 2)], directed=True)  # no attributes at all
    table = rank_users(bare, measures=R.COUNT_MEASURES)
    assert list(table.columns) == ["rank", "handle", *R.COUNT_MEASURES, "automated_suspect",
                                   "suspect_reason"]  # fmt: skip
    assert table["retweets_received"].tolist() == [2, 0, 0]
    assert table[["papers", "tweets", "followers"]].isna().all().all()
    assert table["reach"].tolist()[1:] == [0.0, 0.0] and np.isnan(table["reach"][0])  # unknown
    with pytest.raises(ValueError, match="needs the papers' tweets"):
        rank_users(g, by="cascade_descendants")


# --- command line ------------------------------------------------------------------------------


def test_cli_json(tmp_path):
    out = tmp_path / "rank.json"
    code = main(["rank", SAMPLE, "--top-users", "3", "--format", "json", "-o", str(out), "-q"])
    assert code == 0
    rows = json.loads(out.read_text())
    assert [(r["rank"], r["handle"], r["retweets_received"]) for r in rows] == [
        (1, "byron_c_wallace", 66),
        (2, "icoxfog417", 31),
        (3, "mark_riedl", 20),
    ]
    assert {"pagerank", "hub", "authority", "betweenness", "coreness", "harmonic"} <= set(rows[0])


def test_cli_per_paper_exclude_suspects(tmp_path, capsys):
    code = main(
        ["rank", SAMPLE, CHAIN, "--per-paper", "--exclude-suspects", "--by", "pagerank",
         "--top-users", "1", "--format", "csv", "-q"]
    )  # fmt: skip
    assert code == 0
    table = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert table[["citation_id", "handle"]].values.tolist() == [
        ["56155705", "byron_c_wallace"],
        ["tree-1", "R"],
    ]


def test_cli_rejects_bad_options(capsys):
    assert main(["rank", SAMPLE, "--top-users", "0", "-q"]) == 2
    assert "--top-users" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["rank", SAMPLE, "--per-paper", "--corpus"])


def test_hits_batched_blocks_equal_blocks_alone():
    # Block 0: stars of 10 and 9 votes (leading singular values close: hundreds of steps);
    # block 1: one star (converges at once, then leaves the iteration).
    slow = [(i, 0) for i in range(1, 11)] + [(i, 11) for i in range(12, 21)]
    fast = [(i, 0) for i in range(1, 4)]
    edges = np.array(slow + [(a + 21, b + 21) for a, b in fast], dtype=np.int64)
    block = np.repeat([0, 1], [21, 4])
    hub, authority = C._hits(25, edges, np.ones(len(edges)), block)
    hub0, auth0 = C._hits(21, np.array(slow), np.ones(len(slow)), np.zeros(21, dtype=np.int64))
    hub1, auth1 = C._hits(4, np.array(fast), np.ones(len(fast)), np.zeros(4, dtype=np.int64))
    assert hub.tolist() == pytest.approx(np.r_[hub0, hub1].tolist(), abs=1e-9)
    assert authority.tolist() == pytest.approx(np.r_[auth0, auth1].tolist(), abs=1e-9)
    # The leading vector is the 10-star's: its centre has authority 1, the 9-star's 0.
    assert (authority[0], authority[11], authority[21]) == (1.0, 0.0, 1.0)
    assert hub[1:11].tolist() == [1.0] * 10


def test_expected_influence_is_a_ranking_measure(sample_path):
    from cascade.reconstruct import expected_influence, reconstruct_paper

    papers = list(cascade.read(sample_path))
    table = rank_users(papers, by="expected_influence", top_users=3)
    direct = expected_influence(papers)
    assert table["handle"].str.lower().tolist() == direct.index[:3].tolist()
    assert table["expected_influence"].tolist() == pytest.approx(direct.iloc[:3].tolist())
    assert table["handle"].iloc[0] == "byron_c_wallace"
    # The root of a cascade keeps at least its credited retweets in expectation; its
    # retweeters (zacharylipton here) gain what they may have passed on.
    assert "expected_influence" not in rank_users(papers).columns  # opt-in: a per-tweet pass
    everyone = rank_users(papers, measures=R.MEASURES).set_index("handle")
    assert everyone.loc["byron_c_wallace", "expected_influence"] > 66
    assert everyone.loc["zacharylipton", "expected_influence"] > 0
    assert everyone.loc["icoxfog417", "expected_influence"] <= 31 + 1e-9
    # Summed over users, descendants count each tweet once per ancestor: the expected total
    # depth of the unfolded trees, never below the credited stars' 188.
    assert everyone["cascade_descendants"].sum() == 188
    assert everyone["expected_influence"].sum() > 188
    per_paper = rank_users(papers, per_paper=True, by="expected_influence", top_users=3)
    assert per_paper["expected_influence"].tolist() == table["expected_influence"].tolist()
    # Reconstructed papers no longer know their credited parents: the measure is missing.
    rebuilt = reconstruct_paper(papers[0], "influence")
    rebuilt = rank_users([rebuilt], top_users=1, measures=R.MEASURES)
    assert np.isnan(rebuilt["expected_influence"].iloc[0])


_FEEDISH = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz_0123456789\u00e9\u0660\n")),
    max_size=14,
) | st.builds(
    lambda a, w, b: a + w + b,
    st.text(alphabet="abt_1", max_size=4),
    st.sampled_from(["bot", "bots", "arxiv", "rss", "feed", "feeds", "papers", "journal",
                     "_news", "_cs", "_statml", "_qbioxx", "_astro_ph", "talbot", "cabot"]),
    st.text(alphabet="ab_1\n", max_size=3),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_FEEDISH, max_size=30))
def test_feed_screen_keeps_every_match(handles):
    # The C screen before the regex must never drop a handle that FEED_HANDLE matches.
    from cascade.suspects import feed_like

    keys = np.array(handles, dtype=object)
    expected = [i for i, h in enumerate(handles) if FEED_HANDLE.search(h)]
    assert feed_like(keys).tolist() == expected


def test_feed_like_without_utf8_form():
    from cascade.suspects import feed_like

    keys = np.array(["x\ud800bot", "abbott", "tech_news"], dtype=object)  # a lone surrogate
    assert feed_like(keys).tolist() == [0, 2]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),
            st.sampled_from([0.0, -0.0, 1.0, 2.5, -np.inf]),
            st.text(alphabet="aAb\u00e9\U0001f600_", max_size=3),
        ),
        max_size=40,
    )
)
def test_sort_order_is_lexsort(rows):
    # Arrow's string order (UTF-8 bytes) must be Python's (code points), ties kept stable.
    from cascade.rank import _sort_order

    group = np.array([r[0] for r in rows], dtype=np.int64)
    value = np.array([r[1] for r in rows], dtype=np.float64)
    key = np.array([r[2] for r in rows], dtype=object)
    expected = np.lexsort((key, -value, group)) if rows else np.zeros(0, dtype=np.int64)
    assert _sort_order(group, value, key).tolist() == expected.tolist()
    key[: len(key) // 2] = "\udc80"  # no UTF-8 form: numpy's sort instead
    expected = np.lexsort((key, -value, group)) if rows else np.zeros(0, dtype=np.int64)
    assert _sort_order(group, value, key).tolist() == expected.tolist()
