"""The reconstruction methods, their parameters and defaults: one :class:`Reconstruction` value.

Every entry point (:func:`~cascade.reconstruct.reconstruct_paper`, the samplers,
:class:`~cascade.reconstruct.Reconstructed`, :class:`cascade.io.ReadOptions`, the CLI's
``--reconstruct``) takes the same parameter names with the defaults written here, and checks
them here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_GAMMA",
    "DEFAULT_METHOD",
    "DEFAULT_SAMPLES",
    "INFLUENCE_BETA",
    "INFLUENCE_RATE",
    "METHODS",
    "PROBABILISTIC",
    "X_MIN",
    "Reconstruction",
    "check_method",
    "check_probabilistic",
]

METHODS = ("credited", "pdi", "influence", "follow-graph")
#: The methods that give a distribution over parents (they can be sampled).
PROBABILISTIC = ("pdi", "influence")
#: The method of every function that reconstructs, when none is named.
DEFAULT_METHOD = "pdi"
DEFAULT_SAMPLES = 100
DEFAULT_GAMMA = 0.5
DEFAULT_ALPHA = 1.5
X_MIN = 1.0
INFLUENCE_RATE = -6.8e-5
INFLUENCE_BETA = 1.0


def check_method(method: str) -> None:
    """Raise ValueError unless ``method`` is one of :data:`METHODS`.

    Examples
    --------
    >>> check_method("magic")
    Traceback (most recent call last):
    ...
    ValueError: unknown reconstruction method 'magic' (known: credited, pdi, influence, ...
    """
    if method not in METHODS:
        raise ValueError(f"unknown reconstruction method {method!r} (known: {', '.join(METHODS)})")


def check_probabilistic(method: str) -> None:
    """Raise ValueError unless ``method`` gives a parent distribution (``pdi``, ``influence``)."""
    if method not in PROBABILISTIC:
        raise ValueError(f"sampling needs a probabilistic method (pdi, influence), not {method!r}")


@dataclass(frozen=True)
class Reconstruction:
    """How retweets get their parents: a method and its parameters, checked once.

    Each method reads only its own parameters and ignores the others, so one value can carry
    every option of the command line.

    Parameters
    ----------
    method : {"pdi", "influence", "follow-graph", "credited"}
        See :mod:`cascade.reconstruct` (default ``pdi``).
    samples, seed : int
        ``pdi`` (and sampled estimates): number of sampled trees and their seed.
    gamma, alpha, fit_alpha
        ``pdi``: weight of the followers part in [0, 1], exponent of the time part
        (``alpha=None`` or ``fit_alpha=True``: fitted to each paper).
    beta, rate : float
        ``influence``: followers exponent and time decay per second.
    follow_graph : path, DataFrame or pairs
        ``follow-graph``: follower -> followee edges (see
        :func:`~cascade.reconstruct.load_follow_graph`); required by that method.

    Examples
    --------
    >>> Reconstruction("influence").beta
    1.0
    >>> Reconstruction("pdi", gamma=2.0)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be in [0, 1], not 2.0
    """

    method: str = DEFAULT_METHOD
    samples: int = DEFAULT_SAMPLES
    seed: int = 0
    gamma: float = DEFAULT_GAMMA
    alpha: float | None = DEFAULT_ALPHA
    fit_alpha: bool = False
    beta: float = INFLUENCE_BETA
    rate: float = INFLUENCE_RATE
    follow_graph: Any = field(default=None, compare=False, repr=False)  # a path or a table

    def __post_init__(self) -> None:
        check_method(self.method)
        if self.samples < 1:
            raise ValueError("samples must be >= 1")
        if not 0.0 <= self.gamma <= 1.0:
            raise ValueError(f"gamma must be in [0, 1], not {self.gamma}")
        if self.method == "follow-graph" and self.follow_graph is None:
            raise ValueError(
                "the follow-graph method needs a follower graph "
                "(follow_graph=FILE; on the command line --follow-graph FILE)"
            )
