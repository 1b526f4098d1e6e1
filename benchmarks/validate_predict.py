"""Validate SEISMIC final-size predictions: median absolute percentage error at 1 h, 6 h, 24 h.

Two kinds of cascades:

* *simulated* from the model itself (``cascade.predict.simulate``: a marked self-exciting
  process with this kernel, known constant ``p`` drawn per cascade, lognormal follower counts
  of mean 100 = ``n*``), where the true final size is the whole simulated tree;
* *real*, the sample folders that carry times and follower counts (``altmetric-api``,
  ``altmetric-tab``, ``twitter-v1``, ``twitter-v2``), where the "final" size is what the data
  holds at collection time. Scholarly cascades are small, follower counts are snapshots taken
  when the data was collected (not at retweet time), and some samples (twitter-v2 pages) cover
  minutes, so their final sizes are not final at all.

For each age: cascades with a finite prediction (``n``), the MdAPE of SEISMIC (the package's
estimator) and of constant-p MLE, and of the naive prediction "no more reshares" (``R_t``) for
context. APE = ``|predicted - final| / final`` over cascades with ``final >= 1``. A last group
pools the real cascades with at least 10 reshares.

With ``--package-tweet tweet.rda`` (the ``data/tweet.rda`` of the R package ``seismic``, GPL: not
bundled; e.g. from the ``cran/seismic`` repository) it also predicts the package's own example,
a real Twitter cascade of 15,562 retweets (tweet 127001313513967616), and checks the prediction
against a step-by-step re-computation of the package's formulas.

Usage::

    python benchmarks/validate_predict.py [DATA_DIR] [--simulated 2000] [--seed 0]
                                          [--package-tweet tweet.rda]
"""

from __future__ import annotations

import argparse
import gzip
import struct
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cascade  # noqa: E402
from cascade.predict import predict_cascades, predict_many  # noqa: E402
from cascade.predict.simulate import simulate_cascades  # noqa: E402

AGES = np.array([3600.0, 21600.0, 86400.0])
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REAL = {
    "altmetric-api": {},
    "altmetric-tab": {},
    "twitter-v1": {"paper_id": "from-text"},
    "twitter-v2": {"paper_id": "from-text"},
}


def _mdape(predicted: np.ndarray, final: np.ndarray) -> float:
    ok = np.isfinite(predicted) & (final >= 1)
    if not ok.any():
        return float("nan")
    return float(np.median(np.abs(predicted[ok] - final[ok]) / final[ok]))


def _rows(name: str, tables: dict[str, pd.DataFrame]) -> list[dict]:
    rows = []
    seismic = tables["seismic"]
    for at in AGES:
        s = seismic[seismic.at_s == at]
        m = tables["mle"][tables["mle"].at_s == at]
        final = s.final_retweets.to_numpy(float)
        ok = np.isfinite(s.predicted_retweets.to_numpy(float)) & (final >= 1)
        okm = np.isfinite(m.predicted_retweets.to_numpy(float)) & (final >= 1)
        rows.append(
            {
                "cascades": name,
                "age": f"{at / 3600:g} h",
                "n": int(ok.sum()),
                "median final": float(np.median(final[ok])) if ok.any() else np.nan,
                "MdAPE seismic": _mdape(s.predicted_retweets.to_numpy(float)[ok], final[ok]),
                "MdAPE mle": _mdape(m.predicted_retweets.to_numpy(float)[okm], final[okm]),
                "MdAPE R_t": _mdape(
                    s.retweets_observed.astype("Float64").to_numpy(float)[ok], final[ok]
                ),
                "supercritical": int(s.supercritical.fillna(False).sum()),
            }
        )
    return rows


def simulated(n: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.002, 0.008, n)
    roots = np.round(rng.lognormal(np.log(3000.0), 1.0, n))
    times, followers, offsets, final = simulate_cascades(
        n, p, seed=seed + 1, root_followers=roots, max_posts=50_000
    )
    tables = {}
    for estimator in ("seismic", "mle"):
        t = predict_many(times, followers, offsets, AGES, estimator=estimator)
        t["final_retweets"] = np.repeat(final, AGES.size)
        # As in predict_cascades: no prediction without a reshare before t.
        none = t.reshares_in_window.to_numpy() == 0
        t.loc[none, "predicted_retweets"] = np.nan
        tables[estimator] = t
    return _rows(f"simulated ({n})", tables)


def real(data: Path, big: int = 10) -> list[dict]:
    rows, pooled = [], {"seismic": [], "mle": []}
    for folder, options in REAL.items():
        path = data / folder
        if not path.exists():
            print(f"validate_predict: no {path}, skipped", file=sys.stderr)
            continue
        papers = list(cascade.read(path, **options))
        tables = {e: predict_cascades(papers, at=AGES, estimator=e) for e in ("seismic", "mle")}
        rows += _rows(f"{folder} ({len(tables['seismic']) // AGES.size} cascades)", tables)
        for e, t in tables.items():
            pooled[e].append(t[t.final_retweets >= big])
    if pooled["seismic"]:
        tables = {e: pd.concat(t, ignore_index=True) for e, t in pooled.items()}
        n = len(tables["seismic"]) // AGES.size
        rows += _rows(f"all real, final >= {big} ({n} cascades)", tables)
    return rows


def read_package_tweet(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Times and follower counts of the R package's example cascade, from its ``tweet.rda``.

    A minimal reader of R's XDR serialization for this one file: a data frame whose first two
    columns are numeric vectors of one length (INTSXP = 13 or REALSXP = 14, big-endian).
    """
    raw = gzip.open(path).read()
    if not raw.startswith(b"RDX2\nX\n"):
        raise ValueError(f"{path}: not an XDR .rda file")

    def vector(at: int) -> tuple[np.ndarray, int] | None:
        if at + 8 > len(raw):
            return None
        kind = struct.unpack(">i", raw[at : at + 4])[0] & 0xFF
        n = struct.unpack(">i", raw[at + 4 : at + 8])[0]
        size = {13: 4, 14: 8}.get(kind)
        if size is None or n <= 1 or at + 8 + n * size > len(raw):
            return None
        values = np.frombuffer(raw, dtype=">i4" if size == 4 else ">f8", count=n, offset=at + 8)
        return values.astype(np.float64), at + 8 + n * size

    for at in range(len(raw) - 8):
        first = vector(at)
        if first is None:
            continue
        second = vector(first[1])
        if second is not None and len(second[0]) == len(first[0]):
            return first[0], second[0]
    raise ValueError(f"{path}: no two numeric columns of one length")


def package_tweet(path: str) -> pd.DataFrame:
    from cascade.predict import predict_final_size

    times, followers = read_package_tweet(path)
    final = times.size - 1
    rows = []
    for estimator in ("seismic", "mle"):
        t = predict_final_size(times, followers, AGES, estimator=estimator)
        for r in t.itertuples():
            rows.append(
                {
                    "estimator": estimator,
                    "age": f"{r.at_s / 3600:g} h",
                    "observed": r.retweets_observed,
                    "predicted": round(r.predicted_retweets, 1),
                    "band": f"[{r.predicted_low:.0f}, {r.predicted_high:.0f}]",
                    "final": final,
                    "APE %": round(100 * abs(r.predicted_retweets - final) / final, 1),
                }
            )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(DATA))
    parser.add_argument("--simulated", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--package-tweet", metavar="tweet.rda", help="the R package's example")
    args = parser.parse_args(argv)
    table = pd.DataFrame(simulated(args.simulated, args.seed) + real(Path(args.data)))
    pct = [c for c in table.columns if c.startswith("MdAPE")]
    table[pct] = (100 * table[pct]).round(1)
    print(table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False))
    if args.package_tweet:
        tweet = package_tweet(args.package_tweet)
        print()
        print(tweet.to_markdown(index=False) if _has_tabulate() else tweet.to_string(index=False))
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
