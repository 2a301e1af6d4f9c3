"""Read-only access for analysts and the CLI.

``run_query`` runs an analyst's SQL in a sandbox: the database is opened read-only, with
DuckDB's ``enable_external_access`` off (no file read or written but the warehouse itself: no
COPY ... TO, no read_text/read_csv/glob of other files, no ATTACH, no extension installed or
loaded) and ``lock_configuration`` on (no SET or PRAGMA can undo that). On top, only one
statement is run, and only a query: SELECT (with WITH, VALUES, FROM ..., DESCRIBE, SHOW,
SUMMARIZE) or EXPLAIN. Anything else is refused with one line before it runs.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.errors import WarehouseError

# Settings of a sandboxed connection: nothing outside the warehouse file, nothing changeable.
SANDBOX_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "lock_configuration": True,
}
ALLOWED_STATEMENTS = {"SELECT", "EXPLAIN"}


def connect_read_only(db_path: str | Path, *, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection; ``sandboxed`` also shuts out every other file (see SANDBOX_CONFIG)."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise WarehouseError(f"{db_path} does not exist; run `courses refresh` first")
    try:
        return duckdb.connect(str(db_path), read_only=True, config=dict(SANDBOX_CONFIG) if sandboxed else {})
    except duckdb.Error as exc:
        raise WarehouseError(f"{db_path}: cannot open read-only: {_one_line(exc)}") from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _statement_type(stmt) -> str:
    return getattr(stmt.type, "name", str(stmt.type)).upper()


def check_query(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Refuse, with one line, anything but exactly one SELECT or EXPLAIN statement."""
    if not sql.strip():
        raise WarehouseError("query is empty: give one SELECT statement")
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise WarehouseError(f"query failed: {_one_line(exc)}") from exc
    if not statements:
        raise WarehouseError("query is empty: give one SELECT statement")
    if len(statements) > 1:
        raise WarehouseError(f"query has {len(statements)} statements; run them one at a time "
                             "(only one SELECT statement per query)")
    kind = _statement_type(statements[0])
    if kind not in ALLOWED_STATEMENTS:
        raise WarehouseError(f"query refused: a {kind} statement; the warehouse is read-only here "
                             "(only SELECT and EXPLAIN run)")


def run_query(db_path: str | Path, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    """Run one SELECT (or EXPLAIN) statement in the sandbox; returns (column names, rows)."""
    con = connect_read_only(db_path, sandboxed=True)
    try:
        check_query(con, sql)
        cur = con.execute(sql, params or [])
        if cur.description is None:
            return [], []
        return [d[0] for d in cur.description], cur.fetchall()
    except duckdb.Error as exc:
        raise WarehouseError(f"query failed: {_one_line(exc)}") from exc
    finally:
        con.close()
