"""Prerequisites in the warehouse: which courses a course requires, linked to their course ids.

Found again on every load (``refresh_prerequisites``) from the current listings' prerequisite
texts (AUPE "Prerequisite(s):"/"Requirements:", CUPE "Pre-requisite:") and the courses as they
are after the load, so a prerequisite names a course id as soon as that course is loaded.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from normalise.mentions import MentionFinder
from normalise.prerequisites import NONE_RE, parse_prerequisites, prerequisite_texts
from schema.news import KnownCourse

TABLE = ("course_prerequisites",
         "What each current course requires first: one row per course named in its prerequisite text "
         "(AUPE 'Prerequisite(s):' / 'Requirements:', CUPE 'Pre-requisite:'), linked to that course's id where "
         "it names a known course of the same union (normalise/prerequisites.py). A text naming no course "
         "('Must be a steward') gives one row with no name; 'None' gives no row.", [
    ("course_id", "VARCHAR", "The course that has the prerequisite (courses.course_id)."),
    ("requires_course_id", "VARCHAR", "The course it requires (courses.course_id); null where the name matches no known course."),
    ("text", "VARCHAR", "The prerequisite text as written, e.g. 'OH&S for Union Activists'."),
    ("requires", "VARCHAR", "The course name as the text writes it; null where the text names no course."),
    ("match", "VARCHAR", "How the name matched the required course's title: exact, folded (case, punctuation) or fuzzy (one letter off); null when unlinked."),
])

VIEW = ("prerequisites_by_course",
        "The prerequisites of each course, by title on both sides: what an analyst reads to answer "
        "'what are the prerequisites of X'.", {
    "provider": "Union offering the course.",
    "course_id": "The course (courses.course_id).",
    "title": "Title of the course.",
    "source": "Source the course was read from (aupe-courses, aupe-labour-school, ...).",
    "requires": "A required course, as the prerequisite text names it; null where it names none.",
    "requires_course_id": "The required course (courses.course_id); null where unlinked.",
    "requires_title": "The required course's title in the catalogue; null where unlinked.",
    "requires_source": "Source of the required course.",
    "text": "The prerequisite text as written.",
}, """SELECT c.provider, p.course_id, c.title, c.source, p.requires, p.requires_course_id,
          r.title AS requires_title, r.source AS requires_source, p.text
   FROM course_prerequisites p JOIN courses c USING (course_id)
   LEFT JOIN courses r ON r.course_id = p.requires_course_id
   ORDER BY c.provider, c.title, p.course_id, p.text, p.requires""")


def ensure_prerequisites_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the table if missing, (re)create the view, (re)write every comment. Idempotent."""
    from warehouse.ddl import create_table, create_view

    create_table(con, *TABLE)
    view, comment, vcols, sql = VIEW
    create_view(con, view, comment, vcols, sql)


def refresh_prerequisites(con: duckdb.DuckDBPyConnection) -> int:
    """Read every current listing's prerequisites again and link them; returns the rows written."""
    con.execute("DELETE FROM course_prerequisites")
    listings = con.execute("""
        SELECT DISTINCT l.provider, l.course_id, l.prerequisites, l.notes FROM listings l
        WHERE l.course_id IS NOT NULL AND (l.prerequisites IS NOT NULL
              OR len(list_filter(l.notes, n -> regexp_matches(n, '(?i)pre-?requisite'))) > 0)
        ORDER BY l.provider, l.course_id""").fetchall()
    finders: dict[str, MentionFinder] = {}
    rows, seen = [], set()
    for provider, course_id, prerequisites, notes in listings:
        if provider not in finders:
            # Of the courses of one title a mention names the first (MentionFinder): only those
            # are read (a large catalogue repeats its titles).
            known = con.execute("SELECT min(course_id), title FROM courses WHERE provider = ? AND status = 'active' "
                                "AND title IS NOT NULL GROUP BY title ORDER BY 1", [provider]).fetchall()
            finders[provider] = MentionFinder([KnownCourse(cid, t) for cid, t in known])
        for text in prerequisite_texts(prerequisites, list(notes or [])):
            if NONE_RE.match(text):
                continue
            found = [p for p in parse_prerequisites(text, finders[provider]) if p.course_id != course_id]
            for p in found or [None]:
                row = {"course_id": course_id, "requires_course_id": p.course_id if p else None, "text": text,
                       "requires": p.name if p else None, "match": p.match if p else None}
                key = (course_id, text, row["requires"])
                if key not in seen:
                    seen.add(key)
                    rows.append(row)
    if rows:
        cols = [c[0] for c in TABLE[2]]
        con.register("incoming_prereq", pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in cols}))
        try:
            con.execute(f"INSERT INTO course_prerequisites ({', '.join(cols)}) "
                        f"SELECT {', '.join(cols)} FROM incoming_prereq")
        finally:
            con.unregister("incoming_prereq")
    return len(rows)
