"""Cascades simulated from the SEISMIC model itself, to test and validate the estimator.

A post with ``n`` followers made at ``t_i`` brings reshares at rate ``p n phi(t - t_i)``: a
marked self-exciting (Hawkes) process. As ``phi`` integrates to 1, a post has ``Poisson(p n)``
reshares in all, each after an independent delay drawn from ``phi``, so the process is simulated
generation by generation (a Galton-Watson tree), all cascades at once.
"""

from __future__ import annotations

import numpy as np

from cascade.predict.seismic import S0, THETA, C

__all__ = ["sample_delays", "simulate_cascades"]


def sample_delays(
    rng: np.random.Generator, size: int, *, theta: float = THETA, s0: float = S0, c: float = C
) -> np.ndarray:
    """Reaction times drawn from the memory kernel ``phi`` by inverting its survival function.

    Examples
    --------
    >>> d = sample_delays(np.random.default_rng(0), 100_000)
    >>> round(float(np.mean(d <= 300)), 2)  # c s0 = 0.188 of the mass is before s0
    0.19
    """
    u = rng.random(size)
    head = c * s0
    with np.errstate(divide="ignore"):
        tail = (c * s0 ** (1.0 + theta) / (theta * (1.0 - u))) ** (1.0 / theta)
    return np.where(u < head, u / c, tail)


def simulate_cascades(
    n: int,
    p: float | np.ndarray,
    *,
    seed: int = 0,
    root_followers: float | np.ndarray = 2000.0,
    mean_followers: float = 100.0,
    sigma: float = 1.0,
    max_posts: int = 100_000,
    theta: float = THETA,
    s0: float = S0,
    c: float = C,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Simulate ``n`` cascades with infectiousness ``p`` (constant in time).

    Parameters
    ----------
    n : int
        Number of cascades.
    p : float or ndarray
        Infectiousness of each cascade; ``p * mean_followers < 1`` keeps them finite.
    seed : int
        Seed of the numpy Generator.
    root_followers : float or ndarray
        Followers of each original.
    mean_followers, sigma : float
        Resharers' follower counts are lognormal with this mean and log-scale spread.
    max_posts : int
        A cascade stops growing past this many posts (guards against supercritical draws).
    theta, s0, c : float
        Memory kernel.

    Returns
    -------
    times, followers, offsets, final
        Posts of all cascades one after another (cascade ``k`` is ``offsets[k]:offsets[k+1]``),
        each with its original first at time 0 and its reshares in time order; ``final`` is each
        cascade's number of reshares over all time (the true final size).

    Examples
    --------
    >>> times, followers, offsets, final = simulate_cascades(3, 0.005, seed=1)
    >>> len(offsets), bool(np.all(np.diff(offsets) == final + 1))
    (4, True)
    """
    rng = np.random.default_rng(seed)
    p = np.broadcast_to(np.asarray(p, dtype=np.float64), (n,))
    mu = np.log(mean_followers) - sigma**2 / 2.0
    cas = [np.arange(n)]
    times = [np.zeros(n)]
    fol = [np.broadcast_to(np.asarray(root_followers, dtype=np.float64), (n,)).copy()]
    size = np.ones(n, dtype=np.int64)
    g_cas, g_t, g_f = cas[0], times[0], fol[0]
    while g_cas.size:
        kids = rng.poisson(p[g_cas] * g_f)
        kids = np.where(size[g_cas] < max_posts, kids, 0)
        parent = np.repeat(np.arange(g_cas.size), kids)
        g_cas = g_cas[parent]
        g_t = g_t[parent] + sample_delays(rng, parent.size, theta=theta, s0=s0, c=c)
        g_f = np.round(rng.lognormal(mu, sigma, parent.size))
        size += np.bincount(g_cas, minlength=n)
        cas.append(g_cas)
        times.append(g_t)
        fol.append(g_f)
    cas_all, t_all, f_all = np.concatenate(cas), np.concatenate(times), np.concatenate(fol)
    order = np.lexsort((t_all, cas_all))  # the original, at 0, sorts first (delays are > 0)
    counts = np.bincount(cas_all, minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return t_all[order], f_all[order], offsets, counts - 1
