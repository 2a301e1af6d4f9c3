"""RawListing -> Listing: read lengths, clean titles, sort notes into audience and notes.

Everything here is provider-neutral; what is particular to a site (its programme
prefixes, its hours-per-day convention) comes in as arguments.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from normalise.duration import Conventions, find_durations, parse_duration
from schema.batch import ListingBatch, paused_gc
from schema.models import LISTINGS, Listing, RawListing

_AVAILABILITY = re.compile(r"\s+[-–—]\s+((?:currently\s+)?(?:not\s+)?available\b.*)$", re.IGNORECASE)
_DELIVERY = [
    (re.compile(r"\s*\((?:OLS|online)\)", re.IGNORECASE), "online"),
    (re.compile(r"\s*\((?:in[- ]person|F2F)\)", re.IGNORECASE), "in_person"),
]
_NOTE_LABEL = re.compile(r"^note\s*:\s*", re.IGNORECASE)
_AUDIENCE = re.compile(
    r"^(?:this|the)\s+(?:workshop|course|module|session)\s+is\s+(?:for|open to|aimed at|intended for)\s+(.+?)\.?$",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")
# A prerequisites line that says there are none: "None", "N/A", "No prerequisites", "none required".
_NO_PREREQUISITES = re.compile(
    r"^(?:none|nil|n/?a|not applicable|-+|no(?:ne)?(?: prerequisites?| pre-requisites?)?(?: (?:are )?required)?"
    r"|there are no prerequisites(?: for this course)?)\W*$", re.IGNORECASE)


def prerequisites(text: str | None) -> str | None:
    """Prerequisites as written, or None where the page says there are none ("None", "N/A")."""
    if text is None or not text.strip() or _NO_PREREQUISITES.match(text.strip()):
        return None
    return text


@lru_cache(maxsize=64)
def _prefix_pattern(prefixes: tuple[str, ...]):
    """One pattern for a site's title prefixes ("SLS - ", "BARG – "), tried in their order: the
    first that matches wins, as one match per prefix in turn would."""
    alternatives = "|".join(f"({re.escape(p)})" for p in prefixes)
    return re.compile(rf"^(?:{alternatives})\s*[-–—:]\s+").match


def split_title(title: str | None, prefixes: Mapping[str, str]) -> dict:
    """Pull the length, programme prefix, delivery marker and availability out of a title.

    "BARG – Strike Preparation (OLS)" -> title "Strike Preparation", series
    "Bargaining Program", delivery "online"; "Clear Language - 9 hours" -> title
    "Clear Language", length "9 hours".
    """
    out: dict = {"title": None, "series": None, "duration_text": None, "delivery_mode": None, "availability": None}
    if not title:
        return out
    t = _WS.sub(" ", title).strip()
    m = _AVAILABILITY.search(t)
    if m:
        out["availability"] = m[1].strip()
        if "online only" in m[1].lower():
            out["delivery_mode"] = "online"
        t = t[: m.start()]
    for pattern, mode in _DELIVERY:
        if pattern.search(t):
            out["delivery_mode"] = mode
            t = pattern.sub("", t)
    if prefixes:
        pm = _prefix_pattern(tuple(prefixes))(t)
        if pm:
            out["series"] = prefixes[pm.group(pm.lastindex)]
            t = t[pm.end():]
    # A length written into the title: "(2 days)" anywhere, or "- 9 hours" at the end.
    for start, end, d in reversed(find_durations(t)):
        before, after = t[:start], t[end:]
        if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
            out["duration_text"] = out["duration_text"] or d.text
            t = before.rstrip()[:-1] + after.lstrip()[1:]
        elif not after.strip() and re.search(r"[-–—]\s*$", before):
            out["duration_text"] = out["duration_text"] or d.text
            t = re.sub(r"\s*[-–—]\s*$", "", before)
    out["title"] = _WS.sub(" ", t).strip(" -–—") or None
    return out


def normalise(
    raws: Iterable[RawListing],
    *,
    provider: str,
    source: str,
    conventions: Conventions = Conventions(),
    prefixes: Mapping[str, str] | None = None,
) -> list[Listing]:
    """Listings in the common schema, validated in one call."""
    with paused_gc():
        return _normalise(raws, provider, source, conventions, prefixes or {})


def normalise_batch(
    raws: Iterable[RawListing],
    *,
    provider: str,
    source: str,
    conventions: Conventions = Conventions(),
    prefixes: Mapping[str, str] | None = None,
    chunk: int = 2048,
) -> ListingBatch:
    """The same listings as ``normalise``, in columns: each chunk of rows is validated against
    the Listing model's fields (the contract), column by column, and turned into Arrow columns
    at once (``ListingBatch.from_columns``), so no model object is built. Call it once per page and concatenate
    (``ListingBatch.concat``) to stream a source through."""
    raws = list(raws)
    with paused_gc():
        parts = [ListingBatch.from_columns(_columns(raws[k:k + chunk], provider, source, conventions, prefixes or {}))
                 for k in range(0, len(raws), chunk)]
    return parts[0] if len(parts) == 1 else ListingBatch.concat(parts)


def _normalise(raws, provider, source, conventions, prefixes) -> list[Listing]:
    cols = _columns(list(raws), provider, source, conventions, prefixes)
    names = list(cols)
    return LISTINGS.validate_python([dict(zip(names, values)) for values in zip(*cols.values())])


def _columns(raws: list, provider, source, conventions, prefixes) -> dict[str, list]:
    """The listings as columns of the Listing model's fields, not yet validated.

    Built column by column rather than a dict per row: the fields copied from the raw listing
    are one comprehension each, and the derived ones (title parts, length, notes) one loop;
    a row dict per listing, taken apart into columns again, cost more than the rest."""
    n = len(raws)
    # Titles repeat (a course at several lengths): each distinct one is split once. The
    # parts are only read below, so rows with the same title share one dict.
    by_title: dict[str, dict] = {}
    untitled = split_title(None, prefixes)
    parts_of = []
    for t in [r.title for r in raws]:
        if not t:
            parts_of.append(untitled)
            continue
        parts = by_title.get(t)
        if parts is None:
            parts = by_title[t] = split_title(t, prefixes)
        parts_of.append(parts)
    # A page repeats a few lengths, each one Duration object (the parsers read each distinct
    # length line once): its columns are worked out once per object.
    by_duration: dict[int, tuple] = {}
    no_duration = (None, None, None, None, None, None)
    d_text, d_raw, d_value, d_max, d_unit, d_hours, d_hours_max = ([] for _ in range(7))
    audiences, notes_col, series_col, programmes_col, delivery_col = [], [], [], [], []
    for raw, parts in zip(raws, parts_of):
        duration_raw = raw.duration_text or parts["duration_text"]
        d = raw.duration or parse_duration(duration_raw)
        if d is None:
            canonical, value, value_max, unit, hours, hours_max = no_duration
        else:
            got = by_duration.get(id(d))
            if got is None or got[0] is not d:
                got = by_duration[id(d)] = (d, d.canonical, d.value, d.value_max, d.unit,
                                            conventions.hours(d.value, d.unit), conventions.hours(d.value_max, d.unit))
            _, canonical, value, value_max, unit, hours, hours_max = got
        d_text.append(canonical if d else duration_raw)
        d_raw.append(duration_raw)
        d_value.append(value)
        d_max.append(value_max)
        d_unit.append(unit)
        d_hours.append(hours)
        d_hours_max.append(hours_max)
        audience = raw.audience
        notes = []
        for note in raw.notes:
            text = _NOTE_LABEL.sub("", note).strip()
            first, _, rest = text.partition(". ")
            m = _AUDIENCE.match(first)
            if m and audience is None:
                audience = m[1]
                if rest.strip():
                    notes.append(rest.strip())
            else:
                notes.append(text)
        audiences.append(audience)
        notes_col.append(notes)
        series = raw.series or parts["series"]
        series_col.append(series)
        programmes_col.append(raw.programmes or ([series] if series else []))
        delivery_col.append(raw.delivery_mode or parts["delivery_mode"])
    return {
        "provider": [provider] * n,
        "source": [source] * n,
        "source_url": [r.source_url for r in raws],
        "position": [r.position for r in raws],
        "title": [p["title"] for p in parts_of],
        "title_as_written": [r.title for r in raws],
        "link": [r.link for r in raws],
        "series": series_col,
        "programmes": programmes_col,
        "duration_text": d_text,
        "duration_raw": d_raw,
        "duration_value": d_value,
        "duration_value_max": d_max,
        "duration_unit": d_unit,
        "duration_hours": d_hours,
        "duration_hours_max": d_hours_max,
        "description": ["\n\n".join(r.paragraphs) for r in raws],
        "bullets": [r.bullets for r in raws],
        "audience": audiences,
        "notes": notes_col,
        "prerequisites": [prerequisites(r.prerequisites) for r in raws],
        "delivery_mode": delivery_col,
        "availability": [p["availability"] for p in parts_of],
        "methods": [r.methods for r in raws],
        "learning_outcomes": [r.learning_outcomes for r in raws],
        "schedule_notes": [r.schedule_notes for r in raws],
    }
