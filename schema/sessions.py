"""Models of scheduled sessions (a course offered on a date, at a place).

* ``RawSession`` is what a session parser finds: the date lines already read by
  the date grammar (``normalise.session_dates``), the rest as written.
* ``Session`` is one session in the common schema (pydantic); validate many at
  once with ``SESSIONS``. Linking to courses fills ``course_id``, ``match_method``
  and ``match_score``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from normalise.session_dates import DateLine
from normalise.session_place import Place


@dataclass(slots=True)
class RawSession:
    source_url: str
    position: int
    dates: list[DateLine] = field(default_factory=list)  # one per meeting line (listing: the header's date)
    title: str | None = None
    link: str | None = None  # the workshop's own page, where the markup links to it
    event_url: str | None = None
    event_name: str | None = None
    place: Place | None = None
    place_text: str | None = None
    language: str | None = None
    fee_affiliate: float | None = None
    fee_non_affiliate: float | None = None
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    prerequisites: str | None = None
    length_text: str | None = None  # "Two-week course; complete at your own pace."
    page_kind: str = "event page"  # "events listing" | "event page"
    raw_text: str = ""


@dataclass(slots=True)
class SessionParseResult:
    sessions: list[RawSession] = field(default_factory=list)
    errors: list = field(default_factory=list)  # schema.models.BlockError


class SessionMeeting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date = Field(description="Day of the meeting (its first day where it runs over several).")
    end_date: dt.date | None = Field(None, description="Last day, where one meeting runs over several days.")
    start_time: dt.time | None = Field(None, description="Start time, local to the venue, where given.")
    end_time: dt.time | None = Field(None, description="End time (on end_date where set), where given.")
    timezone: str | None = Field(None, description="IANA time zone of the times, where the page names one ('(Pacific)' -> America/Vancouver).")
    timezone_text: str | None = Field(None, description="The time zone as written ('Pacific', 'MST').")


class Session(BaseModel):
    """One scheduled session of a course, as an events page shows it."""

    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(description="Stable key of the session: provider, event or page, course text, first day and place.")
    provider: str = Field(description="Union offering the session: 'CUPE' or 'AUPE'.")
    source: str = Field(description="Source name, e.g. 'cupe-events'.")
    source_url: str = Field(description="URL of the page the session was read from.")
    position: int = Field(ge=0, description="0-based position of the session on its page.")
    title: str | None = Field(None, description="Workshop title without programme prefix; null where the page gives none (text captures of the listing).")
    title_as_written: str | None = Field(None, description="The title exactly as the page wrote it ('LET - Financial Essentials').")
    programme: str | None = Field(None, description="Programme named by the title's prefix ('LET' -> 'Local Executive Training').")
    start_date: dt.date = Field(description="First day of the session.")
    end_date: dt.date = Field(description="Last day of the session (equals start_date for one day).")
    meetings: list[SessionMeeting] = Field(default_factory=list, description="The meetings: days with times and zone where given.")
    date_text: str = Field(description="The date line(s) as written, joined by ' / '.")
    venue: str | None = Field(None, description="Venue ('Yorkton Area Office', 'ONLINE', 'Online via Zoom').")
    city: str | None = Field(None, description="City, where the page names one.")
    province: str | None = Field(None, description="Province in English ('MB' -> 'Manitoba').")
    online: bool = Field(False, description="True for online sessions ('ONLINE, Manitoba', 'Online via Zoom - MB', 'Virtual event').")
    language: str | None = Field(None, description="Language of instruction: English, French, or English and French.")
    fee_affiliate: float | None = Field(None, description="Fee in dollars for affiliated members; a single fee fills both fee columns.")
    fee_non_affiliate: float | None = Field(None, description="Fee in dollars for non-affiliates.")
    spaces_available: int | None = Field(None, description="Spaces available as the page counts them; can be negative (overbooked).")
    description: str = Field("", description="Description as clean text; paragraphs separated by a blank line.")
    notes: list[str] = Field(default_factory=list, description="NOTE paragraphs, without the label.")
    bullets: list[str] = Field(default_factory=list, description="Bullet points of the description.")
    prerequisites: str | None = Field(None, description="Pre-requisite as written.")
    length_text: str | None = Field(None, description="A self-paced length as written ('Two-week course; complete at your own pace.').")
    workshop_url: str | None = Field(None, description="URL of the workshop's own catalogue page, where the markup links to it.")
    event_url: str | None = Field(None, description="URL of the event page of the session.")
    event_name: str | None = Field(None, description="Name of the event (a school, a weekend) the session belongs to.")
    page_kind: str = Field("event page", description="Kind of page the session was read from: 'events listing' or 'event page'.")
    course_id: str | None = Field(None, description="The catalogue course this session is an offering of; null when no course matched.")
    match_method: str | None = Field(None, description="How course_id was found: 'workshop link', 'description' or 'title'.")
    match_score: float | None = Field(None, description="Similarity of the match, 0-100 (100 for a link).")


SESSIONS = TypeAdapter(list[Session])
