"""Where the load's memory goes at a given size: the inputs (listings, the grouping as Arrow
tables, page rows), publish's peak, Python's share.

    .venv/bin/python -m bench.load_memory --size 100000
"""
from __future__ import annotations

import argparse
import tempfile
import tracemalloc
from pathlib import Path

from bench import stages


def _rss_mb() -> int:
    with open("/proc/self/status") as fh:
        return int(fh.read().split("VmRSS:")[1].split()[0]) // 1024


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.load_memory")
    ap.add_argument("--size", type=int, default=100_000)
    size = ap.parse_args().size
    from warehouse.load import publish

    loads = stages._loads(size)
    print(f"inputs (listings, groupings, pages) RSS: {_rss_mb()} MB")
    stages.reset_peak_rss()
    tracemalloc.start()
    publish(Path(tempfile.mkdtemp(prefix="bench-mem-")) / "m.duckdb", stages._run_record(loads), loads,
            release=True)  # as the flow's load_run
    _, python_peak = tracemalloc.get_traced_memory()
    print(f"publish: peak RSS {stages.peak_rss_mb():.0f} MB; Python allocations peak {python_peak // 2**20} MB "
          "(the rest is DuckDB and Arrow)")


if __name__ == "__main__":
    main()
