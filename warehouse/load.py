"""Load a run into the warehouse: one transaction, published atomically.

The new state is built in a copy of the warehouse file and moved over it with
one rename once the transaction is committed and checkpointed. So:

* a run that fails, or is killed at any point, leaves the file as it was;
* an analyst who holds the file open read-only keeps a consistent view (the
  old file) and sees the new one on reconnecting; the writer never needs the
  lock an analyst's connection holds;
* a second refresh at the same time stops at once on the lock file
  (``<db>.lock``) with a message naming the process that holds it;
* a refresh never loses a committed write of another process: before copying, it takes
  DuckDB's own lock on the warehouse file (a read-only connection, held until the rename),
  so it stops with one line naming the process that has the file open for writing (say a
  read-write session in DBeaver), and no such session can open it while the copy is made;
  a write-ahead log left by a session that died (``<db>.wal``) is replayed into the file
  first, or the refresh stops and says why;
* a run that loaded nothing (every source unchanged or failed) is recorded in the file itself,
  in one transaction, with no copy and no definitions applied (``record_in_place``); it takes
  the copy instead while another process has the file open, or when the definitions changed;
* the files a killed run leaves (``.<db>.<pid>.tmp`` and its ``.wal``, DuckDB's spill
  folder) are removed by the next run.

Only the sources that loaded are replaced; a failed source keeps its previous rows.
"""
from __future__ import annotations

import contextvars
import ctypes
import hashlib
import itertools
import json
import logging
import os
import re
import shutil
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import portalocker
import pyarrow as pa
import pyarrow.compute as pc

from grouping import Grouping
from schema.batch import ListingBatch, listing_arrow_schema, listing_columns
from schema.models import BlockError, Listing
from topics import assign_topics
from warehouse.ddl import columns, definitions_current, ensure_schema
from warehouse.errors import WarehouseBusy, WarehouseError
from warehouse.news import write_news
from warehouse.package import BATCH_ROWS, SourceTables
from warehouse.schools import write_schools
from warehouse.workshop_pages import write_workshop_pages
from warehouse.prerequisites import refresh_prerequisites
from warehouse.titles import resolve_course_titles


@dataclass(slots=True)
class SourceLoad:
    """What one source brings to a run: plain rows, ready to load."""

    source: str
    status: str  # "loaded" | "unchanged" (pages as before: nothing parsed) | "failed"
    pages: list[dict] = field(default_factory=list)
    listings: list[Listing] | ListingBatch = field(default_factory=list)  # a ListingBatch from the flow
    grouping: Grouping | None = None
    errors: list[BlockError] = field(default_factory=list)
    message: str | None = None
    kind: str = "courses"  # "courses" | "sessions" (schema.sessions.Session rows in `sessions`)
    sessions: list = field(default_factory=list)
    session_counts: dict = field(default_factory=dict)  # filled by the load: sessions, linked, unmatched, cancelled
    articles: list[dict] | None = None  # a news source's news_articles rows (warehouse/news.py)
    schools: list[dict] | None = None  # a school source's schools rows (warehouse/schools.py)
    workshop_pages: list[dict] | None = None  # CUPE workshop pages' rows (warehouse/workshop_pages.py)
    tables: SourceTables | None = None  # the grouping as the load's Arrow tables (see `columnar`)

    @property
    def n_courses(self) -> int:
        if self.tables is not None and "courses" in self.tables:
            return self.tables.num_rows("courses")
        return len(self.grouping.courses) if self.grouping else 0

    @property
    def n_listings(self) -> int:
        if self.tables is not None and "listings" in self.tables:
            return self.tables.num_rows("listings")
        return len(self.listings)


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
            portalocker.lock(fh, portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING)
        except portalocker.LockException:
            try:
                fh.seek(0)
                holder = fh.read().strip() or "another process"
            except OSError:  # Windows: the holder's lock keeps the bytes from being read
                holder = "another process"
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


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict] | pa.Table,
            cols: list[str] | None = None) -> None:
    """Insert rows (dicts, or an Arrow table) through Arrow in one statement (the fast path)."""
    if not len(rows):
        return
    cols = cols or columns(table)
    incoming = rows if isinstance(rows, pa.Table) else pa.table({c: [r.get(c) for r in rows] for c in cols})
    # A relation over the Arrow table, inserted by position in the table's own column order (an
    # upgraded warehouse may have added columns at the end), NULL where `cols` leaves a column out.
    # Not a registered view: inside a transaction DuckDB keeps a registered view's Arrow table
    # alive until COMMIT (at 100,000 listings, every inserted table's copy: +80 MB through the load).
    have = set(cols)
    order = _column_order(con, table)
    con.from_arrow(incoming).project(", ".join(f'"{c}"' if c in have else f'NULL AS "{c}"' for c in order)) \
        .insert_into(table)


# Each connection's column order per table, looked up once (4 ms a lookup: a nightly of 20
# sources inserts ~60 times). The definitions do not change once a load has begun inserting.
_COLUMN_ORDER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _column_order(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    known = _COLUMN_ORDER.setdefault(con, {})
    if table not in known:
        known[table] = [c for c, in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND database_name = current_database() AND table_name = ? ORDER BY column_index", [table]).fetchall()]
    return known[table]


_COURSE_VERSION_FIELDS = ("title", "series", "description", "bullets", "audience", "lengths")
_VARIANT_VERSION_FIELDS = ("duration_text", "duration_hours", "duration_hours_max", "delivery_mode", "n_listings")


def content_hash(row: dict, fields: tuple[str, ...]) -> str:
    return _hash_values([row.get(f) for f in fields])


def _hash_values(values: list) -> str:
    payload = json.dumps(values, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


_HASH_SLICE = 8_192  # rows of an Arrow column made Python values at once, for their content_hash


def _objects_table(objects: list, fields: tuple[str, ...], version_fields: tuple[str, ...]) -> pa.Table:
    """Dataclass objects (courses, variants) as an Arrow table built column by column, with the
    content_hash of each row's version fields (no dict per row)."""
    return pa.concat_tables(_objects_parts(objects, fields, version_fields))


def _objects_parts(objects: list, fields: tuple[str, ...], version_fields: tuple[str, ...]) -> Iterator[pa.Table]:
    """_objects_table a BATCH_ROWS slice at a time. Grouping's Courses / Variants are held as
    columns already, the texts as Arrow arrays taken from the listing table: those go into the
    table as they are, and become Python values only a slice at a time, for the hash (at 100,000
    listings, a Python copy of every course's description and bullets was the run's peak of
    memory)."""
    if hasattr(objects, "column_as_held"):
        data = {f: objects.column_as_held(f) for f in fields}
    else:
        data = {f: [getattr(o, f) for o in objects] for f in fields}
    schema = _OBJECT_SCHEMAS["courses" if "course_id" == fields[0] else "course_variants"]
    n = len(objects)
    for start in range(0, n, BATCH_ROWS) if n else [0]:
        part = {f: data[f][start:start + BATCH_ROWS] for f in fields}
        hashes: list[str] = []
        for at in range(0, len(part[fields[0]]), _HASH_SLICE):
            cols = [part[f][at:at + _HASH_SLICE] for f in version_fields]
            cols = [c if isinstance(c, list) else c.to_pylist() for c in cols]
            hashes += [_hash_values(list(vals)) for vals in zip(*cols)]
        part["content_hash"] = hashes
        # (grouping holds its few repeated texts as Arrow dictionaries: the table has the texts)
        yield pa.table({f: part[f] if isinstance(part[f], list) else part[f].cast(schema.field(f).type)
                        for f in schema.names}, schema=schema)


_TEXT_LIST = pa.list_(pa.string())
_OBJECT_SCHEMAS = {
    "courses": pa.schema([("course_id", pa.string()), ("provider", pa.string()), ("source", pa.string()),
                          ("title", pa.string()), ("series", pa.string()), ("description", pa.string()),
                          ("bullets", _TEXT_LIST), ("audience", pa.string()), ("key_kind", pa.string()),
                          ("lengths", _TEXT_LIST), ("min_hours", pa.float64()), ("max_hours", pa.float64()),
                          ("n_variants", pa.int64()), ("n_listings", pa.int64()), ("content_hash", pa.string())]),
    "course_variants": pa.schema([("variant_id", pa.string()), ("course_id", pa.string()),
                                  ("duration_text", pa.string()), ("duration_hours", pa.float64()),
                                  ("duration_hours_max", pa.float64()), ("delivery_mode", pa.string()),
                                  ("join_reason", pa.string()), ("join_score", pa.float64()),
                                  ("n_listings", pa.int64()), ("content_hash", pa.string())]),
}


_COURSE_FIELDS = ("course_id", "provider", "source", "title", "series", "description", "bullets", "audience",
                  "key_kind", "lengths", "min_hours", "max_hours", "n_variants", "n_listings")
_VARIANT_FIELDS = ("variant_id", "course_id", "duration_text", "duration_hours", "duration_hours_max",
                   "delivery_mode", "join_reason", "join_score", "n_listings")


_LISTING_ID_FIELDS = ("title_as_written", "series", "duration_text", "delivery_mode", "link", "description",
                      "bullets", "notes", "prerequisites", "availability")


def listing_ids(listings: list[Listing]) -> list[str]:
    """Content-derived listing ids: ``l_`` + 16 hex digits of the SHA-256 of the source and the
    block's content (title as written, programme, length, delivery, link, text, notes, ...),
    then ``-2``, ``-3``... for the second, third... identical block of the source, in page order.
    A block keeps its id when other blocks are added, removed or moved; ``position`` says where
    it is on its page."""
    return listing_id_array(listings).to_pylist()


def listing_id_array(listings: list[Listing]) -> pa.Array:
    """listing_ids as an Arrow array. The hashes are made _IDS_SLICE rows at a time (all fields
    of a million listings as Python objects at once were the peak of a million-listing run),
    and only the rows whose hash another row shares are numbered in Python (a dict of every
    id seen was ~100 MB at a million)."""
    parts = ([ListingBatch(listings.table.slice(start, _IDS_SLICE)) for start in range(0, len(listings), _IDS_SLICE)]
             if isinstance(listings, ListingBatch) else [listings])
    chunks = []
    for part in parts:
        source, *cols = listing_columns(part, ("source", *_LISTING_ID_FIELDS))
        chunks.append(pa.array(["l_" + hashlib.sha256(json.dumps([src, *values], ensure_ascii=False).encode())
                                .hexdigest()[:16] for src, *values in zip(source, *cols)], pa.string()))
        del source, cols
    base = pa.concat_arrays(chunks) if chunks else pa.array([], pa.string())
    del chunks
    counts = pc.value_counts(base)
    shared = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    del counts
    if not len(shared):
        return base
    copies = pc.is_in(base, value_set=shared)
    seen: dict[str, int] = {}
    numbered = []
    for b in base.filter(copies).to_pylist():  # in page order: the first keeps the hash, then -2, -3...
        n = seen[b] = seen.get(b, 0) + 1
        numbered.append(b if n == 1 else f"{b}-{n}")
    return pc.replace_with_mask(base, copies, pa.array(numbered, pa.string()))


_IDS_SLICE = 16_384


def listing_table(load: SourceLoad) -> pa.Table:
    """The listings of one source as an Arrow table: a ListingBatch's own columns, or built
    column by column from models (no row dicts: at 100,000 listings those cost hundreds of MB)."""
    return pa.concat_tables(_listing_parts(load))


def _listing_parts(load: SourceLoad) -> Iterator[pa.Table]:
    """listing_table a BATCH_ROWS slice at a time (the listings' own columns, their ids, course
    and variant): a spooled source never holds its listings twice."""
    ls, g = load.listings, load.grouping
    n = len(ls)
    ids = listing_id_array(ls)
    if isinstance(ls, ListingBatch):
        table = ls.table
    else:
        table = pa.table({f: [getattr(l, f) for l in ls] for f in Listing.model_fields},
                         schema=listing_arrow_schema())
    course_of = g.course_of.arrow if g else pa.nulls(n, pa.string())
    variant_of = g.variant_of.arrow if g else pa.nulls(n, pa.string())
    names = columns("listings")
    for start in range(0, n, BATCH_ROWS) if n else [0]:
        part = table.slice(start, BATCH_ROWS)
        data = {f: part.column(f) for f in part.column_names}
        data["listing_id"] = ids.slice(start, BATCH_ROWS)
        data["course_id"] = course_of.slice(start, BATCH_ROWS)
        data["variant_id"] = variant_of.slice(start, BATCH_ROWS)
        yield pa.table({c: data[c] for c in names})


def rows_for(load: SourceLoad) -> dict[str, pa.Table]:
    """The current-state tables of one loaded source as Arrow tables (listings, courses with
    their content_hash, course_variants with theirs), built column by column (or as `columnar`
    built them)."""
    if load.tables is not None:
        return load.tables.to_tables()
    return {name: pa.concat_tables(parts) for name, parts in _table_parts(load).items()}


def _table_parts(load: SourceLoad) -> dict[str, Iterator[pa.Table]]:
    g = load.grouping
    return {"listings": _listing_parts(load),
            "courses": _objects_parts(g.courses if g else [], _COURSE_FIELDS, _COURSE_VERSION_FIELDS),
            "course_variants": _objects_parts(g.variants if g else [], _VARIANT_FIELDS, _VARIANT_VERSION_FIELDS)}


# A source of fewer listings keeps its tables in memory even where spooling is asked for: they
# are small, and writing them costs each of a night's many small sources time (the load keeps
# them until it ends, for another attempt). 20,000 let the 100k run's 10,000 AUPE listings stay
# in memory through the load: ~10 MB over the 400 MB target.
SPOOL_LISTINGS = 5_000


def columnar(load: SourceLoad, spool: Path | None = None) -> SourceLoad:
    """Build a loaded source's tables now and drop its listings' and grouping's objects: the one
    Python object per course and variant would otherwise live on through the load (at 100,000
    listings ~160 MB of objects against ~55 MB of Arrow). With ``spool`` (a folder), a source of
    SPOOL_LISTINGS listings or more writes its tables there a batch at a time (warehouse.package)
    and holds none of them in memory. Returns the same load."""
    if load.status == "loaded" and load.kind == "courses" and load.tables is None:
        if spool is None or len(load.listings) < SPOOL_LISTINGS:
            load.tables = SourceTables.in_memory(rows_for(load))
        else:
            schemas = {name: _load_schema(name, load) for name in ("listings", "courses", "course_variants")}
            load.tables = SourceTables.spooled(spool, load.source, _table_parts(load), schemas)
            load.listings = []
        load.grouping = None
        _trim_heap()
    return load


def _load_schema(name: str, load: SourceLoad) -> pa.Schema:
    """The Arrow schema of a load table: the listings' own columns with their ids, course and
    variant; the courses' and variants' columns with their content_hash."""
    if name != "listings":
        return _OBJECT_SCHEMAS[name]
    own = load.listings.table.schema if isinstance(load.listings, ListingBatch) else listing_arrow_schema()
    return pa.schema([own.field(c) if c in own.names else pa.field(c, pa.string()) for c in columns("listings")])


def _trim_heap() -> None:
    """Hand the C heap's free pages back to the system after a big free (glibc's malloc_trim;
    nothing elsewhere): after a 100,000-listing grouping is dropped, RSS falls by ~50 MB more."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def publish(db_path: str | Path, run: RunRecord, loads: list[SourceLoad], *, locked: bool = False,
            release: bool = False) -> None:
    """Write the run and its loaded sources into the warehouse, all or nothing.

    Takes the writer lock unless the caller holds it already (``locked=True``). With
    ``release=True`` each loaded source's listings, tables and grouping are taken from its
    SourceLoad when the load begins (the caller has no further use for them: the flow); a big
    source's tables are spooled to disk by then (columnar), and are read a batch at a time.
    """
    db_path = Path(db_path)
    with (nullcontext() if locked else writer_lock(db_path)):
        # Left by a run that was killed (we hold the lock); not this run's spooled tables.
        remove_stale_files(db_path, keep=spool_folder(db_path))
        if not any(l.status == "loaded" for l in loads) and record_in_place(db_path, run, loads):
            return
        try:
            _publish_attempts(db_path, run, loads, release)
        finally:  # the sources' spooled tables (warehouse.package) are done with
            shutil.rmtree(spool_folder(db_path), ignore_errors=True)


def _publish_attempts(db_path: Path, run: RunRecord, loads: list[SourceLoad], release: bool) -> None:
    """publish under each memory budget in turn (load_memory_budgets), until one is enough."""
    budgets = load_memory_budgets()
    # What the loads hold, given back to them for another attempt (a released load lets go of
    # its references; the tables themselves are kept until the load ends: on disk for a big
    # source, in memory for a small one).
    held = [(l, l.listings, l.tables, l.grouping) for l in loads]
    for attempt, budget in enumerate(budgets):
        token = _BUDGET.set(budget)
        try:
            _publish_copy(db_path, run, loads, release)
            return
        except duckdb.Error as exc:
            if not _out_of_memory(exc):
                raise WarehouseError(f"{db_path}: the load failed and nothing was changed: {exc}") from exc
            mb = budget // 2**20
            if attempt + 1 < len(budgets):
                _log.warning("%s: the load needed more than DuckDB's indexes + %d MB; starting it again with %d MB",
                             db_path, mb, budgets[attempt + 1] // 2**20)
                for load, listings, tables, grouping in held:
                    load.listings, load.tables, load.grouping = listings, tables, grouping
                remove_stale_files(db_path, pid=os.getpid(), keep=spool_folder(db_path))
                continue
            raise WarehouseError(
                f"{db_path}: the load needed more than the memory it allows itself (DuckDB's indexes + {mb} MB) "
                f"and nothing was changed: set {LOAD_MEMORY_ENV} to more than {mb} (e.g. {mb * 4}) and run "
                f"again (DuckDB: {' '.join(str(exc).split('Possible solutions')[0].split())})") from exc
        finally:
            _BUDGET.reset(token)


def _out_of_memory(exc: duckdb.Error) -> bool:
    """DuckDB ran out of the memory it was allowed: an OutOfMemoryException, or a COMMIT that
    failed for it ("Failed to commit: could not allocate block", a TransactionException)."""
    return isinstance(exc, duckdb.OutOfMemoryException) or "could not allocate block" in str(exc)


def _publish_copy(db_path: Path, run: RunRecord, loads: list[SourceLoad], release: bool) -> None:
    """One attempt of publish: the run written into a copy of the warehouse, moved over it."""
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
    try:
        with held_against_writers(db_path) as source:
            if source is not None:
                with open(tmp, "wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
            if release:
                _write(tmp, run, loads, release=True)
            else:
                _write(tmp, run, loads)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, db_path)
        if hasattr(os, "O_DIRECTORY"):  # POSIX: make the rename durable
            dir_fd = os.open(db_path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    finally:
        remove_stale_files(db_path, pid=os.getpid(), keep=spool_folder(db_path))


# What a run leaves beside the warehouse while it works: .<db>.<pid>.tmp, its .wal, and the
# folder DuckDB spills to (.<db>.<pid>.tmp.tmp).
def spool_folder(db_path: str | Path) -> Path:
    """Where a run of this process spools its sources' load tables (warehouse.package): beside
    the warehouse, named as the load's working files, so the load removes it when it ends (and the
    next run, if this one was killed)."""
    db_path = Path(db_path)
    return db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp.spool")


def _stale_pattern(name: str, pid: int | None) -> re.Pattern:
    return re.compile(rf"^\.{re.escape(name)}\.{pid if pid is not None else '[0-9]+'}\.tmp(?:\..+)?$")


def remove_stale_files(db_path: Path, pid: int | None = None, keep: Path | None = None) -> list[Path]:
    """Remove the working files of earlier runs (or of the run ``pid``), but ``keep``: the copy,
    its write-ahead log, DuckDB's spill folder and a run's spooled load tables (spool_folder).
    Call it only while holding the writer lock. Returns what went."""
    pattern = _stale_pattern(db_path.name, pid)
    removed = []
    if not db_path.parent.is_dir():
        return removed
    for path in db_path.parent.iterdir():
        if pattern.match(path.name) and not (keep is not None and path.name == keep.name):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


def busy_error(db_path: Path, exc: BaseException) -> WarehouseBusy | None:
    """The one-line WarehouseBusy for DuckDB's 'Conflicting lock' error; None for any other error."""
    holder = _holder(exc)
    if holder is None:
        return None
    return WarehouseBusy(f"{db_path}: another process has it open for writing ({holder}); a refresh now would lose "
                         f"what it writes: close that session (open the warehouse read-only) and run again")


def _holder(exc: BaseException) -> str | None:
    """'PID 123, /usr/bin/python3' from DuckDB's lock error, None for any other error."""
    m = _LOCK_HOLDER.search(str(exc))
    if m:
        return f"PID {m[2]}, {m[1]}"
    if "Could not set lock" in str(exc):
        return "another process"
    return None


@contextmanager
def held_against_writers(db_path: Path) -> Iterator[object | None]:
    """Hold DuckDB's lock on the warehouse so that no other process can open it for writing,
    and yield the file open for reading (None while there is no warehouse yet).

    Stops with WarehouseBusy, naming the process, when one has the file open for writing: a
    copy made now would lose what that process commits. A write-ahead log left by a session
    that died (``<db>.wal``) holds committed writes: it is replayed into the file first.

    POSIX drops a process's locks on a file when any descriptor of it closes, so the reading
    handle stays open until the DuckDB connection is closed.
    """
    if not db_path.exists():
        yield None
        return
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        _replay_wal(db_path, wal)
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        busy = busy_error(db_path, exc)
        if busy:
            raise busy from None
        raise WarehouseError(f"{db_path}: cannot open the warehouse: {' '.join(str(exc).split())}") from exc
    fh = open(db_path, "rb")
    try:
        yield fh
    finally:
        con.close()
        fh.close()


def _replay_wal(db_path: Path, wal: Path) -> None:
    """Apply a left-over write-ahead log to the warehouse (open read-write, checkpoint), or stop."""
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.Error as exc:
        busy = busy_error(db_path, exc)
        if busy:
            raise busy from None
        raise WarehouseError(
            f"{db_path}: {wal.name} holds writes of a session that did not close, and they cannot be replayed "
            f"({' '.join(str(exc).split())}); nothing was changed: move {wal.name} away to drop them") from exc
    try:
        con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise WarehouseError(f"{db_path}: cannot apply {wal.name}: {' '.join(str(exc).split())}; nothing was changed") from exc
    finally:
        con.close()
    if wal.exists():
        raise WarehouseError(f"{db_path}: {wal.name} was left by a session that did not close, and DuckDB could not "
                             f"apply it; nothing was changed: move {wal.name} away to drop it")


def record_in_place(db_path: Path, run: RunRecord, loads: list[SourceLoad]) -> bool:
    """Record a run that loaded nothing (every source unchanged or failed) in the warehouse
    file itself, in one transaction: its run, source_runs, pages and block_errors rows, and
    nothing else (no copy of the file, no definitions applied). Returns False, having changed
    nothing, where the copy-and-rename publish must do it instead: no warehouse yet, its
    definitions are not this version's (``warehouse.ddl.definitions_current``), or another
    process has the file open (readers keep their view only through the copy; a writer is then
    named by the copy's own check). The caller holds the writer lock.

    Safe as the copy is: DuckDB's own lock keeps every other process out while the transaction
    runs; a left-over write-ahead log is replayed first (or the run stops, as the copy does);
    a failure rolls the transaction back, and a run killed before COMMIT leaves the file as it
    was (DuckDB writes the log at commit); one killed after it leaves a committed log, which
    the next open replays."""
    if not db_path.exists():
        return False
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        _replay_wal(db_path, wal)
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.Error as exc:
        if _holder(exc) is not None:
            return False
        raise WarehouseError(f"{db_path}: cannot open the warehouse: {' '.join(str(exc).split())}") from exc
    try:
        if not definitions_current(con):
            return False
        con.execute("BEGIN TRANSACTION")
        try:
            _record_run(con, run, loads, n_courses=0)
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise
    except duckdb.Error as exc:
        raise WarehouseError(f"{db_path}: recording the run failed and nothing was changed: {exc}") from exc
    finally:
        # Closing the last connection checkpoints the committed log into the file (cheaper than
        # an explicit CHECKPOINT before it: 45-95 ms against 110-125 ms + 16 ms at 13 MB).
        con.close()
    if wal.exists():  # the close did not checkpoint (e.g. it failed): apply the log now
        _replay_wal(db_path, wal)
    return True


def _record_run(con: duckdb.DuckDBPyConnection, run: RunRecord, loads: list[SourceLoad], n_courses: int,
                n_listings: list[int] | None = None) -> None:
    """The run's own rows: block_errors, pages and source_runs of every source, then runs
    (``n_listings``: each load's count, taken before a released load dropped its listings).

    One INSERT per table for all the sources together: a statement costs ~7 ms whatever its
    size, and on an unchanged night these few rows are the whole of the work."""
    n_listings = n_listings if n_listings is not None else [l.n_listings for l in loads]
    # Unreadable blocks are kept even when their source failed its checks.
    _insert(con, "block_errors", [{"run_id": run.run_id, "source": load.source, **asdict(e)}
                                  for load in loads for e in load.errors])
    _insert(con, "pages", [{**p, "run_id": run.run_id} for load in loads for p in load.pages])
    _insert(con, "source_runs", [{
        "run_id": run.run_id, "source": load.source, "status": load.status,
        "n_pages": len(load.pages), "n_listings": n,
        "n_block_errors": len(load.errors), "message": load.message,
    } for load, n in zip(loads, n_listings)])
    _insert(con, "runs", [{
        **asdict(run), "n_pages": sum(len(l.pages) for l in loads),
        "n_listings": sum(n_listings), "n_courses": n_courses,
    }])


# DuckDB keeps the rows a transaction inserts in memory until COMMIT, unless its memory limit
# makes it spill them to its temporary directory (beside the working copy, removed with it);
# the primary keys' ART indexes cannot be spilled. So the load sets the limit to the indexes'
# size so far plus a fixed budget for table data and queries, again before each slice of
# INSERT_SLICE rows of a big table (whose index entries then fit in the budget): at 100,000
# listings the transaction holds ~100 MB instead of ~290 MB, and at a million the limit grows
# with the indexes only (a fixed limit below them fails the load with an out-of-memory error).
# The load runs DuckDB on one thread: a scan of the transaction's own rows (a DELETE's lookup)
# pins a whole row group per thread (122,880 courses are ~60 MB): at a million listings the
# load failed out of memory with a budget of 64 MB on two threads and of 96 MB on one; 128 MB
# on one thread passed on the 100k tables repeated, but a whole 1M pipeline (its tables then
# held in memory through the load) still failed so (see bench/RESULTS.md).
#
# Unset, the load starts with 200 MB (the first night of a million listings, its tables spooled
# and its changes decided before the transaction, then takes 922 MB in all, against 981 MB with
# 256; with 160 its COMMIT failed) and, if DuckDB needs more, starts again from the untouched
# warehouse with 1 GB, then 4 GB (DEFAULT_LOAD_MEMORY_MB): a night that replaces a million
# courses needs more than 256 MB (its UPDATEs are held in memory); most nights need far less
# (a night that fails for want of memory the machine has is worse than a bigger peak). A budget
# set by the operator (COURSES_LOAD_MEMORY_MB) is kept to: such a load fails instead, with the
# message that names the setting.
LOAD_MEMORY_ENV = "COURSES_LOAD_MEMORY_MB"
_log = logging.getLogger("courses.load")
DEFAULT_LOAD_MEMORY_MB = (200, 1024, 4096)
_BUDGET: contextvars.ContextVar[int | None] = contextvars.ContextVar("load_memory_budget", default=None)


def load_memory_budgets() -> list[int]:
    """The budgets (bytes) a load tries in turn: COURSES_LOAD_MEMORY_MB alone, else the defaults."""
    if os.environ.get(LOAD_MEMORY_ENV, "").strip():
        return [_budget_from_env()]
    return [mb * 2**20 for mb in DEFAULT_LOAD_MEMORY_MB]


def load_memory_budget() -> int:
    """Bytes the load may use beside DuckDB's indexes now: the attempt's budget (publish sets
    it), else COURSES_LOAD_MEMORY_MB, else the first default."""
    attempt = _BUDGET.get()
    if attempt is not None:
        return attempt
    return load_memory_budgets()[0]


def _budget_from_env() -> int:
    raw = os.environ.get(LOAD_MEMORY_ENV, "").strip()
    try:
        mb = int(raw)
    except ValueError:
        mb = 0
    if mb <= 0:
        raise WarehouseError(f"{LOAD_MEMORY_ENV}={raw!r}: expected a whole number of megabytes above 0 (e.g. 1024)")
    return mb * 2**20
INSERT_SLICE = 16_384


def _bound_memory(con: duckdb.DuckDBPyConnection, index_copies: int = 1) -> None:
    """The load's memory limit: the indexes (``index_copies`` times: COMMIT builds the table's
    index from the transaction's, both alive at once) plus the load's budget (load_memory_budget)."""
    art = con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
                      "WHERE tag = 'ART_INDEX'").fetchone()[0]
    con.execute(f"SET memory_limit = '{(index_copies * art + load_memory_budget()) // 1024}KiB'")


def _insert_bounded(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, cols: list[str] | None = None) -> None:
    """_insert a big Arrow table a slice at a time, the memory limit set again before each."""
    for start in range(0, rows.num_rows, INSERT_SLICE):
        _bound_memory(con)
        _insert(con, table, rows.slice(start, INSERT_SLICE).combine_chunks(), cols)


# The working copy is attached with row groups of LOAD_ROW_GROUP rows and DuckDB writes each one
# to the file as soon as it is full (optimistic writes, one row group buffered), so the rows a
# transaction inserts do not wait in memory for COMMIT: with DuckDB's default (122,880-row
# groups, five buffered) every table of a 100,000-listing load stayed in memory (230 MB at
# COMMIT, measured with duckdb_memory()); with 16,384 rows and one buffered, ~70 MB. A
# rolled-back transaction's written blocks are freed (and the copy is removed anyway). The rows
# are the same; the published file is ~8% bigger (smaller groups compress a little less).
LOAD_ROW_GROUP = 16_384


def _connect_for_load(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    target = str(path).replace("'", "''")
    con.execute(f"ATTACH '{target}' AS warehouse (ROW_GROUP_SIZE {LOAD_ROW_GROUP})")
    con.execute("USE warehouse")
    con.execute("SET write_buffer_row_group_count = 1")
    return con


def _write(path: Path, run: RunRecord, loads: list[SourceLoad], *, release: bool = False) -> None:
    con = _connect_for_load(path)
    try:
        spill = str(path.with_name(path.name + ".tmp")).replace("'", "''")  # matches _stale_pattern
        con.execute(f"SET temp_directory = '{spill}'")
        con.execute("SET threads = 1")
        ensure_schema(con)
        loaded = [l for l in loads if l.status == "loaded"]
        n_courses = 0
        n_listings = [l.n_listings for l in loads]
        # Each course source's tables, and what its load will change (decided before the transaction).
        course_sources: list[tuple[str, SourceTables]] = []
        for load in loaded:
            if load.kind == "sessions":
                continue
            tables = load.tables if load.tables is not None else SourceTables.in_memory(rows_for(load))
            n_courses += tables.num_rows("courses")
            if release:  # the load holds the tables now (for another attempt too, see publish)
                load.listings, load.tables, load.grouping = [], None, None
            course_sources.append((load.source, tables))
            del tables
        sources = [(name, tables, plan) for (name, tables), plan in zip(course_sources, _plans(con, course_sources))]
        del course_sources
        con.execute("BEGIN TRANSACTION")
        # The loaded sources' listings are replaced: deleted all at once, before any is inserted
        # (a DELETE per source read back every row the sources before it had just inserted).
        replaced = [l.source for l in loaded if l.kind != "sessions"]
        if replaced:
            con.execute(f"DELETE FROM listings WHERE source IN ({', '.join('?' * len(replaced))})", replaced)
        while sources:
            source, tables, plan = sources.pop(0)
            _load_source(con, run, source, tables, plan)
            del tables, plan
        from warehouse.sessions import load_sessions, mark_duplicate_sessions

        for load in loaded:  # after the courses, which the sessions are linked to
            if load.kind == "sessions":
                load.session_counts = load_sessions(con, run.run_id, run.started_at.date(), load.source, load.sessions)
        write_workshop_pages(con, run.run_id, run.started_at.date(), loaded)  # after the courses they link to
        mark_duplicate_sessions(con)  # after every source's sessions
        _bound_memory(con)
        resolve_course_titles(con)  # after courses and sessions (and before news, which matches titles)
        write_schools(con, loaded)
        write_news(con, loaded)
        refresh_prerequisites(con)
        _record_run(con, run, loads, n_courses, n_listings)
        # (COMMIT builds each table's index from the transaction's. Allowed twice the indexes,
        # DuckDB took ~40 MB more at a million listings' first night than allowed once, which it
        # fits in; a COMMIT that does not fit fails the attempt, and the next budget is tried.)
        _bound_memory(con)
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


@dataclass(slots=True)
class _Plan:
    """What one source's load changes, decided before the transaction (see _plan)."""

    courses: pa.Table           # a row per new course, in order: changed, known, active, first_seen_run, first_seen_at
    gone: pa.Array              # ids of the source's active courses that left
    known_changed: pa.Array     # ids of the changed courses the source had (their versions end)
    returning: pa.Array         # ids of courses that come back (their old variants go)
    variants: pa.Table          # a row per new variant, in order: changed, known
    removed_variants: pa.Array  # variants of the courses that left (kept as they were, their versions end)
    gone_variants: pa.Array     # variants of courses still here that left
    known_changed_variants: pa.Array
    # The changed courses and variants whose rows are in the warehouse already, or will be
    # (another source of the run): those rows are replaced wherever they are.
    changed: pa.Array
    changed_variants: pa.Array


def _plans(con: duckdb.DuckDBPyConnection, sources: list[tuple[str, SourceTables]]) -> list[_Plan]:
    """Compare each source's new courses and variants (ids and content hashes) with the
    warehouse's, in DuckDB and before the load's transaction begins: nothing the transaction
    writes before a source's load touches that source's courses, and outside a transaction DuckDB
    lets go of the registered Arrow tables at once (inside one it holds them until COMMIT). The
    ids of a million listings as Python objects, and the previous night's as a dict, were most
    of a big load's memory. Every source's ids are registered at once: a course (or variant) of
    the same id in another source of the run is replaced as one already in the warehouse is."""
    names = [(f"new_courses_{k}", f"new_variants_{k}") for k in range(len(sources))]
    for (new, new_v), (_, tables) in zip(names, sources):
        con.register(new, _keyed(tables, "courses", "course_id"))
        con.register(new_v, _keyed(tables, "course_variants", "variant_id"))
    try:
        plans = []
        for k, (source, _) in enumerate(sources):
            others = [n for j, n in enumerate(names) if j != k]
            plans.append(_plan(con, source, *names[k],
                               " UNION ALL ".join(f"SELECT course_id FROM {c}" for c, _ in others),
                               " UNION ALL ".join(f"SELECT variant_id FROM {v}" for _, v in others)))
        return plans
    finally:
        for new, new_v in names:
            con.unregister(new)
            con.unregister(new_v)


def _plan(con: duckdb.DuckDBPyConnection, source: str, new: str, new_v: str, others: str, others_v: str) -> _Plan:
    """One source's _Plan: ``new`` and ``new_v`` name its courses' and variants' ids, hashes and
    row numbers; ``others`` and ``others_v`` are queries of the other sources' ids ("" if none)."""
    # Each new course, in the table's order: changed (new, back, or another content), and
    # what the warehouse knew of it.
    seen = _arrow(con.execute(
        f"SELECT n.course_id, "
        f"o.course_id IS NULL OR o.status <> 'active' OR o.content_hash <> n.content_hash AS changed, "
        f"o.course_id IS NOT NULL AS known, coalesce(o.status = 'active', false) AS active, "
        f"o.first_seen_run, o.first_seen_at "
        f"FROM {new} n LEFT JOIN (SELECT * FROM courses WHERE source = ?) o USING (course_id) ORDER BY n.row",
        [source]))
    gone = _ids(con, f"SELECT course_id FROM courses WHERE source = ? AND status = 'active' "
                     f"AND course_id NOT IN (SELECT course_id FROM {new})", [source])
    # The variants of the courses that were active before this run: a course that comes
    # back opens new versions of all its variants.
    old_v = ("SELECT v.variant_id, v.content_hash FROM course_variants v JOIN courses c USING (course_id) "
             "WHERE c.source = ? AND c.status = 'active'")
    v_seen = _arrow(con.execute(
        f"SELECT n.variant_id, o.content_hash IS DISTINCT FROM n.content_hash AS changed, "
        f"o.variant_id IS NOT NULL AS known "
        f"FROM {new_v} n LEFT JOIN ({old_v}) o USING (variant_id) ORDER BY n.row", [source]))
    # The changed ones whose rows are somewhere already, or will be (another source of the
    # run): those rows are replaced. (A new course is in no table yet: most of a first night.)
    elsewhere = f"SELECT course_id FROM courses" + (f" UNION ALL {others}" if others else "")
    changed_ids = _ids(
        con,
        f"SELECT n.course_id AS id FROM {new} n LEFT JOIN (SELECT * FROM courses WHERE source = ?) o "
        f"USING (course_id) WHERE (o.course_id IS NULL OR o.status <> 'active' OR o.content_hash <> n.content_hash) "
        f"AND n.course_id IN ({elsewhere})", [source])
    elsewhere_v = f"SELECT variant_id FROM course_variants" + (f" UNION ALL {others_v}" if others_v else "")
    changed_vids = _ids(
        con,
        f"SELECT n.variant_id AS id FROM {new_v} n LEFT JOIN ({old_v}) o USING (variant_id) "
        f"WHERE o.content_hash IS DISTINCT FROM n.content_hash AND n.variant_id IN ({elsewhere_v})", [source])
    removed_v = _ids(con, f"SELECT v.variant_id FROM course_variants v JOIN courses c USING (course_id) "
                          f"WHERE c.source = ? AND c.status = 'active' "
                          f"AND c.course_id NOT IN (SELECT course_id FROM {new})", [source])
    v_gone = _ids(con, f"SELECT o.variant_id FROM ({old_v}) o JOIN course_variants v USING (variant_id) "
                       f"JOIN courses c ON c.course_id = v.course_id "
                       f"WHERE o.variant_id NOT IN (SELECT variant_id FROM {new_v}) "
                       f"AND c.course_id IN (SELECT course_id FROM {new})", [source])
    changed, known = seen.column("changed"), seen.column("known")
    ids, vids = seen.column("course_id"), v_seen.column("variant_id")
    return _Plan(
        courses=seen.drop_columns(["course_id"]),
        gone=gone,
        known_changed=pc.filter(ids, pc.and_(changed, known)),
        returning=pc.filter(ids, pc.and_(changed, pc.and_(known, pc.invert(seen.column("active"))))),
        variants=v_seen.drop_columns(["variant_id"]),
        removed_variants=removed_v,
        gone_variants=v_gone,
        known_changed_variants=pc.filter(vids, pc.and_(v_seen.column("changed"), v_seen.column("known"))),
        changed=changed_ids, changed_variants=changed_vids)


def _ids(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pa.Array:
    """The first column of a query's rows, as an Arrow array."""
    return _arrow(con.execute(sql, params)).column(0).combine_chunks()


def _load_source(con: duckdb.DuckDBPyConnection, run: RunRecord, source: str, tables: SourceTables,
                 plan: _Plan) -> None:
    """Replace one source's current state and extend its history, as _plan decided.

    Listings are replaced (_write deleted the old ones). Courses are upserted: new ones added
    (first seen now), ones that left marked removed (never deleted), ones that came back marked
    active. A course or variant whose content changed gets a new history version.
    Nothing is written for what did not change, so loading the same pages twice
    leaves these tables as they were.

    The tables are read a batch at a time (warehouse.package), and the changed rows inserted
    batch by batch.
    """
    at = run.started_at
    for part in tables.batches("listings"):  # (the source's old listings deleted by _write)
        _insert_bounded(con, "listings", part)

    # Course history: close the versions that ended (the new ones are opened below).
    _close_versions(con, "course_history", "course_id", plan.gone, run)
    _close_versions(con, "course_history", "course_id", plan.known_changed, run)
    if len(plan.gone):
        with _id_set(con, plan.gone) as ids:
            con.execute(f"UPDATE courses SET status = 'removed', removed_run = ? "
                        f"WHERE course_id IN (SELECT id FROM {ids})", [run.run_id])
            # course_topics holds current courses only; a course that comes back gets its topics again.
            con.execute(f"DELETE FROM course_topics WHERE course_id IN (SELECT id FROM {ids})")
    if len(plan.returning):
        # A returning course keeps none of the variants it had when it left: the ones on the
        # page now are inserted (and open history versions) below.
        with _id_set(con, plan.returning) as ids:
            con.execute(f"DELETE FROM course_variants WHERE course_id IN (SELECT id FROM {ids})")
    # The rows of the changed courses, wherever they are (another source's course of the same id too).
    if len(plan.changed):
        _delete_present(con, "courses", "course_id", plan.changed)
        _delete_present(con, "course_topics", "course_id", plan.changed)
    # The changed courses, a batch at a time: their history version, their row, their topics.
    # A catalogue title is the catalogue's own (title_source); resolve_course_titles then only
    # visits the courses without one (at 100,000 listings: 92k title updates and topics less).
    topic_schema = pa.schema([(c, pa.string()) for c in ("course_id", "topic", "rule")])
    for rows, known in _flagged(tables.batches("courses"), plan.courses):
        _insert_bounded(con, "course_history", _with(rows, valid_from_run=run.run_id, valid_from=at),
                        cols=_present("course_history", rows, "valid_from_run", "valid_from"))
        titles = rows.column("title")
        first_run = pc.fill_null(known.column("first_seen_run"), pa.scalar(run.run_id, pa.string()))
        first_at = known.column("first_seen_at")
        first_at = pc.fill_null(first_at, pa.scalar(at, first_at.type)) if first_at.null_count else first_at
        course_rows = _with(rows, status="active", first_seen_run=first_run.combine_chunks(),
                            first_seen_at=first_at.combine_chunks(),
                            removed_run=pa.nulls(rows.num_rows, pa.string()),
                            title_source=pc.if_else(pc.is_null(titles), pa.scalar(None, pa.string()),
                                                    pa.scalar("catalogue")).combine_chunks())
        _insert_bounded(con, "courses", course_rows, cols=_present("courses", course_rows))
        del course_rows
        # Topics follow the course's content: recomputed for the courses that changed.
        topic_rows = {"course_id": [], "topic": [], "rule": []}
        text = rows.select(["course_id", "title", "series", "description", "bullets"])
        for cid, title, series, description, bullets in zip(*(col.to_pylist() for col in text.columns)):
            for topic, rule in assign_topics(title, series, description, bullets):
                topic_rows["course_id"].append(cid)
                topic_rows["topic"].append(topic)
                topic_rows["rule"].append(rule)
        del text
        _insert_bounded(con, "course_topics", pa.table(topic_rows, schema=topic_schema),
                        cols=["course_id", "topic", "rule"])
        del topic_rows

    # Variants of the courses on the page now: the same, version by version. Variants of
    # removed courses stay as they last were (not deleted); only their history versions end.
    for ids in (plan.removed_variants, plan.gone_variants, plan.known_changed_variants):
        _close_versions(con, "variant_history", "variant_id", ids, run)
    if len(plan.gone_variants):
        with _id_set(con, plan.gone_variants) as ids:
            con.execute(f"DELETE FROM course_variants WHERE variant_id IN (SELECT id FROM {ids})")
    if len(plan.changed_variants):
        _delete_present(con, "course_variants", "variant_id", plan.changed_variants)
    for rows, _ in _flagged(tables.batches("course_variants"), plan.variants):
        _insert_bounded(con, "variant_history", _with(rows, valid_from_run=run.run_id, valid_from=at),
                        cols=_present("variant_history", rows, "valid_from_run", "valid_from"))
        _insert_bounded(con, "course_variants", rows, cols=_present("course_variants", rows))


def _keyed(tables: SourceTables, name: str, key: str) -> pa.Table:
    """A load table's key and content hash, with each row's number (``row``), for comparing in DuckDB."""
    table = tables.read(name, [key, "content_hash"])
    return table.append_column("row", pa.array(range(table.num_rows), pa.int64()))


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, table: pa.Table) -> Iterator[str]:
    """An Arrow table as a temporary table of the connection (dropped after). Copied in, not a
    registered view: inside a transaction DuckDB keeps a registered view's Arrow table alive
    until COMMIT (a million courses' and variants' ids and hashes: ~110 MB through the load)."""
    name = f"arrow_{next(_TEMP_NAMES)}"
    con.execute(f"CREATE TEMP TABLE {name} ({', '.join(f'{_quote(f.name)} {_SQL_TYPES[f.type]}' for f in table.schema)})")
    try:
        if table.num_rows:
            con.from_arrow(table).insert_into(f"temp.main.{name}")
        del table  # (DuckDB holds its own copy)
        yield name
    finally:
        try:
            con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")
        except duckdb.Error:  # the transaction failed (its own error is the one raised); the table goes with it
            pass


_TEMP_NAMES = itertools.count(1)
_SQL_TYPES = {pa.string(): "VARCHAR", pa.large_string(): "VARCHAR", pa.string_view(): "VARCHAR",
              pa.int64(): "BIGINT", pa.bool_(): "BOOLEAN"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _flagged(batches: Iterator[pa.Table], seen: pa.Table) -> Iterator[tuple[pa.Table, pa.Table]]:
    """The rows of each batch whose ``changed`` flag (a row of ``seen`` per row of the whole
    table, in order) is set, with their rows of ``seen``."""
    offset = 0
    seen = seen.combine_chunks()
    flags = seen.column("changed").combine_chunks()
    for part in batches:
        n = part.num_rows
        mine = flags.slice(offset, n)
        mine_seen = seen.slice(offset, n)
        offset += n
        if mine.true_count == n:
            yield part, mine_seen
        elif mine.true_count:
            yield part.filter(mine), mine_seen.filter(mine)


def _with(table: pa.Table, **values) -> pa.Table:
    """The table with more columns: a list or Arrow array per row, or one value for every row."""
    n = table.num_rows
    for name, v in values.items():
        if isinstance(v, (list, pa.Array)):
            table = table.append_column(name, pa.array(v) if isinstance(v, list) else v)
        elif isinstance(v, str):
            table = table.append_column(name, pa.array([v] * n, pa.string()))
        else:  # a timestamp: typed as Arrow infers it from the value (as the rows of dicts were)
            table = table.append_column(name, pa.array([v] * n))
    return table


def _present(table_name: str, table: pa.Table, *extra: str) -> list[str]:
    """The warehouse table's columns that the Arrow table holds (the others are NULL)."""
    have = set(table.column_names) | set(extra)
    return [c for c in columns(table_name) if c in have]


def _delete_present(con: duckdb.DuckDBPyConnection, table: str, key: str, ids: "Ids") -> None:
    """DELETE the rows of `table` whose `key` is in ids, the ones present looked up first: a
    DELETE over a big transaction's spilled rows pins them all (at a million listings it failed
    the load out of memory under the load's limit), and most ids are of new courses, in no table yet."""
    with _id_set(con, ids) as id_set:
        present = _arrow(con.execute(
            f"SELECT DISTINCT {key} AS id FROM {table} WHERE {key} IN (SELECT id FROM {id_set})")).column("id")
    if len(present):
        with _id_set(con, present) as id_set:
            con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT id FROM {id_set})")


def _close_versions(con, table: str, key: str, ids: "Ids", run: RunRecord) -> None:
    if isinstance(ids, str) or len(ids):
        with _id_set(con, ids) as id_set:
            con.execute(f"UPDATE {table} SET valid_to_run = ?, valid_to = ? "
                        f"WHERE valid_to_run IS NULL AND {key} IN (SELECT id FROM {id_set})",
                        [run.run_id, run.started_at])


# Ids for _id_set: a list, an Arrow array, or the name of a table of them (column ``id``).
Ids = "list[str] | pa.Array | pa.ChunkedArray | str"


def _arrow(result) -> pa.Table:
    """A query's result as an Arrow table (DuckDB's .arrow() gives a table or a batch reader)."""
    table = result.arrow()
    return table.read_all() if hasattr(table, "read_all") else table


@contextmanager
def _id_set(con: duckdb.DuckDBPyConnection, ids: Ids) -> Iterator[str]:
    """Ids as a table DuckDB reads (column ``id``): a table's name as it is; a list or an Arrow
    array as a temporary table (_registered; a Python list bound as a parameter costs DuckDB two
    failed pandas imports per element: 0.58 s for 10,000 ids against 0.06 s)."""
    if isinstance(ids, str):
        yield ids
        return
    column = ids if isinstance(ids, (pa.Array, pa.ChunkedArray)) else pa.array(ids, pa.string())
    with _registered(con, pa.table({"id": column})) as name:
        yield name
