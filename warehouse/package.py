"""A source's load tables between grouping and the load: held in memory, or spooled to disk.

The load takes each loaded source's tables (``listings``, ``courses``, ``course_variants``,
Arrow) from its SourceLoad. Built in the source's parse task and held until the one
transaction that loads every source, they were most of a big run's memory: at a million
listings ~1.1 GB of Arrow through the whole load. Spooled, each table is an Arrow IPC file
(``<folder>/<source>.<table>.arrow``), written a batch of rows at a time as it is built and
read back a batch at a time as it is inserted, so a run holds one batch of them at a time.

The files are the run's own working files: the flow puts them in a folder beside the
warehouse named like the load's other working files (``.<db>.<pid>.tmp.spool``), which the
load removes when it ends (not before: a load that runs out of its memory budget starts again
from them), and the next run removes if a run was killed.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

TABLES = ("listings", "courses", "course_variants")
BATCH_ROWS = 16_384  # rows a spooled table is written and read back in
# LZ4 frames: the files are a third of the Arrow they hold, and read back at the disk cache's speed.
_WRITE = ipc.IpcWriteOptions(compression="lz4")


class SourceTables:
    """One source's load tables, by name: ``num_rows``, ``batches`` (the load's inserts),
    ``read`` (whole columns). They stay readable until the load ends (a load that runs out of
    its memory budget starts again from them); a spooled source's files go with their folder."""

    __slots__ = ("_tables", "_files", "_rows", "_names")

    def __init__(self) -> None:
        self._tables: dict[str, pa.Table] = {}
        self._files: dict[str, Path] = {}
        self._rows: dict[str, int] = {}
        self._names: dict[str, list[str]] = {}  # a spooled table's columns, in the file's order

    @classmethod
    def in_memory(cls, tables: dict[str, pa.Table]) -> "SourceTables":
        out = cls()
        for name, table in tables.items():
            out._tables[name] = table
            out._rows[name] = table.num_rows
        return out

    @classmethod
    def spooled(cls, folder: Path, source: str, parts: dict[str, Iterable[pa.Table]],
                schemas: dict[str, pa.Schema]) -> "SourceTables":
        """Write each table's parts (tables of the same schema, in row order) to its file as they come."""
        out = cls()
        folder.mkdir(parents=True, exist_ok=True)
        for name, tables in parts.items():
            path = folder / f"{source}.{name}.arrow"
            rows = 0
            with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, schemas[name], options=_WRITE) as writer:
                for part in tables:
                    part = part.cast(schemas[name]) if part.schema != schemas[name] else part
                    for batch in part.to_batches(max_chunksize=BATCH_ROWS):
                        writer.write_batch(batch)
                    rows += part.num_rows
            out._files[name] = path
            out._rows[name] = rows
            out._names[name] = schemas[name].names
        return out

    @property
    def spooled_to(self) -> list[Path]:
        return list(self._files.values())

    def __contains__(self, name: str) -> bool:
        return name in self._rows

    def num_rows(self, name: str) -> int:
        return self._rows[name]

    def batches(self, name: str, columns: list[str] | None = None) -> Iterator[pa.Table]:
        """The table a batch of at most BATCH_ROWS rows at a time, in row order (each a Table of
        one chunk); only ``columns`` if given."""
        if name in self._tables:
            table = self._tables[name]
            if columns is not None:
                table = table.select(columns)
            for start in range(0, table.num_rows, BATCH_ROWS):
                yield table.slice(start, BATCH_ROWS).combine_chunks()
            return
        with pa.OSFile(str(self._files[name]), "rb") as source:
            reader = ipc.open_file(source, options=self._options(name, columns))
            for i in range(reader.num_record_batches):
                yield pa.Table.from_batches([reader.get_batch(i)])

    def read(self, name: str, columns: list[str] | None = None) -> pa.Table:
        """The whole table (or its ``columns``), in memory."""
        if name in self._tables:
            table = self._tables[name]
            return table.select(columns) if columns is not None else table
        with pa.OSFile(str(self._files[name]), "rb") as source:
            return ipc.open_file(source, options=self._options(name, columns)).read_all()

    def _options(self, name: str, columns: list[str] | None):
        if columns is None:
            return None
        names = self._names[name]
        missing = [c for c in columns if c not in names]
        if missing:
            raise KeyError(f"{self._files[name]}: no column {', '.join(missing)}")
        # included_fields reads the columns in the file's order: ask for them in that order.
        if [c for c in names if c in columns] != list(columns):
            raise ValueError(f"columns {columns} are not in the table's order {names}")
        return ipc.IpcReadOptions(included_fields=[names.index(c) for c in columns])

    def to_tables(self) -> dict[str, pa.Table]:
        """Every table, in memory (for tools and tests that compare them)."""
        return {name: self.read(name) for name in self._rows if name in self._tables or name in self._files}
