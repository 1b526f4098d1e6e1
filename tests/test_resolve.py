"""Credited resolution: parents, placeholders and how each edge was found."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import cascade
from cascade.io.records import PaperRecords
from cascade.resolve import resolve


def records(*tweets) -> PaperRecords:
    """Records from ``(id, author, minute, text)`` tuples."""
    out = PaperRecords("p", "test")
    for tid, author, minute, text in tweets:
        assert out.add(tid, author, minute * 60, 1.0, text)
    return out


def edges(paper) -> set[tuple[str, str, str]]:
    """(parent id, child id, resolution) of every edge."""
    child = np.flatnonzero(paper.parent >= 0)
    return {(paper.id[paper.parent[i]], paper.id[i], paper.resolution[i]) for i in child.tolist()}


def test_chain_fixture_is_the_hand_made_tree(chain_path):
    (paper,) = list(cascade.read(chain_path))
    assert paper.id.tolist() == ["1001", "1002", "1003", "1004", "1005", "1006"]
    assert paper.parent.tolist() == [-1, 0, 0, 1, 1, 3]
    assert paper.resolution.tolist() == ["", "text", "text", "text", "text", "text"]
    assert paper.n_placeholders == 0


def test_sample_every_retweet_parent_is_in_the_data(sample_path):
    (paper,) = list(cascade.read(sample_path))
    assert paper.n_placeholders == 0
    retweets = np.flatnonzero(paper.kind == "retweet")
    assert (paper.parent[retweets] >= 0).all()
    # Each parent is written by the credited author (matched case-insensitively).
    for i in retweets.tolist():
        credited = re.match(r"RT @(\w+)", paper.text[i]).group(1).lower()
        assert paper.author[paper.parent[i]].lower() == credited
    assert (paper.resolution[retweets] == "text").sum() == 187


def test_latest_matching_text_wins_and_author_time_fallback():
    paper = resolve(
        records(
            ("1", "a", 0, "First paper https://t.co/1"),
            ("2", "a", 1, "Second thing"),
            ("3", "a", 2, "First paper https://t.co/1"),
            ("4", "b", 3, "RT @a: First paper https://t.co/1"),
            ("5", "c", 4, "RT @a: something a never wrote"),
        )
    )
    assert edges(paper) == {("3", "4", "text"), ("3", "5", "author_time")}


def test_only_earlier_tweets_are_candidates():
    paper = resolve(
        records(
            ("1", "b", 0, "RT @a: later"),
            ("2", "a", 5, "later"),
        )
    )
    # a's tweet comes after the retweet: the retweet's source is an unseen original.
    assert paper.n_placeholders == 1
    assert edges(paper) == {("placeholder:1", "1", "placeholder")}
    assert paper.author[paper.id == "placeholder:1"].tolist() == ["a"]
    assert np.isnat(paper.time[paper.placeholder]).all()


def test_same_second_original_comes_first():
    paper = resolve(records(("9", "b", 0, "RT @a: x"), ("10", "a", 0, "x")))
    assert edges(paper) == {("10", "9", "text")}


def test_one_placeholder_per_author_and_text():
    paper = resolve(
        records(
            ("1", "b", 1, "RT @a: hello world"),
            ("2", "c", 2, "RT @A: hello  world"),
            ("3", "d", 3, "RT @a: another text"),
        )
    )
    assert paper.n_placeholders == 2
    assert paper.n_tweets == 3
    parents = {paper.id[i]: paper.id[paper.parent[i]] for i in np.flatnonzero(paper.parent >= 0)}
    assert parents["1"] == parents["2"] != parents["3"]


def test_manual_chain_hops_absent_from_the_data_become_placeholders():
    paper = resolve(records(("1", "x", 0, "RT @a: RT @b: the paper")))
    assert len(paper) == 3
    b, a, x = paper.id.tolist()
    assert paper.author.tolist() == ["b", "a", "x"]
    assert paper.kind.tolist() == ["original", "retweet", "retweet"]
    assert edges(paper) == {(b, a, "placeholder"), (a, x, "chain")}
    assert paper.text[1] == "RT @b: the paper"


def test_chain_reuses_a_hop_that_is_in_the_data():
    paper = resolve(
        records(
            ("1", "b", 0, "the paper"),
            ("2", "x", 1, "RT @a: RT @b: the paper"),
        )
    )
    assert edges(paper) == {("1", "placeholder:1", "text"), ("placeholder:1", "2", "chain")}


def test_reply_links_to_the_replied_users_latest_tweet():
    paper = resolve(
        records(("1", "a", 0, "paper"), ("2", "b", 1, "@a nice!"), ("3", "c", 2, "@z hi"))
    )
    assert edges(paper) == {("1", "2", "author_time")}
    assert paper.kind.tolist() == ["original", "reply", "reply"]


def test_exact_parents_from_the_source():
    r = PaperRecords("p", "test")
    r.add("1", "a", 0, 1.0, "quoted text")
    r.add("2", "b", 10, 1.0, "my comment", ref_id="1", ref_kind="quote")
    r.add("3", "c", 20, 1.0, "reply", ref_id="99", ref_kind="reply")
    paper = resolve(r)
    assert edges(paper) == {("1", "2", "exact"), ("99", "3", "placeholder")}
    assert paper.kind[paper.id == "2"].tolist() == ["quote"]


@st.composite
def trees(draw):
    n = draw(st.integers(1, 40))
    return [-1] + [draw(st.integers(0, i - 1)) for i in range(1, n)]


@settings(max_examples=60, deadline=None)
@given(trees())
def test_any_tree_written_as_manual_chains_is_recovered(parent):
    """Write each node as a retweet chain naming all its ancestors; resolution rebuilds the tree."""
    r = PaperRecords("p", "test")
    for i, p in enumerate(parent):
        chain, j = [], p
        while j >= 0:
            chain.append(f"u{j}")
            j = parent[j]
        text = "".join(f"RT @{h}: " for h in chain) + "The paper https://t.co/x"
        r.add(str(100 + i), f"u{i}", i, float(i), text)
    paper = resolve(r)
    assert paper.n_placeholders == 0
    got = [int(paper.id[q]) - 100 if q >= 0 else -1 for q in paper.parent.tolist()]
    order = [int(t) - 100 for t in paper.id.tolist()]
    assert [got[order.index(i)] for i in range(len(parent))] == parent


HANDLES = ["ann", "Ann", "bob", "c_d", "eve"]
BODIES = ["A paper", "a  PAPER", "A pa…", "Another one https://t.co/x", "Another…", "x", ""]


@st.composite
def credited_texts(draw):
    """Texts mixing plain retweets, chains, MT, odd spacing, replies, via credits, truncation."""
    hops = draw(st.lists(st.sampled_from(HANDLES), max_size=3))
    prefix = "".join(
        draw(
            st.sampled_from(["RT @{}: ", "RT@{} ", "rt  @{}:", "MT @{}: ", "RT @{}:\u00a0"])
        ).format(h)
        for h in hops
    )
    body = draw(st.sampled_from(BODIES))
    tail = draw(st.sampled_from(["", "", " via @bob", " by @eve et al"]))
    lead = draw(st.sampled_from(["", "", "@eve ", " @ann: ", "Really ", "RT ", "mt@x", "Rt\t"]))
    return prefix + lead + body + tail


@st.composite
def papers_records(draw):
    out = []
    for p in range(draw(st.integers(1, 4))):
        r = PaperRecords(f"p{p}", "test")
        for i in range(draw(st.integers(0, 25))):
            author, minute = draw(st.sampled_from(HANDLES)), draw(st.integers(0, 6))
            credited = draw(st.sampled_from([None, None, None, ("bob",), ("Ann", "eve")]))
            r.add(f"{p}-{i}", author, minute * 60, 1.0, draw(credited_texts()), credited=credited)
        out.append(r)
    return out


@settings(max_examples=300, deadline=None)
@given(papers_records())
def test_batch_resolution_equals_the_sequential_rules(batch):
    """The vectorised batch resolution (with a tweet-by-tweet pass for the hard cases) gives
    exactly the papers of the sequential rules, column by column."""
    from cascade.resolve import _resolve_credited, _resolve_sequential

    for got, want in zip(_resolve_credited(batch), [_resolve_sequential(r) for r in batch]):
        for name in cascade.model.COLUMNS + ("handles", "user_keys"):
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)


TEXT_PIECES = ["RT @ann: ", "RT @b_2: ", "RT@ann ", "rt @x:", "MT @eve: ", "Rt ", "RT", "mt@", "@",
               " ", "\u00a0", "\u3000", "\x1c", "\t", "\u2026", "Really", "M", "x", "é", "via @bob",
               "https://t.co/a", "a" * 16]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TEXT_PIECES), max_size=8).map("".join), max_size=30))
def test_bulk_credits_equal_credited_chain(texts):
    """The vectorised prefix rules credit exactly what text.credited_chain credits."""
    import pyarrow as pa

    from cascade.resolve import _credits
    from cascade.text import credited_chain

    tweet, depth, handles, bodies = _credits(pa.array(texts, pa.string()))
    got = {i: [] for i in range(len(texts))}
    for t, d, h in zip(tweet.tolist(), depth.tolist(), handles.to_pylist()):
        assert d == len(got[t])
        got[t].append(h)
    want = [credited_chain(t) for t in texts]
    assert [(tuple(got[i]), b) for i, b in enumerate(bodies.to_pylist())] == want


def test_batch_resolution_of_real_samples_equals_the_sequential_rules(sample_path):
    """The real details page and an Altmetric API response (which credits "via @x"), resolved
    as one batch, give exactly the papers of the sequential rules."""
    from conftest import FIXTURES

    from cascade.resolve import _resolve_credited, _resolve_sequential

    batch = [
        *cascade.read(sample_path).records(),
        *cascade.read(FIXTURES / "altmetric_api_357137.json").records(),
    ]
    assert sum(len(r) for r in batch) > 258
    assert any(c for r in batch for c in r.credited)  # source credits are exercised too
    for got, want in zip(_resolve_credited(batch), [_resolve_sequential(r) for r in batch]):
        for name in cascade.model.COLUMNS + ("handles", "user_keys"):
            np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)


def test_text_comparison_codes_do_not_overflow():
    """Pairs of body codes are numbered code_a * n_bodies + code_b: with 60,000 distinct bodies
    that exceeds int32 (a batch of 200,000 tweets once failed so)."""
    import pyarrow as pa

    from cascade.resolve import _Forest, _same_texts

    bodies = pa.array([f"text {i}" for i in range(60_000)] + ["text 59…"])
    code = np.arange(len(bodies), dtype=np.int32)
    a, b = np.array([59_999, 40_000, 60_000, 60_000]), np.array([60_000, 60_000, 59, 58])
    same = _same_texts(bodies, code, a, b, _Forest().fold)
    assert same.tolist() == [True, False, True, False]


def test_batch_resolution_re_enables_the_collector():
    """The tweet-by-tweet pass (here: a chain whose middle hop is absent, so a placeholder) runs
    with the cyclic collector paused and turns it back on."""
    import gc

    from cascade.resolve import _resolve_credited

    r = records(("1", "a", 0, "A paper"), ("2", "c", 2, "RT @b: RT @a: A paper"))
    (paper,) = _resolve_credited([r])
    assert paper.n_placeholders == 1 and paper.resolution.tolist()[-1] == "chain"
    assert gc.isenabled()
