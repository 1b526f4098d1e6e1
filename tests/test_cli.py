"""The command line: outputs, exit codes, the summary of skipped records."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cascade.cli import main
from cascade.metrics import CASCADE_COLUMNS, PAPER_COLUMNS


def test_metrics_json_has_exactly_the_documented_keys(sample_path, capsys):
    assert main(["metrics", str(sample_path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    (row,) = json.loads(out)
    assert list(row) == PAPER_COLUMNS
    assert row["tweets"] == 258 and row["first_tweet"] == "2019-02-28T01:55:24+00:00"
    assert err.strip() == "cascade: 1 files, 1 papers, 258 records: 258 used, 0 skipped"


def test_cascade_table_json_and_csv(sample_path, tmp_path, capsys):
    out = tmp_path / "c.json"
    assert (
        main(
            [
                "metrics",
                str(sample_path),
                "--per",
                "cascade",
                "--format",
                "json",
                "-o",
                str(out),
                "-q",
            ]
        )
        == 0
    )
    rows = json.loads(out.read_text())
    assert len(rows) == 70 and list(rows[0]) == CASCADE_COLUMNS
    assert rows[0]["structural_virality"] is None  # a lone tweet: NaN becomes null
    assert capsys.readouterr().err == ""  # --quiet
    csv = tmp_path / "c.csv"
    assert (
        main(["metrics", str(sample_path), "--per", "cascade", "--format", "csv", "-o", str(csv)])
        == 0
    )
    table = pd.read_csv(csv, dtype={"root_id": str})
    assert table["size"].sum() == 258 and table["root_id"].iloc[0] == rows[0]["root_id"]


def test_parquet_round_trip(sample_path, tmp_path):
    out = tmp_path / "p.parquet"
    assert main(["metrics", str(sample_path), "--format", "parquet", "-o", str(out)]) == 0
    table = pd.read_parquet(out)
    assert table["retweets"].tolist() == [188]
    assert str(table["first_tweet"].dt.tz) == "UTC"


def test_unreadable_file_is_reported_and_others_go_on(sample_path, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"citation_id": ')
    assert main(["metrics", str(bad), str(sample_path), "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert "56155705" in out
    assert f"cascade: error: {bad}:1:" in err
    assert "1 files unreadable" in err
    assert main(["metrics", str(bad), str(sample_path), "--strict"]) == 2


def test_strict_turns_skips_into_exit_code_2(tmp_path, capsys):
    from conftest import write_paper

    path = write_paper(tmp_path / "p.json", {"1": ("@a", "1", "", "no time")})
    assert main(["metrics", str(path)]) == 0
    assert main(["metrics", str(path), "--strict"]) == 2
    assert "no time: 1" in capsys.readouterr().err


def test_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["metrics"])
    assert exc.value.code == 2
    assert main(["metrics", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_metrics_in_parallel_equal_serial(sample_path, chain_path, tmp_path):
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.csv"
        args = ["metrics", str(sample_path), str(chain_path), "--per", "cascade", "-q"]
        assert main([*args, "--workers", workers, "--format", "csv", "-o", str(out)]) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") == 1 + 70 + 1  # header, the sample's and the tree's cascades


def test_metrics_does_not_load_graph_or_plot_libraries(sample_path):
    """`cascade metrics` needs no igraph, networkx, pyvis or matplotlib: a quick start-up."""
    import subprocess
    import sys

    code = (
        "import sys, cascade.cli\n"
        f"assert cascade.cli.main(['metrics', {str(sample_path)!r}, '-q', '--workers', '1']) == 0\n"
        "heavy = ('igraph', 'networkx', 'pyvis', 'matplotlib')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_run_leaves_the_garbage_collector_as_it_found_it(sample_path, tmp_path):
    """The CLI raises the young-generation GC threshold for speed, and only for the run; the
    tweet-by-tweet resolution pass pauses the collector and re-enables it."""
    import gc

    before = gc.get_threshold()
    assert main(["metrics", str(sample_path), "-o", str(tmp_path / "m.csv"), "--quiet"]) == 0
    assert main(["metrics", str(tmp_path / "missing.json"), "--strict", "--quiet"]) == 2
    assert gc.get_threshold() == before
    assert gc.isenabled()


def test_report_modules_do_not_load_scipy_stats():
    """scipy.stats costs about a second of start-up: only a group test loads it (compare), and the
    prediction's chi-squared quantiles come from scipy.special."""
    import subprocess
    import sys

    code = (
        "import sys, cascade.cli.commands, cascade.report, cascade.predict\n"
        "print('scipy.stats' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"
