"""Workshop pages (schema.workshop_pages.WorkshopPage) -> their sessions in the common schema.

A workshop page's sessions are keyed by the workshop's URL (where an event page's are keyed by
the event's), so a session read from a workshop page never takes the key of one read from the
events pages.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from normalise.sessions import session_key, to_sessions
from schema.sessions import Session
from schema.workshop_pages import WorkshopPage


def workshop_sessions(pages: Iterable[WorkshopPage], *, provider: str, source: str,
                      prefixes: Mapping[str, str] | None = None) -> list[Session]:
    out: list[Session] = []
    seen: dict[str, int] = {}
    for page in pages:
        for s in to_sessions(page.sessions, provider=provider, source=source, prefixes=prefixes):
            key = session_key(provider, page.workshop_url, s.title or s.description, s.start_date.isoformat(),
                              s.province, s.online, s.language)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key = f"{key}-{seen[key]}"
            out.append(s.model_copy(update={"session_id": key}))
    return out
