"""grouping.candidates: the runs of equal keys and the pairs within them, against what a
hand count and a plain Python grouping give."""
from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from grouping.candidates import run_pairs, runs

# Rows 10..17 of a table: (block, key). Counted by hand: block 1 key 5 has rows 10, 13, 16;
# block 1 key 7 has 11 and 17; block 2 key 5 has 12 and 14 (another block: not with 10, 13, 16);
# row 15 (block 2, key 9) is alone.
BLOCKS = [1, 1, 2, 1, 2, 2, 1, 1]
KEYS = [5, 7, 5, 5, 5, 9, 5, 7]
ROWS = list(range(10, 18))


def _found():
    return runs([pa.array(BLOCKS, pa.int32()), pa.array(KEYS, pa.int64())], pa.array(ROWS, pa.int64()))


def test_runs_by_hand():
    found = _found()
    assert found.rows.to_pylist() == [10, 13, 16, 11, 17, 12, 14, 15]
    assert found.run.to_pylist() == [0, 0, 0, 1, 1, 2, 2, 3]
    assert found.start.to_pylist() == [0, 0, 0, 3, 3, 5, 5, 7]
    assert found.size.to_pylist() == [3, 3, 3, 2, 2, 2, 2, 1]
    flagged = {13, 15}  # a flag on row 13 (run 0) and on row 15 (run 3)
    flags = pa.array([r in flagged for r in found.rows.to_pylist()], pa.bool_())
    assert found.any(flags).to_pylist() == [True, True, True, False, False, False, False, True]


def test_runs_put_ties_in_row_order_whatever_order_the_rows_come_in():
    found = runs([pa.array(BLOCKS[::-1], pa.int32()), pa.array(KEYS[::-1], pa.int64())], pa.array(ROWS[::-1], pa.int64()))
    assert found.rows.to_pylist() == [10, 13, 16, 11, 17, 12, 14, 15]


def test_run_pairs_by_hand():
    pairs = run_pairs(_found(), max_size=50)
    assert list(zip(pairs.a.to_pylist(), pairs.b.to_pylist())) == [
        (10, 13), (10, 16), (13, 16), (11, 17), (12, 14)]
    # A run larger than max_size is left out whole.
    small = run_pairs(_found(), max_size=2)
    assert list(zip(small.a.to_pylist(), small.b.to_pylist())) == [(11, 17), (12, 14)]
    # keep: only the pairs it keeps (here: rows whose sum is even).
    even = run_pairs(_found(), max_size=50,
                     keep=lambda a, b: pc.equal(pc.bit_wise_and(pc.add(a["row"], b["row"]), 1), 0))
    assert list(zip(even.a.to_pylist(), even.b.to_pylist())) == [(10, 16), (11, 17), (12, 14)]
    # columns: one value per row of the table, given to keep at the pairs' rows (here: a colour
    # per row; only pairs of two colours are kept).
    colour = pa.array(["red" if r in (10, 16, 12) else "blue" for r in range(20)])
    mixed = run_pairs(_found(), max_size=50, keep=lambda a, b: pc.not_equal(a["colour"], b["colour"]),
                      columns={"colour": colour})
    assert list(zip(mixed.a.to_pylist(), mixed.b.to_pylist())) == [(10, 13), (13, 16), (12, 14)]


def test_no_rows():
    found = runs([pa.array([], pa.int32())], pa.array([], pa.int64()))
    assert len(found) == 0 and len(run_pairs(found, 50)) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(-3, 3)), max_size=60), st.integers(2, 6))
def test_run_pairs_are_every_two_rows_of_one_key(keys, max_size):
    """Every two rows (a < b) of the same (block, key), where that key has at most max_size rows;
    nothing else, each once, ordered by the first row's place."""
    rows = [3 * i + 1 for i in range(len(keys))]  # rows are not places
    found = runs([pa.array([b for b, _ in keys], pa.int32()), pa.array([k for _, k in keys], pa.int64())],
                 pa.array(rows, pa.int64()))
    by_key = defaultdict(list)
    for row, key in zip(rows, keys):
        by_key[key].append(row)
    assert sorted(found.rows.to_pylist()) == rows
    assert {tuple(found.rows.to_pylist()[p] for p in range(len(found)) if found.run[p].as_py() == r)
            for r in set(found.run.to_pylist())} == {tuple(v) for v in by_key.values()}
    expected = sorted(pair for v in by_key.values() if len(v) <= max_size for pair in combinations(v, 2))
    pairs = run_pairs(found, max_size)
    got = list(zip(pairs.a.to_pylist(), pairs.b.to_pylist()))
    assert sorted(got) == expected and len(got) == len(set(got))
    assert pairs.at_a.to_pylist() == sorted(pairs.at_a.to_pylist())
