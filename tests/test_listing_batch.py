"""Listings in columns (schema.batch.ListingBatch) carry exactly what the models carry, and
grouping and the load read the same things from either."""
from __future__ import annotations

import pytest

from grouping import group_listings
from normalise.listing import normalise, normalise_batch
from parsers import get_parser
from schema.batch import ListingBatch, ListingBatches
from sources import load_sources
from tests.conftest import AUPE_URL, CUPE_URL
from warehouse.load import SourceLoad, listing_ids, listing_table


def _both(content: str, source_name: str, url: str, chunk: int):
    (src,) = load_sources(None, [source_name])
    parser = get_parser(src.parser)
    raws = parser.parse(content, url).listings
    kw = dict(provider=src.provider, source=src.name, conventions=src.conventions,
              prefixes=getattr(parser, "PROGRAMME_PREFIXES", {}))
    return normalise(raws, **kw), normalise_batch(raws, chunk=chunk, **kw)


@pytest.mark.parametrize("fixture,source,url", [("cupe_html", "cupe-workshops", CUPE_URL),
                                                ("aupe_html", "aupe-courses", AUPE_URL)])
@pytest.mark.parametrize("chunk", [7, 2048])
def test_a_batch_holds_the_listings_the_models_hold(request, fixture, source, url, chunk):
    models, batch = _both(request.getfixturevalue(fixture), source, url, chunk)
    assert isinstance(batch, ListingBatch) and len(batch) == len(models) > 0
    assert list(batch) == models
    assert batch[-1] == models[-1] and batch[3] == models[3]
    assert batch.column("title") == [m.title for m in models]


def test_grouping_and_the_load_read_the_same_from_columns_as_from_models(cupe_html):
    models, batch = _both(cupe_html, "cupe-workshops", CUPE_URL, 10)
    from_models, from_batch = group_listings(models), group_listings(batch)
    assert from_batch.course_of == from_models.course_of
    assert [c.course_id for c in from_batch.courses] == [c.course_id for c in from_models.courses]
    assert listing_ids(batch) == listing_ids(models)
    a = listing_table(SourceLoad(source="cupe-workshops", status="loaded", listings=models, grouping=from_models))
    b = listing_table(SourceLoad(source="cupe-workshops", status="loaded", listings=batch, grouping=from_batch))
    assert a.to_pylist() == b.to_pylist()


def test_the_course_tables_from_held_columns_equal_those_from_row_objects(cupe_html, monkeypatch):
    """The courses and variants tables the load writes are built from grouping's columns as held
    (texts as Arrow arrays, hashed a slice at a time): the same rows and content hashes as from
    one object per course, across slice boundaries."""
    import warehouse.load as wl

    _, batch = _both(cupe_html, "cupe-workshops", CUPE_URL, 10)
    g = group_listings(batch)
    assert not isinstance(g.courses.column_as_held("description"), list)  # the texts are held as Arrow
    monkeypatch.setattr(wl, "_HASH_SLICE", 7)
    for held, fields, versions in ((g.courses, wl._COURSE_FIELDS, wl._COURSE_VERSION_FIELDS),
                                   (g.variants, wl._VARIANT_FIELDS, wl._VARIANT_VERSION_FIELDS)):
        from_columns = wl._objects_table(held, fields, versions).to_pylist()
        from_objects = wl._objects_table(list(held), fields, versions).to_pylist()
        assert len(from_columns) == len(held) > 7
        assert from_columns == from_objects
        assert [r["content_hash"] for r in from_columns] == [
            wl.content_hash(dict(zip(fields, (getattr(o, f) for f in fields))), versions) for o in held]


def test_concatenated_pages_keep_page_order(cupe_html, aupe_html):
    _, c = _both(cupe_html, "cupe-workshops", CUPE_URL, 2048)
    _, a = _both(aupe_html, "aupe-courses", AUPE_URL, 2048)
    both = ListingBatch.concat([c, a])
    assert len(both) == len(c) + len(a)
    assert both.column("source") == ["cupe-workshops"] * len(c) + ["aupe-courses"] * len(a)
    assert len(ListingBatch.concat([])) == 0


def test_pages_gathered_in_chunks_keep_every_row_in_page_order(cupe_html, aupe_html):
    """ListingBatches combines the pages' batches a chunk at a time: the rows are those of the
    pages one after another; the chunks are the pages gathered until chunk_rows was reached."""
    _, c = _both(cupe_html, "cupe-workshops", CUPE_URL, 2048)
    _, a = _both(aupe_html, "aupe-courses", AUPE_URL, 2048)
    pages = [c, a, c, a, a]
    sizes = [len(p) for p in pages]
    chunk_rows = len(c) + 1  # c alone is short of it; c + a reaches it
    builder = ListingBatches(chunk_rows=chunk_rows)
    for p in pages:
        builder.add(p)
    assert len(builder) == sum(sizes)
    gathered = builder.finish()
    assert gathered.table.equals(ListingBatch.concat(pages).table)
    # By hand: [c, a] reaches chunk_rows (a chunk), [c, a] again (a chunk), [a] is what is left.
    assert [len(chunk) for chunk in gathered.table.column("title").chunks] == [
        sizes[0] + sizes[1], sizes[2] + sizes[3], sizes[4]]
    assert len(builder.finish()) == 0 and len(ListingBatches().finish()) == 0


def test_listing_ids_read_a_slice_at_a_time_and_number_copies_across_slices(cupe_html, monkeypatch):
    """A batch's fields are read _IDS_SLICE rows at a time: the ids are those of the whole list
    read at once, and a block repeated in a later slice is still its source's second copy."""
    import warehouse.load as wl

    models, batch = _both(cupe_html, "cupe-workshops", CUPE_URL, 2048)
    twice = ListingBatch.concat([batch, batch])
    monkeypatch.setattr(wl, "_IDS_SLICE", 5)
    ids = listing_ids(twice)
    assert ids == listing_ids(models + models)
    n = len(models)
    assert ids[n:] == [f"{i}-2" for i in ids[:n]]  # every block's second copy, 5 slices or more later
