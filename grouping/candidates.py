"""Rows that share a key, found with Arrow's kernels over whole columns: what rules 3 and 4 of
grouping.variants compare.

Grouping holds a 16-byte digest of each listing's description key and hashes of its opening
and closing words (grouping.variants._description_codes). Sorting the rows by (block, key)
puts the rows of each key side by side (``runs``); the pairs of a run are the rows 1, 2, ...
places apart in it (``run_pairs``). Where a Python dict per block built these groups, at a
million listings rules 3 and 4 were a third of grouping's time (5 of 15 s): their Python work
grows with the candidates, and a large programme has more of them per listing.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True, slots=True)
class Runs:
    """Rows sorted by their keys (ties in row order), cut into runs of equal keys.

    ``rows[p]`` is the row at sorted place p, ``run[p]`` the number of its run (0, 1, ... in
    sorted order), ``start[p]`` the place its run starts at and ``size[p]`` how many rows that
    run has."""

    rows: pa.Int64Array
    run: pa.Int64Array
    start: pa.Int64Array
    size: pa.Int64Array

    def __len__(self) -> int:
        return len(self.rows)

    def any(self, flags: pa.BooleanArray) -> pa.BooleanArray:
        """Whether the run of each sorted place has a row flagged (``flags[p]`` is place p's)."""
        counts = pc.cumulative_sum(flags.cast(pa.int64()))
        before = pa.concat_arrays([pa.array([0], pa.int64()), counts])  # flagged rows before each place
        return pc.greater(pc.subtract(before.take(pc.add(self.start, self.size)), before.take(self.start)), 0)


def runs(keys: list[pa.Array], rows: pa.Array) -> Runs:
    """The rows (int64) sorted by ``keys`` (arrays of one value per row, compared in order)
    then by row, cut where any key changes. Keys must have no nulls."""
    rows = rows.cast(pa.int64())
    n = len(rows)
    if n == 0:
        empty = pa.array([], pa.int64())
        return Runs(empty, empty, empty, empty)
    names = [f"k{i}" for i in range(len(keys))]
    table = pa.table({**dict(zip(names, keys)), "row": rows})
    # A stable sort: where the rows come in order, the keys alone put ties in row order.
    ascending = n < 2 or pc.all(pc.less(rows.slice(0, n - 1), rows.slice(1))).as_py()
    order = pc.sort_indices(table, sort_keys=[(name, "ascending") for name in (names if ascending else [*names, "row"])])
    table = table.take(order)
    changed = pa.array([False] * (n - 1), pa.bool_())
    for name in names:
        column = table.column(name).combine_chunks()
        changed = pc.or_(changed, pc.not_equal(column.slice(1), column.slice(0, n - 1)))
    starts = pa.concat_arrays([pa.array([0], pa.int64()), pc.add(pc.indices_nonzero(changed), 1).cast(pa.int64())])
    ends = pa.concat_arrays([starts.slice(1), pa.array([n], pa.int64())])
    sizes = pc.subtract(ends, starts)
    run = pc.subtract(pc.cumulative_sum(pa.concat_arrays([pa.array([True]), changed]).cast(pa.int64())), 1)
    return Runs(rows=table.column("row").combine_chunks(), run=run, start=starts.take(run), size=sizes.take(run))


@dataclass(frozen=True, slots=True)
class Pairs:
    """Two rows of one run, a < b, and the sorted places they were found at (``at_a``, ``at_b``):
    rows that share a run have neighbouring places, so pairs ordered by place involve few rows
    at a time."""

    a: pa.Int64Array
    b: pa.Int64Array
    at_a: pa.Int64Array
    at_b: pa.Int64Array

    def __len__(self) -> int:
        return len(self.a)

    def take(self, indices: pa.Array) -> "Pairs":
        return Pairs(self.a.take(indices), self.b.take(indices), self.at_a.take(indices), self.at_b.take(indices))

    def slice(self, start: int, length: int) -> "Pairs":
        return Pairs(self.a.slice(start, length), self.b.slice(start, length), self.at_a.slice(start, length),
                     self.at_b.slice(start, length))


def run_pairs(found: Runs, max_size: int,
              keep: Callable[[dict[str, pa.Array], dict[str, pa.Array]], pa.BooleanArray] | None = None,
              columns: Mapping[str, pa.Array] | None = None) -> Pairs:
    """Every two rows of every run of 2 to ``max_size`` rows (a run larger than that is left
    out), ordered by the first one's sorted place; with ``keep``, only the pairs it keeps. It is
    given the two sides of candidate pairs, a dict each: "row" and each of ``columns`` (arrays of
    one value per row of the table) at those rows, side by side, and gives a mask. It is asked
    a step at a time so that the pairs left out are never all held (at a million listings, rule
    4's runs have 2.6 million pairs and keep a third); the columns are taken in sorted order
    once, so that each step compares two slices of them."""
    inside = pc.and_(pc.greater_equal(found.size, 2), pc.less_equal(found.size, max_size))
    run, size = found.run.filter(inside), found.size.filter(inside)
    places = pc.indices_nonzero(inside).cast(pa.int64())
    rows = found.rows.filter(inside)
    values = {"row": rows, **{name: column.take(rows) for name, column in (columns or {}).items()}}
    kept: list[Pairs] = []
    d = 1
    while len(run) > d:
        n = len(run) - d
        same = pc.equal(run.slice(d), run.slice(0, n))  # the rows d places apart in one run
        if keep is not None:
            same = pc.and_(same, keep({k: v.slice(0, n) for k, v in values.items()},
                                      {k: v.slice(d) for k, v in values.items()}))
        rows = values["row"]
        kept.append(Pairs(rows.slice(0, n).filter(same), rows.slice(d).filter(same),
                          places.slice(0, n).filter(same), places.slice(d).filter(same)))
        d += 1
        further = pc.greater(size, d)  # a run of d rows or fewer has no rows d places apart
        if not pc.all(further).as_py():
            run, size, places = run.filter(further), size.filter(further), places.filter(further)
            values = {k: v.filter(further) for k, v in values.items()}
    if not kept:
        empty = pa.array([], pa.int64())
        return Pairs(empty, empty, empty, empty)
    pairs = Pairs(*(pa.concat_arrays([getattr(p, f) for p in kept]) for f in ("a", "b", "at_a", "at_b")))
    # By at_a, then at_b: the sort is stable and the pairs came by d = at_b - at_a.
    return pairs.take(pc.sort_indices(pairs.at_a))
