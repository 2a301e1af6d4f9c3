"""CUPE scheduled sessions: the events listing and an event page, told apart by structure.

* Events listing (https://cupe.ca/mrm-union-education/events, ``?page=N``): one
  row per session, an optional title (a link to the event page; dropped by text
  captures), a header line ``Dec 6, 2025 | Yorkton Area Office, Yorkton,
  Saskatchewan | English [| $20 (Affiliate) | $20 (Non-affiliate)]``, then the
  workshop's description, NOTE and Pre-requisite lines.
* Event page (``/mrm-union-education/event/<n>``): the event's name and date
  range, an introduction, then one section per workshop: a title ("BARG - How
  Bargaining Works"), one or more meeting lines ("Oct 24, 2020 (9:00am-4:00pm)
  (25 spaces available)"), then the description, where "NOTE:" and "•" items can
  run inline in one paragraph.

A page with header lines is a listing; a page with meeting lines is an event page.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from normalise.session_dates import DateLine, DateLineError, looks_like_date_line, parse_date_line
from normalise.session_place import HeaderError, is_header_line, parse_header_line
from parsers.errors import ParseError
from parsers.lines import BLANK, BULLET, HEADING, TEXT, Line, canonical_url, next_page_urls, page_lines
from schema.models import BlockError
from schema.sessions import RawSession, SessionParseResult

KIND = "sessions"
PROVIDER = "CUPE"
# Title prefixes seen on cupe.ca event pages ("LET - Financial Essentials", "SLS - Notetaking").
PROGRAMME_PREFIXES = {
    "SLS": "Steward Learning Series",
    "BARG": "Bargaining Program",
    "LET": "Local Executive Training",
    "HSLS": "Health & Safety Learning Series",
    "H&S": "Health & Safety Learning Series",
}
FOOTER_MARKERS = ("Our social site pages",)
CHROME = {"Skip to main content"}
_PAGER = re.compile(
    r"^(?:page\s+)?\d{1,3}$|^(?:[‹«›»]\s*)?(?:first|previous|prev|next|last)(?:\s+page)?(?:\s*[‹«›»])?$|^[‹«›»…]+$",
    re.IGNORECASE,
)
_NOTE = re.compile(r"^note\s*:\s*", re.IGNORECASE)
_PREREQ = re.compile(r"^pre-?requisites?\s*:\s*", re.IGNORECASE)
_INLINE_LABEL = re.compile(r"\s+(?=(?:NOTE|Note|Pre-?requisites?)\s*:)")
_EVENT_LINK = re.compile(r"/event/\d+")
_WORKSHOP_LINK = re.compile(r"/workshop/\d+")
_MAX_TITLE = 200
_ANY_YEAR = 2000  # to recognise a meeting line with no year ("Oct 25 (9:00am-4:00pm)"); a leap year


def find_links(content: str) -> list[str]:
    """Pages to fetch next from a page of this source: the listing's next pages and its event pages."""
    urls = list(next_page_urls(content))
    try:
        lines, is_html = page_lines(content, "")
    except ParseError:
        return urls
    if is_html:
        for line in lines:
            if line.href and _EVENT_LINK.search(line.href) and line.href not in urls:
                urls.append(line.href)
    return urls


def parse(content: str, url: str) -> SessionParseResult:
    lines, _ = page_lines(content, url)
    base = canonical_url(content) or url
    lines = _content_lines(lines)
    if any(l.kind == TEXT and is_header_line(l.text) for l in lines):
        return _parse_listing(lines, url, base)
    dated = [i for i, l in enumerate(lines) if _date_line(l, _ANY_YEAR) is not None]
    if dated:
        return _parse_event(lines, dated, url, base)
    raise ParseError(url, "no session found: expected header lines such as 'Dec 6, 2025 | Yorkton Area Office, "
                          "Yorkton, Saskatchewan | English' (events listing) or workshop sections with meeting "
                          "lines such as 'Oct 24, 2020 (9:00am-4:00pm) (25 spaces available)' (event page)")


def _content_lines(lines: list[Line]) -> list[Line]:
    out = []
    for line in lines:
        if line.kind == TEXT and line.text in FOOTER_MARKERS:
            break
        if line.kind == BLANK or (line.kind == TEXT and (line.text in CHROME or _PAGER.match(line.text))):
            continue
        out.append(line)
    return out


def _date_line(line: Line, default_year: int | None = None) -> DateLine | None:
    if line.kind not in (TEXT, HEADING) or "|" in line.text or not looks_like_date_line(line.text):
        return None
    try:
        return parse_date_line(line.text, default_year)
    except DateLineError:
        return None


def _is_title(line: Line) -> bool:
    return (line.kind == HEADING and line.level >= 2) or (line.kind == TEXT and line.href is not None
                                                         and len(line.text) <= _MAX_TITLE)


def _raw_text(lines: list[Line]) -> str:
    return "\n".join(("• " + l.text) if l.kind == BULLET else l.text for l in lines)


def _read_description(item: RawSession, lines: list[Line]) -> None:
    """Paragraphs, bullets, NOTE and Pre-requisite lines; inline "NOTE:" and "•" are split out."""
    for line in lines:
        if line.kind == BULLET:
            if line.text:
                item.bullets.append(line.text)
            continue
        if line.kind == HEADING and line.level <= 1:
            continue
        for chunk in _INLINE_LABEL.split(line.text):
            chunk = chunk.strip()
            if not chunk:
                continue
            if _NOTE.match(chunk):
                item.notes.append(_NOTE.sub("", chunk))
            elif _PREREQ.match(chunk):
                item.prerequisites = _PREREQ.sub("", chunk)
            else:
                head, *items = [p.strip() for p in chunk.split("•")]
                if head:
                    item.paragraphs.append(head)
                item.bullets.extend(p for p in items if p)


def _link_kind(item: RawSession, href: str | None, base: str) -> None:
    if not href:
        return
    full = urljoin(base, href)
    if _WORKSHOP_LINK.search(full):
        item.link = full
    elif _EVENT_LINK.search(full):
        item.event_url = full


def _parse_listing(lines: list[Line], url: str, base: str) -> SessionParseResult:
    starts = [i for i, l in enumerate(lines) if l.kind == TEXT and is_header_line(l.text)]
    result = SessionParseResult()
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        if n + 1 < len(starts) and end - 1 > start and _is_title(lines[end - 1]):
            end -= 1  # the next row's title
        title = lines[start - 1] if start > 0 and _is_title(lines[start - 1]) and (n == 0 or start - 1 > starts[n - 1]) else None
        block = lines[start:end]
        raw = _raw_text(([title] if title else []) + block)
        try:
            header = parse_header_line(lines[start].text)
        except HeaderError as exc:
            result.errors.append(BlockError(source_url=url, position=n, raw_text=raw,
                                            reason=f"row {n}: {exc.reason}"))
            continue
        item = RawSession(source_url=url, position=n, dates=[header.dates], place=header.place,
                          place_text=None, language=header.language, fee_affiliate=header.fees.affiliate,
                          fee_non_affiliate=header.fees.non_affiliate, page_kind="events listing", raw_text=raw)
        if title is not None:
            item.title = title.text
            _link_kind(item, title.href, base)
        _read_description(item, block[1:])
        if not item.paragraphs and not item.bullets:
            result.errors.append(BlockError(source_url=url, position=n, raw_text=raw,
                                            reason=f"row {n} ({lines[start].text!r}): expected the workshop's "
                                                   "description after the header line, found none"))
            continue
        result.sessions.append(item)
    return result


def _parse_event(lines: list[Line], dated: list[int], url: str, base: str) -> SessionParseResult:
    # Consecutive date lines form one group: the meetings of one workshop.
    groups: list[list[int]] = []
    for i in dated:
        if groups and groups[-1][-1] == i - 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    event_name = None
    event_year = None
    first = groups[0]
    if len(groups) > 1 and len(first) == 1:
        d = _date_line(lines[first[0]])
        if d is not None and d.spaces_available is None and all(
                m.start_time is None and m.end_time is None for m in d.meetings):
            # The event's own date range ("February 14 - 17, 2019"), under its name.
            groups = groups[1:]
            event_year = d.start_date.year
            k = first[0] - 1
            if k >= 0 and not _is_workshop_title_slot(lines, k):
                event_name = lines[k].text
    event_url = base if _EVENT_LINK.search(base) else None
    result = SessionParseResult()
    for n, group in enumerate(groups):
        t = group[0] - 1
        prev_end = groups[n - 1][-1] if n else (first[0] if event_year is not None else -1)
        title = lines[t] if t > prev_end and len(lines[t].text) <= _MAX_TITLE and lines[t].kind != BULLET else None
        end = len(lines)
        if n + 1 < len(groups):
            nt = groups[n + 1][0] - 1
            end = nt if nt > group[-1] else groups[n + 1][0]
        body = lines[group[-1] + 1:end]
        raw = _raw_text(([title] if title else []) + [lines[i] for i in group] + body)
        dates: list[DateLine] = []
        year = event_year
        for i in group:
            d = _date_line(lines[i], year)
            dates.append(d)
            year = d.end_date.year
        item = RawSession(source_url=url, position=n, dates=dates, event_url=event_url,
                          event_name=event_name, raw_text=raw)
        if title is not None:
            item.title = title.text
            _link_kind(item, title.href, base)
        _read_description(item, body)
        if item.title is None:
            result.errors.append(BlockError(source_url=url, position=n, raw_text=raw,
                                            reason=f"section {n} ({lines[group[0]].text!r}): expected the "
                                                   "workshop's title above its meeting lines, found none"))
            continue
        result.sessions.append(item)
    return result


def _is_workshop_title_slot(lines: list[Line], k: int) -> bool:
    """True where line k is no event name (a bullet, or a long sentence)."""
    return lines[k].kind == BULLET or len(lines[k].text) > _MAX_TITLE
