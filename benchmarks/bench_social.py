"""Reading a Jetstream capture against reading as many Altmetric details-page tweets, one run.

Target (issue 16): reading a 1,000,000-event Jetstream capture costs at most 1.5x reading the
same number of Altmetric details-page tweets.

Both inputs are one JSON Lines file of ``--events`` records, made here with fixed seeds:

* Altmetric: ``generate.generate_corpus(jsonl=True)``, one details-page document per paper
  (100 tweets per paper on average), read with its citation ids;
* Jetstream: events as the service emits them (``kind: commit`` with ``app.bsky.feed.post``,
  ``repost`` and ``like`` records, ``identity`` events, deletes) in the mix of a capture with
  ``wantedCollections`` post, repost and like: 50% likes, 25% posts (half link one of the
  papers' DOIs, in the text and a link facet; a fifth reply to an earlier post), 20% reposts
  (half with a ``via`` to an earlier repost), 4% identity events, 1% deletes; read with
  ``--paper-id from-text`` (and, to show what the DOI search costs, with one paper id).

Stages, each in a fresh process pinned to one core, ``--repeat`` times interleaved, fastest
run counted (wall and CPU time of the read alone, after the imports): ``records`` (read and
count, :meth:`cascade.io.Corpus.records`) and ``papers`` (read and resolve, iterating the
corpus).

    python benchmarks/bench_social.py [--events 200000] [--repeat 3] [--dir /tmp/...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import orjson

HERE = Path(__file__).resolve().parent

_RUNNER = """
import json, os, resource, time
os.sched_setaffinity(0, {{0}})
import cascade, cascade.io, cascade.resolve  # imported before the clock starts
PATH, PAPER_ID, STAGE = {path!r}, {paper_id!r}, {stage!r}
t0 = time.perf_counter()
c0 = time.process_time()
corpus = cascade.read(PATH, paper_id=PAPER_ID)
if STAGE == "records":
    n = sum(len(r) for r in corpus.records())
else:
    n = sum(len(p) for p in corpus)
wall = time.perf_counter() - t0
cpu = time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
log = corpus.log.summary()
print(json.dumps({{"wall": wall, "cpu": cpu, "peak_mb": peak, "rows": n, "log": log}}))
"""


def jetstream_capture(path: Path, events: int, seed: int = 0, papers: int = 2000) -> dict:
    """Write ``events`` Jetstream events as JSON Lines; return the counts by kind."""
    rng = np.random.default_rng(seed)
    n_users = max(1000, events // 20)
    dids = [f"did:plc:{n:024x}" for n in rng.permutation(n_users * 7)[:n_users].tolist()]
    dois = [f"10.{1000 + i % 9000}/bench.{i}" for i in range(papers)]
    kind = rng.choice(5, size=events, p=[0.50, 0.25, 0.20, 0.04, 0.01]).tolist()
    author = rng.integers(0, n_users, events).tolist()
    coin = rng.random((events, 3)).tolist()
    t0 = 1_733_140_800_000_000
    posts: list[str] = []
    reposts: dict[str, list[str]] = {}  # post -> its reposts
    counts = dict.fromkeys(("like", "post", "repost", "identity", "delete"), 0)
    cid = "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"
    with open(path, "wb") as f:
        for i in range(events):
            did, k, (a, b, c) = dids[author[i]], kind[i], coin[i]
            us = t0 + i * 20_000
            created = np.datetime_as_string(np.datetime64(us, "us"), unit="ms") + "Z"
            rkey = f"3l{i:011d}"
            if k == 3:
                event = {
                    "did": did, "time_us": us, "kind": "identity",
                    "identity": {"did": did, "handle": f"u{author[i]}.bsky.social", "seq": i,
                                 "time": created},
                }  # fmt: skip
                counts["identity"] += 1
            else:
                if k == 4 and posts:
                    target = posts[int(a * len(posts))]
                    _, _, tdid, coll, trkey = target.split("/")
                    commit = {"rev": rkey, "operation": "delete", "collection": coll,
                              "rkey": trkey}  # fmt: skip
                    did = tdid
                    counts["delete"] += 1
                elif k == 1 or (k in (0, 2, 4) and not posts):
                    record: dict = {"$type": "app.bsky.feed.post", "createdAt": created,
                                    "langs": ["en"]}  # fmt: skip
                    if b < 0.5:
                        doi = dois[int(c * papers)]
                        text = f"New paper: doi.org/{doi}"
                        end = len(text.encode())
                        record["text"] = text
                        record["facets"] = [{
                            "index": {"byteStart": 11, "byteEnd": end},
                            "features": [{"$type": "app.bsky.richtext.facet#link",
                                          "uri": f"https://doi.org/{doi}"}],
                        }]  # fmt: skip
                    else:
                        record["text"] = "Interesting thread about this"
                    if a < 0.2 and posts:
                        parent = {"uri": posts[int(c * len(posts))], "cid": cid}
                        record["reply"] = {"root": parent, "parent": parent}
                    uri = f"at://{did}/app.bsky.feed.post/{rkey}"
                    posts.append(uri)
                    commit = {
                        "rev": rkey,
                        "operation": "create",
                        "collection": "app.bsky.feed.post",
                        "rkey": rkey,
                        "record": record,
                        "cid": cid,
                    }
                    counts["post"] += 1
                else:
                    coll = "app.bsky.feed.like" if k == 0 else "app.bsky.feed.repost"
                    # Popular posts get most reposts: the subject is drawn towards recent posts.
                    subject = posts[int((1 - a * a) * (len(posts) - 1))]
                    record = {"$type": coll, "createdAt": created,
                              "subject": {"uri": subject, "cid": cid}}  # fmt: skip
                    seen = reposts.get(subject)
                    if b < 0.5 and seen:  # seen through an earlier repost of the same post
                        record["via"] = {"uri": seen[int(c * len(seen))], "cid": cid}
                    if k == 2:
                        reposts.setdefault(subject, []).append(f"at://{did}/{coll}/{rkey}")
                    commit = {"rev": rkey, "operation": "create", "collection": coll,
                              "rkey": rkey, "record": record, "cid": cid}  # fmt: skip
                    counts["like" if k == 0 else "repost"] += 1
                event = {"did": did, "time_us": us, "kind": "commit", "commit": commit}
            f.write(orjson.dumps(event) + b"\n")
    return counts


def run_stage(path: str, paper_id: str | None, stage: str) -> dict:
    code = _RUNNER.format(path=path, paper_id=paper_id, stage=stage)
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default="/tmp/cascade-bench-social")
    args = parser.parse_args(argv)
    out = Path(args.dir) / str(args.events)
    out.mkdir(parents=True, exist_ok=True)
    jet = out / "jetstream.jsonl"
    alt = out / "altmetric"
    if not jet.exists():
        print(json.dumps(jetstream_capture(jet, args.events)), file=sys.stderr)
    if not (alt / "corpus.jsonl").exists():
        sys.path.insert(0, str(HERE))
        from generate import generate_corpus

        made = generate_corpus(alt, papers=max(1, round(args.events / 100)), seed=0, jsonl=True)
        print(json.dumps({k: made[k] for k in ("papers", "tweets", "bytes")}), file=sys.stderr)
    inputs = {
        "altmetric": (str(alt / "corpus.jsonl"), None),
        "jetstream": (str(jet), "from-text"),
        "jetstream, one paper": (str(jet), "capture"),  # no DOI search: what the rest costs
    }
    best: dict[tuple[str, str], dict] = {}
    for _ in range(args.repeat):
        for stage in ("records", "papers"):
            for name, (path, paper_id) in inputs.items():
                result = run_stage(path, paper_id, stage)
                key = (name, stage)
                if key not in best or result["wall"] < best[key]["wall"]:
                    best[key] = result
                print(f"{name} {stage}: {result['wall']:.2f} s", file=sys.stderr)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"records: {args.events:,} per input\n")
    print("| stage | Altmetric (s) | Jetstream (s) | ratio | CPU ratio | peak MB (A / J) |")
    print("|---|---|---|---|---|---|")
    for name in ("jetstream", "jetstream, one paper"):
        for stage in ("records", "papers"):
            a, j = best[("altmetric", stage)], best[(name, stage)]
            print(
                f"| {stage} ({name}) | {a['wall']:.2f} | {j['wall']:.2f} | "
                f"{j['wall'] / a['wall']:.2f}x | {j['cpu'] / a['cpu']:.2f}x | "
                f"{a['peak_mb']:.0f} / {j['peak_mb']:.0f} |"
            )
    print(f"\nAltmetric: {best[('altmetric', 'papers')]['log']}")
    print(f"Jetstream: {best[('jetstream', 'papers')]['log']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
