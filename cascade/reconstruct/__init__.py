"""Reconstruct who retweeted whom: other parent arrays for a :class:`~cascade.model.Paper`.

Platforms credit every native retweet to the original post, so the credited tree of a cascade is
a star: depth 1 and a structural virality fixed by its size. Depth, breadth and virality only
say something about spreading once the real retweet paths are inferred. The published methods
disagree (DeVerna et al. 2024), so this package offers them side by side:

``credited``
    Parents as the data credit them (with every explicit hop: manual ``RT @a: RT @b:`` chains,
    ``MT``, Altmetric ``rt`` lists, Twitter v2 referenced ids). The paper is returned unchanged.
``pdi``
    Probabilistic diffusion inference (DeVerna et al. 2024, arXiv:2410.21554). Retweet ``i``
    picks its parent ``j`` among the earlier participants of its cascade with
    ``P(j) = gamma f_j / sum f + (1 - gamma) g(t_i - t_j) / sum g``, ``f`` the follower count
    (unknown or 0 -> 1) and ``g(d) = max(d, x_min) ** -alpha`` (x_min = 1 s).
``influence``
    Rizoiu et al. 2018 (arXiv:1802.09808): ``P(j)`` proportional to
    ``f_j ** beta * exp(rate * (t_i - t_j))``, ``rate = -6.8e-5`` per second, ``beta = 1``.
``follow-graph``
    Time-inferred diffusion (Goel et al. 2016; Vosoughi et al. 2018): the parent is the most
    recent earlier participant whom the retweeter follows; none -> the credited root.

Which tweets are re-parented: retweets (kind ``retweet``, not placeholders) whose credited parent
is their cascade's root, which is what a native retweet credits. Everything else keeps its
credited parent, explicit hops included: a manual chain or an exact parent id is evidence, so the
methods never overrule it. The *candidates* for a re-parented retweet are the participants of its
cascade before it in the paper's (time) order: the root and the earlier retweets, placeholders of
chain hops included. Unknown times (placeholders) take the latest known time before them in the
cascade (a placeholder root: the cascade's first known time), and times are made non-decreasing
in the stored order, so every time gap is >= 0.

One way to choose: a method name plus the keywords of :class:`Reconstruction` (the defaults are
written there once; ``pdi`` when no method is named), or a :class:`Reconstruction` value where
options travel between stages (:class:`cascade.io.ReadOptions`, :class:`Reconstructed`).

Modules: :mod:`.options` (methods, parameters, defaults, checks), :mod:`.candidates` (who may
be whose parent), :mod:`.sampling` (``pdi`` and ``influence``: exact probabilities, samplers),
:mod:`.follow` (``follow-graph``), :mod:`.trees` (one tree per paper, corpora of them) and
:mod:`.measures` (sampled metrics, expected influence).
"""

from __future__ import annotations

from cascade.reconstruct.follow import load_follow_graph
from cascade.reconstruct.measures import (
    SAMPLED_METRICS,
    expected_influence,
    pdi_metrics,
    sampled_metrics,
)
from cascade.reconstruct.options import (
    DEFAULT_ALPHA,
    DEFAULT_GAMMA,
    DEFAULT_METHOD,
    DEFAULT_SAMPLES,
    INFLUENCE_BETA,
    INFLUENCE_RATE,
    METHODS,
    PROBABILISTIC,
    X_MIN,
    Reconstruction,
)
from cascade.reconstruct.sampling import estimate_alpha, parent_probabilities, sample_parents
from cascade.reconstruct.trees import Reconstructed, reconstruct, reconstruct_paper

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_GAMMA",
    "DEFAULT_METHOD",
    "DEFAULT_SAMPLES",
    "INFLUENCE_BETA",
    "INFLUENCE_RATE",
    "METHODS",
    "PROBABILISTIC",
    "SAMPLED_METRICS",
    "X_MIN",
    "Reconstructed",
    "Reconstruction",
    "estimate_alpha",
    "expected_influence",
    "load_follow_graph",
    "parent_probabilities",
    "pdi_metrics",
    "reconstruct",
    "reconstruct_paper",
    "sample_parents",
    "sampled_metrics",
]
