"""Course titles, languages and workshop URLs from the pages around the catalogue (warehouse/titles.py).

Four courses, set up by hand: one the catalogue titles; one untitled whose workshop page and
sessions both name it (the workshop page wins); one untitled whose sessions agree on a title;
one nothing names."""
from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.test_sessions_warehouse import schema_template  # noqa: F401 (fixture)
from warehouse.titles import resolve_course_titles

COURSE = """INSERT INTO courses (course_id, provider, source, key_kind, title, series, description, bullets,
                                 status, first_seen_run) VALUES (?, 'CUPE', 'cupe-workshops', ?, ?, NULL, ?, [], 'active', 'r0')"""


@pytest.fixture()
def con(tmp_path, schema_template):
    shutil.copyfile(schema_template, tmp_path / "w.duckdb")
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    for cid, kind, title, text in (("c_cat", "title", "Clear Language", "Write so members read it."),
                                   ("c_wp", "description", None, "Learn about your duties regarding the finances."),
                                   ("c_ses", "description", None, "What does a CUPE steward do?"),
                                   ("c_none", "description", None, "Bullying hurts everyone.")):
        c.execute(COURSE, [cid, kind, title, text])
    c.execute("""INSERT INTO workshop_pages (workshop_url, course_id, title, languages, status)
                 VALUES ('https://cupe.ca/mrm-union-education/workshop/39', 'c_wp', 'Financial Officers',
                         ['English', 'French'], 'active')""")
    for sid, cid, title, kind in (("s1", "c_wp", "Financial Officers (day 2)", "event page"),
                                  ("s2", "c_ses", "Introduction to Stewarding", "event page"),
                                  ("s3", "c_ses", "Introduction to Stewarding", "events listing"),
                                  ("s4", "c_cat", "Plain Language", "event page")):
        c.execute("INSERT INTO sessions (session_id, course_id, title, page_kind, status) VALUES (?, ?, ?, ?, 'active')",
                  [sid, cid, title, kind])
    yield c
    c.close()


def titles(con):
    return con.execute("SELECT course_id, title, title_source FROM courses ORDER BY course_id").fetchall()


def test_catalogue_then_workshop_page_then_sessions(con):
    assert sorted(resolve_course_titles(con)) == ["c_cat", "c_ses", "c_wp"]
    assert titles(con) == [("c_cat", "Clear Language", "catalogue"),       # the catalogue's, not its session's
                           ("c_none", None, None),
                           ("c_ses", "Introduction to Stewarding", "event page"),
                           ("c_wp", "Financial Officers", "workshop page")]  # the page's, not the session's
    assert con.execute("SELECT course_id, workshop_url, languages FROM courses WHERE workshop_url IS NOT NULL").fetchall() == [
        ("c_wp", "https://cupe.ca/mrm-union-education/workshop/39", ["English", "French"])]
    assert resolve_course_titles(con) == []  # nothing to write again


def test_a_reloaded_course_gets_its_title_back_and_falls_back_when_its_page_goes(con):
    resolve_course_titles(con)
    # the catalogue load re-inserts a changed course as the page gives it: untitled, no source
    con.execute("UPDATE courses SET title = NULL, title_source = NULL, description = 'What does a steward do?' "
                "WHERE course_id = 'c_ses'")
    assert resolve_course_titles(con) == ["c_ses"]
    assert titles(con)[2] == ("c_ses", "Introduction to Stewarding", "event page")
    # the workshop page is no longer linked: its title and URL go, the sessions' title takes over
    con.execute("UPDATE workshop_pages SET status = 'removed'")
    assert resolve_course_titles(con) == ["c_wp"]
    assert titles(con)[3] == ("c_wp", "Financial Officers (day 2)", "event page")
    assert con.execute("SELECT count(workshop_url), count(languages) FROM courses").fetchone() == (0, 0)
    # sessions that disagree give no title
    con.execute("INSERT INTO sessions (session_id, course_id, title, page_kind, status) "
                "VALUES ('s5', 'c_wp', 'Financial Officers', 'event page', 'active')")
    assert resolve_course_titles(con) == ["c_wp"]
    assert titles(con)[3] == ("c_wp", None, None)


def test_topics_follow_the_title(con):
    con.execute(COURSE, ["c_hs", "description", None, "Learn to run a meeting."])
    con.execute("INSERT INTO sessions (session_id, course_id, title, page_kind, status) "
                "VALUES ('s6', 'c_hs', 'Health and Safety Committees', 'event page', 'active')")
    before = con.execute("SELECT count(*) FROM course_topics WHERE course_id = 'c_hs'").fetchone()[0]
    resolve_course_titles(con)
    assert before == 0
    assert ("health and safety",) in con.execute("SELECT topic FROM course_topics WHERE course_id = 'c_hs'").fetchall()
