"""Schools in the warehouse: AUPE's Labour School, one row per school (year), its courses as
listings carrying ``school_id``, and the view ``labour_school_courses``.

A school's courses are courses of the programme "Labour School" (their own course ids); where
one has the very title (folded) of a course of another source of the same union, the view
names that course too (``catalogue_course_id``): precision first, titles that merely look
alike are not joined.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from grouping.keys import stable_id
from schema.schools import School

SCHOOLS = ("schools", "Schools: one row per school a school page describes (AUPE's Labour School, per year), "
                      "replaced each time its source loads. The school's courses are the listings with its school_id.", [
    ("school_id", "VARCHAR", "Stable identifier of the school (provider, name, start date)."),
    ("provider", "VARCHAR", "Union running the school."),
    ("source", "VARCHAR", "Source the school was read from, e.g. aupe-labour-school."),
    ("name", "VARCHAR", "Name as the page gives it, e.g. 'Labour School 2025'."),
    ("theme", "VARCHAR", "The year's theme, e.g. 'From Shop Floor to Streets: Solidarity Wins'; null where the page gives none."),
    ("start_date", "DATE", "First day of the school; null where the page gives no dates."),
    ("end_date", "DATE", "Last day of the school."),
    ("venue", "VARCHAR", "Where it is held, e.g. 'Jasper Park Lodge'."),
    ("applications_open", "DATE", "When applications open."),
    ("applications_close", "DATE", "When applications (or registration) close: the deadline."),
    ("course_choices", "INTEGER", "How many courses an applicant chooses, where the page says."),
    ("n_courses", "INTEGER", "Number of courses the page lists for the school."),
    ("source_url", "VARCHAR", "URL of the page the school was read from."),
])

VIEW = ("labour_school_courses",
        "Each school's courses, with the school's dates and place, the course's prerequisites as written, and "
        "the course of another source with the same title where there is one.", {
    "school_id": "The school (schools.school_id).",
    "school": "Name of the school.",
    "start_date": "First day of the school.",
    "end_date": "Last day of the school.",
    "venue": "Where it is held.",
    "position": "Position of the course on the school's page.",
    "course_id": "The course (courses.course_id).",
    "title": "Course title.",
    "description": "The course's description on the school's page; empty where the page lists only its name.",
    "prerequisites": "Prerequisites as written; the courses they name are in course_prerequisites.",
    "catalogue_course_id": "A course of another source of the same union with the same title (folded), e.g. the course catalogue's; null where none.",
}, """SELECT s.school_id, s.name AS school, s.start_date, s.end_date, s.venue, l.position, l.course_id,
          l.title, l.description, l.prerequisites,
          (SELECT min(c.course_id) FROM courses c
           WHERE c.provider = l.provider AND c.source <> l.source AND c.status = 'active'
             AND lower(regexp_replace(c.title, '[^A-Za-z0-9]+', ' ', 'g'))
               = lower(regexp_replace(l.title, '[^A-Za-z0-9]+', ' ', 'g'))) AS catalogue_course_id
   FROM schools s JOIN listings l USING (school_id)
   ORDER BY s.start_date NULLS LAST, s.name, l.position""")


def ensure_schools_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The schools table (and listings.school_id in a warehouse made before it), the view, the comments."""
    con.execute("ALTER TABLE listings ADD COLUMN IF NOT EXISTS school_id VARCHAR")
    from warehouse.ddl import create_table, create_view

    create_table(con, *SCHOOLS)
    view, comment, vcols, sql = VIEW
    create_view(con, view, comment, vcols, sql)


def school_id(provider: str, school: School) -> str:
    return stable_id("s_", provider, school.name, school.start_date.isoformat() if school.start_date else None)


def school_row(provider: str, source: str, school: School, n_courses: int) -> dict:
    return {"school_id": school_id(provider, school), "provider": provider, "source": source, "name": school.name,
            "theme": school.theme, "start_date": school.start_date, "end_date": school.end_date,
            "venue": school.venue, "applications_open": school.applications_open,
            "applications_close": school.applications_close, "course_choices": school.course_choices,
            "n_courses": n_courses, "source_url": school.source_url}


def write_schools(con: duckdb.DuckDBPyConnection, loaded: list) -> None:
    """In the load's transaction: each loaded school source's schools replace its previous ones."""
    for load in loaded:
        rows = getattr(load, "schools", None)
        if rows is None:
            continue
        con.execute("DELETE FROM schools WHERE source = ?", [load.source])
        if rows:
            cols = [c[0] for c in SCHOOLS[2]]
            con.register("incoming_schools", pa.table({c: [r[c] for r in rows] for c in cols}))
            try:
                con.execute(f"INSERT INTO schools ({', '.join(cols)}) SELECT {', '.join(cols)} FROM incoming_schools")
            finally:
                con.unregister("incoming_schools")
