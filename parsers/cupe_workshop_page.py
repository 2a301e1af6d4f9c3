"""A CUPE workshop's own page (https://cupe.ca/mrm-union-education/workshop/<n>).

The grammar, read off the page's lines (``parsers.lines``), whatever the markup:

* an optional title: a heading (or a bold line) before everything else; a text capture
  drops it;
* the description: paragraphs, bullets, "NOTE: ..." lines, before the length line (the
  order of the page) or between the field lines and the first session (the catalogue's);
* the length line ("6 hours", "Duration: 1 day", "6 hours | Local Executive Training"),
  then, in any order, programme lines ("Local Executive Training") and a languages line
  ("English and French", "Language: French");
* the upcoming sessions: a date line ("March 23 - 24, 2026") over a location line ("CUPE
  Maritime Regional Office (MRO), Fredericton, New Brunswick"), read by the same date and
  place grammars as the events pages.

Bare field labels ("Length", "Language(s)", "Upcoming sessions") are skipped. A page with
no length line is no workshop page (ParseError); a page with no description, or a session
whose date or location cannot be read, gives a block error naming the page, the block and
what was expected.
"""
from __future__ import annotations

import re
from itertools import islice
from urllib.parse import urljoin, urlsplit

from normalise.session_dates import DateLine, DateLineError, looks_like_date_line, parse_date_line
from normalise.session_place import LANGUAGES, parse_place
from parsers.cupe_workshops import _length_of, programmes_of
from parsers.errors import ParseError
from parsers.lines import BLANK, BULLET, HEADING, TEXT, Line, canonical_url, page_lines
from schema.models import BlockError
from schema.sessions import RawSession
from schema.workshop_pages import WorkshopPage, WorkshopPageResult

WORKSHOP_PATH = re.compile(r"/mrm-union-education/workshop/(\d+)/?$")
CHROME = {"Skip to main content"}
FOOTER_MARKERS = ("Our social site pages",)
_BARE_LABEL = re.compile(
    r"^(?:duration|length|programs?|programmes?|series|description|body|languages?|langues?|"
    r"(?:upcoming\s+)?(?:sessions?|dates|events|offerings)|sessions?\s+à\s+venir)\s*:?$", re.IGNORECASE)
_LANG_LABEL = re.compile(r"^(?:languages?|langues?)\s*:\s*", re.IGNORECASE)
_LANG_SPLIT = re.compile(r"\s*(?:,|/|&|\band\b|\bet\b|\bor\b)\s*", re.IGNORECASE)
_NOTE = re.compile(r"^note\s*:", re.IGNORECASE)
_SHOUT = re.compile(r"^[A-Z]{2,}(?:[\s-]+[A-Z]{2,})+\b")  # "LAPTOP REQUIRED-if possible."
_LENGTH_WORDS = re.compile(r"\b\d+\s+(?:hours?|days?|weeks?)\b", re.IGNORECASE)
_MAX_TITLE = 200
_EXAMPLE_PLACE = "'CUPE Maritime Regional Office (MRO), Fredericton, New Brunswick'"


def workshop_number(url: str | None) -> int | None:
    """The <n> of a URL /mrm-union-education/workshop/<n>; None for any other URL."""
    if not url:
        return None
    m = WORKSHOP_PATH.search(urlsplit(url).path)
    return int(m[1]) if m else None


def languages_of(text: str) -> list[str] | None:
    """'English and French' -> ['English', 'French']; None where the line names anything else."""
    if not text or len(text) > 60:
        return None
    t = _LANG_LABEL.sub("", text).strip().rstrip(".")
    whole = LANGUAGES.get(t.lower())
    if whole == "English and French":
        return ["English", "French"]
    out: list[str] = []
    for part in _LANG_SPLIT.split(t):
        if not part:
            continue
        name = LANGUAGES.get(part.lower())
        if name not in ("English", "French"):
            return None
        if name not in out:
            out.append(name)
    return out or None


def is_workshop_page(content: str, url: str) -> bool:
    """True where the page is a workshop's own page, not the catalogue: by its URL or canonical
    link where either is /workshop/<n>; else by structure (one length line, then a languages
    line or a session's date line below it)."""
    if workshop_number(url) is not None:
        return True
    head = content[:65536]
    # The canonical link is read (an HTML parse of the head) only where it can name a workshop page.
    if _canonical_tag_names_a_workshop(head) and workshop_number(canonical_url(content)) is not None:
        return True
    if next(islice(_LENGTH_WORDS.finditer(content), 3, None), None) is not None:
        return False  # four or more lengths: the catalogue's many blocks
    if "canonical" in head and canonical_url(content) is not None:
        return False  # the page names itself, and not as a workshop page
    try:
        lines, _ = page_lines(content, url)
    except ParseError:
        return False
    lines = _content_lines(lines)
    at = [i for i, l in enumerate(lines) if _length_of(l) is not None]
    if len(at) != 1:
        return False
    for line in lines[at[0] + 1:at[0] + 6]:
        if languages_of(line.text) is not None or _date_line(line) is not None:
            return True
    return False


def _canonical_tag_names_a_workshop(head: str) -> bool:
    """Cheap: does a tag that says 'canonical' hold '/workshop/'? (Plain string search, no parse.)"""
    at = head.find("canonical")
    while at != -1:
        tag = head[head.rfind("<", 0, at) + 1: head.find(">", at)]
        if "/workshop/" in tag:
            return True
        at = head.find("canonical", at + 9)
    return False


def _content_lines(lines: list[Line]) -> list[Line]:
    out = []
    for line in lines:
        if line.kind == TEXT and line.text in FOOTER_MARKERS:
            break
        if line.kind == BLANK or (line.kind == TEXT and line.text in CHROME):
            continue
        out.append(line)
    return out


def _bare_label(line: Line) -> bool:
    return line.kind in (TEXT, HEADING) and len(line.text) <= 24 and _BARE_LABEL.match(line.text) is not None


def _date_line(line: Line) -> DateLine | None:
    if line.kind not in (TEXT, HEADING) or "|" in line.text or not looks_like_date_line(line.text):
        return None
    try:
        return parse_date_line(line.text)
    except DateLineError:
        return None


def _raw(lines: list[Line]) -> str:
    return "\n".join(("• " + l.text) if l.kind == BULLET else l.text for l in lines)


def parse(content: str, url: str) -> WorkshopPageResult:
    lines, is_html = page_lines(content, url)
    own = canonical_url(content) if is_html else None
    workshop_url = urljoin(url, own) if own else url
    body = _content_lines(lines)
    at = next((i for i, l in enumerate(body) if _length_of(l) is not None), None)
    if at is None:
        raise ParseError(url, "no length line: expected a workshop page with its description, a length such as "
                              "'6 hours', its programme ('Local Executive Training') and languages ('English and French')")
    page = WorkshopPage(source_url=url, workshop_url=workshop_url, workshop_number=workshop_number(workshop_url))
    head = body[:at]
    if head and (head[0].kind == HEADING or (head[0].kind == TEXT and head[0].bold)) \
            and len(head[0].text) <= _MAX_TITLE and programmes_of(head[0].text) is None \
            and not _bare_label(head[0]) and not _NOTE.match(head[0].text):
        page.title = head[0].text
        head = head[1:]
    duration, inline = _length_of(body[at])
    page.duration = duration
    progs = programmes_of(inline) if inline else None
    rest = body[at + 1:]
    k = 0
    while k < len(rest):  # the field lines below the length, in any order
        line = rest[k]
        if _bare_label(line):
            k += 1
            continue
        if line.kind in (TEXT, HEADING):
            more = programmes_of(line.text)
            if more is not None:
                progs = (progs[0] + more[0], progs[1] or more[1]) if progs else more
                k += 1
                continue
            langs = languages_of(line.text)
            if langs is not None:
                page.languages += [x for x in langs if x not in page.languages]
                k += 1
                continue
        break
    rest = rest[k:]
    if progs is not None:
        page.programmes, page.delivery_mode = list(progs[0]), progs[1]
    first_date = next((i for i, l in enumerate(rest) if _date_line(l) is not None), len(rest))
    _read_description(page, head + rest[:first_date])
    result = WorkshopPageResult(page=page)
    if not page.paragraphs and not page.bullets:
        result.page = None
        result.errors.append(BlockError(
            source_url=url, position=0, raw_text=_raw(body),
            reason=f"workshop page {workshop_url}, block 'workshop': expected a description (paragraphs or "
                   f"bullets) beside the length line {body[at].text!r}, found none"))
        return result
    _read_sessions(page, rest[first_date:], result)
    return result


def _read_description(page: WorkshopPage, lines: list[Line]) -> None:
    for line in lines:
        if line.kind == BULLET:
            if line.text:
                page.bullets.append(line.text)
            continue
        if _bare_label(line) or (line.kind == HEADING and line.level <= 1):
            continue
        text = line.text
        if _NOTE.match(text) or (text[:2].isupper() and _SHOUT.match(text)):
            page.notes.append(text)
        else:
            page.paragraphs.append(text)


def _read_sessions(page: WorkshopPage, lines: list[Line], result: WorkshopPageResult) -> None:
    """Date line over location line, session by session; what does not fit is a block error."""
    language = page.languages[0] if len(page.languages) == 1 else None
    notes = [_NOTE.sub("", n).strip() for n in page.notes]
    i, n = 0, 0
    while i < len(lines):
        line = lines[i]
        if _bare_label(line):
            i += 1
            continue
        block = [line]
        where = f"workshop page {page.workshop_url}, session {n}"
        d = _date_line(line)
        if d is None:
            reason = f"{where}: expected a date line such as 'March 23 - 24, 2026', found {line.text!r}"
            step = 1
            if looks_like_date_line(line.text):
                try:
                    parse_date_line(line.text)
                except DateLineError as exc:
                    reason = f"{where}: the date line {line.text!r} cannot be read: {exc.reason}"
                    if i + 1 < len(lines) and _date_line(lines[i + 1]) is None:
                        step = 2  # its location line goes with it
            result.errors.append(BlockError(source_url=page.source_url, position=n,
                                            raw_text=_raw(lines[i:i + step]), reason=reason))
            i, n = i + step, n + 1
            continue
        below = lines[i + 1] if i + 1 < len(lines) else None
        if below is None or below.kind == BULLET or _date_line(below) is not None or _bare_label(below):
            result.errors.append(BlockError(
                source_url=page.source_url, position=n, raw_text=line.text,
                reason=f"{where} ({line.text!r}): expected a location line such as {_EXAMPLE_PLACE} below the "
                       f"date line, found {('%r' % below.text) if below is not None else 'none'}"))
            i, n = i + 1, n + 1
            continue
        block.append(below)
        place = parse_place(below.text)
        if place.province is None and not place.online:
            result.errors.append(BlockError(
                source_url=page.source_url, position=n, raw_text=_raw(block),
                reason=f"{where} ({line.text!r}): expected a location line naming a province, such as "
                       f"{_EXAMPLE_PLACE}, found {below.text!r}"))
            i, n = i + 2, n + 1
            continue
        page.sessions.append(RawSession(
            source_url=page.source_url, position=n, dates=[d], title=page.title, link=page.workshop_url,
            place=place, place_text=below.text, language=language, paragraphs=list(page.paragraphs),
            bullets=list(page.bullets), notes=notes, page_kind="workshop page", raw_text=_raw(block)))
        i, n = i + 2, n + 1
