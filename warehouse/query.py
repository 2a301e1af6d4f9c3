"""Read-only access for analysts and the CLI."""
from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError


def connect_read_only(db_path: str | Path) -> duckdb.DuckDBPyConnection:
    db_path = Path(db_path)
    if not db_path.exists():
        raise WarehouseError(f"{db_path} does not exist; run `courses refresh` first")
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise WarehouseError(f"{db_path}: cannot open read-only: {exc}") from exc


def run_query(db_path: str | Path, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    """Run one statement on a read-only connection; returns (column names, rows)."""
    con = connect_read_only(db_path)
    try:
        cur = con.execute(sql, params or [])
        if cur.description is None:
            return [], []
        return [d[0] for d in cur.description], cur.fetchall()
    except duckdb.Error as exc:
        raise WarehouseError(f"query failed: {exc}") from exc
    finally:
        con.close()
