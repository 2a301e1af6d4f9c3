"""`courses sessions --format ics`: one event per meeting, stable UIDs, zones, all-day ranges."""
from __future__ import annotations

from datetime import date, datetime

from icalendar import Calendar

from normalise.sessions import to_sessions
from parsers import cupe_events
from report.ics import calendar_of
from tests.test_session_parsers import text
from warehouse.sessions import _row


def rows_of(name: str) -> list[dict]:
    result = cupe_events.parse(text(name), "https://cupe.ca/mrm-union-education/event/2010")
    return [_row(s) for s in to_sessions(result.sessions, provider="CUPE", source="cupe-events",
                                        prefixes=cupe_events.PROGRAMME_PREFIXES)]


def events(ics: bytes):
    return [c for c in Calendar.from_ical(ics).walk("VEVENT")]


def test_one_event_per_meeting_with_times():
    rows = rows_of("cupe-event-finances.txt")
    evs = events(calendar_of(rows))
    # Financial Essentials: one meeting; Financial Officers: two lines, two meetings
    assert len(evs) == 3
    assert [str(e["summary"]) for e in evs] == ["CUPE: Financial Essentials", "CUPE: Financial Officers",
                                               "CUPE: Financial Officers"]
    assert evs[1].decoded("dtstart") == datetime(2020, 10, 24, 9, 0)
    assert evs[2].decoded("dtend") == datetime(2020, 10, 25, 16, 0)


def test_uids_are_stable_across_exports():
    rows = rows_of("cupe-event-finances.txt")
    a = [str(e["uid"]) for e in events(calendar_of(rows, stamp=datetime(2026, 1, 1)))]
    b = [str(e["uid"]) for e in events(calendar_of(rows, stamp=datetime(2026, 2, 1)))]
    assert a == b and len(set(a)) == 3


def test_all_day_range_and_location():
    rows = rows_of("cupe-events-page1.txt")
    zoom = events(calendar_of([rows[2]]))[0]
    assert zoom.decoded("dtstart") == date(2026, 3, 31)
    assert zoom.decoded("dtend") == date(2026, 4, 3)  # DTEND of an all-day event is exclusive
    assert str(zoom["location"]) == "Online via Zoom, Manitoba"


def test_named_zone_is_kept():
    page = ("SLS - Notetaking\nNov 4, 2025 (9:00am-12:00pm (Pacific)) (17 spaces available)\n"
            "Good grievance handling means keeping well organized files.\n")
    result = cupe_events.parse(page, "https://cupe.ca/mrm-union-education/event/77")
    (s,) = to_sessions(result.sessions, provider="CUPE", source="cupe-events", prefixes=cupe_events.PROGRAMME_PREFIXES)
    ics = calendar_of([_row(s)])
    (ev,) = events(ics)
    start = ev.decoded("dtstart")
    assert (start.hour, str(start.tzinfo)) == (9, "America/Vancouver")
    assert b"BEGIN:VTIMEZONE" in ics and b"TZID:America/Vancouver" in ics
