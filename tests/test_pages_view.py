"""The graph page's view in headless Chromium (tests/browser.py): arrow heads follow the zoom,
and links carry their index as id."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the browser helper is not a test module
    sys.path.insert(0, str(HERE))

import browser  # noqa: E402

import cascade  # noqa: E402
from cascade.render.html import to_html  # noqa: E402
from cascade.render.html.items import page_items  # noqa: E402

SAMPLE = HERE.parent / "examples" / "data" / "attention-is-not-explanation.json"

pytestmark = pytest.mark.browser

ARROWS_ON = "return network.edgesHandler.options.arrows.to.enabled;"


@pytest.fixture(scope="module")
def chrome():
    yield from browser.session()


@pytest.fixture(scope="module")
def page():
    return to_html(next(iter(cascade.read(SAMPLE))))


def _at_scale(driver, scale: float) -> bool:
    """Whether arrow heads are drawn after a drawing at ``scale``."""
    driver.execute_script(f"network.moveTo({{scale: {scale}, animation: false}});")
    driver.execute_script("network.redraw();")
    return driver.execute_script(ARROWS_ON)


def test_arrow_heads_follow_the_zoom_and_links_have_index_ids(chrome, page, tmp_path):
    out = tmp_path / "g.html"
    out.write_text(page, encoding="utf-8")
    browser.load(chrome, out)  # until the first drawing
    # The sample's fitted view draws heads 0.45 x (15 x 0.5 + 3) = 4.7 px long: shown.
    scale = chrome.execute_script("return network.getScale();")
    assert scale * 10.5 >= 3
    assert chrome.execute_script(ARROWS_ON) is True
    # A head is 10.5 canvas units; it is drawn from 3 screen pixels on, i.e. from scale 3 / 10.5.
    assert _at_scale(chrome, 0.28) is False
    assert _at_scale(chrome, 0.29) is True
    assert _at_scale(chrome, 0.05) is False
    assert _at_scale(chrome, 2.0) is True
    # Links are numbered in file order (vis-data would otherwise draw a UUID for each).
    links = page_items(page)[1]
    ids = chrome.execute_script("return edges.getIds();")
    assert ids == list(range(len(links)))
    first = chrome.execute_script("var e = edges.get(0); return [e.from, e.to];")
    assert first == [links[0]["from"], links[0]["to"]]
