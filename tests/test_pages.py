"""Tests of the graph pages' newer parts: thread safety, the timeline, links back to the source,
the layout of big graphs and the analyst's controls (the data, here; tests/test_pages_browser.py
drives them in headless Chromium)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cascade
from cascade.render.html import post_url, profile_url, to_html
from cascade.render.html.items import page_data as page_blocks
from cascade.render.html.items import page_items
from cascade.render.html.tooltips import clean

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "examples" / "data" / "attention-is-not-explanation.json"


@pytest.fixture(scope="module")
def paper():
    return next(iter(cascade.read(SAMPLE)))


def page_data(html: str) -> tuple[list[dict], list[dict], dict]:
    """The node and edge items of a page (as its script builds them) and its settings block."""
    nodes, edges = page_items(html)
    return nodes, edges, page_blocks(html)[1]


def test_six_threads_give_the_serial_pages(paper):
    import igraph as ig

    jobs = [
        {"level": "user"},
        {"level": "tweet", "color_by": "kind", "paper_node": True},
        {"level": "user", "seed": 3},
        {"level": "user", "color_by": "time"},
        {"level": "tweet", "size_by": "descendants"},
        {"level": "user", "max_nodes": 40},
    ]
    serial = [to_html(paper, **kw) for kw in jobs]
    results: list[str | BaseException | None] = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def work(i: int) -> None:
        try:
            start.wait()
            # Each thread also draws from igraph's generator meanwhile: no effect on the pages.
            ig.Graph.Erdos_Renyi(n=50, p=0.1)
            results[i] = to_html(paper, **jobs[i])
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[i] = exc

    for _ in range(2):
        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for got, want in zip(results, serial, strict=True):
            assert not isinstance(got, BaseException), got
            assert got == want


def test_rendering_leaves_the_shared_environment_alone(paper):
    from cascade.render.html.render import environment

    before = dict(environment().globals)
    to_html(paper)
    assert environment().globals == before


def test_descendants_match_the_forest_sizes(paper):
    from cascade.metrics import forest

    nodes, _, _ = page_data(to_html(paper, level="tweet", size_by="descendants"))
    _, _, size = forest(paper.parent)
    top = int(np.argmax(size))
    by_id = {n["id"]: n for n in nodes}
    assert by_id[str(paper.id[top])]["size"] == max(n["size"] for n in nodes)
    assert f"\ntweets downstream: {size[top] - 1:,}" in by_id[str(paper.id[top])]["title"]


def test_links_back_to_the_source(paper):
    assert post_url("1101102870303330305") == "https://twitter.com/i/web/status/1101102870303330305"
    assert post_url("at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l") == (
        "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3l6oveex3ii2l"
    )
    assert post_url("https://mastodon.social/@Gargron/113046474442108290") == (
        "https://mastodon.social/@Gargron/113046474442108290"
    )
    for no_link in (
        "placeholder:1",
        "",
        None,
        "javascript:alert(1)",
        "http://x.org/1",
        'https://x.org/"onmouseover=1',
        "at://did:plc:x/app.bsky.feed.like/1",
    ):
        assert post_url(no_link) is None, no_link  # fmt: skip
    assert profile_url("@byron_c_wallace") == "https://twitter.com/byron_c_wallace"
    assert profile_url("@ann@scholar.social") == "https://scholar.social/@ann"
    assert profile_url("did:plc:abc") == "https://bsky.app/profile/did:plc:abc"
    assert profile_url("<script>") is None and profile_url("a b") is None
    # A bare handle takes its network from one of the user's posts.
    assert profile_url("alice", "https://scholar.social/users/alice/statuses/1") == (
        "https://scholar.social/@alice"
    )
    assert profile_url("alice", "at://did:plc:x/app.bsky.feed.post/1") is None
    assert profile_url("alice", "1101102870303330305") == "https://twitter.com/alice"
    social = HERE / "data" / "social" / "mastodon_statuses.json"
    nodes, _, _ = page_data(to_html(list(cascade.read(social))))
    local = next(n for n in nodes if n["handle"] == "alice")
    assert local["profile"] == "https://scholar.social/@alice"

    nodes, _, _ = page_data(to_html(paper, level="tweet"))
    tweet = next(n for n in nodes if n["id"] == "1101102870303330305")
    assert tweet["post"] == [0, "1101102870303330305"]  # URL_PREFIXES[0] + the id
    assert tweet["profile"] == [1, "byron_c_wallace"]
    g = cascade.tweet_graph(paper)
    placeholders = {v["name"] for v in g.vs if v["placeholder"]}
    assert all("post" not in n for n in nodes if n["id"] in placeholders)
    assert sum("post" in n for n in nodes) == g.vcount() - len(placeholders)
    users, _, _ = page_data(to_html(paper))
    assert all(n["profile"] == [1, n["handle"]] for n in users)


def test_color_by_suspect_flags_the_automated_accounts(paper, tmp_path, capsys):
    from cascade.cli import main
    from cascade.rank import automated_suspects

    flagged = set(automated_suspects(paper)["key"])
    assert "arxiv_cscl" in flagged
    nodes, _, _ = page_data(to_html(paper, color_by="suspect"))
    red = {n["id"] for n in nodes if n["color"] == "#d62728"}
    assert red == flagged & {n["id"] for n in nodes}
    out = tmp_path / "s.html"
    assert main(["graph", str(SAMPLE), "-o", str(out), "--color-by", "suspect", "-q"]) == 0
    assert out.read_text(encoding="utf-8") == to_html(paper, color_by="suspect")


def test_timeline_counts_and_big_graph_layout():
    import igraph as ig

    from cascade.render.html.layout import BOX_MIN, layout
    from cascade.render.html.page import timeline

    t = timeline([0, 10, 20, 20, None], [], "tweet")
    assert (t["start"], t["end"], sum(t["bins"]), t["bins"][0], t["bins"][-1]) == (0, 20, 4, 1, 2)
    assert timeline([5, 5, None], [], "user") is None  # one moment: nothing to play
    # Two dense groups joined by one link: in separate boxes, not one blob.
    k = BOX_MIN
    g = ig.Graph.Full(k) + ig.Graph.Full(k)
    g.add_edge(0, k)
    pos = layout(g, 0, [0] * k + [1] * k)
    xa, xb = np.array(pos.x[:k]), np.array(pos.x[k:])
    ya, yb = np.array(pos.y[:k]), np.array(pos.y[k:])
    apart = (xa.max() < xb.min() or xb.max() < xa.min()) or (
        ya.max() < yb.min() or yb.max() < ya.min()
    )
    assert apart
    assert layout(g, 0, [0] * k + [1] * k) == pos  # deterministic


def test_user_links_appear_with_their_first_retweet(paper):
    nodes, edges, spec = page_data(to_html(paper))
    t = {n["id"]: n.get("t") for n in nodes}
    assert len(edges) == 184 and all("t" in e for e in edges)
    # A retweet comes after the author's first tweet and is the retweeter's first at the latest.
    assert all(e["t"] >= t[e["from"]] and e["t"] >= t[e["to"]] for e in edges)
    assert spec["timeline"]["start"] == min(t.values())
    assert sum(spec["timeline"]["bins"]) == len(paper)  # the papers' tweets, all dated


def test_relative_urls_only_and_notebook_markup(paper):
    for bad in ("javascript:alert(1)", "//evil.example/", "/abs/", "a b", 'x"y'):
        with pytest.raises(ValueError, match="relative URL"):
            to_html(paper, index_href=bad)
        with pytest.raises(ValueError, match="relative URL"):
            to_html(paper, assets=bad)
    html = paper._repr_html_()
    assert html == paper._repr_html_()  # deterministic, like the page itself
    assert html.startswith('<iframe sandbox="allow-scripts allow-downloads allow-popups')
    assert "allow-same-origin" not in html and html.count("<") == 2  # the page is escaped
    with pytest.raises(ValueError, match="to_html"):
        cascade.show(paper, path="x.html")


def test_trees_are_laid_out_as_rings_by_depth_without_randomness():
    import igraph as ig

    from cascade.render.html.layout import layout

    # A hub with four branches, two of them two hops long: not a star.
    edges = [(0, 1), (0, 2), (0, 3), (0, 8), (1, 4), (2, 5), (3, 6), (3, 7)]
    tree = ig.Graph(n=9, edges=edges)
    pos = layout(tree + ig.Graph.Ring(5), seed=0)  # the ring (a cycle) is simulated, apart
    xy = np.c_[pos.x[:9], pos.y[:9]].astype(float)
    r = np.hypot(*(xy - xy[0]).T)
    depth = np.array(tree.distances(source=[0])[0])
    assert np.allclose(r[depth == 1], r[1], atol=1.5)  # whole pixels
    assert np.allclose(r[depth == 2], 2 * r[1], atol=1.5)
    assert r[1] > 20
    # No simulation, so no seed reaches the trees.
    other = layout(tree + ig.Graph.Ring(5), seed=7)
    # (The whole drawing is centred, and the ring's simulated extent moves the centre.)
    shape = np.c_[other.x[:9], other.y[:9]] - [other.x[0], other.y[0]]
    assert np.abs(shape - (xy - xy[0])).max() <= 1  # whole pixels, rounded after centring
    assert (other.x[9:], other.y[9:]) != (pos.x[9:], pos.y[9:])


def test_repeated_tooltip_texts_are_stored_once(paper):
    html = to_html(paper, level="tweet")
    columns, _ = page_blocks(html)
    shared, codes = columns["tips"]["texts"], columns["tips"]["text"]
    # The sample's 188 retweets repeat the texts of a few originals: each is stored once.
    assert len(shared) == len(set(shared)) == len({c for c in codes if c >= 0})
    distinct = {clean(t) for t in paper.text} - {""}
    assert set(shared) == distinct and len(distinct) == 79
    assert sum(c >= 0 for c in codes) == sum(bool(clean(t)) for t in paper.text) == 258
    nodes, _, _ = page_data(html)
    # Whole again, each tooltip ends with its tweet's text, as tweet_title would show it.
    by_id = {n["id"]: n for n in nodes}
    for i in range(len(paper)):
        text = clean(paper.text[i])
        if text:
            assert by_id[str(paper.id[i])]["title"].endswith("\n" + text)


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_json_values)
def test_page_json_is_compact_sorted_json(value):
    # orjson writes the page data: json's compact sorted UTF-8 form, numbers aside (orjson spells
    # 6.1e-05 as 0.000061), which read back as the same values.
    from cascade.render.html.render import dumps

    def compact(v):
        return json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    got = dumps(value)
    assert json.loads(got) == json.loads(compact(value))
    assert compact(json.loads(got)) == compact(value)
