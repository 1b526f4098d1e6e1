"""SEISMIC final-size prediction: oracle values, closed forms, simulated cascades, real data."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
import pytest
from conftest import FIXTURES, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

import cascade
from cascade.cli import duration, main
from cascade.metrics import cascade_metrics, forest
from cascade.predict import (
    REASONS,
    infectiousness,
    kernel_integral,
    memory_ccdf,
    memory_pdf,
    predict_cascades,
    predict_final_size,
    predict_many,
)
from cascade.predict.seismic import S0, THETA, C, _segment_estimates
from cascade.predict.simulate import simulate_cascades

TOY_T = [0, 600, 1200, 1800, 2700, 3600]
TOY_N = [5000, 800, 50, 300, 20, 10]
OPTIONS = {
    "n_star": 100.0,
    "estimator": "seismic",
    "max_window": 7200.0,
    "min_window": 300.0,
    "min_count": 5,
    "quantiles": (0.05, 0.95),
    "interval": "package",
    "theta": THETA,
    "s0": S0,
    "c": C,
}


# --- the toy cascade -------------------------------------------------------------------


def test_toy_cascade_package_estimate():
    row = predict_final_size(TOY_T, TOY_N, 3600).iloc[0]
    assert round(row.infectiousness, 6) == 0.001967
    assert round(row.infectiousness_low, 6) == 0.000672
    assert round(row.infectiousness_high, 6) == 0.003813
    assert round(row.predicted_retweets, 3) == 12.037
    assert row.retweets_observed == 5  # the reshare at exactly t counts in R_t ...
    assert row.reshares_in_window == 4  # ... but not in the estimate of p
    # 5 posts before t (< 6): the window reaches back to the original.
    assert row.window_s == 3600.0
    assert not row.supercritical


def test_toy_cascade_constant_p_mle():
    row = predict_final_size(TOY_T, TOY_N, 3600, estimator="mle").iloc[0]
    assert round(row.infectiousness, 6) == 0.001512
    assert round(row.predicted_retweets, 3) == 10.121
    # The hand-derived form: R_T / sum n_i (1 - Phi(T - t_i)).
    t, n = np.array(TOY_T, float), np.array(TOY_N, float)
    assert row.infectiousness == pytest.approx(5 / np.sum(n * (1 - memory_ccdf(3600 - t))))


def test_reshares_in_any_order_and_shifted_times_give_the_same():
    a = predict_final_size(TOY_T, TOY_N, [1800, 3600])
    order = [0, 5, 2, 4, 1, 3]
    b = predict_final_size(np.array(TOY_T)[order] + 1000.0, np.array(TOY_N)[order], [1800, 3600])
    pd.testing.assert_frame_equal(a, b)


def test_infectiousness_is_the_estimate_columns():
    table = infectiousness(TOY_T, TOY_N, [1200, 3600])
    assert list(table.columns) == [
        "at_s", "infectiousness", "infectiousness_low", "infectiousness_high",
        "reshares_in_window", "window_s",
    ]  # fmt: skip
    assert round(float(table.infectiousness.iloc[1]), 6) == 0.001967


def test_bad_single_cascade_input_is_a_value_error():
    with pytest.raises(ValueError, match="before the original"):
        predict_final_size([10, 5], [1, 1], 60)
    with pytest.raises(ValueError, match="NaN"):
        predict_final_size([0, 5], [1, np.nan], 60)
    with pytest.raises(ValueError, match="positive"):
        predict_final_size([0, 5], [1, 1], 0)
    with pytest.raises(ValueError, match="estimator"):
        predict_final_size([0, 5], [1, 1], 60, estimator="x")


# --- the kernel and its integrals ----------------------------------------------------------------


def test_ccdf_is_the_mass_beyond_s():
    for s in (0.0, 120.0, 300.0):
        mass, _ = quad(lambda u: float(memory_pdf(u)), 0, s)
        assert float(memory_ccdf(s)) == pytest.approx(1 - mass, rel=1e-12, abs=1e-15)
    # Beyond s0 (the tail is too heavy for quadrature to infinity): differences of the survival.
    for a, b in ((300.5, 301.0), (301.0, 3600.0), (3600.0, 86400.0), (86400.0, 1e7)):
        mass, _ = quad(lambda u: float(memory_pdf(u)), a, b, epsrel=1e-12, limit=200)
        assert float(memory_ccdf(a) - memory_ccdf(b)) == pytest.approx(mass, rel=1e-9)
    # The package's constants make phi integrate to 1 up to 2e-7: the two pieces of the survival
    # meet at s0 up to that.
    assert C * S0 + C * S0 / THETA == pytest.approx(1.0, abs=1e-6)
    assert float(memory_ccdf(S0) - memory_ccdf(S0 + 1e-9)) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "at, t_i, w",
    [
        (3600.0, 600.0, 3600.0),  # post inside the window, past s0 at t
        (3600.0, 3500.0, 1800.0),  # within s0 of t
        (3600.0, 0.0, 1800.0),  # post before the window, window past s0
        (3600.0, 1700.0, 1800.0),  # window starts within s0 of the post
        (3600.0, 3600.0, 1800.0),  # post at t: 0
        (3600.0, 4000.0, 1800.0),  # post after t: 0
        (500.0, 400.0, 150.0),  # window shorter than s0 (not the package's defaults)
        (500.0, 100.0, 150.0),
        (86400.0, 1000.0, 7200.0),
        (200000.0, 10.0, 7200.0),
    ],
)
def test_kernel_integral_matches_quadrature(at, t_i, w):
    def f(t: float) -> float:
        return (1 - (at - t) / w) * float(memory_pdf(t - t_i))

    lo = max(at - w, t_i)
    expected = 0.0
    if lo < at:
        points = [t_i + S0] if lo < t_i + S0 < at else None
        expected, _ = quad(f, lo, at, points=points, epsabs=1e-14, epsrel=1e-12)
    assert float(kernel_integral(at, t_i, w)) == pytest.approx(expected, rel=1e-9, abs=1e-13)


def _package_integral(p: float, s: float, slope: float, w: float) -> float:
    """The package's case split (integral.memory.kernel), from its antiderivatives, one post."""

    def lin(t1, t2):  # integral of c (slope (t - p) + 1) from t1 to t2
        g = lambda t: C * (t - p * slope * t + slope * t * t / 2)  # noqa: E731
        return g(t2) - g(t1)

    def powr(t1, t2):  # integral of c ((t - s)/s0)^-(1+theta) (slope (t - p) + 1)
        def g(t):
            u = t - s
            return (
                C * S0 ** (1 + THETA) * u**-THETA
                * (s * slope - THETA + (THETA - 1) * p * slope - THETA * slope * t + 1)
                / ((THETA - 1) * THETA)
            )  # fmt: skip

        return g(t2) - g(t1)

    if p <= s:
        return 0.0
    if p <= s + S0:
        return lin(s, p)
    if p <= s + w:
        return lin(s, s + S0) + powr(s + S0, p)
    if p <= s + w + S0:
        return lin(p - w, s + S0) + powr(s + S0, p)
    return powr(p - w, p)


def _package_reference(times, followers, at):
    """p, its interval and the final size, literally step by step as the package computes them."""
    from scipy.stats import chi2

    out = []
    for p in at:
        w = min(max(p / 2, 300.0), 7200.0)
        if np.sum((times >= p - w) & (times < p)) < 5:
            before = np.flatnonzero(times < p)
            w = p - times[before[max(len(before) - 6, 0)]]
        exposure = sum(
            n * _package_integral(p, s, 1 / w, w) for s, n in zip(times, followers, strict=True)
        )
        tri = times[1:][(times[1:] >= p - w) & (times[1:] < p)]
        weighted = np.sum(1 / w * (tri - p) + 1)
        k = len(tri)
        est = weighted / exposure if weighted else 0.0
        lo = est * chi2.ppf(0.05, 2 * k) / (2 * k) if weighted else 0.0
        hi = est * chi2.ppf(0.95, 2 * k) / (2 * k) if weighted else 0.0
        now = times <= p
        rest = np.sum(followers[now] * est * memory_ccdf(p - times[now]))
        size = np.sum(now) - 1 + rest / (1 - est * 100)
        out.append((est, lo, hi, np.inf if est > 1 / 100 else size))
    return np.array(out)


def test_vectorised_equals_the_package_steps_on_real_cascades(sample_path):
    """The package's steps, one cascade at a time, at ages the R reference does not cover."""
    table = predict_cascades(cascade.read(sample_path), at=[1800, 3600, 21600, 86400], min_size=5)
    paper = next(iter(cascade.read(sample_path)))
    seconds = paper.time.astype(np.int64)
    checked = 0
    for root_id, rows in table.groupby("root_id", sort=False):
        root = int(np.flatnonzero(paper.id == root_id)[0])
        kids = np.flatnonzero(_descendant(paper.parent, root))
        times = np.concatenate([[0], np.sort(seconds[kids] - seconds[root])]).astype(float)
        order = np.argsort(seconds[kids], kind="stable")
        followers = np.concatenate([[paper.followers[root]], paper.followers[kids][order]])
        ref = _package_reference(times, followers, rows.at_s.to_numpy())
        ok = rows.reason.isna().to_numpy()
        got = rows[["infectiousness", "infectiousness_low", "infectiousness_high",
                    "predicted_retweets"]].to_numpy()[ok]  # fmt: skip
        np.testing.assert_allclose(got, ref[ok], rtol=1e-9)
        checked += int(ok.sum())
    assert checked == 31


def test_equals_the_r_package_on_real_twitter_cascades():
    """Values printed by the R package itself (seismic 1.1, R 4.2.2) on every real cascade of the
    samples with a prediction at 1 h, 6 h and 24 h: 756 (cascade, age) pairs, 6 supercritical."""
    ref = pd.read_csv(
        FIXTURES / "seismic_r_reference.csv", dtype={"citation_id": str, "root_id": str}
    )
    got = pd.concat(
        predict_cascades(cascade.read(ROOT / folder), at=sorted(ref.at_s.unique())).assign(
            folder=folder
        )
        for folder in ref.folder.unique()
    )
    got = got[got.reason.isna()]
    both = ref.merge(got, on=["folder", "citation_id", "root_id", "at_s"], suffixes=("_r", ""))
    assert len(both) == len(ref) == len(got) == 756
    for name in ("infectiousness", "infectiousness_low", "infectiousness_high"):
        np.testing.assert_allclose(both[name], both[name + "_r"], rtol=1e-9)
    finite = np.isfinite(both.predicted_retweets_r)
    assert (both.supercritical.to_numpy(bool) == ~finite).all() and (~finite).sum() == 6
    np.testing.assert_allclose(
        both.predicted_retweets[finite], both.predicted_retweets_r[finite], rtol=1e-9
    )


_CASCADE = st.lists(
    st.tuples(st.integers(0, 20_000), st.integers(1, 5000)), min_size=1, max_size=25
).map(lambda posts: (np.array([0] + sorted(t for t, _ in posts), float),
                     np.array([3000] + [n for _, n in posts], float)))  # fmt: skip


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.lists(_CASCADE, min_size=1, max_size=4), st.sampled_from([[600], [1800, 3600, 20000]]))
def test_many_cascades_at_once_equal_the_package_steps(cascades, at):
    times = np.concatenate([t for t, _ in cascades])
    followers = np.concatenate([n for _, n in cascades])
    offsets = np.concatenate([[0], np.cumsum([len(t) for t, _ in cascades])])
    table = predict_many(times, followers, offsets, at)
    for k, (t, n) in enumerate(cascades):
        rows = table[table.cascade == k]
        ref = _package_reference(t, n, at)
        some = np.array([np.any(t[1:] < a) for a in at])  # else: no reshare before t
        got = rows[["infectiousness", "infectiousness_low", "infectiousness_high",
                    "predicted_retweets"]].to_numpy()  # fmt: skip
        got = np.column_stack([got[:, :3], np.where(rows.supercritical, np.inf, got[:, 3])])
        np.testing.assert_allclose(got[some], ref[some], rtol=1e-9, atol=1e-15)
        assert (rows.retweets_observed.to_numpy() == [np.sum(t[1:] <= a) for a in at]).all()


def _descendant(parent: np.ndarray, root: int) -> np.ndarray:
    inside = np.zeros(len(parent), dtype=bool)
    inside[root] = True
    for i in range(root + 1, len(parent)):
        inside[i] = parent[i] >= 0 and inside[parent[i]]
    inside[root] = False
    return inside


def test_window_widens_to_the_sixth_most_recent_post():
    # 8 posts; at t = 10,000 s the window [5,000, 10,000) holds 2 posts: back to the 6th before t.
    times = [0, 100, 200, 300, 400, 500, 6000, 9000]
    row = predict_final_size(times, [100] * 8, 10000).iloc[0]
    assert row.window_s == 10000 - 200
    assert row.reshares_in_window == 6  # 200 (weight 0) to 9000
    # Without widening (min_count 1) the window is t / 2.
    assert predict_final_size(times, [100] * 8, 10000, min_count=1).window_s[0] == 5000


def test_supercritical_has_no_finite_prediction():
    times = np.arange(0, 1200, 20.0)
    row = predict_final_size(times, np.full(times.size, 10.0), 1200).iloc[0]
    assert row.infectiousness * 100 >= 1
    assert row.supercritical and np.isnan(row.predicted_retweets)
    assert row.predicted_high == np.inf


# --- cascades simulated from the model -----------------------------------------------------------


def _estimates(n, p, seed, root_followers, **options):
    times, followers, offsets, final = simulate_cascades(
        n, p, seed=seed, root_followers=root_followers
    )
    at = np.array([3600.0, 21600.0, 86400.0])
    est = _segment_estimates(times, followers, offsets, at, **(OPTIONS | options))
    return {k: v.reshape(-1, 3) for k, v in est.items()}, final


def _coverage(est, p):
    return ((est["infectiousness_low"] <= p) & (p <= est["infectiousness_high"])).mean(axis=0)


def test_simulated_large_cascades_recover_p():
    p = 0.003
    est, _ = _estimates(300, p, seed=2, root_followers=200_000.0)
    # Many reshares in the window: unbiased at 1 h and 6 h ...
    np.testing.assert_allclose(est["infectiousness"][:, :2].mean(axis=0) / p, 1.0, atol=0.03)
    # ... and the package's band covers p less often than its nominal 90%: the triangular
    # weights make Var = sum K^2 (theory for a flat rate: 2 Phi(1.645 / sqrt(4/3)) - 1 = 0.85).
    assert 0.76 <= _coverage(est, p)[0] <= 0.88
    effective, _ = _estimates(300, p, seed=2, root_followers=200_000.0, interval="effective")
    assert 0.86 <= _coverage(effective, p)[0] <= 0.95
    # Constant-p MLE: all reshares, near-nominal band at every time.
    mle, _ = _estimates(300, p, seed=2, root_followers=200_000.0, estimator="mle")
    assert np.all((0.85 <= _coverage(mle, p)) & (_coverage(mle, p) <= 0.95))


def test_simulated_small_cascades_coverage_and_error_shrinks_with_t():
    p = 0.006
    for estimator, low_coverage in (("seismic", 0.6), ("mle", 0.85)):
        est, final = _estimates(1000, p, seed=3, root_followers=5000.0, estimator=estimator)
        cov = _coverage(est, p)
        assert np.all((low_coverage <= cov) & (cov <= 0.95)), (estimator, cov)
        ape = np.abs(est["predicted_retweets"] - final[:, None]) / final[:, None]
        mdape = np.nanmedian(ape, axis=0)
        assert mdape[0] > mdape[1] > mdape[2], (estimator, mdape)
        assert mdape[2] < 0.3


def test_simulator_final_sizes_follow_the_branching_mean():
    # Expected reshares: p n0 / (1 - p E[n]) = 0.005 * 2000 / 0.5 = 20.
    *_, final = simulate_cascades(4000, 0.005, seed=5, root_followers=2000.0)
    assert final.mean() == pytest.approx(20.0, rel=0.05)


# --- papers, missing data, the command line ------------------------------------------------------


def test_predict_cascades_on_the_sample(sample_path):
    papers = list(cascade.read(sample_path))
    table = predict_cascades(papers, at=[3600, 21600])
    metrics = cascade_metrics(papers)
    grown = metrics[metrics["size"] >= 2]
    assert len(table) == 2 * len(grown) == 2 * 26
    final = table.groupby("root_id").final_retweets.first()
    assert (final == grown.set_index("root_id")["size"] - 1).all()
    # Independently: (cascade, t) pairs whose first reshare comes at or after t.
    paper, seconds = papers[0], papers[0].time.astype(np.int64)
    none_before = 0
    for root in np.flatnonzero(paper.parent < 0):
        kids = _descendant(paper.parent, root)
        if kids.any():
            first = seconds[kids].min() - seconds[root]
            none_before += int(first >= 3600) + int(first >= 21600)
    assert none_before == 18
    assert table.reason.value_counts().to_dict() == {"no reshares before t": none_before}
    predicted = table.reason.isna()
    assert table.predicted_retweets[predicted].notna().all()
    assert (table.predicted_retweets[predicted] >= table.retweets_observed[predicted]).all()
    assert table.supercritical[~predicted].isna().all()
    assert len(predict_cascades(papers, at=3600, min_size=20)) == 2


def test_predict_cascades_from_a_given_stack_and_chosen_columns():
    """A stack given (one pass, whatever ``batch_size``) and a choice of columns change nothing
    but the columns: the same rows, to the bit."""
    folders = ["tests/data/twitter-v2", "tests/data/twitter-v1", "tests/data/social"]
    folders.append("examples/data")
    papers = [paper for folder in folders for paper in cascade.read(ROOT / folder)]
    whole = predict_cascades(papers, at=[600, 3600], batch_size=2)
    shared = predict_cascades(papers, at=[600, 3600], stacked=cascade.model.stack(papers))
    pd.testing.assert_frame_equal(shared, whole, check_exact=True)
    some = ["citation_id", "at_s", "reason", "predicted_high"]
    pd.testing.assert_frame_equal(
        predict_cascades(papers, at=[600, 3600], columns=some), whole[some], check_exact=True
    )
    with pytest.raises(ValueError, match="unknown columns"):
        predict_cascades(papers, columns=["citation_id", "nope"])


def test_missing_followers_and_placeholder_roots(tmp_path):
    from conftest import write_paper

    path = write_paper(
        tmp_path / "p.json",
        {
            "1": ("@a", "1000", "2020-01-01 00:00:00", "paper one"),
            "2": ("@b", "100", "2020-01-01 00:10:00", "RT @a: paper one"),
            "3": ("@c", "", "2020-01-01 00:20:00", "RT @a: paper one"),
            "4": ("@d", "300", "2020-01-01 00:30:00", "RT @a: paper one"),
            "5": ("@e", "", "2020-01-01 00:00:00", "paper two"),
            "6": ("@f", "10", "2020-01-01 00:05:00", "RT @e: paper two"),
            "7": ("@g", "10", "2020-01-01 00:05:00", "RT @nobody: paper three"),
            "8": ("@h", "10", "2020-01-01 00:06:00", "RT @nobody: paper three"),
        },
    )
    table = predict_cascades(cascade.read(path), at=[3600]).set_index("root_id")
    assert table.loc["1", "followers_imputed"] == 1
    assert pd.isna(table.loc["1", "reason"])
    # The unknown count is the median of the known reshare counts (100, 300).
    ref = predict_final_size([0, 600, 1200, 1800], [1000, 100, 200, 300], 3600)
    assert table.loc["1", "predicted_retweets"] == pytest.approx(ref.predicted_retweets[0])
    assert table.loc["5", "reason"] == "root follower count unknown"
    assert table.loc["5", "retweets_observed"] == 1
    placeholder = table.drop(index=["1", "5"]).iloc[0]
    assert placeholder.reason == "root is a placeholder: its time is unknown"
    assert pd.isna(placeholder.retweets_observed) and placeholder.final_retweets == 2


def test_duration_parsing():
    assert [duration(x) for x in ("3600", "30m", "1h", "6h", "1d", "1.5h", "90s")] == [
        3600, 1800, 3600, 21600, 86400, 5400, 90,
    ]  # fmt: skip
    for bad in ("", "h", "1x", "-1h", "0", "nan", "infh"):
        with pytest.raises(argparse.ArgumentTypeError, match="not a positive duration"):
            duration(bad)


def test_cli_predict(sample_path, tmp_path, capsys):
    out = tmp_path / "p.json"
    args = ["predict", str(sample_path), "--at", "1h", "--at", "6h", "--min-size", "20"]
    assert main([*args, "--format", "json", "-o", str(out), "-q"]) == 0
    rows = json.loads(out.read_text())
    assert [r["at_s"] for r in rows] == [3600, 21600, 3600, 21600]
    assert rows[0]["final_retweets"] == 66 and rows[0]["reason"] is None
    with pytest.raises(SystemExit) as exc:
        main(["predict", str(sample_path), "--at", "soon"])
    assert exc.value.code == 2
    assert "'soon' is not a positive duration" in capsys.readouterr().err
    assert main(["predict", str(sample_path), "--min-size", "-1", "-q"]) == 2
    assert "min_size" in capsys.readouterr().err


def _folders():
    from conftest import DATA

    return sorted(p for p in DATA.iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: p.name)
def test_cli_predict_never_crashes_on_real_sources(folder, tmp_path):
    paper_id = "from-text" if folder.name.startswith("twitter-") else None
    extra = ["--paper-id", paper_id] if paper_id else []
    out = tmp_path / "p.csv"
    args = ["predict", str(folder), *extra, "--at", "1h", "--at", "1d", "--workers", "1"]
    assert main([*args, "--format", "csv", "-o", str(out), "-q"]) == 0
    table = pd.read_csv(out, dtype={"root_id": str})
    # One row per cascade with a reshare in the data, per age ...
    papers = list(cascade.read(folder, paper_id=paper_id))
    grown = 0
    for p in papers:
        real_child = (p.parent >= 0) & ~p.placeholder
        _, root, _ = forest(p.parent)
        grown += np.unique(root[real_child]).size
    assert len(table) == 2 * grown > 0
    # ... predicted, supercritical (no finite size), or saying why not.
    predicted, reason = table.predicted_retweets.notna(), table.reason.notna()
    supercritical = table.supercritical.astype(str).str.lower().eq("true")
    assert (predicted | reason | supercritical).all()
    assert not (predicted & reason).any() and not (supercritical & reason).any()
    assert table.reason.dropna().isin(REASONS.values()).all()


def test_rank_by_predicted_sums_cascades_at_one_age(sample_path, tmp_path):
    from cascade.compare import rank_by_predicted

    table = predict_cascades(cascade.read(sample_path), at=[3600, 21600])
    ranked = rank_by_predicted(table, 21600)
    rows = table[table.at_s == 21600]
    assert ranked.cascades.tolist() == [len(rows)]
    # Unpredicted cascades count with what they have by then (0 here: no reshare before t).
    assert ranked.predicted_retweets[0] == pytest.approx(rows.predicted_retweets.sum())
    assert ranked.retweets_observed[0] == rows.retweets_observed.sum()
    assert ranked.final_retweets[0] == rows.final_retweets.sum() == 188
    with pytest.raises(ValueError, match="no predictions at 60"):
        rank_by_predicted(table, 60)
    out = tmp_path / "r.csv"
    args = ["predict", str(sample_path), "--at", "1h", "--at", "6h", "--per", "paper"]
    assert main([*args, "--format", "csv", "-o", str(out), "-q"]) == 0
    assert pd.read_csv(out).at_s.tolist() == [3600, 21600]


def test_growth_section(tmp_path):

    from cascade.render.growth import growth_data, growth_section
    from cascade.render.plots import save

    papers = list(cascade.read(FIXTURES / "altmetric_api_357137.json"))
    predictions, ages = growth_data(papers)
    # Two batches give the same section as one.
    section = growth_section(
        [predictions, predictions.iloc[:0]],
        [ages, {}],
        titles={papers[0].citation_id: "<b>Title</b> & co"},
    )
    table = section.table
    assert table.at_s.tolist() == [3600.0, 21600.0, 86400.0]
    for row in table.itertuples():
        rows = predictions[predictions.at_s == row.at_s]
        assert row.observed == rows.retweets_observed.sum()
        assert row.observed == np.sum(ages[row.citation_id] <= row.at_s)
        assert row.final == rows.final_retweets.sum()
        assert row.predicted_low <= row.predicted <= row.predicted_high
    assert "&lt;b&gt;Title&lt;/b&gt; &amp; co" in section.html and "<b>" not in section.html
    assert "http" not in section.html
    assert len([a for a in section.figure.axes if a.get_visible()]) == 1
    png, svg = save(section.figure, tmp_path / "growth")
    assert (
        png.stat().st_size > 0
        and svg.read_bytes() == save(section.figure, tmp_path / "g2")[1].read_bytes()
    )


def test_top_level_api():
    assert cascade.predict_cascades is predict_cascades
    assert "predict_cascades" in cascade.__all__ and "predict_cascades" in dir(cascade)


@given(
    q=st.sampled_from([0.05, 0.5, 0.95]),
    df=st.floats(min_value=0.5, max_value=1e6, allow_nan=False),
)
def test_chi2_quantiles_are_scipy_stats(q, df):
    from scipy.stats import chi2

    from cascade.predict.seismic import _chi2_ppf

    assert _chi2_ppf(q, np.array([df]))[0] == chi2.ppf(q, df)
