"""One grammar for the date lines of scheduled sessions.

Reads the date, time and time-zone expressions the sites write, e.g.

    Dec 6, 2025                                   one day
    November 24 - 25, 2025                        a range within a month
    March 31 - April 2, 2026                      a range across months (start takes the end's year)
    December 29 - January 2, 2026                 a range across years (start is the year before)
    Oct 24, 2020 (9:00am-4:00pm) (25 spaces available)
    February 14 (5:30pm) - 17, 2019 (12:00pm) (9 spaces available)
    Mar 19, 2024 (9:00am-12:00pm (Atlantic))
    Nov 4, 2025 (9:00am-12:00pm (Pacific)) (17 spaces available)
    Mon, 09 Jun 2025 8:30am – 4:30pm MST           (AUPE)

The line is split at its dashes into segments; a segment with a day in it is a
date (a month and year missing from it come from the segments after it), a
segment with only a time in it ends the time range of the date before it.
``parse_date_line`` returns a ``DateLine`` or raises ``DateLineError`` naming
the text and what was expected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
}
# Zone names as the sites write them -> IANA zone. "MST" on AUPE's pages is
# Alberta local time (the pages write MST in June too), hence America/Edmonton.
ZONES = {
    "pacific": "America/Vancouver", "pst": "America/Vancouver", "pdt": "America/Vancouver", "pt": "America/Vancouver",
    "mountain": "America/Edmonton", "mst": "America/Edmonton", "mdt": "America/Edmonton", "mt": "America/Edmonton",
    "central": "America/Winnipeg", "cst": "America/Winnipeg", "cdt": "America/Winnipeg", "ct": "America/Winnipeg",
    "eastern": "America/Toronto", "est": "America/Toronto", "edt": "America/Toronto", "et": "America/Toronto",
    "atlantic": "America/Halifax", "ast": "America/Halifax", "adt": "America/Halifax",
    "newfoundland": "America/St_Johns", "nst": "America/St_Johns", "ndt": "America/St_Johns", "nt": "America/St_Johns",
}
_FILLER = {"time", "from", "at", "and", "on"}  # "Pacific Time", "from 9am to 4pm"

_SPACES = re.compile(
    r"\(\s*(?P<n>[-−–]?\s*\d+)\s+spaces?\s+(?:available|left|remaining)\s*\)",
    re.IGNORECASE,
)
_TOKEN = re.compile(
    r"""
    (?P<time>\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?![a-z])|\d{1,2}:\d{2}|noon|midnight)
  | (?P<year>\d{4})(?!\d)
  | (?P<num>\d{1,2})(?:st|nd|rd|th)?(?![\d:])
  | (?P<dash>[-–—−]|\bto\b|\buntil\b)
  | (?P<word>[A-Za-z]+)\.?
  | (?P<skip>[\s,()]+)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_DATE_HINT = re.compile(
    r"^\s*(?:(?:" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?,?\s+)?"
    r"(?:(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+\d{1,2}\b"
    r"|\d{1,2}\s+(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b)",
    re.IGNORECASE,
)


class DateLineError(ValueError):
    """A date line the grammar cannot read: the text and what was expected."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"date line {text!r}: {reason}")
        self.text = text
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting of a session: a day (or a span of days) with times where given."""

    date: date
    end_date: date | None = None  # set when one meeting runs over several days
    start_time: time | None = None
    end_time: time | None = None
    timezone: str | None = None  # IANA zone, e.g. "America/Halifax"
    timezone_text: str | None = None  # as written, e.g. "Atlantic", "MST"


@dataclass(frozen=True, slots=True)
class DateLine:
    """What a date line says: first and last day, the meetings, and the spaces left."""

    text: str
    start_date: date
    end_date: date
    meetings: tuple[Meeting, ...]
    spaces_available: int | None = None


@dataclass(slots=True)
class _Segment:
    month: int | None = None
    day: int | None = None
    year: int | None = None
    times: list[time] = field(default_factory=list)


def looks_like_date_line(text: str) -> bool:
    """Cheap test: does the text open with a date ("Dec 6", "Mon, 09 Jun", "March 31 -")?"""
    return bool(_DATE_HINT.match(text))


def parse_spaces(text: str) -> tuple[int | None, str]:
    """The '(N spaces available)' count (may be negative) and the text without it."""
    m = _SPACES.search(text)
    if not m:
        return None, text
    n = int(re.sub(r"\s", "", m["n"]).replace("−", "-").replace("–", "-"))
    return n, (text[: m.start()] + text[m.end():]).strip()


def parse_time(token: str) -> time:
    t = token.lower().replace(".", "").replace(" ", "")
    if t == "noon":
        return time(12, 0)
    if t == "midnight":
        return time(0, 0)
    suffix = t[-2:] if t.endswith(("am", "pm")) else ""
    body = t[: -2] if suffix else t
    hh, _, mm = body.partition(":")
    hour, minute = int(hh), int(mm or 0)
    if suffix:
        if not 1 <= hour <= 12:
            raise ValueError(f"{token!r} is no clock time")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(f"{token!r} is no clock time")
    return time(hour, minute)


def parse_date_line(text: str, default_year: int | None = None) -> DateLine:
    """Read one date line. ``default_year`` is used only where no segment names a year."""
    spaces, rest = parse_spaces(text)
    segments: list[_Segment] = [_Segment()]
    zone_text: str | None = None
    pos = 0
    while pos < len(rest):
        m = _TOKEN.match(rest, pos)
        if not m:
            raise DateLineError(text, f"unexpected {rest[pos:pos + 12]!r} (expected a date such as "
                                      "'Dec 6, 2025', a time such as '9:00am' or a zone such as '(Pacific)')")
        pos = m.end()
        kind = m.lastgroup
        seg = segments[-1]
        if kind == "skip":
            continue
        if kind == "dash":
            segments.append(_Segment())
        elif kind == "time":
            try:
                seg.times.append(parse_time(m["time"]))
            except ValueError as exc:
                raise DateLineError(text, str(exc)) from None
        elif kind == "year":
            if seg.year is not None:
                raise DateLineError(text, f"two years in one date ({seg.year}, {m['year']})")
            seg.year = int(m["year"])
        elif kind == "num":
            if seg.day is not None or seg.times:
                raise DateLineError(text, f"unexpected number {m['num']!r} after the day")
            seg.day = int(m["num"])
        else:
            word = m["word"].lower()
            if word in MONTHS:
                if seg.month is not None:
                    raise DateLineError(text, f"two months in one date ({m['word']!r})")
                seg.month = MONTHS[word]
            elif word in WEEKDAYS or word in _FILLER:
                continue
            elif word in ZONES:
                zone_text = m["word"]
            else:
                raise DateLineError(text, f"unknown word {m['word']!r} (expected a month, weekday or time zone)")
    return _resolve(text, segments, zone_text, spaces, default_year)


def _resolve(text: str, segments: list[_Segment], zone_text: str | None, spaces: int | None,
             default_year: int | None) -> DateLine:
    # A segment with no day is a time continuing the date before it ("9:00am-4:00pm").
    dates: list[_Segment] = []
    for seg in segments:
        if seg.day is None and seg.month is None and seg.year is None:
            if not seg.times or not dates:
                raise DateLineError(text, "expected a date before the dash")
            dates[-1].times.extend(seg.times)
        elif seg.day is None:
            raise DateLineError(text, "expected a day with the month")
        else:
            dates.append(seg)
    if not dates:
        raise DateLineError(text, "expected a date such as 'Dec 6, 2025'")
    if len(dates) > 2:
        raise DateLineError(text, "expected one date or a range of two, found more")
    # Months and years missing from the start come from the end ("March 31 - April 2, 2026", "8 - 12 Dec 2025").
    for k in range(len(dates) - 2, -1, -1):
        if dates[k].month is None:
            dates[k].month = dates[k + 1].month
    for k in range(1, len(dates)):
        if dates[k].month is None:  # "December 8 - 12, 2025": the end is in the start's month
            dates[k].month = dates[k - 1].month
    if dates[0].month is None:
        raise DateLineError(text, "expected a month name")
    if dates[-1].year is None:
        if default_year is None:
            raise DateLineError(text, "expected a year")
        dates[-1].year = default_year
    if len(dates) == 2 and dates[0].year is None:
        d0, d1 = dates
        d0.year = d1.year - 1 if d0.month > d1.month else d1.year
    try:
        start = date(dates[0].year, dates[0].month, dates[0].day)
        end = date(dates[-1].year, dates[-1].month, dates[-1].day)
    except ValueError as exc:
        raise DateLineError(text, f"no such day: {exc}") from None
    if end < start:
        raise DateLineError(text, f"the range ends ({end}) before it starts ({start})")
    zone = ZONES[zone_text.lower()] if zone_text else None
    first = dates[0].times
    last = dates[1].times if len(dates) == 2 else []
    if len(first) > 2 or len(last) > 2:
        raise DateLineError(text, "expected at most a start and an end time per date")
    span_end = end if end != start else None
    if len(dates) == 1 or (len(first) <= 1 and len(last) <= 1):
        # One day; or one meeting from the first day's start time to the last day's end time
        # ("February 14 (5:30pm) - 17, 2019 (12:00pm)").
        times = first if len(dates) == 1 else first + last
        meetings: tuple[Meeting, ...] = (Meeting(
            date=start, end_date=span_end,
            start_time=first[0] if first else None,
            end_time=(times[1] if len(times) == 2 else None) if len(dates) == 1 else (last[0] if last else None),
            timezone=zone, timezone_text=zone_text,
        ),)
    elif (len(first), len(last)) in ((0, 2), (2, 0)):
        # "Dec 8 - 12, 2025 (9:00am-4:00pm)": the same hours each day.
        hours = first or last
        meetings = tuple(Meeting(date=start + timedelta(days=k), start_time=hours[0], end_time=hours[1],
                                 timezone=zone, timezone_text=zone_text)
                         for k in range((end - start).days + 1))
    else:
        raise DateLineError(text, "cannot tell which day the times belong to")
    return DateLine(text=text, start_date=start, end_date=end, meetings=meetings, spaces_available=spaces)
