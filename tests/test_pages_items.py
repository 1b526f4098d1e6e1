"""The page's data as columns: the items the browser builds equal the Python reference
(``cascade.render.html.items``) item by item, tooltips included; the tooltips keep the formats
of ``cascade.render.html.tooltips``; hostile text stays text; a tweet in several papers' trees
gets a page that loads (vis ids are unique)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import igraph as ig
import numpy as np
import pytest
from conftest import browser_module

import cascade
from cascade.render.html import to_html, tooltips
from cascade.render.html.columns import encode, shown_numbers
from cascade.render.html.items import count, decode, page_data, page_items, when
from cascade.render.html.measures import retweets_received

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "examples" / "data" / "attention-is-not-explanation.json"
API = HERE / "data" / "altmetric-api"
SOCIAL = HERE / "data" / "social"
browser = browser_module()

# What the brief of issue 12 names, and a closing tag: shown as text, never run.
HOSTILE = ("<img src=x onerror=alert(1)>", "</script><script>window.pwned=1</script>")


@pytest.fixture(scope="module")
def paper():
    return next(iter(cascade.read(SAMPLE)))


@pytest.fixture(scope="module")
def api_papers():
    return [p for p in cascade.read(API) if len(p)]


def hostile_tweets() -> ig.Graph:
    g = ig.Graph(n=3, edges=[(0, 1), (0, 2)], directed=True)
    g.vs["name"] = ["1101102870303330305", "1101102870303330306", "placeholder:1"]
    g.vs["author"] = ["ann", HOSTILE[0], HOSTILE[1]]
    g.vs["user"] = [a.lower() for a in g.vs["author"]]
    g.vs["time"] = [datetime(2019, 2, 28, 12, i, tzinfo=timezone.utc) for i in range(2)] + [None]
    g.vs["followers"] = [712.0, float("nan"), 1234567.0]
    g.vs["text"] = [f"a {HOSTILE[1]}", f"RT @ann: {HOSTILE[0]}", ""]
    g.vs["kind"] = ["original", "retweet", "retweet"]
    g.vs["placeholder"] = [False, False, True]
    g.vs["resolution"] = ["", "text", "placeholder"]
    g.es["kind"] = ["retweet", "retweet"]
    g["level"] = "tweet"
    return g


def hostile_users() -> ig.Graph:
    g = ig.Graph(n=3, edges=[(0, 1), (0, 2), (1, 2)], directed=True)
    g.vs["name"] = ["ann", HOSTILE[0].lower(), HOSTILE[1].lower()]
    g.vs["handle"] = ["Ann", *HOSTILE]
    g.vs["followers"] = [10.0, float("nan"), 2.0**60]
    g.vs["tweets"] = [3, 1, 2]
    g.vs["papers"] = [2, 1, 1]
    g.vs["top_tweet"] = [HOSTILE[1], "", "second\nline"]
    g.es["kind"] = ["retweet", "quote", "mention"]
    g.es["weight"] = [3, 1, 2.5]
    g["level"] = "user"
    return g


def hub_graph() -> ig.Graph:
    """Papers as vertices linked to their users, as the report's combined page draws them."""
    g = ig.Graph(n=5, edges=[(0, 2), (0, 3), (1, 3), (1, 4)], directed=True)
    g.vs["name"] = ["paper:1", "paper:2", "ann", "bo", HOSTILE[0].lower()]
    g.vs["handle"] = ["A <b>paper</b>", "Another", "Ann", "bo", HOSTILE[0]]
    g.vs["tweets"] = [2, 2, 1, 2, 1]
    g.vs["followers"] = [float("nan"), float("nan"), 5.0, 7.0, 0.0]
    g.es["kind"] = ["tweeted"] * 4
    g.es["weight"] = [1, 2, 1, 1]
    g["level"] = "user"
    return g


def test_tooltips_keep_the_formats_of_the_tooltip_functions(paper):
    """Every tooltip the reference builds is the text tooltips.user_title / tweet_title give."""
    users = cascade.user_graph(paper)
    nodes, _ = page_items(to_html(users, size_by="pagerank"))
    received = retweets_received(users, "user")
    from cascade.render.html.measures import measure

    pagerank, title = measure(users, [], "pagerank", "user")
    by_id = {n["id"]: n for n in nodes}
    for v in users.vs:
        # A bare graph carries no tweet texts: the user's own top tweet is not in it.
        head, text = tooltips.user_title(
            v.attributes(), v["handle"], received[v.index], (title, pagerank[v.index]), None
        )
        assert by_id[v["name"]]["title"] == tooltips.join(head, text)
    assert any("pagerank: 0.0" in n["title"] for n in nodes)  # fractions as fmt_count writes
    tweets = cascade.tweet_graph(paper)
    nodes, _ = page_items(to_html(paper, level="tweet", size_by="descendants"))
    assert len(nodes) == tweets.vcount() == 258
    received = retweets_received(tweets, "tweet")
    from cascade.render.html.measures import downstream

    below = downstream(tweets)
    for v, n in zip(tweets.vs, nodes, strict=True):
        vx = {**v.attributes(), "citation_id": str(paper.citation_id)}
        head, text = tooltips.tweet_title(
            vx, v["author"], received[v.index], ("tweets downstream", below[v.index])
        )
        assert n["title"] == tooltips.join(head, text)


def test_numbers_and_times_as_python_formats_them():
    values = [0.0, 1804.0, -1234567.0, 0.12345, 1.5e-05, 2.0**53, float("nan"), None, 12345.678]
    assert [count(v) for v in shown_numbers(values)] == [tooltips.fmt_count(v) for v in values]
    for t in (0, 1551359624, 1551359999, 4102444800, -86400 * 365):
        d = datetime.fromtimestamp(t, timezone.utc)
        assert when(t) == tooltips.fmt_time(d)
    assert when(None) == tooltips.fmt_time(None) == "unknown"


def test_the_data_block_is_deflated_base64_without_markup():
    html = to_html(hostile_users())
    data, spec = page_data(html)
    block = html.split('id="cascade-data">')[1].split("</script>")[0]
    assert set(block) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
    assert decode(encode(data)) == data
    assert data["handle"] == ["Ann", *HOSTILE]
    for x in HOSTILE:  # the hostile strings are only inside the compressed block
        assert x not in html and x.lower() not in html
    assert spec["edgeKind"] == "link" and spec["kindColors"]["quote"] == "#ff7f0e"


def _browser_items(chrome) -> tuple[list[dict], list[dict]]:
    return chrome.execute_script(
        "return [nodes.get().map(function (n) { var c = Object.assign({}, n); delete c.font;"
        " return c; }), edges.get()];"
    )


@pytest.fixture(scope="module")
def chrome():
    yield from browser.session()


@pytest.mark.browser
def test_browser_items_equal_the_python_reference(chrome, paper, api_papers, tmp_path):
    social = list(cascade.read(SOCIAL))
    pages = {
        "users": (paper, {}),
        "tweets": (paper, {"level": "tweet", "color_by": "kind", "paper_node": True}),
        "pagerank": (paper, {"size_by": "pagerank", "max_nodes": 60, "min_weight": 1}),
        "hostile-users": (hostile_users(), {}),
        "hostile-tweets": (hostile_tweets(), {"paper_node": True}),
        "api-tweets": (api_papers, {"level": "tweet", "paper_node": True}),
        "social": (social, {"color_by": "suspect"}),
        "combined": (hub_graph(), {"size_by": "tweets"}),
    }
    for name, (obj, kwargs) in pages.items():
        out = tmp_path / f"{name}.html"
        html = to_html(obj, out, **kwargs)
        browser.load(chrome, out)
        want_nodes, want_edges = page_items(html)
        got_nodes, got_edges = _browser_items(chrome)
        assert len(got_nodes) == len(want_nodes) and len(got_edges) == len(want_edges), name
        for got, want in zip(got_nodes, want_nodes, strict=True):
            assert got == want, name
        for got, want in zip(got_edges, want_edges, strict=True):
            assert got == want, name
        big = chrome.execute_script("return nodes.get().filter(n => n.big).map(n => !!n.font);")
        assert big and all(big), name  # the largest nodes' labels get their font size
        assert chrome.execute_script("return window.pwned;") is None
        assert browser.console_errors(chrome) == [], name


@pytest.mark.browser
def test_browser_hostile_handles_show_as_text(chrome, tmp_path):
    out = tmp_path / "hostile.html"
    to_html(hostile_tweets(), out)
    browser.load(chrome, out)  # an alert() would stop the driver's next command
    shown = chrome.execute_script(
        "var d = document.createElement('div');"
        "document.body.appendChild(d);"
        "network.selectNodes(['1101102870303330306']);"
        "network.body.emitter.emit('click', {nodes: ['1101102870303330306'], edges: []});"
        "return [document.getElementById('details').textContent,"
        " document.getElementById('details').children.length,"
        " document.querySelectorAll('img').length];"
    )
    assert shown[0].split("\n")[0] == f"@{HOSTILE[0]} \u00b7 retweet"
    assert shown[1:] == [0, 0]
    assert chrome.execute_script("return window.pwned;") is None
    assert browser.console_errors(chrome) == []


def test_a_tweet_in_several_papers_gets_unique_ids(api_papers):
    """Each paper numbers its own placeholders (placeholder:1, ...): in one tweet page of
    several papers the same names repeat, and vis-data refused the page ("item with id already
    exists")."""
    html = to_html(api_papers, level="tweet", paper_node=True)
    nodes, edges = page_items(html)
    total = sum(len(p) for p in api_papers)
    assert len(nodes) == total + len(api_papers)
    ids = [n["id"] for n in nodes]
    assert len(set(ids)) == len(ids)
    names = [str(x) for p in api_papers for x in p.id]
    repeated = {x for x in names if names.count(x) > 1}
    assert "placeholder:2" in repeated
    assert sum(i.startswith("placeholder:2#") for i in ids) == names.count("placeholder:2") - 1
    # Links join the right copies: each child's parent is in the child's own paper.
    paper_of = {n["id"]: n["title"].rsplit("paper: ", 1)[-1].split("\n")[0] for n in nodes}
    tweet_links = [e for e in edges if not e.get("paper")]
    assert len(tweet_links) == sum(int((p.parent >= 0).sum()) for p in api_papers)
    assert all(paper_of[e["from"]] == paper_of[e["to"]] for e in tweet_links)
    # Each paper node links its own paper's original tweets, repeated ids included.
    roots = sum(int((p.parent < 0).sum()) for p in api_papers)
    assert sum(1 for e in edges if e.get("paper")) == roots


@pytest.mark.browser
def test_browser_loads_a_tweet_page_of_papers_sharing_tweets(chrome, api_papers, tmp_path):
    social = list(cascade.read(SOCIAL))
    for name, papers in (("api", api_papers), ("social", social)):
        out = tmp_path / f"{name}.html"
        html = to_html(papers, out, level="tweet")
        nodes, edges = page_items(html)
        browser.load(chrome, out)
        assert chrome.execute_script("return [nodes.length, edges.length];") == [
            len(nodes),
            len(edges),
        ]
        assert len(nodes) == sum(len(p) for p in papers)
        assert browser.console_errors(chrome) == [], name


def test_times_are_stored_after_the_earliest(paper):
    a = to_html(paper, level="tweet", paper_node=True)
    assert a == to_html(paper, level="tweet", paper_node=True)  # compressed, the same bytes
    data, _ = page_data(a)
    stored = [t for t in data["t"] if t is not None]
    assert min(stored) == 0 and len(stored) == int((~np.isnat(paper.time)).sum())
    assert data["t0"] == int(paper.time[~np.isnat(paper.time)].min().astype(np.int64))


@pytest.mark.browser
def test_browser_without_decompression_streams_says_so(chrome, paper, tmp_path):
    out = tmp_path / "old-browser.html"
    to_html(paper, out)
    added = chrome.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": "delete window.DecompressionStream;"}
    )
    try:
        browser.load(chrome, out, ready="document.getElementById('status').textContent")
        status = chrome.find_element("id", "status").text
    finally:
        chrome.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]}
        )
    assert status.startswith("This page needs a browser from 2023 or later")
    assert chrome.execute_script("return typeof nodes;") == "undefined"
    browser.load(chrome, out)  # and with them, the same page draws
    assert chrome.execute_script("return nodes.length;") == 210
