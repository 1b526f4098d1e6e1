"""Parallel runs give exactly the serial tables: local processes and a Dask LocalCluster."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import benchmark_module

from cascade.io import ReadOptions
from cascade.io.records import InputError
from cascade.parallel import Pool, map_papers, measure, plan_chunks

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "data" / "attention-is-not-explanation.json"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """30 synthetic papers, one file each, plus the real sample."""
    out = tmp_path_factory.mktemp("corpus")
    benchmark_module("generate").generate_corpus(
        out, papers=30, seed=3, mean_tweets=40.0, n_users=3000
    )
    shutil.copy(SAMPLE, out / "zz_sample.json")
    return out


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.papers, b.papers)
    pd.testing.assert_frame_equal(a.cascades, b.cascades)
    assert list(a.log.files) == list(b.log.files)
    assert a.log.summary() == b.log.summary()


def test_plan_chunks_keeps_order_and_covers_every_file(tmp_path):
    paths = []
    for i, size in enumerate([10, 1000, 10, 10, 500, 10, 10]):
        path = tmp_path / f"{i}.json"
        path.write_bytes(b"x" * size)
        paths.append(str(path))
    for n in range(1, 9):
        chunks = plan_chunks(paths, n)
        assert [p for c in chunks for p in c] == paths
        assert 1 <= len(chunks) <= min(n, len(paths))
        assert all(chunks)
    # Balanced: no chunk holds more than its share plus one file.
    chunks = plan_chunks(paths, 3)
    sizes = [sum(Path(p).stat().st_size for p in c) for c in chunks]
    assert len(chunks) == 3 and max(sizes) <= 1550 / 3 + 1000


def test_local_processes_match_serial(corpus):
    serial = measure(corpus, workers=1)
    parallel = measure(corpus, workers=2)
    _same(serial, parallel)
    assert len(serial.papers) == 31
    # The sample's row, as counted in test_read / the metrics doctest.
    row = serial.papers.set_index("citation_id").loc["56155705"]
    assert (row["tweets"], row["cascades"]) == (258, 70)
    assert serial.log.records == int(serial.papers["tweets"].sum())


def test_small_batches_change_nothing(corpus):
    _same(measure(corpus, workers=1), measure(corpus, workers=2, batch_size=3))


def test_map_papers_results_in_input_order(corpus):
    results, log = map_papers(_ids, corpus, workers=2, batch_size=4)
    flat = [cid for batch in results for cid in batch]
    serial, _ = map_papers(_ids, corpus, workers=1)
    assert flat == serial[0]
    assert len(flat) == len(log.files) == 31


def _ids(batch):
    return [p.citation_id for p in batch]


def test_unreadable_file_is_logged_or_raised(corpus, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(corpus, bad)
    (bad / "m_broken.json").write_text('{"citation_id": "x", "tab": ', encoding="utf-8")
    result = measure(bad, workers=2)
    assert len(result.papers) == 31
    assert len(result.log.errors) == 1 and "m_broken.json" in result.log.errors[0]
    with pytest.raises(InputError, match="m_broken.json"):
        measure(bad, workers=2, options=ReadOptions(strict=True))
    with pytest.raises(ValueError, match="workers"):
        measure(bad, workers=0)


def test_dask_local_cluster_matches_serial(corpus):
    import distributed  # a test extra: never skipped

    serial = measure(corpus, workers=1)
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=2, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            on_client = measure(corpus, dask=client)
        on_address = measure(corpus, dask=cluster.scheduler_address)
    _same(serial, on_client)
    _same(serial, on_address)


def test_a_paper_split_over_files_of_two_chunks_is_read_whole(tmp_path):
    import json

    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    tweets = list(doc["twitter"].items())
    for k in range(6):  # paper "x" in the first and the last file, others between
        cid = "x" if k in (0, 5) else f"p{k}"
        part = dict(tweets[k * 40 : (k + 1) * 40])
        (tmp_path / f"f{k}.json").write_text(json.dumps({**doc, "citation_id": cid,
                                                        "twitter": part}))  # fmt: skip
    serial = measure(tmp_path, workers=1)
    parallel = measure(tmp_path, workers=2)
    assert sorted(parallel.papers["citation_id"]) == ["p1", "p2", "p3", "p4", "x"]
    key = ["citation_id", "tweets", "cascades"]
    assert (
        parallel.papers[key].sort_values("citation_id").values.tolist()
        == serial.papers[key].sort_values("citation_id").values.tolist()
    )
    assert int(parallel.papers.set_index("citation_id").loc["x", "tweets"]) == 80


def test_report_over_dask_threads_gives_the_local_pages(tmp_path):
    """A default `dask worker` runs several threads: the pages must not depend on it."""
    import distributed

    from cascade.report import report

    data = ROOT / "tests" / "data" / "altmetric-api"
    local = report(data, tmp_path / "local", workers=1, max_graphs=6)
    with distributed.LocalCluster(
        n_workers=1, processes=True, threads_per_worker=3, dashboard_address=None
    ) as cluster:
        with distributed.Client(cluster) as client:
            remote = report(data, tmp_path / "dask", dask=client, max_graphs=6)
    pages = sorted(p.relative_to(local.out_dir) for p in local.files if p.suffix == ".html")
    assert len(pages) >= 6
    for page in pages:
        assert (remote.out_dir / page).read_bytes() == (local.out_dir / page).read_bytes(), page


def test_arrived_sees_every_result_in_input_order_and_replaces_it(corpus):
    seen: list[list[str]] = []

    def arrived(ids):
        seen.append(ids)
        return len(ids)

    results, _ = map_papers(_ids, corpus, workers=2, batch_size=4, arrived=arrived)
    serial, _ = map_papers(_ids, corpus, workers=1)
    assert [cid for ids in seen for cid in ids] == serial[0]  # every result, in input order
    assert len(seen) > 2 and max(map(len, seen)) <= 4
    assert results == [len(ids) for ids in seen] and sum(results) == 31
    m = measure(corpus, workers=2, batch_size=4, extra=_ids, arrived=len)
    assert m.extra == results


class _Stacked:
    """An extra that takes the batch's stack: it is given the metrics' one."""

    def __call__(self, batch, stacked=None):
        assert stacked is not None and len(stacked.paper) == sum(len(p) for p in batch)
        return int((stacked.parent < 0).sum())


def test_an_extra_taking_stacked_gets_the_metrics_stack(corpus):
    m = measure(corpus, workers=2, batch_size=4, extra=_Stacked())
    assert sum(m.extra) == len(m.cascades)


def test_report_pages_of_a_paper_read_again_whole(tmp_path):
    """Paper "x" spans the first and the last file: the workers' partial copies are replaced by
    the copy read whole, and the report's page and ranking are those of a serial run."""
    import json

    from cascade.report import report

    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    tweets = list(doc["twitter"].items())
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(6):
        cid = "x" if k in (0, 5) else f"p{k}"
        part = dict(tweets[k * 40 : (k + 1) * 40 - 5 * (k % 3)])  # p1-p4: 35, 30, 40, 35 tweets
        (folder / f"f{k}.json").write_text(json.dumps({**doc, "citation_id": cid,
                                                      "twitter": part}))  # fmt: skip
    one = report(folder, tmp_path / "one", workers=1, max_graphs=2)
    two = report(folder, tmp_path / "two", workers=2, max_graphs=2)
    files = sorted(p.relative_to(tmp_path / "one") for p in one.files)
    assert files == sorted(p.relative_to(tmp_path / "two") for p in two.files)
    assert sorted(p.name for p in (tmp_path / "two" / "graphs").iterdir()) == ["p3.html", "x.html"]
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def _pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _fail(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def test_pool_runs_in_order_here_until_its_workers_start_then_there():
    here = os.getpid()
    with Pool(2) as pool:
        # Cold: one item is not worth a process; several start the workers.
        assert pool.start(_pid, [4]).result() == [(16, here)]
        many = pool.start(_pid, range(6)).result()
        assert [v for v, _ in many] == [0, 1, 4, 9, 16, 25]
        assert here not in {p for _, p in many}
        # Warm: even one item goes to a worker.
        ((value, pid),) = pool.start(_pid, [5]).result()
        assert value == 25 and pid != here
    with Pool() as pool:  # default workers: a few items stay here while no worker runs
        assert {p for _, p in pool.start(_pid, range(3)).result()} == {here}


def test_pool_raises_the_first_error_of_its_work():
    with Pool(2) as pool, pytest.raises(ValueError, match="three"):
        pool.start(_fail, range(6)).result()
