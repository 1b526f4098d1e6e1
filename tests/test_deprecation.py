"""The 0.1 spellings kept for one release: each gives what the new name gives, with a warning."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import cascade
from cascade.cli import main

SAMPLE = "examples/data"


@pytest.fixture(scope="module")
def sample() -> cascade.Paper:
    return next(iter(cascade.read(SAMPLE)))


def test_both_spellings_at_once_is_an_error(sample):
    with pytest.raises(TypeError, match=r"got both top_users= and its old name top="):
        cascade.rank_users(sample, top=2, top_users=2)


def test_rank_users_top(sample):
    new = cascade.rank_users(sample, top_users=2)
    with pytest.warns(DeprecationWarning, match=r"rank_users\(top=\.\.\.\).*top_users="):
        old = cascade.rank_users(sample, top=2)
    assert len(new) == 2
    pd.testing.assert_frame_equal(old, new)


def test_to_html_top(sample):
    new = cascade.to_html(sample, max_nodes=5)
    with pytest.warns(DeprecationWarning, match=r"to_html\(top=\.\.\.\).*max_nodes="):
        old = cascade.to_html(sample, top=5)
    assert old == new and "outside the top 5 by retweets received (--max-nodes 5)" in new


def test_growth_section_top(sample):
    from cascade.render.growth import growth_data, growth_section

    data = growth_data([sample])
    new = growth_section(*data, n_papers=1)
    with pytest.warns(DeprecationWarning, match=r"growth_section\(top=\.\.\.\).*n_papers="):
        old = growth_section(*data, top=1)
    assert old.html == new.html and new.html.count("<tr>") == 2  # header and the one paper


def test_export_to(sample, tmp_path):
    from cascade.export import export

    with pytest.warns(DeprecationWarning, match=r"export\(to=\.\.\.\).*format="):
        assert export(sample, tmp_path / "old", to="gml") == [str(tmp_path / "old")]
    export(sample, tmp_path / "new", format="gml")
    assert (tmp_path / "old").read_bytes() == (tmp_path / "new").read_bytes()


def test_report_top(monkeypatch, tmp_path):
    import cascade.report as report_module

    seen = []

    def fake_build(*args, **kwargs):
        seen.append(kwargs["n_listed"])
        raise RuntimeError("stop here")

    monkeypatch.setattr(report_module, "_build", fake_build)
    for kwargs in ({"n_listed": 7}, {"top": 7}):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError, match="stop here"):
                report_module.report(SAMPLE, tmp_path / "r", workers=1, **kwargs)
        assert [w.category for w in caught] == ([DeprecationWarning] if "top" in kwargs else [])
    assert seen == [7, 7]


@pytest.mark.parametrize(
    ("old", "new", "keyword"),
    [
        (["rank", SAMPLE, "--top", "2"], "--top-users", "top_users"),
        (["graph", SAMPLE, "--top", "2", "-o", "x.html"], "--max-nodes", "max_nodes"),
        (["report", SAMPLE, "--top", "2", "-o", "r"], "--listed", "n_listed"),
        (["export", SAMPLE, "--to", "csv", "-o", "x"], "--format", "format"),
    ],
)
def test_cli_old_options(old, new, keyword, monkeypatch, capsys):
    """Each old option sets its new one, with one warning on standard error."""
    import cascade.export
    import cascade.rank
    import cascade.render.html
    import cascade.report

    calls: list[dict] = []

    def fake(*args, **kwargs):
        calls.append(kwargs)
        raise RuntimeError("stop here")

    where = {
        "rank": (cascade.rank, "rank_users"),
        "graph": (cascade.render.html, "to_html"),
        "report": (cascade.report, "report"),
        "export": (cascade.export, "export"),
    }
    module, name = where[old[0]]
    monkeypatch.setattr(module, name, fake)
    assert main([*old, "-q"]) == 1  # the fake stops the run
    err = capsys.readouterr().err
    flag = old[2]
    assert f"cascade: warning: {flag} is deprecated, use {new}" in err
    value = {"--top": 2, "--to": "csv"}[flag]
    assert calls[0][keyword] == value
    assert main([*[a for a in old if a not in (flag, str(value))], new, str(value), "-q"]) == 1
    assert "deprecated" not in capsys.readouterr().err
    assert calls[1] == calls[0]


def test_weibo_true_parents_moved():
    from cascade.ground_truth import true_parents

    with pytest.warns(DeprecationWarning, match=r"cascade\.io\.weibo\.true_parents is deprecated"):
        from cascade.io.weibo import true_parents as old
    assert old is true_parents
    import cascade.io.weibo as weibo

    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        weibo.nothing  # noqa: B018
