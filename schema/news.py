"""Models of the news stage: an article as a parser reads it, and a course mention found in it.

Plain dataclasses, like ``RawListing``: the parser fills ``Article``; the mention finder
(``normalise.mentions``) turns an article and the known course titles into ``Mention`` rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True)
class Article:
    """One news article: what its page shows, nothing interpreted beyond the date."""

    url: str
    title: str
    published: date
    author: str | None = None
    paragraphs: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(slots=True)
class ArticleResult:
    """What a news parser returns for one page (the counterpart of ``ParseResult``)."""

    articles: list[Article] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class KnownCourse:
    """A course whose title the mention finder looks for."""

    course_id: str
    title: str


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention of a known course in an article's text."""

    course_id: str
    course_title: str
    matched_text: str  # the words as the article writes them
    match: str  # exact | folded (case, punctuation) | fuzzy (one letter off in one word)
    sentence: str  # the sentence it occurs in (and the next one, when that one states the length)
    paragraph: int  # 0-based paragraph of the article body
    stated_length: str | None = None  # the length stated for it, normalised: "2 days"
    stated_length_text: str | None = None  # as written: "two-day"
    stated_value: float | None = None
    stated_value_max: float | None = None
    stated_unit: str | None = None  # hour | day | week
