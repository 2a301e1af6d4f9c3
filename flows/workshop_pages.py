"""The refresh flow's part for CUPE workshop pages: the catalogue source's parse hands each
workshop page here (``WorkshopPages.take``); the source's load then carries their rows and
sessions (``WorkshopPages.finish``), and the run summary counts them (``workshop_summary``)."""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from normalise.workshop_pages import workshop_sessions
from schema.models import BlockError
from schema.workshop_pages import WorkshopPage, WorkshopPageResult
from sources import Source
from warehouse import SourceLoad
from warehouse.workshop_pages import page_row


@dataclass
class WorkshopPages:
    """The workshop pages of one source's pages, as its parse meets them."""

    pages: list[WorkshopPage] = field(default_factory=list)
    errors: list[BlockError] = field(default_factory=list)

    def take(self, result: object) -> bool:
        """Keep a workshop page's parse; False for any other page's (the catalogue's)."""
        if not isinstance(result, WorkshopPageResult):
            return False
        if result.page is not None:
            self.pages.append(result.page)
        self.errors.extend(result.errors)
        return True

    def finish(self, load: SourceLoad, source: Source, prefixes: dict[str, str]) -> SourceLoad:
        """The load with the pages' rows and sessions, and their block errors beside the catalogue's."""
        load.workshop_pages = [page_row(p, provider=source.provider, source=source.name, prefixes=prefixes)
                               for p in self.pages]
        load.sessions = workshop_sessions(self.pages, provider=source.provider, source=source.name,
                                          prefixes=prefixes)
        load.errors = list(load.errors) + self.errors
        return load


def workshop_summary(con: duckdb.DuckDBPyConnection, run_id: str, source: str) -> dict:
    """Workshop pages the run loaded for the source, and their sessions: how many, how many linked
    (read over the caller's connection to the published warehouse)."""
    pages, linked_pages = con.execute(
        "SELECT count(*), count(course_id) FROM workshop_pages WHERE source = ? AND last_seen_run = ?",
        [source, run_id]).fetchone()
    sessions, linked = con.execute(
        "SELECT count(*), count(course_id) FROM sessions WHERE source = ? AND last_seen_run = ?",
        [source, run_id]).fetchone()
    return {"workshop_pages": pages, "workshop_pages_linked": linked_pages, "sessions": sessions,
            "linked": linked, "unmatched": sessions - linked}
