"""Readers of every source format: counts checked against the raw JSON, parents, accounting."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest

import cascade
from cascade.io import read_records
from cascade.metrics import paper_metrics

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
SHARED = ROOT / "tests" / "data"  # a copy of ../shared/data: the tests need no ../shared


def papers(path, **kw):
    corpus = cascade.read(path, **kw)
    return {p.citation_id: p for p in corpus}, corpus.log


def edges(p):
    child = np.flatnonzero(p.parent >= 0)
    return {(p.id[p.parent[c]], p.id[c], p.kind[c], p.resolution[c]) for c in child}


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("altmetric_api_357137.json", "altmetric-api"),
        ("twitter_v1_search_head.json", "twitter-v1"),
        ("twitter_v1_quoted.json", "twitter-v1"),
        ("twitter_v2_two_tweets.jsonl", "twitter-v2"),
        ("twitter_v2_flat_head.jsonl", "twitter-v2"),
        ("crossref_events_179_head.json", "crossref-events"),
        ("backtype_page1.json", "backtype"),
        ("chain_tree.json", "altmetric-tab"),
    ],
)
def test_format_is_detected_from_content(name, fmt):
    assert read_records(str(FIX / name))[0] == fmt


# --- Altmetric API ------------------------------------------------------------------------------


def test_altmetric_api_counts_match_the_raw_responses():
    files = sorted((SHARED / "altmetric-api").glob("[0-9]*.json"))
    found, log = papers(files)
    assert len(found) == len(files) == 17
    total = 0
    for f in files:
        raw = json.loads(f.read_text(encoding="utf-8"))
        tweets = raw["posts"]["twitter"]
        p = found[str(raw["altmetric_id"])]
        assert p.records == p.n_tweets == len(tweets)
        assert p.attrs["doi"] == raw["citation"]["doi"].lower()
        with_followers = sum(isinstance(t["author"].get("followers"), int) for t in tweets)
        assert int(np.isfinite(p.followers[~p.placeholder]).sum()) == with_followers
        total += len(tweets)
    assert log.records == log.used == total == 739


def test_altmetric_api_rt_lists_are_credited_hops():
    p = next(iter(cascade.read(FIX / "altmetric_api_357137.json")))
    raw = json.loads((FIX / "altmetric_api_357137.json").read_text(encoding="utf-8"))
    credited = {t["tweet_id"]: t["rt"] for t in raw["posts"]["twitter"] if t.get("rt")}
    assert credited  # the fixture has retweets
    for tid, handles in credited.items():
        i = int(np.flatnonzero(p.id == tid)[0])
        assert p.parent[i] >= 0
        assert p.author[p.parent[i]].lower() == handles[0].lower()


def test_altmetric_api_rt_handles_keep_their_order_nearest_first(tmp_path):
    def post(tid, who, when, text, rt=None):
        t = {"tweet_id": tid, "posted_on": when, "summary": text, "author": {"id_on_source": who}}
        return t | ({"rt": rt} if rt else {})

    def parents(rt_of_3):
        doc = {
            "altmetric_id": 7,
            "posts": {
                "twitter": [
                    post("1", "orig", "2015-01-01T00:00:00Z", "A paper"),
                    post("2", "mid", "2015-01-01T01:00:00Z", "A paper", ["orig"]),
                    post("3", "late", "2015-01-01T02:00:00Z", "A paper", rt_of_3),
                    # "absent" has no tweet: its hop becomes a placeholder, not dropped.
                    post("4", "last", "2015-01-01T03:00:00Z", "A paper", ["absent", "orig"]),
                ]
            },
        }
        path = tmp_path / "api.json"
        path.write_text(json.dumps(doc))
        p = next(iter(cascade.read(path)))
        return {p.id[i]: p.author[p.parent[i]] for i in range(len(p)) if p.parent[i] >= 0}

    # The hints are nearest first (issue 13): "mid" is the hop "late" retweeted.
    assert parents(["mid", "orig"]) == {"2": "orig", "3": "mid", "4": "absent",
                                        "placeholder:1": "orig"}  # fmt: skip
    # They are not re-sorted by who tweeted last: the given order is kept.
    assert parents(["orig", "mid"])["3"] == "orig"


def test_malformed_file_gives_one_line_error_and_the_others_go_on(tmp_path):
    good = FIX / "altmetric_api_357137.json"
    bad = FIX / "altmetric_api_malformed.json"
    found, log = papers([bad, good])
    assert list(found) == ["357137"]
    (error,) = log.errors
    assert "\n" not in error
    assert re.fullmatch(rf"{re.escape(str(bad))}:\d+:\d+: invalid JSON: .+", error)
    assert log.files[str(bad)].error == error
    with pytest.raises(cascade.io.InputError, match=r"malformed\.json:\d+:\d+"):
        list(cascade.read([bad, good], strict=True))


# --- Twitter v1.1 --------------------------------------------------------------------------------


def _v1_statuses(path):
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return (
        doc["statuses"]
        if isinstance(doc, dict) and "statuses" in doc
        else (doc if isinstance(doc, list) else [doc])
    )


@pytest.mark.parametrize("name", sorted(p.name for p in (SHARED / "twitter-v1").glob("*.json")))
def test_v1_counts_and_exact_parents(name):
    statuses = _v1_statuses(SHARED / "twitter-v1" / name)
    found, log = papers(SHARED / "twitter-v1" / name, paper_id="p")
    p = found["p"]
    ids = {t["id_str"] for t in statuses}
    carried = set()
    for t in statuses:
        inner = [t[k] for k in ("retweeted_status", "quoted_status") if k in t]
        inner += [s["quoted_status"] for s in inner if "quoted_status" in s]
        # A carried status without its user (some test data strip it) cannot be used.
        carried |= {s["id_str"] for s in inner if isinstance(s.get("user"), dict)}
    assert log.records == p.records == len(statuses)
    assert p.embedded == len(carried - ids)
    assert p.n_tweets == len(ids | carried)
    index = {tid: i for i, tid in enumerate(p.id)}
    for t in statuses:
        i = index[t["id_str"]]
        if "retweeted_status" in t:
            want, kind = t["retweeted_status"]["id_str"], "retweet"
        elif t.get("quoted_status_id_str"):
            want, kind = t["quoted_status_id_str"], "quote"
        elif t.get("in_reply_to_status_id_str"):
            want, kind = t["in_reply_to_status_id_str"], "reply"
        else:
            assert p.kind[i] == "original" or p.parent[i] >= 0  # manual "RT @a:" texts
            continue
        assert p.id[p.parent[i]] == want and p.kind[i] == kind
        assert p.followers[i] == t["user"]["followers_count"]
        if kind == "reply" and p.placeholder[p.parent[i]]:
            assert p.author[p.parent[i]] == t["in_reply_to_screen_name"]


def test_v1_quotes_are_not_retweets():
    p = next(iter(cascade.read(FIX / "twitter_v1_search_head.json", paper_id="p")))
    statuses = _v1_statuses(FIX / "twitter_v1_search_head.json")
    n_rt = sum("retweeted_status" in t for t in statuses)
    n_quotes = sum("quoted_status" in t and "retweeted_status" not in t for t in statuses)
    assert (n_rt, n_quotes) == (4, 2)
    assert int((p.kind == "quote").sum()) >= n_quotes
    table = paper_metrics([p])
    assert int(table["retweets"].iloc[0]) == int((p.kind == "retweet").sum()) == n_rt


def test_v1_paper_ids_from_the_dois_in_the_text(tmp_path):
    def status(tid, text, rt=None, urls=()):
        t = {
            "id_str": tid,
            "created_at": f"Thu Dec 03 14:19:0{tid} +0000 2015",
            "user": {"screen_name": f"u{tid}", "followers_count": 1},
            "text": text,
            "entities": {"urls": [{"expanded_url": u} for u in urls]},
        }
        return t | ({"retweeted_status": rt} if rt else {})

    a = status("1", "New paper https://t.co/x", urls=["https://doi.org/10.1000/ABC"])
    b = status("2", "RT @u1: New paper https://t.co/x", rt=a)
    c = status("3", "Unrelated https://example.org/page?q=1")
    d = status("4", "nothing linked")
    path = tmp_path / "search.json"
    path.write_text(json.dumps([a, b, c, d]))
    found, log = papers(path, paper_id="from-text")
    assert sorted(found) == ["10.1000/abc", "example.org/page"]
    assert edges(found["10.1000/abc"]) == {("1", "2", "retweet", "exact")}
    assert log.skipped == Counter({"no paper id in the text (no DOI or URL)": 1})
    # Without --paper-id the paper is the file's stem.
    assert list(papers(path)[0]) == ["search"]


# --- Twitter v2 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["brexit.jsonl", "kpop.jsonl", "noflat.jsonl"])
def test_v2_page_counts_and_parents(name):
    path = SHARED / "twitter-v2" / name
    pages = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    found, log = papers(path, paper_id="p")
    p = found["p"]
    data = [t for page in pages for t in page["data"]]
    included = {t["id"]: t for page in pages for t in page["includes"].get("tweets", [])}
    users = {u["id"]: u for page in pages for u in page["includes"]["users"]}
    ids = {t["id"] for t in data}
    assert log.records == p.records == len(data)
    rank = {"retweeted": 0, "quoted": 1, "replied_to": 2}
    kinds = {"retweeted": "retweet", "quoted": "quote", "replied_to": "reply"}
    index = {tid: i for i, tid in enumerate(p.id)}
    parents_in_includes = set()
    for t in data:
        i = index[t["id"]]
        assert p.followers[i] == users[t["author_id"]]["public_metrics"]["followers_count"]
        refs = sorted(t.get("referenced_tweets", []), key=lambda r: rank[r["type"]])
        if refs:
            assert p.id[p.parent[i]] == refs[0]["id"]
            assert p.kind[i] == kinds[refs[0]["type"]]
            if refs[0]["id"] in included:
                parents_in_includes.add(refs[0]["id"])
    assert p.embedded == len(parents_in_includes - ids)
    assert not p.placeholder[[index[t] for t in parents_in_includes]].any()


def test_v2_flat_and_paged_files_give_the_same_forest():
    flat = next(iter(cascade.read(SHARED / "twitter-v2" / "flat.jsonl", paper_id="x")))
    paged = next(iter(cascade.read(SHARED / "twitter-v2" / "noflat.jsonl", paper_id="x")))
    assert edges(flat) == edges(paged)
    assert (flat.records, flat.embedded) == (paged.records, paged.embedded) == (100, 64)


def test_v2_quote_reply_is_a_quote_and_its_original_is_embedded():
    p = next(iter(cascade.read(FIX / "twitter_v2_quoted_edit.jsonl", paper_id="p")))
    assert (p.records, p.embedded, p.n_placeholders) == (1, 1, 0)
    assert edges(p) == {("1576994746135764992", "1576995594388000768", "quote", "exact")}


# --- Crossref Event Data -------------------------------------------------------------------------


@pytest.mark.parametrize("name, n_tweets", [("events_179.json", 325), ("events_1403.json", 196)])
def test_crossref_counts(name, n_tweets):
    raw = json.loads((SHARED / "crossref-events" / name).read_text(encoding="utf-8"))
    events = raw["message"]["events"]
    tweets = [e for e in events if e["source_id"] == "twitter"]
    assert len(tweets) == n_tweets
    found, log = papers(SHARED / "crossref-events" / name)
    (doi,) = {e["obj_id"].lower().removeprefix("https://doi.org/") for e in tweets}
    p = found[doi]
    assert p.n_tweets == log.used == n_tweets and p.n_placeholders == 0
    assert log.records == len(events)
    assert sum(log.skipped.values()) == len(events) - n_tweets
    assert np.isnan(p.followers).all()
    retweets = [e for e in tweets if e["subj"]["original-tweet-url"] != e["subj_id"]]
    assert int((p.kind == "retweet").sum()) == len(retweets)
    assert {r for *_, r in edges(p)} == {"exact"}


def test_crossref_absent_original_gets_its_known_author():
    found, log = papers(FIX / "crossref_events_179_head.json")
    (p,) = found.values()
    assert p.citation_id == "10.1001/jama.284.19.2476" == p.attrs["doi"]
    assert (p.n_tweets, p.n_placeholders) == (7, 1)
    ph = int(np.flatnonzero(p.placeholder)[0])
    assert p.id[ph] == "1246549354422378496" and p.author[ph] == "NAChristakis"
    assert np.isnat(p.time[ph])
    assert int((p.parent == ph).sum()) == 2
    assert log.skipped == Counter({"not a twitter event (reddit-links)": 2})


# --- Backtype ------------------------------------------------------------------------------------

_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>&]+")


def _backtype_keys(path):
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    tweets = raw["tweets"] if isinstance(raw, dict) else raw
    keys = []
    for t in tweets:
        dois = {d.rstrip(".,;)").lower() for d in _DOI.findall(unquote(t["tweet_text"]))}
        keys += [(doi, t["tweet_id"]) for doi in dois]
    return tweets, keys


def test_backtweets_counts_and_duplicates():
    path = SHARED / "backtweets" / "tweetsFromSearch.json"
    tweets, keys = _backtype_keys(path)
    assert (len(tweets), len({t["tweet_id"] for t in tweets})) == (513, 413)
    found, log = papers(path)
    no_doi = sum(1 for t in tweets if not _DOI.search(unquote(t["tweet_text"])))
    assert log.records == len(keys) + no_doi
    assert log.used == len(set(keys)) == sum(p.n_tweets for p in found.values())
    assert log.duplicates == len(keys) - len(set(keys)) == log.skipped["duplicate id"]
    assert log.skipped["no DOI in the tweet"] == no_doi
    assert set(found) == {doi for doi, _ in keys}


def test_duplicates_across_files_count_once_per_paper():
    files = [SHARED / "backtweets" / n for n in ("tweetsFromSearch.json", "backtweets.json.page1")]
    _, keys = _backtype_keys(files[0])
    _, keys1 = _backtype_keys(files[1])
    found, log = papers(files)
    assert set(keys1) <= set(keys)  # page 1 repeats tweets of the search
    assert log.used == len(set(keys)) == sum(p.n_tweets for p in found.values())
    assert log.files[str(files[1])].duplicates == len(keys1)
    assert log.files[str(files[1])].used == 0
    assert log.duplicates == len(keys) + len(keys1) - len(set(keys))
    assert f"{log.duplicates} duplicates" in log.summary()
    assert sum(p.duplicates for p in found.values()) == log.duplicates


def test_backtype_html_is_plain_text_and_chains_resolve():
    found, _ = papers(FIX / "backtype_page1.json")
    texts = [t for p in found.values() for t in p.text]
    assert not any("<a " in t or "&amp;" in t for t in texts)
    p = found["10.1371/journal.pone.0012292"]
    assert "RT @PLoS:" in " ".join(p.text)
    assert (p.kind == "retweet").sum() >= 1


# --- plain CSV -----------------------------------------------------------------------------------


def test_csv_reader_parents_followers_and_missing_values(tmp_path):
    path = tmp_path / "tweets.csv"
    path.write_text(
        "tweet_id,paper_id,author,time,text,followers,parent_id\n"
        "9007199254740993,p1,Ann,2020-01-01T00:00:00Z,A paper,10,\n"
        "9007199254740995,p1,bob,2020-01-01 00:01:00,my take,,9007199254740993\n"
        "3,p1,cy,not a time,x,1,\n"
        '4,p2,dee,2020-01-02T00:00:00+01:00,"comma, ""quote""",2.5K,\n',
        encoding="utf-8",
    )
    found, log = papers(path)
    assert sorted(found) == ["p1", "p2"]
    p = found["p1"]
    assert p.id.tolist() == ["9007199254740993", "9007199254740995"]
    assert edges(p) == {("9007199254740993", "9007199254740995", "retweet", "exact")}
    assert p.followers[0] == 10 and math.isnan(p.followers[1])
    q = found["p2"]
    assert q.text[0] == 'comma, "quote"' and q.followers[0] == 2500
    assert q.time[0] == np.datetime64("2020-01-01T23:00:00")
    assert log.skipped == Counter({"no time": 1})


def test_csv_without_required_columns_is_an_input_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("tweet_id,author,time\n1,a,2020-01-01\n", encoding="utf-8")
    assert list(papers(path)[0]) == ["bad"]  # no paper_id column: the file's stem
    other = tmp_path / "other.csv"
    other.write_text("tweet_id,author,time,text\n", encoding="utf-8")
    path.write_text("tweet_id,who,time\n1,a,2020\n", encoding="utf-8")
    with pytest.raises(cascade.io.InputError, match="missing column"):
        list(cascade.read(path, input_format="csv", strict=True))
