"""The cheaper Jetstream read gives what the plain one gave, and Jetstream v2 frames read alike.

Oracles: the documents of a file as the whole-file-first algorithm finds them (written out here),
each text's DOIs searched one text at a time, and a generated capture's records as the reader
gave them before the speed work (digest below); the v2 frames are the sample's v1 events
rewritten in the shape of ``network.bsky.jetstream.subscribeEvents`` (the lexicon in
``bluesky-social/jetstream``: commit fields on the event, ``seq``, an RFC 3339 ``time``, each
event in a ``{"$type": "message", "payload": ...}`` frame of the ``xrpc.v1.json`` subprotocol).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cascade
from cascade.io.papers import find_dois
from cascade.io.sources import iter_documents

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
JET = DATA / "social" / "jetstream.jsonl"
V2 = "network.bsky.jetstream.subscribeEvents#"


def documents_oracle(data: bytes) -> list | str:
    """``(line, document)`` pairs as first found: the whole file as one document, else each
    non-blank line (the first must be a document); the error's text if none."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return [(1, orjson.loads(data))]
    except orjson.JSONDecodeError:
        pass
    lines = data.split(b"\n")
    blank = [not line.strip() for line in lines]
    if all(blank):
        return "empty file"
    try:
        orjson.loads(lines[blank.index(False)])
    except orjson.JSONDecodeError:
        return "invalid JSON"
    out: list = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append((number, orjson.loads(line)))
            except orjson.JSONDecodeError:
                out.append((number, "bad line"))
    return out


def documents(data: bytes) -> list | str:
    found: list = []
    try:
        for pair in iter_documents(
            "f", data, on_error=lambda err: found.append((err.line, "bad line"))
        ):
            found.append(pair)
    except cascade.io.InputError as err:
        return "empty file" if "empty file" in str(err) else "invalid JSON"
    return found


def test_documents_of_every_sample_file_are_those_of_the_oracle():
    files = [p for p in sorted(DATA.rglob("*")) if p.is_file() and p.suffix in (".json", ".jsonl")]
    assert len(files) >= 20
    for path in files:
        data = path.read_bytes()
        assert documents(data) == documents_oracle(data), path


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text('ab\n"', max_size=3),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text("ab", max_size=2), inner, max_size=2)
    ),
    max_leaves=4,
)
pieces = st.one_of(
    json_values.map(lambda v: orjson.dumps(v)),
    json_values.map(lambda v: orjson.dumps(v, option=orjson.OPT_INDENT_2)),  # spans lines
    st.sampled_from([b"", b" ", b"\t", b"\x0c", b"\r", b"{", b"]", b"1 2", b"nul"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=5), st.sampled_from([b"\n", b"\r\n", b"\n\n"]), st.booleans())
def test_documents_are_those_of_the_oracle(parts, sep, end):
    data = sep.join(parts) + (sep if end else b"")
    assert documents(data) == documents_oracle(data)


texts = st.lists(
    st.one_of(
        st.none(),
        st.text(st.sampled_from(list("10./ab(),;%2F3A\n &x\u2026")), max_size=30),
        st.sampled_from(["see doi:10.1234/abc.", "https://doi.org/10.5555%2FXyZ)", "10.1234/abc"]),
    ),
    max_size=4,
)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_one_search_finds_the_dois_of_each_text_in_turn(items):
    one_by_one: dict[str, None] = {}
    for text in items:
        for doi in find_dois(text) if isinstance(text, str) else ():
            one_by_one.setdefault(doi)
    assert find_dois(*items) == list(one_by_one)


def _bench():
    spec = importlib.util.spec_from_file_location(
        "bench_social", ROOT / "benchmarks" / "bench_social.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def digest(corpus: cascade.io.Corpus) -> tuple[str, int]:
    rows = [
        [
            r.citation_id, r.id, r.author, r.time, r.text, r.ref_id, r.ref_kind,
            sorted([k, *v] for k, v in r.placeholders.items()), sorted(r.skipped.items()),
            r.records,
        ]
        for r in corpus.records()
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16], len(rows)


@pytest.mark.parametrize(
    ("paper_id", "expected", "papers", "summary"),
    [
        ("from-text", "ed281b0c52dc32b8", 39,
         "1 files, 39 papers, 1526 records: 327 used, 1199 skipped (delete (applied): 17, "
         "deleted by a later delete event: 17, identity event: 77, no paper: 310, "
         "not a post or repost: 778)"),
        (None, "12b93e5370dd094a", 1,
         "1 files, 1 papers, 1500 records: 611 used, 889 skipped (delete (applied): 17, "
         "deleted by a later delete event: 17, identity event: 77, not a post or repost: 778)"),
    ],
)  # fmt: skip
def test_generated_capture_reads_as_before_the_speed_work(
    tmp_path, paper_id, expected, papers, summary
):
    path = tmp_path / "cap1500.jsonl"  # its stem: the paper id for paper_id=None
    counts = _bench().jetstream_capture(path, 1500, seed=3, papers=40)
    assert counts == {"like": 778, "post": 367, "repost": 261, "identity": 77, "delete": 17}
    corpus = cascade.read(path, paper_id=paper_id)
    # The digest of every record, placeholder and skip as the reader gave them before.
    assert digest(corpus) == (expected, papers)
    assert corpus.log.summary() == summary
    # Counted from the generator: every like, identity event and delete.
    skipped = corpus.log.skipped
    assert skipped["not a post or repost"] == counts["like"]
    assert skipped["identity event"] == counts["identity"]
    assert skipped["delete (applied)"] + skipped["delete of a record not in the data"] == 17


# Jetstream v2 ------------------------------------------------------------------------------


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def as_v2(event: dict, seq: int, framed: bool = True) -> dict:
    """A v1 event in the v2 shape (lexicon ``network.bsky.jetstream.subscribeEvents``)."""
    kind = event["kind"]
    payload = {"$type": V2 + kind, "seq": seq, "did": event["did"], "time": _iso(event["time_us"])}
    if kind == "commit":
        payload |= event["commit"]
    else:
        payload[kind] = event[kind]
    return {"$type": "message", "payload": payload} if framed else payload


def read_log(path: Path) -> tuple[list[list], Counter]:
    corpus = cascade.read(path, paper_id="from-text")
    papers = sorted(
        [p.citation_id, p.id.tolist(), p.author.tolist(), p.parent.tolist(), p.time.tolist()]
        for p in corpus
    )
    return papers, corpus.log.skipped


@pytest.mark.parametrize("framed", [True, False])
def test_v2_frames_read_as_the_same_v1_events(tmp_path, framed):
    events = [json.loads(line) for line in JET.read_text().splitlines()]
    path = tmp_path / "v2.jsonl"
    lines = [json.dumps(as_v2(e, 1000 + i, framed)) for i, e in enumerate(events)]
    path.write_text("\n".join(lines) + "\n")
    assert read_log(path) == read_log(JET)
    papers, _ = read_log(path)
    assert [p[0] for p in papers] == ["10.1234/abc", "10.5555/xyz"]
    assert len(papers[0][1]) == 8 + 2  # its two cascades (tests/test_social.py): 8 and 2


def test_v2_record_without_created_at_takes_the_frame_time_and_frames_are_counted(tmp_path):
    post = {
        "$type": "message",
        "cursor": 101,
        "payload": {
            "$type": V2 + "commit", "seq": 101, "did": "did:plc:abc",
            "time": "2026-09-29T06:00:00.123456Z", "rev": "3abc", "operation": "create",
            "collection": "app.bsky.feed.post", "rkey": "xyz", "cid": "bafy",
            "record": {"$type": "app.bsky.feed.post", "text": "Read doi:10.1234/abc"},
        },
    }  # fmt: skip
    like = {"$type": "message", "payload": post["payload"] | {"collection": "app.bsky.feed.like"}}
    info = {"$type": "message", "payload": {"$type": V2 + "info", "name": "OutdatedCursor"}}
    error = {"$type": "error", "error": "ConsumerTooSlow", "message": "slow"}
    path = tmp_path / "v2.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in (post, like, info, error)) + "\n")
    corpus = cascade.read(path, paper_id="from-text")
    (paper,) = list(corpus)
    assert paper.citation_id == "10.1234/abc"
    assert paper.id.tolist() == ["at://did:plc:abc/app.bsky.feed.post/xyz"]
    # 2026-09-29T06:00:00Z in epoch seconds: 20,725 days and 6 hours.
    assert paper.time.view("int64").tolist() == [20725 * 86400 + 6 * 3600]
    assert corpus.log.skipped == Counter(
        {"not a post or repost": 1, "info event": 1, "stream error frame": 1}
    )
