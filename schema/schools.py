"""Models of a school page (AUPE's annual Labour School): the school, and its courses as listings."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from schema.models import ParseResult


@dataclass(slots=True)
class School:
    """One school as its page states it; every fact but the name may be missing."""

    source_url: str
    name: str
    theme: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    venue: str | None = None
    applications_open: date | None = None
    applications_close: date | None = None
    course_choices: int | None = None  # how many courses an applicant chooses


@dataclass(slots=True)
class SchoolResult(ParseResult):
    """A school page: its courses (``listings``, ``errors``) and the school itself."""

    schools: list[School] = field(default_factory=list)
