"""The metrics panel's diameter (``panel.diameter``) against igraph's exact one."""

from __future__ import annotations

import igraph as ig
from hypothesis import given, settings
from hypothesis import strategies as st

from cascade.render.html.panel import diameter, metrics


def _igraph(g: ig.Graph) -> int:
    return int(g.diameter(directed=False, unconn=True)) if g.vcount() else 0


@st.composite
def graphs(draw: st.DrawFn) -> ig.Graph:
    """Directed graphs of several components: forests, cycles, dense bits, multi-edges,
    self-loops and isolated vertices."""
    n = draw(st.integers(0, 80))
    g = ig.Graph(n=n, directed=True)
    if n == 0:
        return g
    edges = []
    shape = draw(st.sampled_from(["forest", "random", "mixed"]))
    if shape in ("forest", "mixed"):
        for v in range(1, n):
            if draw(st.booleans()) or shape == "forest":
                parent = draw(st.integers(0, v - 1))
                if draw(st.integers(0, 4)) > 0:  # some vertices start a tree of their own
                    edges.append((parent, v) if draw(st.booleans()) else (v, parent))
    if shape in ("random", "mixed"):
        edges += draw(
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n)
        )
    if edges and draw(st.booleans()):
        edges += draw(st.lists(st.sampled_from(edges), max_size=5))  # repeated links
    g.add_edges(edges)
    return g


@settings(max_examples=400, deadline=None)
@given(graphs())
def test_diameter_is_igraphs(g: ig.Graph) -> None:
    assert diameter(g) == (_igraph(g), True)


@settings(max_examples=100, deadline=None)
@given(graphs(), st.integers(1, 30))
def test_a_capped_diameter_is_a_lower_bound(g: ig.Graph, cap: int) -> None:
    hops, exact = diameter(g, max_searches=cap)
    assert hops <= _igraph(g)
    if exact:
        assert hops == _igraph(g)


def test_hand_computed_diameters() -> None:
    assert diameter(ig.Graph(n=0, directed=True)) == (0, True)
    assert diameter(ig.Graph(n=3, directed=True)) == (0, True)
    # A path of 6 vertices (5 hops) with links pointing both ways, and a triangle apart.
    path = ig.Graph([(0, 1), (2, 1), (2, 3), (4, 3), (4, 5), (6, 7), (7, 8), (8, 6)], directed=True)
    assert diameter(path) == (5, True)
    # A cycle of 10 (5 hops) beside a star of 8 leaves (2 hops).
    assert diameter(ig.Graph.Ring(10, directed=True) + ig.Graph.Star(9, mode="out")) == (5, True)
    # A 4x7 grid: 3 + 6 hops corner to corner.
    assert diameter(ig.Graph.Lattice([4, 7], circular=False)) == (9, True)
    # A self-loop and a double link change nothing.
    assert diameter(ig.Graph([(0, 0), (0, 1), (0, 1), (1, 2)], directed=True)) == (2, True)


def test_big_pages_get_the_exact_diameter() -> None:
    # A 4,000-vertex cycle plus a tail: above the old 3,000-vertex limit of the exact figure.
    g = ig.Graph.Ring(4000, directed=True)
    g.add_vertices(3)
    g.add_edges([(0, 4000), (4000, 4001), (4001, 4002)])
    rows = dict(metrics(g, None)["rows"])
    assert rows["diameter (hops)"] == "2,003"
    assert "diameter (hops, at least)" not in rows
