"""The refresh flow: sources -> fetch -> parse -> normalise -> deduplicate -> load.

Runs without a Prefect server (Prefect starts a temporary one). One task per
source and stage, never per course. The run's own record (runs, source_runs,
pages) lives in the warehouse; the Prefect artifact is a summary for the UI.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from fetch.archive import ArchiveError, PageRecord, read_archive
from fetch.crawl import crawl
from grouping import group_listings
from normalise.listing import normalise
from parsers import ParseError, get_parser
from parsers.lines import next_page_urls
from flows.progress import report
from sources import Source, load_sources
from warehouse import RunRecord, SourceLoad, publish


class SourceFailed(Exception):
    """A source could not be read; the message names the source, the URL and the cause."""


@dataclass
class RunSummary:
    run_id: str
    status: str
    db_path: str
    sources: dict[str, dict] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


def _is_transient(task, task_run, state) -> bool:
    from fetch.errors import TransientFetchError

    try:
        state.result()
    except TransientFetchError:
        return True
    except Exception:
        return False
    return False


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=30, retry_condition_fn=_is_transient)
def fetch_source(source: Source, archive_root: Path, fetch_settings=None) -> list[PageRecord]:
    from fetch.client import Fetcher, FetchSettings

    settings = fetch_settings or FetchSettings()
    with Fetcher(source.allowed_hosts, settings) as fetcher:
        return crawl(source.name, source.start_urls, fetcher, archive_root,
                     max_pages=source.max_pages, find_next=next_page_urls,
                     on_page=lambda page: report("fetch", source.name))


@task(cache_policy=NO_CACHE)
def replay_source(source: Source, archive: Path) -> list[PageRecord]:
    return read_archive(archive, source.name, source.start_urls[0])


@task(cache_policy=NO_CACHE)
def parse_source(source: Source, pages: list[PageRecord]) -> SourceLoad:
    """Parse, normalise and group one source's pages."""
    parser = get_parser(source.parser)
    prefixes = getattr(parser, "PROGRAMME_PREFIXES", {})
    raws, errors, page_rows = [], [], []
    for page in pages:
        result = parser.parse(page.text, page.url)
        raws.extend(result.listings)
        errors.extend(result.errors)
        page_rows.append({**page.row(), "n_listings": len(result.listings)})
        report("parse", source.name)
    listings = normalise(raws, provider=source.provider, source=source.name,
                         conventions=source.conventions, prefixes=prefixes)
    if not listings:
        where = pages[0].url if pages else source.start_urls[0]
        raise SourceFailed(f"{source.name}: {where}: the pages yielded no listings "
                           f"({len(errors)} blocks unreadable); the site may have changed")
    grouping = group_listings(listings)
    return SourceLoad(source=source.name, status="loaded", pages=page_rows, listings=listings,
                      grouping=grouping, errors=errors)


@task(cache_policy=NO_CACHE)
def load_run(db_path: Path, run: RunRecord, loads: list[SourceLoad]) -> None:
    publish(db_path, run, loads)


def new_run_id(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@flow(name="refresh", log_prints=False)
def refresh(
    db_path: str = "courses.duckdb",
    sources_file: str | None = None,
    source_names: list[str] | None = None,
    from_archive: str | None = None,
    archive_dir: str = "archive",
    fetch_settings=None,
) -> RunSummary:
    started = datetime.now(timezone.utc)
    sources = load_sources(sources_file, source_names)
    run = RunRecord(run_id=new_run_id(started), started_at=started,
                    mode="archive" if from_archive else "fetch", sources=[s.name for s in sources])
    loads: list[SourceLoad] = []
    summary = RunSummary(run_id=run.run_id, status="running", db_path=str(db_path))
    for source in sources:
        try:
            if from_archive:
                pages = replay_source(source, Path(from_archive))
            else:
                pages = fetch_source(source, Path(archive_dir), fetch_settings)
            load = parse_source(source, pages)
        except Exception as exc:  # noqa: BLE001 - every failure of a source is reported, not raised
            message = _one_line(source, exc)
            load = SourceLoad(source=source.name, status="failed", message=message)
            summary.failures.append(message)
        loads.append(load)
        summary.sources[source.name] = {
            "status": load.status, "pages": len(load.pages), "listings": len(load.listings),
            "courses": len(load.grouping.courses) if load.grouping else 0,
            "block_errors": len(load.errors), "message": load.message,
        }
    loaded = [l for l in loads if l.status == "loaded"]
    run.status = "succeeded" if len(loaded) == len(loads) else ("partial" if loaded else "failed")
    run.message = "\n".join(summary.failures) or None
    run.finished_at = datetime.now(timezone.utc)
    load_run(Path(db_path), run, loads)
    summary.status = run.status
    create_markdown_artifact(markdown=_markdown(summary), key="refresh-summary",
                             description=f"Refresh {run.run_id}: {run.status}")
    return summary


def _one_line(source: Source, exc: Exception) -> str:
    from fetch.errors import FetchError

    if isinstance(exc, SourceFailed):
        return str(exc)
    if isinstance(exc, FetchError):
        return f"{source.name}: {exc.url}: {exc.reason}"
    if isinstance(exc, ParseError):
        return f"{source.name}: {exc.url}: could not parse: {exc.reason}"
    if isinstance(exc, ArchiveError):
        return f"{source.name}: {exc}"
    return f"{source.name}: {source.start_urls[0]}: {type(exc).__name__}: {exc}"


def _markdown(summary: RunSummary) -> str:
    lines = [f"# Refresh {summary.run_id}: {summary.status}", "",
             "| source | status | pages | listings | courses | unreadable blocks |",
             "|---|---|---|---|---|---|"]
    for name, s in summary.sources.items():
        lines.append(f"| {name} | {s['status']} | {s['pages']} | {s['listings']} | {s['courses']} | {s['block_errors']} |")
    if summary.failures:
        lines += ["", "## Failures", *[f"- {f}" for f in summary.failures]]
    return "\n".join(lines)
