"""The Bluesky reader after the speed work (issue 16) reads every capture as it read before.

Oracle: the reader of the commit before that work, kept whole in ``tests/oracle_bluesky.py``
(registered for the test in place of ``cascade.io.bluesky``). Hypothesis writes Jetstream
captures (JSON Lines) mixing posts (texts with DOIs, mentions and non-ASCII, link facets,
external, record and recordWithMedia embeds, replies), reposts with and without ``via``
(to earlier reposts, absent ones, non-reposts), likes, deletes and updates of earlier records
or of absent ones, identity events (handles, ``handle.invalid``), account events, v2 frames,
records of the wrong type, invalid JSON and invalid UTF-8 lines, blank lines; and AppView
views. Both readers must give the same records, placeholders, skip counts and reasons, bad
line messages and log, paper by paper, with papers from the text, from the file's name and
from one id.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import oracle_bluesky
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cascade
from cascade.io import JSON_FORMATS

DATA = Path(__file__).resolve().parent / "data" / "social"
POST, REPOST, LIKE = "app.bsky.feed.post", "app.bsky.feed.repost", "app.bsky.feed.like"
DIDS = ["did:plc:aaa", "did:plc:bbb", "did:plc:ccc", "did:web:d.example"]
RKEYS = ["3k1", "3k2", "3k3", "3k4", "3k5"]
TEXTS = st.one_of(
    st.sampled_from([
        "New: doi.org/10.1234/abc", "see https://doi.org/10.5555/XYZ.1)", "@bob agreed",
        "@bob.bsky.social RT @ann: 10.1234/abc", "caf\u00e9 \U0001f9ea 10.1234/abc\u2026",
        "https://example.org/paper", "", "10.1234/abc and 10.5555/xyz.1",
    ]),
    st.text(st.sampled_from(list("10./ab@ \u00e9\U0001f600\n")), max_size=12),
    st.integers(0, 3),  # not a string
)  # fmt: skip


def uri(did, collection, rkey):
    return f"at://{did}/{collection}/{rkey}"


def ref(draw, collection):
    return {"uri": uri(draw(st.sampled_from(DIDS)), collection, draw(st.sampled_from(RKEYS))),
            "cid": "bafy"}  # fmt: skip


@st.composite
def post_record(draw):
    record: dict = {"$type": POST, "text": draw(TEXTS)}
    if draw(st.booleans()):
        record["createdAt"] = draw(
            st.sampled_from(["2024-12-01T10:00:00.000Z", "2024-12-01T10:00:01Z", "bad", 5])
        )
    if draw(st.booleans()):
        doi = draw(st.sampled_from(["10.1234/abc", "10.7777/q"]))
        record["facets"] = [
            {
                "index": {"byteStart": 0, "byteEnd": 3},
                "features": [
                    {"$type": "app.bsky.richtext.facet#link", "uri": f"https://doi.org/{doi}"}
                ],
            }
        ]
    embed = draw(st.sampled_from(["", "record", "media", "external", "bad"]))
    if embed == "record":
        record["embed"] = {"$type": "app.bsky.embed.record", "record": ref(draw, POST)}
    elif embed == "media":
        record["embed"] = {
            "$type": "app.bsky.embed.recordWithMedia",
            "record": {"record": ref(draw, POST)},
            "media": {"external": {"uri": "https://doi.org/10.7777/q"}},
        }
    elif embed == "external":
        record["embed"] = {"external": {"uri": "https://doi.org/10.5555/xyz.1"}}
    elif embed == "bad":
        record["embed"] = [1]
    if draw(st.booleans()):
        parent = ref(draw, draw(st.sampled_from([POST, POST, LIKE])))
        record["reply"] = {"root": parent, "parent": parent}
    return record  # fmt: skip


@st.composite
def event(draw, i):
    did = draw(st.sampled_from([*DIDS, "", 7]))
    us = 1_733_140_800_000_000 + i * 1_000_000
    kind = draw(st.sampled_from(["post", "post", "repost", "repost", "like", "delete",
                                 "identity", "account", "odd", "bad", "v2"]))  # fmt: skip
    if kind == "bad":
        return draw(st.sampled_from([b"{bad", b'{"a": "\xff"}', b"", b"   ", b"[1,", b"null"]))
    if kind == "identity":
        handle = draw(st.sampled_from(["ann.bsky.social", "handle.invalid", "", None]))
        return {"did": did, "time_us": us, "kind": "identity",
                "identity": {"did": did, "handle": handle, "seq": i}}  # fmt: skip
    if kind in ("account", "odd"):
        return {"did": did, "time_us": us, "kind": "account" if kind == "account" else i}
    rkey = draw(st.sampled_from([*RKEYS, None]))
    commit: dict = {"rev": "r", "operation": "create", "rkey": rkey, "cid": "bafy"}
    if kind == "delete":
        commit |= {"operation": "delete", "collection": draw(st.sampled_from([POST, REPOST]))}
    elif kind == "like":
        commit |= {"collection": LIKE, "record": {"$type": LIKE, "subject": ref(draw, POST)}}
    elif kind == "repost":
        record: dict = {
            "$type": REPOST,
            "createdAt": "2024-12-01T11:00:00.000Z",
            "subject": ref(draw, draw(st.sampled_from([POST, POST, LIKE]))),
        }
        if draw(st.booleans()):
            record["via"] = ref(draw, draw(st.sampled_from([REPOST, REPOST, POST])))
        commit |= {"collection": REPOST, "record": record}  # fmt: skip
    else:
        commit |= {"collection": POST, "record": draw(post_record())}
    if kind in ("post", "repost"):
        commit["operation"] = draw(st.sampled_from(["create", "create", "update", "weird"]))
        if draw(st.integers(0, 9)) == 0:
            commit["record"] = "not a record"
    if kind == "v2":
        commit |= {"collection": POST, "record": draw(post_record())}
        return {
            "$type": "message",
            "payload": {
                "$type": "network.bsky.jetstream.subscribeEvents#commit",
                "did": did,
                "time": "2024-12-01T12:00:00Z",
                **commit,
            },
        }
    return {"did": did, "time_us": us, "kind": "commit", "commit": commit}  # fmt: skip


@st.composite
def capture(draw):
    n = draw(st.integers(1, 40))
    lines = [b'{"did": "did:plc:aaa", "time_us": 1, "kind": "identity", "identity": {}}']
    for i in range(n):
        e = draw(event(i))
        lines.append(e if isinstance(e, bytes) else orjson.dumps(e))
    return b"\n".join(lines) + b"\n"


def digest(path, paper_id):
    corpus = cascade.read(path, paper_id=paper_id)
    rows = [
        [r.citation_id, r.id, r.author, r.time, r.followers, r.text, r.ref_id, r.ref_kind,
         sorted([k, *v] for k, v in r.placeholders.items()), sorted(r.skipped.items()),
         r.records, r.duplicates, r.embedded, sorted(r.attrs.items())]
        for r in corpus.records()
    ]  # fmt: skip
    text = json.dumps([rows, corpus.log.summary(), corpus.log.errors], default=str)
    return hashlib.sha256(text.encode()).hexdigest(), corpus.log.summary()


def both(path, paper_id, monkeypatch):
    new = digest(path, paper_id)
    with monkeypatch.context() as m:
        m.setitem(JSON_FORMATS, "bluesky", oracle_bluesky)
        old = digest(path, paper_id)
    return new, old


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(capture(), st.sampled_from(["from-text", None, "one"]))
def test_captures_read_as_the_oracle_reads_them(tmp_path, monkeypatch, data, paper_id):
    path = tmp_path / "capture.jsonl"
    path.write_bytes(data)
    new, old = both(path, paper_id, monkeypatch)
    assert new == old


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir() if p.suffix != ".md"))
def test_samples_read_as_the_oracle_reads_them(name, monkeypatch):
    for paper_id in ("from-text", None):
        new, old = both(DATA / name, paper_id, monkeypatch)
        assert new == old


def test_the_oracle_is_the_reader_being_compared(tmp_path, monkeypatch):
    """The oracle is what reads the file while registered: a capture the two readers read
    alike only if it is used (its own counts, written out here)."""
    path = tmp_path / "c.jsonl"
    path.write_bytes((DATA / "jetstream.jsonl").read_bytes())
    calls = []
    real = oracle_bluesky.from_documents

    def spy(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(oracle_bluesky, "from_documents", spy)
    (new, summary), _ = both(path, "from-text", monkeypatch)
    assert calls == [1]
    assert summary == (
        "1 files, 2 papers, 19 records: 10 used, 9 skipped (account event: 1, delete (applied): "
        "1, deleted by a later delete event: 1, identity event: 3, no paper: 2, not a post or "
        "repost: 1)"
    )
