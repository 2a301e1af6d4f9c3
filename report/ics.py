"""Upcoming sessions as an iCalendar file (RFC 5545): one event per meeting, stable UIDs.

A UID is the session's id and the meeting's number, so importing a newer file updates the
events of an earlier import instead of adding copies. Meetings with times are timed events
(in the zone the page names, else floating local time); meetings without are all-day events.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODID = "-//union-courses//sessions//EN"


def _when(day: date, at: str | None, zone: str | None):
    if at is None:
        return None
    t = time.fromisoformat(at)
    return datetime.combine(day, t, tzinfo=ZoneInfo(zone) if zone else None)


def calendar_of(rows: list[dict], stamp: datetime | None = None) -> bytes:
    """An iCalendar file for session rows (cli.sessions.upcoming)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    stamp = stamp or datetime.now(timezone.utc).replace(microsecond=0)
    for row in rows:
        meetings = json.loads(row["meetings"]) if isinstance(row["meetings"], str) else row["meetings"]
        title = row["title"] or (row["description"] or "Session").split(". ")[0][:80]
        place = "Online" if row["online"] and not row["city"] else None
        location = ", ".join(p for p in (row["venue"], row["city"], row["province"]) if p) or place
        for k, m in enumerate(meetings):
            first = date.fromisoformat(m["date"])
            last = date.fromisoformat(m["end_date"]) if m.get("end_date") else first
            ev = Event()
            ev.add("uid", f"{row['session_id']}-{k}@union-courses")
            ev.add("dtstamp", stamp)
            ev.add("summary", f"{row['provider']}: {title}")
            start = _when(first, m.get("start_time"), m.get("timezone"))
            end = _when(last, m.get("end_time"), m.get("timezone"))
            if start is not None:
                ev.add("dtstart", start)
                ev.add("dtend", end if end is not None and end > start else start + timedelta(hours=1))
            else:
                ev.add("dtstart", first)
                ev.add("dtend", last + timedelta(days=1))
            if location:
                ev.add("location", location)
            if row["description"]:
                ev.add("description", row["description"])
            url = row.get("event_url") or row.get("source_url")
            if url:
                ev.add("url", url)
            cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()
