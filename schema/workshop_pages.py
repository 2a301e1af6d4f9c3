"""What a CUPE workshop page (``/mrm-union-education/workshop/<n>``) holds, as its parser reads it.

A ``WorkshopPage`` is one page: the workshop's fields as written, and its upcoming sessions
as ``RawSession`` (normalised into ``schema.sessions.Session`` by ``normalise.sessions``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from normalise.duration import Duration
from schema.sessions import RawSession


@dataclass(slots=True)
class WorkshopPage:
    source_url: str  # the URL the page was read from
    workshop_url: str  # the page's own URL (its canonical link where it has one)
    workshop_number: int | None  # the <n> of /workshop/<n>; None where the URL does not say
    title: str | None = None  # the heading; None in a text capture
    duration: Duration | None = None
    programmes: list[str] = field(default_factory=list)
    delivery_mode: str | None = None
    languages: list[str] = field(default_factory=list)  # ["English", "French"]
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # "NOTE: ..." lines as written
    sessions: list[RawSession] = field(default_factory=list)

    @property
    def description(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(slots=True)
class WorkshopPageResult:
    """The parse of one workshop page: the page (None where it could not be read) and its block errors."""

    page: WorkshopPage | None
    errors: list = field(default_factory=list)  # schema.models.BlockError
