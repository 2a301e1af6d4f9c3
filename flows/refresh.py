"""The refresh flow: sources -> fetch -> parse -> normalise -> deduplicate -> load.

Runs without a Prefect server (Prefect starts a temporary one). One task per
source and stage, never per course. The run's own record (runs, source_runs,
pages) lives in the warehouse; the Prefect artifacts summarise it for the UI.

Modes: fetch (the network), archive (replay a folder of pages), reparse (the
pages of each source's last good run, from the archive, parsed again).
"""
from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
from prefect import flow, task
from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from prefect.states import Completed, Failed, State
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from fetch.archive import ArchiveError, PageRecord, read_archive, read_stored
from fetch.crawl import crawl
from fetch.hosts import HostGate
from flows.memory import arrow_from_malloc, for_a_large_source
from flows.news import is_news, parse_news_source
from flows.progress import report
from flows.workshop_pages import WorkshopPages, workshop_summary
from flows.sessions import is_session_source, parse_session_source, previous_sessions, session_summary
from flows.schools import is_school, parse_school_source
from grouping import group_listings
from normalise.checks import drift_problem, gone_page_error, left_out_error
from normalise.listing import normalise_batch
from schema.batch import ListingBatches
from parsers import ParseError, get_parser
from parsers.lines import next_page_urls
from sources import Source, load_sources
from warehouse import RunRecord, SourceLoad, publish
from warehouse.load import columnar, spool_folder, writer_lock
from warehouse.changes import changes_of_run
from warehouse.state import PreviousPage, previous_state


class SourceFailed(Exception):
    """A source could not be read or failed a check; the message names the source, the URL and the cause."""


@dataclass
class RunSummary:
    run_id: str
    status: str
    db_path: str
    sources: dict[str, dict] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


@task(cache_policy=NO_CACHE)  # no task retry: the fetcher's own retry policy is the only one
def fetch_source(source: Source, archive_root: Path, previous: list[PreviousPage], fetch_settings=None,
                 hosts: HostGate | None = None) -> list[PageRecord]:
    """Crawl one source. ``hosts`` is the run's per-host gate, shared by the sources fetched at once."""
    from fetch.client import Fetcher, FetchSettings

    settings = (fetch_settings or FetchSettings()).for_source(source)
    with Fetcher(source.allowed_hosts, settings, hosts=hosts,
                 on_retry=lambda url, problem, wait: report("retry", source.name)) as fetcher:
        find_next = getattr(get_parser(source.parser), "find_links", next_page_urls)  # event pages too
        # The listing's next pages before the pages it links to (workshop, event pages).
        find_pages = None if find_next is next_page_urls else next_page_urls
        return crawl(source.name, source.start_urls, fetcher, archive_root,
                     max_pages=source.max_pages, find_next=find_next, find_pages=find_pages,
                     previous={p.url: p for p in previous},
                     on_page=lambda page: report("fetch", source.name))


@task(cache_policy=NO_CACHE)
def replay_source(source: Source, archive: Path, previous: list[PreviousPage]) -> list[PageRecord]:
    pages = read_archive(archive, source.name, source.start_urls[0])
    before = {p.url: p.content_hash for p in previous}
    for page in pages:
        page.unchanged = before.get(page.url) == page.content_hash
        if page.archive_path and not Path(page.archive_path).is_absolute() and not (archive / page.archive_path).exists():
            # A plain page replayed from a folder: record where it is, so --reparse finds it from anywhere.
            page.archive_path = str(Path(page.archive_path).resolve())
    return pages


@task(cache_policy=NO_CACHE)
def reread_source(source: Source, archive_root: Path, previous: list[PreviousPage]) -> list[PageRecord]:
    """The pages of the source's last good run, fetched or replayed, from where they were kept (for --reparse)."""
    if not previous:
        raise SourceFailed(f"{source.name}: {source.start_urls[0]}: no earlier run to reparse; run a refresh first")
    return [_stored_page(source, archive_root, p) for p in previous]


def _stored_page(source: Source, archive_root: Path, p: PreviousPage) -> PageRecord:
    """A fetched page is gzipped under the archive root; a replayed one is the plain file it was read from."""
    recorded = Path(p.archive_path or "")
    path = next((c for c in (archive_root / recorded, recorded) if c.is_file()), archive_root / recorded)
    try:
        with open(path, "rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
    except OSError:
        gzipped = True  # read_stored says what is missing
    if gzipped:
        return read_stored(Path("/") if path.is_absolute() else Path("."), source.name, url=p.url,
                           archive_path=str(path), content_hash=p.content_hash, encoding=p.encoding,
                           content_type=p.content_type)
    from fetch.client import decode

    content = path.read_bytes()
    text, used = (content.decode(p.encoding, errors="replace"), p.encoding) if p.encoding else decode(content, p.content_type)
    return PageRecord(source=source.name, url=p.url, text=text, content_hash=p.content_hash, encoding=used,
                      content_type=p.content_type or "", archive_path=p.archive_path, fetched_at=None,
                      bytes=len(content))


@task(cache_policy=NO_CACHE)
def parse_source(source: Source, pages: list[PageRecord], previous_listings: int | None, force: bool,
                 spool: Path | None = None) -> SourceLoad:
    """Parse, normalise, check and group one source's pages. With ``spool`` (a folder), the
    source's load tables are written there (warehouse.package) and not held in memory."""
    parser = get_parser(source.parser)
    prefixes = getattr(parser, "PROGRAMME_PREFIXES", {})
    read = getattr(parser, "parse_page", parser.parse)  # a source of several page kinds tells them apart
    workshops = WorkshopPages() if hasattr(parser, "parse_page") else None
    batches, errors, page_rows = ListingBatches(), [], []
    for page in pages:  # page by page into columns: no source's listings live as models
        if page.gone:
            errors.append(gone_page_error(page.url, page.status_code))
            page_rows.append({**page.row(), "n_listings": 0})
            report("parse", source.name)
            continue
        try:
            result = read(page.text, page.url)
        except ParseError as exc:
            raise SourceFailed(f"{source.name}: {exc.url}: could not parse the page: {exc.reason}") from exc
        if workshops is not None and workshops.take(result):  # a workshop's own page: no listings
            page_rows.append({**page.row(), "n_listings": 0})
            report("parse", source.name)
            continue
        batches.add(normalise_batch(result.listings, provider=source.provider, source=source.name,
                                    conventions=source.conventions, prefixes=prefixes))
        for_a_large_source(len(batches))  # from the page that makes it large: its chunks are mapped
        errors.extend(result.errors)
        page_rows.append({**page.row(), "n_listings": len(result.listings)})
        report("parse", source.name)
    if left_out := left_out_error(pages):
        errors.append(left_out)
    listings = batches.finish()
    where = pages[0].url if pages else source.start_urls[0]
    problem = drift_problem(len(listings), len(errors), previous_listings,
                            min_listings_ratio=source.min_listings_ratio,
                            max_unreadable_share=source.max_unreadable_share)
    if problem and not force:
        errors = errors + (workshops.errors if workshops is not None else [])
        load = SourceLoad(source=source.name, status="failed", pages=page_rows, errors=errors,
                          message=f"{source.name}: {where}: {problem} (nothing loaded; `courses refresh --force` loads it anyway)")
        return load
    grouping = group_listings(listings)
    load = SourceLoad(source=source.name, status="loaded", pages=page_rows, listings=listings,
                      grouping=grouping, errors=errors)
    del listings, grouping  # the load holds them until columnar lets them go
    # The grouping as the load's Arrow tables now: its objects end with this task, not with the load.
    return columnar(workshops.finish(load, source, prefixes) if workshops is not None else load, spool=spool)


@task(cache_policy=NO_CACHE)
def load_run(db_path: Path, run: RunRecord, loads: list[SourceLoad]) -> list[dict]:
    publish(db_path, run, loads, locked=True, release=True)  # the loads' rows are not needed after
    return changes_of_run(db_path, run.run_id)


@contextmanager
def local_run_settings() -> Iterator[None]:
    """Prefect settings for a run against the temporary server (no PREFECT_API_URL).

    Flow-run heartbeats exist to let a server notice a crashed run; the temporary server ends
    with the process, so they detect nothing, and they cost every run up to a second at exit
    (the heartbeat thread sleeps in one-second steps and the run waits for it). Measured on an
    empty flow: 1.06 s a run with heartbeats, 0.07 s without. Against a real server
    (`courses serve`, a work pool) nothing is changed.
    """
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def new_run_id(now: datetime) -> str:
    """UTC start time to the microsecond, then a random suffix: ids sort as the runs started."""
    return now.strftime("%Y%m%dT%H%M%S.%fZ") + "-" + secrets.token_hex(3)


def _unchanged(pages: list[PageRecord], previous: list[PreviousPage]) -> bool:
    return bool(pages) and all(p.unchanged for p in pages) and {p.url for p in pages} == {p.url for p in previous}


@flow(name="refresh", log_prints=False, task_runner=ThreadPoolTaskRunner())
def refresh_flow(
    db_path: str = "courses.duckdb",
    sources_file: str | None = None,
    source_names: list[str] | None = None,
    from_archive: str | None = None,
    archive_dir: str = "archive",
    reparse: bool = False,
    force: bool = False,
    fetch_settings=None,
) -> State:
    """Refresh the catalogue. `force` loads a source even if it fails the drift checks or is unchanged.

    The run holds the warehouse's writer lock from start to end: a second refresh
    of the same file stops at once with WarehouseBusy.

    The flow run ends in the state the night deserves, so Prefect's UI, `prefect flow-run ls`
    and automations flag a bad night: Completed when every source loaded or was unchanged;
    Failed when every source failed; a Failed-type state named "Partial" when some sources
    failed and the others loaded. The message of a Failed or Partial state is the one-line
    reason of each failed source. The state's data is the RunSummary either way.
    """
    with writer_lock(Path(db_path)):
        summary = _refresh(db_path, sources_file, source_names, from_archive, archive_dir, reparse, force,
                           fetch_settings)
    return final_state(summary)


def final_state(summary: RunSummary) -> State:
    if summary.ok:
        return Completed(message=f"run {summary.run_id} succeeded", data=summary)
    message = "\n".join(summary.failures)
    if summary.status == "partial":
        return Failed(name="Partial", message=message, data=summary)
    return Failed(message=message, data=summary)


def refresh(**parameters) -> RunSummary:
    """Run the refresh flow and return its RunSummary, whatever state the flow run ended in.

    An exception the flow did not turn into a summary (a busy or unreadable warehouse, a full
    disk) is raised here.
    """
    state = refresh_flow(**parameters, return_state=True)
    return summary_of(state)


def summary_of(state: State) -> RunSummary:
    data = state.result(raise_on_failure=False)
    if isinstance(data, RunSummary):
        return data
    if isinstance(data, BaseException):
        raise data
    return state.result()  # raises the run's failure


def _refresh(db_path, sources_file, source_names, from_archive, archive_dir, reparse, force,
             fetch_settings) -> RunSummary:
    from fetch.client import FetchSettings
    fetch_settings = (fetch_settings or FetchSettings()).for_run()  # one fetch budget for the whole run
    arrow_from_malloc()  # the stages' freed Arrow buffers go back to the system (flows/memory.py)
    started = datetime.now(timezone.utc)
    sources = load_sources(sources_file, source_names)
    mode = "reparse" if reparse else ("archive" if from_archive else "fetch")
    run = RunRecord(run_id=new_run_id(started), started_at=started, mode=mode, sources=[s.name for s in sources])
    summary = RunSummary(run_id=run.run_id, status="running", db_path=str(db_path))
    state = previous_state(db_path)
    shutil.rmtree(spool_folder(db_path), ignore_errors=True)  # a killed run's of the same pid (we hold the lock)
    try:
        return _parse_and_load(run, summary, sources, state, db_path, from_archive, archive_dir, reparse, force,
                               fetch_settings)
    finally:  # the sources' spooled tables, if the run ended before the load removed them
        shutil.rmtree(spool_folder(db_path), ignore_errors=True)


def _parse_and_load(run: RunRecord, summary: RunSummary, sources, state, db_path, from_archive, archive_dir,
                    reparse, force, fetch_settings) -> RunSummary:
    loads = _run_sources(sources, state, db_path, from_archive, archive_dir, reparse, force, fetch_settings)
    for load in loads:
        if load.status == "failed":
            summary.failures.append(load.message)
        summary.sources[load.source] = {
            "status": load.status, "pages": len(load.pages), "listings": load.n_listings,
            "courses": load.n_courses,
            "block_errors": len(load.errors), "message": load.message,
            "articles": len(load.articles) if load.articles is not None else None,
        }
    ok = [l for l in loads if l.status != "failed"]
    run.status = "succeeded" if len(ok) == len(loads) else ("partial" if ok else "failed")
    run.message = "\n".join(summary.failures) or None
    run.finished_at = datetime.now(timezone.utc)
    if reparse and not ok:
        # Nothing was reparsed: recording the run would only make it the latest, with no changes.
        summary.status = run.status
        return summary
    summary.changes = load_run(Path(db_path), run, quote(loads))  # quote: see _run_sources
    counted = [l for l in loads if l.status == "loaded" and (l.kind == "sessions" or l.workshop_pages is not None)]
    if counted:  # one read-only connection for every source's counts, not one a source
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            for load in counted:
                if load.kind == "sessions":
                    summary.sources[load.source].update(session_summary(con, run.run_id, load.source))
                if load.workshop_pages is not None:
                    summary.sources[load.source].update(workshop_summary(con, run.run_id, load.source))
        finally:
            con.close()
    summary.status = run.status
    create_markdown_artifact(markdown=_markdown(summary), key="refresh-summary",
                             description=f"Refresh {run.run_id}: {run.status}")
    create_table_artifact(table=summary.changes or [{"run_id": run.run_id, "kind": "no change"}],
                          key="refresh-changes", description=f"Course changes in run {run.run_id}")
    return summary


def _run_sources(sources, state, db_path, from_archive, archive_dir, reparse, force, fetch_settings) -> list[SourceLoad]:
    """Fetch and parse the sources concurrently on the flow's task runner; their loads in source order.

    Every source's fetch (or replay) is submitted at once; as each one completes its parse is
    submitted, so one source parses while others still fetch. Politeness holds across sources:
    the fetchers share one per-host gate (one request at a time per host, the per-host delay
    between any two). A failure stays the source's own: it becomes a failed SourceLoad.

    Pages and loads are passed to tasks under ``quote``: Prefect then does not walk them looking
    for futures to wait on (there are none). Unquoted, that walk over every page and listing
    model took 5.5 s between the last parse and the load of a 20-source night of 2,000 listings
    (bench/parallel_sources.py's sources); quoted, 0.02 s.
    """
    hosts = HostGate()
    fetching: dict[PrefectFuture, Source] = {}
    for source in sources:
        previous = state.pages.get(source.name, [])
        if reparse:
            future = reread_source.submit(source, Path(archive_dir), quote(previous))
        elif from_archive:
            future = replay_source.submit(source, Path(from_archive), quote(previous))
        else:
            future = fetch_source.submit(source, Path(archive_dir), quote(previous), fetch_settings, hosts)
        fetching[future] = source
    outcome: dict[str, SourceLoad | PrefectFuture] = {}
    for future in as_completed(list(fetching)):
        source = fetching[future]
        previous = state.pages.get(source.name, [])
        try:
            pages = future.result()
            unchanged = not (reparse or force) and _unchanged(pages, previous)
            if not unchanged:  # parsed after all: the texts of its unchanged pages, where the crawl did not read them
                for page in pages:
                    if page.text_deferred:
                        page.read_text(Path(archive_dir))
            if unchanged:
                outcome[source.name] = SourceLoad(source=source.name, status="unchanged",
                                                  pages=[{**p.row(), "n_listings": None} for p in pages])
            elif is_session_source(source):
                outcome[source.name] = parse_session_source.submit(
                    source, quote(pages), previous_sessions(db_path, source.name), force or reparse)
            elif is_news(source):
                outcome[source.name] = parse_news_source.submit(source, quote(pages))
            elif is_school(source):
                outcome[source.name] = parse_school_source.submit(
                    source, quote(pages), state.listings.get(source.name), force or reparse)
            else:
                outcome[source.name] = parse_source.submit(
                    source, quote(pages), state.listings.get(source.name), force or reparse, spool_folder(db_path))
        except Exception as exc:  # noqa: BLE001 - every failure of a source is reported, not raised
            outcome[source.name] = SourceLoad(source=source.name, status="failed", message=_one_line(source, exc))
    loads: list[SourceLoad] = []
    for source in sources:
        load = outcome[source.name]
        if not isinstance(load, SourceLoad):
            try:
                load = load.result()
            except Exception as exc:  # noqa: BLE001
                load = SourceLoad(source=source.name, status="failed", message=_one_line(source, exc))
        loads.append(load)
    return loads


def _one_line(source: Source, exc: Exception) -> str:
    from fetch.errors import FetchError

    if isinstance(exc, SourceFailed):
        return str(exc)
    if isinstance(exc, FetchError):
        return f"{source.name}: {exc.url}: {exc.reason}"
    if isinstance(exc, ArchiveError):
        return f"{source.name}: {exc}"
    return f"{source.name}: {source.start_urls[0]}: {type(exc).__name__}: {exc}"


def _markdown(summary: RunSummary) -> str:
    lines = [f"# Refresh {summary.run_id}: {summary.status}", "",
             "| source | status | pages | listings | courses | unreadable blocks |",
             "|---|---|---|---|---|---|"]
    for name, s in summary.sources.items():
        lines.append(f"| {name} | {s['status']} | {s['pages']} | {s['listings']} | {s['courses']} | {s['block_errors']} |")
    kinds = {}
    for c in summary.changes:
        kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
    lines += ["", "Changes: " + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none")]
    if summary.failures:
        lines += ["", "## Failures", *[f"- {f}" for f in summary.failures]]
    return "\n".join(lines)
