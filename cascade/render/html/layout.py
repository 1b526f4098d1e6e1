"""Positions, computed before the page is written so the browser has nothing to simulate.

Each weak component is laid out alone (one Fruchterman-Reingold run over a disconnected graph
lets components drift apart, and its grid mode misbehaves on them, igraph #539); stars, the
commonest cascade shape, are placed in closed form, other trees as radial trees (Reingold-Tilford,
rings by depth), and only components with cycles are simulated; components are then packed in
rows by size, with the single users and isolated pairs gathered in a block of their own below
the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import igraph as ig
import numpy as np

from cascade.render.html.inputs import components, edge_array
from cascade.render.html.rng import seeded

_GOLDEN = math.pi * (3.0 - math.sqrt(5.0))


@dataclass(frozen=True)
class Layout:
    """Whole-pixel positions, and which vertices sit in components of one or two vertices."""

    x: list[int]
    y: list[int]
    small: list[bool]


def _star(k: int, hub: int) -> np.ndarray:
    """The hub at the centre, the leaves on a sunflower disc (even density, any size)."""
    local = np.zeros((k, 2))
    i = np.arange(k - 1, dtype=float)
    r = np.sqrt(i + 1.0)
    leaves = np.delete(np.arange(k), hub)
    local[leaves, 0] = r * np.cos(i * _GOLDEN)
    local[leaves, 1] = r * np.sin(i * _GOLDEN)
    return local


def _component(
    h: ig.Graph, members: list[int], seed: int, edges: int, degree: np.ndarray
) -> np.ndarray:
    """Local positions of one unit (``edges``: its simple undirected edges, loops included;
    ``degree``: each vertex's degree among them)."""
    k = len(members)
    if k == 1:
        return np.zeros((1, 2))
    if k == 2:
        return np.array([[-1.0, 0.0], [1.0, 0.0]])
    if edges == k - 1:  # a tree, the commonest shape of a cascade
        local_degree = degree[members]
        hub = int(np.argmax(local_degree))
        if local_degree[hub] == k - 1:
            return _star(k, hub)  # no subgraph needed
        # Radial, from the best-connected user: depth as rings, no simulation (and so no
        # random start to seed), in time linear in the tree's size.
        sub = h.induced_subgraph(members).as_undirected(mode="collapse")
        local = np.asarray(sub.layout_reingold_tilford_circular(root=[hub]).coords, dtype=float)
        return local - local.mean(axis=0)
    sub = h.induced_subgraph(members).as_undirected(mode="collapse")
    grid = "grid" if k > GRID_MIN else "nogrid"
    # Fruchterman-Reingold draws from igraph's global generator even from a start matrix (and
    # its grid mode runs 2-3x slower from one), so it starts from igraph's own random positions,
    # drawn under the lock from a generator seeded for this component.
    with seeded(seed + members[0]):
        coords = sub.layout_fruchterman_reingold(niter=FR_ITERATIONS, grid=grid).coords
    local = np.asarray(coords, dtype=float)
    return local - local.mean(axis=0)


def _simple_edges(
    h: ig.Graph, units: list[list[int]], ends: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """What ``h.induced_subgraph(unit).as_undirected(mode="collapse")`` would have, for every
    unit at once: its number of edges, and each vertex's degree (a loop counts twice).
    ``ends``: ``h``'s edge array, when known."""
    n = h.vcount()
    unit = np.full(n, -1, dtype=np.int64)
    if units:
        unit[np.concatenate(units)] = np.repeat(np.arange(len(units)), [len(m) for m in units])
    if h.ecount() == 0:
        return np.zeros(len(units), dtype=np.int64), np.zeros(n, dtype=np.int64)
    ends = edge_array(h) if ends is None else ends
    ends = ends[(unit[ends[:, 0]] == unit[ends[:, 1]]) & (unit[ends[:, 0]] >= 0)]
    pair = np.unique(ends.min(axis=1) * n + ends.max(axis=1))
    lo, hi = np.divmod(pair, n)
    edges = np.bincount(unit[lo], minlength=len(units))
    degree = np.bincount(lo, minlength=n) + np.bincount(hi, minlength=n)
    return edges, degree


#: Fruchterman-Reingold's grid (repulsion from nearby vertices only) above this many vertices:
#: from about 70 it is the faster mode (3x at 150 vertices, 5x at 400), and as good to the eye.
GRID_MIN = 60


#: Fruchterman-Reingold iterations (300 before 0.3). Measured on the components and communities
#: that the 1M-tweet benchmark corpus's largest papers simulate (docs/html.md): the mean stress
#: of 100 iterations is that of 300 up to 60 vertices (0.112 vs 0.113) and above 150 (0.167),
#: within the difference between two seeds from 61 to 150 (0.140 vs 0.132, seeds 0.008 apart),
#: at a third of the time; drawn side by side, the layouts look alike.
FR_ITERATIONS = 100


#: Components above this many vertices are laid out community by community ("group in a box",
#: as NodeXL does): each community in a box of its own, so they do not melt into one hairball.
BOX_MIN = 150


def _units(
    h: ig.Graph, comps: list[list[int]], membership: list[int] | np.ndarray | None, seed: int
) -> list[list[int]]:
    """The boxes to lay out: small components whole, big ones split into their communities."""
    from cascade.render.html.colours import communities

    units: list[list[int]] = []
    label_of = None if membership is None else np.asarray(membership, dtype=np.int64)
    for members in comps:
        if len(members) <= BOX_MIN:
            units.append(members)
            continue
        vs = np.asarray(members, dtype=np.int64)
        if label_of is not None:
            labels = label_of[vs]
        else:
            labels = np.asarray(communities(h.induced_subgraph(members), seed), dtype=np.int64)
        # Each community's members in order, the communities by size, ties by first member.
        order = np.argsort(labels, kind="stable")
        _, first, size = np.unique(labels, return_index=True, return_counts=True)
        if len(size) == 1:
            units.append(members)
            continue
        grouped = np.split(vs[order], np.cumsum(size)[:-1])
        units.extend(grouped[c].tolist() for c in np.lexsort((vs[first], -size)).tolist())
    return units


def layout(
    h: ig.Graph,
    seed: int = 0,
    membership: list[int] | np.ndarray | None = None,
    ends: np.ndarray | None = None,
) -> Layout:
    """Positions for every vertex of ``h``: components laid out alone (big ones community by
    community, after ``membership`` or Leiden), packed by size, singles and pairs apart
    (``ends``: ``h``'s edge array, when the caller has it).

    Examples
    --------
    >>> star = ig.Graph.Star(5)
    >>> pos = layout(star + ig.Graph(1))
    >>> pos.small
    [False, False, False, False, False, True]
    >>> layout(star + ig.Graph(1)) == pos
    True
    """
    n = h.vcount()
    xs = np.zeros(n)
    ys = np.zeros(n)
    small = np.zeros(n, dtype=bool)
    comp = components(h)
    count = int(comp.max()) + 1 if n else 0
    size = np.bincount(comp, minlength=count)
    _, first = np.unique(comp, return_index=True)
    order = np.lexsort((first, -size))  # by size, ties by first member
    grouped = np.argsort(comp, kind="stable")  # each component's members, in order
    start = np.cumsum(size) - size
    is_tiny = (size <= 2) & (count > 1)
    big = [grouped[start[c] : start[c] + size[c]].tolist() for c in order[~is_tiny[order]]]
    tiny = order[is_tiny[order]]
    boxes = []
    units = _units(h, big, membership, seed)
    edges, degree = _simple_edges(h, units, ends)
    for members, m in zip(units, edges.tolist(), strict=True):
        k = len(members)
        radius = 28.0 * math.sqrt(k) + 12.0
        local = _component(h, members, seed, m, degree)
        extent = np.abs(local).max() if k > 1 else 1.0
        local = local * (radius / extent if extent > 0 else 0.0)
        boxes.append((members, local, radius if k > 1 else 12.0))
    sizes = [2.0 * r + 24.0 for _, _, r in boxes]
    area = sum(s * s for s in sizes) + len(tiny) * 90.0 * 40.0
    width = max(max(sizes, default=0.0), math.sqrt(area) * 1.3, 400.0)
    x = y = row_height = 0.0
    corners = []
    for size_ in sizes:
        if x > 0 and x + size_ > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        corners.append((x, y, size_ / 2.0))
        x += size_
        row_height = max(row_height, size_)
    if boxes:  # every box moved to its corner at once: (local + corner) + half its size
        counts = [len(members) for members, _, _ in boxes]
        at = np.repeat(np.asarray(corners), counts, axis=0)
        where = np.concatenate([local for _, local, _ in boxes])
        placed = np.concatenate([members for members, _, _ in boxes]).astype(np.int64)
        xs[placed] = where[:, 0] + at[:, 0] + at[:, 2]
        ys[placed] = where[:, 1] + at[:, 1] + at[:, 2]
    # Singles and pairs: a grid block under the rest, out of the way and easy to hide.
    y += row_height + 60.0
    per_row = max(int(width // 90.0), 1)
    i = np.arange(len(tiny))
    cx = (i % per_row) * 90.0 + 45.0
    cy = y + (i // per_row) * 40.0
    one, pair = grouped[start[tiny]], size[tiny] == 2
    two = grouped[start[tiny[pair]] + 1]
    xs[one], ys[one] = np.where(pair, cx - 18.0, cx), cy
    xs[two], ys[two] = cx[pair] + 18.0, cy[pair]
    small[one] = small[two] = True
    if n:
        xs -= (xs.min() + xs.max()) / 2.0
        ys -= (ys.min() + ys.max()) / 2.0
    # Whole pixels: decimals would only add bytes to the file.
    # (np.rint rounds half to even, as round() does.)
    return Layout(
        np.rint(xs).astype(np.int64).tolist(),
        np.rint(ys).astype(np.int64).tolist(),
        small.astype(bool).tolist(),
    )
