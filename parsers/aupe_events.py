"""AUPE event pages (https://aupe.org/events/<slug>): one course session per page.

The page gives the course title, a date line with times and zone ("Mon, 09 Jun
2025 8:30am – 4:30pm MST"), "Virtual event" or a place, sometimes a self-paced
length ("Two-week course; complete at your own pace."), then the course's
labelled sections ("Description:", "This course is for:", "Learning outcomes:").
The session is found by its date line; the title is the line above it.
"""
from __future__ import annotations

import re

from normalise.duration import find_durations
from normalise.session_dates import DateLineError, looks_like_date_line, parse_date_line
from normalise.session_place import Place, parse_place
from parsers.aupe_courses import _label
from parsers.errors import ParseError
from parsers.lines import BLANK, BULLET, HEADING, TEXT, Line, canonical_url, page_lines
from schema.models import BlockError
from schema.sessions import RawSession, SessionParseResult

KIND = "sessions"
PROVIDER = "AUPE"
PROGRAMME_PREFIXES: dict[str, str] = {}
HOME_PROVINCE = "Alberta"  # AUPE is Alberta's union: an in-person session naming no province is in Alberta
CHROME = {"Sign in", "Text only block", "Related articles"}
_VIRTUAL = re.compile(r"^(?:virtual|online)(?:\s+event)?$", re.IGNORECASE)
_SELF_PACED = re.compile(r"\bown pace\b|\bself-paced\b", re.IGNORECASE)


def parse(content: str, url: str) -> SessionParseResult:
    lines, _ = page_lines(content, url)
    lines = [l for l in lines if l.kind != BLANK and not (l.kind == TEXT and l.text in CHROME)]
    base = canonical_url(content) or url
    at = None
    for i, line in enumerate(lines):
        if line.kind in (TEXT, HEADING) and looks_like_date_line(line.text):
            try:
                dates = parse_date_line(line.text)
            except DateLineError as exc:
                raise ParseError(url, f"line {line.text!r}: {exc.reason}") from None
            at = i
            break
    if at is None:
        raise ParseError(url, "no session found: expected a date line such as "
                              "'Mon, 09 Jun 2025 8:30am – 4:30pm MST' under the course title")
    result = SessionParseResult()
    title = lines[at - 1] if at > 0 and lines[at - 1].kind in (TEXT, HEADING) else None
    item = RawSession(source_url=url, position=0, dates=[dates], event_url=base,
                      title=title.text if title else None,
                      raw_text="\n".join(l.text for l in lines[max(at - 1, 0):]))
    rest = lines[at + 1:]
    if rest and rest[0].kind == TEXT and _label(rest[0]) is None:
        item.place_text = rest[0].text
        item.place = _place(rest[0].text)
        rest = rest[1:]
    if rest and rest[0].kind == TEXT and _label(rest[0]) is None and (
            _SELF_PACED.search(rest[0].text) or find_durations(rest[0].text)):
        item.length_text = rest[0].text
        rest = rest[1:]
    _read_sections(item, rest)
    if item.title is None or not (item.paragraphs or item.bullets):
        result.errors.append(BlockError(source_url=url, position=0, raw_text=item.raw_text,
                                        reason=f"session {item.title!r}: expected a course title above the date "
                                               "line and a 'Description:' section, found "
                                               + ("no title" if item.title is None else "no description")))
        return result
    result.sessions.append(item)
    return result


def _place(text: str) -> Place:
    if _VIRTUAL.match(text):
        return Place(venue=text, city=None, province=None, online=True)
    p = parse_place(text)
    return Place(venue=p.venue, city=p.city, province=p.province or HOME_PROVINCE, online=p.online)


def _read_sections(item: RawSession, lines: list[Line]) -> None:
    field = None
    for line in lines:
        lab = _label(line)
        if lab is not None:
            field, _, text = lab
            if text:
                _add(item, field, text)
            continue
        if line.kind == BULLET:
            if line.text:
                # Bullets of the description are the course's bullets; lists under other labels
                # ("Learning outcomes:", "This course utilizes:") are kept as notes, as the catalogue keeps them apart.
                (item.bullets if field in (None, "description") else item.notes).append(line.text)
            continue
        if line.kind == HEADING and line.level <= 1:
            continue
        _add(item, field or "description", line.text)


def _add(item: RawSession, field: str, text: str) -> None:
    if field == "description":
        item.paragraphs.append(text)
    elif field == "prerequisites":
        item.prerequisites = f"{item.prerequisites} {text}" if item.prerequisites else text
    else:  # notes, audience, methods, outcomes: kept as notes of the session
        item.notes.append(text)
