"""Fuzzing every reader from real records: only InputError may escape, never another exception."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cascade
from cascade.io import InputError

FIX = Path(__file__).resolve().parent.parent / "tests" / "fixtures"

SEEDS = {
    "altmetric-api": "altmetric_api_357137.json",
    "twitter-v1": "twitter_v1_search_head.json",
    "twitter-v2": "twitter_v2_quoted_edit.jsonl",
    "crossref-events": "crossref_events_179_head.json",
    "backtype": "backtype_page1.json",
    "altmetric-tab": "chain_tree.json",
}


def _load(name: str):
    text = (FIX / name).read_text(encoding="utf-8")
    return json.loads(text.splitlines()[0] if name.endswith(".jsonl") else text)


DOCS = {fmt: _load(name) for fmt, name in SEEDS.items()}
CSV_SEED = (
    "tweet_id,paper_id,author,time,text,followers,parent_id,kind,placeholder\n"
    "1,p,ann,2020-01-01T00:00:00+00:00,A paper,10,,original,False\n"
    "2,p,bob,2020-01-01T00:01:00+00:00,RT @ann: A paper,,1,retweet,False\n"
    "placeholder:1,p,cy,,RT @dee: x,,,retweet,True\n"
)

odd = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "\u202e\u0000\ud7ff", "x" * 200_000, "RT @" * 500, "\ufeff@", "Z" * 16]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _paths(doc, prefix=()):
    """Every (path, value) inside a document, depth first, bounded."""
    out = [(prefix, doc)]
    if len(out) > 3000 or len(prefix) > 8:
        return out
    items = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    )
    for k, v in list(items)[:60]:
        out += _paths(v, (*prefix, k))
    return out


def _nest(value, depth):
    for _ in range(depth):
        value = [value] if depth % 2 else {"x": value}
    return value


@st.composite
def mutated(draw, fmt):
    doc = json.loads(json.dumps(DOCS[fmt]))
    paths = _paths(doc)
    for _ in range(draw(st.integers(1, 6))):
        path, _ = paths[draw(st.integers(0, len(paths) - 1))]
        if not path:
            continue
        parent = doc
        try:
            for k in path[:-1]:
                parent = parent[k]
            action = draw(st.sampled_from(["replace", "delete", "nest"]))
            if action == "delete" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif action == "nest":
                parent[path[-1]] = _nest(parent[path[-1]], draw(st.integers(1, 200)))
            else:
                parent[path[-1]] = draw(odd)
        except (KeyError, IndexError, TypeError):
            continue
    return doc


def _consume(path: Path, **kw) -> None:
    try:
        corpus = cascade.read(path, **kw)
        for paper in corpus:
            assert len(paper.parent) == len(paper.id)
            assert (paper.parent < __import__("numpy").arange(len(paper.id))).all()
        corpus.log.summary()
    except InputError as err:
        assert "\n" not in str(err)


def _fuzz(fmt):
    @settings(
        max_examples=25,
        deadline=3000,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        doc=mutated(fmt), forced=st.booleans(), paper_id=st.sampled_from([None, "p", "from-text"])
    )
    def run(doc, forced, paper_id, tmp_path):
        path = tmp_path / "f.json"
        path.write_bytes(json.dumps(doc, allow_nan=True).encode("utf-8", "surrogatepass"))
        _consume(path, input_format=fmt if forced else None, paper_id=paper_id)

    return run


test_fuzz_altmetric_api = _fuzz("altmetric-api")
test_fuzz_twitter_v1 = _fuzz("twitter-v1")
test_fuzz_twitter_v2 = _fuzz("twitter-v2")
test_fuzz_crossref = _fuzz("crossref-events")
test_fuzz_backtype = _fuzz("backtype")
test_fuzz_altmetric_tab = _fuzz("altmetric-tab")


@settings(
    max_examples=40, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.integers(0, len(CSV_SEED)),
    junk=st.text(max_size=40),
    raw=st.binary(max_size=40),
    forced=st.booleans(),
)
def test_fuzz_csv(cut, junk, raw, forced, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(CSV_SEED[:cut].encode() + junk.encode("utf-8", "surrogatepass") + raw)
    _consume(path, input_format="csv" if forced else None)


@settings(
    max_examples=30, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=200), fmt=st.sampled_from([*SEEDS, None]))
def test_fuzz_bytes(data, fmt, tmp_path):
    path = tmp_path / "b.json"
    path.write_bytes(data)
    _consume(path, input_format=fmt)
