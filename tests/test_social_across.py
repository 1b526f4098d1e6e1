"""Parents matched across the files of one run: Mastodon local ids, Bluesky getRepostedBy.

The Mastodon files are hand-written here in the shape of the API's Status entity (``id`` local
to the serving instance, ``uri``, ``in_reply_to_id``, ``in_reply_to_account_id``, ``reblog``,
``quote`` as a ShallowQuote with ``quoted_status_id``), one file per search page
(``/api/v2/search``: ``{"accounts", "statuses", "hashtags"}``) plus a thread page
(``/api/v1/statuses/:id/context``) and a JSON Lines timeline dump. Expected cascades are worked
out by hand: structural virality is 2W / (n (n - 1)), W the sum over non-root v of
s_v (n - s_v), s_v the subtree size.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import cascade
from cascade.metrics import cascade_metrics

DATA = Path(__file__).resolve().parent / "data" / "social"
HOST = "https://scholar.social"
ACCOUNTS = {"alice": "1001", "bob": "1002", "carol": "1003", "dave": "1004", "erin": "1005",
            "fay": "1006", "gus": "1007"}  # fmt: skip


def account(name):
    return {
        "id": ACCOUNTS[name], "username": name, "acct": name, "display_name": name.title(),
        "url": f"{HOST}/@{name}", "uri": f"{HOST}/users/{name}", "followers_count": 10,
        "following_count": 5, "statuses_count": 100, "locked": False, "bot": False,
    }  # fmt: skip


def uri(name, local):
    return f"{HOST}/users/{name}/statuses/{local}"


def status(name, local, minute, content, *, reply=None, quote=None, reblog=None):
    """A Status; ``reply``: (local id, account name) replied to; ``quote``: a local id."""
    return {
        "id": local, "created_at": f"2024-12-02T08:{minute:02d}:00.000Z",
        "in_reply_to_id": reply[0] if reply else None,
        "in_reply_to_account_id": ACCOUNTS[reply[1]] if reply else None,
        "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "en",
        "uri": uri(name, local), "url": f"{HOST}/@{name}/{local}", "replies_count": 0,
        "reblogs_count": 0, "favourites_count": 0, "content": content, "reblog": reblog,
        "account": account(name), "media_attachments": [], "mentions": [], "tags": [],
        "emojis": [], "card": None, "poll": None,
        **({"quote": {"state": "accepted", "quoted_status_id": quote}} if quote else {}),
    }  # fmt: skip


DOI = '<p>Out now: <a href="https://doi.org/10.4242/cross.1">doi.org/10.4242/cross.1</a></p>'
A = status("alice", "201", 0, DOI)
E = status("erin", "202", 1, "<p>Unrelated</p>")
B = status("bob", "203", 2, "<p>Congratulations!</p>", reply=("201", "alice"))
C = status("carol", "204", 3, "<p>Agreed with Bob</p>", reply=("203", "bob"))
Q = status("dave", "205", 4, "<p>A must read</p>", quote="201")
R = status("fay", "206", 5, "", reblog=B)
G = status("gus", "207", 6, "<p>Replying to something unseen</p>", reply=("299", "alice"))


def search_page(*statuses):
    return {"accounts": [], "statuses": list(statuses), "hashtags": []}


def read(path, **kw):
    corpus = cascade.read(path, **kw)
    return {p.citation_id: p for p in corpus}, corpus.log


def shape(p):
    """Per tweet (by author): parent's author, kind, resolution; placeholders."""
    author = p.author.tolist()
    parents = [author[j] if j >= 0 else None for j in p.parent.tolist()]
    return dict(zip(author, zip(parents, p.kind.tolist(), p.resolution.tolist()))), int(
        p.placeholder.sum()
    )


EXPECTED = {
    "alice": (None, "original", ""),
    "bob": ("alice", "reply", "exact"),
    "carol": ("bob", "reply", "exact"),
    "dave": ("alice", "quote", "exact"),
    "fay": ("bob", "retweet", "exact"),
}


def write_pages(tmp_path):
    (tmp_path / "page1.json").write_text(json.dumps(search_page(A, E)))
    (tmp_path / "page2.json").write_text(json.dumps(search_page(B, C, Q)))
    (tmp_path / "page3.jsonl").write_text("\n".join(json.dumps(s) for s in (R, G)) + "\n")


def test_mastodon_parents_in_other_files_of_the_run(tmp_path):
    write_pages(tmp_path)
    papers, log = read(tmp_path, paper_id="from-text")
    (p,) = papers.values()
    assert p.citation_id == "10.4242/cross.1"
    assert shape(p) == (EXPECTED, 0)
    table = cascade_metrics([p])
    # alice -> bob -> {carol, fay}, alice -> dave: n = 5, depth 2, breadth 2 (bob, dave).
    assert table[["size", "depth", "max_breadth", "users"]].values.tolist() == [[5, 2, 2, 5]]
    # subtree sizes bob 3, carol 1, fay 1, dave 1: W = 3*2 + 1*4 + 1*4 + 1*4 = 18.
    assert table["structural_virality"].iloc[0] == pytest.approx(2 * 18 / (5 * 4))
    # A, E, B, C, Q, R, G are records (R's carried copy of B is not); E and G are in no paper.
    assert (log.records, log.used, log.skipped) == (7, 5, Counter({"no paper": 2}))
    assert [log.files[str(tmp_path / n)].used for n in ("page1.json", "page2.json",
                                                        "page3.jsonl")] == [1, 3, 1]  # fmt: skip


def test_mastodon_across_files_with_one_paper_id(tmp_path):
    """Every status in one paper: the cross-file replies are exact edges, no placeholder but
    gus's unseen parent, by alice: the account gus replied to is shown by another file."""
    write_pages(tmp_path)
    papers, log = read(tmp_path, paper_id="thread")
    (p,) = papers.values()
    edges, placeholders = shape(p)
    assert {k: v for k, v in edges.items() if k in EXPECTED} == EXPECTED
    assert edges["erin"] == (None, "original", "")
    assert edges["gus"] == ("alice", "reply", "placeholder") and placeholders == 1
    assert p.id[p.placeholder].tolist() == ["mastodon-id:299"]
    assert (log.records, log.used, log.skipped) == (7, 7, Counter())


def test_mastodon_thread_context_and_search_page(tmp_path):
    """``/api/v1/statuses/:id/context`` of B (ancestors A, descendants C) beside a search page
    holding B: one cascade, each status once."""
    (tmp_path / "context.json").write_text(json.dumps({"ancestors": [A], "descendants": [C]}))
    (tmp_path / "search.json").write_text(json.dumps(search_page(B)))
    papers, log = read(tmp_path, paper_id="from-text")
    (p,) = papers.values()
    assert shape(p) == ({k: EXPECTED[k] for k in ("alice", "bob", "carol")}, 0)
    assert (log.records, log.used, log.skipped) == (3, 3, Counter())


def test_mastodon_local_id_given_to_two_statuses_is_not_matched(tmp_path):
    """Two files (two instances) give local id 201 to different statuses: a reply to 201 in
    a third file matches neither; the account bob replied to (alice's id) is not ambiguous."""
    other = status("erin", "201", 1, DOI)
    other["uri"] = "https://other.example/users/erin/statuses/201"
    (tmp_path / "a.json").write_text(json.dumps([A]))
    (tmp_path / "b.json").write_text(json.dumps([other]))
    (tmp_path / "c.json").write_text(json.dumps([B]))
    papers, log = read(tmp_path, paper_id="thread")
    (p,) = papers.values()
    edges, placeholders = shape(p)
    assert edges["bob"] == ("alice", "reply", "placeholder") and placeholders == 1
    assert p.id[p.placeholder].tolist() == ["mastodon-id:201"]


def test_mastodon_account_given_two_accts_is_not_used(tmp_path):
    """Account id 1001 is alice in one file, erin in another: the placeholder of a status
    replied to in a third file stays by an unknown author."""
    other = status("erin", "301", 1, DOI)
    other["account"]["id"] = ACCOUNTS["alice"]
    (tmp_path / "a.json").write_text(json.dumps([A]))
    (tmp_path / "b.json").write_text(json.dumps([other]))
    (tmp_path / "c.json").write_text(json.dumps([G]))
    papers, log = read(tmp_path, paper_id="thread")
    (p,) = papers.values()
    edges, placeholders = shape(p)
    assert edges["gus"] == ("(unknown)", "reply", "placeholder") and placeholders == 1


def test_reposted_by_and_the_dated_repost_in_another_file(tmp_path):
    """The feed (ben's dated repost) and getRepostedBy (dee, eve, ben) in two files read as
    the one file does: ben's undated repost is a repeat."""
    lines = (DATA / "appview.jsonl").read_text().splitlines()
    (tmp_path / "feed.json").write_text(lines[0])
    (tmp_path / "reposted.json").write_text(lines[1])
    together, log1 = read(DATA / "appview.jsonl", paper_id="from-text")
    papers, log = read(tmp_path, paper_id="from-text")
    ((cid, p),), ((_, q),) = papers.items(), together.items()
    assert cid == "10.7777/feed.2024.12"
    assert sorted(zip(p.author.tolist(), p.time.astype(str).tolist())) == sorted(
        zip(q.author.tolist(), q.time.astype(str).tolist())
    )
    assert len(p) == 5 and p.attrs["undated_reposts"] == q.attrs["undated_reposts"] == 2
    repeat = Counter({"undated repeat of a repost in the data": 1})
    assert (log1.records, log1.used, log1.skipped) == (6, 5, repeat)
    assert (log.records, log.used, log.skipped) == (6, 5, repeat)
    assert log.files[str(tmp_path / "reposted.json")].skipped == repeat


def test_reposted_by_with_the_post_in_another_file_counts_undated(tmp_path):
    """getRepostedBy beside a getPostThread of the post: the three reposts (no time) join the
    post's paper and are counted in ``attrs["undated_reposts"]``."""
    shutil.copy(DATA / "appview_thread.json", tmp_path / "thread.json")
    (tmp_path / "reposted.json").write_text((DATA / "appview.jsonl").read_text().splitlines()[1])
    (p,) = read(tmp_path, paper_id="from-text")[0].values()
    undated = sorted(a for a, t in zip(p.author.tolist(), p.time) if np.isnat(t))
    assert undated == ["ben.bsky.social", "dee.bsky.social", "eve.bsky.social"]
    assert p.attrs["undated_reposts"] == 3
    root = p.id.tolist().index(
        "at://did:plc:3jpt2mvvsumj2r7eqk4gzzjz/app.bsky.feed.post/3lbvf6vzlxk2h"
    )
    assert [int(p.parent[i]) for i, t in enumerate(p.time) if np.isnat(t)] == [root] * 3


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_parents_across_files_whatever_the_worker_count(tmp_path, workers):
    """A reply in no paper whose parent is in another group of files was lost by a parallel
    run (size 4, 3 posts in no paper with 2 workers): groups holding a post of no paper are
    read again together, as a serial run reads them."""
    from cascade.parallel import measure

    write_pages(tmp_path)
    m = measure(tmp_path, workers=workers, options=cascade.ReadOptions(paper_id="from-text"))
    assert m.cascades[["size", "depth", "max_breadth"]].values.tolist() == [[5, 2, 2]]
    assert (m.log.records, m.log.used, m.log.skipped) == (7, 5, Counter({"no paper": 2}))
