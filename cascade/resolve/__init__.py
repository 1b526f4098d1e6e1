"""Credited resolution: who each tweet came from, as the data credits it.

Turns a reader's :class:`~cascade.io.records.PaperRecords` into a :class:`~cascade.model.Paper`
whose ``parent`` array links every retweet, quote and reply to the tweet it came from. The edge
into each tweet records the rule that found it (``resolution``).

Rules, per tweet in time order (the first that applies):

* an exact parent id from the source (Twitter API ``retweeted_status``, ``referenced_tweets``, a
  CSV ``parent_id``) wins (``exact``);
* a retweet ``RT @a: text`` (also ``MT``, ``RT@a``, no colon, any case, ``... via @a``): among a's
  tweets at or before it, the latest whose text matches (white space folded, compared up to a
  truncation ``…``) is the parent (``text``; ``no_text`` when the tweet has no text, as nothing
  was compared); else a's latest earlier tweet (``author_time``, low confidence); else a
  placeholder "unseen original" by a, one per author and text (``placeholder``). A trailing
  ``via @x`` naming a share button (``cascade.text.SHARE_BUTTONS``) credits nobody, and
  ``RT @x: ... via @x`` is one hop;
* a manual chain ``RT @a: RT @b: text``: this tweet came from a's tweet, which came from b's; a hop
  absent from the data becomes a placeholder retweet by a (the edge into the tweet is ``chain``);
* the source's retweet hints (Altmetric's ``rt``, nearest first) credit a tweet whose text
  credits nobody, and supply the intermediate hops of a text that agrees with them on the root;
  every hinted handle is a hop, a placeholder where it is absent;
* ``same_text``, for sources that store a native retweet with the original's text (the Altmetric
  API: ``PaperRecords.same_text``; never where the source gives exact parents): a tweet whose
  normalised text equals an earlier tweet's by another user is a retweet of the earliest such
  tweet, taken to be the text's author's. A text whose earliest copy @-mentions its own poster
  was written to that poster by someone else, and is credited to nobody
  (:func:`~cascade.resolve.rules.addressed_to_poster`). The rule cannot tell a retweet from two
  users posting the same words (two bots posting one title, a share button's fixed text), nor,
  when the original is absent, the original's author from its earliest retweeter;
* a credit after a comment: ``comment RT @a: quoted`` or ``MT`` (``mid_text``), ``HT @a``
  (``hat_tip``), ``(via @a)``, ``/via @a`` or ``via @a,`` inside the text (``via``): a's tweet,
  found as for a retweet, but the edge is named by the rule;
* a reply ``@h ...``: the latest earlier tweet by h in the paper (``author_time``), else a root;
* anything else is an original: a cascade root.

No retweet is dropped.

The package: :mod:`~cascade.resolve.rules` (the rules tweet by tweet: the oracle),
:mod:`~cascade.resolve.credits` (who each text credits, for a batch, in RE2),
:mod:`~cascade.resolve.matching` (text comparisons for a batch) and
:mod:`~cascade.resolve.batch` (the batched path). ``docs/design.md`` explains how the batch is
resolved; the tests check that both paths give the same papers.
"""

from __future__ import annotations

from collections.abc import Sequence

from cascade.io.records import PaperRecords
from cascade.model import Paper
from cascade.resolve.batch import resolve_credited
from cascade.resolve.rules import Forest, resolve_sequential

__all__ = ["resolve", "resolve_many"]

SMALL = 1000  # fewer tweets than this are resolved one by one

# The single module's private names, for code that imported them from it.
_resolve_sequential = resolve_sequential
_resolve_credited = resolve_credited
_Forest = Forest
_SMALL = SMALL


def resolve(records: PaperRecords) -> Paper:
    """Resolve one paper's records into a diffusion forest.

    Parameters
    ----------
    records : PaperRecords
        What a reader produced for one paper.

    Returns
    -------
    Paper
        Tweets and placeholders in topological order with their ``parent`` array. Edges run
        from parent to child: the direction information flowed.

    Examples
    --------
    >>> from cascade.io.records import PaperRecords
    >>> r = PaperRecords("p1", "example")
    >>> r.add("1", "@Ann", 0, 10.0, "A paper")
    True
    >>> r.add("2", "@bob", 60, 5.0, "RT @ann: A paper")
    True
    >>> p = resolve(r)
    >>> p.parent.tolist(), p.resolution.tolist()
    ([-1, 0], ['', 'text'])
    """
    return resolve_many([records])[0]


def resolve_many(batch: Sequence[PaperRecords]) -> list[Paper]:
    """Resolve many papers at once: the same papers as :func:`resolve` on each, faster.

    Papers whose tweets are linked by text alone (Altmetric exports, CSV without parent ids) are
    resolved together with array operations; only the tweets whose parent depends on inferred
    tweets (chains with absent hops, unseen originals) go through the rules one by one. Papers
    with exact parent ids from the source, and batches of fewer than 1,000 tweets, are resolved
    paper by paper. See ``docs/design.md``.

    Parameters
    ----------
    batch : sequence of PaperRecords

    Returns
    -------
    list of Paper
        In the order of ``batch``.

    Examples
    --------
    >>> from cascade.io.records import PaperRecords
    >>> a, b = PaperRecords("p1", "x"), PaperRecords("p2", "x")
    >>> a.add("1", "@ann", 0, text="A paper"), a.add("2", "@bob", 60, text="RT @ann: A paper")
    (True, True)
    >>> b.add("3", "@cy", 0, text="RT @dee: Another")
    True
    >>> [(p.citation_id, p.parent.tolist(), p.n_placeholders) for p in resolve_many([a, b])]
    [('p1', [-1, 0], 0), ('p2', [-1, 0], 1)]
    """
    by_text = [
        j
        for j, r in enumerate(batch)
        if not r.placeholders and r.ref_id.count(None) == len(r.ref_id)
    ]
    if sum(len(batch[j]) for j in by_text) < SMALL:  # array set-up would cost more
        by_text = []
    together = dict(zip(by_text, resolve_credited([batch[j] for j in by_text])))
    return [together[j] if j in together else resolve_sequential(r) for j, r in enumerate(batch)]
