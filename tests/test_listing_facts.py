"""Listings: content-derived ids that survive reordering; prerequisites 'None' is no
prerequisite; course-level facts in course_facts."""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from grouping import group_listings
from normalise.listing import prerequisites
from tests.conftest import SAMPLES, copy_sample_db, empty_warehouse
from tests.helpers import listings_of
from tests.test_history import rows_of
from warehouse.load import RunRecord, SourceLoad, listing_ids, publish

CUPE_URL = "https://cupe.ca/mrm-union-education/workshops"
V1 = (SAMPLES / "cupe-workshops" / "workshops.html").read_text(encoding="utf-8")
NEW_BLOCK = ('\n<div class="field-duration">3 hours</div>\n<div class="field-program">Steward Learning Series</div>\n'
             '<div class="field-body">\n<p>A new module at the top of the page.</p>\n</div>\n</div>\n')


@pytest.fixture(scope="module")
def sample_db(sample_db_template, tmp_path_factory):
    """A copy of the session's warehouse of samples/ (tools.data_dictionary.build_sample_db)."""
    return copy_sample_db(sample_db_template, tmp_path_factory.mktemp("facts") / "c.duckdb")


def ids_by_text(page: str) -> dict[str, str]:
    listings, _ = listings_of(page, "cupe-workshops", CUPE_URL)
    return {f"{l.duration_text}|{l.series}|{l.description}": i for l, i in zip(listings, listing_ids(listings))}


def test_a_new_block_and_a_move_leave_every_other_id_alone():
    before = ids_by_text(V1)
    head, *rows = rows_of(V1)
    rows.insert(0, NEW_BLOCK)            # every block moves one place down
    rows[10], rows[40] = rows[40], rows[10]  # and two swap places
    after = ids_by_text(head + "".join('<div class="views-row">' + r for r in rows))
    assert len(before) == 84 and len(after) == 85
    assert {k: after[k] for k in before} == before
    assert len(set(after.values())) == 85


def test_identical_blocks_get_distinct_ids_in_page_order():
    head, *rows = rows_of(V1)
    twice = head + "".join('<div class="views-row">' + r for r in [rows[3], *rows[:50], rows[3], *rows[50:]])
    listings, _ = listings_of(twice, "cupe-workshops", CUPE_URL)
    ids = listing_ids(listings)
    assert len(set(ids)) == len(ids) == 86
    first = ids[0]
    assert ids.count(first) == 1 and f"{first}-2" in ids and f"{first}-3" in ids


def test_listing_ids_in_the_warehouse_follow_the_content(tmp_path):
    db = empty_warehouse(tmp_path / "c.duckdb")  # the session's empty warehouse, copied (no DDL run here)

    def load(page: str, run_id: str) -> dict[str, tuple[str, int]]:
        listings, _ = listings_of(page, "cupe-workshops", CUPE_URL)
        started = datetime.now(timezone.utc)
        publish(db, RunRecord(run_id=run_id, started_at=started, finished_at=started, mode="archive",
                              sources=["cupe-workshops"], status="succeeded"),
                [SourceLoad(source="cupe-workshops", status="loaded", listings=listings,
                            grouping=group_listings(listings))])
        con = duckdb.connect(str(db), read_only=True)
        out = {d: (i, p) for i, p, d in con.execute(
            "SELECT listing_id, position, duration_text || '|' || description FROM listings").fetchall()}
        con.close()
        return out

    first = load(V1, "r1")
    head, *rows = rows_of(V1)
    second = load(head + "".join('<div class="views-row">' + r for r in [NEW_BLOCK, *rows]), "r2")
    moved = [k for k in first if second[k][1] != first[k][1]]
    assert len(moved) == 84                                        # every block moved one place...
    assert all(second[k][0] == first[k][0] for k in first)         # ...and kept its id
    assert all(second[k][1] == first[k][1] + 1 for k in first)


@pytest.mark.parametrize("text, expected", [
    ("None", None), ("none", None), ("N/A", None), ("n/a.", None), ("No prerequisites", None),
    ("No prerequisites required", None), ("None required", None), ("  ", None), (None, None),
    ("Introduction to Your Union", "Introduction to Your Union"),
    ("None of the other courses; bring a laptop", "None of the other courses; bring a laptop"),
])
def test_prerequisites_that_say_none_are_null(text, expected):
    assert prerequisites(text) == expected


def test_aupe_prerequisites_and_course_facts(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    q = lambda sql: con.execute(sql).fetchall()
    # The AUPE page: 9 courses; 7 say "Prerequisites: None", 2 name a course.
    assert q("SELECT count(*) FROM listings WHERE provider = 'AUPE' AND prerequisites IS NOT NULL") == [(2,)]
    assert q("SELECT title, prerequisites FROM course_facts WHERE provider = 'AUPE' AND len(prerequisites) > 0 "
             "ORDER BY title") == [("Contract Interpretation", ["Foundations for Union Stewards"]),
                                   ("Foundations for Union Stewards", ["Introduction to Your Union"])]
    # Online: only "Introduction to Your Union - Available online only" says so, on either page.
    assert q("SELECT provider, title, delivery_modes FROM course_facts WHERE online") == [
        ("AUPE", "Introduction to Your Union", ["online"])]
    assert q("SELECT count(*) FROM course_facts") == [(87,)]
    assert q("SELECT availability FROM course_facts WHERE title LIKE 'Labour History%'") == [(["Currently not available"],)]
    (notes,) = q("SELECT notes FROM course_facts WHERE list_contains(notes, 'LAPTOP REQUIRED-if possible.')")[0]
    assert notes
    # A multi-length course gathers the facts of all its listings.
    assert q("SELECT count(*) FROM course_facts f JOIN courses c USING (course_id) "
             "WHERE f.n_listings <> c.n_listings") == [(0,)]
    con.close()
