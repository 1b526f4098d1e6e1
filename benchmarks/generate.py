"""Generate a synthetic corpus of Altmetric details-page "twitter tab" exports for benchmarks.

Each paper is one JSON document shaped like the real exports::

    {"citation_id": "56155705", "tab": "twitter",
     "twitter": {"1100987047752327168": {
         "author": "@yarphs", "followers": "11,314", "datetime": "2019-02-28 05:12:22",
         "content_summary": "RT @arxiv_cscl: Attention is not Explanation https://t.co/..."}},
     "completed": "1", "queriedAt": "2020-06-03 01:40:59"}

The corpus is realistic where it matters for cascade reconstruction: heavy-tailed paper sizes and
cascade sizes, a shared Zipf-active user pool, retweets marked only by an ``RT @user:`` prefix on a
copy of the original text truncated at 140 characters, manual chains ``RT @b: RT @a: ...``,
replies, mentions, bots re-posting identical texts, heavy-tailed follower counts in the messy
formats of the real data, and snowflake tweet ids increasing with time.

Everything is drawn from ``numpy.random.default_rng(seed)``: the same seed gives byte-identical
files.

Usage::

    python benchmarks/generate.py OUT_DIR [--papers 10000] [--seed 0] [--jsonl] [--gzip]
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency, but keep the script standalone
    orjson = None

__all__ = ["UserPool", "generate_corpus", "generate_paper", "make_user_pool", "simulate"]

# ---------------------------------------------------------------------------------------------
# Parameters. Shares are tuned so that the realised corpus matches the brief (see README.md).
# ---------------------------------------------------------------------------------------------
N_USERS = 200_000
MEAN_TWEETS = 100.0
MAX_TWEETS = 20_000
COUNT_SIGMA = 2.0  # log-sd of tweets per paper: median ~13, a few papers with thousands
ORIGINAL_SHARE = 0.3  # share of a paper's tweets (after its first) that are not retweets
REPLY_SHARE = 0.103  # of originals after the first: about 3% of all tweets
CHAIN_SHARE = 0.062  # of retweets that are not first in their cascade: about 5% of retweets
BOT_PAPER_SHARE = 0.25  # papers announced by a bot
MENTION_SHARE = 0.15  # originals that mention someone in the middle of the text
CUT_SHARE = 0.2  # long originals whose own summary is truncated too
CASCADE_SHAPE = 1.1  # Pareto (Lomax) shape of an original's attractiveness: heavy-tailed cascades
ZIPF_EXPONENT = 1.0
ZIPF_OFFSET = 20.0  # Zipf-Mandelbrot offset: the most active user posts ~0.5% of all tweets
FOLLOWER_GROWTH = 0.3  # relative follower growth per year, so "latest known" counts differ

RT_LIMIT = 140  # classic retweet copies are cut to 140 characters
TWEET_LIMIT = 280
LONG_TEXT = 100  # originals longer than this may have a truncated summary
ELLIPSIS = "\u2026"

DAY = 86_400
# 19-digit snowflake ids need tweets after mid-2018.
PUB_START = int(np.datetime64("2018-07-01T00:00:00", "s").astype(np.int64))
PUB_END = int(np.datetime64("2019-11-15T00:00:00", "s").astype(np.int64))
QUERY_START = int(np.datetime64("2020-06-01T00:00:00", "s").astype(np.int64))
YEAR = 365.25 * DAY
TWITTER_EPOCH_MS = 1_288_834_974_657

# Delays (median seconds, log-sd, cap seconds). The caps keep every tweet before QUERY_START:
# 150 d after PUB_END plus 21 d plus 14 d ends in May 2020.
DELAY_ORIGINAL = (6 * 3600, 2.0, 150 * DAY)
DELAY_REPLY = (2 * 3600, 1.5, 14 * DAY)
DELAY_RETWEET = (3600, 2.2, 21 * DAY)
DELAY_CHAIN = (1800, 2.0, 14 * DAY)

# Tweet kinds, as int8 codes.
BOT, ORIGINAL, REPLY, RETWEET, CHAIN = 0, 1, 2, 3, 4

BOT_HANDLES = (
    "arxiv_cs_bot",
    "arxiv_cscl",
    "arxiv_cs_lg",
    "arxivml_bot",
    "arxiv_qbio",
    "arxiv_statml",
    "astro_ph_bot",
    "paper_feed_ai",
    "scirate_bot",
    "arxiv_physics",
    "arxiv_econ_bot",
    "arXiv_Daily",
)
ARXIV_CATS = ("cs.CL", "cs.LG", "cs.CV", "stat.ML", "q-bio.NC", "astro-ph.GA", "cs.SI", "econ.EM")

_SYLLABLES = (
    "ka ri to mo na shi ya ma ro bin son ell an de la mar tin lee chen wang li kim park sa ra jo "
    "han nes mi ke al ex sam ue ol iv er zhu yu ben ny ta ko ash ley da vid ger ber ska vic tor "
    "ia luc as fe lix no ah ro sen gu pta ng uy en bar ry fox kei su"
).split()
_ADJ = (
    "Deep Robust Scalable Efficient Bayesian Neural Sparse Causal Adaptive Contrastive Generative "
    "Hierarchical Probabilistic Self-Supervised Federated Quantum Stochastic Interpretable Graph "
    "Multi-Scale Unsupervised Differentiable Equivariant Low-Rank Nonparametric Spatial Temporal"
).split()
_NOUN = (
    "Attention|Transformers|Embeddings|Inference|Representations|Networks|Optimization|Diffusion|"
    "Cascades|Retrieval|Segmentation|Gene Expression|Protein Folding|Climate Models|"
    "Citation Networks|Language Models|Reinforcement Learning|Single-Cell RNA-seq|Dark Matter|"
    "Gut Microbiota|Vaccine Hesitancy|Peer Review|Misinformation|Galaxy Formation|Sepsis|"
    "Explanation|Generalization|Fairness|Uncertainty|Metabolic Pathways|Neural Circuits|"
    "Topological Insulators|Open Access|Preprints|Malaria Transmission|Soil Carbon"
).split("|")
_TOPIC = (
    "the Limits|the Robustness|the Geometry|the Convergence|the Origins|the Reproducibility|"
    "the Dynamics|the Evolution|a Theory|the Cost"
).split("|")
_VERB = "learned estimated predicted explained compressed detected recovered controlled".split()
_COMMENTS = (
    "New paper:|Interesting read:|Worth reading \U0001f447|Our new preprint is out!|Must read.|"
    "This is huge.|Nice work by the team:|\u9762\u767d\u3044\u8ad6\u6587\u3002|"
    "Tr\u00e8s int\u00e9ressant :|Sehr spannend:|\U0001f4c4|Just published:|"
    "Great thread on this.|Hmm, not convinced by the methods here.|"
    "So, deep learning would never be explainable? \U0001f914|Finally!|"
    "Important for anyone working on this:|Muy interesante:|Adding to my reading list:|"
    "Congrats to all the authors!"
).split("|")
_REPLY_TEXTS = (
    "Thanks for sharing!|Have you seen this one?|\u3053\u308c\u3063\u3059\u306d\uff0e"
    "\u660e\u65e5\u8aad\u3080|Agreed, the ablations in section 4 are convincing.|"
    "Do you know if the code is released?|I had the same question about the baselines.|"
    "Great summary, thanks.|Not sure this replicates, see the supplement.|+1|"
    "Would love to see this applied to clinical data."
).split("|")
_HASHTAGS = (
    "#NLProc #MachineLearning #bioRxiv #OpenScience #AcademicTwitter #DeepLearning "
    "#Epidemiology #astroph #DataScience #scicomm"
).split()
_URL_CHARS = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))


# ---------------------------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UserPool:
    """Users shared by all papers: ordinary users by Zipf-like activity, then a few bots.

    Attributes
    ----------
    handles : list of str
        Handles without ``@``, unique case-insensitively; bots are the last ``n_bots``.
    followers : numpy.ndarray
        int64 follower count of each user at ``PUB_START`` (lognormal, heavy-tailed).
    cdf : numpy.ndarray
        Cumulative activity of the ordinary users, for inverse-CDF sampling.
    n_users : int
        Number of ordinary users; bots are ``n_users .. n_users + n_bots - 1``.
    """

    handles: list[str]
    followers: np.ndarray
    cdf: np.ndarray
    n_users: int

    @property
    def n_bots(self) -> int:
        """Number of bot accounts."""
        return len(self.handles) - self.n_users

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` ordinary users (int64 codes) with probability proportional to activity."""
        users = np.searchsorted(self.cdf, rng.random(size), side="right")
        return np.minimum(users, self.n_users - 1)


def _handles(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` plausible handles (1-15 word characters), unique case-insensitively."""
    syl = np.array(_SYLLABLES)[rng.integers(0, len(_SYLLABLES), (n, 4))].tolist()
    n_syl = rng.integers(2, 5, n).tolist()
    style = rng.choice(6, n, p=[0.3, 0.2, 0.15, 0.2, 0.1, 0.05]).tolist()
    digits = rng.integers(0, 10_000, n).tolist()
    seen = {h.lower() for h in BOT_HANDLES}
    out = []
    for i in range(n):
        parts = syl[i][: n_syl[i]]
        s = style[i]
        if s == 0:
            h = "".join(parts)
        elif s == 1:
            h = "".join(p.capitalize() for p in parts)
        elif s == 2:
            h = parts[0] + "_" + "".join(parts[1:])
        elif s == 3:
            h = "".join(parts) + str(digits[i])
        elif s == 4:
            h = "".join(parts).capitalize() + "_"
        else:
            h = "_".join(parts).upper()
        h = h[:15]
        if h.lower() in seen:
            # Disambiguate with the (unique) index in base 36, still within 15 characters.
            suffix = np.base_repr(i, 36).lower()
            h = h[: 15 - len(suffix)] + suffix
        seen.add(h.lower())
        out.append(h)
    return out


def make_user_pool(rng: np.random.Generator, n_users: int = N_USERS) -> UserPool:
    """Build the shared user pool.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_users : int
        Number of ordinary users (bots come on top).

    Returns
    -------
    UserPool
    """
    handles = _handles(rng, n_users) + list(BOT_HANDLES)
    weight = (np.arange(n_users) + ZIPF_OFFSET) ** -ZIPF_EXPONENT
    cdf = np.cumsum(weight)
    cdf /= cdf[-1]
    # Followers are lognormal (median ~300); active users tend to have more of them.
    log_f = np.log(300) + 1.7 * rng.standard_normal(n_users)
    log_f += 0.25 * np.log(weight / np.median(weight))
    bots = np.log(3000) + 1.0 * rng.standard_normal(len(BOT_HANDLES))
    followers = np.round(np.exp(np.concatenate([log_f, bots]))).astype(np.int64)
    return UserPool(handles, np.minimum(followers, 150_000_000), cdf, n_users)


# ---------------------------------------------------------------------------------------------
# Structure: who tweets what, when, in reply to or as a copy of what
# ---------------------------------------------------------------------------------------------
def tweet_counts(
    rng: np.random.Generator, papers: int, mean: float = MEAN_TWEETS, cap: int = MAX_TWEETS
) -> np.ndarray:
    """Tweets per paper: a capped, discretised lognormal whose total is ``round(mean * papers)``.

    The location is solved for by bisection on the drawn sample, so the total hits its target
    for every seed (with 10,000 papers the raw sample mean would wander by +-7%).

    Returns
    -------
    numpy.ndarray
        int64 counts, each in ``[1, cap]``.
    """
    z = rng.standard_normal(papers) * COUNT_SIGMA
    target = round(mean * papers)

    def counts(mu: float) -> np.ndarray:
        return np.clip(np.round(np.exp(mu + z)), 1, cap).astype(np.int64)

    lo, hi = -10.0, 20.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if counts(mid).sum() < target else (lo, mid)
    return counts(hi)


def _delay(rng: np.random.Generator, size: int, spec: tuple[float, float, float]) -> np.ndarray:
    """Heavy-tailed (lognormal) delays in whole seconds, at least 1 s and at most the cap."""
    median, sigma, cap = spec
    d = np.round(median * np.exp(sigma * rng.standard_normal(size)))
    return np.clip(d, 1, cap).astype(np.int64)


def _resample(
    rng: np.random.Generator, pool: UserPool, author: np.ndarray, bad: np.ndarray
) -> bool:
    """Redraw the authors at indices ``bad`` in place; whether there was anything to redraw."""
    if bad.size:
        author[bad] = pool.sample(rng, bad.size)
    return bool(bad.size)


def _duplicates(key: np.ndarray) -> np.ndarray:
    """Positions in ``key`` holding a value already seen at an earlier position."""
    _, first = np.unique(key, return_index=True)
    dup = np.ones(key.size, dtype=bool)
    dup[first] = False
    return np.flatnonzero(dup)


@dataclass
class Simulation:
    """All tweets of a set of papers as flat arrays, paper by paper (see :func:`simulate`).

    Within a paper the non-retweets (bot posts, originals, replies) come first, then retweets;
    ``off[p]:off[p + 1]`` are paper ``p``'s tweets.
    """

    off: np.ndarray  # int64 (papers + 1,)
    kind: np.ndarray  # int8 BOT / ORIGINAL / REPLY / RETWEET / CHAIN
    author: np.ndarray  # int64 user code
    parent: np.ndarray  # int64 global index of the tweet replied to or copied, -1 for roots
    root: np.ndarray  # int64 original a retweet copies (itself for non-retweets)
    time: np.ndarray  # int64 epoch seconds
    tweet_id: np.ndarray  # int64 snowflake id
    followers: np.ndarray  # int64 followers at tweet time
    follower_format: np.ndarray  # int8: 0 "1,234", 1 key missing, 2 "", 3 plain int
    t0: np.ndarray  # int64 publication time of each paper
    queried: np.ndarray  # int64 query time of each paper

    @property
    def n_papers(self) -> int:
        """Number of papers."""
        return len(self.off) - 1

    def cascade_sizes(self) -> np.ndarray:
        """Retweets (plain and chained) of every non-retweet, in global order."""
        rt = self.kind >= RETWEET
        sizes = np.bincount(self.root[rt], minlength=len(self.kind))
        return sizes[~rt]


def simulate(rng: np.random.Generator, pool: UserPool, counts: np.ndarray) -> Simulation:
    """Simulate the tweets of ``len(counts)`` papers, all papers at once (vectorised).

    Parameters
    ----------
    rng : numpy.random.Generator
    pool : UserPool
    counts : numpy.ndarray
        Tweets per paper (each >= 1).

    Returns
    -------
    Simulation
    """
    counts = np.asarray(counts, dtype=np.int64)
    n_papers = len(counts)
    off = np.zeros(n_papers + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    total = int(off[-1])
    paper = np.repeat(np.arange(n_papers), counts)
    local = np.arange(total) - off[paper]

    # Kinds. Layout per paper: bot posts, originals (some replies), then retweets.
    n_orig = 1 + rng.binomial(counts - 1, ORIGINAL_SHARE)
    n_bot = np.where(
        rng.random(n_papers) < BOT_PAPER_SHARE,
        np.minimum(n_orig, 1 + rng.geometric(0.35, n_papers)),
        0,
    )
    kind = np.full(total, RETWEET, dtype=np.int8)
    kind[local < n_orig[paper]] = ORIGINAL
    kind[local < n_bot[paper]] = BOT
    kind[(kind == ORIGINAL) & (local >= 1) & (rng.random(total) < REPLY_SHARE)] = REPLY
    parent = np.full(total, -1, dtype=np.int64)

    # A reply answers an earlier non-retweet of the paper; a reply's target is never a reply
    # (the paper's first tweet stands in) so that times can be set in two passes.
    reply = np.flatnonzero(kind == REPLY)
    target = off[paper[reply]] + (rng.random(reply.size) * local[reply]).astype(np.int64)
    target = np.where(kind[target] == REPLY, off[paper[reply]], target)
    parent[reply] = target

    # Authors of non-retweets: one bot per bot paper; distinct users otherwise.
    author = np.empty(total, dtype=np.int64)
    bot = np.flatnonzero(kind == BOT)
    author[bot] = pool.n_users + rng.integers(0, pool.n_bots, n_papers)[paper[bot]]
    human = np.flatnonzero((kind == ORIGINAL) | (kind == REPLY))
    author[human] = pool.sample(rng, human.size)
    for _ in range(100):
        key = paper[human] * len(pool.handles) + author[human]
        if not _resample(rng, pool, author, human[_duplicates(key)]):
            break

    # Which original each retweet copies: inverse-CDF sampling within the paper by a
    # heavy-tailed attractiveness, boosted by the author's followers.
    nonrt = np.flatnonzero(kind != RETWEET)
    weight = rng.pareto(CASCADE_SHAPE, nonrt.size) + 1e-3
    weight *= np.sqrt(pool.followers[author[nonrt]] / 300.0)
    weight[kind[nonrt] == REPLY] *= 0.1
    weight[kind[nonrt] == BOT] *= 0.3
    weight /= np.bincount(paper[nonrt], weights=weight, minlength=n_papers)[paper[nonrt]]
    cum = np.cumsum(weight)  # paper p's share of the cumulative sum spans (p, p + 1]
    first_nonrt = np.searchsorted(nonrt, off[:-1])
    last_nonrt = first_nonrt + n_orig - 1
    rt = np.flatnonzero(kind == RETWEET)
    pos = np.searchsorted(cum, paper[rt] + rng.random(rt.size), side="right")
    pos = np.clip(pos, first_nonrt[paper[rt]], last_nonrt[paper[rt]])
    root = np.arange(total)
    root[rt] = nonrt[pos]
    parent[rt] = root[rt]

    # Times: bots re-post daily from publication; originals follow publication, replies and
    # retweets follow their parent, all with heavy-tailed delays.
    t0 = rng.integers(PUB_START, PUB_END, n_papers)
    tm = np.empty(total, dtype=np.int64)
    tm[bot] = t0[paper[bot]] + local[bot] * DAY + rng.integers(0, 7200, bot.size)
    orig = np.flatnonzero(kind == ORIGINAL)
    tm[orig] = t0[paper[orig]] + _delay(rng, orig.size, DELAY_ORIGINAL)
    tm[reply] = tm[target] + _delay(rng, reply.size, DELAY_REPLY)
    tm[rt] = tm[root[rt]] + _delay(rng, rt.size, DELAY_RETWEET)

    # Manual chains "RT @b: RT @a: text": b is an earlier plain retweeter of the same original.
    order = rt[np.lexsort((tm[rt], root[rt]))]
    grp = root[order]
    start = np.flatnonzero(np.r_[True, grp[1:] != grp[:-1]])
    rank = np.arange(order.size) - np.repeat(start, np.diff(np.r_[start, order.size]))
    want = (rank >= 1) & (rng.random(order.size) < CHAIN_SHARE)
    via = np.arange(order.size) - rank + (rng.random(order.size) * rank).astype(np.int64)
    chain_pos = np.flatnonzero(want & ~want[via])  # the earlier retweet must be a plain one
    chain = order[chain_pos]
    kind[chain] = CHAIN
    parent[chain] = order[via[chain_pos]]
    tm[chain] = tm[parent[chain]] + _delay(rng, chain.size, DELAY_CHAIN)

    # Retweeters: never the author of what they copy, and nobody retweets the same original
    # twice (Twitter does not allow it).
    rt = np.flatnonzero(kind >= RETWEET)
    author[rt] = pool.sample(rng, rt.size)
    for _ in range(100):
        a = author[rt]
        clash = (a == author[root[rt]]) | (a == author[parent[rt]])
        dup = np.zeros(rt.size, dtype=bool)
        dup[_duplicates(root[rt] * len(pool.handles) + a)] = True
        if not _resample(rng, pool, author, rt[clash | dup]):
            break

    # Snowflake ids: milliseconds since the Twitter epoch above 22 random low bits, so ids
    # increase with time and are 19 digits long for tweets after mid-2018.
    ms = tm * 1000 + rng.integers(0, 1000, total) - TWITTER_EPOCH_MS
    tweet_id = (ms << 22) | rng.integers(0, 1 << 22, total)
    while (dup := _duplicates(tweet_id)).size:
        tweet_id[dup] = (ms[dup] << 22) | rng.integers(0, 1 << 22, dup.size)

    years = (tm - PUB_START) / YEAR
    followers = np.round(pool.followers[author] * (1 + FOLLOWER_GROWTH * years)).astype(np.int64)
    follower_format = rng.choice(4, total, p=[0.98, 0.005, 0.005, 0.01]).astype(np.int8)
    queried = QUERY_START + rng.integers(0, 5 * DAY, n_papers)
    return Simulation(
        off, kind, author, parent, root, tm, tweet_id, followers, follower_format, t0, queried
    )


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------
def _urls(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random t.co links."""
    chars = _URL_CHARS[rng.integers(0, len(_URL_CHARS), (n, 10))]
    return ["https://t.co/" + s for s in np.ascontiguousarray(chars).view("<U10").ravel().tolist()]


def _titles(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` paper titles from a few patterns."""
    pat = rng.integers(0, 6, n).tolist()
    a = rng.integers(0, len(_ADJ), (n, 2)).tolist()
    w = rng.integers(0, len(_NOUN), (n, 3)).tolist()
    t = rng.integers(0, len(_TOPIC), n).tolist()
    out = []
    for i in range(n):
        a1, a2 = _ADJ[a[i][0]], _ADJ[a[i][1]]
        n1, n2, n3 = (_NOUN[j] for j in w[i])
        out.append(
            (
                f"{a1} {n1} for {n2}",
                f"{n1} is not {n2}",
                f"On {_TOPIC[t[i]]} of {a1} {n1}",
                f"Towards {a1} {n1}: {a2} {n2} at Scale",
                f"{a1} {n1} Reveals {n2} in {n3}",
                f"A New Approach to {a1} {n1} and {a2} {n2} with Applications to {n3}",
            )[pat[i]]
        )
    return out


def _sentences(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` filler sentences that make some tweets long enough to be truncated."""
    w = rng.integers(0, len(_NOUN), (n, 2)).tolist()
    a = rng.integers(0, len(_ADJ), n).tolist()
    v = rng.integers(0, len(_VERB), n).tolist()
    return [
        f"We show that {_NOUN[w[i][0]].lower()} can be {_VERB[v[i]]} with "
        f"{_ADJ[a[i]].lower()} {_NOUN[w[i][1]].lower()}, improving on prior work by a wide margin."
        for i in range(n)
    ]


def _cut(text: str, limit: int) -> str:
    """Truncate like Twitter: at most ``limit`` characters, the last one an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def nonretweet_texts(
    rng: np.random.Generator, pool: UserPool, sim: Simulation
) -> tuple[list[str], list[str]]:
    """Texts of every non-retweet, in global order.

    Returns
    -------
    full : list of str
        The whole text, which retweets copy.
    summary : list of str
        What the export shows: the whole text, or for some long texts a truncated one.
    """
    n_papers = sim.n_papers
    titles = _titles(rng, n_papers)
    sentences = _sentences(rng, 512)
    nonrt = np.flatnonzero(sim.kind < RETWEET)
    n = nonrt.size
    paper = (np.searchsorted(sim.off, nonrt, side="right") - 1).tolist()
    kind = sim.kind[nonrt].tolist()
    urls = _urls(rng, n)
    paper_urls = _urls(rng, n_papers)  # a bot repeats its text, link included
    tpl = rng.choice(4, n, p=[0.3, 0.3, 0.25, 0.15]).tolist()
    comment = rng.integers(0, len(_COMMENTS), n).tolist()
    sentence = rng.integers(0, len(sentences), n).tolist()
    reply_text = rng.integers(0, len(_REPLY_TEXTS), n).tolist()
    tag = rng.integers(0, len(_HASHTAGS), n).tolist()
    mention = rng.random(n) < MENTION_SHARE
    mentioned = pool.sample(rng, 2 * n).reshape(n, 2).tolist()
    arxiv = rng.integers(0, 100_000, n_papers).tolist()
    cat = rng.integers(0, len(ARXIV_CATS), n_papers).tolist()
    month = np.datetime_as_string(sim.t0.astype("datetime64[s]"), unit="M").tolist()
    cut_at = rng.random(n).tolist()
    cut = (rng.random(n) < CUT_SHARE).tolist()
    targets = sim.author[sim.parent[nonrt]].tolist()
    handles = pool.handles

    full, summary = [], []
    for i in range(n):
        p, k = paper[i], kind[i]
        title, url = titles[p], urls[i]
        if k == BOT:
            arxiv_id = f"{month[p][2:4]}{month[p][5:7]}.{arxiv[p]:05d}v1"
            text = f"{title}. (arXiv:{arxiv_id} [{ARXIV_CATS[cat[p]]}]) {paper_urls[p]}"
        elif k == REPLY:
            text = f"@{handles[targets[i]]} {_REPLY_TEXTS[reply_text[i]]}"
            if tpl[i] == 0:
                text += f" {title} {url}"
        else:
            t = tpl[i]
            if t == 0:
                text = f"{title} {url}"
            elif t == 1:
                text = f"{_COMMENTS[comment[i]]} {title} {url}"
            elif t == 2:
                text = f"{title} {url} {sentences[sentence[i]]}"
            else:
                text = f"{_COMMENTS[comment[i]]} {sentences[sentence[i]]} {url} {_HASHTAGS[tag[i]]}"
            if mention[i]:
                m1, m2 = handles[mentioned[i][0]], handles[mentioned[i][1]]
                # Put the mention mid-text, before the link, as people do.
                by = f"by @{m1} et al." if t % 2 else f"(with @{m1} and @{m2})"
                text = text.replace(f" {url}", f" {by} {url}", 1)
        text = _cut(text, TWEET_LIMIT)  # a long template can overshoot what Twitter allows
        full.append(text)
        if cut[i] and len(text) > LONG_TEXT + 1 and k != BOT:
            summary.append(_cut(text, LONG_TEXT + int(cut_at[i] * (len(text) - LONG_TEXT))))
        else:
            summary.append(text)
    return full, summary


# ---------------------------------------------------------------------------------------------
# Papers and files
# ---------------------------------------------------------------------------------------------
def _dt(seconds: np.ndarray) -> list[str]:
    """Epoch seconds as ``YYYY-MM-DD HH:MM:SS`` strings."""
    iso = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    return [s.replace("T", " ") for s in iso.tolist()]


def paper_documents(
    rng: np.random.Generator,
    pool: UserPool,
    sim: Simulation,
    citation_ids: list[str],
) -> Iterator[dict[str, Any]]:
    """Yield each paper's export document (a dict), paper by paper.

    Tweets are listed in random order, as in real exports, so readers cannot rely on it.
    """
    full, summary = nonretweet_texts(rng, pool, sim)
    at_handles = ["@" + h for h in pool.handles]
    shuffle = rng.random(len(sim.kind))
    queried = _dt(sim.queried)
    nonrt_start = 0
    for p in range(sim.n_papers):
        a, b = int(sim.off[p]), int(sim.off[p + 1])
        kind = sim.kind[a:b].tolist()
        author = sim.author[a:b].tolist()
        parent = (sim.parent[a:b] - a).tolist()
        root = (sim.root[a:b] - a).tolist()
        ids = sim.tweet_id[a:b].astype(str).tolist()
        dts = _dt(sim.time[a:b])
        fol = sim.followers[a:b].tolist()
        fmt = sim.follower_format[a:b].tolist()
        n_nonrt = kind.count(BOT) + kind.count(ORIGINAL) + kind.count(REPLY)
        texts = full[nonrt_start : nonrt_start + n_nonrt]
        shown = summary[nonrt_start : nonrt_start + n_nonrt]
        nonrt_start += n_nonrt

        tweets: dict[str, dict[str, Any]] = {}
        for j in np.argsort(shuffle[a:b], kind="stable").tolist():
            k = kind[j]
            if k < RETWEET:
                text = shown[j]
            else:
                r = root[j]
                text = f"RT {at_handles[author[r]]}: {texts[r]}"
                if k == CHAIN:
                    text = f"RT {at_handles[author[parent[j]]]}: {text}"
                text = _cut(text, RT_LIMIT)
            rec: dict[str, Any] = {"author": at_handles[author[j]]}
            f = fmt[j]
            if f == 0:
                rec["followers"] = f"{fol[j]:,}"
            elif f == 2:
                rec["followers"] = ""
            elif f == 3:
                rec["followers"] = fol[j]
            rec["datetime"] = dts[j]
            rec["content_summary"] = text
            tweets[ids[j]] = rec
        yield {
            "citation_id": citation_ids[p],
            "tab": "twitter",
            "twitter": tweets,
            "completed": "1",
            "queriedAt": queried[p],
        }


def _dumps(doc: dict) -> bytes:
    if orjson is not None:
        return orjson.dumps(doc)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _citation_ids(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` unique 7-8 digit numeric ids, in random order."""
    ids = 1_000_000 + np.cumsum(rng.integers(1, 10_000, n))
    return rng.permutation(ids).astype(str).tolist()


def generate_paper(
    rng: np.random.Generator,
    citation_id: str,
    n_tweets: int,
    pool: UserPool | None = None,
) -> dict:
    """One paper's export document.

    Parameters
    ----------
    rng : numpy.random.Generator
    citation_id : str
    n_tweets : int
        Number of tweets (>= 1).
    pool : UserPool, optional
        Users to draw from; a fresh pool of 200,000 users when omitted.

    Returns
    -------
    dict
        ``{"citation_id", "tab", "twitter", "completed", "queriedAt"}`` as in a real export.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> doc = generate_paper(rng, "123", 50, make_user_pool(rng, 1000))
    >>> len(doc["twitter"]), doc["citation_id"]
    (50, '123')
    """
    if pool is None:
        pool = make_user_pool(rng)
    sim = simulate(rng, pool, np.array([n_tweets]))
    return next(paper_documents(rng, pool, sim, [str(citation_id)]))


def generate_corpus(
    out_dir: str | os.PathLike,
    papers: int = 10_000,
    seed: int = 0,
    jsonl: bool = False,
    gzip: bool = False,
    *,
    mean_tweets: float = MEAN_TWEETS,
    n_users: int = N_USERS,
) -> dict[str, Any]:
    """Write a synthetic corpus and return its totals.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Created if needed. Receives ``paper_00000.json`` ... (one paper per file), or
        ``corpus.jsonl`` with ``jsonl=True``; ``.gz`` is appended with ``gzip=True``.
    papers : int
        Number of papers.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives byte-identical files.
    jsonl : bool
        Write one JSON Lines file instead of one file per paper.
    gzip : bool
        Gzip the output (with a zero timestamp, so it stays reproducible).
    mean_tweets : float
        Mean tweets per paper; the total is ``round(mean_tweets * papers)``.
    n_users : int
        Size of the shared user pool.

    Returns
    -------
    dict
        ``papers``, ``tweets``, ``retweets`` (plain plus chained), ``files``, ``bytes``
        (written, after compression), and for checking realism ``originals``, ``replies``,
        ``bot_posts``, ``chains``, ``max_tweets``, ``cascade_sizes`` (quantiles of retweets per
        non-retweet), ``users`` (distinct authors), ``seconds``.
    """
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    pool = make_user_pool(rng, n_users)
    counts = tweet_counts(rng, papers, mean_tweets)
    sim = simulate(rng, pool, counts)
    citation_ids = _citation_ids(rng, papers)
    docs = paper_documents(rng, pool, sim, citation_ids)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gzip else ""
    written = files = 0
    if jsonl:
        path = out / f"corpus.jsonl{suffix}"
        with open(path, "wb") as raw:
            f = gzip_module.GzipFile("", "wb", 6, raw, mtime=0) if gzip else raw
            with f:
                for doc in docs:
                    f.write(_dumps(doc) + b"\n")
        written, files = path.stat().st_size, 1
    else:
        width = max(5, len(str(papers - 1)))
        for p, doc in enumerate(docs):
            data = _dumps(doc)
            if gzip:
                data = gzip_module.compress(data, compresslevel=6, mtime=0)
            (out / f"paper_{p:0{width}d}.json{suffix}").write_bytes(data)
            written += len(data)
            files += 1

    sizes = sim.cascade_sizes()
    kind_counts = np.bincount(sim.kind, minlength=5)
    qs = (0.5, 0.9, 0.99, 0.999)
    return {
        "papers": papers,
        "tweets": len(sim.kind),
        "retweets": int(kind_counts[RETWEET] + kind_counts[CHAIN]),
        "files": files,
        "bytes": written,
        "originals": int(kind_counts[ORIGINAL]),
        "replies": int(kind_counts[REPLY]),
        "bot_posts": int(kind_counts[BOT]),
        "chains": int(kind_counts[CHAIN]),
        "max_tweets": int(counts.max()),
        "users": int(np.unique(sim.author).size),
        "cascade_sizes": {
            **{f"q{q * 100:g}": float(np.quantile(sizes, q)) for q in qs},
            "max": int(sizes.max()),
            "mean": float(sizes.mean()),
            "share_0_2": float(np.mean(sizes <= 2)),
            "over_100": int(np.sum(sizes > 100)),
        },
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints the totals as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", help="output directory (created if needed)")
    parser.add_argument("--papers", type=int, default=10_000, help="number of papers")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--jsonl", action="store_true", help="write one corpus.jsonl")
    parser.add_argument("--gzip", action="store_true", help="gzip the output")
    parser.add_argument("--mean-tweets", type=float, default=MEAN_TWEETS)
    parser.add_argument("--users", type=int, default=N_USERS, help="size of the user pool")
    args = parser.parse_args(argv)
    totals = generate_corpus(
        args.out_dir,
        args.papers,
        args.seed,
        args.jsonl,
        args.gzip,
        mean_tweets=args.mean_tweets,
        n_users=args.users,
    )
    print(json.dumps(totals, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
