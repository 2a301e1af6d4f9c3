"""AUPE course descriptions (https://aupe.org/training/courses), and the older pages of
the kind (labour school course descriptions).

A course starts at a title: a heading or a bold line at the level the page gives its
courses (the level of the titles followed by a label or a length), or any short line
followed by a label or by the course's length (text captures). Its body is labelled
paragraphs, in any order; a label may be alone on its line (``<h4>Description:</h4>``)
or open a paragraph, in any case, the colon optional when it is alone:

* "Description", "Course Description"; unlabelled paragraphs right after the title are
  the description too, and a paragraph after a description continues it;
* "Note(s)"; "Comments from previous students" (kept, labelled, in notes);
* "This course is for", "Who should attend"; "This course is for members who want to:"
  followed by a list;
* "Prerequisite(s)", "Pre-requisite(s)", "Requirements";
* "This course utilizes:" (and the older page's "This courses utilizes:") + a list;
* "Learning outcomes" + a list; "In this course, we will cover:" + a list;
* "Registration", "Course Time": kept with their labels in ``schedule_notes``;
* "Length", "Duration", or a length line ("1 day") under the title.

The heading's "(2 days)" and "- Currently not available" are read by ``normalise``.
Every course title gives a listing or a block error (``blocks_seen`` counts them).
"""
from __future__ import annotations

import re
from collections import Counter

from normalise.duration import parse_duration
from parsers.lines import BLANK, BULLET, HEADING, TEXT, Line, page_lines
from schema.batch import paused_gc
from schema.models import BlockError, ParseResult, RawListing

# label (lower case, without colon) -> field it fills
LABELS = {
    "description": "description",
    "course description": "description",
    "note": "notes",
    "notes": "notes",
    "comments from previous students": "comments",
    "this course is for": "audience",
    "who should attend": "audience",
    "this course is for members who want to": "audience_list",
    "prerequisites": "prerequisites",
    "prerequisite": "prerequisites",
    "pre-requisites": "prerequisites",
    "pre-requisite": "prerequisites",
    "requirements": "prerequisites",
    "requirement": "prerequisites",
    "this course utilizes": "methods",
    "this courses utilizes": "methods",
    "this course utilises": "methods",
    "learning outcomes": "learning_outcomes",
    "learning outcome": "learning_outcomes",
    "in this course, we will cover": "learning_outcomes",
    "in this course we will cover": "learning_outcomes",
    "registration": "schedule",
    "course time": "schedule",
    "length": "length",
    "duration": "length",
}
_NAMES = "|".join(re.escape(k) for k in sorted(LABELS, key=len, reverse=True))
_LABEL_RE = re.compile(rf"^({_NAMES})\s*(?::\s*(.*)|:?\s*$)", re.IGNORECASE | re.DOTALL)
_FIRST = frozenset(k[0] for k in LABELS) | frozenset(k[0].upper() for k in LABELS)
_TEXT_FIELDS = ("audience", "prerequisites")
_LIST_FIELDS = ("methods", "learning_outcomes", "audience_list")
_MAX_TITLE = 150
_BOLD_LEVEL = 7  # a bold line as a title: below every heading
PROGRAMME_PREFIXES: dict[str, str] = {}


def _label(line: Line) -> tuple[str, str, str] | None:
    """(field, label as written, the text after it) where the line opens with a label."""
    if line.kind == BLANK or not line.text or line.text[0] not in _FIRST:
        return None
    m = _LABEL_RE.match(line.text)
    if not m:
        return None
    return LABELS[m[1].lower()], m[1], (m[2] or "").strip()


def _is_length(line: Line) -> bool:
    return line.kind in (TEXT, HEADING) and parse_duration(line.text) is not None


def _level(line: Line) -> int:
    if line.kind == HEADING:
        return line.level
    if line.kind == TEXT and line.bold and len(line.text) <= _MAX_TITLE:
        return _BOLD_LEVEL
    return 0


def _could_be_title(line: Line) -> bool:
    return (line.kind in (TEXT, HEADING) and len(line.text) <= _MAX_TITLE
            and line.text[-1] not in ".:;,!?" and not _is_length(line))


def parse(content: str, url: str) -> ParseResult:
    """The page's listings and block errors (the cyclic GC paused: the grammar builds no cycles)."""
    with paused_gc():
        return _parse(content, url)


def _parse(content: str, url: str) -> ParseResult:
    lines, _ = page_lines(content, url)
    lines = [l for l in lines if l.kind != BLANK]
    labels = [_label(l) for l in lines]
    n = len(lines)

    def announces_course(k: int) -> bool:  # the next line is a label or a length
        return k + 1 < n and (labels[k + 1] is not None or _is_length(lines[k + 1]))

    # The level at which the page titles its courses: that of most titles followed by a label.
    levels = Counter(_level(l) for k, l in enumerate(lines)
                     if labels[k] is None and _level(l) >= 2 and announces_course(k))
    course_level = levels.most_common(1)[0][0] if levels else 0
    result = ParseResult()
    course: _Course | None = None

    def close() -> None:
        nonlocal course
        if course is not None:
            item = course.finish()
            (result.errors if isinstance(item, BlockError) else result.listings).append(item)
            course = None

    for k, line in enumerate(lines):
        lab = labels[k]
        level = _level(line) if lab is None else 0
        # A title: at the courses' level where the page has one; else (a text capture) a short
        # line announcing a label or a length, unless it is the value of a label alone above it.
        value_of_label = k > 0 and labels[k - 1] is not None and not labels[k - 1][2]
        starts = lab is None and line.kind != BULLET and _could_be_title(line) and (
            level == course_level if course_level else (announces_course(k) and not value_of_label))
        if starts:
            close()
            course = _Course(url, result.blocks_seen, line)
            result.blocks_seen += 1
            continue
        if lab is None and line.kind == HEADING and course_level and line.level < course_level:
            close()  # a section heading above the courses' level ends the course
            continue
        if course is not None:
            course.add(line, lab)
    close()
    return result


class _Course:
    """One course being read: its title line, then its body line by line."""

    def __init__(self, url: str, position: int, title: Line) -> None:
        self.item = RawListing(source_url=url, position=position, title=title.text, link=title.href)
        self.raw = [title.text]
        self.field: str | None = None  # the label the body is under
        self.filled = False  # the current text field has its text
        self.title_only = True  # nothing read yet
        self.audience_list: list[str] = []

    def add(self, line: Line, lab: tuple[str, str, str] | None) -> None:
        item = self.item
        self.raw.append(("• " + line.text) if line.kind == BULLET else line.text)
        self.title_only = False
        if lab is not None:
            field, written, rest = lab
            self.field, self.filled = field, False
            if field == "schedule":
                name = "Registration" if written.lower() == "registration" else "Course Time"
                item.schedule_notes.append(f"{name}: {rest}" if rest else f"{name}:")
                self.filled = bool(rest)
            elif field == "audience_list":
                if rest:
                    self.audience_list.append(rest)
            elif rest:
                self._put(field, rest)
            return
        text = line.text
        if line.kind == BULLET:
            if not text:
                return
            if self.field in _LIST_FIELDS:
                (self.audience_list if self.field == "audience_list" else getattr(item, self.field)).append(text)
            else:
                item.bullets.append(text)
            return
        if self.field is None and not item.paragraphs and _is_length(line) and item.duration_text is None:
            d = parse_duration(line.text)
            item.duration_text, item.duration = line.text, d
            return
        field = self.field
        if field == "schedule" and not self.filled:
            item.schedule_notes[-1] = f"{item.schedule_notes[-1]} {text}"
            self.filled = True
        elif field in _TEXT_FIELDS and not self.filled:
            self._put(field, text)
        elif field in ("notes", "comments"):
            self._put(field, text)
        elif field == "length" and not self.filled:
            self._put(field, text)
        elif field in _LIST_FIELDS and not self._list(field):
            (self.audience_list if field == "audience_list" else getattr(item, field)).append(text)
        else:  # unlabelled: the description (or its next paragraph)
            self.field = "description"
            item.paragraphs.append(text)

    def _list(self, field: str) -> list[str]:
        return self.audience_list if field == "audience_list" else getattr(self.item, field)

    def _put(self, field: str, text: str) -> None:
        item = self.item
        self.filled = True
        if field == "description":
            item.paragraphs.append(text)
        elif field == "notes":
            item.notes.append(text)
        elif field == "comments":
            item.notes.append(f"Comments from previous students: {text}")
            self.field = "notes"
        elif field in _LIST_FIELDS:
            self._list(field).append(text)
        elif field == "length":
            d = parse_duration(text)
            if d is not None:
                item.duration_text, item.duration = text, d
            else:
                item.notes.append(f"Length: {text}")
        else:  # audience, prerequisites: a text field
            old = getattr(item, field)
            setattr(item, field, f"{old} {text}" if old else text)

    def finish(self) -> RawListing | BlockError:
        item = self.item
        item.raw_text = "\n".join(self.raw)
        if self.audience_list:
            wants = "members who want to: " + "; ".join(self.audience_list)
            item.audience = f"{item.audience} {wants}" if item.audience else wants
        if not (item.paragraphs or item.bullets or item.learning_outcomes):
            return BlockError(
                source_url=item.source_url, position=item.position, raw_text=item.raw_text,
                reason=f"course {item.title!r}: expected a description (a 'Description:' paragraph or "
                       "unlabelled paragraphs under the title), found none",
            )
        return item
