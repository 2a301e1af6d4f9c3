"""Models shared by the stages.

* ``RawListing`` is what a parser finds in a page: strings as written, nothing
  interpreted. It is a plain dataclass so parsing stays fast.
* ``Listing`` is one course listing in the common schema, after normalisation.
  It is a pydantic model; validate many at once with ``LISTINGS``.
* ``BlockError`` is a block a parser could not read; it is kept, never dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class DurationUnit(str, Enum):
    hour = "hour"
    day = "day"
    week = "week"


class DeliveryMode(str, Enum):
    in_person = "in_person"
    online = "online"


@dataclass(slots=True)
class RawListing:
    """One block as a parser found it, before any interpretation."""

    source_url: str
    position: int
    title: str | None = None
    link: str | None = None
    duration_text: str | None = None
    duration: object | None = None  # the parsed length (normalise.duration.Duration), where the parser read one
    series: str | None = None
    programmes: list[str] = field(default_factory=list)  # every programme the block names, in order
    delivery_mode: str | None = None  # "online" / "in_person" where the block names a delivery mode
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # AUPE-style labelled paragraphs ("This course is for:", "Prerequisites:", ...)
    audience: str | None = None
    prerequisites: str | None = None
    methods: list[str] = field(default_factory=list)
    learning_outcomes: list[str] = field(default_factory=list)
    schedule_notes: list[str] = field(default_factory=list)  # "Registration: ...", "Course Time: ...", labels kept
    raw_text: str = ""


@dataclass(slots=True)
class BlockError:
    """A block the parser could not read: where it was, what it held, and why."""

    source_url: str
    position: int
    raw_text: str
    reason: str


@dataclass(slots=True)
class ParseResult:
    listings: list[RawListing] = field(default_factory=list)
    errors: list[BlockError] = field(default_factory=list)
    # How many blocks the page announced (CUPE: length lines; AUPE: course titles). Every one
    # of them is a listing or a block error: len(listings) + len(errors) == blocks_seen.
    blocks_seen: int = 0


class Listing(BaseModel):
    """One course listing as a provider's page shows it, in the common schema."""

    model_config = ConfigDict(frozen=False, extra="forbid", use_enum_values=True)

    provider: str = Field(description="Union offering the course: 'CUPE' or 'AUPE'.")
    source: str = Field(description="Source name from the sources file, e.g. 'cupe-workshops'.")
    source_url: str = Field(description="URL of the page the listing was read from.")
    position: int = Field(ge=0, description="0-based position of the block on its page.")
    title: str | None = Field(None, description="Course title, stripped of length, programme prefix and markers; null where the page gave none.")
    title_as_written: str | None = Field(None, description="The title exactly as the page wrote it.")
    link: str | None = Field(None, description="URL of the course's own page, where the listing links to one.")
    series: str | None = Field(None, description="Programme or series, e.g. 'Steward Learning Series' (the first of `programmes`).")
    programmes: list[str] = Field(default_factory=list, description="Every programme the listing names, in page order (delivery modes such as 'Online Learning Series' excluded: see delivery_mode).")
    duration_text: str | None = Field(None, description="Length in canonical form: '1 week', '2 days', '3 hours', '2-3 hours', 'half day'.")
    duration_raw: str | None = Field(None, description="Length as the page wrote it, e.g. '1 weeks', '(2 days)', 'two-day'.")
    duration_value: float | None = Field(None, description="Number in the length (low end of a range).")
    duration_value_max: float | None = Field(None, description="High end of a range ('2-3 hours' gives 3); equals duration_value otherwise.")
    duration_unit: DurationUnit | None = Field(None, description="Unit of the length: hour, day or week.")
    duration_hours: float | None = Field(None, description="Length in contact hours, by the provider's hours-per-day and days-per-week conventions.")
    duration_hours_max: float | None = Field(None, description="High end of the length in contact hours.")
    description: str = Field("", description="Description as clean text; paragraphs separated by a blank line.")
    bullets: list[str] = Field(default_factory=list, description="Bullet points of the description, without their markers.")
    audience: str | None = Field(None, description="Who the course is for ('NOTE: This workshop is for ...', 'This course is for: ...').")
    notes: list[str] = Field(default_factory=list, description="Other notes (requirements, pointers to other courses).")
    prerequisites: str | None = Field(None, description="Prerequisites as written.")
    delivery_mode: DeliveryMode | None = Field(None, description="in_person or online, where the page says ('(OLS)', 'online only', 'Online Learning Series').")
    availability: str | None = Field(None, description="Availability as written, e.g. 'Currently not available'.")
    methods: list[str] = Field(default_factory=list, description="Teaching methods ('This course utilizes:').")
    learning_outcomes: list[str] = Field(default_factory=list, description="Learning outcomes.")
    schedule_notes: list[str] = Field(default_factory=list, description="Scheduling lines with their labels kept, e.g. 'Registration: Through your local', 'Course Time: 9:00 – 4:30'.")
    school_id: str | None = Field(None, description="The school the listing is a course of (e.g. a year's AUPE Labour School); null for a catalogue listing.")


LISTINGS = TypeAdapter(list[Listing])
