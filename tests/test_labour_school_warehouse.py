"""The Labour School through a real flow run into a real DuckDB file: schools, listings with
school_id, labour_school_courses, and prerequisites linked across sources. Expected values
written by hand from the sample pages (samples/archive/aupe-labour-school, aupe-courses)."""
from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from flows.refresh import refresh
from tests.conftest import SAMPLES, empty_warehouse


@pytest.mark.usefixtures("prefect_harness")
def test_schools_courses_and_prerequisites(tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(SAMPLES / "aupe-courses", root / "aupe-courses")
    shutil.copytree(SAMPLES / "aupe-labour-school", root / "aupe-labour-school")
    p2020 = root / "aupe-labour-school" / "2020.html"
    html = p2020.read_text(encoding="utf-8")
    assert "<li>Labour and Politics</li>" in html
    # A school course with the very title of a catalogue course: named beside it in the view.
    p2020.write_text(html.replace("<li>Labour and Politics</li>",
                                  "<li>Labour and Politics</li>\n<li>Contract Interpretation</li>"), encoding="utf-8")
    db = tmp_path / "c.duckdb"
    empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    summary = refresh(db_path=str(db), from_archive=str(root), source_names=["aupe-courses", "aupe-labour-school"])
    assert summary.ok, summary.failures
    assert summary.sources["aupe-labour-school"]["listings"] == 11  # 2 + 2 + 5 + 2 course sections
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql: con.execute(sql).fetchall()
    assert q("""SELECT name, theme, start_date, end_date, venue, applications_open, applications_close,
                       course_choices, n_courses FROM schools ORDER BY name""") == [
        ("Labour School 2020", None, date(2020, 3, 1), date(2020, 3, 6), "Fantasyland Hotel", None,
         date(2020, 1, 10), None, 5),
        ("Labour School 2023", None, None, None, None, None, None, None, 2),
        ("Labour School 2025", "From Shop Floor to Streets: Solidarity Wins", date(2025, 3, 9), date(2025, 3, 13),
         "Jasper Park Lodge", date(2024, 7, 8), date(2024, 9, 9), 3, 2),
        ("Labour School: Course Descriptions and Prerequisites", None, None, None, None, None, None, None, 2),
    ]
    # Every school listing carries its page's school; catalogue listings none.
    assert q("SELECT source, count(*), count(school_id) FROM listings GROUP BY 1 ORDER BY 1") == [
        ("aupe-courses", 9, 0), ("aupe-labour-school", 11, 11)]
    assert q("""SELECT s.name, l.title FROM listings l JOIN schools s USING (school_id)
                WHERE s.name = 'Labour School 2025' ORDER BY l.position""") == [
        ("Labour School 2025", "Union Steward"), ("Labour School 2025", "Organizing for Power")]
    # The same course in several years is one course of the programme "Labour School".
    assert q("SELECT title, n_listings FROM courses WHERE source = 'aupe-labour-school' ORDER BY title") == [
        ("Advanced Occupational Health and Safety", 2), ("Contract Interpretation", 1), ("Labour and Politics", 2),
        ("OH&S for Union Activists", 2), ("Organizing for Power", 1), ("Union Steward", 3)]
    assert q("SELECT DISTINCT series FROM courses WHERE source = 'aupe-labour-school'") == [("Labour School",)]
    # The 2020 names-only course is a course with a title and no description, not an error.
    assert q("SELECT count(*) FROM block_errors") == [(0,)]
    (cat,) = q("SELECT course_id FROM courses WHERE source = 'aupe-courses' AND title = 'Contract Interpretation'")
    assert q("""SELECT school, title, description, catalogue_course_id FROM labour_school_courses
                WHERE catalogue_course_id IS NOT NULL""") == [("Labour School 2020", "Contract Interpretation", "", cat[0])]
    assert q("""SELECT title, requires, requires_title, requires_source FROM prerequisites_by_course
                WHERE source = 'aupe-labour-school'""") == [
        ("Advanced Occupational Health and Safety", "OH&S for Union Activists", "OH&S for Union Activists",
         "aupe-labour-school"),
        ("Labour and Politics", "Rethinking Politics", "Rethinking Politics", "aupe-courses"),
        ("OH&S for Union Activists", "Introduction to Occupational Health and Safety",
         "Introduction to Occupational Health and Safety", "aupe-courses"),
    ]
    con.close()
