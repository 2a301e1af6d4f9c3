"""CUPE workshop catalogue (https://cupe.ca/mrm-union-education/workshops).

The block grammar, read off the page's lines (``parsers.lines``), whatever the markup:

* a block starts at a length line ("3 hours", "1 weeks", "Duration: 1 day"), or a
  length and its programme on one line ("3 hours | Steward Learning Series");
* an optional title just above it: a heading (h2-h6) or a line that is one link
  (text captures drop titles);
* optional programme line(s) right after the length. A line may name several
  programmes ("Online Learning Series, Bargaining Program"): delivery modes
  ("Online Learning Series", "(OLS)") go to ``delivery_mode``, the rest to
  ``programmes`` (``series`` is the first);
* the description: paragraphs, bullets, "NOTE: ..." and requirement lines.

A heading that names a programme (not right after a length line) sets the programme
for the blocks below it, until a heading of its level or above names something else.
A text capture's footer is found by structure: the run of short lines after a blank
line at the end of the last block. Every length line gives a listing or a block error.

The source also reads each workshop's own page (``/mrm-union-education/workshop/<n>``, the
catalogue's title links; ``find_links``): ``parse_page`` tells the two apart and hands a
workshop page to ``parsers.cupe_workshop_page``.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from urllib.parse import urljoin

from normalise.duration import Duration, parse_duration
from parsers.errors import ParseError
from parsers.lines import (BLANK, BULLET, HEADING, TEXT, Line, _safe, canonical_url, looks_like_html,
                           next_page_urls, page_lines)
from schema.batch import paused_gc
from schema.models import BlockError, ParseResult, RawListing

PROGRAMMES = {
    "Bargaining Program",
    "Steward Learning Series",
    "Local Executive Training",
    "Health & Safety Learning Series",
}
# Names of a delivery mode that the catalogue writes where a programme goes.
DELIVERY_MODES = {
    "online learning series": "online",
    "ols": "online",
    "online": "online",
    "virtual": "online",
    "in-person": "in_person",
    "in person": "in_person",
    "classroom": "in_person",
    "face-to-face": "in_person",
}
# Title prefixes seen on cupe.ca ("SLS - Notetaking", "BARG – Strike Preparation (OLS)").
PROGRAMME_PREFIXES = {
    "SLS": "Steward Learning Series",
    "BARG": "Bargaining Program",
    "LET": "Local Executive Training",
    "HSLS": "Health & Safety Learning Series",
    "H&S": "Health & Safety Learning Series",
}
_LABEL = re.compile(r"^(?:duration|length)\s*:\s*", re.IGNORECASE)
_PROG_LABEL = re.compile(r"^(?:programs?|programmes?|series)\s*:\s*", re.IGNORECASE)
# A field label alone on its line (a CMS's "Duration" above "3 hours"): no content.
_BARE_LABEL = re.compile(r"^(?:duration|length|programs?|programmes?|series|description|body)\s*:?$", re.IGNORECASE)
_NOTE = re.compile(r"^note\s*:", re.IGNORECASE)
_PREREQ = re.compile(r"^pre-?requisites?\s*:\s*", re.IGNORECASE)
_SHOUT = re.compile(r"^[A-Z]{2,}(?:[\s-]+[A-Z]{2,})+\b")  # "LAPTOP REQUIRED-if possible."
_SPLIT = re.compile(r"\s*[,;|/]\s*")
_TRAILING_MODE = re.compile(r"\s*(\((?:OLS|online|in[- ]person)\))\s*$", re.IGNORECASE)
_SMALL = {"&", "and", "of", "the", "for", "in", "on"}
_MAX_FOOTER_LINE = 60
# A workshop's own page, linked from its catalogue block's title.
_WORKSHOP_LINK = re.compile(r"^(?:https?://(?:www\.)?cupe\.ca)?/mrm-union-education/workshop/\d+/?$")


def find_links(content: str) -> list[str]:
    """Pages to fetch next from a page of this source: the catalogue's next pages, and the workshop
    pages its titles link to (``/mrm-union-education/workshop/<n>``, relative or on cupe.ca: the
    fetcher's allowed hosts would refuse any other host, failing the source)."""
    urls = list(next_page_urls(content))
    if not looks_like_html(content) or not _safe(content):
        return urls
    from selectolax.lexbor import LexborHTMLParser

    for node in LexborHTMLParser(content).css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if _WORKSHOP_LINK.match(href.split("#")[0]) and href not in urls:
            urls.append(href)
    return urls


def parse_page(content: str, url: str):
    """Any page of this source: the catalogue (a ParseResult) or a workshop's own page (a
    schema.workshop_pages.WorkshopPageResult, whose unreadable page is a block error naming it)."""
    from parsers import cupe_workshop_page
    from schema.workshop_pages import WorkshopPageResult

    if not cupe_workshop_page.is_workshop_page(content, url):
        return parse(content, url)
    try:
        return cupe_workshop_page.parse(content, url)
    except ParseError as exc:
        return WorkshopPageResult(page=None, errors=[BlockError(
            source_url=url, position=0, raw_text=content[:2000],
            reason=f"workshop page {url}, block 'page': {exc.reason}")])


def _length_of(line: Line) -> tuple[Duration, str | None] | None:
    """The length a line states, where the line is nothing but a length ("3 hours"), or a
    length and a programme ("3 hours | Steward Learning Series"); with the programme text."""
    text = line.text
    if len(text) > 40 and (len(text) > 120 or "|" not in text[:41]):  # most lines stop here, cheaply
        return None
    if line.kind not in (TEXT, HEADING):
        return None
    return _length_of_text(text)


@lru_cache(maxsize=4096)
def _length_of_text(text: str) -> tuple[Duration, str | None] | None:
    """``_length_of`` past its cheap rejects: a page repeats its length lines, so each distinct
    one is read once (the result is immutable)."""
    if text[:1] in "DdLl":
        text = _LABEL.sub("", text)
    rest = None
    if "|" in text:
        text, _, rest = text.partition("|")
        rest = rest.strip() or None
    if len(text) > 40:
        return None
    d = parse_duration(text.strip())
    if d is None:
        return None
    return d, rest


def _looks_like_programme(name: str) -> bool:
    if name in PROGRAMMES:
        return True
    # An unknown programme looks like one: a short Title Case name, no sentence punctuation.
    words = name.split()
    return (
        1 < len(words) <= 6
        and name[-1] not in ".:;!?,"
        and all(w[0].isupper() or w in _SMALL for w in words)
        and any(w in ("Program", "Programme", "Series", "Training") for w in words)
    )


def programmes_of(text: str) -> tuple[list[str], str | None] | None:
    """The programmes and delivery mode a line names, or None where it is no programme line.

    "Online Learning Series, Bargaining Program" -> (["Bargaining Program"], "online")."""
    if not text or len(text) > 160 or text[-1] in ".:!?":
        return None
    got = _programmes_of(text)
    return None if got is None else (list(got[0]), got[1])


@lru_cache(maxsize=4096)
def _programmes_of(text: str) -> tuple[tuple[str, ...], str | None] | None:
    """``programmes_of`` past its cheap rejects, read once per distinct line (pages repeat
    their programme lines); immutable, so the cache cannot be changed by a caller."""
    text = _PROG_LABEL.sub("", text) if text[:1] in "PpSs" else text
    programmes: list[str] = []
    mode = None
    for part in _SPLIT.split(text):
        if not part:
            continue
        m = _TRAILING_MODE.search(part)
        if m and m.start() > 0:
            mode = mode or _mode(m[1])
            part = part[: m.start()]
        if _mode(part):
            mode = mode or _mode(part)
        elif _looks_like_programme(part):
            programmes.append(part)
        else:
            return None
    if not programmes and mode is None:
        return None
    return tuple(programmes), mode


def _mode(text: str) -> str | None:
    return DELIVERY_MODES.get(text.strip("() ").lower())


def _bare_label(line: Line) -> bool:
    return len(line.text) <= 14 and line.kind in (TEXT, HEADING) and _BARE_LABEL.match(line.text) is not None


def _is_title(line: Line, section_level: int = 0) -> bool:
    return (line.kind == HEADING and line.level >= 2 and line.level > section_level) or (
        line.kind == TEXT and line.href is not None)


def _footer_start(lines: list[Line], after: int) -> int:
    """Where a text capture's footer begins: the run of short, non-sentence lines after a
    blank line at the end of the page (after line `after`); len(lines) where there is none."""
    k = len(lines)
    while k - 1 > after:
        line = lines[k - 1]
        if line.kind == BLANK or (
            line.kind == TEXT and len(line.text) <= _MAX_FOOTER_LINE and line.text[-1] not in ".!?:;,)"
            and not _NOTE.match(line.text) and _length_of(line) is None
        ):
            k -= 1
        else:
            break
    for j in range(k, len(lines)):
        if lines[j].kind == BLANK:
            return j if any(l.kind != BLANK for l in lines[j:]) else len(lines)
    return len(lines)


def parse(content: str, url: str) -> ParseResult:
    """The page's listings and block errors (the cyclic GC paused: the grammar builds no cycles)."""
    with paused_gc():
        return _parse(content, url)


def _parse(content: str, url: str) -> ParseResult:
    lines, is_html = page_lines(content, url)
    base = (canonical_url(content, depth_checked=True) or url) if is_html else url  # page_lines checked it
    n = len(lines)
    starts: list[int] = []
    lengths: dict[int, tuple[Duration, str | None]] = {}
    section: dict[int, tuple[list[str], str | None]] = {}  # block start -> programme of its section
    current: tuple[list[str], str | None] | None = None
    # One pass reads what each line is (a length line, a bare field label, or neither) and
    # the level of the programme section headings: a heading at that level or above is a
    # section heading (it names the programme of the blocks below it, or ends the section),
    # not a title. It keeps the lines the second pass needs: lengths and headings, each with
    # whether the line before it (bare labels and blank lines aside) was a length line.
    section_level = 0
    after_length = False
    marks: list[tuple[int, tuple[Duration, str | None] | None, bool]] = []
    length_of, bare = _length_of_text, _BARE_LABEL.match
    for i, l in enumerate(lines):
        kind = l.kind
        got = None
        if kind == TEXT or kind == HEADING:
            text = l.text
            size = len(text)
            if size <= 40 or (size <= 120 and "|" in text[:41]):  # else too long for a length line
                if size <= 14 and bare(text) is not None:
                    continue  # a bare field label
                got = length_of(text)
        elif kind == BLANK:
            continue
        if kind == HEADING:
            if not after_length and programmes_of(l.text) is not None:
                section_level = max(section_level, l.level)
            marks.append((i, got, after_length))
        elif got is not None:
            marks.append((i, got, after_length))
        after_length = got is not None
    heads: list[int] = []  # section headings: each ends the block above it
    for i, got, after in marks:
        if got is not None:
            starts.append(i)
            lengths[i] = got
            if current is not None:
                section[i] = current
            continue
        line = lines[i]  # a heading
        if not after and line.level <= section_level:
            current = programmes_of(line.text)
            heads.append(i)
    result = ParseResult(blocks_seen=len(starts))
    if not is_html and starts:
        n = _footer_start(lines, starts[-1] + 1)
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else n
        h = bisect_right(heads, start)
        if h < len(heads) and heads[h] < end:
            end = heads[h]
        # The next block's title belongs to the next block.
        if k + 1 < len(starts):
            j = end - 1
            while j > start and lines[j].kind == BLANK:
                j -= 1
            if j > start and _is_title(lines[j], section_level):
                end = j
        title_line = None
        j = start - 1
        while j >= 0 and lines[j].kind == BLANK:
            j -= 1
        if j >= 0 and (k == 0 or j > starts[k - 1]) and _is_title(lines[j], section_level) and programmes_of(lines[j].text) is None:
            title_line = lines[j]
        item = _read_block(lines[start:end], lengths[start], section.get(start), url=url, base=base,
                           position=k, title_line=title_line)
        if isinstance(item, BlockError):
            result.errors.append(item)
        else:
            result.listings.append(item)
    return result


def _read_block(block: list[Line], length: tuple[Duration, str | None], section, *, url: str, base: str,
                position: int, title_line: Line | None):
    duration, inline_programme = length
    item = RawListing(source_url=url, position=position, duration_text=duration.text, duration=duration)
    if title_line is not None:
        item.title = title_line.text
        item.link = urljoin(base, title_line.href) if title_line.href else None
    progs = programmes_of(inline_programme) if inline_programme else None
    rest = block[1:]
    k = 0
    # Programme lines (and bare field labels) right after the length.
    while k < len(rest):
        line = rest[k]
        if line.kind == BLANK or _bare_label(line):
            k += 1
            continue
        if line.kind in (TEXT, HEADING):
            more = programmes_of(line.text)
            if more is not None:
                progs = (progs[0] + more[0], progs[1] or more[1]) if progs else more
                k += 1
                continue
        break
    rest = rest[k:]
    if progs is None:
        progs = section
    if progs is not None:
        item.programmes = list(progs[0])
        item.series = progs[0][0] if progs[0] else None
        item.delivery_mode = progs[1]
    for line in rest:
        kind = line.kind
        if kind == BLANK:
            continue
        if kind == BULLET:
            if line.text:
                item.bullets.append(line.text)
            continue
        text = line.text
        if kind == HEADING and line.level <= 1:
            continue
        if len(text) <= 14 and _BARE_LABEL.match(text):
            continue
        # The first letters decide which label pattern is worth trying (most lines: none).
        if text[:1] in "Nn" and _NOTE.match(text):
            item.notes.append(text)
        elif text[:1] in "Pp" and _PREREQ.match(text):
            item.prerequisites = _PREREQ.sub("", text)
        elif text[:2].isupper() and _SHOUT.match(text):
            item.notes.append(text)
        else:
            item.paragraphs.append(text)
    if not item.paragraphs and not item.bullets:
        return BlockError(
            source_url=url,
            position=position,
            raw_text="\n".join(("• " + l.text) if l.kind == BULLET else l.text for l in block if l.kind != BLANK),
            reason=f"block at position {position} ({duration.text!r}): expected a description "
            "(paragraphs or bullets) after the length and programme lines, found none",
        )
    return item
