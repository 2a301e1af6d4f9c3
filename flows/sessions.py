"""The session sources' part of the refresh: parse event pages into sessions, and say what was loaded."""
from __future__ import annotations

from pathlib import Path

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE

from fetch.archive import PageRecord
from flows.progress import report
from normalise.checks import drift_problem, gone_page_error, left_out_error
from normalise.sessions import merge_listing_rows, to_sessions
from parsers import ParseError, get_parser
from sources import Source
from warehouse import SourceLoad


def is_session_source(source: Source) -> bool:
    return getattr(get_parser(source.parser), "KIND", "courses") == "sessions"


def previous_sessions(db_path: str | Path, source: str) -> int | None:
    """Sessions of the source seen by its last loaded run; None before the first."""
    if not Path(db_path).exists():
        return None
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'sessions'").fetchone()[0]:
            return None
        return con.execute("""SELECT count(*) FROM sessions WHERE source = ?
                              AND last_seen_run = (SELECT max(last_seen_run) FROM sessions WHERE source = ?)""",
                           [source, source]).fetchone()[0] or None
    finally:
        con.close()


@task(cache_policy=NO_CACHE)
def parse_session_source(source: Source, pages: list[PageRecord], previous: int | None = None,
                         force: bool = False) -> SourceLoad:
    """Parse and normalise one session source's pages (linking happens at load, against the loaded courses).

    A result that looks like site drift (drift_problem against the previous run's sessions) is not
    loaded, so that a broken parse never marks every listed session cancelled."""
    from flows.refresh import SourceFailed

    parser = get_parser(source.parser)
    raws, errors, page_rows = [], [], []
    for page in pages:
        if page.gone:
            errors.append(gone_page_error(page.url, page.status_code))
            page_rows.append({**page.row(), "n_listings": 0})
            report("parse", source.name)
            continue
        try:
            result = parser.parse(page.text, page.url)
        except ParseError as exc:
            raise SourceFailed(f"{source.name}: {exc.url}: could not parse the page: {exc.reason}") from exc
        raws.extend(result.sessions)
        errors.extend(result.errors)
        page_rows.append({**page.row(), "n_listings": len(result.sessions)})
        report("parse", source.name)
    if left_out := left_out_error(pages):
        errors.append(left_out)
    sessions = merge_listing_rows(to_sessions(raws, provider=source.provider, source=source.name,
                                              prefixes=getattr(parser, "PROGRAMME_PREFIXES", {})))
    problem = drift_problem(len(sessions), len(errors), previous, min_listings_ratio=source.min_listings_ratio,
                            max_unreadable_share=source.max_unreadable_share) if (sessions or previous) else None
    if problem and not force:
        where = pages[0].url if pages else source.start_urls[0]
        return SourceLoad(source=source.name, status="failed", pages=page_rows, errors=errors, kind="sessions",
                          message=f"{source.name}: {where}: {problem.replace('listings', 'sessions')} "
                                  "(nothing loaded; `courses refresh --force` loads it anyway)")
    return SourceLoad(source=source.name, status="loaded", pages=page_rows, errors=errors,
                      kind="sessions", sessions=sessions)


def session_summary(con: duckdb.DuckDBPyConnection, run_id: str, source: str) -> dict:
    """Sessions of the source loaded by the run: how many, how many linked to a course, unmatched,
    cancelled (read over the caller's connection to the published warehouse)."""
    n, linked = con.execute("SELECT count(*), count(course_id) FROM sessions WHERE source = ? AND last_seen_run = ?",
                            [source, run_id]).fetchone()
    cancelled = con.execute("""SELECT count(*) FROM session_changes c JOIN sessions s USING (session_id)
                               WHERE c.run_id = ? AND s.source = ? AND c.kind = 'cancelled'""",
                            [run_id, source]).fetchone()[0]
    return {"sessions": n, "linked": linked, "unmatched": n - linked, "cancelled": cancelled}
