"""Load a run into the warehouse: one transaction, published atomically.

The new state is built in a copy of the warehouse file and moved over it with
one rename once the transaction is committed and checkpointed. So:

* a run that fails, or is killed at any point, leaves the file as it was;
* an analyst who holds the file open read-only keeps a consistent view (the
  old file) and sees the new one on reconnecting; the writer never needs the
  lock an analyst's connection holds;
* a second refresh at the same time stops at once on the lock file
  (``<db>.lock``) with a message naming the process that holds it.

Only the sources that loaded are replaced; a failed source keeps its previous rows.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from grouping import Grouping
from schema.models import BlockError, Listing
from warehouse.ddl import columns, ensure_schema
from warehouse.errors import WarehouseBusy, WarehouseError


@dataclass(slots=True)
class SourceLoad:
    """What one source brings to a run: plain rows, ready to load."""

    source: str
    status: str  # "loaded" | "failed"
    pages: list[dict] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    grouping: Grouping | None = None
    errors: list[BlockError] = field(default_factory=list)
    message: str | None = None


@dataclass(slots=True)
class RunRecord:
    run_id: str
    started_at: datetime
    mode: str
    sources: list[str]
    finished_at: datetime | None = None
    status: str = "running"
    message: str | None = None


@contextmanager
def writer_lock(db_path: Path) -> Iterator[None]:
    """Hold ``<db>.lock`` for the length of a load; refuse at once if another holds it."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise WarehouseBusy(
                f"{db_path}: another refresh is loading it ({holder}); wait for it to finish and try again"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        yield
    finally:
        fh.close()


def _arrow(rows: list[dict], table: str) -> pa.Table:
    cols = columns(table)
    return pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows]) if rows else None


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    data = _arrow(rows, table)
    cols = columns(table)
    con.register("incoming", data)
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM incoming")
    finally:
        con.unregister("incoming")


def rows_for(load: SourceLoad, run_id: str) -> dict[str, list[dict]]:
    """Rows of every table for one loaded source."""
    g = load.grouping
    listing_rows = []
    for i, listing in enumerate(load.listings):
        row = listing.model_dump()
        row.update(
            listing_id=f"{listing.source}:{listing.source_url}#{listing.position}",
            course_id=g.course_of[i] if g else None,
            variant_id=g.variant_of[i] if g else None,
            run_id=run_id,
        )
        listing_rows.append(row)
    course_rows = [{**asdict(c), "run_id": run_id} for c in g.courses] if g else []
    variant_rows = []
    if g:
        for v in g.variants:
            row = asdict(v)
            row.pop("listing_indexes")
            row["run_id"] = run_id
            variant_rows.append(row)
    error_rows = [{"run_id": run_id, "source": load.source, **asdict(e)} for e in load.errors]
    return {"listings": listing_rows, "courses": course_rows, "course_variants": variant_rows,
            "block_errors": error_rows}


def publish(db_path: str | Path, run: RunRecord, loads: list[SourceLoad]) -> None:
    """Write the run and its loaded sources into the warehouse, all or nothing."""
    db_path = Path(db_path)
    with writer_lock(db_path):
        tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
        for stale in db_path.parent.glob(f".{db_path.name}.*.tmp"):
            stale.unlink(missing_ok=True)  # left by a run that was killed; we hold the lock
        try:
            if db_path.exists():
                shutil.copyfile(db_path, tmp)
            _write(tmp, run, loads)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, db_path)
            dir_fd = os.open(db_path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except duckdb.Error as exc:
            raise WarehouseError(f"{db_path}: the load failed and nothing was changed: {exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)
            Path(str(tmp) + ".wal").unlink(missing_ok=True)


def _write(path: Path, run: RunRecord, loads: list[SourceLoad]) -> None:
    con = duckdb.connect(str(path))
    try:
        ensure_schema(con)
        con.execute("BEGIN TRANSACTION")
        loaded = [l for l in loads if l.status == "loaded"]
        for load in loaded:
            # Variants go first: they are found through their courses.
            con.execute("DELETE FROM course_variants WHERE course_id IN "
                        "(SELECT course_id FROM courses WHERE source = ?)", [load.source])
            con.execute("DELETE FROM courses WHERE source = ?", [load.source])
            con.execute("DELETE FROM listings WHERE source = ?", [load.source])
        for load in loaded:
            rows = rows_for(load, run.run_id)
            for table, table_rows in rows.items():
                _insert(con, table, table_rows)
        for load in loads:
            _insert(con, "pages", [{**p, "run_id": run.run_id} for p in load.pages])
            _insert(con, "source_runs", [{
                "run_id": run.run_id, "source": load.source, "status": load.status,
                "n_pages": len(load.pages), "n_listings": len(load.listings),
                "n_block_errors": len(load.errors), "message": load.message,
            }])
        n_courses = sum(len(l.grouping.courses) for l in loaded if l.grouping)
        _insert(con, "runs", [{
            **asdict(run), "n_pages": sum(len(l.pages) for l in loads),
            "n_listings": sum(len(l.listings) for l in loads), "n_courses": n_courses,
        }])
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise
    finally:
        con.close()
