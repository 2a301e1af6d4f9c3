"""Prefect's own cost per task run, before and after the settings the refresh runs with.

    .venv/bin/python -m bench.prefect_cost [--tasks 40] [--repeat 5] [--profile]

Each configuration runs in a process of its own (settings are read at import), against the
temporary server, with a flow of `--tasks` no-op tasks called one after another and the same
tasks fanned out with `.map()` on the thread-pool runner, and a task given 1,000 pydantic models
(as parse and load are given a source's pages and listings) plain and under ``quote()``. Per task:

* body: the flow body's time divided by the number of tasks (what a task costs the flow);
* wall: (a flow of N tasks - an empty flow) / N, the figure `make bench` printed before.

`--profile` prints where the body's time goes under cProfile (the top functions).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 20.0
BIG = 1_000  # models passed to one task, as a source's pages and listings are

# name -> environment over the bench's base (a Prefect home of its own, no telemetry)
CONFIGS = {
    "before: Prefect's defaults (INFO logs shipped to the API)": {},
    "after: as `courses refresh` runs (WARNING logs, no flow heartbeats)": {"BENCH_LOCAL_SETTINGS": "1"},
}


def child(n: int, repeat: int, profile: bool) -> dict:
    from bench.stages import _prefect_env

    _prefect_env()
    if os.environ.get("PREFECT_LOGGING_LEVEL") == "WARNING" and not os.environ.get("BENCH_LOCAL_SETTINGS"):
        os.environ.pop("PREFECT_LOGGING_LEVEL")  # "before": Prefect's default level (INFO)
    from contextlib import nullcontext

    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from flows.refresh import local_run_settings

    @task(cache_policy=NO_CACHE)
    def noop(k: int) -> int:
        return k

    from pydantic import BaseModel
    from prefect.utilities.annotations import quote

    class Row(BaseModel):  # a listing's shape: a score of scalar fields
        a: str = "title"; b: str = "series"; c: float = 7.0; d: str = "2 days"; e: str = "CUPE"
        f: str = "x"; g: str = "y"; h: int = 1; i: int = 2; j: str = "https://cupe.ca/"
        k: list[str] = ["one", "two"]; m: str | None = None; n: str = "z"; o: bool = True

    big = [Row() for _ in range(BIG)]

    @task(cache_policy=NO_CACHE)
    def consume(rows: list) -> int:
        return len(rows)

    @flow(name="bench-prefect-cost-big")
    def big_input(quoted: bool) -> None:
        t = time.perf_counter()
        for _ in range(5):
            consume(quote(big) if quoted else big)
        body.append((time.perf_counter() - t) / 5)

    body: list[float] = []

    @flow(name="bench-prefect-cost")
    def tasks(n: int, fan_out: bool = False) -> None:
        t = time.perf_counter()
        if fan_out:
            noop.map(range(n)).result()
        else:
            for k in range(n):
                noop(k)
        body.append(time.perf_counter() - t)

    settings = local_run_settings() if os.environ.get("BENCH_LOCAL_SETTINGS") else nullcontext()
    with settings:
        tasks(2)
        tasks(2, True)  # start-up and first imports, outside the timings
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.runcall(tasks, n)
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        empty, full, seq, fan = [], [], [], []
        for _ in range(repeat):
            t = time.perf_counter()
            tasks(0)
            empty.append(time.perf_counter() - t)
            t = time.perf_counter()
            tasks(n)
            full.append(time.perf_counter() - t)
            seq.append(body[-1] / n)
            tasks(n, True)
            fan.append(body[-1] / n)
        walked, quoted = [], []
        for _ in range(repeat):
            big_input(False)
            walked.append(body[-1])
            big_input(True)
            quoted.append(body[-1])
    med = statistics.median
    return {"big_n": BIG, "big_walked_ms": med(walked) * 1000, "big_quoted_ms": med(quoted) * 1000,"tasks": n, "body_ms": med(seq) * 1000, "map_ms": med(fan) * 1000,
            "wall_ms": (med(full) - med(empty)) / n * 1000, "empty_flow_s": med(empty)}


def measure(n: int, repeat: int) -> dict[str, dict]:
    out = {}
    for name, env in CONFIGS.items():
        proc = subprocess.run([sys.executable, "-m", "bench.prefect_cost", "--child", "--tasks", str(n),
                               "--repeat", str(repeat)], cwd=ROOT, capture_output=True, text=True, timeout=1800,
                              env={**os.environ, "PYTHONPATH": str(ROOT), **env})
        if proc.returncode != 0:
            raise SystemExit(f"{name}: {proc.stderr[-2000:]}")
        out[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def rows(results: dict[str, dict]) -> list[list[str]]:
    out = []
    for name, r in results.items():
        met = "yes" if r["body_ms"] <= TARGET_MS else f"**NO** (by {r['body_ms'] / TARGET_MS - 1:.0%})"
        out.append(["Prefect cost per task", f"{name}; {r['tasks']} no-op tasks",
                    f"{r['body_ms']:.1f} ms in the body ({r['map_ms']:.1f} ms with .map(); "
                    f"wall delta {r['wall_ms']:.1f} ms; empty flow {r['empty_flow_s']:.2f} s)",
                    f"<= {TARGET_MS:.0f} ms a task", met if name.startswith("after") else ""])
        out.append(["Prefect cost per task", f"{name}; one task given {r['big_n']:,} pydantic models",
                    f"{r['big_walked_ms']:.1f} ms (Prefect walks them for futures); "
                    f"{r['big_quoted_ms']:.1f} ms under quote() (flows/refresh.py passes pages and loads so)",
                    f"<= {TARGET_MS:.0f} ms a task", ""])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.prefect_cost", description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child or a.profile:
        print(json.dumps(child(a.tasks, a.repeat, a.profile)))
        return 0
    print("| stage | measured | per task | target | met |\n|---|---|---|---|---|")
    print("\n".join("| " + " | ".join(r) + " |" for r in rows(measure(a.tasks, a.repeat))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
