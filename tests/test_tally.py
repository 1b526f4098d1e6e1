"""The corpus ranking from merged per-batch tallies equals ``rank_users`` over all the papers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cascade
from cascade.facts import Largest
from cascade.model import Paper
from cascade.rank import rank_users
from cascade.tally import TALLY_MEASURES, merge, rank_papers, rank_tally, tally

HOUR = 3600


def _paper(cid, rows) -> Paper:
    """rows: (handle, hour or None, followers or None, kind, parent, placeholder, text)."""
    keys: list[str] = []
    handles: list[str] = []
    user = []
    for handle, *_ in rows:
        if handle.lower() not in keys:
            keys.append(handle.lower())
            handles.append(handle)
        user.append(keys.index(handle.lower()))
    n = len(rows)

    def col(values, dtype):
        return np.array(values, dtype=dtype) if n else np.empty(0, dtype=dtype)

    return Paper(
        citation_id=cid,
        id=col([f"{cid}-{i}" for i in range(n)], object),
        author=col([r[0] for r in rows], object),
        user=col(user, np.int64),
        time=col(
            [
                np.datetime64("NaT") if r[1] is None else np.datetime64(r[1] * HOUR, "s")
                for r in rows
            ],
            "datetime64[s]",
        ),
        followers=col([np.nan if r[2] is None else float(r[2]) for r in rows], np.float64),
        text=col([r[6] for r in rows], object),
        kind=col([r[3] for r in rows], object),
        placeholder=col([r[5] for r in rows], bool),
        parent=col([r[4] for r in rows], np.int64),
        resolution=col(["" if r[4] < 0 else "text" for r in rows], object),
        handles=col(handles, object),
        user_keys=col(keys, object),
    )


def _ranked(parts: list[list[Paper]], **options) -> pd.DataFrame:
    return rank_tally(merge([tally(p) for p in parts]), **options)


def test_hand_computed_two_batches():
    """Ann (also spelt ann) is retweeted by bob in both papers and by carol in the first."""
    p1 = _paper(
        "p1",
        [
            ("Ann", 1, 10, "original", -1, False, "new paper"),
            ("bob", 2, 5, "retweet", 0, False, "RT @Ann: new paper"),
            ("carol", 3, None, "retweet", 0, False, "RT @Ann: new paper"),
        ],
    )
    p2 = _paper(
        "p2",
        [
            ("ann", 1, 20, "original", -1, False, "another"),
            ("bob", 2, 7, "retweet", 0, False, "RT @ann: another"),
        ],
    )
    table = _ranked([[p1], [p2]], measures=(*TALLY_MEASURES[:8], "pagerank"))
    got = table.set_index("handle")
    assert table["handle"].tolist() == ["Ann", "bob", "carol"]  # 3 received; then by key
    assert table["rank"].tolist() == [1, 2, 3]
    assert got["papers"].tolist() == [2, 2, 1]
    assert got["tweets"].tolist() == [2, 2, 1]
    assert got["retweets_made"].tolist() == [0, 2, 1]
    assert got["retweets_received"].tolist() == [3, 0, 0]
    assert got["unique_retweeters"].tolist() == [2, 0, 0]
    # Latest known count; equal times: the later batch's (20, not 10; 7, not 5).
    assert got["followers"].tolist()[:2] == [20.0, 7.0]
    assert np.isnan(got.loc["carol", "followers"])
    assert got["reach"].tolist() == [7.0, 0.0, 0.0]  # bob's 7; carol's count is unknown
    assert got["cascade_descendants"].tolist() == [3, 0, 0]
    assert got["pagerank"].sum() == pytest.approx(1.0)
    assert got.loc["Ann", "pagerank"] > got.loc["bob", "pagerank"]
    want = rank_users([p1, p2], measures=(*TALLY_MEASURES[:8], "pagerank"))
    pd.testing.assert_frame_equal(table, want, check_exact=True)


HANDLES = ["ann", "Ann", "bob", "BOB", "carol", "news_bot", "dave"]
TEXTS = ["paper", "Paper  http://x.y/1", "paper http://x.y/2", "other", ""]


@st.composite
def papers(draw, cid: str) -> Paper:
    n = draw(st.integers(0, 10))
    rows = []
    for i in range(n):
        parent = -1 if i == 0 else draw(st.integers(-1, i - 1))
        kind = "original" if parent < 0 else draw(st.sampled_from(["retweet", "quote", "reply"]))
        rows.append(
            (
                draw(st.sampled_from(HANDLES)),
                draw(st.one_of(st.none(), st.integers(0, 4))),  # NaT and same-time ties
                draw(st.one_of(st.none(), st.integers(0, 50))),
                kind,
                parent,
                draw(st.booleans()) if i else False,
                draw(st.sampled_from(TEXTS)),
            )
        )
    return _paper(cid, rows)


def _clockwork(cid: str, start: int) -> Paper:
    """Four hourly tweets by one account: two such papers make eight (regular posting)."""
    rows = [("Clock", start + h, 3, "original", -1, False, f"tick {h}") for h in range(4)]
    return _paper(cid, rows)


@st.composite
def split_corpora(draw) -> list[list[Paper]]:
    corpus = [draw(papers(f"p{k}")) for k in range(draw(st.integers(1, 7)))]
    if draw(st.booleans()):
        corpus.insert(draw(st.integers(0, len(corpus))), _clockwork("c1", 0))
        corpus.insert(draw(st.integers(0, len(corpus))), _clockwork("c2", 4))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(corpus) - 1)))))
    bounds = [0, *(c for c in cuts if c < len(corpus)), len(corpus)]
    return [corpus[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(split_corpora(), st.sampled_from(["retweets_received", "pagerank", "reach", "tweets"]))
def test_merged_tallies_rank_as_rank_users(parts, by):
    everything = [p for part in parts for p in part]
    got = _ranked(parts, by=by)
    want = rank_users(everything, by=by)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == want.attrs
    # Merging is associative: merged merges give the same tally.
    if len(parts) >= 2:
        nested = merge([merge([tally(p) for p in parts[:1]]), merge([tally(p) for p in parts[1:]])])
        pd.testing.assert_frame_equal(rank_tally(nested, by=by), want, check_exact=True)


def test_sample_ranking_split_by_paper_equals_rank_users():
    """The real sample files, one tally per paper."""
    folders = [d for d in sorted(Path("tests/data").iterdir()) if d.is_dir()]
    corpus = [p for d in [*folders, Path("examples/data")] for p in cascade.read(d)]
    assert len(corpus) > 10
    got = _ranked([[p] for p in corpus], top_users=50)
    pd.testing.assert_frame_equal(got, rank_users(corpus, top_users=50), check_exact=True)
    suspects = got[got["automated_suspect"]]
    assert "arxiv_cscl" in {h.lower() for h in suspects["handle"]}


def test_rank_tally_refuses_what_it_cannot_give():
    t = tally(list(cascade.read("examples/data")))
    with pytest.raises(ValueError, match="expected_influence"):
        rank_tally(t, measures=("tweets", "expected_influence"))
    with pytest.raises(ValueError, match="sort by"):
        rank_tally(t, by="pagerank", measures=("tweets",))
    assert len(rank_tally(merge([]))) == 0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 5)), max_size=6), max_size=5),
    st.integers(0, 5),
)
def test_largest_keeps_the_k_largest_over_batches(batches, k):
    """Papers (tweets, id) offered batch by batch into holders: the k largest survive. A paper
    offered again (read again whole: never fewer tweets) replaces its earlier copy."""
    largest = Largest(k)
    holders: list[dict] = []
    final: dict[str, int] = {}
    for batch in batches:
        holder: dict = {}
        offered = []
        for i, t in batch:
            t = max(t, final.get(f"q{i}", 0))
            final[f"q{i}"] = t
            offered.append(_paper(f"q{i}", [("a", 0, 1, "original", -1, False, "t")] * t))
        largest.offer([(p.citation_id, p.n_tweets, p) for p in offered], holder)
        holders.append(holder)
        final.update({p.citation_id: p.n_tweets for p in offered})  # a later copy replaces
    kept = {cid: p.n_tweets for h in holders for cid, p in h.items()}
    best = sorted(final.items(), key=lambda item: (-item[1], item[0]))[:k]
    assert kept == dict(best)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(split_corpora(), st.sampled_from(["retweets_received", "pagerank", "followers"]))
def test_rank_papers_one_at_a_time_equals_rank_users_per_paper(parts, by):
    everything = [p for part in parts for p in part]
    got = rank_papers(iter(everything), by=by, top_users=4)
    want = rank_users(everything, by=by, top_users=4, per_paper=True)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == want.attrs


def test_report_rankings_equal_rank_users_over_the_papers(tmp_path):
    """The report's corpus ranking (from tallies) and per-paper rankings (one page paper at a
    time) are rank_users' over the papers read whole."""
    from cascade.report import _RANK_MEASURES, report

    out = report("tests/data/twitter-v1", tmp_path / "r", workers=1, max_graphs=3)
    corpus = list(cascade.read("tests/data/twitter-v1"))
    want = rank_users(corpus, measures=_RANK_MEASURES)
    pd.testing.assert_frame_equal(out.influencers, want, check_exact=True)
    largest = sorted(corpus, key=lambda p: (-p.n_tweets, p.citation_id))[:3]
    per_paper = rank_users(largest, per_paper=True, top_users=20, measures=_RANK_MEASURES)
    written = pd.read_csv(tmp_path / "r" / "influencers_per_paper.csv", dtype={"citation_id": str})
    assert written["citation_id"].tolist() == per_paper["citation_id"].tolist()
    assert written["handle"].tolist() == per_paper["handle"].tolist()
    assert written["retweets_received"].tolist() == per_paper["retweets_received"].tolist()
    assert len(written) > 3
