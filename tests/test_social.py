"""Bluesky (Jetstream, AppView views, minet/twitwi) and Mastodon readers: true repost paths.

The samples in tests/data/social are hand-written in the documented shapes (the lexicons of
bluesky-social/atproto, the Jetstream README, the Mastodon API entities Status and Account,
twitwi's BlueskyPost fields); their README says what each holds. Expected metrics are worked
out by hand here: structural virality is 2W / (n (n - 1)), W the sum over non-root v of
s_v (n - s_v), s_v the subtree size.
"""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cascade
from cascade.cli import main
from cascade.io import InputError, read_records
from cascade.io.mastodon import html_text
from cascade.io.records import PaperRecords, place_by_parents
from cascade.metrics import cascade_metrics, paper_metrics

DATA = Path(__file__).resolve().parent / "data" / "social"
JET = DATA / "jetstream.jsonl"

DID = {
    "alice": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
    "dave": "did:plc:vpkhqolt662uhesyj6nxm7ys",
    "erin": "did:plc:ragtjsm2j2vknwkz3zp4oxrd",
    "fay": "did:plc:2ho7rtblxkjcc4kq5tr7d3nv",
    "gus": "did:plc:oky5czdrnfjpqslsw2a5iclo",
    "hank": "did:plc:upo6pf6xqcqiv3xsswn7kxqn",
}
P = f"at://{DID['alice']}/app.bsky.feed.post/3ld2post00a01"
P2 = f"at://{DID['fay']}/app.bsky.feed.post/3ld2post00f02"
HANK = f"at://{DID['hank']}/app.bsky.feed.repost/3ld2rpst00h01"


def read(path, **kw):
    corpus = cascade.read(path, **kw)
    return {p.citation_id: p for p in corpus}, corpus.log


def row(p, tid):
    (i,) = np.flatnonzero(p.id == tid)
    return int(i)


def path_to_root(p, tid):
    """Authors from the tweet up to its cascade root."""
    i, out = row(p, tid), []
    while i >= 0:
        out.append(p.author[i])
        i = int(p.parent[i])
    return out


def cascades(p):
    table = cascade_metrics([p]).sort_values("size", ascending=False)
    cols = ["root_id", "size", "depth", "max_breadth", "users"]
    return table[cols].values.tolist(), table["structural_virality"].tolist()


# Jetstream -------------------------------------------------------------------------------------


def test_formats_are_detected_from_content():
    expected = {
        "jetstream.jsonl": "bluesky",
        "appview.jsonl": "bluesky",
        "appview_thread.json": "bluesky",
        "minet_posts.csv": "bluesky",
        "minet_posts.jsonl": "bluesky",
        "mastodon_statuses.json": "mastodon",
    }
    for name, fmt in expected.items():
        assert read_records(str(DATA / name))[0] == fmt, name


def test_jetstream_paths_metrics_and_accounting():
    papers, log = read(JET, paper_id="from-text")
    assert sorted(papers) == ["10.1234/abc", "10.5555/xyz"]
    abc = papers["10.1234/abc"]
    # P -> R1 -> R2 -> R3 (via chain), P -> Q (quote) -> Y (reply), P -> [hank] -> R5;
    # and a reply by alice (with the DOI) to fay's post P2 of the other paper (a placeholder here).
    (big, small), (sv_big, sv_small) = cascades(abc)
    assert big == [P, 8, 3, 3, 8]
    # W = 3*5 + 2*6 + 1*7 (the chain) + 2*6 + 1*7 (quote, reply) + 2*6 + 1*7 (via placeholder)
    assert sv_big == pytest.approx(2 * 72 / (8 * 7))
    assert small == [P2, 2, 1, 1, 2] and sv_small == 1.0
    assert math.isnan(cascade_metrics([abc])["reach"].iloc[0])  # Jetstream gives no followers
    row_ = paper_metrics([abc]).iloc[0]
    assert (row_.tweets, row_.retweets, row_.replies, row_.placeholders) == (8, 4, 2, 2)
    assert abc.attrs == {"platform": "bluesky"}
    # The other paper holds fay's post and alice's reply: a post is in every paper of its parent.
    xyz = papers["10.5555/xyz"]
    assert xyz.id.tolist() == [P2, f"at://{DID['alice']}/app.bsky.feed.post/3ld2post00a02"]
    assert xyz.resolution.tolist() == ["", "exact"]
    assert log.skipped == Counter(
        {
            "identity event": 3,
            "not a post or repost": 1,  # the like
            "no paper": 2,  # the unrelated post; a reply to a post outside the capture
            "deleted by a later delete event": 1,
            "delete (applied)": 1,
            "account event": 1,
        }
    )
    # 18 lines, and alice's reply counted in both of its papers.
    assert (log.records, log.used) == (19, 10)


def test_jetstream_via_chain_is_the_true_path():
    abc = read(JET, paper_id="from-text")[0]["10.1234/abc"]
    r3 = f"at://{DID['dave']}/app.bsky.feed.repost/3ld2rpst00d01"
    # dave has no identity event: his DID is the author; carol's came after her repost.
    assert path_to_root(abc, r3) == [
        DID["dave"],
        "carol.example.org",
        "bob.bsky.social",
        "alice.bsky.social",
    ]
    i = row(abc, r3)
    assert (abc.kind[i], abc.resolution[i]) == ("retweet", "exact")
    assert abc.text[i] == abc.text[row(abc, P)]  # a repost shows the post it reposts


def test_jetstream_via_at_a_missing_repost_becomes_a_placeholder():
    abc = read(JET, paper_id="from-text")[0]["10.1234/abc"]
    h = row(abc, HANK)
    assert abc.placeholder[h] and abc.kind[h] == "retweet" and abc.author[h] == DID["hank"]
    assert abc.id[abc.parent[h]] == P and np.isnat(abc.time[h])
    r5 = row(abc, f"at://{DID['gus']}/app.bsky.feed.repost/3ld2rpst00g01")
    assert abc.parent[r5] == h and abc.resolution[r5] == "placeholder"


def test_jetstream_quote_and_a_reply_without_the_doi_stay_in_the_paper():
    abc = read(JET, paper_id="from-text")[0]["10.1234/abc"]
    q = row(abc, f"at://{DID['erin']}/app.bsky.feed.post/3ld2post00e01")
    y = row(abc, f"at://{DID['fay']}/app.bsky.feed.post/3ld2post00f01")
    assert (abc.kind[q], abc.id[abc.parent[q]]) == ("quote", P)
    assert (abc.kind[y], abc.parent[y]) == ("reply", q)
    assert "10.1234" not in abc.text[q] + abc.text[y]


def test_jetstream_deleted_post_is_gone():
    papers, _ = read(JET, paper_id="from-text")
    deleted = "at://did:plc:44ybard66vv44zksje25o7dz/app.bsky.feed.post/3ld2post00c02"
    assert all(deleted not in p.id for p in papers.values())


def test_jetstream_one_paper_for_the_file_keeps_every_post(tmp_path):
    papers, log = read(JET)  # the paper is the file's stem
    (p,) = papers.values()
    assert p.citation_id == "jetstream"
    assert "no paper" not in log.skipped
    # 12 posts and reposts less the deleted one, and 2 placeholders: hank's repost and the
    # post outside the capture (P2 is in the data, in this paper too).
    assert (len(p) - p.n_placeholders, p.n_placeholders) == (11, 2)


# AppView views ---------------------------------------------------------------------------------


def test_appview_feed_and_reposted_by():
    papers, log = read(DATA / "appview.jsonl", paper_id="from-text")
    (p,) = papers.values()
    assert p.citation_id == "10.7777/feed.2024.12"  # from the external embed
    ((root, size, depth, breadth, users),), (sv,) = cascades(p)
    assert (size, depth, breadth, users) == (5, 1, 4, 5)
    assert sv == pytest.approx(2 * 4 / 5)  # a star of 5
    # ada 100 + ben 50 + cy 10 + dee 5; eve's count is unknown.
    assert cascade_metrics([p])["reach"].iloc[0] == 165.0
    undated = [a for a, t in zip(p.author, p.time) if np.isnat(t)]
    assert sorted(undated) == ["dee.bsky.social", "eve.bsky.social"]
    assert p.attrs["undated_reposts"] == 2
    # ben's repost is in the feed with its time: the getRepostedBy entry adds nothing.
    assert log.skipped == Counter({"undated repeat of a repost in the data": 1})
    ben = row(p, "at://did:plc:fpruhuo22xkm5o7ttr2ktxdo/app.bsky.feed.repost/3lbvfy3zyx22c")
    assert str(p.time[ben]) == "2024-12-01T09:30:00" and p.followers[ben] == 50.0


def test_appview_thread():
    (p,) = read(DATA / "appview_thread.json", paper_id="from-text")[0].values()
    assert p.kind.tolist() == ["original", "reply"]
    assert p.parent.tolist() == [-1, 0] and p.resolution.tolist() == ["", "exact"]


def test_reposted_by_in_another_file_joins_its_post_paper(tmp_path):
    """Membership across files: the reposts carry no link, their post does."""
    shutil.copy(DATA / "appview_thread.json", tmp_path / "thread.json")
    feed = [json.loads(line) for line in (DATA / "appview.jsonl").read_text().splitlines()]
    (tmp_path / "reposted.json").write_text(json.dumps(feed[1]))
    papers, log = read(tmp_path, paper_id="from-text")
    (p,) = papers.values()
    assert sorted(p.kind.tolist()) == ["original", "reply", "retweet", "retweet", "retweet"]
    assert (log.records, log.used, log.skipped) == (5, 5, Counter())


# Mastodon --------------------------------------------------------------------------------------


def test_mastodon_reblog_of_a_reply_quote_and_html():
    papers, log = read(DATA / "mastodon_statuses.json", paper_id="from-text")
    (p,) = papers.values()
    assert p.citation_id == "10.4242/toot.2024" and p.attrs == {"platform": "mastodon"}
    ((root, size, depth, breadth, users),), (sv,) = cascades(p)
    assert root == "https://scholar.social/users/alice/statuses/113580000000000001"
    assert (size, depth, breadth, users) == (4, 2, 2, 4)
    assert sv == pytest.approx(2 * 10 / (4 * 3))  # W = 2*2 + 1*3 + 1*3
    assert cascade_metrics([p])["reach"].iloc[0] == 200 + 20 + 30 + 40
    assert log.skipped == Counter({"no paper": 1})
    reblog = row(p, "https://mastodon.social/users/carol/statuses/113580000000000003")
    reply = int(p.parent[reblog])
    assert (p.kind[reblog], p.kind[reply], p.parent[reply]) == ("retweet", "reply", 0)
    assert p.author[reblog] == "carol@mastodon.social"
    assert p.text[0] == (
        'Our paper & data are out: https://doi.org/10.4242/toot.2024 "finally" <3 \u2014 café time'
        "\n\nThanks #OpenScience"
    )
    assert p.kind[row(p, "https://scholar.social/users/dave/statuses/113580000000000004")] == (
        "quote"
    )


def test_html_text_leaves_mentions_and_hashtags_out_of_the_links():
    text, links = html_text(
        '<p><a href="https://x.social/@a" class="u-url mention">@<span>a</span></a> see '
        '<a href="https://x.social/tags/b" rel="tag">#b</a><br>'
        '<a href="https://doi.org/10.1/Q">doi.org/10.1/Q</a> &amp;&lt;&gt;</p>'
    )
    assert text == "@a see #b\ndoi.org/10.1/Q &<>"
    assert links == ["https://doi.org/10.1/Q"]


def test_mastodon_reply_to_a_status_outside_the_file(tmp_path):
    statuses = json.loads((DATA / "mastodon_statuses.json").read_text())
    reply = next(s for s in statuses if s["in_reply_to_id"])
    (tmp_path / "one.json").write_text(json.dumps([reply]))
    (p,) = read(tmp_path / "one.json")[0].values()
    # The parent's local id is all the file says; its account is unknown here.
    assert p.id.tolist() == ["mastodon-id:113580000000000001", reply["uri"]]
    assert p.placeholder.tolist() == [True, False] and p.author[0] == "(unknown)"


# minet / twitwi --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["minet_posts.csv", "minet_posts.jsonl"])
def test_minet_exports(name):
    papers, log = read(DATA / name, paper_id="from-text")
    (p,) = papers.values()
    ((root, size, depth, breadth, users),), (sv,) = cascades(p)
    assert (size, depth, breadth, users) == (4, 2, 2, 4)
    assert sv == pytest.approx(2 * 10 / (4 * 3))
    assert p.kind.tolist() == ["original", "quote", "reply", "retweet"]  # in time order
    repost = p.id[p.kind == "retweet"][0]
    assert repost == f"{root}#reposted-by-did:plc:y7crv2yh74s7qhmtx3mvbgv5"
    assert log.skipped == Counter({"no paper": 1})


def test_minet_csv_and_jsonl_agree():
    a = next(iter(cascade.read(DATA / "minet_posts.csv", paper_id="x")))
    b = next(iter(cascade.read(DATA / "minet_posts.jsonl", paper_id="x")))
    for column in ("id", "author", "time", "text", "kind", "parent", "resolution"):
        assert getattr(a, column).tolist() == getattr(b, column).tolist(), column


def test_input_format_bluesky_reads_csv_and_json():
    for name in ("minet_posts.csv", "minet_posts.jsonl", "jetstream.jsonl"):
        assert read_records(str(DATA / name), input_format="bluesky")[0] == "bluesky"


# Membership by exact parents (shared by every reader with exact parents) -----------------------


def test_place_by_parents_is_transitive_and_counts():
    a = PaperRecords("10.1/a", "a.json")
    b = PaperRecords("10.1/b", "b.json")
    a.add("1", "ann", 0, text="10.1/a")
    b.add("5", "eve", 0, text="10.1/b")
    b.add("6", "fox", 9, text="10.1/b", ref_id="1", ref_kind="reply")  # own paper and 1's
    wait = PaperRecords("", "w.json")
    wait.add("2", "bob", 5, ref_id="1", ref_kind="retweet")
    wait.add_placeholder("3", "cy", kind="retweet", parent_id="2")  # a missing via hop
    wait.add("4", "dan", 7, ref_id="3", ref_kind="retweet")
    wait.add("9", "zed", 8, ref_id="99", ref_kind="reply")  # parent in no paper
    extra, unplaced = place_by_parents([a, b], [wait])
    assert a.id == ["1", "6", "2", "4"] and "3" in a.placeholders
    assert b.id == ["5", "6"]
    assert unplaced == [1]
    assert extra == Counter({"b.json": 1, "w.json": 0})


def test_twitter_v1_reply_without_doi_joins_its_parent_paper(tmp_path):
    def status(tid, text, reply=None):
        t = {
            "id_str": tid,
            "created_at": f"Thu Dec 03 14:19:0{tid} +0000 2015",
            "user": {"screen_name": f"u{tid}", "followers_count": 1},
            "text": text,
        }
        return t | ({"in_reply_to_status_id_str": reply} if reply else {})

    tweets = [
        status("1", "Paper https://doi.org/10.1000/ABC"),
        status("2", "@u1 nice", reply="1"),
        status("3", "@u2 agreed", reply="2"),
        status("4", "@u9 what?", reply="9"),  # its parent is in no paper
    ]
    (tmp_path / "t.json").write_text(json.dumps(tweets))
    papers, log = read(tmp_path / "t.json", paper_id="from-text")
    (p,) = papers.values()
    assert p.id.tolist() == ["1", "2", "3"] and p.parent.tolist() == [-1, 0, 1]
    assert log.skipped == Counter({"no paper id in the text (no DOI or URL)": 1})
    assert (log.records, log.used) == (4, 3)


# The commands ----------------------------------------------------------------------------------


def test_commands_run_on_the_samples(tmp_path, capsys):
    src = str(DATA)
    opts = ["--paper-id", "from-text", "-q"]
    assert main(["metrics", src, *opts, "--format", "csv", "-o", str(tmp_path / "m.csv")]) == 0
    table = pd.read_csv(tmp_path / "m.csv").set_index("citation_id")
    assert table.loc["10.1234/abc", "max_depth"] == 3
    assert table.loc["10.4242/toot.2024", "reach"] == 290
    assert main(["rank", src, *opts, "-o", str(tmp_path / "r.csv")]) == 0
    assert main(["graph", src, *opts, "-o", str(tmp_path / "g.html"), "--level", "tweet"]) == 0
    html = (tmp_path / "g.html").read_text(encoding="utf-8")
    from cascade.render.html.items import page_items

    assert "https://cdn" not in html
    assert "carol.example.org" in {n["handle"] for n in page_items(html)[0]}
    out = tmp_path / "t"
    assert main(["export", src, *opts, "--to", "csv", "--level", "tweet", "-o", str(out)]) == 0
    nodes = pd.read_csv(tmp_path / "t.nodes.csv")
    assert P in set(nodes.iloc[:, 0]) or P in set(nodes.get("name", nodes.get("id", [])))
    assert main(["report", src, *opts, "-o", str(tmp_path / "report")]) == 0
    assert (tmp_path / "report" / "index.html").is_file()


# Bad input: only InputError may escape, every record is accounted for ------------------------

_ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", "at://", "at://x/app.bsky.feed.post/", "<p>&amp", "10.1234/x"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _paths(doc, prefix=()):
    out = [(prefix, doc)]
    items = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    )
    for k, v in list(items)[:40]:
        if len(prefix) < 8:
            out += _paths(v, (*prefix, k))
    return out


@st.composite
def _mutated(draw, docs):
    docs = json.loads(json.dumps(docs))
    paths = _paths(docs)
    for _ in range(draw(st.integers(1, 6))):
        path, _ = paths[draw(st.integers(0, len(paths) - 1))]
        if not path:
            continue
        parent = docs
        try:
            for k in path[:-1]:
                parent = parent[k]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(_ODD)
        except (KeyError, IndexError, TypeError):
            continue
    return docs


def _lines(name):
    return [json.loads(line) for line in (DATA / name).read_text().splitlines()]


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("jetstream.jsonl", "bluesky"),
        ("appview.jsonl", "bluesky"),
        ("minet_posts.jsonl", "bluesky"),
        ("mastodon_statuses.json", "mastodon"),
    ],
)
def test_fuzz_social_readers(name, fmt, tmp_path):
    seed = _lines(name) if name.endswith(".jsonl") else [json.loads((DATA / name).read_text())]

    @settings(max_examples=30, deadline=None, derandomize=True, database=None)
    @given(docs=_mutated(seed), forced=st.booleans(), from_text=st.booleans())
    def run(docs, forced, from_text):
        path = tmp_path / "f.jsonl"
        body = "\n".join(json.dumps(d, allow_nan=True) for d in docs)
        path.write_bytes(body.encode("utf-8", "surrogatepass"))
        try:
            corpus = cascade.read(
                path, input_format=fmt if forced else None,
                paper_id="from-text" if from_text else None,
            )  # fmt: skip
            for paper in corpus:
                assert (paper.parent < np.arange(len(paper.id))).all()
            log = corpus.log
            assert log.records == log.used + sum(log.skipped.values())
        except InputError as err:
            assert "\n" not in str(err)

    run()
