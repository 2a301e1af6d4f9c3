"""description_keys (a column folded at once) gives, row for row, what description_key gives."""
from __future__ import annotations

from unittest import mock

import pytest

from grouping import keys
from tests.conftest import CUPE_URL
from tests.helpers import listings_of

# Written by hand: accents and curly punctuation, control characters and a NUL, lengths in
# every form the length pattern knows, words that only look like units, empty texts.
TEXTS = [
    ("Aimed at new members, this 2-hour workshop helps.", []),
    ("A two-day course; then a half-day.", ["Week one", "2 wks later"]),
    ("Café – “union’s” rôle", ["Ünïcode 3 hrs", "ﬁne print"]),
    ("A 3h start, a 3 hrs end, 2 wks", []),
    ("Shorter work weeks and holidays", []),
    ("Hours of work", ["", "  "]),
    ("", []),
    ("", ["only a bullet"]),
    ("tabs\tand\nnew lines\r\n\x0bvertical, \x00nul and \x1f unit separator", ["\x7fdel"]),
    ("   leading and trailing   ", ["  bullets  ", "-dash-"]),
    ("日本語 only", []),
    ("Learn in 2-3 hours (or 2 to 3 hours).", ["1.5 days", "two h", "6 h."]),
]


def test_description_keys_equal_description_key_row_for_row():
    got = keys.description_keys([d for d, _ in TEXTS], [b for _, b in TEXTS])
    assert got == [keys.description_key(d, b) for d, b in TEXTS]
    # Expected by hand for a few rows (not from either function).
    assert got[0] == "aimed at new members this workshop helps"
    assert got[5] == "hours of work"
    assert got[6] == "" and got[7] == "only a bullet"
    assert got[9] == "leading and trailing bullets dash"


@pytest.mark.parametrize("chunk", [1, 3, 5, 1000])
def test_description_keys_do_not_depend_on_the_chunk_size(chunk, seed_text):
    listings, _ = listings_of(seed_text, "cupe-workshops", CUPE_URL)
    descriptions = [l.description for l in listings] + [d for d, _ in TEXTS]
    bullets = [l.bullets for l in listings] + [b for _, b in TEXTS]
    with mock.patch.object(keys, "_KEYS_CHUNK", chunk):
        got = keys.description_keys(descriptions, bullets)
    assert got == [keys.description_key(d, b) for d, b in zip(descriptions, bullets)]
    assert len(set(got)) > 50  # the seed's texts are different courses


def test_grouping_does_not_depend_on_how_many_texts_it_folds_at_once():
    """Grouping folds the description keys _KEYS_CHUNK rows at a time and keeps a digest of each,
    then folds again the texts it compares, _TEXTS_BATCH candidates at a time: the courses,
    variants and ids are the same with chunks of 3 rows and batches of 2 candidates as with the
    defaults. The catalogue (2,000 generated listings) has courses at several lengths, courses
    without titles, and reworded descriptions (rule 4's candidates)."""
    from bench.generate import catalogue
    from bench.stages import _our_parsers, _parse_normalise
    from grouping import group_listings, variants

    batches = _parse_normalise(catalogue(2000), _our_parsers())
    cupe = batches["cupe-workshops"]
    default = group_listings(cupe)
    assert sum(1 for c in default.courses if c.n_variants > 1) > 20
    assert sum(1 for c in default.courses if c.title is None) > 500
    with mock.patch.object(keys, "_KEYS_CHUNK", 3), mock.patch.object(variants, "_TEXTS_BATCH", 2):
        small = group_listings(cupe)
    assert list(small.course_of) == list(default.course_of)
    assert list(small.variant_of) == list(default.variant_of)
    assert list(small.courses) == list(default.courses)
    assert list(small.variants) == list(default.variants)


def test_grouping_by_partitions_of_blocks_gives_what_one_pass_gives():
    """A batch of more than _PART_ROWS listings is grouped a partition of whole blocks at a time
    and the partitions' results put together: with partitions of at most 300 rows (the blocks of
    2,000 generated listings are cut into several partitions, the largest block alone), the
    courses (with their texts), variants (with their listings), ids per listing, and the load's
    tables are those of one pass."""
    from bench.generate import catalogue
    from bench.stages import _our_parsers, _parse_normalise
    from grouping import group_listings, variants
    from warehouse.load import SourceLoad, rows_for

    cupe = _parse_normalise(catalogue(2000), _our_parsers())["cupe-workshops"]
    blocks = {(l.provider, l.series or "") for l in cupe}
    assert len(blocks) >= 5
    with mock.patch.object(variants, "_PART_ROWS", 300):
        parts = variants._partitions(cupe.table)
        split = group_listings(cupe)
    assert len(parts) >= 4 and sum(len(p) for p in parts) == len(cupe)
    assert sorted(r for p in parts for r in p.to_pylist()) == list(range(len(cupe)))
    for p in parts:  # whole blocks, in row order
        rows = p.to_pylist()
        assert rows == sorted(rows)
        mine = {(cupe[i].provider, cupe[i].series or "") for i in rows}
        assert not any((l.provider, l.series or "") in mine for i, l in enumerate(cupe) if i not in set(rows))
    one = group_listings(cupe)  # len(cupe) <= _PART_ROWS: one pass
    assert list(split.course_of) == list(one.course_of)
    assert list(split.variant_of) == list(one.variant_of)
    assert list(split.courses) == list(one.courses)
    assert list(split.variants) == list(one.variants)
    assert sum(1 for c in one.courses if c.n_variants > 1) > 20  # the merge has multi-listing courses to order
    tables = [rows_for(SourceLoad(source="s", status="loaded", listings=cupe, grouping=g)) for g in (split, one)]
    for name in ("listings", "courses", "course_variants"):
        assert tables[0][name].equals(tables[1][name]), name


def test_rows_taken_chunk_by_chunk_are_the_rows_asked_for_in_their_order():
    """_take_rows gives what Arrow's take gives, over a column of many chunks (a page each):
    rows in any order, repeated, at the chunks' bounds, none; a row past the end is an error."""
    import random

    import pyarrow as pa

    from grouping.variants import _take_rows

    rng = random.Random(3)
    chunks = [[f"text {c}-{k}" for k in range(rng.randint(0, 7))] for c in range(40)]
    column = pa.chunked_array([pa.array(c, pa.string()) for c in chunks], pa.string())
    flat = [t for c in chunks for t in c]
    bounds = [sum(len(c) for c in chunks[:k]) for k in range(1, 40)]
    for rows in ([], [0], [len(flat) - 1], bounds[:10] + [b - 1 for b in bounds[:10]],
                 [rng.randrange(len(flat)) for _ in range(200)], sorted(rng.sample(range(len(flat)), 50))):
        taken = _take_rows(column, pa.array(rows, pa.int64()))
        assert taken.to_pylist() == [flat[i] for i in rows]
    lists = pa.chunked_array([pa.array([[t, t] for t in c], pa.list_(pa.string())) for c in chunks])
    assert _take_rows(lists, pa.array([5, 1, 5], pa.int64())).to_pylist() == [[flat[i]] * 2 for i in (5, 1, 5)]
    with pytest.raises(IndexError):
        _take_rows(column, pa.array([len(flat)], pa.int64()))


def test_courses_by_id_are_in_the_order_of_the_id_strings_then_first_listing():
    """_by_id (ids read as two integers) gives the order a sort of the strings gives, ties by the
    first listing; ids not of the usual shape (another length or prefix) are sorted as strings."""
    import hashlib
    import random

    import pyarrow as pa

    from grouping.variants import _by_id

    rng = random.Random(5)
    ids = ["c_" + hashlib.sha256(str(rng.randrange(400)).encode()).hexdigest()[:16] for _ in range(1000)]
    ids += ["c_0000000000000000", "c_ffffffffffffffff", "c_00000000ffffffff", "c_ffffffff00000000"]
    firsts = rng.sample(range(10_000), len(ids))
    expected = sorted(range(len(ids)), key=lambda k: (ids[k], firsts[k]))
    assert len(set(ids)) < len(ids)  # ties, broken by the first listing
    assert _by_id(pa.array(ids), pa.array(firsts, pa.int64())).to_pylist() == expected
    odd = ids[:50] + ["c_12", "x_" + "0" * 16, "c_" + "f" * 20]
    expected = sorted(range(len(odd)), key=lambda k: (odd[k], firsts[k]))
    assert _by_id(pa.array(odd), pa.array(firsts[:len(odd)], pa.int64())).to_pylist() == expected
    assert _by_id(pa.array(ids).slice(7, 100), pa.array(firsts, pa.int64()).slice(7, 100)).to_pylist() == \
        sorted(range(100), key=lambda k: (ids[7 + k], firsts[7 + k]))
    # Every id "c_", one of 19 characters: cut to 18, it would tie with the other and come first.
    longer = ["c_" + "0" * 16 + "1", "c_" + "0" * 16, *ids[:20]]
    assert _by_id(pa.array(longer), pa.array(range(22), pa.int64())).to_pylist() == \
        sorted(range(22), key=lambda k: longer[k])
