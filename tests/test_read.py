"""Reading details-page exports: sources, parsing, and the accounting of skipped records."""

from __future__ import annotations

import gzip
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from conftest import write_paper
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cascade
from cascade.cli import main
from cascade.io.records import InputError, parse_followers, parse_followers_many, parse_time


def test_sample_counts_match_the_raw_file(sample_path, sample_raw):
    tweets = sample_raw["twitter"]
    texts = [t["content_summary"] for t in tweets.values()]
    corpus = cascade.read(sample_path)
    (paper,) = list(corpus)
    assert paper.citation_id == "56155705"
    assert paper.n_tweets == len(tweets) == 258
    assert sorted(paper.id[~paper.placeholder]) == sorted(tweets)
    assert sum(t.startswith("RT @") for t in texts) == 188
    assert (paper.kind == "retweet").sum() == 188
    assert str(paper.time.min()) == "2019-02-28T01:55:24"
    assert str(paper.time.max()) == "2020-05-25T10:24:28"
    assert corpus.log.records == corpus.log.used == 258
    # Followers kept as numbers: "11,314" -> 11314.
    marypcbuk = paper.followers[paper.author == "marypcbuk"]
    assert marypcbuk.tolist() == [11314.0]


def test_handles_keep_display_form_and_match_case_insensitively(tmp_path):
    path = write_paper(
        tmp_path / "p.json",
        {
            "1": ("@Ann", "10", "2020-01-01 00:00:00", "paper"),
            "2": ("@ann", "12", "2020-01-02 00:00:00", "paper again"),
            "3": ("@bob", "1", "2020-01-03 00:00:00", "RT @ANN: paper again"),
        },
    )
    (paper,) = list(cascade.read(path))
    assert paper.handles.tolist() == ["Ann", "bob"]
    assert paper.user.tolist() == [0, 0, 1]
    assert paper.parent.tolist() == [-1, -1, 1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("11,314", 11314), ("1.2K", 1200), ("3M", 3_000_000), (42, 42), ("0", 0), (" 7 ", 7)],
)
def test_parse_followers(value, expected):
    assert parse_followers(value) == expected


@pytest.mark.parametrize("value", ["", None, "n/a", -3, "1.2X", [], True])
def test_missing_followers_are_nan_not_zero(value):
    assert math.isnan(parse_followers(value))


def test_parse_time_is_utc():
    assert parse_time("2019-02-28 01:55:24") == 1551318924
    assert parse_time("2019-02-28T02:55:24+01:00") == 1551318924
    assert parse_time("2019-02-28T01:55:24Z") == 1551318924
    assert parse_time("Thu Feb 28 01:55:24 +0000 2019") == 1551318924
    assert parse_time("yesterday") is None
    assert parse_time("") is None


def test_skips_are_counted_with_reasons(tmp_path):
    path = write_paper(
        tmp_path / "p.json",
        {
            "1": ("@a", "1", "2020-01-01 00:00:00", "ok"),
            "2": ("", "1", "2020-01-01 00:00:00", "no author"),
            "3": ("@c", "1", "", "no time"),
            "4": ("@d", "1", "not a date", "bad time"),
        },
    )
    corpus = cascade.read(path)
    (paper,) = list(corpus)
    assert paper.n_tweets == 1
    assert dict(paper.skipped) == {"no author": 1, "no time": 2}
    assert corpus.log.records == 4 and corpus.log.used == 1
    assert "no author: 1" in corpus.log.summary()
    assert cascade.paper_metrics(paper)["skipped"].tolist() == [3]


def test_other_tabs_in_gzipped_json_lines(tmp_path):
    tweet = {"author": "@a", "followers": "1", "datetime": "2020-01-01 00:00:00"}
    lines = [
        {"citation_id": "x", "tab": "news", "twitter": {"1": tweet, "2": tweet}},
        {"citation_id": "y", "tab": "twitter", "twitter": {"1": tweet}},
    ]
    path = tmp_path / "corpus.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(json.dumps(x) for x in lines).encode()))
    corpus = cascade.read(path)
    papers = list(corpus)
    assert [p.citation_id for p in papers] == ["y"]
    assert corpus.log.records == 3 and corpus.log.used == 1
    assert sum(corpus.log.skipped.values()) == 2
    assert [r for r in corpus.log.skipped] == ["tab is 'news', not twitter"]


def test_directories_globs_and_order(tmp_path, sample_path):
    doc = json.loads(sample_path.read_bytes())
    for name in ("b.json", "a.json"):
        doc["citation_id"] = name  # two papers (one id in two files is one paper)
        (tmp_path / name).write_text(json.dumps(doc))
    (tmp_path / ".hidden").write_text("not read")
    assert [p.source for p in cascade.read(tmp_path)] == [
        str(tmp_path / "a.json"),
        str(tmp_path / "b.json"),
    ]
    assert len(list(cascade.read(str(tmp_path / "*.json")))) == 2
    with pytest.raises(InputError, match="no such file"):
        cascade.read(tmp_path / "missing.json")


def test_documentation_beside_the_data_is_counted_not_an_error(tmp_path, sample_path):
    # The shared samples keep a LICENSE.upstream beside the data; users keep READMEs.
    (tmp_path / "a.json").write_bytes(sample_path.read_bytes())
    (tmp_path / "LICENSE.upstream").write_text("Copyright (c) 2016 ...\n")
    (tmp_path / "README.md").write_text("# Tweets about one paper\n")
    (tmp_path / "notes.txt").write_text("not data, and not named as documentation\n")
    corpus = cascade.read(tmp_path)
    assert [p.citation_id for p in corpus] == ["56155705"]
    assert [e.split(": ", 1)[1] for e in corpus.log.errors] == [
        "not a recognised input format (not JSON; see --input-format)"  # notes.txt only
    ]
    assert corpus.log.summary().endswith("not data, ignored: LICENSE.upstream, README.md")
    frame = corpus.log.to_frame().set_index("path")
    assert frame.loc[str(tmp_path / "README.md"), "ignored"].startswith("documentation")
    assert pd.isna(frame.loc[str(tmp_path / "a.json"), "ignored"])
    (tmp_path / "notes.txt").unlink()
    assert main(["metrics", str(tmp_path), "--strict", "-q", "-o", str(tmp_path / "m.csv")]) == 0
    # A JSON file is read whatever its name.
    (tmp_path / "README.json").write_bytes(sample_path.read_bytes())
    assert len(list(cascade.read(tmp_path / "README.json"))) == 1


def test_malformed_json_names_file_line_and_column(tmp_path, sample_path):
    bad = tmp_path / "a_bad.json"
    bad.write_text('{"citation_id": "1",\n "tab": "twitter",\n "twitter": {"1": }\n}')
    corpus = cascade.read([bad, sample_path])
    assert [p.citation_id for p in corpus] == ["56155705"]  # the other file goes on
    (error,) = corpus.log.errors
    assert error.startswith(f"{bad}:3:")
    assert "invalid JSON" in error
    with pytest.raises(InputError, match=re.escape(f"{bad}:3:")):
        list(cascade.read([bad, sample_path], strict=True))


def test_not_a_paper_object(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"citation_id": "1", "tab": "twitter", "twitter": {"1": "x"}}))
    corpus = cascade.read(path)
    (paper,) = list(corpus)
    assert len(paper) == 0
    assert dict(corpus.log.skipped) == {"tweet is not an object": 1}
    table = cascade.paper_metrics(paper)
    assert table[["tweets", "cascades", "skipped"]].values.tolist() == [[0, 0, 1]]
    assert np.isnan(table["duration_days"].iloc[0])


def test_a_bad_json_lines_line_is_skipped_and_counted(tmp_path):
    tweet = {"author": "@a", "followers": "1", "datetime": "2020-01-01 00:00:00"}
    good = [json.dumps({"citation_id": c, "tab": "twitter", "twitter": {"1": tweet}}) for c in "xy"]
    path = tmp_path / "corpus.jsonl"
    path.write_text(f'{good[0]}\n{{"citation_id": "broken",\n{good[1]}\n', encoding="utf-8")
    corpus = cascade.read(path)
    assert [p.citation_id for p in corpus] == ["x", "y"]  # the lines after the bad one go on
    assert corpus.log.records == 3 and corpus.log.used == 2
    assert dict(corpus.log.skipped) == {"invalid JSON line": 1}
    (error,) = corpus.log.errors
    assert error.startswith(f"{path}:2:") and "invalid JSON" in error
    assert "files unreadable" not in corpus.log.summary()
    with pytest.raises(InputError, match=re.escape(f"{path}:2:")):
        list(cascade.read(path, strict=True))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.integers(-5, 10**20),
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from(
                ["", "11,314", "1.2K", "3M", "-4", "nan", "inf", "7.5", " 12 ", "1 234"]
            ),
            st.text(max_size=6),
        ),
        max_size=20,
    )
)
def test_followers_in_bulk_read_like_one_by_one(values):
    np.testing.assert_array_equal(
        parse_followers_many(values), [parse_followers(v) for v in values]
    )


# A non-string id beside an empty one once reached str.strip (found by hypothesis in CI).
@example(rows=[(7, "@ann", "2020-01-01 00:00:00", "x"), ("", "@ann", "2020-01-01 00:00:00", "x")])
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3", " 4", "", "5 ", "x6", 7]),
            st.sampled_from(["@ann", "@Bob", "ann", " @cy", "@", "@@d", "@e f", "", None, 3]),
            st.sampled_from(["2020-01-01 00:00:00", "", None]),
            st.sampled_from(["RT @a: x", "", None, 5]),
        ),
        max_size=8,
    )
)
def test_records_in_bulk_equal_records_one_by_one(rows):
    """PaperRecords.extend (column by column, with a shortcut when every record is usable)
    keeps and skips exactly what add does record by record."""
    from cascade.io.records import PaperRecords, parse_times

    ids, authors, times, texts = (list(c) for c in zip(*rows)) if rows else ([], [], [], [])
    bulk, single = PaperRecords("p", "x"), PaperRecords("p", "x")
    bulk.extend(ids, authors, parse_times(times), [1.0] * len(rows), texts)
    for tid, author, t, text in zip(ids, authors, parse_times(times).tolist(), texts):
        single.add(tid, author, None if t == np.iinfo(np.int64).min else t, 1.0, text)
    for name in ("id", "author", "time", "followers", "text", "ref_id", "credited"):
        assert getattr(bulk, name) == getattr(single, name), name
    assert (bulk.records, bulk.skipped, bulk.duplicates) == (
        single.records,
        single.skipped,
        single.duplicates,
    )
