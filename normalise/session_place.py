"""Places, languages and fees of scheduled sessions, and CUPE's listing header line.

    Dec 6, 2025 | Yorkton Area Office, Yorkton, Saskatchewan | English
    November 24 - 25, 2025 | CUPE Saskatchewan Regional Office, Regina, Saskatchewan | English
    Jan 10, 2026 | ONLINE, Manitoba | English | $20 (Affiliate) | $20 (Non-affiliate)
    March 31 - April 2, 2026 | Online via Zoom - MB | French | $1800

The header is split at its bars: the date part first (read by the date grammar),
then the parts are told apart by what they are: a fee opens with "$", a language
is a language name, the one remaining part is the place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from normalise.session_dates import DateLine, DateLineError, looks_like_date_line, parse_date_line

PROVINCES = {
    "alberta": "Alberta", "ab": "Alberta", "alta": "Alberta",
    "british columbia": "British Columbia", "bc": "British Columbia", "b.c.": "British Columbia",
    "colombie-britannique": "British Columbia",
    "manitoba": "Manitoba", "mb": "Manitoba", "man": "Manitoba",
    "new brunswick": "New Brunswick", "nb": "New Brunswick", "nouveau-brunswick": "New Brunswick",
    "newfoundland and labrador": "Newfoundland and Labrador", "newfoundland": "Newfoundland and Labrador",
    "nl": "Newfoundland and Labrador", "terre-neuve-et-labrador": "Newfoundland and Labrador",
    "nova scotia": "Nova Scotia", "ns": "Nova Scotia", "nouvelle-écosse": "Nova Scotia",
    "ontario": "Ontario", "on": "Ontario", "ont": "Ontario",
    "prince edward island": "Prince Edward Island", "pei": "Prince Edward Island", "pe": "Prince Edward Island",
    "île-du-prince-édouard": "Prince Edward Island",
    "quebec": "Quebec", "québec": "Quebec", "qc": "Quebec",
    "saskatchewan": "Saskatchewan", "sk": "Saskatchewan", "sask": "Saskatchewan",
    "northwest territories": "Northwest Territories", "nt": "Northwest Territories", "nwt": "Northwest Territories",
    "nunavut": "Nunavut", "nu": "Nunavut",
    "yukon": "Yukon", "yt": "Yukon",
}
LANGUAGES = {
    "english": "English", "french": "French", "français": "French", "francais": "French",
    "anglais": "English", "bilingual": "English and French", "bilingue": "English and French",
    "english and french": "English and French", "english & french": "English and French",
    "french and english": "English and French",
}
_ONLINE = re.compile(r"^(?:online|on-line|virtual|zoom|en ligne|web)\b", re.IGNORECASE)
_FEE = re.compile(r"^\$\s*(?P<amount>\d[\d,]*(?:\.\d{1,2})?)\s*(?:\((?P<label>[^)]*)\))?$")


class HeaderError(ValueError):
    """A listing header line that cannot be read: the text and what was expected."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"header line {text!r}: {reason}")
        self.text = text
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Place:
    venue: str | None
    city: str | None
    province: str | None
    online: bool


@dataclass(frozen=True, slots=True)
class Fees:
    affiliate: float | None = None
    non_affiliate: float | None = None


@dataclass(frozen=True, slots=True)
class HeaderLine:
    text: str
    dates: DateLine
    place: Place | None
    language: str | None
    fees: Fees


def province_of(text: str) -> str | None:
    return PROVINCES.get(text.strip().strip(".").lower()) or PROVINCES.get(text.strip().lower())


def parse_place(text: str) -> Place:
    """'Yorkton Area Office, Yorkton, Saskatchewan' -> venue, city, province; online ones marked."""
    t = " ".join(text.split())
    online = bool(_ONLINE.match(t))
    parts = [p.strip() for p in t.split(",") if p.strip()]
    province = None
    if parts:
        if (p := province_of(parts[-1])) is not None:
            province = p
            parts.pop()
        else:
            # "Online via Zoom - MB": the province after a dash
            head, sep, tail = parts[-1].rpartition(" - ")
            if sep and (p := province_of(tail)) is not None:
                province = p
                parts[-1] = head.strip()
    city = None
    if parts and not online and len(parts) >= 1 and province is not None:
        city = parts.pop()
    venue = ", ".join(parts) or None
    return Place(venue=venue, city=city, province=province, online=online)


def language_of(text: str) -> str | None:
    return LANGUAGES.get(" ".join(text.split()).lower())


def parse_fee(text: str) -> tuple[float, str | None] | None:
    m = _FEE.match(text.strip())
    if not m:
        return None
    return float(m["amount"].replace(",", "")), (m["label"] or "").strip() or None


def is_header_line(text: str) -> bool:
    """A listing header: a date, then '|'-separated parts."""
    return "|" in text and looks_like_date_line(text)


def parse_header_line(text: str) -> HeaderLine:
    parts = [p.strip() for p in text.split("|")]
    try:
        dates = parse_date_line(parts[0])
    except DateLineError as exc:
        raise HeaderError(text, exc.reason) from None
    place = language = None
    affiliate = non_affiliate = None
    for part in parts[1:]:
        if not part:
            continue
        fee = parse_fee(part)
        if fee is not None:
            amount, label = fee
            low = (label or "").lower()
            if not label:  # one fee for everyone: "$1800"
                affiliate = non_affiliate = amount
            elif "non" in low:
                non_affiliate = amount
            elif "affiliat" in low or "member" in low:
                affiliate = amount
            else:
                raise HeaderError(text, f"fee {part!r}: expected '(Affiliate)' or '(Non-affiliate)'")
            continue
        if language is None and (lang := language_of(part)) is not None:
            language = lang
            continue
        if place is None:
            place = parse_place(part)
            continue
        raise HeaderError(text, f"unexpected part {part!r} (expected date | place | language | fees)")
    return HeaderLine(text=text, dates=dates, place=place, language=language,
                      fees=Fees(affiliate=affiliate, non_affiliate=non_affiliate))
