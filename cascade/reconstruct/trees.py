"""One reconstructed tree per paper (:func:`reconstruct_paper`), and corpora of them.

``pdi`` gives each re-parented retweet the parent drawn most often in ``samples`` seeded draws;
``influence`` its most probable parent, with the exact probability; ``follow-graph`` the latest
earlier participant its author follows; ``credited`` returns the paper unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from cascade.deprecation import deprecated_alias
from cascade.model import Paper
from cascade.reconstruct.candidates import candidates
from cascade.reconstruct.follow import as_follow_graph, follow_parents
from cascade.reconstruct.options import (
    DEFAULT_ALPHA,
    DEFAULT_GAMMA,
    DEFAULT_METHOD,
    DEFAULT_SAMPLES,
    INFLUENCE_BETA,
    INFLUENCE_RATE,
    Reconstruction,
)
from cascade.reconstruct.sampling import draw, modal, most_probable

__all__ = ["Reconstructed", "loaded", "rebuild", "reconstruct", "reconstruct_paper"]


def reconstruct_paper(
    paper: Paper,
    method: str = DEFAULT_METHOD,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    gamma: float = DEFAULT_GAMMA,
    alpha: float | None = DEFAULT_ALPHA,
    fit_alpha: bool = False,
    beta: float = INFLUENCE_BETA,
    rate: float = INFLUENCE_RATE,
    follow_graph: Any = None,
) -> Paper:
    """A copy of a paper with its retweet paths reconstructed by ``method``.

    Parameters
    ----------
    paper : Paper
        A resolved paper (credited parents).
    method : {"pdi", "influence", "follow-graph", "credited"}
        See :mod:`cascade.reconstruct`.
    samples, seed
        ``pdi``: the representative tree gives each retweet the parent drawn most often in
        ``samples`` seeded draws (ties: the earliest), with that share as its probability.
    gamma, alpha, fit_alpha
        ``pdi`` parameters (``alpha=None`` or ``fit_alpha=True`` fits alpha to the paper).
    beta, rate
        ``influence`` parameters. Its tree gives each retweet its most probable parent (ties: the
        most recent), with the exact probability.
    follow_graph : path, DataFrame or pairs
        ``follow-graph``: follower -> followee edges (see
        :func:`~cascade.reconstruct.load_follow_graph`).

    Returns
    -------
    Paper
        Same tweets, new ``parent`` array; re-parented edges have ``resolution`` = the method;
        ``method`` names it; for ``pdi`` and ``influence``, ``probability`` holds each
        re-parented edge's probability (NaN elsewhere).

    Examples
    --------
    >>> import cascade
    >>> paper = next(iter(cascade.read("examples/data")))
    >>> tree = reconstruct_paper(paper, "influence")
    >>> tree.method, int((tree.resolution == "influence").sum())
    ('influence', 188)
    """
    spec = Reconstruction(
        method, samples=samples, seed=seed, gamma=gamma, alpha=alpha, fit_alpha=fit_alpha,
        beta=beta, rate=rate, follow_graph=follow_graph,
    )  # fmt: skip
    return rebuild(paper, spec)


def rebuild(paper: Paper, spec: Reconstruction) -> Paper:
    """:func:`reconstruct_paper` of ``paper`` with the method and parameters of ``spec``."""
    method = spec.method
    if method == "credited":
        return paper
    lay = candidates(paper)
    parent = paper.parent.copy()
    resolution = paper.resolution.copy()
    probability = None
    if lay is not None:
        if method == "follow-graph":
            best = follow_parents(paper, lay, as_follow_graph(spec.follow_graph))
            hit = best >= 0
            parent[lay.free[hit]] = best[hit]
            resolution[lay.free[hit]] = method
        else:
            probability = np.full(len(paper), np.nan)
            if method == "pdi":
                best, share = modal(draw(paper, spec)[:, lay.free], len(paper))
            else:
                best, share = most_probable(lay, spec.beta, spec.rate)
            parent[lay.free] = best
            resolution[lay.free] = method
            probability[lay.free] = share
    return paper.with_parents(parent, resolution, method=method, probability=probability)


def loaded(spec: Reconstruction) -> Reconstruction:
    """``spec`` with its follower graph read (once, for many papers); else ``spec`` itself."""
    if spec.method != "follow-graph":
        return spec
    return replace(spec, follow_graph=as_follow_graph(spec.follow_graph))


#: The 0.1 name of :func:`reconstruct_paper` (deprecated: ``cascade.reconstruct`` is the package).
reconstruct = deprecated_alias(reconstruct_paper, "reconstruct")


class Reconstructed:
    """A corpus whose papers come out reconstructed: what ``--reconstruct`` wraps around a read.

    Iterating it yields ``reconstruct_paper(paper, method, **parameters)`` for every paper of
    ``corpus``; ``log``, ``paths`` and ``records()`` are the corpus's own.

    Parameters
    ----------
    corpus : iterable of Paper
        E.g. a :class:`~cascade.io.Corpus`.
    method : str or Reconstruction
        The method (default ``pdi``), or a :class:`Reconstruction` carrying it and its
        parameters.
    **parameters
        The parameters of :func:`reconstruct_paper` (with a method name only). A follower graph
        is loaded once here.

    Examples
    --------
    >>> import cascade
    >>> papers = Reconstructed(cascade.read("examples/data"), "influence")
    >>> [p.method for p in papers], papers.log.used
    (['influence'], 258)
    """

    def __init__(
        self,
        corpus: Iterable[Paper],
        method: str | Reconstruction = DEFAULT_METHOD,
        **parameters: Any,
    ) -> None:
        if isinstance(method, Reconstruction):
            if parameters:
                raise TypeError("give a Reconstruction or a method and its parameters, not both")
            spec = method
        else:
            spec = Reconstruction(method, **parameters)
        self.corpus, self.spec = corpus, loaded(spec)

    @property
    def method(self) -> str:
        """The reconstruction method."""
        return self.spec.method

    def __repr__(self) -> str:
        return f"<{self.method} reconstruction of {self.corpus!r}>"

    def __getattr__(self, name: str) -> Any:  # log, paths, records, ...
        if name == "corpus":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.corpus, name)

    def __iter__(self) -> Iterator[Paper]:
        for paper in self.corpus:
            yield rebuild(paper, self.spec)
