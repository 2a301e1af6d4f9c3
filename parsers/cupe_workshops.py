"""CUPE workshop catalogue (https://cupe.ca/mrm-union-education/workshops).

A block is: an optional title (a heading or a lone link, dropped by text
captures), a length line ("3 hours", "1 week"), an optional programme line
("Steward Learning Series"), then the description: paragraphs, bullet lists and
"NOTE: ..." paragraphs. Blocks are found by that structure, not by CSS classes.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin

from normalise.duration import Duration, parse_duration
from parsers.lines import BLANK, BULLET, HEADING, TEXT, Line, canonical_url, page_lines
from schema.models import BlockError, ParseResult, RawListing

PROGRAMMES = {
    "Bargaining Program",
    "Steward Learning Series",
    "Local Executive Training",
    "Health & Safety Learning Series",
}
# Title prefixes seen on cupe.ca ("SLS - Notetaking", "BARG – Strike Preparation (OLS)").
PROGRAMME_PREFIXES = {
    "SLS": "Steward Learning Series",
    "BARG": "Bargaining Program",
    "LET": "Local Executive Training",
    "HSLS": "Health & Safety Learning Series",
    "H&S": "Health & Safety Learning Series",
}
# Text after which nothing is a workshop (footer of the visible-text capture).
FOOTER_MARKERS = ("Our social site pages",)
_LABEL = re.compile(r"^(?:duration|length)\s*:\s*", re.IGNORECASE)
_NOTE = re.compile(r"^note\s*:", re.IGNORECASE)
_PREREQ = re.compile(r"^pre-?requisites?\s*:\s*", re.IGNORECASE)
_SHOUT = re.compile(r"^[A-Z]{2,}(?:[\s-]+[A-Z]{2,})+\b")  # "LAPTOP REQUIRED-if possible."
_SMALL = {"&", "and", "of", "the", "for", "in", "on"}


def _duration_of(line: Line) -> Duration | None:
    """The length a line states, where the line is nothing but a length ("3 hours")."""
    if line.kind != TEXT or len(line.text) > 40:
        return None
    text = line.text
    return parse_duration(_LABEL.sub("", text) if text[:1] in "DdLl" else text)


def _is_programme(line: Line) -> bool:
    if line.kind != TEXT:
        return False
    if line.text in PROGRAMMES:
        return True
    # An unknown programme looks like one: a short Title Case name, no sentence punctuation.
    words = line.text.split()
    return (
        1 < len(words) <= 6
        and line.text[-1] not in ".:;!?,"
        and all(w[0].isupper() or w in _SMALL for w in words)
        and any(w in ("Program", "Programme", "Series", "Training") for w in words)
    )


def _is_title(line: Line) -> bool:
    return (line.kind == HEADING and line.level >= 2) or (line.kind == TEXT and line.href is not None)


def parse(content: str, url: str) -> ParseResult:
    lines, _ = page_lines(content, url)
    base = canonical_url(content) or url
    # Cut the footer of a text capture.
    for i, line in enumerate(lines):
        if line.kind == TEXT and line.text in FOOTER_MARKERS:
            lines = lines[:i]
            break
    durations = {i: d for i, line in enumerate(lines) if (d := _duration_of(line))}
    starts = list(durations)
    result = ParseResult()
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        # The next block's title belongs to the next block.
        if n + 1 < len(starts):
            j = end - 1
            while j > start and lines[j].kind == BLANK:
                j -= 1
            if j > start and _is_title(lines[j]):
                end = j
        title_line = None
        j = start - 1
        while j >= 0 and lines[j].kind == BLANK:
            j -= 1
        if j >= 0 and _is_title(lines[j]) and (n == 0 or j > starts[n - 1]):
            title_line = lines[j]
        block = lines[start:end]
        result_item = _read_block(block, durations[start], url=url, base=base, position=n, title_line=title_line)
        if isinstance(result_item, BlockError):
            result.errors.append(result_item)
        else:
            result.listings.append(result_item)
    return result


def _read_block(block: list[Line], duration: Duration, *, url: str, base: str, position: int, title_line: Line | None):
    item = RawListing(source_url=url, position=position, duration_text=duration.text, duration=duration)
    if title_line is not None:
        item.title = title_line.text
        item.link = urljoin(base, title_line.href) if title_line.href else None
    rest = block[1:]
    first = next((k for k, l in enumerate(rest) if l.kind != BLANK), None)
    if first is not None and _is_programme(rest[first]):
        item.series = rest[first].text
        rest = rest[first + 1:]
    for line in rest:
        if line.kind == BLANK:
            continue
        if line.kind == BULLET:
            if line.text:
                item.bullets.append(line.text)
        elif line.kind == HEADING and line.level <= 1:
            continue
        else:
            # The first letters decide which label pattern is worth trying (most lines: none).
            text = line.text
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
