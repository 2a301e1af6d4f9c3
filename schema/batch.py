"""Runtime policy shared by the batch stages (parse, normalise, group), and the columnar
batch the listings travel in from normalise to load (``ListingBatch``).

They allocate millions of small objects and build no reference cycles, so the
cyclic garbage collector only costs them time: measured on 100,000 generated
listings, it was a third of grouping's time (4.1 s with it, 2.9 s without;
`python -m bench`). Reference counting still frees everything as usual.
"""
from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC for the block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- listings in columns ---------------------------------------------------------------

def _arrow_type(annotation) -> "pa.DataType":
    import typing

    import pyarrow as pa

    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    base = args[0] if typing.get_origin(annotation) is not list and args else annotation
    if typing.get_origin(base) is list:
        return pa.list_(pa.string())
    if base is int:
        return pa.int64()
    if base is float:
        return pa.float64()
    return pa.string()  # str, and the enums (stored by value)


@lru_cache(maxsize=1)
def listing_arrow_schema():
    """The Arrow schema of schema.models.Listing, field for field (worked out once: it is
    asked for by every batch, and reading the model's annotations costs more than the batch's
    smaller columns)."""
    import pyarrow as pa

    from schema.models import Listing

    return pa.schema([(name, _arrow_type(f.annotation)) for name, f in Listing.model_fields.items()])


class ListingBatch(Sequence):
    """Listings held as columns (an Arrow table), not as one model object per listing.

    What normalise produces and what grouping and the load read. Rows were validated by the
    Listing model on their way in (``from_models``); reading a column (``column``) or the
    whole table (``table``) never builds a model again. It is still a sequence of Listing:
    ``batch[i]`` and iteration build one model at a time, for the few callers (reports, tests)
    that want objects.
    """

    __slots__ = ("table",)

    def __init__(self, table=None) -> None:
        import pyarrow as pa

        self.table = table if table is not None else pa.Table.from_batches([], schema=listing_arrow_schema())

    @classmethod
    def from_models(cls, models: Sequence) -> "ListingBatch":
        """Columns of validated Listing models (the models may go once this returns)."""
        import pyarrow as pa

        schema = listing_arrow_schema()
        dicts = [m.__dict__ for m in models]
        cols = {name: [d[name] for d in dicts] for name in schema.names}
        return cls(pa.Table.from_pydict(cols, schema=schema))

    @classmethod
    def from_columns(cls, columns: dict[str, list]) -> "ListingBatch":
        """A batch of columns named by the Listing model's fields (all of one length; a field
        left out takes its default), validated column by column against each field's own type
        and constraints (``_column_validators``): the same contract as validating each row into
        a Listing (``from_models``), without building a model object per row (that validation
        was half of normalise's time). Where a column fails, the rows are validated as models,
        so the error raised is the model's own, naming the row and the field."""
        import pyarrow as pa
        from pydantic import ValidationError

        schema = listing_arrow_schema()
        validators = _column_validators()
        lengths = {len(v) for v in columns.values()}
        if len(lengths) == 1 and set(columns) <= set(validators):
            (n,) = lengths
            cols = {}
            try:
                for name in schema.names:
                    column = validators[name]
                    if name in columns:
                        cols[name] = column.validate_python(columns[name])
                    elif column.required:
                        raise KeyError(name)  # the model names the missing field
                    else:
                        cols[name] = [column.default] * n  # Arrow copies: sharing is safe
            except (ValidationError, KeyError):
                pass
            else:
                return cls(pa.Table.from_pydict(cols, schema=schema))
        from schema.models import LISTINGS

        names = list(columns)
        return cls.from_models(LISTINGS.validate_python([dict(zip(names, row)) for row in zip(*columns.values())]))

    @classmethod
    def concat(cls, batches: "Iterable[ListingBatch]") -> "ListingBatch":
        """The batches one after another, in order. Zero-copy: the table keeps each batch's
        buffers as a chunk (combining them would hold every listing twice at the peak)."""
        import pyarrow as pa

        tables = [b.table for b in batches]
        if not tables:
            return cls()
        return cls(pa.concat_tables(tables))

    def column(self, name: str, shared: bool = False) -> list:
        """One column as a Python list. ``shared``: one Python object per distinct value (for
        columns that repeat a few values, e.g. provider, source, programme, page URL), not one
        per row."""
        column = self.table.column(name)
        if not shared:
            return column.to_pylist()
        import pyarrow.compute as pc

        distinct = pc.unique(column)
        values = distinct.to_pylist()
        return list(map(values.__getitem__, pc.index_in(column, value_set=distinct, skip_nulls=False).to_pylist()))

    def __len__(self) -> int:
        return self.table.num_rows

    def __getitem__(self, i):
        from schema.models import Listing

        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        row = self.table.slice(i, 1).to_pylist()[0]
        return Listing.model_construct(**row)

    def __iter__(self) -> Iterator:
        from schema.models import Listing

        for batch in self.table.to_batches(max_chunksize=4096):
            for row in batch.to_pylist():
                yield Listing.model_construct(**row)

    def __setitem__(self, i: int, listing) -> None:
        """Replace one row (rare: a test that alters one listing)."""
        import pyarrow as pa

        rows = self.table.to_pylist()
        rows[i] = {name: getattr(listing, name) for name in self.table.column_names}
        self.table = pa.Table.from_pylist(rows, schema=self.table.schema)

    def __eq__(self, other) -> bool:
        if isinstance(other, ListingBatch):
            return self.table.equals(other.table)
        if isinstance(other, (list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return f"ListingBatch({len(self)} listings)"


# Rows per chunk of a source's listing table (ListingBatches). A page's batch is small (tens to
# a thousand listings); a table of a chunk per page makes every take of scattered rows (grouping
# folds again the texts it compares) pay per chunk: at a million listings, 900 chunks cost
# grouping ~2 s of Arrow calls.
CHUNK_ROWS = 65_536


class ListingBatches:
    """A source's page batches gathered into one ListingBatch whose chunks hold CHUNK_ROWS rows
    or so: the pages' batches are combined as they come, a chunk at a time, so that at most one
    chunk's rows are held twice. ``add`` each page's batch, then ``finish``."""

    __slots__ = ("_chunks", "_pending", "_pending_rows", "chunk_rows")

    def __init__(self, chunk_rows: int = CHUNK_ROWS) -> None:
        self._chunks: list = []   # combined tables
        self._pending: list = []  # page tables not combined yet
        self._pending_rows = 0
        self.chunk_rows = chunk_rows

    def add(self, batch: ListingBatch) -> None:
        self._pending.append(batch.table)
        self._pending_rows += batch.table.num_rows
        if self._pending_rows >= self.chunk_rows:
            self._combine()

    def _combine(self) -> None:
        import pyarrow as pa

        if self._pending:
            self._chunks.append(pa.concat_tables(self._pending).combine_chunks())
            self._pending, self._pending_rows = [], 0

    def __len__(self) -> int:
        return sum(t.num_rows for t in self._chunks) + self._pending_rows

    def finish(self) -> ListingBatch:
        """The listings in the order added (an empty batch if none); the builder is emptied."""
        self._combine()
        batch = ListingBatch.concat(ListingBatch(t) for t in self._chunks)
        self._chunks = []
        return batch


class _Column:
    """The validator of one Listing field over a whole column, and the field's default."""

    __slots__ = ("adapter", "default", "required")

    def __init__(self, adapter, default, required: bool) -> None:
        self.adapter = adapter
        self.default = default
        self.required = required

    def validate_python(self, values: list) -> list:
        return self.adapter.validate_python(values)


@lru_cache(maxsize=1)
def _column_validators() -> dict[str, _Column]:
    """One validator per Listing field: a list of the field's annotation with its constraints
    (``position``: ge=0) under the model's config (enum fields give their values)."""
    from typing import Annotated

    from pydantic import ConfigDict, TypeAdapter

    from schema.models import Listing

    config = ConfigDict(use_enum_values=Listing.model_config.get("use_enum_values", False))
    out = {}
    for name, f in Listing.model_fields.items():
        item = Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation
        default = None if f.is_required() else f.get_default(call_default_factory=True)
        out[name] = _Column(TypeAdapter(list[item], config=config), default, f.is_required())
    return out


def listing_columns(listings, names: Iterable[str], shared: Iterable[str] = ()) -> list[list]:
    """Columns of listings held either way: a ListingBatch, or a sequence of Listing models.
    The columns named in ``shared`` hold one object per distinct value (ListingBatch.column)."""
    if isinstance(listings, ListingBatch):
        shared = set(shared)
        return [listings.column(n, n in shared) for n in names]
    return [[getattr(l, n) for l in listings] for n in names]
