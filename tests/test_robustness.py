"""What used to crash or mislead on real data: each case of issue 11, at its cause."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, SAMPLE, write_paper

import cascade
from cascade.cli import main
from cascade.model import sum_known
from cascade.output import guard_formulas, write_table
from cascade.rank import automated_suspects
from cascade.report import report


def _two(tmp_path, first="A paper", second="RT @a: A paper"):
    return write_paper(
        tmp_path / "p.json",
        {
            "1": ("@a", None, "2020-01-01 00:00:00", first),
            "2": ("@b", None, "2020-01-01 00:01:00", second),
        },
    )


# --- 1. follower sums ---------------------------------------------------------------------------


def test_follower_sums_are_float_with_nan_for_unknown():
    out = sum_known(np.array([0, 1, 1]), np.array([np.nan, 2.0, 3.0]), 3)
    assert out.dtype == np.float64
    assert np.isnan(out[0]) and out[1] == 5.0 and np.isnan(out[2])
    empty = sum_known(np.array([], dtype=np.int64), np.array([]), 2)
    assert empty.dtype == np.float64 and np.isnan(empty).all()


@pytest.mark.parametrize("name", ["altmetric-api", "crossref-events", "weibo-paths", "backtweets"])
def test_rank_on_sources_without_follower_counts(name):
    table = cascade.rank_users(cascade.read(DATA / name))
    assert len(table) and table["reach"].dtype == np.float64


def test_an_empty_corpus_says_no_papers(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    assert main(["report", str(tmp_path / "in"), "-o", str(tmp_path / "r"), "-q"]) == 2
    assert "in: matches no file" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


# --- 2, 4. the report folder ----------------------------------------------------------------


def test_report_reads_multi_paper_json_lines_and_papers_over_files(tmp_path):
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    tweets = list(doc["twitter"].items())
    lines = [
        {**doc, "citation_id": "x", "twitter": dict(tweets[:100])},
        {**doc, "citation_id": "y", "twitter": dict(tweets[100:150])},
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    # Paper y continues in a second file, repeating 10 of its tweets.
    more = {**doc, "citation_id": "y", "twitter": dict(tweets[140:200])}
    (folder / "b.json").write_text(json.dumps(more))
    out = report(folder, tmp_path / "r", workers=1)
    assert dict(zip(out.papers["citation_id"], out.papers["tweets"])) == {"x": 100, "y": 100}
    assert out.log.duplicates == 10 and out.log.skipped["duplicate id"] == 10


def test_a_rerun_replaces_the_report_whole(tmp_path):
    report(DATA / "altmetric-api", tmp_path / "r", workers=1, max_graphs=5)
    assert len(list((tmp_path / "r" / "graphs").iterdir())) == 5
    report(SAMPLE, tmp_path / "r", workers=1)
    assert [p.name for p in (tmp_path / "r" / "graphs").iterdir()] == ["56155705.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no staging folder left


def test_report_refuses_an_unrelated_folder_unless_forced(tmp_path, capsys):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "thesis.tex").write_text("precious")
    assert main(["report", str(SAMPLE), "-o", str(target), "-q"]) == 2
    assert "not a cascade report" in capsys.readouterr().err
    assert (target / "thesis.tex").read_text() == "precious"
    assert main(["report", str(SAMPLE), "-o", str(target), "-q", "--force", "--workers", "1"]) == 0
    assert not (target / "thesis.tex").exists() and (target / "index.html").exists()


def test_a_failed_report_leaves_the_previous_one(tmp_path, monkeypatch):
    report(SAMPLE, tmp_path / "r", workers=1)
    before = (tmp_path / "r" / "index.html").read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("cascade.report.rank_tally", broken)
    with pytest.raises(RuntimeError):
        report(SAMPLE, tmp_path / "r", workers=1)
    assert (tmp_path / "r" / "index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


# --- 3. extreme dates ---------------------------------------------------------------------------


def test_report_on_the_extremes_of_valid_dates(tmp_path):
    write_paper(
        tmp_path / "p.json",
        {
            "1": ("@a", 5, "0001-01-01 00:00:00", "A paper"),
            "2": ("@b", 5, "9999-12-31 23:59:59", "RT @a: A paper"),
        },
    )
    out = report(tmp_path / "p.json", tmp_path / "r", workers=1)
    assert out.papers["tweets"].tolist() == [2]
    assert (tmp_path / "r" / "plots" / "tweets_per_day.png").is_file()


# --- 6. duplicates across files ---------------------------------------------------------------


def test_one_paper_in_two_files_is_one_paper_and_repeats_count_once(tmp_path, capsys):
    for name in ("a.json", "b.json"):
        shutil.copy(SAMPLE, tmp_path / name)
    corpus = cascade.read(tmp_path)
    papers = list(corpus)
    assert [p.n_tweets for p in papers] == [258]
    assert corpus.log.used == 258 and corpus.log.duplicates == 258
    assert main(["metrics", str(tmp_path), "--strict", "-q", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "b.json: records skipped (duplicate id: 258)" in err


# --- 7, 8. details pages ------------------------------------------------------------------------


def test_a_twitter_list_is_read_not_dropped(tmp_path):
    doc = {
        "citation_id": "p",
        "tab": "twitter",
        "twitter": [
            {"tweet_id": "1", "author": "@a", "datetime": "2020-01-01 00:00:00",
             "content_summary": "x"},
            {"tweet_id": "2", "author": "@b", "datetime": "2020-01-01 00:01:00",
             "content_summary": "RT @a: x"},
            {"author": "@c", "datetime": "2020-01-01 00:02:00"},
            "junk",
        ],
    }  # fmt: skip
    (tmp_path / "p.json").write_text(json.dumps(doc))
    corpus = cascade.read(tmp_path / "p.json")
    (paper,) = corpus
    assert paper.n_tweets == 2 and paper.parent.tolist() == [-1, 0]
    assert dict(corpus.log.skipped) == {
        "tweet in the twitter list has no tweet_id": 1,
        "tweet is not an object": 1,
    }


def test_empty_texts_are_not_the_same_text_repeated(tmp_path):
    tweets = {str(i): ("@quiet", 5, f"2020-01-0{i} 00:00:00", "") for i in range(1, 6)}
    write_paper(tmp_path / "p.json", tweets)
    assert automated_suspects(cascade.read(tmp_path / "p.json")).empty


# --- 9. spreadsheet formulas ------------------------------------------------------------------


def test_text_cells_cannot_run_as_formulas_and_numbers_stay_numbers(tmp_path):
    frame = pd.DataFrame(
        {"handle": ["=HYPERLINK(1)", "+a", "-b", "@c", "\tt", "\rr", "ok"], "n": range(-3, 4)}
    )
    write_table(frame, tmp_path / "t.csv", "csv")
    back = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    assert back["handle"].tolist() == ["'=HYPERLINK(1)", "'+a", "'-b", "'@c", "'\tt", "'\rr", "ok"]
    assert back["n"].tolist() == list(range(-3, 4))
    write_table(frame, tmp_path / "exact.csv", "csv", formula_guard=False)
    exact = pd.read_csv(tmp_path / "exact.csv", keep_default_na=False)
    assert exact["handle"].tolist() == frame["handle"].tolist()
    assert guard_formulas(frame[["n"]]) is not None


def test_rank_csv_is_guarded_and_the_option_turns_it_off(tmp_path):
    write_paper(
        tmp_path / "p.json",
        {
            "1": ("@=cmd", 5, "2020-01-01 00:00:00", "A paper"),
            "2": ("@b", 5, "2020-01-01 00:01:00", "RT @=cmd: A paper"),
        },
    )
    out = tmp_path / "rank.csv"
    assert main(["rank", str(tmp_path / "p.json"), "--format", "csv", "-o", str(out), "-q"]) == 0
    assert "'=cmd" in pd.read_csv(out)["handle"].tolist()
    args = ["rank", str(tmp_path / "p.json"), "--format", "csv", "-o", str(out), "-q"]
    assert main([*args, "--no-formula-guard"]) == 0
    assert "=cmd" in pd.read_csv(out)["handle"].tolist()


# --- 11, 12. messages and exit codes ----------------------------------------------------------


def test_an_internal_error_exits_1_and_says_it_is_a_bug(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        return int(np.float64("nan"))  # a numpy error inside our code, as the old rank.py had

    monkeypatch.setattr("cascade.rank.rank_users", broken)
    assert main(["rank", str(SAMPLE), "-q", "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "internal error (a bug in cascade" in err and "--debug" in err
    with pytest.raises(ValueError):
        main(["rank", str(SAMPLE), "-q", "--workers", "1", "--debug"])


def test_strict_and_quiet_still_names_the_file(tmp_path, capsys):
    write_paper(tmp_path / "p.json", {"1": ("", 5, "2020-01-01 00:00:00", "x")})
    assert main(["metrics", str(tmp_path / "p.json"), "--strict", "-q"]) == 2
    assert f"{tmp_path / 'p.json'}: records skipped (no author: 1)" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["metrics", "compare", "export", "rank", "graph"])
def test_every_input_unreadable_exits_2_with_each_reason(tmp_path, capsys, command):
    (tmp_path / "a.json").write_text("{not json")
    (tmp_path / "b.txt").write_text("hello")
    argv = [command, str(tmp_path / "a.json"), str(tmp_path / "b.txt"), "-q"]
    if command in ("export", "graph"):
        argv += ["-o", str(tmp_path / ("out.gexf" if command == "export" else "out.html"))]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "a.json" in err and "b.txt" in err and "no papers read" in err
    assert not (tmp_path / "out.gexf").exists() and not (tmp_path / "out.html").exists()


def test_a_utf8_bom_json_file_is_read(tmp_path):
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert [p.n_tweets for p in cascade.read(tmp_path / "bom.json")] == [258]


def test_input_format_is_checked_and_listed(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["metrics", str(SAMPLE), "--input-format", "bogus"])
    assert exit_.value.code == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["metrics", "--help"])
    help_text = "".join(capsys.readouterr().out.split())  # argparse wraps at hyphens too
    assert "altmetric-api,altmetric-tab,backtype,bluesky,crossref-events,csv,mastodon" in help_text
    with pytest.raises(ValueError, match="unknown input format 'bogus'"):
        cascade.read(SAMPLE, input_format="bogus")


def test_groups_that_name_unknown_papers_warn(tmp_path, capsys):
    groups = tmp_path / "g.csv"
    groups.write_text("citation_id,group\n56155705,a\nnope,b\n")
    assert main(["compare", str(SAMPLE), "--groups", str(groups), "-q", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "1 paper not in the data (nope)" in err and "group b has no paper" in err


def test_export_without_a_known_suffix_says_what_to_do(tmp_path, capsys):
    assert main(["export", str(SAMPLE), "-o", str(tmp_path / "graph.out"), "-q"]) == 2
    assert "cannot tell the export format from 'graph.out'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["rank", "graph", "export"])
def test_workers_are_accepted_and_give_the_serial_result(tmp_path, command):
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"{workers}.{'html' if command == 'graph' else 'csv'}"
        argv = [command, str(DATA / "altmetric-api"), "--workers", workers, "-q", "-o", str(out)]
        if command == "rank":
            argv += ["--format", "csv"]
        assert main(argv) == 0
        outs.append(
            (tmp_path / f"{workers}.nodes.csv" if command == "export" else out).read_bytes()
        )
    assert outs[0] == outs[1]


def test_compare_csv_to_a_stem_writes_named_files(tmp_path):
    argv = ["compare", str(SAMPLE), "--format", "csv", "-o", str(tmp_path / "out.csv"), "-q"]
    assert main(argv) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out.distributions.csv",
        "out.papers.csv",
    ]


def test_a_cycle_of_parent_ids_breaks_without_reusing_an_id(tmp_path):
    path = tmp_path / "cycle.csv"
    path.write_text(
        "tweet_id,paper_id,author,time,text,parent_id\n"
        "1,p,a,2020-01-01T00:00:00Z,x,2\n"
        "2,p,b,2020-01-01T00:01:00Z,y,1\n"
        "3,p,c,2020-01-01T00:02:00Z,z,\n"
    )
    (paper,) = cascade.read(path)
    assert sorted(paper.id.tolist()) == ["1", "2", "3"]  # no placeholder takes id "2"
    assert paper.n_placeholders == 0
    frame = paper.to_frame().set_index("id")
    assert frame.loc["2", "parent_id"] == "1" and pd.isna(frame.loc["1", "parent_id"])
