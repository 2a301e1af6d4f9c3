"""Same title, different courses: the title groups only what the texts allow, and only a
trailing length is folded out of a title."""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb

from grouping import group_listings
from grouping.keys import title_key
from tests.conftest import empty_warehouse
from tests.test_grouping import listing
from warehouse.load import RunRecord, SourceLoad, publish

# Three different modules under one title and one length (SITES.md: the "Championing" modules
# are different courses for different audiences).
CHAMPIONING = [
    "Championing human rights in the local: how the executive builds an equity committee.",
    "Championing human rights in health and safety: hazards that fall hardest on equity groups.",
    "Championing human rights as a steward: accommodation, harassment and the duty to represent.",
]


def championing(hours: float = 3.0, text: str | None = None):
    return [listing(position=i, title="Championing Human Rights", series="Steward Learning Series",
                    description=text or t, duration_text=f"{hours:g} hours", duration_hours=hours,
                    duration_hours_max=hours)
            for i, t in enumerate(CHAMPIONING)]


def test_three_texts_at_one_length_under_one_title_are_three_courses():
    g = group_listings(championing())
    assert len(g.courses) == 3 and len(g.variants) == 3
    assert sorted(c.description for c in g.courses) == sorted(CHAMPIONING)
    assert {c.key_kind for c in g.courses} == {"title and description"}
    assert len(set(g.course_of)) == 3


def test_the_same_text_at_two_lengths_is_one_course_with_two_variants():
    g = group_listings([*championing(3.0, CHAMPIONING[0])[:1], *championing(6.0, CHAMPIONING[0])[:1]])
    assert len(g.courses) == 1 and [v.duration_hours for v in g.variants] == [3.0, 6.0]
    assert g.courses[0].key_kind == "title"


def test_a_reworded_text_at_another_length_still_joins_its_title():
    a = listing(position=0, title="Grievance Handling", description="Learn to file a grievance and see it through.")
    b = listing(position=1, title="Grievance Handling", description="A week on grievances: filing, meetings, arbitration.",
                duration_text="1 week", duration_hours=35.0, duration_hours_max=35.0)
    g = group_listings([a, b])
    assert len(g.courses) == 1 and g.courses[0].lengths == ["3 hours", "1 week"]


def test_titles_that_differ_in_the_length_they_name_join_only_on_like_texts():
    one = dict(title="Financial Essentials 1 Day", duration_text="1 day", duration_hours=7.0, duration_hours_max=7.0)
    two = dict(title="Financial Essentials 2 Day", duration_text="2 days", duration_hours=14.0, duration_hours_max=14.0)
    different = group_listings([
        listing(position=0, description="Budgets and reports for a new treasurer.", **one),
        listing(position=1, description="Audits, trustees and the annual financial statement in depth.", **two)])
    assert len(different.courses) == 2
    same = group_listings([
        listing(position=0, description="Budgets, audits and reports in this one-day workshop.", **one),
        listing(position=1, description="Budgets, audits and reports in this two-day workshop.", **two)])
    assert len(same.courses) == 1 and same.courses[0].lengths == ["1 day", "2 days"]


def test_only_a_trailing_length_is_folded_out_of_a_title():
    assert title_key("Financial Essentials 2 Day") == "financial essentials"
    assert title_key("Level 2 Day Course") != title_key("Level 1 Day Course")
    assert title_key("Level 2 Day Course") == "level 2 day course"
    assert title_key("Health and Safety: 40 Hour Certification Program") != title_key(
        "Health and Safety: 8 Hour Certification Program")


def test_no_description_vanishes_from_courses(tmp_path):
    listings = championing()
    started = datetime.now(timezone.utc)
    db = tmp_path / "c.duckdb"
    empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    publish(db, RunRecord(run_id="r1", started_at=started, finished_at=started, mode="archive",
                          sources=["cupe-workshops"], status="succeeded"),
            [SourceLoad(source="cupe-workshops", status="loaded", listings=listings, grouping=group_listings(listings))])
    con = duckdb.connect(str(db), read_only=True)
    assert sorted(d for (d,) in con.execute("SELECT description FROM courses").fetchall()) == sorted(CHAMPIONING)
    assert con.execute("SELECT count(DISTINCT course_id), count(DISTINCT variant_id) FROM listings").fetchone() == (3, 3)
    con.close()
