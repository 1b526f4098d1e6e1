"""The one place the renderer touches igraph's random generator.

igraph draws from one process-wide generator, and both Leiden and Fruchterman-Reingold use it
(the latter even from a start-position matrix: it jitters coincident points). Every such call
in the renderer runs inside :func:`seeded`, which holds a lock for the call, so threads that render
at the same time each see their own seeded stream and the same input gives the same page.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator

import igraph as ig

_LOCK = threading.Lock()


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """igraph's generator seeded with ``seed`` for the block, under a lock; afterwards igraph's
    default (the ``random`` module) is back, as igraph cannot report a generator set before.

    Examples
    --------
    >>> g = ig.Graph.Ring(20)
    >>> with seeded(3):
    ...     a = g.community_leiden(objective_function="modularity").membership
    >>> with seeded(3):
    ...     b = g.community_leiden(objective_function="modularity").membership
    >>> a == b
    True
    """
    with _LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)
