"""What the warehouse remembers of earlier runs, read before a run starts.

State lives in the destination: the pages of the last good run of each source
(for conditional requests and for --reparse) come from the pages table.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError


@dataclass(frozen=True, slots=True)
class PreviousPage:
    source: str
    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str
    encoding: str | None
    content_type: str | None
    archive_path: str | None
    requested_url: str | None = None  # the URL asked for, where a redirect led to ``url``
    bytes: int | None = None
    links: tuple[str, ...] | None = None  # the links the crawl followed from it (fetch.crawl), if recorded
    next_pages: tuple[str, ...] | None = None
    links_by: str | None = None  # the link rules that found them (fetch.crawl.link_rules)


@dataclass(slots=True)
class PreviousState:
    pages: dict[str, list[PreviousPage]]  # per source: the pages of its last good run
    listings: dict[str, int]  # per source: listings of its last run that loaded


def previous_state(db_path: str | Path) -> PreviousState:
    """What the last good run of each source left: its pages and its listing count."""
    db_path = Path(db_path)
    if not db_path.exists():
        return PreviousState({}, {})
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        from warehouse.load import busy_error

        busy = busy_error(db_path, exc)
        if busy:
            raise busy from None
        raise WarehouseError(f"{db_path}: cannot read the previous run's pages: {' '.join(str(exc).split())}") from exc
    try:
        has_pages = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('pages', 'source_runs', 'runs')").fetchone()[0]
        if has_pages < 3:
            return PreviousState({}, {})
        have = {c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'pages'").fetchall()}
        # Columns an older warehouse's pages table may lack (added by its next load): null.
        later = ", ".join(f"p.{c}" if c in have else "NULL" for c in ("requested_url", "bytes", "links",
                                                                      "next_pages", "links_by"))
        rows = con.execute(f"""
            WITH last_good AS (
                SELECT sr.source, sr.run_id FROM source_runs sr JOIN runs r USING (run_id)
                WHERE sr.status IN ('loaded', 'unchanged')
                QUALIFY row_number() OVER (PARTITION BY sr.source ORDER BY r.started_at DESC) = 1)
            SELECT p.source, p.url, p.etag, p.last_modified, p.content_hash, p.encoding, p.content_type, p.archive_path,
                   {later}
            FROM pages p JOIN last_good USING (source, run_id)
            ORDER BY p.source, p.fetched_at, p.url""").fetchall()
        counts = dict(con.execute("""
            SELECT sr.source, sr.n_listings FROM source_runs sr JOIN runs r USING (run_id)
            WHERE sr.status = 'loaded'
            QUALIFY row_number() OVER (PARTITION BY sr.source ORDER BY r.started_at DESC) = 1""").fetchall())
    finally:
        con.close()
    pages: dict[str, list[PreviousPage]] = {}
    for *row, links, next_pages, links_by in rows:
        pages.setdefault(row[0], []).append(PreviousPage(
            *row, links=None if links is None else tuple(links),
            next_pages=None if next_pages is None else tuple(next_pages), links_by=links_by))
    return PreviousState(pages, counts)
