"""Where sessions show: the report's "Upcoming sessions" section, search's next session, course titles."""
from __future__ import annotations

from datetime import date, timedelta

import shutil

import duckdb
import pytest

from report.sessions import next_sessions, sessions_section, titles
from tests.test_sessions_warehouse import STEWARD, listing, schema_template  # noqa: F401 (fixture)
from warehouse.sessions import load_sessions
from warehouse.titles import resolve_course_titles

TODAY = date.today()


@pytest.fixture()
def con(tmp_path, schema_template):
    shutil.copyfile(schema_template, tmp_path / "w.duckdb")
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    c.execute("""INSERT INTO courses (course_id, provider, source, key_kind, title, series, description, bullets,
                                      status, first_seen_run)
                 VALUES ('c_steward', 'CUPE', 'cupe-workshops', 'description', NULL, NULL, ?, [], 'active', 'r0')""", [STEWARD])
    yield c
    c.close()


def test_next_session_title_and_report_section(con):
    d1, d2, d3 = TODAY + timedelta(days=3), TODAY + timedelta(days=9), TODAY + timedelta(days=40)
    rows = listing((d2, "Regina, Saskatchewan", STEWARD), (d1, "Yorkton Area Office, Yorkton, Saskatchewan", STEWARD),
                   (d3, "ONLINE, Manitoba", "Bullying hurts everyone."))
    rows[0] = rows[0].model_copy(update={"title": "Introduction to Stewarding", "page_kind": "event page"})
    rows[1] = rows[1].model_copy(update={"title": "Introduction to Stewarding"})
    load_sessions(con, "r1", TODAY, "cupe-events", rows)
    assert con.execute("SELECT count(course_id) FROM sessions").fetchone() == (2,)
    assert resolve_course_titles(con) == ["c_steward"]  # as the load does, after the sessions
    assert con.execute("SELECT title, title_source FROM courses").fetchall() == [("Introduction to Stewarding", "event page")]
    assert resolve_course_titles(con) == []  # nothing to write a second time
    assert next_sessions(con, ["c_steward"]) == {"c_steward": f"{d1}, Yorkton Area Office, Yorkton, Saskatchewan"}
    assert titles(con, ["c_steward"]) == {"c_steward": "Introduction to Stewarding"}
    assert con.execute("SELECT title_source FROM course_titles").fetchone() == ("event page",)
    html = sessions_section(con)
    assert "<h2 id=\"sessions\">Upcoming sessions</h2>" in html
    assert html.count("<tr><td>Introduction to Stewarding</td>") == 1  # one row per course: the next session
    assert f"<td>{d1}</td>" in html and f"<td>{d2}</td>" not in html
    for province in ("Saskatchewan", "Manitoba"):
        assert f"<th>{province}</th>" in html


def test_disagreeing_session_titles_give_no_title(con):
    rows = listing((TODAY + timedelta(days=3), "Regina, Saskatchewan", STEWARD),
                   (TODAY + timedelta(days=5), "Yorkton Area Office, Yorkton, Saskatchewan", STEWARD))
    rows = [rows[0].model_copy(update={"title": "Introduction to Stewarding"}),
            rows[1].model_copy(update={"title": "Stewarding 101"})]
    load_sessions(con, "r1", TODAY, "cupe-events", rows)
    assert resolve_course_titles(con) == []
    assert con.execute("SELECT title, title_source FROM course_titles").fetchall() == [(None, None)]


def test_report_says_when_nothing_is_upcoming(con):
    load_sessions(con, "r1", TODAY, "cupe-events", listing((TODAY - timedelta(days=3), "Regina, Saskatchewan", STEWARD)))
    assert "no upcoming sessions (1 sessions listed in all" in sessions_section(con)
