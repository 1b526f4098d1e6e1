"""Check retweet resolution against Altmetric's own retweet hints (the API's ``rt`` lists).

An Altmetric API response stores a native retweet with the original's text and no ``RT @``
prefix, and lists in ``rt`` the handles it credits, nearest first. Two measurements:

* **Blind.** Every ``rt`` field is removed (the files are then what a text-only export holds),
  the files are read and resolved with cascade's defaults, and each tweet's resolved parent is
  compared with the hints. Definitions, over the tweets that have a text (not only white space):

  - a *hinted tweet* has a non-empty ``rt`` list: the handles Altmetric credits as its retweet
    sources, nearest first;
  - cascade *credits* a tweet when it gives it a parent and the kind ``retweet``; the credited
    handle is the parent's author (a placeholder's author counts: the credit names the handle);
  - *found* = a hinted tweet credited to one of its hinted handles (case-insensitively), the
    measure of the issue's figures: before the ``same_text`` work cascade credited 31 of the 225
    hinted tweets with a text, and "finds 31 of 225" counts among them the 5 native retweets of
    calestous's manual ``RT @Max_Fisher: ...`` (hinted ``[calestous, max_fisher]``), which the
    text credits to Max_Fisher. The text cannot show that hop; with the hints present it is
    kept (the multi-handle line below);
  - **recall** = found / hinted tweets; **precision** = found / hinted tweets credited to
    anyone. Tweets Altmetric does not hint that cascade credits (manual ``RT @`` copies, for
    instance, which Altmetric may not hint) are counted on a line of their own, and a stricter
    precision counts them as wrong;
  - *source* = credited to the first hinted handle, the nearest hop (stricter: the hop through
    calestous above is then a miss);
  - *root agreement* = the root author of the tweet's cascade is the last hinted handle (it
    also counts the ancestors' credits: the retweets of a ``comment MT @a`` tweet, whose credit
    of ``a`` Altmetric does not follow, are then misses).

  Per rule: the same counts grouped by the ``resolution`` of the edge into the tweet.
* **With hints.** The files as they are: the share of multi-handle posts whose every hinted
  handle is the author of one of the tweet's ancestors (hints kept whole).

    python benchmarks/validate_altmetric.py [DIR] [--no-same-text]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

import cascade

# ../shared/data/altmetric-api beside the repository (or beside a folder holding it).
DEFAULT = next(
    (
        d / "shared" / "data" / "altmetric-api"
        for d in Path(__file__).resolve().parents[1:4]
        if (d / "shared" / "data" / "altmetric-api").is_dir()
    ),
    Path("../shared/data/altmetric-api"),
)


def _posts(doc: dict) -> list[dict]:
    posts = doc.get("posts") if isinstance(doc.get("posts"), dict) else {}
    tweets = posts.get("twitter", [])
    return [t for t in tweets if isinstance(t, dict)] if isinstance(tweets, list) else []


def _hints(files: list[Path]) -> dict[tuple[str, str], list[str]]:
    """(paper id, tweet id) -> hinted handles, lower case, nearest first."""
    out = {}
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        for t in _posts(doc):
            rt = t.get("rt")
            if isinstance(rt, str):
                rt = [rt]
            if rt:
                key = (str(doc.get("altmetric_id")), str(t.get("tweet_id")))
                out[key] = [h.strip().lstrip("@").lower() for h in rt]
    return out


def _ancestors(paper, i: int) -> list[str]:
    """Authors of tweet i's ancestors, nearest first, lower case."""
    out, j = [], int(paper.parent[i])
    while j >= 0:
        out.append(paper.author[j].lower())
        j = int(paper.parent[j])
    return out


def blind(files: list[Path], *, same_text: bool = True) -> dict:
    """Resolve the files without their ``rt`` fields; count agreement with the hints."""
    hints = _hints(files)
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            doc = json.loads(path.read_text(encoding="utf-8"))
            for t in _posts(doc):
                t.pop("rt", None)
            (Path(tmp) / path.name).write_text(json.dumps(doc), encoding="utf-8")
        papers = list(_read(tmp, same_text))
    total = Counter()
    rules: dict[str, Counter] = {}
    for paper in papers:
        for i in range(len(paper)):
            if paper.placeholder[i] or not paper.text[i].strip():
                continue
            hint = hints.get((paper.citation_id, paper.id[i]))
            credited = paper.kind[i] == "retweet" and paper.parent[i] >= 0
            handle = paper.author[paper.parent[i]].lower() if credited else None
            rule = rules.setdefault(paper.resolution[i] if credited else "(none)", Counter())
            for c in (total, rule):
                if hint:
                    c["hinted"] += 1
                    c["credited"] += credited
                    c["found"] += handle in hint
                    c["source"] += handle == hint[0]
                    c["root"] += credited and _ancestors(paper, i)[-1] == hint[-1]
                else:
                    c["unhinted credited"] += credited
        _defects(paper, total)
    return {"files": len(files), "papers": len(papers), "total": total, "rules": rules}


def with_hints(files: list[Path], *, same_text: bool = True) -> dict:
    """Multi-handle hints: posts whose every hinted handle is an ancestor's author."""
    hints = _hints(files)
    out = Counter()
    for paper in _read([str(f) for f in files], same_text):
        for i in range(len(paper)):
            hint = hints.get((paper.citation_id, paper.id[i]))
            if paper.placeholder[i] or not hint:
                continue
            ancestors = _ancestors(paper, i)
            out["hinted"] += 1
            out["found"] += bool(ancestors) and ancestors[0] == hint[0]
            if len(hint) > 1:
                out["multi"] += 1
                out["whole"] += set(hint) <= set(ancestors)
        _defects(paper, out)
    return out


def _read(paths, same_text: bool):
    """The papers of ``paths`` (the keyword only when it is not the default)."""
    return cascade.read(paths, **({} if same_text else {"same_text": False}))


def _defects(paper, out: Counter) -> None:
    """Count self-hops (an inferred tweet by x placed under a tweet by x) and placeholders by a
    share-button account."""
    from cascade.text import SHARE_BUTTONS

    child = np.flatnonzero((paper.parent >= 0) & paper.placeholder)
    keys = np.char.lower(paper.author.astype(str))
    out["self hops"] += int((keys[child] == keys[paper.parent[child]]).sum())
    out["share-button sources"] += sum(k in SHARE_BUTTONS for k in keys[paper.placeholder].tolist())


def _share(a: int, b: int) -> str:
    return f"{a / b:6.1%}" if b else "     -"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", default=str(DEFAULT))
    parser.add_argument("--no-same-text", action="store_true", help="turn the same_text rule off")
    args = parser.parse_args(argv)
    files = sorted(p for p in Path(args.dir).glob("*.json") if p.stem.isdigit())
    if not files:
        print(f"no API responses (NNN.json) in {args.dir}", file=sys.stderr)
        return 1
    same = not args.no_same_text
    result = blind(files, same_text=same)
    t = result["total"]
    print(
        "Definitions (tweets with a text): found = cascade credits the tweet (kind retweet) to "
        "a hinted handle;\nrecall = found / hinted; precision = found / hinted tweets cascade "
        "credits; source = credited to the\nfirst (nearest) hinted handle; strict precision "
        "also counts credited tweets Altmetric does not hint\nas wrong; root = the cascade's "
        "root author is the last hinted handle.\n"
    )
    print(f"Blind ({result['files']} files, {result['papers']} papers, rt removed):")
    header = f"{'resolution':<14}{'hinted':>7}{'credited':>9}{'found':>7}{'recall':>8}"
    print(header + f"{'precision':>10}{'source':>7}{'recall':>8}{'precision':>10}{'unhinted':>9}")
    rows = sorted(result["rules"].items(), key=lambda kv: -kv[1]["hinted"])
    for name, c in [*rows, ("total", t)]:
        print(
            f"{name:<14}{c['hinted']:>7}{c['credited']:>9}{c['found']:>7}"
            f"{_share(c['found'], t['hinted']):>8}{_share(c['found'], c['credited']):>10}"
            f"{c['source']:>7}{_share(c['source'], t['hinted']):>8}"
            f"{_share(c['source'], c['credited']):>10}{c['unhinted credited']:>9}"
        )
    strict = t["credited"] + t["unhinted credited"]
    print(
        f"strict precision {_share(t['found'], strict).strip()} ({t['found']} of {strict}); "
        f"root agreement {t['root']} of {t['hinted']} ({_share(t['root'], t['hinted']).strip()}), "
        f"precision {_share(t['root'], t['credited']).strip()}"
    )
    h = with_hints(files, same_text=same)
    print(
        f"\nWith hints: {h['found']} of {h['hinted']} hinted tweets credited to the first hint "
        f"({_share(h['found'], h['hinted']).strip()}); multi-handle posts kept whole: "
        f"{h['whole']} of {h['multi']}"
    )
    for name, c in (("blind", t), ("with hints", h)):
        print(
            f"{name}: self-hops {c['self hops']}, "
            f"placeholders by share-button accounts {c['share-button sources']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
