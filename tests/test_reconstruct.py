"""Tests of cascade.reconstruct and the Weibo path reader (cascade.io.weibo)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cascade
from cascade.cli import main
from cascade.ground_truth import true_parents
from cascade.io import TEXT_FORMATS
from cascade.io.records import InputError, PaperRecords
from cascade.io.weibo import sniff_text
from cascade.metrics import forest
from cascade.reconstruct import (
    Reconstructed,
    estimate_alpha,
    expected_influence,
    load_follow_graph,
    parent_probabilities,
    pdi_metrics,
    reconstruct_paper,
    sample_parents,
    sampled_metrics,
)
from cascade.resolve import resolve

WEIBO = Path(__file__).parent / "fixtures" / "weibo_sample.txt"
RATE = -6.8e-5


def tiny(times=(0, 1, 2), followers=(3.0, 1.0, 1.0)) -> cascade.Paper:
    """A root and native retweets crediting it."""
    r = PaperRecords("tiny", "test")
    for k, (t, f) in enumerate(zip(times, followers)):
        if k == 0:
            r.add("0", "Root", t, f, "post")
        else:
            r.add(str(k), f"u{k}", t, f, "RT @Root: post", ref_id="0", ref_kind="retweet")
    return resolve(r)


# --- the Weibo reader ------------------------------------------------------------------------


def test_weibo_reader_reproduces_root_attribution_share():
    corpus = cascade.read(WEIBO)
    papers = list(corpus)
    assert len(papers) == 30
    assert corpus.log.records == corpus.log.used == 7147
    assert corpus.log.files[str(WEIBO)].format == "weibo-paths"
    retweets = right = 0
    for p in papers:
        parent, exact = true_parents(p)
        assert np.all(parent < np.arange(len(p)))
        rt = p.parent >= 0
        retweets += int(rt.sum())
        right += int((rt & exact & (parent == p.parent)).sum())
    assert (retweets, right) == (7117, 4595)
    assert round(100 * right / retweets, 1) == 64.6


def test_weibo_reader_orders_parent_first_and_counts_bad_records():
    data = b"9\t5\t1000\t4\t5:0 5/7/8:10 5/7:10 5/x:oops\nnot a cascade\n"
    corpus = list(TEXT_FORMATS["weibo-paths"].read("w.txt", data=data))
    assert corpus[0].skipped == {"malformed adoption": 1}
    assert corpus[1].skipped == {"malformed cascade line": 1}
    paper = resolve(corpus[0])
    # 5/7 and 5/7/8 share a second: the parent still comes first.
    assert paper.text.tolist() == ["5", "5/7", "5/7/8"]
    assert paper.parent.tolist() == [-1, 0, 0]  # credited: native retweets credit the root
    assert true_parents(paper)[0].tolist() == [-1, 0, 1]
    assert sniff_text(data.decode()) and not sniff_text("a,b\n")


# --- exact probabilities by hand -------------------------------------------------------------


def test_pdi_probabilities_by_hand():
    # Retweet 2 at t=2: followers part 3/4, 1/4; time part gaps 2, 1 -> g = 1/2, 1 -> 1/3, 2/3.
    table = parent_probabilities(tiny(), "pdi", gamma=0.5, alpha=1.0)
    assert table[["child", "parent"]].values.tolist() == [[1, 0], [2, 0], [2, 1]]
    np.testing.assert_allclose(table["probability"], [1.0, 13 / 24, 11 / 24])


def test_pdi_representative_tree_is_the_modal_parent():
    tree = reconstruct_paper(tiny(), "pdi", samples=4000, seed=1, gamma=0.5, alpha=1.0)
    assert tree.parent.tolist() == [-1, 0, 0]  # 13/24 beats 11/24
    assert tree.probability[1] == 1.0
    assert tree.probability[2] == pytest.approx(13 / 24, abs=0.03)


def test_pdi_gaps_below_x_min_weigh_as_x_min():
    # Gaps 0 and 1 both weigh 1 (x_min = 1 s): the time part is uniform over two candidates.
    table = parent_probabilities(tiny(times=(5, 6, 6)), "pdi", gamma=0.0, alpha=2.0)
    np.testing.assert_allclose(table["probability"], [1.0, 0.5, 0.5])


def test_influence_probabilities_and_most_probable_tree_by_hand():
    p_root = 3 * math.exp(RATE) / (3 * math.exp(RATE) + 1)
    table = parent_probabilities(tiny(), "influence")
    np.testing.assert_allclose(table["probability"], [1.0, p_root, 1 - p_root])
    tree = reconstruct_paper(tiny(), "influence")
    assert tree.parent.tolist() == [-1, 0, 0]
    assert tree.method == "influence"
    assert tree.resolution.tolist() == ["", "influence", "influence"]
    np.testing.assert_allclose(tree.probability, [np.nan, 1.0, p_root])
    # Equal followers: the most recent participant wins.
    tree = reconstruct_paper(tiny(followers=(1.0, 1.0, 1.0)), "influence")
    assert tree.parent.tolist() == [-1, 0, 1]


def test_expected_influence_exact_by_hand():
    p_r1 = 1 / (3 * math.exp(RATE) + 1)  # P(retweet 2 came through retweet 1)
    series = expected_influence(tiny())
    assert series.name == "expected_influence"
    assert series.index.tolist() == ["root", "u1", "u2"]  # lower-case keys, by value
    np.testing.assert_allclose(series.to_numpy(), [2.0, p_r1, 0.0])


def _brute_force_descendants(paper, table) -> np.ndarray:
    """Expected descendants by enumerating every unfolding (product of parent choices)."""
    choices = {c: g for c, g in table.groupby("child")}
    children = sorted(choices)
    expect = np.zeros(len(paper))
    for combo in itertools.product(*[range(len(choices[c])) for c in children]):
        parent = paper.parent.copy()
        weight = 1.0
        for c, k in zip(children, combo):
            row = choices[c].iloc[k]
            parent[c] = row["parent"]
            weight *= row["probability"]
        expect += weight * (forest(parent)[2] - 1)
    return expect


def test_exact_recursion_matches_enumeration_with_fixed_hops_and_quotes():
    r = PaperRecords("p", "test")
    r.add("0", "a", 0, 50.0, "post")
    r.add("1", "b", 10, 5.0, "RT @a: post", ref_id="0", ref_kind="retweet")
    r.add("2", "c", 20, 500.0, "RT @b: RT @a: post")  # explicit hop: kept on b's retweet
    r.add("3", "d", 25, 1.0, "nice!", ref_id="1", ref_kind="quote")  # hangs under b's retweet
    r.add("4", "e", 40, 7.0, "RT @a: post", ref_id="0", ref_kind="retweet")
    r.add("5", "f", 3000, 2.0, "RT @a: post", ref_id="0", ref_kind="retweet")
    paper = resolve(r)
    assert paper.parent.tolist() == [-1, 0, 1, 1, 0, 0]
    table = parent_probabilities(paper, "influence")
    assert sorted(set(table["child"])) == [1, 4, 5]  # the hop and the quote are not re-parented
    assert 3 not in set(table["parent"])  # a quote is not a candidate
    by_tweet = _brute_force_descendants(paper, table)
    series = expected_influence(paper)
    for i, handle in enumerate("abcdef"):
        assert series[handle] == pytest.approx(by_tweet[i], rel=1e-12, abs=1e-12)
    tree = reconstruct_paper(paper, "pdi", samples=50)
    assert tree.parent[2] == 1 and tree.parent[3] == 1  # explicit edges untouched
    assert tree.resolution[2] == paper.resolution[2]
    assert np.isnan(tree.probability[[0, 2, 3]]).all()


def test_exact_and_sampled_influence_agree():
    rng = np.random.default_rng(5)
    times = np.cumsum(rng.integers(1, 20000, 12))
    paper = tiny(times=tuple(times.tolist()), followers=tuple(rng.lognormal(3, 1.5, 12)))
    exact = expected_influence(paper)
    sampled = expected_influence(paper, samples=20000, seed=3).reindex(exact.index)
    # Descendants lie in [0, 10], so a standard deviation is <= 5 and a standard error over
    # 20,000 samples <= 0.036: 0.15 is four of them.
    np.testing.assert_allclose(sampled.to_numpy(), exact.to_numpy(), atol=0.15)
    assert sampled["root"] == 11.0 and exact["root"] == pytest.approx(11.0)
    assert np.abs(sampled - exact).max() > 0  # really sampled


def test_sampler_frequencies_match_exact_probabilities():
    paper = tiny(times=(0, 4, 5, 30, 31, 500), followers=(100.0, 1.0, 20.0, 5.0, 1.0, 9.0))
    for method, options in [("pdi", {"gamma": 0.3, "alpha": 1.2}), ("influence", {})]:
        table = parent_probabilities(paper, method, **options)
        trees = sample_parents(paper, method, samples=40000, seed=7, **options)
        child, parent = table["child"].to_numpy(), table["parent"].to_numpy()
        freq = (trees[:, child] == parent[None, :]).mean(axis=0)
        p = table["probability"].to_numpy()
        # Four standard errors (plus a floor for p near 0 or 1).
        assert np.all(np.abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / 40000) + 1e-3)


# --- determinism, validity -------------------------------------------------------------------


def test_sampling_is_seeded_and_keeps_topological_order():
    paper = next(iter(cascade.read("examples/data")))
    a = sample_parents(paper, "pdi", samples=8, seed=4)
    b = sample_parents(paper, "pdi", samples=8, seed=4)
    c = sample_parents(paper, "pdi", samples=8, seed=5)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.all(a < np.arange(len(paper)))
    # Roots and cascades never change: every sampled tree keeps each tweet's root.
    root = forest(paper.parent)[1]
    assert all(np.array_equal(forest(t)[1], root) for t in a)
    t1 = reconstruct_paper(paper, "pdi", samples=30, seed=2)
    t2 = reconstruct_paper(paper, "pdi", samples=30, seed=2)
    assert np.array_equal(t1.parent, t2.parent)
    assert np.array_equal(t1.probability, t2.probability, equal_nan=True)
    free = t1.resolution == "pdi"
    assert free.sum() == 188 and np.all((t1.probability[free] > 0) & (t1.probability[free] <= 1))


def test_credited_is_the_identity_and_bad_arguments_fail():
    paper = tiny()
    assert reconstruct_paper(paper, "credited") is paper
    with pytest.raises(ValueError, match="unknown reconstruction method"):
        reconstruct_paper(paper, "magic")
    with pytest.raises(ValueError, match="follower graph"):
        reconstruct_paper(paper, "follow-graph")
    with pytest.raises(ValueError, match="gamma"):
        sample_parents(paper, "pdi", gamma=1.5)


# --- synthetic recovery ----------------------------------------------------------------------


def grow(kernel: str, seed: int, n_cascades: int = 20, size: int = 60, gamma=0.5, alpha=1.5):
    """Cascades grown by a known process: each retweet draws its true parent from ``kernel``'s
    distribution over the earlier participants; the records credit the root, as platforms do."""
    rng = np.random.default_rng(seed)
    records = PaperRecords("syn", "synthetic")
    truth, t0 = {}, 0
    for c in range(n_cascades):
        gaps = np.floor(rng.pareto(1.0, size - 1) * 30) + 1
        times = (t0 + np.cumsum(np.r_[0, gaps])).astype(np.int64)
        f = np.floor(rng.lognormal(4, 2, size)) + 1
        ids = [f"c{c}-{k}" for k in range(size)]
        records.add(ids[0], f"root{c}", int(times[0]), float(f[0]), f"post {c}")
        for i in range(1, size):
            gap = (times[i] - times[:i]).astype(float)
            if kernel == "pdi":
                g = np.maximum(gap, 1.0) ** -alpha
                p = gamma * f[:i] / f[:i].sum() + (1 - gamma) * g / g.sum()
            else:
                w = f[:i] * np.exp(RATE * gap)
                p = w / w.sum()
            truth[ids[i]] = ids[rng.choice(i, p=p)]
            records.add(
                ids[i], f"u{c}-{i}", int(times[i]), float(f[i]), f"RT @root{c}: post {c}",
                ref_id=ids[0], ref_kind="retweet",
            )  # fmt: skip
        t0 = int(times[-1]) + 1000
    return resolve(records), truth


def accuracy(paper, parent, truth) -> float:
    retweets = np.flatnonzero(paper.parent >= 0)
    return float(np.mean([paper.id[parent[i]] == truth[paper.id[i]] for i in retweets]))


@pytest.mark.parametrize("kernel", ["pdi", "influence"])
def test_matching_method_recovers_more_parents_than_root_attribution(kernel):
    # Measured: root attribution 4-10%, the matching method's tree 36-48%, its samples 23-34%
    # (seeds 0-2). Checked margins: +25 points for the tree, +15 for the mean over samples.
    paper, truth = grow(kernel, seed=1)
    root = accuracy(paper, paper.parent, truth)
    tree = reconstruct_paper(paper, kernel, samples=100, seed=0)
    assert accuracy(paper, tree.parent, truth) >= root + 0.25
    trees = sample_parents(paper, kernel, samples=30, seed=0)
    assert np.mean([accuracy(paper, t, truth) for t in trees]) >= root + 0.15


def test_follow_graph_recovers_parents_from_a_true_graph(tmp_path):
    paper, truth = grow("pdi", seed=2, n_cascades=5, size=30)
    index = {tid: i for i, tid in enumerate(paper.id)}
    path = tmp_path / "follows.csv"
    lines = ["follower,followee"]
    for child, parent in truth.items():
        lines.append(f"{paper.author[index[child]]},@{paper.author[index[parent]].upper()}")
    path.write_text("\n".join(lines) + "\n")
    tree = reconstruct_paper(paper, "follow-graph", follow_graph=path)
    assert accuracy(paper, tree.parent, truth) == 1.0
    assert tree.method == "follow-graph" and tree.probability is None
    # Nobody followed: every retweet keeps its credited root.
    empty = reconstruct_paper(paper, "follow-graph", follow_graph=[("nobody", "root0")])
    assert np.array_equal(empty.parent, paper.parent)


def test_follow_graph_picks_the_most_recent_followed_participant():
    paper = tiny(times=(0, 1, 2, 3), followers=(1.0, 1.0, 1.0, 1.0))
    tree = reconstruct_paper(paper, "follow-graph", follow_graph=[("u3", "root"), ("u3", "u1")])
    assert tree.parent.tolist() == [-1, 0, 0, 1]
    assert tree.resolution.tolist() == ["", "exact", "exact", "follow-graph"]


def test_load_follow_graph_errors_name_the_file(tmp_path):
    bad = tmp_path / "one.csv"
    bad.write_text("just_one_column\n")
    with pytest.raises(InputError, match="one.csv"):
        load_follow_graph(bad)
    with pytest.raises(InputError, match="missing.csv"):
        load_follow_graph(tmp_path / "missing.csv")


# --- sampled metrics, alpha ------------------------------------------------------------------


def test_sampled_metrics_of_a_forced_tree_have_no_spread():
    # One retweet has one candidate: every sample is the same star R -> A.
    table = sampled_metrics(tiny(times=(0, 5), followers=(1.0, 1.0)), samples=7)
    row = table.iloc[0]
    assert (row["size"], row["samples"], row["method"]) == (2, 7, "pdi")
    for m in ("depth", "max_breadth", "structural_virality"):
        assert row[f"{m}_mean"] == row[f"{m}_p05"] == row[f"{m}_p95"] == 1.0


def test_sampled_metrics_on_three_tweets_by_hand():
    # Retweet 2 picks the root (star: depth 1, breadth 2, virality 4/3) or retweet 1 (a path:
    # depth 2, breadth 1, virality 4/3). gamma=1, followers 1 and 1: each half the time.
    table = sampled_metrics(tiny(followers=(1.0, 1.0, 1.0)), "pdi", samples=4000, gamma=1.0)
    row = table.iloc[0]
    assert row["depth_mean"] == pytest.approx(1.5, abs=0.05)
    assert (row["depth_p05"], row["depth_p95"]) == (1.0, 2.0)
    assert row["structural_virality_mean"] == pytest.approx(4 / 3)


def test_estimate_alpha_closed_form():
    paper = tiny(times=(0, 1, 3, 7), followers=(1.0, 1.0, 1.0, 1.0))
    assert estimate_alpha(paper) == pytest.approx(1 + 3 / math.log(8))


# --- corpus wrapper and command line ---------------------------------------------------------


def test_reconstructed_corpus_and_cli(tmp_path, capsys):
    papers = Reconstructed(cascade.read("examples/data"), "influence")
    assert [p.method for p in papers] == ["influence"]
    assert papers.log.used == 258
    assert expected_influence(papers).equals(expected_influence(cascade.read("examples/data")))
    with pytest.raises(ValueError, match="credited papers"):
        expected_influence(next(iter(papers)))
    out = tmp_path / "m.csv"
    code = main(
        ["metrics", "examples/data", "--per", "cascade", "--reconstruct", "influence", "-q",
         "--format", "csv", "-o", str(out)]
    )  # fmt: skip
    assert code == 0
    credited = cascade.cascade_metrics(cascade.read("examples/data"))
    table = pd.read_csv(out)
    assert len(table) == len(credited) == 70
    assert table["depth"].max() > credited["depth"].max()
    assert main(["metrics", "examples/data", "--reconstruct", "follow-graph", "-q"]) == 2
    assert "--follow-graph" in capsys.readouterr().err


# --- one way to choose a reconstruction; the 0.1 spellings warn ------------------------------


def test_every_entry_point_shares_the_reconstruction_defaults():
    import dataclasses
    import inspect

    from cascade.reconstruct import Reconstruction, sample_parents

    defaults = {f.name: f.default for f in dataclasses.fields(Reconstruction)}
    assert defaults["method"] == "pdi"
    for func in (reconstruct_paper, sample_parents, sampled_metrics, parent_probabilities):
        params = inspect.signature(func).parameters
        shared = [name for name in params if name in defaults]
        assert "method" in shared and len(shared) >= 2, func.__name__
        for name in shared:
            assert params[name].default == defaults[name], (func.__name__, name)


def test_reconstruction_checks_its_parameters_once():
    from cascade.reconstruct import Reconstruction

    with pytest.raises(ValueError, match="unknown reconstruction method 'magic'"):
        Reconstruction("magic")
    with pytest.raises(ValueError, match=r"gamma must be in \[0, 1\], not -0.5"):
        Reconstruction(gamma=-0.5)
    with pytest.raises(ValueError, match="samples must be >= 1"):
        Reconstruction(samples=0)
    with pytest.raises(ValueError, match="--follow-graph FILE"):
        Reconstruction("follow-graph")


def test_reconstructed_takes_a_reconstruction_or_a_method():
    from cascade.reconstruct import Reconstruction

    paper = next(iter(cascade.read("examples/data")))
    by_value = next(iter(Reconstructed([paper], Reconstruction("influence", beta=0.5))))
    by_name = next(iter(Reconstructed([paper], "influence", beta=0.5)))
    direct = reconstruct_paper(paper, "influence", beta=0.5)
    assert np.array_equal(by_value.parent, direct.parent)
    assert np.array_equal(by_name.parent, direct.parent)
    assert not np.array_equal(direct.parent, reconstruct_paper(paper, "influence").parent)
    with pytest.raises(TypeError, match="not both"):
        Reconstructed([paper], Reconstruction("influence"), beta=2.0)


def test_old_reconstruct_name_warns_and_gives_the_same_tree():
    from cascade.reconstruct import reconstruct

    paper = next(iter(cascade.read("examples/data")))
    with pytest.warns(
        DeprecationWarning, match=r"reconstruct\(\) is deprecated: use reconstruct_paper"
    ):
        old = reconstruct(paper, "pdi", samples=10, seed=3)
    new = reconstruct_paper(paper, "pdi", samples=10, seed=3)
    assert np.array_equal(old.parent, new.parent)
    assert np.array_equal(old.probability, new.probability, equal_nan=True)
    assert cascade.reconstruct_paper is reconstruct_paper
    assert cascade.Reconstruction is cascade.reconstruct.Reconstruction


def test_pdi_metrics_and_batch_warn_and_give_the_same_table():
    paper = next(iter(cascade.read("examples/data")))
    expected = sampled_metrics(paper, "pdi", samples=6, seed=2, gamma=0.2, batch_size=4)
    with pytest.warns(DeprecationWarning, match=r"pdi_metrics\(\) is deprecated"):
        old = pdi_metrics(paper, samples=6, seed=2, gamma=0.2)
    pd.testing.assert_frame_equal(old, expected)
    with pytest.warns(DeprecationWarning, match=r"sampled_metrics\(batch=\.\.\.\) is deprecated"):
        batched = sampled_metrics(paper, "pdi", samples=6, seed=2, gamma=0.2, batch=4)
    pd.testing.assert_frame_equal(batched, expected)
    with pytest.raises(TypeError, match="both batch_size= and its old name batch="):
        sampled_metrics(paper, samples=6, batch=4, batch_size=4)


def test_old_read_options_spelling_warns_and_reads_the_same_papers():
    from cascade.io import ReadOptions
    from cascade.io.options import legacy_options
    from cascade.reconstruct import Reconstruction

    new = ReadOptions(reconstruction=Reconstruction("influence", beta=0.5))
    with pytest.warns(DeprecationWarning, match=r"ReadOptions\(reconstruct=\.\.\."):
        old = ReadOptions(reconstruct="influence", reconstruct_options={"beta": 0.5})
    assert old == new and old.method == new.method == "influence"
    assert old.reconstruct is None and old.reconstruct_options is None
    (a,), (b,) = list(old.open("examples/data")), list(new.open("examples/data"))
    assert np.array_equal(a.parent, b.parent) and a.method == "influence"
    with pytest.warns(DeprecationWarning):
        assert ReadOptions(reconstruct="credited").reconstruction is None
    assert ReadOptions(reconstruction=Reconstruction("credited")).reconstruction is None
    with pytest.raises(TypeError, match="not both"):
        ReadOptions(reconstruct="pdi", reconstruction=Reconstruction("pdi"))
    # report(reconstruct=...) of 0.1 warns once, for the old keywords.
    with pytest.warns(DeprecationWarning) as caught:
        legacy = legacy_options(None, {"reconstruct": "influence"}, "report")
    assert len(caught) == 1 and legacy.method == "influence"
