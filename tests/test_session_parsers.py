"""CUPE events listing and event pages, AUPE event pages: text captures and HTML renderings.

Expected values are read off the reconstructed pages' text (samples/text/, built from
SITES.md facts and the seed's descriptions), never from the parser's output."""
from __future__ import annotations

import importlib.util
import json
from datetime import date, time

import pytest

from normalise.sessions import to_sessions
from parsers import ParseError, aupe_events, cupe_events
from tests.conftest import ROOT
from tests.test_cli import courses

TEXT = ROOT / "samples" / "text"
EVENTS_URL = "https://cupe.ca/mrm-union-education/events"
_spec = importlib.util.spec_from_file_location("build_session_pages", ROOT / "samples" / "tools" / "build_session_pages.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

# Fields a text capture carries (it drops the titles and links of the live page).
FROM_TEXT = ("position", "start_date", "end_date", "meetings", "date_text", "venue", "city", "province", "online",
             "language", "fee_affiliate", "fee_non_affiliate", "spaces_available", "description", "notes",
             "bullets", "prerequisites", "length_text", "event_name")


def sessions_of(content: str, module=cupe_events, url: str = EVENTS_URL, provider: str = "CUPE"):
    result = module.parse(content, url)
    return to_sessions(result.sessions, provider=provider, source="x", prefixes=module.PROGRAMME_PREFIXES), result


def text(name: str) -> str:
    return (TEXT / name).read_text(encoding="utf-8")


# ---- the events listing ---------------------------------------------------------------------------

def test_listing_text_one_session_per_header_line():
    sessions, result = sessions_of(text("cupe-events-page0.txt"))
    assert result.errors == []
    assert [(s.start_date, s.end_date) for s in sessions] == [
        (date(2025, 11, 22), date(2025, 11, 22)), (date(2025, 11, 24), date(2025, 11, 25)),
        (date(2025, 12, 6), date(2025, 12, 6)), (date(2025, 12, 8), date(2025, 12, 12))]
    assert [(s.venue, s.city, s.province) for s in sessions] == [
        ("Yorkton Area Office", "Yorkton", "Saskatchewan"),
        ("CUPE Saskatchewan Regional Office", "Regina", "Saskatchewan"),
        ("Yorkton Area Office", "Yorkton", "Saskatchewan"),
        ("CUPE Saskatchewan Regional Office", "Regina", "Saskatchewan")]
    assert {s.language for s in sessions} == {"English"}
    assert [s.fee_affiliate for s in sessions] == [None, None, None, 1800.0]
    assert all(s.title is None for s in sessions)  # the capture has no titles
    steward = sessions[3]
    assert steward.description.startswith("What does a CUPE steward do?")
    assert steward.description.endswith("In this workshop, you will learn:")
    assert steward.bullets == ["investigating workplace problems;", "filing a grievance;",
                               "meeting with management;", "dealing with workplace complaints."]
    assert steward.notes == ["See more Stewarding courses under the Steward Learning Series."]
    # the day-2 sequel's three paragraphs
    assert sessions[1].description.count("\n\n") == 2


def test_listing_fees_online_and_ranges_across_months():
    sessions, result = sessions_of(text("cupe-events-page1.txt"))
    assert result.errors == [] and len(sessions) == 3
    manitoba, fredericton, zoom = sessions
    assert (manitoba.venue, manitoba.city, manitoba.province, manitoba.online) == ("ONLINE", None, "Manitoba", True)
    assert (manitoba.fee_affiliate, manitoba.fee_non_affiliate) == (20.0, 20.0)
    assert (fredericton.language, fredericton.fee_affiliate, fredericton.fee_non_affiliate) == ("French", 450.0, 450.0)
    assert fredericton.venue == "CUPE Maritime Regional Office (MRO)"
    assert (zoom.start_date, zoom.end_date) == (date(2026, 3, 31), date(2026, 4, 2))
    assert (zoom.venue, zoom.province, zoom.online) == ("Online via Zoom", "Manitoba", True)


@pytest.mark.parametrize("name", ["cupe-events-page0.txt", "cupe-events-page1.txt",
                                  "cupe-event-school.txt", "cupe-event-finances.txt"])
@pytest.mark.parametrize("style", ["drupal", "plain"])
def test_html_renderings_parse_like_the_text(name, style):
    kind = "event" if "event-" in name else "listing"
    a, _ = sessions_of(text(name))
    b, result = sessions_of(build.render(text(name), kind=kind, style=style, titles=False))
    assert result.errors == []
    assert len(a) == len(b) > 0
    for x, y in zip(a, b):
        for f in FROM_TEXT + ("title", "programme"):
            assert getattr(x, f) == getattr(y, f), (name, x.position, f)


def test_listing_html_titles_where_the_page_has_them():
    page = (ROOT / "samples" / "archive" / "cupe-events" / "events.html").read_text(encoding="utf-8")
    html, result = sessions_of(page)
    txt, _ = sessions_of(text("cupe-events-page0.txt"))
    assert result.errors == []
    assert [s.title_as_written for s in html] == ["LET - Financial Essentials", "LET - Financial Officers",
                                                  None, "Introduction to Stewarding"]
    assert html[0].title == "Financial Essentials" and html[0].programme == "Local Executive Training"
    for x, y in zip(txt, html):
        for f in FROM_TEXT:
            assert getattr(x, f) == getattr(y, f), (x.position, f)


def test_listing_next_page_and_event_links_are_followed():
    page = build.render(text("cupe-events-page0.txt"), kind="listing", next_url="?page=1")
    page = page.replace('<h3 class="event-title">LET - Financial Essentials</h3>',
                        '<h3 class="event-title"><a href="/mrm-union-education/event/2010">LET - Financial Essentials</a></h3>')
    assert cupe_events.find_links(page) == ["?page=1", "/mrm-union-education/event/2010"]
    sessions, _ = sessions_of(page)
    assert sessions[0].event_url == "https://cupe.ca/mrm-union-education/event/2010"


def test_a_bad_row_is_reported_and_the_others_kept():
    bad = text("cupe-events-page0.txt").replace("Dec 6, 2025 |", "Dec 36, 2025 |")
    sessions, result = sessions_of(bad)
    assert len(sessions) == 3
    (err,) = result.errors
    assert err.position == 2 and "Dec 36" in err.raw_text and "no such day" in err.reason


# ---- event pages ----------------------------------------------------------------------------------

def test_event_page_one_session_per_workshop():
    sessions, result = sessions_of(text("cupe-event-school.txt"))
    assert result.errors == []
    assert [(s.title, s.programme) for s in sessions] == [("How Bargaining Works", "Bargaining Program"),
                                                          ("Introduction to Stewarding", None)]
    assert {s.event_name for s in sessions} == {"Memorial Weeklong School"}
    assert [s.spaces_available for s in sessions] == [9, -2]
    (m,) = sessions[0].meetings
    assert (m.date, m.end_date, m.start_time, m.end_time) == (date(2019, 2, 14), date(2019, 2, 17), time(17, 30), time(12))
    steward = sessions[1]
    assert steward.bullets == ["investigating workplace problems;", "filing a grievance;",
                               "meeting with management;", "dealing with workplace complaints."]
    assert steward.notes == ["See more Stewarding courses under the Steward Learning Series."]
    assert steward.description.endswith("In this workshop, you will learn:")
    # the event's intro lines are no workshop's description
    assert all("CUPE/SCFP" not in s.description and "Workshops offered" not in s.description for s in sessions)


def test_event_page_two_meeting_lines():
    sessions, _ = sessions_of(text("cupe-event-finances.txt"))
    assert [s.title_as_written for s in sessions] == ["LET - Financial Essentials", "LET - Financial Officers"]
    officers = sessions[1]
    assert [(m.date, m.start_time, m.end_time) for m in officers.meetings] == [
        (date(2020, 10, 24), time(9), time(16)), (date(2020, 10, 25), time(9), time(16))]
    assert (officers.start_date, officers.end_date, officers.spaces_available) == (date(2020, 10, 24), date(2020, 10, 25), 25)


def test_event_page_sample_has_its_url_and_meeting_zone():
    page = build.render("Nov 2025 sessions\nSLS - Notetaking\nNov 4, 2025 (9:00am-12:00pm (Pacific)) (17 spaces available)\n"
                        "Good grievance handling means keeping well organized files.\n", kind="event",
                        canonical="https://cupe.ca/mrm-union-education/event/77")
    (s,), _ = sessions_of(page)
    assert (s.title, s.programme, s.spaces_available) == ("Notetaking", "Steward Learning Series", 17)
    assert s.event_url == "https://cupe.ca/mrm-union-education/event/77"
    assert (s.meetings[0].timezone, s.meetings[0].timezone_text) == ("America/Vancouver", "Pacific")


def test_neither_kind_of_page_is_a_clear_error():
    with pytest.raises(ParseError, match="no session found"):
        cupe_events.parse("<html><body><main><p>Nothing scheduled.</p></main></body></html>", EVENTS_URL)


# ---- AUPE -----------------------------------------------------------------------------------------

AUPE_URL = "https://aupe.org/events/introduction-workers-history"


@pytest.mark.parametrize("page", ["text", "html"])
def test_aupe_event(page):
    content = text("aupe-event.txt")
    if page == "html":
        content = build.render(content, kind="aupe", canonical=AUPE_URL)
    (s,), result = sessions_of(content, aupe_events, AUPE_URL, "AUPE")
    assert result.errors == []
    assert s.title == "Introduction to Worker's History"
    (m,) = s.meetings
    assert (m.date, m.start_time, m.end_time, m.timezone_text) == (date(2025, 6, 9), time(8, 30), time(16, 30), "MST")
    assert (s.venue, s.online) == ("Virtual event", True)
    assert s.length_text == "Two-week course; complete at your own pace."
    assert s.description == "An introduction to the history of workers and unions and what it means for members today."
    assert s.event_url == AUPE_URL
    assert s.bullets == [] and s.notes == ["All AUPE members.", "Describe key moments in workers’ history"]


def test_aupe_page_without_a_date_is_a_clear_error():
    with pytest.raises(ParseError, match="expected a date line"):
        aupe_events.parse("Introduction to Your Union\nDescription: The basics.\n", AUPE_URL)


# ---- the command ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_courses_parse_prints_one_json_line_per_session():
    out = courses("parse", str(TEXT / "cupe-event-school.txt"), "--source", "cupe-events")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 2
    for key in ("provider", "source_url", "position", "title", "programme", "start_date", "end_date", "meetings",
                "venue", "city", "province", "online", "language", "fee_affiliate", "fee_non_affiliate",
                "spaces_available", "description", "notes", "bullets", "event_url", "event_name"):
        assert key in rows[0], key
    assert rows[1]["spaces_available"] == -2 and rows[0]["start_date"] == "2019-02-14"
    assert rows[0]["meetings"][0] == {"date": "2019-02-14", "end_date": "2019-02-17", "start_time": "17:30:00",
                                      "end_time": "12:00:00", "timezone": None, "timezone_text": None}


# ---- a session on both the listing and its event page ---------------------------------------------

def test_listing_row_and_event_section_become_one_session():
    from normalise.sessions import merge_listing_rows

    event_url = "https://cupe.ca/mrm-union-education/event/2010"
    row = ("<h3><a href=\"/mrm-union-education/event/2010\">LET - Financial Officers</a></h3>"
           "<p>Oct 24, 2020 | CUPE Saskatchewan Regional Office, Regina, Saskatchewan | English | $450</p>"
           "<p>Once secretary-treasurers and trustees complete the Financial Essentials 1-day workshop, they will "
           "spend Day 2 learning about bookkeeping and auditing.</p>")
    listing, _ = sessions_of(f"<html><body><main>{row}</main></body></html>")
    event, _ = sessions_of(build.render(text("cupe-event-finances.txt"), kind="event", canonical=event_url), url=event_url)
    merged = merge_listing_rows(listing + event)
    assert len(merged) == 2  # the row folded into the Financial Officers section
    officers = merged[1]
    assert officers.title == "Financial Officers" and officers.page_kind == "event page"
    assert (officers.city, officers.province, officers.language, officers.fee_affiliate) == ("Regina", "Saskatchewan", "English", 450.0)
    assert len(officers.meetings) == 2 and officers.spaces_available == 25
    # another day, or another event page, is another session
    other_day = listing[0].model_copy(update={"start_date": listing[0].start_date.replace(day=30)})
    assert len(merge_listing_rows([other_day] + event)) == 3
    other_event = listing[0].model_copy(update={"event_url": "https://cupe.ca/mrm-union-education/event/9"})
    assert len(merge_listing_rows([other_event] + event)) == 3
