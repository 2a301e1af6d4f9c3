"""Link each scheduled session to the catalogue course it is an offering of.

In order, precision first:

1. ``workshop link``: the session links to a workshop page a catalogue listing links to.
2. ``description``: the session's description (with its bullets) against each course's,
   whole text against whole text (``rapidfuzz.fuzz.ratio`` after folding case, quotes and
   spaces). The best course must score at least ``DESCRIPTION_MIN`` and beat the runner-up
   by ``MARGIN``: light edits ("duties within" / "duties regarding") pass; a description
   that only opens like another, or shares some sentences with it (Financial Essentials and
   its day-2 sequel; the three "Championing ..." modules), does not.
3. ``title``: the session's title (programme prefix stripped) against course titles, same
   rules with ``TITLE_MIN``.

Candidates are the courses of the session's provider; where both name a programme, they
must name the same. An unmatched session keeps ``course_id`` null.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from schema.sessions import Session

DESCRIPTION_MIN = 88.0
TITLE_MIN = 95.0
MARGIN = 6.0
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_WS = re.compile(r"\s+")
_BULLETS = re.compile(r"\s*[•]\s*")


@dataclass(frozen=True, slots=True)
class CourseRef:
    """What linking needs of a catalogue course."""

    course_id: str
    provider: str
    title: str | None
    series: str | None
    description: str
    bullets: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # URLs of the course's own workshop pages


@dataclass(frozen=True, slots=True)
class Match:
    course_id: str | None
    method: str | None
    score: float | None


NO_MATCH = Match(None, None, None)


def fold(text: str) -> str:
    """Text for comparison: case, quotes, dashes, bullet marks and spaces folded."""
    return _WS.sub(" ", _BULLETS.sub(" ", text.translate(_QUOTES))).strip().lower()


def course_text(description: str, bullets: Iterable[str]) -> str:
    return fold(" ".join([description, *bullets]))


def _best(target: str, texts: list[tuple[str, str]], minimum: float) -> tuple[str, float] | None:
    """The one course whose text scores at least `minimum` and beats every other course by MARGIN."""
    best: dict[str, float] = {}
    for course_id, text in texts:
        score = fuzz.ratio(target, text)
        if score > best.get(course_id, -1.0):
            best[course_id] = score
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < minimum:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MARGIN:
        return None
    return ranked[0]


def match_session(session: Session, courses: list[CourseRef]) -> Match:
    pool = [c for c in courses if c.provider == session.provider
            and not (session.programme and c.series and session.programme != c.series)]
    if session.workshop_url:
        hits = {c.course_id for c in pool if session.workshop_url in c.links}
        if len(hits) == 1:
            return Match(hits.pop(), "workshop link", 100.0)
    text = course_text(session.description, session.bullets)
    if text:
        best = _best(text, [(c.course_id, course_text(c.description, c.bullets)) for c in pool if c.description],
                     DESCRIPTION_MIN)
        if best:
            return Match(best[0], "description", round(best[1], 1))
    if session.title:
        best = _best(fold(session.title), [(c.course_id, fold(c.title)) for c in pool if c.title], TITLE_MIN)
        if best:
            return Match(best[0], "title", round(best[1], 1))
    return NO_MATCH


def link_sessions(sessions: list[Session], courses: list[CourseRef]) -> list[Session]:
    """The sessions with course_id, match_method and match_score filled (null where nothing matched)."""
    out = []
    for s in sessions:
        m = match_session(s, courses)
        out.append(s.model_copy(update={"course_id": m.course_id, "match_method": m.method, "match_score": m.score}))
    return out


def course_refs(grouping, listings) -> list[CourseRef]:
    """CourseRefs of a grouping (grouping.variants.Grouping) and the listings it was made from."""
    links: dict[str, list[str]] = {}
    for listing, course_id in zip(listings, grouping.course_of):
        if listing.link:
            links.setdefault(course_id, []).append(listing.link)
    return [CourseRef(course_id=c.course_id, provider=c.provider, title=c.title, series=c.series,
                      description=c.description, bullets=tuple(c.bullets), links=tuple(links.get(c.course_id, ())))
            for c in grouping.courses]
