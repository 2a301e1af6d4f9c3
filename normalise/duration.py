"""One grammar for course lengths.

Handles lines and phrases such as "3 hours", "1 day", "1 week", "14 hours",
"(2 days)", "two-day", "6-hour", "9- hour", "half-day", "1.5 days", "2-3 hours",
"2 to 3 hours". ``parse_duration`` reads a whole line; ``find_durations`` finds
every mention inside free text (titles, descriptions).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

WORD_NUMBERS = {
    "half": 0.5, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "twenty": 20,
}
UNITS = {
    "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "h": "hour",
    "day": "day", "days": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week",
}
_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + ")"
_DASH = r"(?:-|–|—|to)"
_PATTERN = (
    rf"(?<![\w.])(?P<a>{_NUM})"
    rf"(?:\s*{_DASH}\s*(?P<b>{_NUM}))?"
    r"\s*(?:[-–]\s*)?"
    r"(?P<unit>hours|hour|hrs|hr|h|days|day|weeks|week|wks|wk)(?![\w])"
)
DURATION_RE = re.compile(_PATTERN, re.IGNORECASE)
_LINE_RE = re.compile(r"^\s*\(?\s*" + _PATTERN + r"\s*\)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Conventions:
    """How a provider counts contact hours in a day and days in a week."""

    hours_per_day: float = 7.0
    days_per_week: float = 5.0

    def hours(self, value: float, unit: str) -> float:
        if unit == "hour":
            return value
        if unit == "day":
            return value * self.hours_per_day
        return value * self.hours_per_day * self.days_per_week


@dataclass(frozen=True, slots=True)
class Duration:
    value: float
    value_max: float
    unit: str  # "hour" | "day" | "week"
    text: str

    def hours(self, conventions: Conventions) -> tuple[float, float]:
        return conventions.hours(self.value, self.unit), conventions.hours(self.value_max, self.unit)

    @property
    def canonical(self) -> str:
        """One spelling per length, whatever the page wrote: "1 week" for "1 weeks" or
        "(1 Week)", "2 days" for "two-day", "9 hours" for "9- hour", "2-3 hours" for
        "2 to 3 hours", "half day" for "half-day"."""
        return canonical_text(self.value, self.value_max, self.unit)


def _num_text(x: float) -> str:
    return f"{x:g}"


def canonical_text(value: float, value_max: float, unit: str) -> str:
    """The canonical spelling of a length (see ``Duration.canonical``)."""
    if value == value_max == 0.5:
        return f"half {unit}"
    if value == value_max:
        return f"{_num_text(value)} {unit}{'' if value == 1 else 's'}"
    return f"{_num_text(value)}-{_num_text(value_max)} {unit}s"


def _number(token: str) -> float:
    token = token.lower()
    if token in WORD_NUMBERS:
        return float(WORD_NUMBERS[token])
    return float(token)


def _from_match(m: re.Match[str]) -> Duration | None:
    a = _number(m["a"])
    b = _number(m["b"]) if m["b"] else a
    if a <= 0 or b < a:
        return None
    return Duration(value=a, value_max=b, unit=UNITS[m["unit"].lower()], text=m.group(0).strip())


def parse_duration(line: str | None) -> Duration | None:
    """Read a line that is nothing but a length ("6 hours", "(2 days)"); None otherwise."""
    if not line or len(line) > 40:
        return None
    head = line.lstrip(" \t(")
    if not head[:1].isdigit():  # a length line opens with a number: most short lines stop here, cheaply
        first = head.split(None, 1)
        if not first or first[0].split("-", 1)[0].lower() not in WORD_NUMBERS:
            return None
    return _parse_line(line)


@lru_cache(maxsize=4096)
def _parse_line(line: str) -> Duration | None:
    """parse_duration past its cheap rejects; pages repeat their length lines ("3 hours"), so
    each distinct line is read once (a Duration is immutable: one object serves every block)."""
    m = _LINE_RE.match(line)
    if not m:
        return None
    d = _from_match(m)
    if d is None:
        return None
    return Duration(d.value, d.value_max, d.unit, line.strip().strip("()").strip())


def find_durations(text: str) -> list[tuple[int, int, Duration]]:
    """Every length mentioned in free text, with its (start, end) span."""
    found = []
    for m in DURATION_RE.finditer(text):
        d = _from_match(m)
        if d is not None:
            found.append((m.start(), m.end(), d))
    return found
