"""`courses parse` on a CUPE workshop page: the page's fields, then its sessions, as JSON lines."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from normalise.workshop_pages import workshop_sessions
from warehouse.workshop_pages import page_row


def print_workshop_page(file: Path, src, parser, result) -> None:
    prefixes = getattr(parser, "PROGRAMME_PREFIXES", {})
    for err in result.errors:
        typer.echo(f"warning: {file}: block {err.position}: {err.reason}", err=True)
    if result.page is None:
        typer.echo(f"error: {file}: the workshop page could not be read", err=True)
        raise typer.Exit(1)
    row = page_row(result.page, provider=src.provider, source=src.name, prefixes=prefixes)
    sys.stdout.write(json.dumps({"workshop_page": row}, ensure_ascii=False) + "\n")
    for s in workshop_sessions([result.page], provider=src.provider, source=src.name, prefixes=prefixes):
        sys.stdout.write(json.dumps({"session": s.model_dump(mode="json")}, ensure_ascii=False) + "\n")
