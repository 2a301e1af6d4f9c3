"""RawSession -> Session: titles split into programme and name, meetings flattened, a stable key."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from normalise.listing import split_title
from schema.sessions import SESSIONS, RawSession, Session


def session_key(provider: str, event_url: str | None, text: str, start: str, province: str | None,
                online: bool, language: str | None) -> str:
    """A key that stays the same while the session's spaces, fees or venue change."""
    basis = "\x1f".join([provider, event_url or "", " ".join(text.lower().split())[:300], start,
                         province or "", "online" if online else "", language or ""])
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def to_sessions(raws: Iterable[RawSession], *, provider: str, source: str,
                prefixes: Mapping[str, str] | None = None) -> list[Session]:
    rows = []
    seen: dict[str, int] = {}
    for raw in raws:
        if not raw.dates:
            continue
        parts = split_title(raw.title, prefixes or {})
        place = raw.place
        online = bool(place and place.online) or parts["delivery_mode"] == "online"
        start = min(d.start_date for d in raw.dates)
        end = max(d.end_date for d in raw.dates)
        spaces = [d.spaces_available for d in raw.dates if d.spaces_available is not None]
        description = "\n\n".join(raw.paragraphs)
        key = session_key(provider, raw.event_url, parts["title"] or description, start.isoformat(),
                          place.province if place else None, online, raw.language)
        # The same session twice on one page gets a numbered key rather than a clash.
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}-{seen[key]}"
        rows.append({
            "session_id": key,
            "provider": provider,
            "source": source,
            "source_url": raw.source_url,
            "position": raw.position,
            "title": parts["title"],
            "title_as_written": raw.title,
            "programme": parts["series"],
            "start_date": start,
            "end_date": end,
            "meetings": [
                {"date": m.date, "end_date": m.end_date, "start_time": m.start_time, "end_time": m.end_time,
                 "timezone": m.timezone, "timezone_text": m.timezone_text}
                for d in raw.dates for m in d.meetings
            ],
            "date_text": " / ".join(d.text for d in raw.dates),
            "venue": place.venue if place else None,
            "city": place.city if place else None,
            "province": place.province if place else None,
            "online": online,
            "language": raw.language,
            "fee_affiliate": raw.fee_affiliate,
            "fee_non_affiliate": raw.fee_non_affiliate,
            "spaces_available": min(spaces) if spaces else None,
            "description": description,
            "notes": raw.notes,
            "bullets": raw.bullets,
            "prerequisites": raw.prerequisites,
            "length_text": raw.length_text,
            "workshop_url": raw.link,
            "event_url": raw.event_url,
            "event_name": raw.event_name,
            "page_kind": raw.page_kind,
        })
    return SESSIONS.validate_python(rows)
