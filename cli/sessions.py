"""`courses parse` for session sources, and `courses sessions` (upcoming sessions, iCalendar)."""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import DB_HELP, db_path, fail as _fail


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


SESSIONS_SQL = """
    SELECT s.session_id, s.start_date, s.end_date, s.provider, coalesce(s.title, t.title) AS title,
           coalesce(s.programme, t.programme) AS programme, s.venue, s.city, s.province, s.online, s.language,
           s.fee_affiliate, s.fee_non_affiliate, s.spaces_available, s.meetings, s.description, s.event_url,
           s.source_url, s.course_id
    FROM sessions s LEFT JOIN course_titles t USING (course_id)
    WHERE s.status IN ('active', 'past') AND s.duplicate_of IS NULL AND s.start_date >= CAST(? AS DATE)
      AND (? IS NULL OR lower(s.province) = lower(?))
      AND (? IS NULL OR lower(s.language) LIKE '%' || lower(?) || '%')
      AND (NOT ? OR s.online)
      AND (? IS NULL OR lower(coalesce(s.title, t.title, '') || ' ' || s.description) LIKE '%' || lower(?) || '%')
    ORDER BY s.start_date, s.province, title"""


def upcoming(db: Path, *, start, province: str | None, language: str | None, online: bool,
             course: str | None) -> list[dict]:
    """Upcoming sessions from the warehouse as dicts, filtered as `courses sessions` says."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(SESSIONS_SQL, [start.isoformat(), province, province, language, language, online,
                                         course, course])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()


def register(app: typer.Typer) -> None:
    @app.command()
    def sessions(
        province: Annotated[Optional[str], typer.Option(help="Only this province (e.g. Saskatchewan).")] = None,
        language: Annotated[Optional[str], typer.Option(help="Only sessions given in this language (English, French).")] = None,
        online: Annotated[bool, typer.Option("--online", help="Only online sessions.")] = False,
        start: Annotated[Optional[str], typer.Option("--from", help="First day, YYYY-MM-DD (default: today).")] = None,
        course: Annotated[Optional[str], typer.Option(help="Only sessions whose title or description contains this text.")] = None,
        format: Annotated[str, typer.Option("--format", help="table, json or ics (iCalendar, one event per meeting).")] = "table",
        out: Annotated[Optional[Path], typer.Option(help="File to write (ics: default sessions.ics).")] = None,
        db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
    ) -> None:
        """List upcoming sessions; `--format ics` writes a calendar a member can import.

        Example: courses sessions --province Saskatchewan --from 2025-01-01 --format ics --out sk.ics
        """
        if format not in ("table", "json", "ics"):
            _fail(f"--format must be table, json or ics, not {format!r}", 2)
        try:
            first = date.fromisoformat(start) if start else date.today()
        except ValueError:
            _fail(f"--from must be a date YYYY-MM-DD, not {start!r}", 2)
        path = db_path(db)
        if not path.exists():
            _fail(f"{path}: no such database; run `courses refresh` first")
        rows = upcoming(path, start=first, province=province, language=language, online=online, course=course)
        if format == "ics":
            from report.ics import calendar_of

            target = out or Path("sessions.ics")
            target.write_bytes(calendar_of(rows))
            typer.echo(f"{len(rows)} sessions written to {target}")
        elif format == "json":
            for row in rows:
                sys.stdout.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
        else:
            from rich.console import Console
            from rich.table import Table

            table = Table("start", "end", "title", "programme", "place", "language", "spaces")
            for r in rows:
                place = ", ".join(p for p in (r["venue"], r["city"], r["province"]) if p)
                table.add_row(str(r["start_date"]), str(r["end_date"]), r["title"] or (r["description"] or "")[:50] + "…",
                              r["programme"] or "", place, r["language"] or "",
                              "" if r["spaces_available"] is None else str(r["spaces_available"]))
            Console(width=200).print(table)
            if not rows:
                typer.echo(f"no sessions from {first} match", err=True)
