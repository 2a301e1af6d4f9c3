"""The date-line grammar of scheduled sessions, on the forms SITES.md and issue 14 quote."""
from __future__ import annotations

from datetime import date, time

import pytest

from normalise.session_dates import DateLineError, looks_like_date_line, parse_date_line
from normalise.session_place import HeaderError, is_header_line, parse_header_line, parse_place

D = date
T = time


@pytest.mark.parametrize("text, start, end", [
    ("Dec 6, 2025", D(2025, 12, 6), D(2025, 12, 6)),
    ("Nov 22, 2025", D(2025, 11, 22), D(2025, 11, 22)),
    ("November 24 - 25, 2025", D(2025, 11, 24), D(2025, 11, 25)),
    ("December 8 - 12, 2025", D(2025, 12, 8), D(2025, 12, 12)),
    ("March 23 - 24, 2026", D(2026, 3, 23), D(2026, 3, 24)),
    ("February 14 - 17, 2019", D(2019, 2, 14), D(2019, 2, 17)),
    # across months: the start has no year and takes the range's
    ("March 31 - April 2, 2026", D(2026, 3, 31), D(2026, 4, 2)),
    # across years: with both years, and with the start's year missing
    ("December 29, 2025 - January 2, 2026", D(2025, 12, 29), D(2026, 1, 2)),
    ("December 29 - January 2, 2026", D(2025, 12, 29), D(2026, 1, 2)),
    ("Dec 30 – Jan 3, 2026", D(2025, 12, 30), D(2026, 1, 3)),
    ("Mon, 09 Jun 2025 8:30am – 4:30pm MST", D(2025, 6, 9), D(2025, 6, 9)),
    ("Sept. 3, 2025", D(2025, 9, 3), D(2025, 9, 3)),
])
def test_dates(text, start, end):
    line = parse_date_line(text)
    assert (line.start_date, line.end_date) == (start, end)


def test_single_day_has_one_meeting_without_times():
    (m,) = parse_date_line("Dec 6, 2025").meetings
    assert (m.date, m.end_date, m.start_time, m.end_time, m.timezone) == (D(2025, 12, 6), None, None, None, None)


def test_range_without_times_is_one_meeting_over_the_days():
    (m,) = parse_date_line("March 31 - April 2, 2026").meetings
    assert (m.date, m.end_date, m.start_time) == (D(2026, 3, 31), D(2026, 4, 2), None)


def test_times_on_each_end_of_a_range():
    line = parse_date_line("February 14 (5:30pm) - 17, 2019 (12:00pm) (9 spaces available)")
    assert (line.start_date, line.end_date, line.spaces_available) == (D(2019, 2, 14), D(2019, 2, 17), 9)
    (m,) = line.meetings
    assert (m.date, m.end_date, m.start_time, m.end_time) == (D(2019, 2, 14), D(2019, 2, 17), T(17, 30), T(12, 0))


def test_one_day_with_hours_and_spaces():
    line = parse_date_line("Oct 24, 2020 (9:00am-4:00pm) (25 spaces available)")
    assert line.spaces_available == 25
    (m,) = line.meetings
    assert (m.date, m.start_time, m.end_time, m.timezone) == (D(2020, 10, 24), T(9), T(16), None)


@pytest.mark.parametrize("text, zone, written", [
    ("Mar 19, 2024 (9:00am-12:00pm (Atlantic))", "America/Halifax", "Atlantic"),
    ("Nov 4, 2025 (9:00am-12:00pm (Pacific)) (17 spaces available)", "America/Vancouver", "Pacific"),
    ("Mon, 09 Jun 2025 8:30am – 4:30pm MST", "America/Edmonton", "MST"),
    ("Nov 4, 2025 (1:00pm-4:00pm (Eastern Time))", "America/Toronto", "Eastern"),
])
def test_time_zones(text, zone, written):
    (m,) = parse_date_line(text).meetings
    assert (m.timezone, m.timezone_text) == (zone, written)
    assert m.start_time is not None and m.end_time is not None and m.start_time < m.end_time


def test_atlantic_line_has_no_count():
    line = parse_date_line("Mar 19, 2024 (9:00am-12:00pm (Atlantic))")
    assert line.spaces_available is None
    assert (line.meetings[0].start_time, line.meetings[0].end_time) == (T(9), T(12))


@pytest.mark.parametrize("text, n", [
    ("Nov 4, 2025 (9:00am-12:00pm (Pacific)) (-2 spaces available)", -2),
    ("Nov 4, 2025 (9:00am-12:00pm) (1 space available)", 1),
    ("Nov 4, 2025 (9:00am-12:00pm) (0 spaces available)", 0),
    ("Nov 4, 2025 (–3 spaces available)", -3),
])
def test_spaces_can_be_negative_or_zero(text, n):
    assert parse_date_line(text).spaces_available == n


def test_noon_and_midnight_and_twelve():
    (m,) = parse_date_line("Oct 24, 2020 (12:00pm-12:30pm)").meetings
    assert (m.start_time, m.end_time) == (T(12), T(12, 30))
    (m,) = parse_date_line("Oct 24, 2020 (9am - noon)").meetings
    assert (m.start_time, m.end_time) == (T(9), T(12))


def test_same_hours_each_day_of_a_range():
    line = parse_date_line("Dec 8 - 10, 2025 (9:00am-4:00pm)")
    assert [m.date.day for m in line.meetings] == [8, 9, 10]
    assert {(m.start_time, m.end_time) for m in line.meetings} == {(T(9), T(16))}


def test_missing_year_taken_from_the_page():
    line = parse_date_line("February 15 (9:00am-4:00pm)", default_year=2019)
    assert line.start_date == D(2019, 2, 15)


@pytest.mark.parametrize("text, says", [
    ("Dec 6", "expected a year"),
    ("Feb 30, 2026", "no such day"),
    ("Dec 12 - 8, 2025", "before it starts"),
    ("Dec 6, 2025 (9:00am) (25 seats)", "unexpected number"),
    ("Dec 6, 2025 (9:00am) (seats left)", "unknown word"),
    ("Dec 6, 2025 (13:00pm)", "no clock time"),
    ("Yorkton Area Office", "unknown word"),
    ("- 12, 2025", "expected"),
])
def test_errors_name_the_text_and_what_was_expected(text, says):
    with pytest.raises(DateLineError) as info:
        parse_date_line(text)
    assert says in info.value.reason
    assert text in str(info.value)


@pytest.mark.parametrize("text, yes", [
    ("Dec 6, 2025 | Yorkton Area Office, Yorkton, Saskatchewan | English", True),
    ("Mon, 09 Jun 2025 8:30am – 4:30pm MST", True),
    ("March 31 - April 2, 2026", True),
    ("Mayors and councils often ...", False),
    ("3 hours", False),
    ("Decisions are made by the members.", False),
])
def test_looks_like_date_line(text, yes):
    assert looks_like_date_line(text) is yes


# ---- the listing header line: place, language, fees --------------------------------------------

def test_header_yorkton():
    h = parse_header_line("Dec 6, 2025 | Yorkton Area Office, Yorkton, Saskatchewan | English")
    assert h.dates.start_date == D(2025, 12, 6)
    assert (h.place.venue, h.place.city, h.place.province, h.place.online) == (
        "Yorkton Area Office", "Yorkton", "Saskatchewan", False)
    assert h.language == "English"
    assert (h.fees.affiliate, h.fees.non_affiliate) == (None, None)


def test_header_regina_range():
    h = parse_header_line("November 24 - 25, 2025 | CUPE Saskatchewan Regional Office, Regina, Saskatchewan | English")
    assert (h.dates.start_date, h.dates.end_date) == (D(2025, 11, 24), D(2025, 11, 25))
    assert (h.place.venue, h.place.city, h.place.province) == ("CUPE Saskatchewan Regional Office", "Regina", "Saskatchewan")


def test_header_fees_affiliate_and_non_affiliate():
    h = parse_header_line("Jan 17, 2026 | ONLINE, Manitoba | English | $20 (Affiliate) | $20 (Non-affiliate)")
    assert (h.fees.affiliate, h.fees.non_affiliate) == (20.0, 20.0)
    assert (h.place.online, h.place.province, h.place.city) == (True, "Manitoba", None)


@pytest.mark.parametrize("fee, amount", [("$1800", 1800.0), ("$450", 450.0), ("$1,800.00", 1800.0)])
def test_header_one_fee_for_everyone(fee, amount):
    h = parse_header_line(f"March 31 - April 2, 2026 | CUPE Maritime Regional Office (MRO), Fredericton, New Brunswick | French | {fee}")
    assert (h.fees.affiliate, h.fees.non_affiliate) == (amount, amount)
    assert (h.dates.start_date, h.dates.end_date) == (D(2026, 3, 31), D(2026, 4, 2))
    assert (h.place.venue, h.place.city, h.place.province) == (
        "CUPE Maritime Regional Office (MRO)", "Fredericton", "New Brunswick")
    assert h.language == "French"


def test_online_via_zoom_with_province_code():
    p = parse_place("Online via Zoom - MB")
    assert (p.venue, p.city, p.province, p.online) == ("Online via Zoom", None, "Manitoba", True)


def test_virtual_event():
    p = parse_place("Virtual event")
    assert (p.venue, p.city, p.province, p.online) == ("Virtual event", None, None, True)


def test_header_errors():
    assert is_header_line("Dec 6, 2025 | Regina, Saskatchewan | English")
    assert not is_header_line("Dec 6, 2025")
    with pytest.raises(HeaderError, match="unexpected part"):
        parse_header_line("Dec 6, 2025 | Regina, Saskatchewan | English | Room 4 | Bring lunch")
    with pytest.raises(HeaderError, match="no such day"):
        parse_header_line("Dec 36, 2025 | Regina, Saskatchewan | English")
