"""What every `courses` command shares: where the database is, and how an error is said."""
from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn, Optional

import typer

DB_HELP = "DuckDB file (env COURSES_DB; default courses.duckdb)."


def db_path(db: Optional[Path]) -> Path:
    return db or Path(os.environ.get("COURSES_DB", "courses.duckdb"))


def fail(message: str, code: int = 1) -> NoReturn:
    """One line an operator can act on, then a non-zero exit; never a traceback."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)
