"""The report's static plots: their data against values computed by hand and by brute force,
every label inside the figure with the fixed margins, plain tick labels, the same bytes on
every run."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

import cascade
from cascade.render import plots
from cascade.render.growth import growth_data, growth_section


def _figures():
    rng = np.random.default_rng(0)
    sizes = np.concatenate([rng.zipf(1.8, 3000), [2_500_000]]).astype(np.int64)
    day0 = np.datetime64("2019-01-01T00:00", "s")
    many = {
        f"paper {i}": day0 + np.sort(rng.integers(0, 86400 * 2000, 400)).astype("m8[s]")
        for i in range(10)
    }
    long_titles = {k: "A title far longer than forty characters, as papers have" for k in many}
    days = pd.date_range("2012-01-01", periods=1500, freq="D")
    scores = np.sort(rng.pareto(1.2, 5000) * 1000 + 1)[::-1]
    return {
        "cumulative": plots.cumulative_tweets(many, labels=long_titles),
        "ccdf": plots.size_ccdf(sizes),
        "virality": plots.virality_vs_size(sizes, 1 + np.log1p(sizes) * rng.random(sizes.size)),
        "depth": plots.depth_distribution(rng.integers(0, 40, 5000)),
        "per_day": plots.tweets_per_day(pd.Series(rng.integers(0, 2_000_000, days.size), days)),
        "rank": plots.rank_plot(scores, names=["a_rather_long_handle_name"] * scores.size),
        "no_data": plots.size_ccdf([]),
    }


@pytest.fixture(scope="module")
def figures():
    figs = _figures()
    papers = list(cascade.read(FIXTURES / "altmetric_api_357137.json"))
    predictions, ages = growth_data(papers)
    figs["growth"] = growth_section(predictions, ages).figure
    for fig in figs.values():
        with matplotlib.rc_context(plots._RC):
            fig.canvas.draw()
    return figs


@pytest.mark.parametrize(
    "name", ["cumulative", "ccdf", "virality", "depth", "per_day", "rank", "no_data", "growth"]
)
def test_every_label_is_inside_the_figure(figures, name):
    # What is drawn (titles, axis and tick labels, legends, annotations) fits the fixed margins.
    fig = figures[name]
    drawn = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    page = fig.bbox_inches
    assert page.x0 - 0.01 <= drawn.x0 and drawn.x1 <= page.x1 + 0.01, (name, drawn)
    assert page.y0 - 0.01 <= drawn.y0 and drawn.y1 <= page.y1 + 0.01, (name, drawn)
    # ... and fills them: no margin wider than half an inch is left empty.
    assert drawn.width > page.width - 1.0 and drawn.height > page.height - 1.0, (name, drawn)


def test_tick_labels_are_plain_numbers(figures):
    # Log and symlog axes: 1, 10, 1,000, never mathtext exponents.
    for name in ("cumulative", "ccdf", "rank", "growth"):
        labels = [
            t.get_text()
            for ax in figures[name].axes
            for t in ax.get_xticklabels() + ax.get_yticklabels()
            if t.get_text()
        ]
        assert labels and not any("$" in s or "^" in s for s in labels), (name, labels)
    x = [t.get_text() for t in figures["cumulative"].axes[0].get_xticklabels()]
    assert x[:4] == ["0", "1", "10", "100"]


def test_save_gives_the_same_bytes_twice(tmp_path):
    first = [p.read_bytes() for fig in _figures().values() for p in plots.save(fig, tmp_path / "a")]
    again = [p.read_bytes() for fig in _figures().values() for p in plots.save(fig, tmp_path / "b")]
    assert first == again


def test_size_ccdf_by_hand():
    # Sizes 1, 1, 2, 4: all four are >= 1, two are >= 2, one is >= 4.
    line = plots.size_ccdf([1, 1, 2, 4]).axes[0].lines[0]
    assert line.get_xydata().tolist() == [[1.0, 1.0], [2.0, 0.5], [4.0, 0.25]]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 50), min_size=1, max_size=60))
def test_size_ccdf_is_the_share_at_least_s(sizes):
    x, y = plots.size_ccdf(sizes).axes[0].lines[0].get_data()
    sizes = np.asarray(sizes)
    assert x.tolist() == sorted(set(sizes.tolist()))
    assert y.tolist() == [np.mean(sizes >= s) for s in x]


def test_virality_scatter_is_one_image_in_the_svg(tmp_path):
    # 20,000 markers as vector paths made the SVG megabytes; rasterised, they are one <image>.
    rng = np.random.default_rng(1)
    sizes = rng.integers(2, 500, 30_000)
    fig = plots.virality_vs_size(sizes, 1 + np.log1p(sizes) * rng.random(sizes.size))
    svg = Path(plots.save(fig, tmp_path / "v")[-1]).read_text(encoding="utf-8")
    assert svg.count("<image") == 1
    assert len(svg) < 300_000
