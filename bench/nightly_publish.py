"""The publish step of a nightly in which nothing changed, against a warehouse with history.

    .venv/bin/python -m bench.nightly_publish --size N [--repeat R] [--nights 30] [--steps]

Builds a warehouse from a generated catalogue of N listings (bench/generate.py) and 30 nights
of history: night 1 loads both sources; on each later night the AUPE source changes (a
different 5% of its listings leave, the ones that left the night before come back) and CUPE
is unchanged, so every night adds runs, pages, source_runs and course/variant history rows.
Then it times ``warehouse.load.publish`` of a run in which every source answered 304 (status
``unchanged``), R times on the same file (consecutive unchanged nights), and the same publish
forced through the copy-and-rename path (what every run cost before ``record_in_place``).
Prints one JSON object (the format of ``bench.stages``) on its last line.

``python -m bench`` runs it at two sizes (a small and a large file) through ``measure`` and
adds the rows from ``rows`` (not with ``--quick``). Target: <= 0.2 s for the publish step at each size.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A small and a large file: 13 MB and 68 MB after 30 nights (measured 2026-11-27); 100,000 listings
# gave over 280 MB and its 30-night build did not finish in the time a bench run can spend.
SIZES = (1_000, 18_000)
TARGET_S = 0.2
STAGE = "5b nightly unchanged: publish"


def _night_loads(base, night: int, at: datetime):
    """The night's SourceLoads: AUPE with a rotating 5% left out (loaded), CUPE unchanged."""
    from grouping import group_listings

    loads = []
    for load in base:
        pages = [{**p, "fetched_at": at} for p in load.pages]
        if load.source == "aupe-courses" and night > 1:
            n = len(load.listings)
            k = max(1, n // 20)
            lo = (night * k) % n
            listings = [l for i, l in enumerate(load.listings) if not lo <= i < lo + k]
            loads.append(replace(load, status="loaded", pages=pages, listings=listings,
                                 grouping=group_listings(listings)))
        elif night > 1:
            loads.append(replace(load, status="unchanged", pages=[{**p, "status_code": 304} for p in pages],
                                 listings=[], grouping=None))
        else:
            loads.append(replace(load, pages=pages))
    return loads


def _unchanged(base, at: datetime):
    return [replace(l, status="unchanged", listings=[], grouping=None, errors=[],
                    pages=[{**p, "fetched_at": at, "status_code": 304} for p in l.pages]) for l in base]


def build(db: Path, size: int, nights: int) -> tuple[list, datetime]:
    """A warehouse of `nights` nights of history; returns the loads and the last night's time."""
    from bench.stages import _loads
    from warehouse.load import RunRecord, publish

    base = _loads(size)
    start = datetime(2026, 1, 1, 2, 0, tzinfo=timezone.utc)
    for night in range(1, nights + 1):
        at = start + timedelta(days=night - 1)
        loads = _night_loads(base, night, at)
        publish(db, RunRecord(run_id=f"{at:%Y%m%dT%H%M%SZ}-night{night:02d}", started_at=at, finished_at=at,
                              mode="fetch", sources=[l.source for l in loads], status="succeeded"), loads)
    return base, start + timedelta(days=nights - 1)


def run(size: int, repeat: int, nights: int) -> dict:
    import duckdb

    import warehouse.load as wl
    from bench.stages import peak_rss_mb, reset_peak_rss
    from warehouse.load import RunRecord, publish

    tmp = Path(tempfile.mkdtemp(prefix="bench-nightly-publish-"))
    db = tmp / "w.duckdb"
    try:
        t0 = time.perf_counter()
        base, last = build(db, size, nights)
        build_s = time.perf_counter() - t0
        mb = db.stat().st_size / 1e6
        ino = db.stat().st_ino

        cpu: list[float] = []

        def one(k: int, in_place: bool = True) -> float:
            at = last + timedelta(days=k + 1)
            loads = _unchanged(base, at)
            record = RunRecord(run_id=f"{at:%Y%m%dT%H%M%SZ}-{'same' if in_place else 'copy'}{k:02d}", started_at=at,
                               finished_at=at, mode="fetch", sources=[l.source for l in loads], status="succeeded")
            real = wl.record_in_place
            if not in_place:
                wl.record_in_place = lambda *a, **kw: False
            try:
                t, c = time.perf_counter(), time.process_time()
                publish(db, record, loads)
                if in_place:
                    cpu.append(time.process_time() - c)
                return time.perf_counter() - t
            finally:
                wl.record_in_place = real

        reset_peak_rss()
        times = [one(k) for k in range(repeat)]
        peak = peak_rss_mb()
        kept_inode = db.stat().st_ino == ino
        copy_times = [one(repeat + k, in_place=False) for k in range(max(1, min(3, repeat)))]
        con = duckdb.connect(str(db), read_only=True)
        runs, history = con.execute("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM course_history)"
                                    ).fetchone()
        con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"stage": "nightly-publish", "what": "unchanged", "size": size, "times": times,
            "median_s": statistics.median(times), "peak_rss_mb": peak,
            "extra": {"cpu_times": cpu, "cpu_s": statistics.median(cpu), "file_mb": mb, "nights": nights, "build_s": build_s, "file_kept": kept_inode,
                      "copy_times": copy_times, "copy_s": statistics.median(copy_times), "runs": runs,
                      "course_history_rows": history}}


# --- the hook in python -m bench -------------------------------------------------------

def measure(repeat: int, sizes: tuple[int, ...] = SIZES) -> dict:
    """Each size in a process of its own; {(stage, what, size): result}."""
    out = {}
    for size in sizes:
        cmd = [sys.executable, "-m", "bench.nightly_publish", "--size", str(size), "--repeat", str(max(repeat, 3))]
        t0 = time.perf_counter()
        print(f"  nightly-publish unchanged @ {size:,} ...", end="", file=sys.stderr, flush=True)
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        print(f" {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            out[("nightly-publish", "unchanged", size)] = {"stage": "nightly-publish", "what": "unchanged",
                                                            "size": size, "error": tail, "stderr": proc.stderr[-4000:]}
        else:
            out[("nightly-publish", "unchanged", size)] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def rows(results: dict, skipped: bool = False) -> list[list[str]]:
    """Table rows (bench.__main__.render's columns) for the results of `measure`."""
    if skipped:  # --quick: building 30 nights of history is not quick
        return [[STAGE, "publish of a run with every source 304", "", "", "", "", "", f"<= {TARGET_S} s, no copy",
                 "skipped (--quick)"]]
    out = []
    for (_, _, size), r in sorted(results.items()):
        if "error" in r:
            out.append([STAGE, "publish of a run with every source 304", f"{size:,}", "", "", "", "", "",
                        f"ERROR: {r['error']}"])
            continue
        e, t = r["extra"], r["median_s"]
        ok = t <= TARGET_S and e["file_kept"]
        out.append([STAGE, f"publish, every source 304, after {e['nights']} nights ({e['file_mb']:.0f} MB file, "
                           f"{'no copy' if e['file_kept'] else 'COPIED'})", f"{size:,}",
                    f"{t:.3f} ({len(r['times'])})", "", f"{r['peak_rss_mb']:.0f}",
                    f"CPU {e['cpu_s']:.3f} s; {t / e['copy_s']:.0%} of the copy-and-rename publish "
                    f"({e['copy_s']:.3f} s)",
                    f"<= {TARGET_S} s, no copy", "yes" if ok else
                    f"**NO** (by {t - TARGET_S:+.3f} s)" if e["file_kept"] else "**NO** (copied)"])
    return out


def steps(size: int, repeat: int, nights: int) -> dict[str, list[float]]:
    """Where an unchanged night's publish spends its time: the steps of
    ``warehouse.load.record_in_place`` (open, definitions check, the run's rows, COMMIT,
    CHECKPOINT, close) timed one by one, ``repeat`` unchanged nights on one built file."""
    import duckdb

    from warehouse.ddl import definitions_current
    from warehouse.load import RunRecord, _record_run

    tmp = Path(tempfile.mkdtemp(prefix="bench-nightly-steps-"))
    db = tmp / "w.duckdb"
    out: dict[str, list[float]] = {}
    try:
        base, last = build(db, size, nights)
        for k in range(repeat):
            at = last + timedelta(days=k + 1)
            loads = _unchanged(base, at)
            record = RunRecord(run_id=f"{at:%Y%m%dT%H%M%SZ}-steps{k:02d}", started_at=at, finished_at=at,
                               mode="fetch", sources=[l.source for l in loads], status="succeeded")
            t = time.perf_counter()

            def lap(name: str) -> None:
                nonlocal t
                now = time.perf_counter()
                out.setdefault(name, []).append(now - t)
                t = now

            con = duckdb.connect(str(db))
            lap("open")
            definitions_current(con)
            lap("definitions check")
            con.execute("BEGIN TRANSACTION")
            _record_run(con, record, loads, n_courses=0)
            lap("the run's rows")
            con.execute("COMMIT")
            lap("COMMIT")
            con.execute("CHECKPOINT")
            lap("CHECKPOINT")
            con.close()
            lap("close")
        out["file_mb"] = [db.stat().st_size / 1e6]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.nightly_publish")
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--nights", type=int, default=30)
    ap.add_argument("--steps", action="store_true", help="time each step of the in-place publish instead")
    a = ap.parse_args(argv)
    if a.steps:
        for name, times in steps(a.size, a.repeat, a.nights).items():
            if name == "file_mb":
                print(f"file after {a.nights} nights: {times[0]:.1f} MB")
            else:
                print(f"{name:18s} median {1000 * statistics.median(times):6.1f} ms  "
                      f"({' / '.join(f'{1000 * x:.0f}' for x in times)})")
        return
    print(json.dumps(run(a.size, a.repeat, a.nights), default=str))


if __name__ == "__main__":
    main()
