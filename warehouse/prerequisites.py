"""Prerequisites in the warehouse: which courses a course requires, linked to their course ids.

Found again on every load (``refresh_prerequisites``) from the current listings' prerequisite
texts (AUPE "Prerequisite(s):"/"Requirements:", CUPE "Pre-requisite:") and the courses as they
are after the load, so a prerequisite names a course id as soon as that course is loaded.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from normalise.mentions import MentionFinder, folded_words
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


def finder_for(con: duckdb.DuckDBPyConnection, provider: str, words: set[str]) -> MentionFinder:
    """A MentionFinder of the provider's active courses that a text of these (folded) words
    can name: a title is found in a text only where one of its words stands as it is (at most
    one word of a title may be fuzzy), so the others are left out, and the finder names the same
    courses in those texts as one of every title. Of the courses of one title a mention names the
    first (MentionFinder): only those are read. At a million listings every title's index was
    ~90 MB; the titles the prerequisites can name are a few thousand."""
    titles = con.execute("SELECT min(course_id) AS course_id, title FROM courses WHERE provider = ? "
                         "AND status = 'active' AND title IS NOT NULL GROUP BY title ORDER BY 1", [provider]).arrow()
    titles = titles.read_all() if hasattr(titles, "read_all") else titles
    known = []
    for batch in titles.to_batches(max_chunksize=16_384):
        for course_id, title in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist()):
            if not words.isdisjoint(folded_words(title)):
                known.append(KnownCourse(course_id, title))
    return MentionFinder(known)


def refresh_prerequisites(con: duckdb.DuckDBPyConnection) -> int:
    """Read every current listing's prerequisites again and link them; returns the rows written."""
    con.execute("DELETE FROM course_prerequisites")
    listings = con.execute("""
        SELECT DISTINCT l.provider, l.course_id, l.prerequisites, l.notes FROM listings l
        WHERE l.course_id IS NOT NULL AND (l.prerequisites IS NOT NULL
              OR len(list_filter(l.notes, n -> regexp_matches(n, '(?i)pre-?requisite'))) > 0)
        ORDER BY l.provider, l.course_id""").fetchall()
    # Each provider's texts, in order; then its courses that a text may name (finder_for).
    texts: dict[str, list[tuple[str, str]]] = {}
    for provider, course_id, prerequisites, notes in listings:
        for text in prerequisite_texts(prerequisites, list(notes or [])):
            if not NONE_RE.match(text):
                texts.setdefault(provider, []).append((course_id, text))
    del listings
    rows, seen = [], set()
    for provider, items in texts.items():
        finder = finder_for(con, provider, {w for _, text in items for w in folded_words(text)})
        for course_id, text in items:
            found = [p for p in parse_prerequisites(text, finder) if p.course_id != course_id]
            for p in found or [None]:
                row = {"course_id": course_id, "requires_course_id": p.course_id if p else None, "text": text,
                       "requires": p.name if p else None, "match": p.match if p else None}
                key = (course_id, text, row["requires"])
                if key not in seen:
                    seen.add(key)
                    rows.append(row)
        del finder
    if rows:
        cols = [c[0] for c in TABLE[2]]
        con.register("incoming_prereq", pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in cols}))
        try:
            con.execute(f"INSERT INTO course_prerequisites ({', '.join(cols)}) "
                        f"SELECT {', '.join(cols)} FROM incoming_prereq")
        finally:
            con.unregister("incoming_prereq")
    return len(rows)
