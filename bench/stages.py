"""One measurement per process: ``python -m bench.stages STAGE WHAT --size N --repeat R``.

``python -m bench`` runs each (stage, what, size) in a process of its own, so that its peak
resident memory is real and nothing one measurement allocated stays in the next one's RSS.
The process builds its input first (untimed), resets the kernel's RSS high-water mark
(``/proc/self/clear_refs``), then times ``repeat`` runs and prints one JSON object on its
last line of stdout: the run times, the peak RSS during the timed runs, and any extras.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "archive"


# --- measuring -------------------------------------------------------------------------

def reset_peak_rss() -> bool:
    """Reset the RSS high-water mark (Linux >= 4.0); False where that cannot be done."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak RSS since the last reset (VmHWM), else since the process started (ru_maxrss)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """The resident memory now (VmRSS)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def timed(fn: Callable[[], object], repeat: int, budget_s: float = 90.0,
          cpu: list[float] | None = None) -> list[float]:
    """Run fn up to `repeat` times (at least min(3, repeat) unless over budget twice over).
    The CPU time of each run (this process's, all threads) goes into `cpu` where given: on a
    shared machine it moves far less with the others' load than the wall time does."""
    times: list[float] = []
    for k in range(repeat):
        gc.collect()
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(time.process_time() - c0)
        spent = sum(times)
        if spent > budget_s and (k + 1 >= min(3, repeat) or spent > 2 * budget_s):
            break
    return times


# --- inputs ----------------------------------------------------------------------------

def _pages(size: int):
    from bench.generate import catalogue

    return catalogue(size)


class _PageFiles:
    """A generated catalogue written to files by another process (``python -m bench.generate``)
    and read back one page at a time, as the fetcher's archive gives them: the inputs of the
    grouping and load stages are then what the flow holds (the listings, their grouping), not
    the generator's leftovers in this process. Iterable any number of times, like the list of
    pages; remove the folder with ``close()``."""

    def __init__(self, size: int, per_page: int = 1000) -> None:
        import subprocess

        from bench.generate import AUPE_URL, CUPE_SHARE, CUPE_URL

        self.folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
        subprocess.run([sys.executable, "-m", "bench.generate", "--size", str(size), "--out", str(self.folder),
                        "--per-page", str(per_page)],
                       check=True, cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        n_cupe = round(size * CUPE_SHARE)
        self.counts = {"cupe-workshops": n_cupe, "aupe-courses": size - n_cupe}
        self.base_url = {"cupe-workshops": CUPE_URL, "aupe-courses": AUPE_URL}
        self.per_page = per_page

    def __iter__(self):
        from bench.generate import Page

        for source, url in self.base_url.items():
            for j, path in enumerate(sorted((self.folder / source).glob("page-*.html"))):
                n = min(self.per_page, self.counts[source] - j * self.per_page)
                yield Page(source, url + (f"?page={j}" if j else ""), path.read_text(encoding="utf-8"), n)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _parse_normalise(pages, parse_of: dict[str, Callable]) -> dict[str, list]:
    """parse + normalise every page, per source as flows.refresh.parse_source does: page by
    page into columns (ListingBatch), concatenated per source."""
    from normalise.listing import normalise_batch
    from parsers import get_parser
    from schema.batch import ListingBatches
    from sources import load_sources

    out = {}
    for source in load_sources():
        parser = get_parser(source.parser)
        prefixes = getattr(parser, "PROGRAMME_PREFIXES", {})
        batches = ListingBatches()
        for page in pages:
            if page.source == source.name:
                batches.add(normalise_batch(parse_of[source.name](page.html, page.url).listings,
                                            provider=source.provider, source=source.name,
                                            conventions=source.conventions, prefixes=prefixes))
        out[source.name] = batches.finish()
    return out


def _our_parsers() -> dict[str, Callable]:
    from parsers import get_parser
    from sources import load_sources

    return {s.name: get_parser(s.parser).parse for s in load_sources()}


def _loads(size: int):
    """SourceLoads of a generated catalogue (parsed, normalised, grouped), as the flow builds them;
    the pages come from files one at a time (_PageFiles)."""
    import hashlib

    from grouping import group_listings
    from warehouse.load import SourceLoad, columnar

    pages = _PageFiles(size)
    now = datetime.now(timezone.utc)
    try:
        listings = _parse_normalise(pages, _our_parsers())
        page_rows: dict[str, list[dict]] = {}
        for p in pages:
            data = p.html.encode()
            page_rows.setdefault(p.source, []).append({
                "source": p.source, "url": p.url, "status_code": 200, "fetched_at": now,
                "content_hash": hashlib.sha256(data).hexdigest(), "encoding": "utf-8",
                "content_type": "text/html; charset=utf-8", "bytes": len(data), "etag": None,
                "last_modified": None, "archive_path": f"{p.source}/page.html.gz", "n_listings": p.n_listings})
    finally:
        pages.close()
    return [columnar(SourceLoad(source=name, status="loaded", pages=page_rows.get(name, []), listings=ls,
                                grouping=group_listings(ls))) for name, ls in listings.items()]


def _run_record(loads):
    from warehouse.load import RunRecord

    now = datetime.now(timezone.utc)
    return RunRecord(run_id="bench-" + now.strftime("%H%M%S%f"), started_at=now, mode="archive",
                     sources=[l.source for l in loads], finished_at=now, status="succeeded")


# --- stages ----------------------------------------------------------------------------

def parse_stage(what: str, size: int, repeat: int) -> dict:
    """parse + normalise (ours), the BeautifulSoup baseline, or a bare Lexbor parse; ``paired:N``:
    ours at `size` and at N in turns in this process (``parse_paired``)."""
    if what.startswith("paired:"):
        return parse_paired(size, int(what.split(":", 1)[1]), repeat)
    pages = _pages(size)
    extra = {"pages": len(pages), "mb": round(sum(len(p.html.encode()) for p in pages) / 1e6, 1)}
    if what == "bare":
        from selectolax.lexbor import LexborHTMLParser

        def run():
            for p in pages:
                LexborHTMLParser(p.html)
    else:
        if what in ("bs4", "bs4-lxml"):
            from bench.bs4_baseline import PARSERS as parse_of
            from bench.bs4_baseline import use_builder

            use_builder("lxml" if what == "bs4-lxml" else "html.parser")
        else:
            parse_of = _our_parsers()
        n = sum(len(v) for v in _parse_normalise(pages, parse_of).values())  # warm-up, and a check
        if n != size:
            raise SystemExit(f"parse {what}: {n} listings from a catalogue of {size}")

        def run():
            _parse_normalise(pages, parse_of)
    return {"extra": extra, **_measure(run, repeat)}


def parse_paired(size: int, small: int, repeat: int) -> dict:
    """The linearity measurement: ours at `size` and at `small` (same generator, same mix) in
    turns in one process, one run of `size` then as many runs of `small` as give as many
    listings (the order swapped each turn), CPU time of each. Measured in two processes, the
    two sizes also measure two moments of a shared machine (a 1,000 run lasts 0.06 s and can
    fall in a quiet one; a 100,000 run lasts the busy minutes); in turns both see the same
    ones. ``times``/``cpu_times`` are the large runs'; ``extra.ratios`` each turn's rate at
    `size` over the rate at `small`."""
    big_pages, small_pages = _pages(size), _pages(small)
    parse_of = _our_parsers()
    for pages, n in ((big_pages, size), (small_pages, small)):  # warm-up, and a check
        got = sum(len(v) for v in _parse_normalise(pages, parse_of).values())
        if got != n:
            raise SystemExit(f"parse paired: {got} listings from a catalogue of {n}")
    k = max(1, size // small)

    def run(pages, times: int) -> tuple[float, float]:
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(times):
            _parse_normalise(pages, parse_of)
        return time.perf_counter() - t0, time.process_time() - c0

    reset_peak_rss()
    times, cpu, small_cpu, ratios = [], [], [], []
    for turn in range(max(1, repeat)):
        if turn % 2:
            s_wall, s_cpu = run(small_pages, k)
            b_wall, b_cpu = run(big_pages, 1)
        else:
            b_wall, b_cpu = run(big_pages, 1)
            s_wall, s_cpu = run(small_pages, k)
        times.append(b_wall)
        cpu.append(b_cpu)
        small_cpu.append(s_cpu / k)
        ratios.append((size / b_cpu) / (k * small / s_cpu))
    return {"times": times, "cpu_times": cpu, "cpu_s": statistics.median(cpu), "peak_rss_mb": peak_rss_mb(),
            "extra": {"small": small, "small_runs_a_turn": k, "small_cpu_times": small_cpu, "ratios": ratios,
                      "ratio": statistics.median(ratios)}}


def group_stage(what: str, size: int, repeat: int) -> dict:
    from grouping import group_listings

    pages = _PageFiles(size)  # read one at a time: the generator's leftovers are not in this process
    try:
        listings = _parse_normalise(pages, _our_parsers())
    finally:
        pages.close()
    g = {name: group_listings(ls) for name, ls in listings.items()}
    extra = {"courses": sum(len(x.courses) for x in g.values()),
             "multi_length": sum(1 for x in g.values() for c in x.courses if c.n_variants > 1)}
    del g  # the warm-up's result: the timed runs hold one grouping at a time, as the flow does

    def run():
        for ls in listings.values():  # one call per source, as the flow does
            group_listings(ls)
    return {"extra": extra, **_measure(run, repeat)}


def load_stage(what: str, size: int, repeat: int) -> dict:
    """publish() into a new warehouse file, or the same publish() with every insert done row
    by row with executemany.

    The baseline swaps warehouse.load._insert (one Arrow INSERT ... SELECT per table) for an
    executemany of the same rows (built by warehouse.load.rows_for, as _write does) into the
    same tables (warehouse.ddl.ensure_schema), in the same transaction; so the two differ in
    the insert path only, whatever else the load does (history tables, upserts).
    """
    from unittest import mock

    import duckdb

    import warehouse.load as wl
    from warehouse.ddl import columns

    loads = _loads(size)
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    db = tmp / "bench.duckdb"

    def run_publish():
        for f in tmp.iterdir():
            f.unlink()
        wl.publish(db, _run_record(loads), loads)

    def executemany_insert(con, table: str, rows, cols: list[str] | None = None, **_) -> None:
        if not len(rows):
            return
        if not isinstance(rows, list):  # an Arrow table (the listings): its rows as dicts
            rows = rows.to_pylist()
        cols = cols or columns(table)
        con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                        [[r.get(c) for c in cols] for r in rows])

    def run_executemany():
        with mock.patch.object(wl, "_insert", executemany_insert):
            run_publish()

    try:
        out = _measure(run_publish if what == "publish" else run_executemany, repeat)
        con = duckdb.connect(str(db), read_only=True)
        tables = [t for t, in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()]
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if counts.get("listings") != size:
        raise SystemExit(f"load {what}: {counts.get('listings')} listings loaded of {size}")
    return {"extra": {"rows": sum(counts.values()), **counts}, **out}


def pipeline_stage(what: str, size: int, repeat: int) -> dict:
    """parse -> normalise -> group -> load of a generated catalogue, as the flow's stages run
    it (flows.refresh.parse_source's page-by-page batches, then warehouse.load.publish into a
    new file). The pages are generated by another process (``python -m bench.generate``) into
    a folder and read one at a time, as the fetcher's archive gives them: the catalogue's
    HTML is never all in this process, so its peak RSS is the stages' own."""
    import hashlib
    import subprocess

    from bench.generate import AUPE_URL, CUPE_URL
    from flows.memory import arrow_from_malloc, for_a_large_source
    from grouping import group_listings
    from normalise.listing import normalise_batch
    from parsers import get_parser
    from schema.batch import ListingBatches
    from sources import load_sources
    import warehouse.load as wl

    tmp = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    subprocess.run([sys.executable, "-m", "bench.generate", "--size", str(size), "--out", str(tmp / "pages")],
                   check=True, cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    base_url = {"cupe-workshops": CUPE_URL, "aupe-courses": AUPE_URL}
    db = tmp / "bench.duckdb"
    counted = {}
    progress = _Progress(step_peaks=True)

    def run():
        if db.exists():
            db.unlink()
        arrow_from_malloc()  # as flows.refresh does at the start of a run
        now = datetime.now(timezone.utc)
        loads = []
        for source in load_sources():
            parser = get_parser(source.parser)
            prefixes = getattr(parser, "PROGRAMME_PREFIXES", {})
            batches, page_rows = ListingBatches(), []
            for j, path in enumerate(sorted((tmp / "pages" / source.name).glob("page-*.html"))):
                data = path.read_bytes()
                url = base_url[source.name] + (f"?page={j}" if j else "")
                result = parser.parse(data.decode("utf-8"), url)
                batches.add(normalise_batch(result.listings, provider=source.provider, source=source.name,
                                            conventions=source.conventions, prefixes=prefixes))
                for_a_large_source(len(batches))  # as flows.refresh.parse_source
                page_rows.append({"source": source.name, "url": url, "status_code": 200, "fetched_at": now,
                                  "content_hash": hashlib.sha256(data).hexdigest(), "encoding": "utf-8",
                                  "content_type": "text/html; charset=utf-8", "bytes": len(data), "etag": None,
                                  "last_modified": None, "archive_path": str(path),
                                  "n_listings": len(result.listings)})
                del data, result
            if not len(batches):
                continue
            listings = batches.finish()
            del batches
            progress(f"{source.name}: {len(listings):,} listings parsed and normalised")
            grouping = group_listings(listings)
            progress(f"{source.name}: grouped into {len(grouping.courses):,} courses")
            # as flows.refresh.parse_source: the grouping as Arrow tables spooled beside the warehouse,
            # its objects and the listings dropped
            load = wl.SourceLoad(source=source.name, status="loaded", pages=page_rows, listings=listings,
                                 grouping=grouping)
            del grouping, listings  # the load holds them until columnar lets them go
            loads.append(wl.columnar(load, spool=wl.spool_folder(db)))
            del load
            progress(f"{source.name}: load tables spooled")
        counted["listings"] = sum(l.n_listings for l in loads)
        wl.publish(db, _run_record(loads), loads, release=True)  # as flows.refresh.load_run
        progress("published")
        # A nightly is one run in a process of its own: the first run's peak is that run's
        # (later runs start on the heap the earlier ones left behind).
        counted.setdefault("first_run_peak_mb", progress.peak_mb())

    try:
        gc.collect()
        out = _measure(run, repeat)
        out["peak_rss_mb"] = max(out["peak_rss_mb"], progress.peak_mb())  # the steps reset the high-water mark
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if counted.get("listings") != size:
        raise SystemExit(f"pipeline: {counted.get('listings')} listings of {size}")
    return {"extra": counted, **out}


class _Progress:
    """One line on stderr per step of a long measurement: seconds since the start (wall, CPU)
    and the peak RSS so far, so that a run stopped by a timeout still says how far it got."""

    def __init__(self, step_peaks: bool = False) -> None:
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        # step_peaks: each line also gives the peak of its own step (the high-water mark is reset
        # after each line; ``high`` keeps the peak over all steps).
        self.step_peaks = step_peaks and reset_peak_rss()
        self.high = 0.0

    def __call__(self, what: str) -> None:
        step = peak_rss_mb()
        self.high = max(self.high, step)
        print(f"[{time.perf_counter() - self.t0:8.1f} s wall {time.process_time() - self.c0:8.1f} s CPU "
              f"peak {self.high:6.0f} MB{f' (step {step:6.0f})' if self.step_peaks else ''} now {rss_mb():6.0f} MB] "
              f"{what}", file=sys.stderr, flush=True)
        if self.step_peaks:
            reset_peak_rss()

    def peak_mb(self) -> float:
        """The peak over every step so far (and the one running)."""
        return max(self.high, peak_rss_mb())


def _prefect_env() -> Path:
    """A Prefect home of the process's own, set before prefect is imported (once per process)."""
    if os.environ.get("BENCH_PREFECT_HOME"):
        return Path(os.environ["BENCH_PREFECT_HOME"])
    home = Path(tempfile.mkdtemp(prefix="bench-prefect-"))
    os.environ["BENCH_PREFECT_HOME"] = str(home)
    os.environ["PREFECT_HOME"] = str(home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"
    os.environ.pop("PREFECT_API_URL", None)
    return home


class _TaskHook:
    """Wraps prefect.task_engine.run_task (Task.__call__ imports it at each call): counts task
    runs by name and, when `direct` is set, runs the task's plain function instead, so the
    flow's own body runs with no Prefect machinery under its tasks."""

    def __init__(self) -> None:
        import prefect.task_engine as te
        from prefect.tasks import Task

        self.counts: dict[str, int] = {}
        self.direct = False
        self._te, self._original = te, te.run_task
        te.run_task = self
        submit = Task.submit

        def counted_submit(task, *args, **kwargs):  # a submitted task runs in the runner's thread, not through here
            self.counts[task.name] = self.counts.get(task.name, 0) + 1
            return submit(task, *args, **kwargs)

        Task.submit = counted_submit

    def __call__(self, task, *args, **kwargs):
        self.counts[task.name] = self.counts.get(task.name, 0) + 1
        if self.direct:
            from prefect.utilities.annotations import BaseAnnotation

            parameters = {k: v.unwrap() if isinstance(v, BaseAnnotation) else v
                          for k, v in (kwargs.get("parameters") or {}).items()}
            return task.fn(**parameters)
        return self._original(task, *args, **kwargs)


def refresh_stage(what: str, size: int, repeat: int) -> dict:
    """The sample archive end to end through the Prefect flow (each run into a new warehouse
    file, so nothing is skipped as unchanged), against the flow's own body run with no Prefect:
    ``refresh_flow.fn`` with every task called as its plain function and the artifact calls made
    no-ops. Prefect's start-up is timed apart: an empty flow run first in this process."""
    home = _prefect_env()
    from unittest import mock

    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from flows import refresh as r

    @flow(name="bench-empty")
    def empty() -> None:
        return None

    t0 = time.perf_counter()
    empty()
    startup = time.perf_counter() - t0
    empty_warm = timed(empty, repeat)

    @task(cache_policy=NO_CACHE)
    def noop(k: int) -> int:
        return k

    bodies: list[float] = []

    @flow(name="bench-tasks")
    def with_tasks(n: int) -> None:
        t = time.perf_counter()
        for k in range(n):
            noop(k)
        bodies.append(time.perf_counter() - t)  # what the tasks cost the flow's body

    n_noop = 20
    with_tasks_times = timed(lambda: with_tasks(n_noop), repeat)
    tmp = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    counter = [0]

    def db() -> str:
        counter[0] += 1
        return str(tmp / f"refresh-{counter[0]}.duckdb")

    hook = _TaskHook()
    summary = r.refresh(db_path=db(), from_archive=str(SAMPLES))  # warm-up (first imports)
    if not summary.ok:
        raise SystemExit(f"refresh failed: {summary.failures}")
    n_listings = sum(s["listings"] for s in summary.sources.values())
    tasks = dict(hook.counts)
    artifacts = [name for name in dir(r) if name.startswith("create_") and name.endswith("_artifact")]

    from prefect.tasks import Task
    from prefect.utilities.annotations import quote

    class _Done:
        """A submitted task run at once as its plain function (what .submit() returns here)."""

        def __init__(self, task, args, kwargs) -> None:
            plain = [a.unwrap() if isinstance(a, quote) else a for a in args]
            try:
                self.value, self.error = task.fn(*plain, **kwargs), None
            except Exception as exc:  # noqa: BLE001 - raised by result(), as a future would
                self.value, self.error = None, exc

        def result(self):
            if self.error is not None:
                raise self.error
            return self.value

    def direct():
        hook.direct = True
        patches = [mock.patch.object(r, name, lambda *a, **k: None) for name in artifacts]
        patches += [mock.patch.object(Task, "submit", lambda self, *a, **k: _Done(self, a, k)),
                    mock.patch.object(r, "as_completed", lambda futures: iter(futures))]
        for p in patches:
            p.start()
        try:
            out = r.refresh_flow.fn(db_path=db(), from_archive=str(SAMPLES)).data
        finally:
            for p in patches:
                p.stop()
            hook.direct = False
        if not out.ok:
            raise SystemExit(f"refresh (direct) failed: {out.failures}")

    reset_peak_rss()
    flow_times = timed(lambda: r.refresh(db_path=db(), from_archive=str(SAMPLES)), repeat)
    direct_times = timed(direct, repeat)
    peak = peak_rss_mb()
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    return {"times": flow_times, "peak_rss_mb": peak, "size": n_listings,
            "extra": {"startup_s": startup, "empty_flow_s": statistics.median(empty_warm),
                      "per_task_s": statistics.median(bodies) / n_noop,
                      "per_task_wall_s": (statistics.median(with_tasks_times) - statistics.median(empty_warm)) / n_noop,
                      "direct_s": statistics.median(direct_times), "direct_times": direct_times,
                      "tasks_per_run": sum(tasks.values()), "tasks": tasks, "artifacts": artifacts}}


def nightly_stage(what: str, size: int, repeat: int) -> dict:
    """A first run against a local HTTP server (fresh warehouse and archive), then a run with
    nothing changed on the server; the server answers conditional requests with 304."""
    home = _prefect_env()
    import hashlib

    from prefect import flow

    sys.path.insert(0, str(ROOT))
    from bench.generate import AUPE_URL, CUPE_URL
    from fetch.client import FetchSettings
    from flows.refresh import refresh
    from tests.localserver import LocalServer, Request, Response, local_sources_file

    @flow(name="bench-empty")
    def empty() -> None:
        return None

    empty()  # Prefect's temporary server starts here, outside both timings
    pages = _pages(size)
    settings = FetchSettings(per_host_delay=0, backoff_base=0.01, attempts=2, connect_timeout=5,
                             read_timeout=30)
    last_modified = "Wed, 01 Oct 2025 00:00:00 GMT"

    def route(body: bytes):
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'

        def answer(req: Request) -> Response:
            if req.headers.get("if-none-match") == etag or (
                    "if-none-match" not in req.headers and req.headers.get("if-modified-since") == last_modified):
                return Response(status=304, headers={"ETag": etag, "Last-Modified": last_modified})
            return Response(body=body, headers={"Content-Type": "text/html; charset=utf-8", "ETag": etag,
                                                "Last-Modified": last_modified})
        return answer

    # The workshop pages the catalogue's titles link to (the refresh follows them): the sample
    # workshop page, renumbered, each answering 304 to its own ETag like the catalogue's pages.
    import re

    workshop = (ROOT / "samples" / "archive" / "cupe-workshops" / "workshop-38.html").read_text(encoding="utf-8")
    links = sorted({int(n) for p in pages for n in re.findall(r'href="/mrm-union-education/workshop/(\d+)"', p.html)})
    first, again = [], []
    with LocalServer() as srv:
        for p in pages:
            path = p.url.split("://", 1)[1]
            srv.routes[path[path.index("/"):]] = route(p.html.encode())
        for n in links:
            srv.routes[f"/mrm-union-education/workshop/{n}"] = route(
                workshop.replace("workshop/38", f"workshop/{n}").encode())
        tmp = Path(tempfile.mkdtemp(prefix="bench-nightly-"))
        cupe_path, aupe_path = (u.split("://", 1)[1] for u in (CUPE_URL, AUPE_URL))
        sources = local_sources_file(tmp / "sources.toml", {
            "cupe-workshops": srv.url(cupe_path[cupe_path.index("/"):]),
            "aupe-courses": srv.url(aupe_path[aupe_path.index("/"):])}, max_pages=len(pages) + len(links))
        reset_peak_rss()
        n_first = n_again = 0
        for k in range(repeat):
            run_dir = tmp / f"run{k}"
            kwargs = dict(db_path=str(run_dir / "c.duckdb"), sources_file=str(sources),
                          archive_dir=str(run_dir / "archive"), fetch_settings=settings)
            t0 = time.perf_counter()
            s1 = refresh(**kwargs)
            first.append(time.perf_counter() - t0)
            n_first = len(srv.requests)
            t0 = time.perf_counter()
            s2 = refresh(**kwargs)
            again.append(time.perf_counter() - t0)
            if not (s1.ok and s2.ok):
                raise SystemExit(f"nightly runs failed: {s1.failures} {s2.failures}")
            second = srv.requests[n_first:]
            n_again = len(second)
            conditional = sum(1 for q in second if "if-none-match" in q.headers or "if-modified-since" in q.headers)
            srv.requests.clear()
        peak = peak_rss_mb()
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    return {"times": again, "peak_rss_mb": peak,
            "extra": {"first_times": first, "first_s": statistics.median(first), "pages": len(pages),
                      "workshop_pages": len(links),
                      "requests_unchanged_run": n_again, "conditional_requests": conditional,
                      "listings_first": sum(v["listings"] for v in s1.sources.values()),
                      "listings_unchanged": sum(v["listings"] for v in s2.sources.values())}}


def _measure(run: Callable[[], object], repeat: int) -> dict:
    reset_peak_rss()
    cpu: list[float] = []
    times = timed(run, repeat, cpu=cpu)
    return {"times": times, "cpu_times": cpu, "cpu_s": statistics.median(cpu), "peak_rss_mb": peak_rss_mb()}


STAGES = {"parse": parse_stage, "group": group_stage, "load": load_stage, "pipeline": pipeline_stage,
          "refresh": refresh_stage, "nightly": nightly_stage}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.stages")
    ap.add_argument("stage", choices=sorted(STAGES))
    ap.add_argument("what")
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    out = {"stage": a.stage, "what": a.what, "size": a.size, "rss_reset": reset_peak_rss()}
    if a.stage in ("refresh", "nightly"):
        _prefect_env()
        from flows.refresh import local_run_settings  # the settings `courses refresh` runs with

        with local_run_settings():
            out.update(STAGES[a.stage](a.what, a.size, a.repeat))
    else:
        out.update(STAGES[a.stage](a.what, a.size, a.repeat))
    out["median_s"] = statistics.median(out["times"])
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
