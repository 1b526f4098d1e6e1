"""Per-paper work in parallel: over local processes, or over a Dask distributed cluster.

The unit of work is a *chunk*: a run of consecutive input files. Each worker reads its files
itself (only the paths travel), resolves the papers in them and applies a function to batches of
papers, so the vectorised batching of :mod:`cascade.metrics` happens inside every worker. Results
come back in input order, so a parallel run gives exactly the tables of a serial one.

One file is never split between workers: a corpus in a single JSON Lines file runs on one worker
(split it into several files, e.g. with ``split -l``, to spread it).

On a Dask cluster the workers must see the input paths (a shared file system, or the same paths
on every machine) and have ``cascade`` installed; relative paths are made absolute before they
are sent.
"""

from __future__ import annotations

import ctypes
import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
import pandas as pd

from cascade.io import InputError, ReadLog, ReadOptions
from cascade.io.options import legacy_options
from cascade.io.records import NO_PAPER
from cascade.io.sources import expand
from cascade.metrics import CASCADE_COLUMNS, PAPER_COLUMNS, batch_tables
from cascade.model import Paper, stack

__all__ = [
    "Measures",
    "Pending",
    "Pool",
    "default_workers",
    "map_items",
    "map_papers",
    "measure",
    "plan_chunks",
    "read_papers",
    "release_memory",
]

# Chunks per worker: more than one so a worker that drew the big files does not hold up the rest.
_CHUNKS_PER_WORKER = 4
#: With the default ``workers``, inputs smaller than this (bytes) and fewer items than
#: ``SERIAL_ITEMS`` run in this process: a worker process starts by importing the package (about
#: 2 s), more than the work itself on a small corpus. An explicit ``workers`` is always obeyed.
SERIAL_BYTES = 8_000_000
SERIAL_ITEMS = 16


def default_workers() -> int:
    """The number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def plan_chunks(paths: Sequence[str], n_chunks: int) -> list[list[str]]:
    """Split files into at most ``n_chunks`` runs of consecutive files of similar total size.

    Consecutive runs keep the input order, so concatenating the chunks' results gives the serial
    order.

    Examples
    --------
    >>> plan_chunks(["a", "b", "c"], 2)  # missing files count as size 1
    [['a', 'b'], ['c']]
    >>> plan_chunks(["a", "b"], 8)
    [['a'], ['b']]
    """
    paths = list(paths)
    n_chunks = max(1, min(int(n_chunks), len(paths)))
    if n_chunks == 1:
        return [paths] if paths else []
    sizes = np.array([_size(p) for p in paths], dtype=np.float64)
    ends = np.cumsum(sizes)
    # Cut where the running total crosses each multiple of total / n_chunks.
    cuts = np.searchsorted(ends, ends[-1] * np.arange(1, n_chunks) / n_chunks, side="left") + 1
    bounds = np.unique(np.concatenate([[0], np.minimum(cuts, len(paths)), [len(paths)]]))
    return [paths[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _size(path: str) -> int:
    try:
        return max(os.path.getsize(path), 1)
    except OSError:
        return 1


def _progress(items: Iterable[Any], show: bool, total: int | None, unit: str) -> Iterable[Any]:
    """``items``, with a progress bar on standard error when ``show`` and it is a terminal."""
    if not show or not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, unit=unit, file=sys.stderr, leave=False)


def _run_chunk(
    paths: list[str],
    options: ReadOptions,
    batch_size: int,
    func: Callable[[list[Paper]], Any],
    progress: bool = False,
) -> tuple[list[Any], ReadLog, InputError | None, set[str]]:
    """Read one chunk of files and apply ``func`` to its papers, batch by batch.

    Returns the results, the read log, the :class:`InputError` raised under ``strict`` (it is
    returned, not raised, so the other chunks' logs survive), and the paper ids met.
    """
    papers = options.open(paths)
    results: list[Any] = []
    ids: set[str] = set()
    iterator = iter(_progress(papers, progress, None, " papers"))
    try:
        while batch := list(islice(iterator, batch_size)):
            ids.update(p.citation_id for p in batch)
            results.append(func(batch))
            del batch  # before the next batch is read: one batch of papers alive at a time
    except InputError as err:
        return results, papers.log, err, ids
    return results, papers.log, None, ids


def _rejoin(chunks: list[list[str]], outputs: list, task: Callable[[list[str]], Any]) -> list:
    """Run again, together, the chunks that share a paper id: a paper whose records span files
    of several chunks (a Twitter search split by day, one paper exported twice) must be read
    whole, as a serial run reads it. Chunks are joined transitively, in input order.

    A post of no paper in one chunk may have its parent in another (a reply without the DOI, a
    Mastodon local id, a repost of a post read elsewhere), which a serial run would place: then
    every chunk is read again together (the reads do not say where such parents are)."""
    owner: dict[str, int] = {}
    group = list(range(len(chunks)))
    if len(chunks) > 1 and any(out[1].skipped[NO_PAPER] for out in outputs):
        return [task([p for chunk in chunks for p in chunk])]

    def find(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for i, out in enumerate(outputs):
        for cid in out[3]:
            j = owner.setdefault(cid, i)
            if j != i:
                group[find(i)] = find(j)
    roots = [find(i) for i in range(len(chunks))]
    if len(set(roots)) == len(chunks):
        return outputs
    joined = []
    for root in dict.fromkeys(roots):
        members = [i for i, r in enumerate(roots) if r == root]
        if len(members) == 1:
            joined.append(outputs[members[0]])
        else:
            joined.append(task([p for i in members for p in chunks[i]]))
    return joined


def map_papers(
    func: Callable[[list[Paper]], Any],
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    workers: int | None = None,
    dask: Any = None,
    options: ReadOptions | None = None,
    batch_size: int = 2000,
    progress: bool = False,
    arrived: Callable[[Any], Any] | None = None,
    pool: Pool | None = None,
    **legacy: Any,
) -> tuple[list[Any], ReadLog]:
    """Apply ``func`` to batches of papers read from ``inputs``, in parallel, in input order.

    Parameters
    ----------
    func : callable
        ``func(batch: list[Paper]) -> result``. It must be picklable (a module-level function or
        a ``functools.partial`` of one). A batch never mixes papers of two chunks.
    inputs : str, path or iterable of them
        Files, directories or glob patterns, as for :func:`cascade.read`.
    workers : int, optional
        Local worker processes; default all cores. ``1`` runs in this process.
    dask : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://host:8786"``) or a connected ``Client``: run the
        chunks on that cluster instead of local processes. A client made from an address is
        closed at the end.
    options : ReadOptions, optional
        How to read and resolve (format, paper id, strictness, reconstruction), in every worker.
    batch_size : int
        Papers per call of ``func``.
    progress : bool
        Show a progress bar on standard error when it is a terminal: papers when the work runs
        in this process, groups of files when it runs in worker processes (not for Dask).
    arrived : callable, optional
        ``arrived(result) -> result``, called in this process on every result as its group of
        files comes back (in input order), before the next group is waited for; what it returns
        is kept instead. For a running reduction that drops what it no longer needs. It also
        sees the results of groups read again together (a paper whose records span groups),
        after those of the groups they replace.
    pool : Pool, optional
        Run on these workers (kept for later stages) instead of ``workers`` and ``dask``.

    Returns
    -------
    results : list
        One result per batch, in input order.
    log : ReadLog
        What became of every record of every file, in input order.

    Raises
    ------
    InputError
        Under ``strict``, the first error in input order.

    Examples
    --------
    >>> results, log = map_papers(len, "examples/data", workers=1)
    >>> results, log.records
    ([1], 258)
    """
    options = legacy_options(options, legacy, "map_papers")
    paths = expand(inputs)
    task = functools.partial(_run_chunk, options=options, batch_size=int(batch_size), func=func)

    def settle(output: tuple) -> tuple:
        if arrived is None:
            return output
        return ([arrived(r) for r in output[0]], *output[1:])

    with Pool(workers, dask) if pool is None else nullcontext(pool) as where:
        if where.dask is not None:
            chunks, outputs = _run_dask(where.client(), paths, task)
            outputs = [settle(o) for o in outputs]
        else:
            n = where.n
            if where.workers is None and sum(_size(p) for p in paths) < SERIAL_BYTES:
                n = 1  # starting processes (each imports the package) costs more than it saves
            chunks = plan_chunks(paths, n * _CHUNKS_PER_WORKER) if n > 1 else [paths]
            if len(chunks) <= 1:
                outputs = [settle(task(paths, progress=progress))]
            else:
                done = where.executor().map(task, chunks)
                outputs = [
                    settle(o) for o in _progress(done, progress, len(chunks), " file groups")
                ]
    outputs = _rejoin(chunks, outputs, lambda group: settle(task(group)))
    results: list[Any] = []
    log = ReadLog()
    for part, part_log, error, _ in outputs:
        results.extend(part)
        log.files.update(part_log.files)
        log.papers += part_log.papers
        if error is not None:
            raise error
    return results, log


def _same(batch: list[Paper]) -> list[Paper]:
    return batch


def read_papers(
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    workers: int | None = None,
    dask: Any = None,
    options: ReadOptions | None = None,
    progress: bool = False,
) -> tuple[list[Paper], ReadLog]:
    """Every paper of ``inputs``, read and resolved in parallel, in input order; and the log.

    For the work that needs all papers at once (a corpus ranking, one graph, an export). The
    parameters are those of :func:`map_papers`.

    Examples
    --------
    >>> papers, log = read_papers("examples/data", workers=1)
    >>> [p.citation_id for p in papers], log.used
    (['56155705'], 258)
    """
    results, log = map_papers(
        _same, inputs, workers=workers, dask=dask, options=options, progress=progress
    )
    return [p for batch in results for p in batch], log


def release_memory() -> None:
    """Return the C heap's free pages to the operating system (glibc's ``malloc_trim``).

    After a pass over many papers, the memory freed by its batches stays resident in the
    process (glibc keeps freed chunks, and a few survivors in a region keep all of it); a
    report that goes on drawing pages would otherwise carry it to its peak. Elsewhere than
    glibc, nothing is done.
    """
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return
    trim(0)


def _workers(workers: int | None) -> int:
    n = default_workers() if workers is None else int(workers)
    if n < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    return n


def map_items(
    func: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    workers: int | None = None,
    dask: Any = None,
) -> list[Any]:
    """``[func(x) for x in items]``, over local processes or a Dask cluster, in order.

    For work on objects already in memory (the report's graph pages): ``func`` and the items must
    be picklable.

    Examples
    --------
    >>> map_items(abs, [-2, 3], workers=1)
    [2, 3]
    """
    with Pool(workers, dask) as pool:
        return pool.start(func, items).result()


class Pending:
    """Work started by :meth:`Pool.start`: :meth:`result` waits for it."""

    def __init__(self, done: list[Any] | None = None, futures: list[Any] | None = None,
                 client: Any = None) -> None:  # fmt: skip
        self._done, self._futures, self._client = done, futures, client

    def result(self) -> list[Any]:
        """The results in the order of the items (the first error is raised)."""
        if self._done is None:
            futures, self._futures = self._futures or [], None
            if self._client is not None:
                self._done = self._client.gather(futures)
            else:
                self._done = [f.result() for f in futures]
        return self._done


class Pool:
    """Where the per-paper work of one run goes: this process, local worker processes, or a
    Dask cluster; the workers are started when first needed and kept for every later stage (a
    report's pass, its graph pages and its plots share them), and closed on exit.

    Parameters
    ----------
    workers : int, optional
        Local processes (default: all cores; ``1`` = this process). With the default, small
        jobs stay in this process until the workers run (see :data:`SERIAL_BYTES`).
    dask : str or distributed.Client, optional
        A Dask scheduler address or a connected client instead (a client made from an address
        is closed with the pool).

    Examples
    --------
    >>> with Pool(1) as pool:
    ...     pending = pool.start(abs, [-2, 3])
    ...     pending.result()
    [2, 3]
    """

    def __init__(self, workers: int | None = None, dask: Any = None) -> None:
        self.workers = workers
        self.n = _workers(workers)
        self.dask = dask
        self._executor: ProcessPoolExecutor | None = None
        self._client: Any = None

    def executor(self) -> ProcessPoolExecutor:
        """The local worker processes, started on first use."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.n)
        return self._executor

    def client(self) -> Any:
        """The Dask client (connected on first use)."""
        if self._client is None:
            from distributed import Client

            self._client = self.dask if isinstance(self.dask, Client) else Client(self.dask)
        return self._client

    def start(self, func: Callable[[Any], Any], items: Iterable[Any]) -> Pending:
        """Start ``[func(x) for x in items]`` on the workers, the first items first; or run it
        here at once when the pool is serial, or when no worker runs yet and the items are one,
        or few (:data:`SERIAL_ITEMS`) with the default ``workers``."""
        items = list(items)
        if self.dask is not None and items:
            client = self.client()
            return Pending(futures=client.map(func, items, pure=False), client=client)
        # Workers already running take any work; else a single item, or a few with the default
        # ``workers``, are not worth starting processes for.
        cold = self._executor is None and (
            len(items) <= 1 or (self.workers is None and len(items) < SERIAL_ITEMS)
        )
        if self.n <= 1 or cold:
            return Pending(done=[func(x) for x in items])
        executor = self.executor()
        futures: list[Future] = [executor.submit(func, x) for x in items]
        return Pending(futures=futures)

    def close(self) -> None:
        """Stop the workers (work not started is cancelled) and close a client made here."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._client is not None and self._client is not self.dask:
            self._client.close()
        self._client = None

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _run_dask(
    client: Any, paths: list[str], task: Callable[[list[str]], Any]
) -> tuple[list[list[str]], list]:
    n = max(1, sum(client.nthreads().values()))
    chunks = plan_chunks([os.path.abspath(p) for p in paths], n * _CHUNKS_PER_WORKER)
    outputs = client.gather(client.map(task, chunks, pure=False))
    # Report the paths as the user gave them, as a local run does.
    original = dict(zip([os.path.abspath(p) for p in paths], paths, strict=True))
    for _, log, _, _ in outputs:
        log.files = {original.get(k, k): v for k, v in log.files.items()}
        for key, entry in log.files.items():
            entry.path = key
    return chunks, outputs


@dataclass
class Measures:
    """Paper and cascade tables of a corpus, and what became of its records.

    Attributes
    ----------
    papers : pandas.DataFrame
        :func:`cascade.paper_metrics` columns, plus ``source`` (the file).
    cascades : pandas.DataFrame
        :func:`cascade.cascade_metrics` columns.
    log : ReadLog
    extra : list
        Results of the ``extra`` function of :func:`measure`, one per batch, in input order.
    """

    papers: pd.DataFrame
    cascades: pd.DataFrame
    log: ReadLog
    extra: list[Any]


def _measure_batch(
    batch: list[Paper], extra: Callable[..., Any] | None, share: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    b = stack(batch)  # one stack (and forest) for the metrics and the extra
    cascades, papers = batch_tables(batch, b)
    papers["source"] = [p.source for p in batch]
    if extra is None:
        return cascades, papers, None
    return cascades, papers, extra(batch, stacked=b) if share else extra(batch)


def _takes_stacked(func: Callable[..., Any]) -> bool:
    try:
        return "stacked" in inspect.signature(func).parameters
    except (TypeError, ValueError):  # no signature to read (some builtins)
        return False


def measure(
    inputs: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    workers: int | None = None,
    dask: Any = None,
    extra: Callable[[list[Paper]], Any] | None = None,
    options: ReadOptions | None = None,
    batch_size: int = 2000,
    progress: bool = False,
    arrived: Callable[[Any], Any] | None = None,
    pool: Pool | None = None,
    **legacy: Any,
) -> Measures:
    """Paper and cascade metrics of a corpus, computed in parallel; identical to a serial run.

    Parameters
    ----------
    inputs : str, path or iterable of them
        Files, directories or glob patterns.
    workers : int, optional
        Local processes (default: all cores; ``1`` = serial, in this process).
    dask : str or distributed.Client, optional
        Run on a Dask cluster instead (scheduler address or client).
    extra : callable, optional
        Another picklable ``func(batch) -> result`` to run on the same batches in the workers,
        e.g. to collect what a report needs without reading the files twice. If it takes a
        ``stacked`` keyword, it is called as ``func(batch, stacked=b)`` with the batch's
        :func:`cascade.model.stack`, the one the metrics read (so its cached forest too).
    options, batch_size, progress, pool
        As for :func:`map_papers`.
    arrived : callable, optional
        As for :func:`map_papers`, on the results of ``extra``.

    Returns
    -------
    Measures

    Examples
    --------
    >>> m = measure("examples/data", workers=1)
    >>> m.papers[["citation_id", "tweets", "cascades"]].values.tolist()
    [['56155705', 258, 70]]
    >>> len(m.cascades), m.log.records
    (70, 258)
    """
    results, log = map_papers(
        functools.partial(
            _measure_batch, extra=extra, share=extra is not None and _takes_stacked(extra)
        ),
        inputs,
        workers=workers,
        dask=dask,
        options=legacy_options(options, legacy, "measure"),
        batch_size=batch_size,
        progress=progress,
        arrived=None if arrived is None else lambda r: (r[0], r[1], arrived(r[2])),
        pool=pool,
    )
    cascades = _concat([r[0] for r in results], CASCADE_COLUMNS)
    papers = _concat([r[1] for r in results], [*PAPER_COLUMNS, "source"])
    return Measures(papers, cascades, log, [r[2] for r in results])


def _concat(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    tables = [t for t in tables if len(t)]
    if not tables:
        return pd.DataFrame({c: [] for c in columns})
    return pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]
