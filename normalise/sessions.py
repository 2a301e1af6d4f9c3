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


def merge_listing_rows(sessions: list[Session]) -> list[Session]:
    """One session where the events listing and the event page show the same one.

    A listing row that links to an event page read in the same run, with the same first day and
    the same title (or, without one, a description scoring at least 88 against the section's),
    is folded into that event page's section: the section keeps its title, meetings and
    spaces, and takes the row's place, language and fees. Rows that match no section, or
    more than one, are kept as they are.
    """
    from rapidfuzz import fuzz

    from grouping.sessions import course_text, fold

    sections: dict[tuple[str, object], list[int]] = {}
    for k, s in enumerate(sessions):
        if s.page_kind == "event page" and s.event_url:
            sections.setdefault((s.event_url, s.start_date), []).append(k)
    out = list(sessions)
    drop: set[int] = set()
    for k, row in enumerate(sessions):
        if row.page_kind != "events listing" or not row.event_url:
            continue
        hits = []
        for j in sections.get((row.event_url, row.start_date), []):
            sec = sessions[j]
            if row.title and sec.title:
                same = fold(row.title) == fold(sec.title)
            else:
                same = fuzz.ratio(course_text(row.description, row.bullets), course_text(sec.description, sec.bullets)) >= 88
            if same:
                hits.append(j)
        if len(hits) != 1:
            continue
        j = hits[0]
        sec = out[j]
        out[j] = sec.model_copy(update={
            "venue": sec.venue or row.venue, "city": sec.city or row.city, "province": sec.province or row.province,
            "online": sec.online or row.online, "language": sec.language or row.language,
            "fee_affiliate": sec.fee_affiliate if sec.fee_affiliate is not None else row.fee_affiliate,
            "fee_non_affiliate": sec.fee_non_affiliate if sec.fee_non_affiliate is not None else row.fee_non_affiliate,
        })
        drop.add(k)
    return [s for k, s in enumerate(out) if k not in drop]
