"""Sources in parallel: a nightly of 20 sources against the slowest of them run alone.

    .venv/bin/python -m bench.parallel_sources [--sources 20] [--pages 10] [--latency 0.2]
                                               [--singles 5] [--repeat 3] [--json]

Each source is its own loopback host (127.0.0.2, 127.0.0.3, ...: a LocalServer each), with
`--pages` generated CUPE pages of 10 listings, every answer (robots.txt included) sent after
`--latency` s; the fetcher keeps a per-host delay of 0.1 s. Each run is `flows.refresh.refresh`
into a fresh warehouse and archive (nothing skipped as unchanged), on the temporary Prefect
server. The single-source runs are `--singles` of the sources, each alone (the sources are
alike in shape: same pages, listings and latency), the slowest of them the reference.
Target: the nightly of all sources <= 1.5x the slowest single source.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 1.5
PER_HOST_DELAY = 0.1


def _pages(k: int, n_pages: int) -> list[bytes]:
    from bench.generate import _cupe_page, cupe_listings, vocabulary

    rows = cupe_listings(10 * n_pages, random.Random(f"parallel:{k}"), vocabulary())
    return [_cupe_page(rows[p * 10:(p + 1) * 10], 0, 1).encode("utf-8") for p in range(n_pages)]


def _servers(n_sources: int, n_pages: int, latency: float):
    from tests.localserver import LocalServer, Response

    servers = []
    for k in range(n_sources):
        srv = LocalServer(f"127.0.0.{k + 2}").start()
        srv.routes["/robots.txt"] = Response(status=404, body=b"none", delay=latency)
        for p, body in enumerate(_pages(k, n_pages)):
            srv.routes[f"/p{p}"] = Response(body=body, headers={"Content-Type": "text/html; charset=utf-8"},
                                            delay=latency)
        servers.append(srv)
    return servers


def _sources_file(path: Path, servers, n_pages: int) -> Path:
    lines = []
    for k, srv in enumerate(servers):
        urls = ", ".join(f'"{srv.url(f"/p{p}")}"' for p in range(n_pages))
        lines += ["[[source]]", f'name = "bench-{k:02d}"', f'provider = "BENCH{k:02d}"', 'parser = "cupe_workshops"',
                  f"start_urls = [{urls}]", f'allowed_hosts = ["{srv.address}"]', f"max_pages = {n_pages}",
                  "hours_per_day = 7", "days_per_week = 5", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def measure(n_sources: int, n_pages: int, latency: float, singles: int, repeat: int) -> dict:
    from bench.stages import _prefect_env

    _prefect_env()
    from fetch.client import FetchSettings
    from flows.refresh import local_run_settings, refresh

    settings = FetchSettings(per_host_delay=PER_HOST_DELAY, attempts=1)
    tmp = Path(tempfile.mkdtemp(prefix="bench-parallel-"))
    servers = _servers(n_sources, n_pages, latency)
    src = _sources_file(tmp / "sources.toml", servers, n_pages)
    names = [f"bench-{k:02d}" for k in range(n_sources)]
    counter = [0]

    def run(only: list[str]) -> float:
        counter[0] += 1
        t = time.perf_counter()
        summary = refresh(db_path=str(tmp / f"w{counter[0]}.duckdb"), sources_file=str(src), source_names=only,
                          archive_dir=str(tmp / f"archive{counter[0]}"), fetch_settings=settings)
        took = time.perf_counter() - t
        if not summary.ok:
            raise SystemExit(f"refresh failed: {summary.failures}")
        return took

    try:
        with local_run_settings():
            run(names[:1])  # warm-up: Prefect's start-up and first imports, outside the timings
            single = {name: run([name]) for name in names[:singles]}
            nightly = [run(names) for _ in range(repeat)]
    finally:
        for srv in servers:
            srv.stop()
    slowest = max(single.values())
    ratio = statistics.median(nightly) / slowest
    return {"sources": n_sources, "pages": n_pages, "latency_s": latency, "per_host_delay_s": PER_HOST_DELAY,
            "single_s": single, "slowest_single_s": slowest, "nightly_s": nightly,
            "nightly_median_s": statistics.median(nightly), "ratio": ratio, "target": TARGET,
            "met": ratio <= TARGET, "sequential_estimate_s": statistics.mean(single.values()) * n_sources}


def rows(r: dict) -> list[list[str]]:
    met = "yes" if r["met"] else f"**NO** (by {r['ratio'] / r['target'] - 1:.0%})"
    return [
        ["sources in parallel", f"slowest single source alone (of {len(r['single_s'])} run alone; "
         f"{r['pages']} pages, {r['latency_s'] * 1000:.0f} ms latency)", f"{r['slowest_single_s']:.2f}", "", "", ""],
        ["sources in parallel", f"nightly of {r['sources']} sources, one host each (median of {len(r['nightly_s'])}; "
         f"one after another would be ~{r['sequential_estimate_s']:.0f} s)", f"{r['nightly_median_s']:.2f}",
         f"{r['ratio']:.2f}x the slowest single", f"<= {r['target']}x the slowest single", met],
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.parallel_sources", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=int, default=20)
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--singles", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print the measurement as one JSON line")
    a = ap.parse_args(argv)
    r = measure(a.sources, a.pages, a.latency, min(a.singles, a.sources), a.repeat)
    if a.json:
        print(json.dumps(r))
    else:
        print("| stage | measured | s | ratio | target | met |\n|---|---|---|---|---|---|")
        print("\n".join("| " + " | ".join(row) + " |" for row in rows(r)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
