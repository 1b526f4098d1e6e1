"""The corpus plots' data against values computed by hand and by brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cascade.render.plots import size_ccdf


def test_size_ccdf_by_hand():
    # Sizes 1, 1, 2, 4: all four are >= 1, two are >= 2, one is >= 4.
    line = size_ccdf([1, 1, 2, 4]).axes[0].lines[0]
    assert line.get_xydata().tolist() == [[1.0, 1.0], [2.0, 0.5], [4.0, 0.25]]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(1, 50), min_size=1, max_size=60))
def test_size_ccdf_is_the_share_at_least_s(sizes):
    x, y = size_ccdf(sizes).axes[0].lines[0].get_data()
    sizes = np.asarray(sizes)
    assert x.tolist() == sorted(set(sizes.tolist()))
    assert y.tolist() == [np.mean(sizes >= s) for s in x]
