"""Group tests, size-matched tests and audience overlap on constructed cases with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cascade import compare
from cascade.compare.group_tests import holm
from cascade.compare.size_matched import van_elteren
from cascade.io.records import InputError


def _papers(a: np.ndarray, b: np.ndarray, metric: str = "tweets"):
    n = len(a) + len(b)
    table = pd.DataFrame({"citation_id": [f"p{i}" for i in range(n)], metric: np.r_[a, b]})
    groups = {f"p{i}": ("a" if i < len(a) else "b") for i in range(n)}
    return table, groups


def test_different_distributions_give_small_p():
    rng = np.random.default_rng(42)
    table, groups = _papers(rng.normal(0, 1, 40), rng.normal(1.5, 1, 40))
    result = compare.group_tests(table, groups, ["tweets"]).set_index("test")
    assert result.loc["mann-whitney", "p_value"] < 0.01
    assert result.loc["ks", "p_value"] < 0.01
    assert result.loc["mann-whitney", "effect_size"] < -0.5  # group a is smaller
    assert result.loc["mann-whitney", "groups"] == ("a", "b")
    assert result.loc["mann-whitney", "n"] == (40, 40)


def test_identical_distributions_give_large_p():
    rng = np.random.default_rng(0)
    table, groups = _papers(rng.normal(0, 1, 40), rng.normal(0, 1, 40))
    result = compare.group_tests(table, groups, ["tweets"]).set_index("test")
    assert result.loc["mann-whitney", "p_value"] > 0.05
    assert result.loc["ks", "p_value"] > 0.05
    assert abs(result.loc["mann-whitney", "effect_size"]) < 0.3


def test_false_positive_rate_is_about_five_percent():
    # Under the null the tests reject at 5% about 5% of the time (200 seeded replicates).
    rng = np.random.default_rng(11)
    rejected = 0
    for _ in range(200):
        table, groups = _papers(rng.exponential(1, 30), rng.exponential(1, 30))
        p = compare.group_tests(table, groups, ["tweets"])["p_value"].to_numpy()
        rejected += p[0] < 0.05
    assert 2 <= rejected <= 20


def test_effect_sizes_by_hand():
    # a = [1, 3], b = [2]: pairs (1, 2) -> a smaller, (3, 2) -> a larger: U_a = 1, r = 0.
    table, groups = _papers(np.array([1.0, 3.0]), np.array([2.0]))
    r = compare.group_tests(table, groups, ["tweets"]).set_index("test")
    assert r.loc["mann-whitney", "statistic"] == 1.0
    assert r.loc["mann-whitney", "effect_size"] == 0.0
    # KS distance: ECDFs of [1, 3] and [2] differ by 1/2 at most.
    assert r.loc["ks", "statistic"] == 0.5
    assert r.loc["ks", "effect_size"] == 0.5
    assert (r["median_a"] == 2.0).all() and (r["median_b"] == 2.0).all()


def test_nan_values_are_left_out_and_papers_without_group_ignored():
    table = pd.DataFrame(
        {"citation_id": ["1", "2", "3", "4", "5"], "reach": [1.0, np.nan, 5.0, 6.0, 100.0]}
    )
    r = compare.group_tests(table, {"1": "x", "2": "x", "3": "y", "4": "y"}, ["reach"])
    assert r["n"].tolist() == [(1, 2), (1, 2)]


def test_three_groups_give_every_pair_and_holm():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"citation_id": [str(i) for i in range(30)], "users": rng.random(30)})
    groups = {str(i): "abc"[i % 3] for i in range(30)}
    r = compare.group_tests(table, groups, ["users"])
    assert sorted(set(r["groups"])) == [("a", "b"), ("a", "c"), ("b", "c")]
    mw = r[r["test"] == "mann-whitney"]
    assert (mw["p_holm"] >= mw["p_value"]).all()


def test_holm_by_hand():
    assert holm(np.array([0.01, 0.04, 0.03])).tolist() == pytest.approx([0.03, 0.06, 0.06])


def test_distributions_match_numpy():
    values = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    row = compare.distributions(pd.DataFrame({"tweets": values}), ["tweets"]).iloc[0]
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    assert (row["n"], row["q1"], row["median"], row["q3"]) == (8, q1, med, q3)
    assert (row["min"], row["max"], row["mean"]) == (1.0, 9.0, values.mean())


def _cascades(rng, sizes_a, sizes_b):
    """Virality depends only on the size bin (plus noise): equal within bins by construction."""
    sizes = np.r_[sizes_a, sizes_b]
    level = np.floor(np.log2(sizes))
    virality = level + rng.normal(0, 0.5, sizes.size)
    n_a = len(sizes_a)
    cid = np.where(np.arange(sizes.size) < n_a, "A", "B")
    return pd.DataFrame(
        {
            "citation_id": cid,
            "size": sizes,
            "depth": level.astype(int),
            "structural_virality": virality,
        }
    )


def test_size_matched_difference_vanishes():
    # Group A has mostly big cascades, group B mostly small ones; within a size bin they are
    # drawn alike. The naive comparison finds a difference; the size-matched one must not.
    rng = np.random.default_rng(3)
    sizes_a = np.r_[rng.integers(4, 8, 20), rng.integers(32, 64, 80)]
    sizes_b = np.r_[rng.integers(4, 8, 80), rng.integers(32, 64, 20)]
    table = _cascades(rng, sizes_a, sizes_b)
    r = compare.size_matched(table, {"A": "a", "B": "b"}, ["structural_virality"])
    r = r.set_index("size_bin")
    assert r.loc["all sizes", "p_value"] < 0.01
    assert r.loc["size-matched", "p_value"] > 0.05
    assert set(r.index) == {"4-7", "32-63", "all sizes", "size-matched"}
    assert r.loc["4-7", "n"] == (20, 80)
    assert r.loc["size-matched", "n"] == (100, 100)


def test_size_matched_finds_a_real_difference():
    rng = np.random.default_rng(5)
    sizes = rng.integers(4, 64, 200)
    table = _cascades(rng, sizes[:100], sizes[100:])
    table.loc[:99, "structural_virality"] += 1.0  # A is more viral at every size
    r = compare.size_matched(table, {"A": "a", "B": "b"}, ["structural_virality"])
    matched = r[r["size_bin"] == "size-matched"].iloc[0]
    assert matched["p_value"] < 0.01
    assert matched["effect_size"] > 0.5


def test_van_elteren_with_one_stratum_is_the_normal_mann_whitney():
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 5, 30).astype(float), rng.integers(1, 6, 25).astype(float)
    z, p = van_elteren([(x, y)])
    expected = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=False).pvalue
    assert p == pytest.approx(expected, rel=1e-9)


def test_size_bins_and_singletons_left_out():
    assert compare.size_bins(64) == [2, 4, 8, 16, 32, 64, 128]
    table = pd.DataFrame(
        {"citation_id": ["A"] * 4 + ["B"] * 4, "size": [1, 1, 2, 3] * 2, "depth": [0, 0, 1, 1] * 2}
    )
    r = compare.size_matched(table, {"A": "a", "B": "b"}, ["depth"], min_per_group=1)
    assert r.set_index("size_bin").loc["all sizes", "n"] == (2, 2)


def test_audience_overlap_by_hand():
    pu = pd.DataFrame(
        {
            "citation_id": ["a"] * 5 + ["b"] * 5 + ["c"] * 5 + ["d"],
            "user": list("uvwxy") + list("uvwxz") + list("pqrsu") + ["u"],
        }
    )
    out = compare.audience_overlap(pu, min_users=5)
    assert out[["paper_a", "paper_b", "shared"]].values.tolist() == [
        ["a", "b", 4],
        ["a", "c", 1],
        ["b", "c", 1],
    ]
    assert out["jaccard"].tolist() == pytest.approx([4 / 6, 1 / 9, 1 / 9])
    assert len(compare.audience_overlap(pu, min_users=5, max_papers=2)) == 1


def test_spreaders_counts_papers():
    pu = pd.DataFrame(
        {"citation_id": list("abcab"), "user": list("xxxyy"), "handle": list("XXXYY"), "tweets": 1}
    )
    out = compare.spreaders(pu)
    assert out[["user", "handle", "papers", "tweets"]].values.tolist() == [
        ["x", "X", 3, 3],
        ["y", "Y", 2, 2],
    ]


def _overlap_reference(pu, top, max_papers, min_users):
    # The definition in pandas: distinct pairs, papers by users then id, every pair of them.
    pairs = pu[["citation_id", "user"]].drop_duplicates()
    users = pairs.groupby("citation_id")["user"].apply(set)
    users = users[users.map(len) >= min_users]
    chosen = sorted(users.index, key=lambda c: (-len(users[c]), c))[:max_papers]
    rows = []
    for i, a in enumerate(sorted(chosen)):
        for b in sorted(chosen)[i + 1 :]:
            shared = len(users[a] & users[b])
            if shared:
                union = len(users[a]) + len(users[b]) - shared
                rows.append([a, b, len(users[a]), len(users[b]), shared, shared / union])
    rows.sort(key=lambda r: (-r[5], -r[4], r[0], r[1]))
    return rows[:top]


def _spreaders_reference(pu, top):
    table = pu.drop_duplicates(["citation_id", "user"])
    rows = []
    for user, part in table.groupby("user"):
        rows.append([user, part["handle"].iloc[0], part["citation_id"].nunique(),
                     int(part["tweets"].sum()), int(part["retweets_received"].sum())])  # fmt: skip
    rows.sort(key=lambda r: (-r[2], -r[3], r[0]))
    return rows[:top]


_PAPER_USERS = st.lists(
    st.tuples(st.sampled_from("abcdef"), st.sampled_from("uvwxyzq"), st.integers(0, 3),
              st.integers(0, 2)),
    max_size=60,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(_PAPER_USERS, st.integers(1, 6), st.integers(2, 6), st.integers(1, 3))
def test_audience_overlap_matches_its_definition(rows, top, max_papers, min_users):
    pu = pd.DataFrame(rows, columns=["citation_id", "user", "tweets", "retweets_received"])
    out = compare.audience_overlap(pu, top=top, max_papers=max_papers, min_users=min_users)
    assert out.values.tolist() == _overlap_reference(pu, top, max_papers, min_users)


@settings(max_examples=200, deadline=None)
@given(_PAPER_USERS, st.integers(1, 6))
def test_spreaders_match_their_definition(rows, top):
    pu = pd.DataFrame(rows, columns=["citation_id", "user", "tweets", "retweets_received"])
    pu["handle"] = pu["user"].str.upper() + pu["tweets"].astype(str)  # the first one counts
    out = compare.spreaders(pu, top=top)
    assert out.values.tolist() == _spreaders_reference(pu, top)


def test_read_groups(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("citation_id,group,extra\n1,oa,z\n2,closed,\n3,,\n1,oa,\n", encoding="utf-8")
    groups = compare.read_groups(path)
    assert groups.to_dict() == {"1": "oa", "2": "closed"}
    path.write_text("id,group\n1,oa\n", encoding="utf-8")
    with pytest.raises(InputError, match="citation_id,group"):
        compare.read_groups(path)
    path.write_text("citation_id,group\n1,oa\n1,closed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"g.csv:3: .*two groups"):
        compare.read_groups(path)


def test_scipy_stats_is_imported_only_when_a_group_test_runs():
    import subprocess
    import sys

    code = (
        "import sys, pandas as pd\n"
        "from cascade import compare\n"
        "t = pd.DataFrame({'citation_id': list('abcd'), 'tweets': [1, 2, 3, 4]})\n"
        "g = dict(a='x', b='x', c='y', d='y')\n"
        "compare.distributions(t, ['tweets']); compare.group_summary(t, g, ['tweets'])\n"
        "compare.check_groups(t, g)\n"
        "compare.spreaders(pd.DataFrame({'citation_id': ['a'], 'user': ['u']}))\n"
        "print('scipy.stats' in sys.modules)\n"
        "compare.group_tests(t, g, ['tweets'])\n"
        "print('scipy.stats' in sys.modules)\n"
        "print(compare.rank_by_predicted.__module__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "cascade.predict.cascades"]


def test_old_papers_keyword_warns_and_gives_the_same_table():
    table, groups = _papers(np.array([1.0, 3.0, 5.0]), np.array([2.0, 8.0]))
    calls = [
        (compare.distributions, {"metrics": ["tweets"]}),
        (compare.group_summary, {"groups": groups, "metrics": ["tweets"]}),
        (compare.group_tests, {"groups": groups, "metrics": ["tweets"]}),
    ]
    for func, kwargs in calls:
        expected = func(table, **kwargs)
        with pytest.warns(DeprecationWarning, match=rf"{func.__name__}\(papers=\.\.\.\)"):
            old = func(papers=table, **kwargs)
        pd.testing.assert_frame_equal(old, expected)
        pd.testing.assert_frame_equal(func(table=table, **kwargs), expected)
    with pytest.warns(DeprecationWarning, match=r"check_groups\(papers=\.\.\.\)"):
        assert compare.check_groups(papers=table, groups={"p9": "z"}) == compare.check_groups(
            table, {"p9": "z"}
        )
    with pytest.raises(TypeError, match="both table= and its old name papers="):
        compare.distributions(table=table, papers=table)
