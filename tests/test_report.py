"""``cascade report`` on real files: counts, plots, links, offline, escaping, determinism."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE, write_paper

from cascade.cli import main
from cascade.io import ReadOptions
from cascade.reconstruct import Reconstruction
from cascade.report import report

ODD_ID = "<b>x</b>/../y"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The real sample plus a small hand-made paper whose id needs escaping."""
    folder = tmp_path_factory.mktemp("in")
    shutil.copy(SAMPLE, folder / "a_sample.json")
    write_paper(
        folder / "b_odd.json",
        {
            "1": ("@alice", "10", "2020-01-01 10:00:00", "Paper <script>alert(1)</script>"),
            "2": ("@bob", "1,000", "2020-01-01 11:00:00", "RT @alice: Paper <script>alert(1)"),
            "3": ("@carol", "", "2020-01-03 09:00:00", "RT @alice: Paper <script>alert(1)"),
        },
        citation_id=ODD_ID,
    )
    groups = folder.parent / "groups.csv"
    groups.write_text(f'citation_id,group\n56155705,nlp\n"{ODD_ID}",other\n', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def reports(corpus, tmp_path_factory):
    """The same report twice: serial, and on two worker processes."""
    groups = corpus.parent / "groups.csv"
    one = tmp_path_factory.mktemp("serial")
    two = tmp_path_factory.mktemp("parallel")
    first = report(corpus, one, groups=groups, workers=1)
    report(corpus, two, groups=groups, workers=2)
    return one, two, first


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [v for k, v in attrs if k in ("href", "src") and v]


def test_one_row_per_paper_with_the_files_tweet_count(reports, corpus):
    folder, _, result = reports
    expected = {}
    for path in sorted(corpus.iterdir()):
        doc = json.loads(path.read_text(encoding="utf-8"))
        expected[doc["citation_id"]] = len(doc["twitter"])
    table = pd.read_csv(folder / "papers.csv", dtype={"citation_id": str})
    assert dict(zip(table["citation_id"], table["tweets"], strict=True)) == expected
    assert expected["56155705"] == 258
    parquet = pd.read_parquet(folder / "papers.parquet")
    assert parquet["tweets"].tolist() == table["tweets"].tolist()
    cascades = pd.read_parquet(folder / "cascades.parquet")
    assert cascades.groupby("citation_id")["size"].sum().to_dict() == {
        "56155705": 258,
        ODD_ID: 3,
    }
    assert result.log.records == 261


def test_large_tables_as_csv_hold_the_parquet_rows(reports, corpus, tmp_path):
    """``large_tables="csv"`` changes the two large tables' format and nothing else."""
    parquet = reports[0]
    report(corpus, tmp_path, groups=corpus.parent / "groups.csv", workers=1, large_tables="csv")
    before, after = _files(parquet), _files(tmp_path)
    large = {"cascades", "influencers"}
    assert {n for n in before if n.split(".")[0] in large} == {
        "cascades.parquet",
        "influencers.parquet",
    }
    assert {n for n in after if n.split(".")[0] in large} == {"cascades.csv", "influencers.csv"}
    same = set(before) - {"cascades.parquet", "influencers.parquet", "index.html"}
    assert same == set(after) - {"cascades.csv", "influencers.csv", "index.html"}
    assert all(before[n] == after[n] for n in same)
    for name in large:
        table = pd.read_parquet(parquet / f"{name}.parquet")
        text = pd.read_csv(tmp_path / f"{name}.csv", dtype={"citation_id": str, "root_id": str})
        assert len(text) == len(table) > 0
        for column in ("size", "depth", "tweets", "retweets_received"):
            if column in table:
                assert text[column].tolist() == table[column].tolist()
    assert 'href="cascades.csv"' in (tmp_path / "index.html").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="large_tables"):
        report(corpus, tmp_path / "x", large_tables="xlsx")


def test_every_plot_opens_at_the_expected_size(reports):
    folder = reports[0]
    pngs = sorted((folder / "plots").glob("*.png"))
    assert len(pngs) == 7  # six corpus plots and the growth of the largest papers
    for png in pngs:
        assert matplotlib.image.imread(png).shape[:2] == (500, 800), png.name
        svg = png.with_suffix(".svg").read_text(encoding="utf-8")
        assert svg.startswith("<?xml") and "<dc:date>" not in svg


def test_links_resolve_and_page_is_offline(reports):
    folder = reports[0]
    page = (folder / "index.html").read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(page)
    targets = [link for link in parser.links if not link.startswith("#")]
    assert "combined.html" in targets and "papers.csv" in targets
    for link in targets:
        assert (folder / link).is_file(), link
    data = json.loads(re.search(r'id="paper-data">(.*?)</script>', page, re.S).group(1))
    graphs = [row[data["columns"].index("graph")] for row in data["rows"]]
    assert len(graphs) == 2 and all(graphs)
    for link in graphs:
        assert (folder / link).is_file(), link
    assert re.search(r"https?:|//[a-z]", page, re.I) is None


def test_user_data_is_escaped(reports):
    folder = reports[0]
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert ODD_ID not in page
    assert "&lt;b&gt;x&lt;/b&gt;/../y" in page
    assert "<script>alert" not in page
    # The odd id becomes a safe file name inside graphs/.
    names = [p.name for p in (folder / "graphs").iterdir()]
    assert "56155705.html" in names
    assert any(n.startswith("_b_x__b_") and n.endswith(".html") for n in names)


def test_group_tables(reports):
    folder = reports[0]
    tests = pd.read_csv(folder / "group_tests.csv")
    assert len(tests) == 14 * 2  # every default metric, two tests
    assert set(tests["groups"]) == {"nlp;other"}
    assert set(tests["n"]) == {"1;1"}
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "Tests between groups" in page and "matched cascade size" in page


def test_same_input_same_bytes_serial_or_parallel(reports):
    one, two, _ = reports
    a, b = _files(one), _files(two)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == []


def test_cli_report_and_compare(tmp_path, corpus, capsys):
    out = tmp_path / "rep"
    assert main(["report", str(SAMPLE), "-o", str(out), "--workers", "1", "-q"]) == 0
    assert (out / "index.html").is_file() and (out / "graphs" / "56155705.html").is_file()
    groups = corpus.parent / "groups.csv"
    code = main(["compare", str(corpus), "--groups", str(groups), "--format", "json", "-q"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert [p["tweets"] for p in result["papers"]] == [258, 3]
    test = result["tests"][0]
    assert {"metric", "groups", "n", "statistic", "p_value", "effect_size"} <= set(test)
    assert test["groups"] == ["nlp", "other"] and test["n"] == [1, 1]
    assert main(["report", str(SAMPLE), "-o", str(out), "--graphs", "lots", "-q"]) == 2


@pytest.fixture(scope="module")
def chrome():
    import browser

    yield from browser.session()


@pytest.mark.browser
def test_table_pages_and_sorts_in_a_browser(chrome, reports):
    import browser

    page = reports[0] / "index.html"
    ready = 'document.getElementById("page-info").textContent.startsWith("papers")'
    browser.load(chrome, page, ready=ready)

    def first_id():
        return chrome.execute_script(
            'return document.querySelector("#papers tbody tr td").textContent'
        )

    assert first_id() == "56155705"  # most tweets first
    chrome.execute_script("document.querySelector(\"#papers th[data-col='3']\").click()")
    assert first_id() == ODD_ID  # tweets ascending; shown as text, not markup
    info = chrome.execute_script('return document.getElementById("page-info").textContent')
    assert info == "papers 1-2 of 2 (page 1 of 1)"
    assert browser.requests_to_hosts(chrome) == []
    assert browser.console_errors(chrome) == []


def test_report_mixes_sources_one_row_per_paper(tmp_path):
    """Details-page and Altmetric API files together: tweets = records in each file."""
    from conftest import FIXTURES

    api = FIXTURES / "altmetric_api_357137.json"
    doc = json.loads(api.read_text(encoding="utf-8"))
    expected = {str(doc["altmetric_id"]): len(doc["posts"]["twitter"]), "56155705": 258}
    result = report([SAMPLE, api], tmp_path / "out", workers=1)
    table = pd.read_csv(tmp_path / "out" / "papers.csv", dtype={"citation_id": str})
    assert dict(zip(table["citation_id"], table["tweets"], strict=True)) == expected
    assert expected["357137"] == 30
    assert result.log.records == 288


def test_report_names_the_reconstruction_method(tmp_path):
    serial = report([SAMPLE], tmp_path / "credited", workers=1)
    rebuilt = report(
        [SAMPLE],
        tmp_path / "influence",
        workers=1,
        options=ReadOptions(reconstruction=Reconstruction("influence")),
    )
    assert "parents: credited" in (tmp_path / "credited" / "index.html").read_text("utf-8")
    assert "parents: influence" in (tmp_path / "influence" / "index.html").read_text("utf-8")
    # Credited native retweets are stars; the reconstruction unfolds them into deeper trees.
    assert serial.cascades["depth"].max() == 1
    assert rebuilt.cascades["depth"].max() > 1
    assert rebuilt.cascades["size"].sum() == serial.cascades["size"].sum() == 258


def test_group_tests_in_the_report_have_hand_computed_values(tmp_path):
    """Three papers per group, group b always larger: every statistic is known by hand."""
    folder = tmp_path / "in"
    folder.mkdir()
    sizes = {"a1": 1, "a2": 2, "a3": 3, "b1": 4, "b2": 5, "b3": 6}
    for cid, n in sizes.items():
        tweets = {f"{cid}-{i}": (f"@u{i}", 10, f"2020-01-01 00:0{i}:00", "x") for i in range(n)}
        write_paper(folder / f"{cid}.json", tweets, citation_id=cid)
    groups = tmp_path / "g.csv"
    groups.write_text("citation_id,group\n" + "".join(f"{c},{c[0]}\n" for c in sizes))
    out = report(folder, tmp_path / "r", groups=groups, workers=1)
    tests = out.tests.set_index(["metric", "test"])
    mw = tests.loc[("tweets", "mann-whitney")]
    # U of group a: no a paper beats a b paper; exact two-sided p = 2 / C(6, 3) = 0.1.
    assert mw["statistic"] == 0.0 and mw["effect_size"] == -1.0
    assert mw["p_value"] == pytest.approx(0.1)
    assert (mw["median_a"], mw["median_b"], mw["n"]) == (2.0, 5.0, (3, 3))
    ks = tests.loc[("tweets", "ks")]
    # The two empirical distributions do not overlap: D = 1, exact p = 2 / C(6, 3) = 0.1.
    assert ks["statistic"] == 1.0 and ks["p_value"] == pytest.approx(0.1)
    assert out.warnings == []


def test_index_table_data_by_column_equals_by_value():
    # The page's table data is built a column at a time: the values must be _json_value's.
    from cascade.render.index import _json_column, _json_value

    frame = pd.DataFrame(
        {
            "i": [1, 2, 3],
            "f": [1.0, np.nan, 2.5],
            "b": [True, False, True],
            "t": pd.to_datetime(["2020-01-01 10:11:00", None, "2021-06-30 23:59:59"], utc=True),
            "s": pd.array(["a", None, "=1+1"], dtype="str"),
            "o": [None, 3, "x"],
            "n": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    for name in frame:
        by_value = [_json_value(v) for v in frame[name].tolist()]
        got = _json_column(frame[name])
        assert [type(v) for v in got] == [type(v) for v in by_value], name
        assert [repr(v) for v in got] == [repr(v) for v in by_value], name
    assert _json_column(frame["t"]) == ["2020-01-01 10:11", None, "2021-06-30 23:59"]
