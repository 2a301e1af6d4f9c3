"""Group listings into courses and length variants.

Rules (precision before recall: two different courses must never be merged):

1. Listings are only ever compared within one *block*: the same provider and
   the same programme (series). SITES.md: the "Championing ..." modules of three
   programmes are different courses for different audiences.
2. Same title (after normalise.split_title removed programme prefix, delivery
   marker, length suffix; then folded, and a length at the very end removed) -> same
   course when the texts allow it: listings with the same text join; different texts
   join only at different lengths (two different texts at one length are two courses,
   e.g. three "Championing Human Rights" modules), and, where the titles differ in a
   length they name ("Financial Essentials 1 Day" / "2 Day"), only if the texts are at
   least SIMILARITY_THRESHOLD similar. A title shared by several courses gives each an id
   from its title and its text.
3. Where a title is missing: the same description (folded: case, white space,
   punctuation and length mentions) -> same course, unless the titled listings
   with that description disagree on their title.
4. Where titles are missing on both sides (candidates share the opening or
   closing 40 characters of their folded text): a reworded description joins only if
   it is at least SIMILARITY_THRESHOLD similar (rapidfuzz ratio on the folded
   text), the lengths differ, and the join puts no two different texts at one
   length into a course. See docs/grouping.md for how the threshold was chosen.
5. Identical listings (same length, delivery and text) collapse into one variant
   that counts them.

Course ids hash the provider, the programme and the course's key (its title
key where any member has a title, else its description key), so they do not
depend on row order, run number, sibling variants or a length suffix.
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz

from grouping.candidates import Runs, run_pairs, runs
from grouping.keys import description_key_arrays, plain_title_key, stable_id, title_key
from schema.batch import ListingBatch, listing_arrow_schema, listing_columns, paused_gc
from schema.models import Listing

SIMILARITY_THRESHOLD = 90.0
_BLOCK_CHARS = 40  # candidates share the first or the last 40 characters of their folded text
_MAX_CANDIDATES = 50  # a candidate bucket larger than this is too generic to compare
_TEXTS_BATCH = 32_768  # places of rule 4's runs whose pairs' texts are held as Python strings at once


@dataclass(slots=True)
class Variant:
    variant_id: str
    course_id: str
    duration_text: str | None
    duration_hours: float | None
    duration_hours_max: float | None
    delivery_mode: str | None
    join_reason: str
    join_score: float | None
    n_listings: int
    listing_indexes: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Course:
    course_id: str
    provider: str
    source: str
    title: str | None
    series: str | None
    description: str
    bullets: list[str]
    audience: str | None
    key_kind: str  # "title" | "description"
    lengths: list[str]
    min_hours: float | None
    max_hours: float | None
    n_variants: int
    n_listings: int


class _Rows(Sequence):
    """Rows held as columns (Python lists, or Arrow arrays for the texts taken from the listing
    table), not as one object per row: ``column(name)`` gives a column as a list; indexing and
    iteration build one row object (Course, Variant) at a time, for the readers that want them."""

    __slots__ = ("_columns", "_n")
    row_type: type
    fields: tuple[str, ...]

    def __init__(self, columns: dict[str, object] | None = None) -> None:
        self._columns = columns if columns is not None else {f: [] for f in self.fields}
        self._n = len(self._columns[self.fields[0]])

    def column(self, name: str) -> list:
        values = self._columns[name]
        return values if isinstance(values, list) else values.to_pylist()

    def column_as_held(self, name: str) -> "list | pa.Array | pa.ChunkedArray | _TakenTexts":
        """The column as held: a list, an Arrow array, or the courses' texts as _TakenTexts (the
        listing table's column at the courses' rows, taken a slice at a time: ``held[a:b]``)."""
        return self._columns[name]

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        values = []
        for f in self.fields:
            v = self._columns[f][i]
            values.append(v.as_py() if hasattr(v, "as_py") else v)
        return self.row_type(*values)

    def __iter__(self) -> Iterator:
        row = self.row_type
        for values in zip(*(self.column(f) for f in self.fields)):
            yield row(*values)

    def __eq__(self, other) -> bool:
        if isinstance(other, _Rows):
            return type(self) is type(other) and all(self.column(f) == other.column(f) for f in self.fields)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._n} rows)"


class Courses(_Rows):
    __slots__ = ()
    row_type = Course
    fields = tuple(f.name for f in dataclasses.fields(Course))


class Variants(_Rows):
    __slots__ = ()
    row_type = Variant
    fields = tuple(f.name for f in dataclasses.fields(Variant))


class Ids(Sequence):
    """One id per listing, held as an Arrow string array (``arrow``), not as a Python string per
    listing; indexing and iteration give str."""

    __slots__ = ("arrow",)

    def __init__(self, arrow: pa.Array | None = None) -> None:
        self.arrow = arrow if arrow is not None else pa.array([], pa.string())

    def __len__(self) -> int:
        return len(self.arrow)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self.arrow[i].to_pylist()
        return self.arrow[i].as_py()

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self.arrow), 65_536):
            yield from self.arrow.slice(start, 65_536).to_pylist()

    def __eq__(self, other) -> bool:
        if isinstance(other, Ids):
            return self.arrow.equals(other.arrow)
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    def __repr__(self) -> str:
        return f"Ids({len(self)} ids)"


@dataclass(slots=True)
class Grouping:
    courses: Courses      # sequence of Course, held as columns (Courses.column)
    variants: Variants    # sequence of Variant, held as columns
    course_of: Ids        # course_id per listing, in listing order
    variant_of: Ids       # variant_id per listing
    # The index of each course's first listing, and of each variant's course's (how the
    # courses' ties and the variants are ordered; what _merge orders partitions' rows by).
    course_first: pa.Array | None = field(default=None, repr=False, compare=False)
    variant_first: pa.Array | None = field(default=None, repr=False, compare=False)


class _TakenTexts:
    """A text column of the courses, not copied from the listings: ``column`` (the listing
    table's) at ``rows`` (each course's representative listing), taken a slice at a time when
    read (``texts[a:b]``, as the load builds its tables), so that the courses' texts are never
    all held a second time. ``texts[i]`` is an Arrow scalar; ``to_pylist`` the whole column."""

    __slots__ = ("column", "rows")

    def __init__(self, column: "pa.Array | pa.ChunkedArray | _RowsOf", rows: pa.Array) -> None:
        if isinstance(column, _RowsOf):  # a partition's: the whole table's column at its rows
            column, rows = column.column, column.rows.take(rows)
        self.column, self.rows = column, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self.rows))
            if step != 1:
                raise ValueError("a slice of the courses' texts is contiguous")
            return _take_rows(self.column, self.rows.slice(start, max(0, stop - start)))
        return self.column[self.rows[i].as_py()]

    def to_pylist(self) -> list:
        return self[:].to_pylist()


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra
        return ra


# The fields grouping reads: it takes these columns and nothing else of a listing.
_FIELDS = ("provider", "source", "series", "title", "duration_text", "duration_hours", "duration_hours_max",
           "delivery_mode", "source_url")
# The texts a course shows of its representative listing: taken from the listing table (Arrow) for
# the courses' rows only, never turned into Python objects for every listing.
_TEXTS = ("description", "bullets", "audience")


# Columns that repeat a few values: one object per value, not per listing.
_SHARED = ("provider", "source", "series", "duration_text", "delivery_mode", "source_url", "duration_hours",
           "duration_hours_max")


class _Columns:
    """The columns grouping reads, as Python lists (``cols.title[i]``): no object per row; and
    the texts (_TEXTS) as an Arrow table (``cols.texts``)."""

    __slots__ = (*_FIELDS, "texts", "table")

    def __init__(self, values: list[list], texts, table) -> None:
        for name, column in zip(_FIELDS, values):
            setattr(self, name, column)
        self.texts = texts
        self.table = table  # the columns the courses and variants show (_SHOWN), as Arrow


# The listing columns a course or variant row shows (taken with Arrow for the rows that show them).
_SHOWN = ("provider", "source", "series", "title", "duration_text", "duration_hours", "duration_hours_max",
          "delivery_mode")


def group_listings(listings: list[Listing] | ListingBatch) -> Grouping:
    """Courses and variants of one source's listings (a ListingBatch, or Listing models).

    Works on the columns it needs (_FIELDS, _TEXTS). The description keys are folded a column at
    once and held as digests (_description_codes) and, through the rules, as Arrow strings; a key
    becomes a Python string only for the listings whose texts are compared or named (_Texts).
    Listings are only compared within a block (rule 1), so a big batch is grouped a partition of
    whole blocks at a time (_partitions) and the partitions' rows are put together in the order
    one pass gives."""
    if not len(listings):
        return Grouping(courses=Courses(), variants=Variants(), course_of=Ids(), variant_of=Ids())
    if isinstance(listings, ListingBatch) and len(listings) > _PART_ROWS:
        parts = _partitions(listings.table)
        if len(parts) > 1:
            return _merge(listings.table, parts)
    return _group_whole(listings)


# Rows grouped at once: a batch of more is grouped a partition of whole blocks at a time (a block
# larger than this is a partition of its own). At a million listings, grouping every block at
# once held ~1.2 GB of Python objects beside the listings.
_PART_ROWS = 131_072


def _partitions(table: pa.Table) -> list[pa.Array]:
    """The rows of the table in partitions of whole blocks (provider, programme or ""), each of
    at most _PART_ROWS rows unless one block is larger, each in row order."""
    provider = pc.dictionary_encode(table.column("provider").combine_chunks(), null_encoding="encode")
    series = pc.dictionary_encode(pc.fill_null(table.column("series"), "").combine_chunks())
    key = pc.add(pc.multiply(provider.indices.cast(pa.int64()), len(series.dictionary)),
                 series.indices.cast(pa.int64()))
    counts = sorted(pc.value_counts(key).to_pylist(), key=lambda c: c["values"])
    part_of_key = [0] * (counts[-1]["values"] + 1 if counts else 0)  # each block's partition
    part, size = 0, 0
    for c in counts:
        if size and size + c["counts"] > _PART_ROWS:
            part, size = part + 1, 0
        part_of_key[c["values"]] = part
        size += c["counts"]
    part_of_row = pa.array(part_of_key, pa.int32()).take(key)
    return [pc.indices_nonzero(pc.equal(part_of_row, p)).cast(pa.int64()) for p in range(part + 1)] if counts else []


def _merge(table: pa.Table, parts: list[pa.Array]) -> Grouping:
    """Group each partition of rows (its listings' columns taken from the table) and put the
    results together as one pass over the whole table orders them: courses by id (ties by first
    listing), variants by their course's first listing, ids per listing in listing order."""
    needed = [c for c in table.column_names if c in {*_FIELDS, *_TEXTS, *_SHOWN}]
    results = []
    # The largest partition first, while the fewest partitions' results are held (the results
    # are put in order below, whatever order they came in).
    for rows in sorted(parts, key=len, reverse=True):
        # The partition's columns, but its texts (the largest): read from the whole table at its rows.
        sub = pa.table({c: _take_rows(table.column(c), rows) for c in needed if c not in _TEXTS})
        # (in no order of its own: the results are ordered below, once)
        results.append((rows, _group_whole(ListingBatch(sub), texts=_TextsAt(table, rows), in_order=False)))
        del sub

    def joined(values: list) -> pa.Array:
        arrays = [v.combine_chunks() if isinstance(v, pa.ChunkedArray) else v for v in values]
        if (all(pa.types.is_dictionary(a.type) for a in arrays) and len({a.type for a in arrays}) == 1
                and arrays[0].type.index_type == pa.int32()):  # (as _few makes them)
            return pa.chunked_array(arrays).unify_dictionaries().combine_chunks()  # one dictionary
        if any(pa.types.is_dictionary(a.type) for a in arrays):  # each partition's own dictionary
            return _few(pa.concat_arrays([a.cast(a.type.value_type) if pa.types.is_dictionary(a.type) else a
                                          for a in arrays]))
        return pa.concat_arrays(arrays)

    def taken(rows_of, f: str) -> list:  # a column of every partition's result, let go from it
        return [rows_of(g)._columns.pop(f) for _, g in results]

    # Courses: by id, then first listing (the listing's index in the whole table).
    firsts = joined([rows.take(g.course_first) for rows, g in results])
    ids = joined([g.courses.column_as_held("course_id") for _, g in results])
    order = _by_id(ids, firsts)
    course_columns = {}
    reps = None
    for f in Courses.fields:  # a column at a time, each partition's dropped as it is joined
        held = taken(lambda g: g.courses, f)
        if f in _TEXTS:  # still not copied: the whole table's column at the courses' rows (the same rows)
            reps = reps if reps is not None else joined([h.rows for h in held]).take(order)
            course_columns[f] = _TakenTexts(table.column(f), reps)
        else:
            course_columns[f] = joined(held).take(order)
        del held
    # Variants: by their course's first listing; a course's own in the order they came (by length).
    vfirst = joined([rows.take(g.variant_first) for rows, g in results])
    vorder = pc.sort_indices(vfirst)  # (stable: a course's own in the order they came)
    variant_columns = {}
    for f in Variants.fields:
        held = taken(lambda g: g.variants, f)
        if f == "listing_indexes":  # the partition's row numbers become the table's
            held = [_rows_in(h.combine_chunks() if isinstance(h, pa.ChunkedArray) else h, rows)
                    for (rows, _), h in zip(results, held)]
        variant_columns[f] = joined(held).take(vorder)
        del held
    del firsts, vfirst, order, vorder
    # Ids per listing, in listing order.
    lorder = pc.inverse_permutation(joined([rows for rows, _ in results]))  # (every row once)
    course_of = joined([g.course_of.arrow for _, g in results]).take(lorder)
    for _, g in results:
        g.course_of = None
    variant_of = joined([g.variant_of.arrow for _, g in results]).take(lorder)
    del results
    return Grouping(courses=Courses(course_columns), variants=Variants(variant_columns), course_of=Ids(course_of),
                    variant_of=Ids(variant_of))


def _rows_in(indexes: pa.ListArray, rows: pa.Array) -> pa.ListArray:
    """Lists of a partition's row numbers as the whole table's (rows[k] is partition row k's)."""
    offsets = indexes.offsets
    offsets = pc.subtract(offsets, offsets[0]) if len(offsets) and offsets[0].as_py() else offsets
    return pa.ListArray.from_arrays(offsets, rows.take(indexes.flatten()))


class _RowsOf:
    """A column of the whole table at a partition's rows, not copied: ``len``, ``slice`` (taken
    then), and what _take_rows and _TakenTexts read (``column``, ``rows``)."""

    __slots__ = ("column", "rows")

    def __init__(self, column: pa.ChunkedArray | pa.Array, rows: pa.Array) -> None:
        self.column, self.rows = column, rows

    def __len__(self) -> int:
        return len(self.rows)

    def slice(self, start: int, length: int) -> pa.Array:
        return _take_rows(self.column, self.rows.slice(start, length))


class _TextsAt:
    """The texts (_TEXTS) of a partition's listings: ``column(name)`` is the whole table's at its rows."""

    __slots__ = ("table", "rows")

    def __init__(self, table: pa.Table, rows: pa.Array) -> None:
        self.table, self.rows = table, rows

    def column(self, name: str) -> _RowsOf:
        return _RowsOf(self.table.column(name), self.rows)


def _group_whole(listings: list[Listing] | ListingBatch, texts: _TextsAt | None = None,
                 in_order: bool = True) -> Grouping:
    """Group the listings in one pass (group_listings' rules); the texts from ``texts`` if given.
    ``in_order=False``: the courses and variants in the order they were built (see _build)."""
    import pyarrow as pa

    with paused_gc():
        if texts is not None:
            pass
        elif isinstance(listings, ListingBatch):
            texts = listings.table.select(list(_TEXTS))
        else:
            texts = pa.table({"description": pa.array([l.description for l in listings], pa.string()),
                              "bullets": pa.array([l.bullets for l in listings], pa.list_(pa.string())),
                              "audience": pa.array([l.audience for l in listings], pa.string())})
        values = listing_columns(listings, _FIELDS, shared=_SHARED)
        if isinstance(listings, ListingBatch):
            shown = listings.table.select(list(_SHOWN)).combine_chunks()
        else:
            schema = listing_arrow_schema()
            shown = pa.table({name: pa.array(values[_FIELDS.index(name)], schema.field(name).type) for name in _SHOWN})
        cols = _Columns(values, texts, shown)
        return _group(cols, in_order)


def _description_codes(texts, blocks: list[int], block_keys: list[tuple]) -> tuple[list[bytes], array, array, pa.Array,
                                                                                pa.ChunkedArray]:
    """Each listing's description key (grouping.keys.description_key) as a 16-byte digest,
    hashes of its opening and closing _BLOCK_CHARS characters (rule 4's candidates), the key's
    size in characters (int32), and the keys themselves as Arrow strings (one byte a character),
    for the listings whose texts are compared or named (_Texts).

    The digest is that of the text a one-listing course without a title hashes into its id (its
    block's provider and programme, "description", the key), so within a block two listings have
    the same digest exactly when their keys are the same (SHA-256; all comparisons of keys are
    within a block), and such a course's id is the digest's first 8 bytes. A listing without a
    text has b"" (false, as the empty key was). The keys are folded _KEYS_CHUNK rows at a time;
    as Python strings they are dropped chunk by chunk (at a million listings they were the
    largest thing grouping held, with ~57 bytes of object each); as Arrow strings, held for the
    partition, they take their bytes and an offset each: 83 MB for the largest partition
    of the 1M catalogue (307,693 listings of one programme)."""
    sha256 = hashlib.sha256
    prefix = [f"{provider}\x1f{series}\x1fdescription\x1f" for provider, series in block_keys]
    codes: list[bytes] = []
    opening, closing, sizes = array("q"), array("q"), array("i")
    held: list[pa.StringArray] = []
    start = 0
    for chunk in description_key_arrays(texts.column("description"), texts.column("bullets")):
        held.append(chunk)
        keys = chunk.to_pylist()
        sizes.extend(map(len, keys))
        pre = map(prefix.__getitem__, blocks[start:start + len(keys)])
        codes += [sha256((p + k).encode()).digest()[:16] if k else b"" for p, k in zip(pre, keys)]
        opening.extend(map(hash, [k[:_BLOCK_CHARS] for k in keys]))
        closing.extend(map(hash, [k[-_BLOCK_CHARS:] for k in keys]))
        start += len(keys)
    return (codes, opening, closing, pa.Array.from_buffers(pa.int32(), len(sizes), [None, pa.py_buffer(sizes)]),
            pa.chunked_array(held, pa.string()))


def _int64s(values: array) -> pa.Array:
    """An array("q") as an Arrow int64 array (its buffer, not copied)."""
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


class _Texts:
    """The description keys of the listings asked for (``fetch``), read from the keys folded
    once (``held``, Arrow strings, _description_codes) as Python strings: grouping holds a digest
    per listing and these strings only for the listings it compares (same title, rule 4's
    candidates) or names (the courses of several listings). ``texts[i]`` is listing i's key once
    fetched; ``release`` drops the Arrow keys once nothing more is fetched."""

    __slots__ = ("held", "_known")

    def __init__(self, held: pa.ChunkedArray) -> None:
        self.held: pa.ChunkedArray | None = held
        self._known: dict[int, str] = {}

    def fetch(self, rows) -> None:
        missing = sorted({i for i in rows if i not in self._known})
        if missing:
            self._known.update(zip(missing, self.take(pa.array(missing, pa.int64())).to_pylist()))

    def take(self, rows: pa.Array) -> pa.StringArray:
        """The keys of these rows (Arrow, in the order asked for)."""
        return _take_rows(self.held, rows)

    def release(self) -> None:
        self.held = None

    def __getitem__(self, i: int) -> str:
        return self._known[i]


def _group(cols: _Columns, in_order: bool = True) -> Grouping:
    n = len(cols.provider)
    pairs: dict[tuple, tuple] = {}  # one tuple per distinct length, not one per listing
    lengths = [pairs.setdefault(p, p) for p in zip(cols.duration_hours, cols.duration_hours_max)]
    del pairs
    title_keys: dict[str | None, str | None] = {}
    tkeys = [title_keys[t] if t in title_keys else title_keys.setdefault(t, title_key(t)) for t in cols.title]
    # Blocks by (provider, series or ""): series None and "" are one block, as before.
    block_ids: dict[tuple, int] = {}
    blocks = [block_ids.setdefault((p, s or ""), len(block_ids)) for p, s in zip(cols.provider, cols.series)]
    block_keys = list(block_ids)
    dkeys, opening, closing, key_sizes, held = _description_codes(cols.texts, blocks, block_keys)  # digests: equal iff same key
    dtext = _Texts(held)
    del held
    uf = _UnionFind(n)

    # Rule 2: same title, where the texts allow it.
    by_title: dict[tuple, list[int]] = defaultdict(list)
    for i, (block, tkey) in enumerate(zip(blocks, tkeys)):
        if tkey:
            by_title[(block, tkey)].append(i)
    shared_title = [False] * n  # the listing's title names more than one course
    same_title = [members for members in by_title.values() if len(members) > 1]
    del by_title
    dtext.fetch(i for members in same_title for i in members)
    for members in same_title:
        if _join_same_title(members, uf, cols, lengths, dtext) > 1:
            for i in members:
                shared_title[i] = True
    del same_title

    # Rules 3 and 4 find their candidates with Arrow (grouping.candidates): the rows sorted by
    # block and key, and every two rows of a run of one key.
    block_of = pa.array(blocks, pa.int32())
    codes = pa.array(dkeys, pa.binary())
    texted = pc.not_equal(pc.binary_length(codes), 0)
    untitled = pa.array([not t for t in tkeys], pa.bool_())

    # Rule 3: same description where a title is missing.
    # (The digests as two integers where they can be: equal exactly when the digests are.)
    digests = codes.filter(texted)
    words = _words(digests)
    _join_same_description(uf, tkeys, runs([block_of.filter(texted), *(words or [digests])],
                                           pc.indices_nonzero(texted)), untitled)
    del digests, words

    # Rule 4: reworded descriptions, untitled on both sides, blocked by opening and closing words.
    fuzzy_pairs = _reworded_pairs(cols, dtext, pc.and_(untitled, texted), block_of, codes, key_sizes, opening, closing)
    del opening, closing, codes
    if fuzzy_pairs:
        _join_similar(fuzzy_pairs, uf, lengths, dkeys)

    return _build(cols, uf, lengths, tkeys, dkeys, dtext, blocks, block_keys, shared_title, in_order)


def _join_same_description(uf: _UnionFind, tkeys: list, same: Runs, untitled: pa.BooleanArray) -> None:
    """Rule 3 over the runs of one description key in a block (``same``): the untitled listings
    of a run join each other, and the titled ones too where these agree on their title."""
    shared = pc.and_(pc.greater_equal(same.size, 2), same.any(untitled.take(same.rows)))
    run_of = same.run.filter(shared).to_pylist()
    members: list[int] = []
    for k, i in enumerate(same.rows.filter(shared).to_pylist()):
        members.append(i)
        if k + 1 == len(run_of) or run_of[k + 1] != run_of[k]:  # the run's last row
            first_untitled = next(i for i in members if not tkeys[i])
            for j in members:
                if not tkeys[j]:
                    uf.union(first_untitled, j)
            if len({tkeys[i] for i in members if tkeys[i]}) == 1:
                uf.union(first_untitled, next(i for i in members if tkeys[i]))
            members = []


def _reworded_pairs(cols: _Columns, dtext: _Texts, candidates: pa.BooleanArray, block_of: pa.Array, codes: pa.Array,
                    key_sizes: pa.Array, opening: array, closing: array) -> list[tuple[float, int, int]]:
    """Rule 4's pairs: (score, a, b), a < b, for every two candidates (untitled, with a text) of
    one block whose folded texts share their opening or their closing _BLOCK_CHARS characters,
    differ, are at different lengths, and are at least SIMILARITY_THRESHOLD similar (rapidfuzz
    ratio); a pair may come twice (its opening and its closing), which _join_similar allows.

    The candidates are found by hashes of the opening and closing words: runs of one hash in a
    block (grouping.candidates), of at most _MAX_CANDIDATES rows (a larger one is too generic to
    compare; a hash shared by chance can only make a run look larger: fewer comparisons, never a
    wrong join). Of every two rows of a run, only those are kept whose digests differ (the texts
    differ), whose lengths differ, and whose texts' sizes s <= t are within reach of the
    threshold: two texts score at most 200 s / (s + t) (the ratio counts insertions and
    deletions), so t <= s + s * reach, with a point to spare, keeps every pair that can score
    enough. The texts of the pairs kept are read _TEXTS_BATCH places of the runs at a time
    (the keys folded once, _Texts), checked against the words themselves (the pairs whose
    openings, or closings, differ are dropped), and scored (score_cutoff gives the same score
    where it reaches the threshold, 0 below). At a million listings, 385,000 pairs are scored
    and 2,317 reach the threshold; the scoring is about half of this rule's time (0.57 of 1.25 s)."""
    rows = pc.indices_nonzero(candidates).cast(pa.int64())
    hours = pc.fill_null(cols.table.column("duration_hours").combine_chunks(), -1.0)
    hours_max = pc.fill_null(cols.table.column("duration_hours_max").combine_chunks(), -1.0)
    reach = 1.0 + 2.0 * (100.0 - (SIMILARITY_THRESHOLD - 1.0)) / (SIMILARITY_THRESHOLD - 1.0)

    def differ(a: dict[str, pa.Array], b: dict[str, pa.Array]) -> pa.BooleanArray:
        size_a, size_b = a["size"], b["size"]
        return pc.and_(
            pc.and_(pc.not_equal(a["code"], b["code"]),
                    pc.or_(pc.not_equal(a["hours"], b["hours"]), pc.not_equal(a["hours_max"], b["hours_max"]))),
            pc.less_equal(pc.max_element_wise(size_a, size_b),
                          pc.multiply(pc.min_element_wise(size_a, size_b).cast(pa.float64()), reach)))

    compared = {"code": codes, "hours": hours, "hours_max": hours_max, "size": key_sizes}
    score = functools.partial(fuzz.ratio, score_cutoff=SIMILARITY_THRESHOLD)
    out: list[tuple[float, int, int]] = []
    for (first, last), hashes in (((0, _BLOCK_CHARS), opening), ((-_BLOCK_CHARS, None), closing)):
        pairs = run_pairs(runs([block_of.take(rows), _int64s(hashes).take(rows)], rows), _MAX_CANDIDATES,
                          keep=differ, columns=compared)
        at = _Values(pairs.at_a)
        start = 0
        while start < len(at):  # the pairs of _TEXTS_BATCH places of the runs at a time
            end = bisect.bisect_left(at, at[start] + _TEXTS_BATCH, start)
            batch = pairs.slice(start, end - start)
            needed = pc.unique(pa.concat_arrays([batch.a, batch.b]))
            needed = needed.take(pc.sort_indices(needed))  # in row order: taken chunk by chunk as they are
            texts = dtext.take(needed)
            x, y = pc.index_in(batch.a, value_set=needed), pc.index_in(batch.b, value_set=needed)
            # The words themselves, not their hashes: a number per distinct opening (closing) of these texts.
            words = pc.dictionary_encode(pc.utf8_slice_codeunits(texts, first, last)).indices
            same = pc.equal(words.take(x), words.take(y))
            keys = texts.to_pylist()
            scores = pa.array(list(map(score, map(keys.__getitem__, x.filter(same).to_pylist()),
                                       map(keys.__getitem__, y.filter(same).to_pylist()))), pa.float64())
            del keys
            enough = pc.greater_equal(scores, SIMILARITY_THRESHOLD)
            out += zip(scores.filter(enough).to_pylist(), batch.a.filter(same).filter(enough).to_pylist(),
                       batch.b.filter(same).filter(enough).to_pylist())
            start = end
    return out


def _join_same_title(members: list[int], uf: _UnionFind, cols: _Columns, lengths: list[tuple], dkeys: _Texts) -> int:
    """Join the listings of one title into as few courses as their texts allow; returns how many.

    Listings with the same text are one course. Courses with different texts join only when
    none of their lengths meet (two texts at one length are two courses) and, where the titles
    as written differ (in a length they name), the texts are similar (rapidfuzz ratio at least
    SIMILARITY_THRESHOLD)."""
    by_text: dict[str, list[int]] = defaultdict(list)
    for i in members:
        by_text[dkeys[i]].append(i)
    # A listing that names the course without a text (a page that lists titles only) says
    # nothing against the title: it joins the one course of that title, if there is one.
    textless = by_text.pop("", [])
    groups = []  # (representative, lengths, texts, plain titles, pages)
    for text in sorted(by_text):  # in text order, so that the result does not depend on row order
        idx = by_text[text]
        for j in idx[1:]:
            uf.union(idx[0], j)
        glengths = {lengths[i] for i in idx}
        plain = {plain_title_key(cols.title[i]) for i in idx}
        pages = {cols.source_url[i] for i in idx}
        for g in groups:
            if g[1] & glengths:
                # Two texts at one length are two courses when one page shows both; on different
                # pages (a school's course in two years) they are one course if the texts are similar.
                if g[4] & pages or not any(_same_text(text, t) for t in g[2]):
                    continue
            if (g[3] | plain) != g[3] or len(plain) > 1:  # the titles differ in a length they name
                if max(fuzz.ratio(text, t, score_cutoff=SIMILARITY_THRESHOLD) for t in g[2]) < SIMILARITY_THRESHOLD:
                    continue
            uf.union(g[0], idx[0])
            g[1].update(glengths)
            g[2].add(text)
            g[3].update(plain)
            g[4].update(pages)
            break
        else:
            groups.append((idx[0], set(glengths), {text}, set(plain), set(pages)))
    if textless:
        for j in textless[1:]:
            uf.union(textless[0], j)
        if len(groups) == 1:
            uf.union(groups[0][0], textless[0])
        else:  # no text at all, or several courses of this title: the textless ones stand apart
            return len(groups) + 1
    return len(groups)


def _same_text(a: str, b: str) -> bool:
    """Two folded texts that say the same: similar (SIMILARITY_THRESHOLD), or one is the
    other with more added (a later page adds a list of topics to the same description)."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return (len(short.split()) >= 8 and long.startswith(short)) or fuzz.ratio(a, b, score_cutoff=SIMILARITY_THRESHOLD) >= SIMILARITY_THRESHOLD


def _join_similar(pairs: list[tuple[float, int, int]], uf: _UnionFind, lengths: list[tuple], dkeys: list[bytes]) -> None:
    """Join the most similar pairs first, refusing any join that would put two different
    texts at one length into a course (texts compared by their digests)."""
    involved = {uf.find(i) for _, a, b in pairs for i in (a, b)}
    texts_at: dict[int, dict[tuple, set[bytes]]] = {}  # group root -> {length: description keys' digests}
    for i in range(len(dkeys)):
        r = uf.find(i)
        if r in involved:
            texts_at.setdefault(r, defaultdict(set))[lengths[i]].add(dkeys[i])
    for _score, a, b in sorted(pairs, reverse=True):
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb:
            continue
        ta, tb = texts_at[ra], texts_at[rb]
        if any(length in ta and ta[length] != tb[length] for length in tb):
            continue
        root = uf.union(a, b)
        merged: dict[tuple, set[str]] = defaultdict(set)
        for t in (ta, tb):
            for length, keys in t.items():
                merged[length] |= keys
        texts_at[root] = merged


def _build(cols: _Columns, uf, lengths_of, tkeys, dkeys, dtext: _Texts, blocks, block_keys, shared_title,
           in_order: bool = True) -> Grouping:
    """The courses, variants and ids of the sets the union-find holds. In order (group_listings'):
    courses by id, then first listing; variants by their course's first listing, a course's own by
    length. ``in_order=False`` (a partition's, which _merge orders with the others'): the
    one-listing courses first, then the larger ones, each with its variants in their order."""
    n = len(dkeys)
    # The root of each listing's set. A union keeps the smaller root, so a set's root is its
    # smallest index and parent[i] <= i: in index order, the parent's root is already known.
    root = uf.parent[:]
    for i in range(n):
        root[i] = root[root[i]]
    # The sets of more than one listing, each in index order (its root first); every other
    # listing is a course of its own with one variant (most courses).
    multi: dict[int, list[int]] = {}
    for i, r in enumerate(root):
        if r != i:
            if r in multi:
                multi[r].append(i)
            else:
                multi[r] = [r, i]
    single = [i for i, r in enumerate(root) if r == i and i not in multi]
    del root
    dtext_of, mode_of = cols.duration_text, cols.delivery_mode
    hours_of, hmax_of = cols.duration_hours, cols.duration_hours_max

    # One-listing courses: the ids stable_id gives (inlined), a column at a time, _IDS_CHUNK
    # courses at once (bounds the texts hashed).
    sha256 = hashlib.sha256
    prefix = [f"{provider}\x1f{series}\x1f" for provider, series in block_keys]
    key_kinds = [("title and description" if shared_title[i] else "title") if tkeys[i] else "description"
                 for i in single]
    cid_parts: list[pa.Array] = []  # the ids of the one-listing courses, a chunk at a time, as Arrow
    vid_parts: list[pa.Array] = []
    titled_prefix = [p + "title\x1f" for p in prefix]
    untitled_prefix = [p + "description\x1f" for p in prefix]

    def id_text(i: int) -> str:  # what a one-listing course's id hashes, where its digest is not it
        if tkeys[i]:
            return (f"{prefix[blocks[i]]}title and description\x1f{tkeys[i]}\x1f{dtext[i]}" if shared_title[i]
                    else titled_prefix[blocks[i]] + tkeys[i])
        return untitled_prefix[blocks[i]]  # no title, no text

    for start in range(0, len(single), _IDS_CHUNK):
        rows = single[start:start + _IDS_CHUNK]
        # Untitled with a text: the digest is the hash of its id's text (_description_codes).
        cids = ["c_" + (dkeys[i][:8].hex() if dkeys[i] and not tkeys[i]
                        else sha256(id_text(i).encode()).hexdigest()[:16]) for i in rows]
        # stable_id("v_", course_id, hours, hours_max, dtext if hours is None else None, mode)
        texts = [f"{c}\x1f{'' if h is None else h}\x1f{'' if x is None else x}\x1f{(d or '') if h is None else ''}"
                 f"\x1f{md or ''}"
                 for c, h, x, d, md in zip(cids, map(hours_of.__getitem__, rows), map(hmax_of.__getitem__, rows),
                                           map(dtext_of.__getitem__, rows), map(mode_of.__getitem__, rows))]
        vids = ["v_" + h.hexdigest()[:16] for h in map(sha256, map(str.encode, texts))]
        del texts
        cid_parts.append(pa.array(cids, pa.string()))
        vid_parts.append(pa.array(vids, pa.string()))
        del cids, vids
    single_cids = pa.concat_arrays(cid_parts) if cid_parts else pa.array([], pa.string())
    single_vids = pa.concat_arrays(vid_parts) if vid_parts else pa.array([], pa.string())
    del cid_parts, vid_parts

    # Courses of several listings: one row each in mc (course columns, with the listing whose
    # texts the course shows), their variants in mv (variant rows, a course's in their order), with
    # the root of each variant's course.
    mc: list[tuple] = []
    mv: list[tuple] = []
    mv_root: list[int] = []
    member_rows: list[int] = []  # the listings of these courses, with their course and variant ids
    member_cids: list[str] = []
    member_vids: list[str] = []
    dtext.fetch(i for members in multi.values() for i in members)
    dtext.release()  # (every key _build names is fetched)
    for r, members in multi.items():
        course, course_variants = _build_course(members, cols, lengths_of, tkeys, dtext, shared_title)
        mc.append(course)
        for v in course_variants:
            member_rows += v[9]
            member_cids += [v[1]] * len(v[9])
            member_vids += [v[0]] * len(v[9])
            mv.append(v)
            mv_root.append(r)

    # The rows of the courses and variants tables are built with Arrow, first in this order: the
    # one-listing courses (their listing's own columns, taken), then the larger ones (from mc, mv);
    # then put in their order with one take.
    shown = cols.table
    ns = len(single)
    single_rows = pa.array(single, pa.int64())
    taken = shown.take(single_rows)

    def col(name: str) -> pa.Array:
        return taken.column(name).combine_chunks()

    def put(values: pa.Array, order: pa.Array | None) -> pa.Array:
        return values if order is None else values.take(order)

    def ordered(singles: pa.Array, larger: list, type_: pa.DataType, order: pa.Array | None) -> pa.Array:
        return put(pa.concat_arrays([singles.cast(type_), pa.array(larger, type_)]), order)

    # Courses, by course id (ties, if any, in the order of their first listing). A course's
    # provider, source and programme are its first listing's; a one-listing course's other
    # fields are its listing's too, a larger course's come from mc.
    ids = pa.concat_arrays([single_cids, pa.array([c[0] for c in mc], pa.string())])
    firsts = pa.concat_arrays([single_rows, pa.array([c[-1] for c in mc], pa.int64())])
    order = _by_id(ids, firsts) if in_order else None
    first_rows = put(firsts, order)
    ones = pa.array([1] * ns, pa.int64())
    dtext = col("duration_text")
    named = pc.fill_null(pc.not_equal(dtext, ""), False)  # a one-listing course's lengths: [its text], if any
    lengths = pa.ListArray.from_arrays(
        pa.concat_arrays([pa.array([0], pa.int32()), pc.cumulative_sum(named.cast(pa.int32()))]), dtext.filter(named))
    reps = put(pa.concat_arrays([single_rows, pa.array([c[5] for c in mc], pa.int64())]), order)
    key_kinds += [c[6] for c in mc]
    courses = Courses({
        "course_id": put(ids, order),
        "provider": _few(shown.column("provider").take(first_rows)),
        "source": _few(shown.column("source").take(first_rows)),
        "title": ordered(col("title"), [c[3] for c in mc], pa.string(), order),
        "series": _few(shown.column("series").take(first_rows)),
        "description": _TakenTexts(cols.texts.column("description"), reps),
        "bullets": _TakenTexts(cols.texts.column("bullets"), reps),
        "audience": _TakenTexts(cols.texts.column("audience"), reps),
        "key_kind": _few(put(pa.array(key_kinds, pa.string()), order)),
        "lengths": ordered(lengths, [c[7] for c in mc], pa.list_(pa.string()), order),
        "min_hours": ordered(col("duration_hours"), [c[8] for c in mc], pa.float64(), order),
        "max_hours": ordered(col("duration_hours_max"), [c[9] for c in mc], pa.float64(), order),
        "n_variants": ordered(ones, [c[10] for c in mc], pa.int64(), order),
        "n_listings": ordered(ones, [c[11] for c in mc], pa.int64(), order),
    })

    # Variants, in the order of their course's first listing; a course's own variants by length.
    roots = pa.concat_arrays([single_rows, pa.array(mv_root, pa.int64())])
    # (A stable sort: a course's variants came in their order.)
    vorder = pc.sort_indices(roots) if in_order else None
    variants = Variants({
        "variant_id": ordered(single_vids, [v[0] for v in mv], pa.string(), vorder),
        "course_id": ordered(single_cids, [v[1] for v in mv], pa.string(), vorder),
        "duration_text": _few(ordered(dtext, [v[2] for v in mv], pa.string(), vorder)),
        "duration_hours": ordered(col("duration_hours"), [v[3] for v in mv], pa.float64(), vorder),
        "duration_hours_max": ordered(col("duration_hours_max"), [v[4] for v in mv], pa.float64(), vorder),
        "delivery_mode": _few(ordered(col("delivery_mode"), [v[5] for v in mv], pa.string(), vorder)),
        "join_reason": _few(ordered(pa.array(["only variant"] * ns, pa.string()), [v[6] for v in mv], pa.string(),
                                    vorder)),
        "join_score": ordered(pa.nulls(ns, pa.float64()), [v[7] for v in mv], pa.float64(), vorder),
        "n_listings": ordered(ones, [v[8] for v in mv], pa.int64(), vorder),
        "listing_indexes": ordered(pa.ListArray.from_arrays(pa.array(range(ns + 1), pa.int32()), single_rows),
                                   [v[9] for v in mv], pa.list_(pa.int64()), vorder),
    })
    # Each listing's course and variant: the one-listing courses' rows, then the larger courses'
    # members, put in listing order with one take.
    listing_order = pc.inverse_permutation(pa.concat_arrays([single_rows, pa.array(member_rows, pa.int64())]))
    course_of = pa.concat_arrays([single_cids, pa.array(member_cids, pa.string())]).take(listing_order)
    variant_of = pa.concat_arrays([single_vids, pa.array(member_vids, pa.string())]).take(listing_order)
    return Grouping(courses=courses, variants=variants, course_of=Ids(course_of), variant_of=Ids(variant_of),
                    course_first=first_rows, variant_first=put(roots, vorder))


_IDS_CHUNK = 32_768  # one-listing courses whose ids are hashed at once


def _by_id(ids: pa.Array, firsts: pa.Array) -> pa.Array:
    """The order of courses by id, then by first listing. An id is "c_" and 16 hex digits: their
    16 bytes, reversed, read as two little-endian uint64 give two numbers in the order of the
    digits (the last read is the first eight digits'), and two integer keys sort in a third of
    the time the strings do (0.11 s against 0.31 s for 914,000 ids). Other ids: as strings."""
    usual = (len(ids) and not ids.null_count and pc.all(pc.starts_with(ids, "c_")).as_py()
             and pc.all(pc.equal(pc.utf8_length(ids), 18)).as_py())
    words = _words(pc.binary_reverse(pc.binary_slice(ids.cast(pa.binary()), 2, 18))) if usual else None
    if words is not None:
        low, high = words
        keys = pa.table({"high": high, "low": low, "first": firsts})
        return pc.sort_indices(keys, sort_keys=[("high", "ascending"), ("low", "ascending"), ("first", "ascending")])
    return pc.sort_indices(pa.table({"id": ids, "first": firsts}), sort_keys=[("id", "ascending"), ("first", "ascending")])


def _words(values: pa.BinaryArray) -> tuple[pa.Array, pa.Array] | None:
    """Values of 16 bytes each as two uint64 arrays (the first and the last 8 bytes, read
    little-endian), or None where a value has another size: two integer keys sort and compare
    faster than the bytes."""
    n = len(values)
    offsets = values.buffers()[1]
    if not (n and not values.null_count and pa.Array.from_buffers(pa.int32(), 1, [None, offsets], offset=values.offset)[0].as_py() == 0
            and pc.all(pc.equal(pc.binary_length(values), 16)).as_py()):
        return None
    words = pa.Array.from_buffers(pa.uint64(), 2 * n, [None, values.buffers()[2]])
    evens = pc.multiply(pc.indices_nonzero(pc.is_null(pa.nulls(n))), 2)
    return words.take(evens), words.take(pc.add(evens, 1))


def _few(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column of a few repeated texts (provider, programme, key kind, length, join reason) held
    as an Arrow dictionary: at a million listings these were ~70 MB of the grouping's ~260 MB.
    It reads as the texts (``to_pylist``, ``cast(pa.string())``)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    return column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)


def _take_rows(column: pa.Array | pa.ChunkedArray, indices: pa.Array) -> pa.Array:
    """column[indices], taken chunk by chunk. Arrow's take over a column of many chunks pays for
    the whole column at every call, whatever the number of rows taken: 0.53 s for 30,000 rows of
    a million-listing column of 900 chunks, 0.05 s chunk by chunk (pyarrow 26; the rows, sorted
    unless they are already, are split at the chunks' bounds, taken, and put back in their order)."""
    if isinstance(column, _RowsOf):  # a partition's rows of the whole table's column
        column, indices = column.column, column.rows.take(indices)
    if isinstance(column, pa.Array):
        return column.take(indices)
    if column.num_chunks == 1:
        return column.chunk(0).take(indices)
    n = len(indices)
    if n > 1 and not pc.all(pc.greater_equal(indices.slice(1), indices.slice(0, n - 1))).as_py():
        order = pc.sort_indices(indices)
        ordered = indices.take(order)
    else:
        order, ordered = None, indices
    at = _Values(ordered)
    parts, start, low = [], 0, 0
    for chunk in column.chunks:
        high = low + len(chunk)
        end = bisect.bisect_left(at, high, start)
        if end > start:
            parts.append(chunk.take(pc.subtract(ordered.slice(start, end - start), low)))
        start, low = end, high
    if start < n:
        raise IndexError(f"row {at[start]} of a column of {low} rows")
    taken = pa.concat_arrays(parts) if parts else pa.array([], column.type)
    return taken if order is None else taken.take(pc.sort_indices(order))  # back in the order asked for


class _Values:
    """An Arrow array of integers read one value at a time (what bisect reads: a few per chunk
    bound), not turned into a Python list."""

    __slots__ = ("array",)

    def __init__(self, array: pa.Array) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i: int) -> int:
        return self.array[i].as_py()


def _build_course(members: list[int], cols: _Columns, lengths_of, tkeys, dkeys, shared_title) -> tuple[tuple, list[tuple]]:
    """One course of several listings: (course_id, provider, source, title, series, the listing
    whose texts it shows, key_kind, lengths, min_hours, max_hours, n_variants, n_listings, first
    listing) and its variants' rows (Variants' fields in order), sorted by length."""
    titled = sorted(tkeys[i] for i in members if tkeys[i])
    if titled and any(shared_title[i] for i in members):
        key_kind, key = "title and description", (titled[0], min(dkeys[i] for i in members if tkeys[i]))
    elif titled:
        key_kind, key = "title", titled[0]
    else:
        key_kind, key = "description", min(dkeys[i] for i in members)
    first = members[0]
    provider, series = cols.provider[first], cols.series[first] or ""
    course_id = (stable_id("c_", provider, series, key_kind, *key) if isinstance(key, tuple)
                 else stable_id("c_", provider, series, key_kind, key))
    # Variants: one per (length, delivery); identical listings collapse and are counted.
    # Two different texts at one length (rules 3 and 4 can bring them together) stay two variants.
    by_variant: dict[tuple, list[int]] = defaultdict(list)
    for i in members:
        hours = cols.duration_hours[i]
        by_variant[(hours, cols.duration_hours_max[i], cols.duration_text[i] if hours is None else None,
                    cols.delivery_mode[i])].append(i)
    for vkey in [k for k, idx in by_variant.items() if len({dkeys[i] for i in idx}) > 1]:
        for i in by_variant.pop(vkey):
            by_variant[(*vkey, dkeys[i])].append(i)
    main_text = _most_common(dkeys[i] for i in members)
    rep = next(i for i in members if dkeys[i] == main_text)
    title = _most_common(cols.title[i] for i in members if cols.title[i])
    variants = []
    for (hours, hours_max, text_len, mode, *text), idx in by_variant.items():
        reason, score = _reason(idx[0], members, cols, lengths_of, tkeys, dkeys)
        variants.append((stable_id("v_", course_id, hours, hours_max, text_len, mode, *text), course_id,
                         cols.duration_text[idx[0]], hours, hours_max, mode, reason, score, len(idx), idx))
    variants.sort(key=lambda v: (v[3] is None, v[3] or 0, v[2] or ""))
    hours = [v[3] for v in variants if v[3] is not None]
    hours_max = [v[4] for v in variants if v[4] is not None]
    lengths = []
    for v in variants:
        if v[2] and v[2] not in lengths:
            lengths.append(v[2])
    course = (course_id, provider, cols.source[first], title, cols.series[first], rep, key_kind, lengths,
              min(hours) if hours else None, max(hours_max) if hours_max else None, len(variants), len(members),
              first)
    return course, variants


def _most_common(values) -> str | None:
    """The most frequent value; ties go to the greatest, so the choice does not depend on order."""
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda k: (counts[k], k)) if counts else None


def _reason(i: int, members: list[int], cols: _Columns, lengths_of, tkeys, dkeys) -> tuple[str, float | None]:
    """Why listing i belongs with the other members of its course."""
    mode = cols.delivery_mode
    others = [j for j in members if lengths_of[j] != lengths_of[i] or mode[j] != mode[i]]
    if not others:
        return "only variant", None
    if tkeys[i] and any(tkeys[j] == tkeys[i] for j in others):
        return "same title", None
    if any(dkeys[j] == dkeys[i] for j in others):
        return "same description", None
    best = max(fuzz.ratio(dkeys[i], dkeys[j]) for j in others)
    return "similar description", round(best, 1)
