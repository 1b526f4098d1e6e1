"""Benchmark of ``cascade.render.html.to_html``: file size and first drawing in headless Chromium.

Targets (issues "Interactive HTML diffusion graphs" and "Report and graph pages a researcher
enjoys"): a 10,000-node, 20,000-edge user graph gives a file of at most 6 MB, and headless
Chromium finishes its first drawing within 3 s of loading it, timeline included; over
``shared/data/altmetric-api`` a report's graph pages (scripts in ``assets/``) weigh at most
0.25 MB on average, and the same input gives the same bytes.

Run::

    python benchmarks/bench_html.py                 # 10k nodes / 20k edges, 3 browser loads
    python benchmarks/bench_html.py --nodes 2000 --edges 4000 --repeat 5
    python benchmarks/bench_html.py --screenshot docs/img/sample-graph.png   # README picture
    python benchmarks/bench_html.py --pages ../shared/data/altmetric-api      # page sizes
    python benchmarks/bench_html.py --repeat 5 --baseline /work/main   # new/previous, same run
    python benchmarks/bench_html.py --report-pages /tmp/bench-10k     # a report's 100 pages

"First drawing" is ``window.cascadeFirstDrawMs``, which the page sets from vis-network's first
``afterDrawing`` event: milliseconds since navigation start, so it includes reading and parsing
the file, building the data sets and drawing. The wall time around ``driver.get`` is printed too.
With ``--baseline CHECKOUT`` the same graph is also rendered by that checkout's code (a fresh
interpreter with ``PYTHONPATH=CHECKOUT``) and the two pages are loaded alternately, so the ratio
of their medians compares them under the same machine load.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE = (
    Path(__file__).resolve().parent.parent
    / "examples"
    / "data"
    / "attention-is-not-explanation.json"
)
if __name__ == "__main__":  # run as a script: this checkout's package and the browser helper
    for extra in (ROOT, ROOT / "tests"):
        if str(extra) not in sys.path:
            sys.path.insert(0, str(extra))

from cascade.render.html import to_html  # noqa: E402

_WORDS = (
    "attention explanation model paper results neural NLP weights data new study shows "
    "interesting thread read this great work we find that"
).split()


def synthetic_user_graph(
    n: int = 10_000, m: int = 20_000, *, seed: int = 0, texts: bool = True
) -> ig.Graph:
    """A user graph shaped like a retweet cascade, with the schema of ``cascade.graph``.

    Sources are picked with a heavy-tailed (Zipf-like) popularity, so a few users are retweeted
    a lot and most never; retweeters uniformly. Weights are mostly 1. With ``texts``, every user
    carries a tweet-length ``top_tweet`` so tooltips are as big as with real data.

    Examples
    --------
    >>> g = synthetic_user_graph(100, 150)
    >>> g.vcount(), g.ecount(), g["level"]
    (100, 150, 'user')
    """
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n + 1) ** 1.1
    popularity /= popularity.sum()
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < m:
        k = m - len(pairs)
        src = rng.choice(n, size=k, p=popularity)
        dst = rng.integers(0, n, size=k)
        pairs.update((int(s), int(d)) for s, d in zip(src, dst, strict=True) if s != d)
    edges = sorted(pairs)[:m]
    g = ig.Graph(n=n, directed=True)
    g.add_edges(np.asarray(edges, dtype=np.int64))
    g.vs["name"] = [f"user{i:05d}" for i in range(n)]
    g.vs["handle"] = [f"User{i:05d}" for i in range(n)]
    g.vs["tweets"] = (1 + rng.poisson(0.5, n)).tolist()
    g.vs["followers"] = np.round(rng.lognormal(5.5, 1.6, n)).tolist()
    start = datetime(2019, 2, 28, tzinfo=timezone.utc)
    offsets = np.sort(rng.exponential(3 * 86_400, n))
    g.vs["first_seen"] = [start + timedelta(seconds=float(s)) for s in offsets]
    g.vs["papers"] = [1] * n
    if texts:
        g.vs["top_tweet"] = [
            " ".join(rng.choice(_WORDS, size=22).tolist())[:140] + " https://t.co/abcdefghij"
            for _ in range(n)
        ]
    g.es["kind"] = ["retweet"] * m
    g.es["weight"] = (1 + rng.geometric(0.7, m) - 1).tolist()
    g["citation_id"] = "synthetic"
    g["level"] = "user"
    return g


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({cpu or platform.machine()}), {platform.system()}, "
        f"Python {platform.python_version()}; load average {load}"
    )


def bench(
    nodes: int, edges: int, repeat: int, texts: bool, baseline: Path | None = None
) -> dict[str, Any]:
    """Render the synthetic graph and load it ``repeat`` times; with ``baseline`` (another
    checkout of the project, e.g. main's), also render it with that checkout's code and load the
    two pages alternately in the same browser, so both see the same machine load."""
    import browser  # tests/browser.py

    g = synthetic_user_graph(nodes, edges, texts=texts)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.html"
        t0 = time.perf_counter()
        to_html(g, out)
        render_s = time.perf_counter() - t0
        files = {"new": out}
        if baseline is not None:
            files["baseline"] = _render_elsewhere(g, baseline, Path(tmp) / "baseline.html")
            if files["baseline"].read_bytes() == out.read_bytes():
                raise SystemExit(f"{baseline} renders the same page as this checkout")
        loads: dict[str, list[dict[str, float]]] = {name: [] for name in files}
        driver = browser.start()
        try:
            for page in files.values():  # warm-up: the browser's first load is slower
                _load(driver, browser, page, g)
            for r in range(repeat):
                # ABBA order, so neither page always comes first
                for name in list(files)[:: 1 if r % 2 == 0 else -1]:
                    loads[name].append(_load(driver, browser, files[name], g))
        finally:
            driver.quit()
    result: dict[str, Any] = {
        "nodes": nodes,
        "edges": edges,
        "texts": texts,
        "render_s": render_s,
        "bytes": loads["new"][0]["bytes"],
        **_summary(loads["new"]),
    }
    if baseline is not None:
        result["baseline"] = _summary(loads["baseline"])
        result["ratio"] = result["first_draw_s_median"] / result["baseline"]["first_draw_s_median"]
        # Loads alternate, so each new load has a baseline load beside it in time.
        result["paired_ratio"] = statistics.median(
            a["first_draw"] / b["first_draw"]
            for a, b in zip(loads["new"], loads["baseline"], strict=True)
        )
        result["cpu_ratio"] = result["cpu_s_median"] / result["baseline"]["cpu_s_median"]
    return result


def _render_elsewhere(g: ig.Graph, checkout: Path, out: Path) -> Path:
    """``to_html(g, out)`` with the code of another checkout, in a fresh interpreter."""
    import pickle
    import subprocess

    graph = out.with_suffix(".pickle")
    graph.write_bytes(pickle.dumps(g))
    code = (
        "import pickle, sys; from cascade.render.html import to_html; "
        "to_html(pickle.loads(open(sys.argv[1], 'rb').read()), sys.argv[2])"
    )
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve())}
    # Run from the checkout: ``python -c`` puts the working directory first on sys.path.
    subprocess.run(
        [sys.executable, "-c", code, str(graph), str(out)], check=True, env=env, cwd=checkout
    )
    return out


def _load(driver: Any, browser: Any, page: Path, g: ig.Graph) -> dict[str, float]:
    """One load of ``page``: first drawing, wall time and the page's stage marks (seconds)."""
    driver.get("about:blank")
    cpu0 = _browser_cpu_s(driver)
    wall = browser.load(driver, page, ready="window.cascadeFirstDrawMs", timeout=120)
    cpu = _browser_cpu_s(driver) - cpu0
    stages = driver.execute_script("return window.cascadeTiming;")
    counts = driver.execute_script("return [nodes.length, edges.length];")
    assert counts == [g.vcount(), g.ecount()], counts
    assert browser.requests_to_hosts(driver) == []
    return {
        "first_draw": driver.execute_script("return window.cascadeFirstDrawMs;") / 1000.0,
        "wall": wall,
        "bytes": page.stat().st_size,
        "load": os.getloadavg()[0],
        "cpu": cpu,
        **{stage: stages[stage] / 1000.0 for stage in ("script", "data", "network")},
        # The first drawing itself (beforeDrawing to afterDrawing); pages before 2026-12-02
        # have no mark for its start.
        "drawing": (stages["firstDraw"] - stages["drawStart"]) / 1000.0
        if "drawStart" in stages
        else float("nan"),
    }


def _browser_cpu_s(driver: Any) -> float:
    """CPU seconds (user + system) used so far by the browser's processes (Linux ``/proc``; 0
    elsewhere). Unlike the first drawing's time, it does not grow while other jobs hold the CPU."""
    children: dict[int, list[int]] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(pid)
        ticks[pid] = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    todo, total = [driver.service.process.pid], 0
    while todo:
        for child in children.get(todo.pop(), []):
            total += ticks[child]
            todo.append(child)
    return total / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.0


def _summary(loads: list[dict[str, float]]) -> dict[str, float]:
    draws = [x["first_draw"] for x in loads]
    return {
        "first_draws_s": draws,
        "cpu_s_median": statistics.median(x["cpu"] for x in loads),
        "after_network_s_median": statistics.median(x["first_draw"] - x["network"] for x in loads),
        "drawing_s_median": statistics.median(x["drawing"] for x in loads),
        "bytes": loads[0]["bytes"],
        "first_draw_s_median": statistics.median(draws),
        "first_draw_s_max": max(draws),
        "wall_s_median": statistics.median(x["wall"] for x in loads),
        "load_min": min(x["load"] for x in loads),
        "load_max": max(x["load"] for x in loads),
        # Median seconds from navigation start to: the data script starting, the data sets
        # built, the vis Network constructed (the page's window.cascadeTiming).
        **{
            f"{stage}_s_median": statistics.median(x[stage] for x in loads)
            for stage in ("script", "data", "network")
        },
    }


def largest_papers(folder: Path, n: int) -> list[Any]:
    """The ``n`` papers with the most tweets under ``folder`` (ties by citation id), as a report
    picks those it draws; read as a stream, holding ``n`` papers at a time."""
    import heapq

    import cascade

    heap: list[tuple[int, str, int, Any]] = []
    for k, p in enumerate(cascade.read(folder)):
        item = (len(p), _negated(str(p.citation_id)), k, p)
        if len(heap) < n:
            heapq.heappush(heap, item)
        elif item[:3] > heap[0][:3]:
            heapq.heapreplace(heap, item)
    return [x[3] for x in sorted(heap, key=lambda x: (-x[0], str(x[3].citation_id)))]


def _negated(s: str) -> str:
    """A key that sorts strings in reverse (the heap keeps the largest, ties by smaller id)."""
    return "".join(chr(0x10FFFF - ord(c)) for c in s) + "\U0010ffff"


def report_pages(folder: Path, n: int) -> dict[str, float]:
    """The graph pages a report draws (the ``n`` largest papers, scripts shared): their total and
    largest size, and ``to_html``'s CPU seconds (process time) for all of them."""
    papers = largest_papers(folder, n)
    sizes = []
    t0 = time.process_time()
    for p in papers:
        page = to_html(p, level="user", assets="../assets/", index_href="../index.html")
        sizes.append(len(page.encode("utf-8")))
    return {
        "papers": len(papers),
        "cpu_s": time.process_time() - t0,
        "total_mb": sum(sizes) / 1e6,
        "max_mb": max(sizes, default=0) / 1e6,
    }


def pages(folder: Path) -> dict[str, float]:
    """Graph pages of every paper under ``folder``, as a report writes them: page sizes with the
    scripts inlined and with them shared (``assets="../assets/"``), and a re-render's bytes."""
    import cascade

    papers = [p for p in cascade.read(folder) if len(p)]
    inline, shared, same = [], [], True
    t0 = time.perf_counter()
    for p in papers:
        inline.append(len(to_html(p).encode("utf-8")))
        page = to_html(p, assets="../assets/", index_href="../index.html")
        shared.append(len(page.encode("utf-8")))
        same &= page == to_html(p, assets="../assets/", index_href="../index.html")
    return {
        "papers": len(papers),
        "render_s": time.perf_counter() - t0,
        "inline_mb_mean": statistics.mean(inline) / 1e6,
        "shared_mb_mean": statistics.mean(shared) / 1e6,
        "shared_mb_max": max(shared) / 1e6,
        "same_bytes": same,
    }


def screenshot(out: Path, *, width: int = 1100, height: int = 680) -> Path:
    """The README picture: the sample paper's user graph, as a PNG (kept small: 256 colours)."""
    import browser  # tests/browser.py

    import cascade

    paper = next(iter(cascade.read(SAMPLE)))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "sample.html"
        to_html(paper, page, title="Attention is not Explanation (Jain & Wallace 2019)")
        driver = browser.start(width=width, height=height)
        try:
            browser.load(driver, page)
            time.sleep(0.5)  # the page is at rest from its first drawing; this is margin
            raw = Path(tmp) / "raw.png"
            browser.screenshot(driver, raw)
        finally:
            driver.quit()
        _quantise(raw, out)
    return out


def _quantise(src: Path, dst: Path) -> None:
    """Write ``src`` to ``dst`` with an adaptive palette when Pillow is there (5-10x smaller)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        from PIL import Image
    except ImportError:
        dst.write_bytes(src.read_bytes())
        return
    with Image.open(src) as img:
        img.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            dst, optimize=True
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--edges", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-texts", action="store_true", help="tooltips without tweet texts")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. main's): its page is loaded alternately with this one's",
    )
    parser.add_argument(
        "--report-pages",
        type=Path,
        metavar="CORPUS",
        help="render the pages a report draws for CORPUS (the --largest papers), then stop",
    )
    parser.add_argument("--largest", type=int, default=100, help="with --report-pages")
    parser.add_argument("--screenshot", type=Path, help="write the README PNG here and stop")
    parser.add_argument(
        "--pages", type=Path, help="page sizes over the papers of this folder, then stop"
    )
    args = parser.parse_args(argv)
    if args.report_pages:
        r = report_pages(args.report_pages, args.largest)
        print(
            f"{r['papers']} largest papers: graph pages {r['total_mb']:.1f} MB in all (largest "
            f"{r['max_mb']:.2f} MB), to_html CPU {r['cpu_s']:.1f} s"
        )
        return 0
    if args.pages:
        r = pages(args.pages)
        print(
            f"{r['papers']} papers: graph pages {r['inline_mb_mean']:.3f} MB on average with the "
            f"scripts inlined, {r['shared_mb_mean']:.3f} MB (max {r['shared_mb_max']:.3f} MB) "
            f"with them in assets/; same bytes on a re-render: {r['same_bytes']}"
        )
        ok = r["shared_mb_mean"] <= 0.25 and r["same_bytes"]
        print("target (<= 0.25 MB on average, same bytes):", "met" if ok else "MISSED")
        return 0 if ok else 1
    if args.screenshot:
        out = screenshot(args.screenshot)
        print(f"{out}: {out.stat().st_size:,} bytes")
        return 0
    result = bench(args.nodes, args.edges, args.repeat, not args.no_texts, args.baseline)
    print(f"machine: {machine()}")
    print(
        f"{result['nodes']:,} nodes, {result['edges']:,} edges, texts={result['texts']}: "
        f"render {result['render_s']:.2f} s, file {result['bytes'] / 1e6:.2f} MB"
    )
    rows = [("new", result)] + ([("baseline", result["baseline"])] if args.baseline else [])
    for name, r in rows:
        print(
            f"  {name}: first drawing {r['first_draw_s_median']:.2f} s median / "
            f"{r['first_draw_s_max']:.2f} s max of {args.repeat} loads (wall "
            f"{r['wall_s_median']:.2f} s; medians from navigation start: script "
            f"{r['script_s_median']:.2f} s, data sets {r['data_s_median']:.2f} s, network "
            f"{r['network_s_median']:.2f} s, first drawing {r['after_network_s_median']:.2f} s "
            f"after it, of which the drawing itself {r['drawing_s_median']:.2f} s; "
            f"browser CPU {r['cpu_s_median']:.2f} s; file {r['bytes'] / 1e6:.2f} MB; "
            f"load average {r['load_min']:.1f}-{r['load_max']:.1f}); each load: "
            + ", ".join(f"{x:.2f}" for x in r["first_draws_s"])
        )
    if args.baseline:
        print(
            f"  new / baseline: first drawing medians {result['ratio']:.3f}, median of the "
            f"paired loads {result['paired_ratio']:.3f}, browser CPU {result['cpu_ratio']:.3f}"
        )
    ok = result["bytes"] <= 6_000_000 and result["first_draw_s_median"] <= 3.0
    print("targets (<= 6 MB, first drawing <= 3 s, timeline included):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
