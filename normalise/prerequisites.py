"""Prerequisites as written -> the courses they name.

Reads AUPE's "Prerequisite(s):" / "Requirements:" paragraphs and CUPE's "Pre-requisite:"
notes (the parsers put both in ``prerequisites``; a "Pre-requisite:" inside a note is read
too). Known course titles are found with the mention finder's rules (whole words, folded,
one letter of fuzz, the longest title wins); what lies between them is split at ";", ",",
"or" and line breaks ("and" only next to a known title: titles contain "and"), stripped of
"Completion of" and the like, of parentheses ("(3 hours)") and of a programme prefix ("LET -"), and kept as an unlinked course name when it is
written like a title ("OH&S for Union Activists"). "None", "N/A" name nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from normalise.mentions import MentionFinder

NONE_RE = re.compile(r"^\s*(?:none|nil|n/?a|no(?:ne)?\s+(?:pre-?requisites?|requirements?)|not applicable|-+)\s*\.?\s*$", re.I)
PREREQ_LABEL = re.compile(r"\bpre-?requisites?\s*(?:\([^)]*\))?\s*:\s*", re.I)
_SPLIT = re.compile(r"\s*(?:[;,\n•]|\bor\b)\s*", re.I)
_PAREN = re.compile(r"\s*\([^)]*\)")
_PREFIX = re.compile(r"^[A-Z&]{2,5}$")  # a programme prefix before a title: "LET - Financial Essentials"
_LEADING_PREFIX = re.compile(r"^[A-Z&]{2,5}\s*[-–—:]\s+(?=[A-Z])")
_EDGE_CONJ = re.compile(r"^(?:and|or|&)\b\s*|\s*\b(?:and|or|&)$", re.I)
_LEAD = re.compile(
    r"^(?:(?:successful|prior)\s+)?(?:completion\s+of|completed|(?:you|members|participants|applicants)?\s*"
    r"(?:must|should)\s+have\s+(?:taken|completed|attended)|having\s+(?:taken|completed)|either|both)\s+(?:the\s+)?", re.I)
_TAIL = re.compile(r"\s*\b(?:course|courses|workshop|workshops|module)\b\.?$|[.:]$", re.I)
_SMALL = {"a", "an", "and", "at", "for", "in", "of", "on", "the", "to", "with", "&", "your", "our"}
_FILLER = _SMALL | {"completion", "completed", "course", "courses", "workshop", "workshops", "must", "have",
                    "taken", "prior", "or", "either", "both", "successful", "required", "recommended", "is", "are"}


@dataclass(frozen=True, slots=True)
class Prerequisite:
    """One course a prerequisite text names: as written, and the known course it is, if any."""

    name: str
    course_id: str | None = None
    match: str | None = None  # exact | folded | fuzzy, for a linked name


def prerequisite_texts(prerequisites: str | None, notes: list[str] | None) -> list[str]:
    """The prerequisite texts of a listing: its prerequisites field and any "Pre-requisite:" note."""
    out = [prerequisites.strip()] if prerequisites and prerequisites.strip() else []
    for note in notes or []:
        m = PREREQ_LABEL.search(note)
        if m and note[m.end():].strip():
            out.append(note[m.end():].strip())
    return out


def _title_like(text: str) -> bool:
    words = text.split()
    if not words or len(words) > 10 or not (words[0][:1].isupper() or words[0][:1].isdigit()):
        return False
    if not [w for w in words if w.lower().strip(".,:") not in _FILLER]:
        return False
    big = [w for w in words if w.lower() not in _SMALL]
    return sum(1 for w in big if w[:1].isupper() or w[:1].isdigit()) >= max(1, (len(big) + 1) // 2 + (len(big) > 2))


def _clean(part: str) -> str:
    part = _LEADING_PREFIX.sub("", _PAREN.sub("", part).strip(" -–—"))
    part = _EDGE_CONJ.sub("", part.strip()).strip(" -–—")
    part = _LEAD.sub("", part).strip()
    part = _TAIL.sub("", part).strip()
    return part


def parse_prerequisites(text: str, finder: MentionFinder) -> list[Prerequisite]:
    """The courses a prerequisite text names, in order; [] for "None" and for text naming none."""
    if not text or NONE_RE.match(text):
        return []
    out: list[Prerequisite] = []
    pos = 0

    def gap(chunk: str) -> None:
        for part in _SPLIT.split(chunk):
            name = _clean(part)
            if name and _title_like(name) and not NONE_RE.match(name) and not _PREFIX.match(name):
                out.append(Prerequisite(name))

    for start, end, course, kind in finder.spans(text):
        gap(text[pos:start])
        out.append(Prerequisite(text[start:end], course.course_id, kind))
        pos = end
    gap(text[pos:])
    return out
