"""Sources are data: a name, a provider, start URLs, allowed hosts and a parser."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from normalise.duration import Conventions

DEFAULT_SOURCES = Path(__file__).with_name("default.toml")


class SourcesError(ValueError):
    """The sources file is missing, malformed, or names something unknown."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    provider: str
    parser: str
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    max_pages: int = 20
    hours_per_day: float = 7.0
    days_per_week: float = 5.0
    # Drift guards: a run that yields fewer listings than this share of the last good
    # run's, or more unreadable blocks than this share of all blocks, is not loaded.
    min_listings_ratio: float = 0.5
    max_unreadable_share: float = 0.2
    # Seconds one request may take, connect to last byte (fetch.FetchSettings.page_deadline).
    page_deadline: float = 30.0

    @property
    def conventions(self) -> Conventions:
        return Conventions(self.hours_per_day, self.days_per_week)


_REQUIRED = ("name", "provider", "parser", "start_urls", "allowed_hosts")


def load_sources(path: str | Path | None = None, names: list[str] | None = None) -> list[Source]:
    """Read a sources file (default: sources/default.toml), optionally keeping only `names`."""
    from parsers import get_parser

    path = Path(path) if path else DEFAULT_SOURCES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"sources file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"sources file {path} is not valid TOML: {exc}") from None
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"sources file {path} has no [[source]] entries")
    sources = []
    for k, entry in enumerate(entries):
        missing = [key for key in _REQUIRED if key not in entry]
        if missing:
            raise SourcesError(f"sources file {path}, entry {k + 1}: missing {', '.join(missing)}")
        unknown = set(entry) - set(Source.__dataclass_fields__)
        if unknown:
            raise SourcesError(f"sources file {path}, entry {entry['name']!r}: unknown keys {sorted(unknown)}")
        try:
            get_parser(entry["parser"])
        except ValueError as exc:
            raise SourcesError(f"sources file {path}, entry {entry['name']!r}: {exc}") from None
        deadline = entry.get("page_deadline", 30.0)
        if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not deadline > 0:
            raise SourcesError(f"sources file {path}, entry {entry['name']!r}: page_deadline must be a number "
                               f"of seconds above 0, not {deadline!r}")
        sources.append(Source(**{**entry, "start_urls": tuple(entry["start_urls"]),
                                 "allowed_hosts": tuple(entry["allowed_hosts"])}))
    seen = [s.name for s in sources]
    if len(set(seen)) != len(seen):
        raise SourcesError(f"sources file {path}: source names repeat: {seen}")
    if names:
        unknown = [n for n in names if n not in seen]
        if unknown:
            raise SourcesError(f"unknown source {', '.join(unknown)}; {path} has: {', '.join(seen)}")
        sources = [s for s in sources if s.name in names]
    return sources
