"""`courses parse` for session sources, and `courses sessions` (upcoming sessions, iCalendar)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from cli.common import fail as _fail


def print_sessions(file: Path, src, parser, result) -> None:
    """One JSON line per session parsed from a saved page."""
    from normalise.sessions import to_sessions

    sessions = to_sessions(result.sessions, provider=src.provider, source=src.name,
                           prefixes=getattr(parser, "PROGRAMME_PREFIXES", {}))
    for s in sessions:
        sys.stdout.write(json.dumps(s.model_dump(mode="json"), ensure_ascii=False) + "\n")
    for err in result.errors:
        typer.echo(f"warning: {file}: block {err.position}: {err.reason}", err=True)
    if not sessions:
        _fail(f"{file}: no sessions found (expected {src.name} sessions)")
