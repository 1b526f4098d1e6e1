"""Tests of cascade.render.html: the page's data, escaping, offline-ness and determinism, and in
headless Chromium (tests/browser.py) the vis data sets, requests, injected scripts, tooltips,
search, weight filter, first drawing at 10,000 nodes and a screenshot."""

from __future__ import annotations

import json
import os
import random
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import igraph as ig
import numpy as np
import pytest
from conftest import benchmark_module, browser_module

import cascade
from cascade.render.html import PHYSICS_MAX_NODES, to_html
from cascade.render.html.items import page_items

HERE = Path(__file__).resolve().parent
# Shared helpers that are not test modules, imported by path: the browser helper and the
# benchmark's graph maker.
browser = browser_module()
synthetic_user_graph = benchmark_module("bench_html").synthetic_user_graph

# The real sample (258 tweets about "Attention is not Explanation"), as bundled in the repository;
# identical to shared/data/altmetric-tab/000_572fe4aae46fb893.txt.
SAMPLE = HERE.parent / "examples" / "data" / "attention-is-not-explanation.json"

# Markup that would run script if any of it reached the page unescaped.
XSS = (
    "<script>window.pwned='script'</script>",
    "<img src=x onerror=\"window.pwned='img'\">",
    "</script><script>window.pwned='close'</script>",
    "\"'><svg onload=window.pwned='svg'>",
    "<a href=\"javascript:window.pwned='href'\">href</a>",
)
HOSTILE_TITLE = "Attention </title><script>window.pwned='title'</script> & \"quotes\" 'too'"

# A reference that makes a browser contact a host: src/href/url()/@import with a scheme-relative
# or absolute URL. Data text (tweets with t.co links) is not a reference.
HOST_REF = re.compile(
    r"""\b(?:src|href|action|poster|srcset|xlink:href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.\-]*:)?//"""
    r"""|url\(\s*["']?\s*(?:[a-z][a-z0-9+.\-]*:)?//|@import""",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------------
# inputs


@pytest.fixture(scope="module")
def paper():
    return next(iter(cascade.read(SAMPLE)))


@pytest.fixture(scope="module")
def users(paper):
    return cascade.user_graph(paper)


def user_graph(handles, edges, weights, *, texts=None) -> ig.Graph:
    """A user graph with the schema of docs/design.md."""
    g = ig.Graph(n=len(handles), edges=edges, directed=True)
    g.vs["name"] = [h.lower() for h in handles]
    g.vs["handle"] = list(handles)
    g.vs["tweets"] = [1] * len(handles)
    g.vs["followers"] = [float(10 * i) if i % 3 else float("nan") for i in range(len(handles))]
    g.vs["first_seen"] = [
        datetime(2019, 3, 1 + i % 27, tzinfo=timezone.utc) for i in range(len(handles))
    ]
    g.vs["papers"] = [1] * len(handles)
    if texts is not None:
        g.vs["top_tweet"] = list(texts)
    g.es["kind"] = ["retweet"] * len(edges)
    g.es["weight"] = list(weights)
    g["citation_id"] = "c1"
    g["level"] = "user"
    return g


def hostile_user_graph() -> ig.Graph:
    handles = ["source", *XSS, "plain"]
    edges = [(0, i) for i in range(1, len(handles))] + [(1, 2), (3, 4)]
    texts = [f"tweet {i}: {x}\nsecond line" for i, x in enumerate([*XSS, *XSS])][: len(handles)]
    return user_graph(handles, edges, [3, 1, 2, 1, 1, 1, 5, 2], texts=texts)


def hostile_tweet_graph() -> ig.Graph:
    n = 1 + len(XSS)
    g = ig.Graph(n=n, edges=[(0, i) for i in range(1, n)], directed=True)
    g.vs["name"] = ["1101102870303330305", *(str(1101102870303330305 + i) for i in range(1, n))]
    g.vs["author"] = ["byron", *XSS]
    g.vs["user"] = [a.lower() for a in g.vs["author"]]
    g.vs["time"] = [datetime(2019, 2, 28, 12, i, tzinfo=timezone.utc) for i in range(n)]
    g.vs["followers"] = [712.0] * n
    g.vs["text"] = ["Attention is not Explanation", *(f"RT @byron: {x}" for x in XSS)]
    g.vs["kind"] = ["original"] + ["retweet"] * (n - 1)
    g.vs["placeholder"] = [False] * n
    g.vs["resolution"] = [""] + ["text"] * (n - 1)
    g.es["kind"] = ["retweet"] * (n - 1)
    g.es["resolution"] = ["text"] * (n - 1)
    g["citation_id"] = "c1"
    g["level"] = "tweet"
    return g


@pytest.fixture(scope="session")
def chrome():
    """Headless Chromium (tests/browser.py): skipped without it, an error in CI."""
    yield from browser.session()


def page_data(html: str) -> tuple[list[dict], list[dict]]:
    """The node and edge items of a page, as its script builds them (the Python reference)."""
    return page_items(html)


# --------------------------------------------------------------------------------------------
# the file


def test_sample_page_has_the_graphs_nodes_and_edges(paper, users):
    html = to_html(paper)
    nodes, edges = page_data(html)
    assert len(nodes) == users.vcount() == 210
    assert len(edges) == users.ecount() == 184
    assert {n["id"] for n in nodes} == set(users.vs["name"])
    pairs = {(users.vs[e.source]["name"], users.vs[e.target]["name"]) for e in users.es}
    assert {(e["from"], e["to"]) for e in edges} == pairs


def test_size_is_retweets_received_and_tooltip_has_the_facts(paper, users):
    nodes, _ = page_data(to_html(paper))
    by_id = {n["id"]: n for n in nodes}
    received = users.strength(mode="out", weights="weight")
    top = max(range(users.vcount()), key=lambda v: received[v])
    assert users.vs[top]["name"] == "byron_c_wallace" and received[top] == 66
    node = by_id["byron_c_wallace"]
    assert node["size"] == max(n["size"] for n in nodes)
    lines = node["title"].split("\n")
    assert lines[0] == "@byron_c_wallace"
    assert "followers: 712" in lines
    assert "retweets received: 66" in lines
    first = paper.time[np.array([a.lower() == "byron_c_wallace" for a in paper.author])].min()
    assert f"first tweet: {str(first)[:16].replace('T', ' ')} UTC" in lines
    assert lines[-2] == "most-retweeted tweet (66 retweets):"
    assert lines[-1].startswith("Attention weights in NLP are often presented")


def test_tweet_level_ids_are_strings(paper):
    html = to_html(paper, level="tweet", color_by="kind")
    nodes, edges = page_data(html)
    g = cascade.tweet_graph(paper)
    assert len(nodes) == g.vcount() and len(edges) == g.ecount()
    assert all(isinstance(n["id"], str) for n in nodes)
    # Ids beyond 2**53 survive as strings, digit for digit.
    assert "1101102870303330305" in {n["id"] for n in nodes}


def test_paper_node_links_the_original_tweets(paper):
    nodes, edges = page_data(to_html(paper, level="tweet", paper_node=True))
    roots = int((paper.parent < 0).sum())
    assert nodes[-1]["id"] == f"paper:{paper.citation_id}"
    assert sum(1 for e in edges if e.get("paper")) == roots
    assert len(edges) == cascade.tweet_graph(paper).ecount() + roots


def test_same_input_same_bytes_and_rng_restored(paper, tmp_path):
    first = to_html(paper, tmp_path / "a.html")
    # igraph's default generator, the random module, is back in place afterwards.
    random.seed(5)
    a = ig.Graph.Erdos_Renyi(n=30, p=0.3).get_edgelist()
    random.seed(5)
    assert ig.Graph.Erdos_Renyi(n=30, p=0.3).get_edgelist() == a
    to_html(paper, tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert (tmp_path / "a.html").read_bytes() == first.encode("utf-8")
    assert to_html(paper, seed=1) != first  # the seed does reach the layout and communities


def test_write_is_utf8_and_leaves_no_temporary_file(tmp_path):
    g = user_graph(["ünïcødé", "日本語", "b"], [(0, 1), (0, 2)], [1, 2])
    text = to_html(g, tmp_path / "sub" / "g.html")
    assert (tmp_path / "sub" / "g.html").read_text(encoding="utf-8") == text
    assert {"ünïcødé", "日本語"} <= {n["handle"] for n in page_items(text)[0]}
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["g.html"]


def test_no_reference_to_a_network_host(paper):
    for html in (to_html(paper), to_html(paper, level="tweet", paper_node=True)):
        assert HOST_REF.findall(html) == []
        for host in ("cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com", "bootstrap"):
            assert host not in html  # the hosts pyvis's template links
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1)
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("style-src")[0]


def _no_svg(html: str) -> str:
    return re.sub(r"<svg\b.*?</svg>", "", html, flags=re.DOTALL)


def test_hostile_text_is_escaped_in_the_file():
    harmless = to_html(user_graph(["a", "b"], [(0, 1)], [1]), title="harmless")
    for g in (hostile_user_graph(), hostile_tweet_graph()):
        html = to_html(g, title=HOSTILE_TITLE, layout="precomputed")
        # No tag from the data: every "<script", "<img", ... is one a harmless page has too (the
        # inlined libraries contain some inside string literals).
        # Charts (inline SVG, numbers only) have as many bars as the data has bins: not compared.
        for tag in ("<script", "</script", "<img", "<svg", "<a ", "</title"):
            assert _no_svg(html).count(tag) == _no_svg(harmless).count(tag), tag
        assert html.count("<svg") == harmless.count("<svg")
        assert "&lt;/title&gt;&lt;script&gt;window.pwned=&#39;title&#39;" in html
        nodes, _ = page_data(html)  # the data round-trips intact through tojson
        assert any(XSS[2] in n["title"] for n in nodes)


def test_hostile_paper_title_is_escaped(paper):
    from dataclasses import replace

    hostile = replace(paper, attrs={**paper.attrs, "title": HOSTILE_TITLE})
    html = to_html(hostile, paper_node=True)
    escaped = "Attention &lt;/title&gt;&lt;script&gt;window.pwned=&#39;title&#39;&lt;/script&gt;"
    assert f"<title>{escaped}" in html and f'<h1 id="heading">{escaped}' in html
    nodes, _ = page_data(html)
    assert nodes[-1]["label"] == HOSTILE_TITLE[:59] + "\u2026"  # the paper node, shortened


def test_href_in_a_title_does_not_switch_tooltips_to_html():
    # pyvis's own template uses innerHTML for every tooltip once a title contains "href".
    html = to_html(hostile_user_graph())
    assert "innerHTML" not in html.split("var nodes, edges")[1]
    for sink in ("outerHTML", "insertAdjacentHTML", "document.write", "DOMParser"):
        assert sink not in html.split("var nodes, edges")[1], sink


def test_top_and_min_weight_thin_and_say_so(users):
    html = to_html(users, min_weight=2)
    nodes, edges = page_data(html)
    heavy = [e for e in users.es if e["weight"] >= 2]
    ends = {users.vs[v]["name"] for e in heavy for v in e.tuple}
    assert len(edges) == len(heavy) and {n["id"] for n in nodes} == ends
    assert f"{users.ecount() - len(heavy):,} links lighter than 2" in html

    nodes, edges = page_data(to_html(users, max_nodes=20))
    received = users.strength(mode="out", weights="weight")
    ranked = sorted(range(users.vcount()), key=lambda v: (-received[v], users.vs[v]["name"]))
    assert [n["id"] for n in nodes] == sorted(
        (users.vs[v]["name"] for v in ranked[:20]), key=lambda name: users.vs.find(name).index
    )
    kept = {n["id"] for n in nodes}
    assert all(e["from"] in kept and e["to"] in kept for e in edges)
    note = "190 users outside the top 20 by retweets received (--max-nodes 20)"
    assert note in to_html(users, max_nodes=20)


def test_size_by_attribute_mapping_and_sequence(users):
    by_followers, _ = page_data(to_html(users, size_by="followers"))
    followers = np.nan_to_num(np.array(users.vs["followers"], dtype=float))
    biggest = users.vs[int(np.argmax(followers))]["name"]
    assert max(by_followers, key=lambda n: n["size"])["id"] == biggest

    mapping = {"ayirpelle": 10.0}  # e.g. a pandas Series from cascade.rank
    nodes, _ = page_data(to_html(users, size_by=mapping))
    assert max(nodes, key=lambda n: n["size"])["id"] == "ayirpelle"
    assert sorted({n["size"] for n in nodes}) == [5, 30]

    values = np.zeros(users.vcount())
    values[3] = 1
    nodes, _ = page_data(to_html(users, size_by=values))
    assert max(nodes, key=lambda n: n["size"])["id"] == users.vs[3]["name"]


def test_size_by_a_ranking_measure(paper, users):
    from cascade.rank import rank_users

    table = rank_users(paper, by="reach", measures=["reach"])
    expected = str(table["handle"][0]).lower()
    nodes, _ = page_data(to_html(paper, size_by="reach"))
    assert max(nodes, key=lambda n: n["size"])["id"] == expected
    assert any("\nreach: " in n["title"] for n in nodes)
    nodes, _ = page_data(to_html(users, size_by="pagerank"))  # from the graph alone
    assert max(nodes, key=lambda n: n["size"])["id"] == "byron_c_wallace"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size_by": "no_such_measure"}, "unknown size_by"),
        ({"color_by": "rainbow"}, "color_by must be one of"),
        ({"layout": "circle"}, "layout must be one of"),
        ({"level": "tweet"}, "this is a user-level graph"),
        ({"max_nodes": 0}, "max_nodes must be a positive integer"),
    ],
)
def test_bad_options_say_what_to_do(users, kwargs, message):
    with pytest.raises(ValueError, match=message):
        to_html(users, **kwargs)


@pytest.mark.parametrize("color_by", ["community", "kind", "time", "paper"])
def test_every_colouring_has_a_legend(paper, color_by):
    html = to_html(paper, color_by=color_by)
    legend = html.split('<aside id="legend">')[1].split("</aside>")[0]
    assert legend.count('class="swatch"') >= 1 or 'class="gradient"' in legend
    nodes, _ = page_data(html)
    colours = {n["color"] for n in nodes}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)
    assert len(colours) > 1 or color_by == "paper"


def test_kind_colours_follow_each_users_role():
    """Roles by hand on a -> b -> c, d alone: a source, b a relay, c a retweeter, d isolated."""
    g = ig.Graph(n=4, edges=[(0, 1), (1, 2)], directed=True)
    g.vs["name"] = g.vs["handle"] = ["a", "b", "c", "d"]
    g.es["weight"] = [1, 1]
    g.es["kind"] = ["retweet", "retweet"]
    g["level"] = "user"
    html = to_html(g, color_by="kind")
    nodes, _ = page_data(html)
    colour = {n["id"]: n["color"] for n in nodes}
    # source blue, relay orange, retweeter green, isolated grey (KIND_COLORS)
    assert colour == {"a": "#1f77b4", "b": "#ff7f0e", "c": "#2ca02c", "d": "#c7c7c7"}
    legend = html.split('<aside id="legend">')[1].split("</aside>")[0]
    entries = re.findall(r'background: (#[0-9a-f]{6});"></span><span class="label">(\w+)<', legend)
    roles = {label: hex_colour for hex_colour, label in entries}
    assert roles == {"source": "#1f77b4", "relay": "#ff7f0e", "retweeter": "#2ca02c",
                     "isolated": "#c7c7c7"}  # fmt: skip


def page_spec(html: str) -> dict:
    """The page's settings block (vis options, level, timeline, ...)."""
    return json.loads(re.search(r'id="cascade-page">(.*?)</script>', html).group(1))


def test_physics_only_when_asked_and_then_it_stops():
    small = synthetic_user_graph(200, 300, texts=False)
    big = synthetic_user_graph(PHYSICS_MAX_NODES + 1, 1500, texts=False)

    def physics(html: str) -> bool:
        return page_spec(html)["options"]["physics"]["enabled"]

    # Precomputed positions by default: the page is at rest from the first drawing.
    assert physics(to_html(small)) is False
    assert physics(to_html(big)) is False
    assert physics(to_html(small, layout="precomputed")) is False
    html = to_html(big, layout="physics")
    assert physics(html) is True
    assert page_spec(html)["options"]["physics"]["stabilization"]["iterations"] == 60
    assert "setOptions({ physics: { enabled: false } })" in html


def test_cli_graph_is_the_api(paper, tmp_path, capsys):
    from cascade.cli import main

    out = tmp_path / "g.html"
    argv = ["graph", str(SAMPLE), "-o", str(out), "--max-nodes", "50", "--color-by", "time"]
    argv += ["--paper-node", "--title", "<T>", "--min-weight", "1", "--layout", "precomputed", "-q"]
    assert main(argv) == 0
    expected = to_html(
        paper, max_nodes=50, color_by="time", paper_node=True, title="<T>", min_weight=1,
        layout="precomputed",
    )  # fmt: skip
    assert out.read_text(encoding="utf-8") == expected
    assert main(["graph", str(SAMPLE), "-o", str(out), "--size-by", "nope", "-q"]) == 2
    assert "unknown size_by 'nope'" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# the browser helper


def test_browser_requirement_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        browser.require()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        browser.require()


# --------------------------------------------------------------------------------------------
# in the browser


@pytest.mark.browser
def test_browser_counts_and_no_requests(chrome, paper, users, tmp_path):
    out = tmp_path / "user.html"
    to_html(paper, out)
    browser.load(chrome, out)
    counts = chrome.execute_script(
        "return [nodes.length, edges.length, network.body.data.nodes.length,"
        " network.body.data.edges.length, Object.keys(network.body.nodes).length];"
    )
    assert counts == [users.vcount(), users.ecount(), users.vcount(), users.ecount(),
                      users.vcount()]  # fmt: skip
    time.sleep(0.5)  # anything the page would fetch late
    assert browser.requests_to_hosts(chrome) == []
    assert browser.console_errors(chrome) == []

    out = tmp_path / "tweet.html"
    to_html(paper, out, level="tweet", paper_node=True)
    browser.load(chrome, out)
    g = cascade.tweet_graph(paper)
    roots = int((paper.parent < 0).sum())
    assert chrome.execute_script("return [nodes.length, edges.length];") == [
        g.vcount() + 1,
        g.ecount() + roots,
    ]
    assert chrome.execute_script("return nodes.get('1101102870303330305').handle;") == (
        "byron_c_wallace"
    )
    assert browser.requests_to_hosts(chrome) == []


@pytest.mark.browser
def test_browser_request_log_does_see_requests(chrome, tmp_path):
    # The control for the test above: a page that does reference a host is caught.
    page = tmp_path / "leaky.html"
    page.write_text('<img src="http://example.invalid/x.png">', encoding="utf-8")
    browser.load(chrome, page, ready="document.readyState === 'complete'")
    assert browser.requests_to_hosts(chrome) == ["http://example.invalid/x.png"]


def _hover(chrome, node_id: str) -> str:
    """Move the mouse onto a node and return the text vis-network's tooltip shows."""
    from selenium.webdriver.common.action_chains import ActionChains

    container = chrome.find_element("id", "mynetwork")
    dx, dy = chrome.execute_script(
        "var p = network.canvasToDOM(network.getPositions([arguments[0]])[arguments[0]]);"
        "var r = document.getElementById('mynetwork').getBoundingClientRect();"
        "return [Math.round(p.x - r.width / 2), Math.round(p.y - r.height / 2)];",
        node_id,
    )
    actions = ActionChains(chrome)
    actions.move_to_element_with_offset(container, dx + 1, dy).pause(0.1)
    actions.move_to_element_with_offset(container, dx, dy).perform()
    browser.wait_for(
        chrome,
        "document.querySelector('div.vis-tooltip') &&"
        " document.querySelector('div.vis-tooltip').style.visibility === 'visible'",
        timeout=10,
    )
    return chrome.execute_script(
        "var t = document.querySelector('div.vis-tooltip');"
        "var tags = Array.from(t.querySelectorAll('*')).map(e => e.tagName);"
        "return [t.innerText, tags];"
    )


@pytest.mark.browser
def test_browser_hostile_text_shows_literally_and_runs_nothing(chrome, tmp_path):
    g = hostile_user_graph()
    out = tmp_path / "hostile.html"
    to_html(g, out, title=HOSTILE_TITLE, layout="precomputed")
    browser.load(chrome, out)
    assert chrome.execute_script("return window.pwned;") is None
    assert chrome.execute_script("return document.title;") == HOSTILE_TITLE
    assert chrome.find_element("id", "heading").text == HOSTILE_TITLE
    legend = chrome.find_element("id", "legend").get_attribute("textContent")
    assert any(f"around {x}" in legend for x in XSS)

    # The tooltip: literal markup, line breaks as <br> and nothing else.
    victim = g.vs[3]["name"]
    text, tags = _hover(chrome, victim)
    assert text.split("\n")[0] == f"@{XSS[2]}"
    assert XSS[2] in text and "second line" in text.split("\n")
    assert set(tags) <= {"BR"}
    assert chrome.execute_script("return window.pwned;") is None

    # The search box lists handles as text.
    from selenium.webdriver.common.by import By

    field = chrome.find_element(By.CSS_SELECTOR, "#select-node-ts-control")
    field.click()
    field.send_keys("onerror")
    option = browser.wait_for(
        chrome, "document.querySelector('.ts-dropdown .option[data-value]')", timeout=10
    )
    assert option.text == XSS[1]
    option.click()
    assert chrome.execute_script("return network.getSelectedNodes();") == [g.vs[2]["name"]]
    assert chrome.execute_script("return window.pwned;") is None
    assert browser.console_errors(chrome) == []

    out = tmp_path / "hostile-tweets.html"
    to_html(hostile_tweet_graph(), out, title=HOSTILE_TITLE)
    browser.load(chrome, out)
    assert chrome.execute_script("return window.pwned;") is None
    titles = chrome.execute_script("return nodes.get().map(n => n.title);")
    assert all(any(x in t for t in titles) for x in XSS)


@pytest.mark.browser
def test_browser_weight_filter(chrome, users, tmp_path):
    out = tmp_path / "filter.html"
    to_html(users, out)
    browser.load(chrome, out)
    heavy = [e for e in users.es if e["weight"] >= 2]
    ends = {v for e in heavy for v in e.tuple}
    shown = chrome.execute_script(
        "var s = document.getElementById('min-weight'); s.value = 2;"
        "s.dispatchEvent(new Event('input'));"
        "return [edgesView.length, nodesView.length, network.body.data.edges.length];"
    )
    assert shown == [len(heavy), len(ends), len(heavy)]
    assert chrome.find_element("id", "status").text == (
        f"showing {len(ends)} of {users.vcount()} nodes, {len(heavy)} of {users.ecount()} links"
    )


@pytest.mark.browser
@pytest.mark.slow
def test_browser_10k_nodes_small_and_fast(chrome, tmp_path):
    g = synthetic_user_graph(10_000, 20_000)
    out = tmp_path / "big.html"
    to_html(g, out)
    assert out.stat().st_size <= 6_000_000
    draws = []
    for _ in range(3):  # the median of three: the machines are shared and noisy
        chrome.get("about:blank")
        browser.load(chrome, out, timeout=60)
        draws.append(chrome.execute_script("return window.cascadeFirstDrawMs;") / 1000)
    # 5 s on a quiet machine; on a shared one every page draws slower in proportion to the
    # runnable processes per core (the page before the timeline did too, measured side by side).
    busy = max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    assert sorted(draws)[1] <= 5.0 * busy, (draws, busy)
    assert chrome.execute_script("return [nodes.length, edges.length];") == [10_000, 20_000]
    assert chrome.execute_script("return network.physics.physicsEnabled;") is False


@pytest.mark.browser
def test_browser_screenshot_of_the_sample(chrome, paper, tmp_path):
    out = tmp_path / "sample.html"
    to_html(paper, out, title="Attention is not Explanation")
    browser.load(chrome, out)
    png = browser.screenshot(chrome, tmp_path / "sample.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    # Something was drawn: the canvas is not blank.
    assert chrome.execute_script(
        "var c = document.querySelector('#mynetwork canvas');"
        "var d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "for (var i = 0; i < d.length; i += 4) { if (d[i + 3] !== 0) return true; } return false;"
    )


def test_ci_runs_browser_tests():
    # In CI the browser tests above must run: the fixture fails rather than skips there.
    if os.environ.get("CI", "").lower() == "true":
        assert browser.have_browser(), "CI=true: apt-get install -y chromium chromium-driver"


def test_page_says_when_parents_are_reconstructed(paper):
    from cascade.reconstruct import reconstruct_paper

    tree = reconstruct_paper(paper, "influence")
    html = to_html(tree, level="tweet")
    assert "parents: influence reconstruction" in html
    assert "reconstruction" not in to_html(paper, level="tweet")
    # The drawn edges are the reconstructed parents, not the credited ones.
    _, edges = page_items(html)
    drawn = {(e["from"], e["to"]) for e in edges}
    child = np.flatnonzero(tree.parent >= 0)
    assert drawn == {(tree.id[tree.parent[i]], tree.id[i]) for i in child.tolist()}
    assert drawn != {(paper.id[paper.parent[i]], paper.id[i]) for i in child.tolist()}
