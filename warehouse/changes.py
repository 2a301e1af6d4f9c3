"""Read the changes a run made (the course_changes view), for summaries and artifacts."""
from __future__ import annotations

from pathlib import Path

from warehouse.query import run_query


def changes_of_run(db_path: str | Path, run_id: str) -> list[dict]:
    cols, rows = run_query(db_path, "SELECT * FROM course_changes WHERE run_id = ?", [run_id])
    return [dict(zip(cols, row)) for row in rows]
