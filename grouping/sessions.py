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

from rapidfuzz import fuzz, process

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


def _best(target: str, candidates: _Texts, minimum: float) -> tuple[str, float] | None:
    """The one course whose text scores at least `minimum` and beats every other course by MARGIN.

    Only scores within MARGIN of `minimum` can decide (a runner-up further down cannot stop a
    best that passes), so rapidfuzz scores the whole pool in C with that cutoff."""
    best: dict[str, float] = {}
    for _, score, i in process.extract(target, candidates.texts, scorer=fuzz.ratio, processor=None,
                                       limit=None, score_cutoff=max(minimum - MARGIN, 0.0)):
        course_id = candidates.ids[i]
        if score > best.get(course_id, -1.0):
            best[course_id] = score
    ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < minimum:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MARGIN:
        return None
    return ranked[0]


@dataclass(slots=True)
class _Texts:
    """Folded texts of a pool of courses, beside their ids (the same order)."""

    ids: list[str]
    texts: list[str]


class _Catalogue:
    """The courses as linking reads them, folded once: per provider and programme, the pool's
    workshop links, description texts and title texts. Built once per link_sessions call, so
    linking n sessions against m courses folds each course once, not n times, and only the
    courses of the sessions' providers."""

    def __init__(self, courses: list[CourseRef]) -> None:
        self._courses = courses
        self._pools: dict[tuple[str, str | None], tuple[dict[str, set[str]], _Texts, _Texts]] = {}
        self._folded: dict[int, tuple[str, str]] = {}  # id(course) -> its folded texts, as pools first need them

    def _fold(self, c: CourseRef) -> tuple[str, str]:
        if id(c) not in self._folded:
            self._folded[id(c)] = (course_text(c.description, c.bullets) if c.description else "",
                                   fold(c.title) if c.title else "")
        return self._folded[id(c)]

    def pool(self, provider: str, programme: str | None) -> tuple[dict[str, set[str]], _Texts, _Texts]:
        key = (provider, programme)
        if key not in self._pools:
            links: dict[str, set[str]] = {}
            descriptions, titles = _Texts([], []), _Texts([], [])
            for c in self._courses:
                if c.provider != provider or (programme and c.series and programme != c.series):
                    continue
                for url in c.links:
                    links.setdefault(url, set()).add(c.course_id)
                description, title = self._fold(c)
                if c.description:
                    descriptions.ids.append(c.course_id)
                    descriptions.texts.append(description)
                if c.title:
                    titles.ids.append(c.course_id)
                    titles.texts.append(title)
            self._pools[key] = (links, descriptions, titles)
        return self._pools[key]


def _match(session: Session, catalogue: _Catalogue) -> Match:
    links, descriptions, titles = catalogue.pool(session.provider, session.programme or None)
    if session.workshop_url:
        hits = links.get(session.workshop_url, set())
        if len(hits) == 1:
            return Match(next(iter(hits)), "workshop link", 100.0)
    text = course_text(session.description, session.bullets)
    if text:
        best = _best(text, descriptions, DESCRIPTION_MIN)
        if best:
            return Match(best[0], "description", round(best[1], 1))
    if session.title:
        best = _best(fold(session.title), titles, TITLE_MIN)
        if best:
            return Match(best[0], "title", round(best[1], 1))
    return NO_MATCH


def link_sessions(sessions: list[Session], courses: list[CourseRef]) -> list[Session]:
    """The sessions with course_id, match_method and match_score filled (null where nothing matched)."""
    catalogue = _Catalogue(courses)
    out = []
    for s in sessions:
        m = _match(s, catalogue)
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
