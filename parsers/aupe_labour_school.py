"""AUPE Labour School (https://aupe.org/training/labour-school and its older pages).

The page changes every year; it is read by structure, the same from HTML and from a text
capture, in every layout seen (shared/SITES.md):

* 2025: the school's name, theme, place and dates ("at Jasper Park Lodge from March 9 to
  13, 2025"), the application window ("Applications open July 8, 2024, and closes
  September 9, 2024"), how many course choices an applicant makes, then the courses: a
  title, an unlabelled description ("As a Union Steward, you will be ..."), "In this
  course, we will cover:" and a list (read as learning outcomes, as on the course page);
* 2023: a title, "Prerequisite: OH&S for Union Activists", a description, "This course is
  for members who want to:" and a list, "This course utilizes:" and a list;
* 2020: course names only, as a list, beside the school's dates and registration deadline:
  courses with a title and nothing else (no errors);
* the older ".../labour-school/course-descriptions-and-prerequisites/" page: a title,
  "Prerequisite:", sometimes an unlabelled paragraph, "Course Description:", "Learning
  Outcomes:" and a list, "This course is for:", "This courses utilizes:" (sic) and
  "Comments from previous students:" (kept as a note, never the audience).

A course title is a short line that is not a sentence, followed by a label, or by one or
two description paragraphs and then a label. What comes before the first course is the
school's header, where its facts are read. Courses get the programme "Labour School".
The parser returns a ``SchoolResult`` (``KIND = "school"``): listings, errors, the school.
"""
from __future__ import annotations

import re
from datetime import date

from parsers.aupe_courses import LABELS as AUPE_LABELS
from parsers.aupe_news import parse_date
from parsers.errors import ParseError
from parsers.lines import BLANK, BULLET, Line, page_lines
from schema.models import RawListing
from schema.schools import School, SchoolResult

KIND = "school"
SERIES = "Labour School"
PROGRAMME_PREFIXES: dict[str, str] = {}

# The AUPE label vocabulary is the course parser's (parsers/aupe_courses.py: "Course Description",
# "Prerequisite", "This courses utilizes", "In this course, we will cover", "Comments from previous
# students", ...), its fields named as this parser fills them; "comments" become a note.
_FIELDS = {"audience_list": "audience_want", "schedule": "notes", "length": "notes"}
LABELS = {label: _FIELDS.get(field, field) for label, field in AUPE_LABELS.items()}
_LABEL_RE = re.compile(
    r"^(" + "|".join(re.escape(k) for k in sorted(LABELS, key=len, reverse=True)) + r")\s*:\s*(.*)$", re.I)

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = rf"{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
_RANGE = re.compile(
    rf"(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:to|-|–|—|through|until)\s*"
    rf"(?:(?P<m2>{_MONTH})\.?\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})", re.I)
_VENUE = re.compile(r"\bat\s+(?:the\s+)?(?P<venue>[A-Z][\w'’&.-]*(?:\s+(?:[A-Z][\w'’&.-]*|of|the|and|&))*)")
_OPENS = re.compile(rf"\b(?:applications?|registration)\s+(?:will\s+)?opens?\s+(?:on\s+)?(?P<date>{_DATE})", re.I)
_CLOSES = re.compile(rf"\b(?:closes?|close on|deadline(?:\s+is|\s*:)?)\s+(?:on\s+)?(?P<date>{_DATE})", re.I)
_THEME_LABEL = re.compile(r"^(?:(?:this\s+year['’]s\s+)?theme)\s*:\s*[“\"]?(?P<theme>.+?)[”\"]?$", re.I)
_THEME_SENTENCE = re.compile(r"\btheme\b(?:\s+for\s+\d{4})?\s+is\s*:?\s*[“\"]?(?P<theme>[^”\"]+?)[”\"]?\.?$", re.I)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_CHOICES = re.compile(r"\b(?P<n>\d|one|two|three|four|five|six)\s+(?:course\s+)?(?:choices|courses\s+in\s+order)", re.I)
_SENTENCE_END = re.compile(r"[.!?][”\"’)]*$")
_MAX_TITLE = 90
_FOOTER = re.compile(r"^(?:©|copyright\b|related (?:articles|news|pages)$)", re.I)  # the page's content ends here
# Labels whose text is one paragraph written on the label's line ("Prerequisite: ..."):
# an unlabelled paragraph after one belongs to the description again.
_ONE_PARAGRAPH = {"prerequisites", "audience", "methods"}


def _label(line: Line) -> tuple[str, str, str] | None:
    if line.kind == BULLET:
        return None
    m = _LABEL_RE.match(line.text)
    return (LABELS[m[1].lower()], m[1], m[2].strip()) if m else None


def _is_paragraph(line: Line) -> bool:
    return line.kind != BULLET and _label(line) is None and (
        len(line.text) > _MAX_TITLE or bool(_SENTENCE_END.search(line.text)))


def _could_be_title(line: Line) -> bool:
    t = line.text
    return (line.kind != BULLET and 0 < len(t) <= _MAX_TITLE and _label(line) is None
            and not _SENTENCE_END.search(t) and not t.endswith(":") and t[:1].isupper()
            and parse_date(t) is None)


def _is_title(lines: list[Line], k: int) -> bool:
    """A title: a short non-sentence, then a label, or one or two paragraphs and then a label;
    never the text of a label written on the line before ("Prerequisite:" / "OH&S for ...")."""
    if not _could_be_title(lines[k]):
        return False
    if k > 0 and (prev := _label(lines[k - 1])) is not None and not prev[2]:
        return False
    for j in range(k + 1, min(k + 4, len(lines))):
        if _label(lines[j]) is not None:
            return True
        if not _is_paragraph(lines[j]):
            return False
    return False


def _date(text: str) -> date | None:
    return parse_date(re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text.replace(",", ", ").replace("  ", " ")))


def _school(lines: list[Line], url: str) -> School:
    texts = [l.text for l in lines]
    name = next((t for t in texts if "labour school" in t.lower() and len(t) <= 100), None)
    if name is None:
        raise ParseError(url, "no line naming the Labour School (expected a page about AUPE's Labour School)")
    school = School(source_url=url, name=name)
    for t in texts:
        if school.theme is None:
            m = _THEME_LABEL.match(t) or _THEME_SENTENCE.search(t)
            if m:
                school.theme = m["theme"].strip()
        if school.start_date is None:
            m = _RANGE.search(t)
            if m:
                y = int(m["y"])
                school.start_date = _date(f"{m['m1']} {m['d1']}, {y}")
                school.end_date = _date(f"{m['m2'] or m['m1']} {m['d2']}, {y}")
                v = _VENUE.search(t)
                school.venue = v["venue"].strip().rstrip(".,;") if v else None
        if school.applications_open is None and (m := _OPENS.search(t)):
            school.applications_open = _date(m["date"])
        if school.applications_close is None and (m := _CLOSES.search(t)):
            school.applications_close = _date(m["date"])
        if school.course_choices is None and (m := _CHOICES.search(t)):
            n = m["n"].lower()
            school.course_choices = int(n) if n.isdigit() else _NUMBERS[n]
    return school


def _names_only(lines: list[Line], url: str) -> list[RawListing]:
    """Courses of a page that lists only their names, as bullets (after the school's name:
    menus above it are no courses)."""
    out = []
    first = next((k for k, l in enumerate(lines) if "labour school" in l.text.lower()), 0)
    for line in lines[first:]:
        t = line.text
        if line.kind != BULLET or not t or len(t) > _MAX_TITLE or ":" in t or _SENTENCE_END.search(t):
            continue
        if re.search(_DATE, t, re.I) or not t[:1].isupper():
            continue
        out.append(RawListing(source_url=url, position=len(out), title=t, series=SERIES, raw_text=t))
    return out


def parse(content: str, url: str) -> SchoolResult:
    lines = [l for l in page_lines(content, url)[0] if l.kind != BLANK and (l.text or l.kind == BULLET)]
    end = next((k for k, l in enumerate(lines) if _FOOTER.match(l.text)), len(lines))
    lines = lines[:end]
    starts = [k for k in range(len(lines)) if _is_title(lines, k)]
    header = lines[:starts[0]] if starts else [l for l in lines if l.kind != BULLET]
    result = SchoolResult(schools=[_school(header, url)])
    if not starts:
        result.listings = _names_only(lines, url)
        return result
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        result.listings.append(_course(lines[start:end], url, n))
    return result


def _course(block: list[Line], url: str, position: int) -> RawListing:
    item = RawListing(source_url=url, position=position, title=block[0].text, series=SERIES)
    item.raw_text = "\n".join(("• " + l.text) if l.kind == BULLET else l.text for l in block)
    field = "description"
    want: list[str] = []
    for line in block[1:]:
        lab = _label(line)
        if lab is not None:
            field, label, rest = lab
            if field == "audience_want":
                want.append(f"{label[len('this course is for '):]}:" if not rest else f"{label[len('this course is for '):]}: {rest}")
            elif rest:
                _add(item, field, rest, label)
                if field in _ONE_PARAGRAPH:
                    field = "description"  # an unlabelled paragraph after it describes the course
            elif field == "comments":
                item.notes.append(f"{label}:")
            continue
        if not line.text:
            continue
        if line.kind == BULLET and field == "description":
            item.bullets.append(line.text)
        elif field == "audience_want":
            want.append(line.text)
        else:
            _add(item, field, line.text, None)
            if field in _ONE_PARAGRAPH and line.kind != BULLET:
                field = "description"  # the label's text was on the next line ("Prerequisite:" / "...")
    if want:
        head, items = want[0], want[1:]
        item.audience = head[:1].upper() + head[1:] + (" " + "; ".join(items) if items else "")
    return item


def _add(item: RawListing, field: str, text: str, label: str | None) -> None:
    if field == "description":
        item.paragraphs.append(text)
    elif field == "notes":
        item.notes.append(text)
    elif field == "comments":
        if label:
            item.notes.append(f"{label}: {text}")
        elif item.notes and item.notes[-1].lower().startswith("comments from previous students"):
            item.notes[-1] = f"{item.notes[-1]} {text}"
        else:
            item.notes.append(text)
    elif field in ("methods", "learning_outcomes"):
        getattr(item, field).append(text)
    else:  # audience, prerequisites: a text field, continued paragraphs joined
        old = getattr(item, field)
        setattr(item, field, f"{old} {text}" if old else text)
