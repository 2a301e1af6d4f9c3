"""AUPE course descriptions (https://aupe.org/training/courses).

One section per course: a heading that carries the length and availability
("Labour History: ... (2 days) - Currently not available"), then labelled
paragraphs ("Description:", "Note:", "This course is for:", "Prerequisites:",
"This course utilizes:" + bullets, "Learning outcomes:" + bullets). The older
page's labels ("Registration:", "Course Time:", "Requirements:") are read too.
A course is a title line followed by labelled paragraphs; a heading with no
labels under it (the page title, an intro) is not a course.
"""
from __future__ import annotations

import re

from parsers.lines import BLANK, BULLET, HEADING, TEXT, Line, page_lines
from schema.models import BlockError, ParseResult, RawListing

# label (lower case, without colon) -> field it fills
LABELS = {
    "description": "description",
    "note": "notes",
    "notes": "notes",
    "this course is for": "audience",
    "who should attend": "audience",
    "prerequisites": "prerequisites",
    "prerequisite": "prerequisites",
    "pre-requisites": "prerequisites",
    "requirements": "prerequisites",
    "this course utilizes": "methods",
    "learning outcomes": "learning_outcomes",
    "registration": "notes",
    "course time": "notes",
}
_LABEL_RE = re.compile(
    r"^(" + "|".join(re.escape(k) for k in sorted(LABELS, key=len, reverse=True)) + r")\s*:\s*(.*)$",
    re.IGNORECASE,
)
PROGRAMME_PREFIXES: dict[str, str] = {}


def _label(line: Line) -> tuple[str, str, str] | None:
    if line.kind not in (TEXT, HEADING):
        return None
    m = _LABEL_RE.match(line.text)
    if not m:
        return None
    return LABELS[m[1].lower()], m[1], m[2].strip()


def parse(content: str, url: str) -> ParseResult:
    lines, _ = page_lines(content, url)
    nonblank = [l for l in lines if l.kind != BLANK]
    result = ParseResult()
    current: RawListing | None = None
    field: str | None = None
    raw: list[str] = []

    def close() -> None:
        nonlocal current
        if current is None:
            return
        current.raw_text = "\n".join(raw)
        if not (current.paragraphs or current.bullets or current.learning_outcomes):
            result.errors.append(BlockError(
                source_url=url, position=current.position, raw_text=current.raw_text,
                reason=f"course {current.title!r}: expected a 'Description:' paragraph under the heading, found none",
            ))
        else:
            result.listings.append(current)
        current = None

    for k, line in enumerate(nonblank):
        lab = _label(line)
        following = _label(nonblank[k + 1]) if k + 1 < len(nonblank) else None
        if lab is None and line.kind != BULLET and following is not None:
            # A title line: the next line is a label.
            close()
            position = len(result.listings) + len(result.errors)
            current = RawListing(source_url=url, position=position, title=line.text, link=line.href)
            field, raw = None, [line.text]
            continue
        if current is None:
            continue
        if lab is None and line.kind == HEADING:
            close()  # a heading with no labels under it ends the course
            continue
        raw.append(("• " + line.text) if line.kind == BULLET else line.text)
        if lab is not None:
            field, _, rest = lab
            if rest:
                _add(current, field, rest)
        elif line.kind == BULLET:
            if not line.text:
                continue
            if field in ("methods", "learning_outcomes"):
                getattr(current, field).append(line.text)
            else:
                current.bullets.append(line.text)
        elif field is not None:
            _add(current, field, line.text)
    close()
    return result


def _add(item: RawListing, field: str, text: str) -> None:
    if field == "description":
        item.paragraphs.append(text)
    elif field == "notes":
        item.notes.append(text)
    elif field in ("methods", "learning_outcomes"):
        getattr(item, field).append(text)
    else:  # audience, prerequisites: a text field, continued paragraphs joined
        old = getattr(item, field)
        setattr(item, field, f"{old} {text}" if old else text)
