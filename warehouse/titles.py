"""Course titles from every page that names a course, written into ``courses.title``.

The catalogue is the first authority: a title it gives is kept as it is (``title_source``
'catalogue'). CUPE's catalogue capture drops most titles, so a course without one takes, in
this order,

1. the title of the workshop page its catalogue listing links to ('workshop page'), where
   a ``workshop_pages`` table exists;
2. the one title its linked sessions agree on ('event page' where an event page gave it,
   else 'events listing'); sessions that disagree give no title.

Run inside the load's transaction, after courses and sessions are written, on every load: a
course whose catalogue text changed is re-inserted without a title and gets it back here.
The same step gives a course the URL and languages of its workshop page.
Only rows whose title or source differ are updated, and the topics of those courses are
recomputed (they read the title). ``course_history`` keeps the catalogue's own titles.
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from topics import assign_topics

TITLE_SOURCES = ("catalogue", "workshop page", "event page", "events listing")

# The title the linked, not cancelled sessions of a course agree on (one title, case aside).
AGREED_SESSIONS_SQL = """
    SELECT course_id, min(title) AS title, min(programme) AS programme,
           CASE WHEN bool_or(page_kind = 'event page') THEN 'event page' ELSE 'events listing' END AS title_source
    FROM sessions
    WHERE course_id IS NOT NULL AND title IS NOT NULL AND status <> 'cancelled'
          AND page_kind IN ('event page', 'events listing')
    GROUP BY course_id HAVING count(DISTINCT lower(title)) = 1"""


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main' "
        "AND database_name = current_database()", [name]).fetchone()[0])


def _workshop_titles_sql(con: duckdb.DuckDBPyConnection) -> str:
    if not _has_table(con, "workshop_pages"):
        return "SELECT NULL::VARCHAR AS course_id, NULL::VARCHAR AS title WHERE false"
    return """SELECT course_id, min(title) AS title FROM workshop_pages
              WHERE course_id IS NOT NULL AND title IS NOT NULL AND status = 'active'
              GROUP BY course_id HAVING count(DISTINCT lower(title)) = 1"""


def _fill_from_workshop_pages(con: duckdb.DuckDBPyConnection) -> None:
    """``courses.workshop_url``/``languages`` from the active workshop page linked to each course
    (null where none is); only rows that differ are written."""
    if not _has_table(con, "workshop_pages"):
        return
    desired = """
        SELECT c.course_id, w.workshop_url, w.languages
        FROM courses c LEFT JOIN (
            SELECT course_id, min(workshop_url) AS workshop_url, first(languages ORDER BY workshop_url) AS languages
            FROM workshop_pages WHERE course_id IS NOT NULL AND status = 'active' GROUP BY course_id) w USING (course_id)"""
    con.execute(f"""
        UPDATE courses SET workshop_url = d.workshop_url, languages = d.languages
        FROM ({desired}) d
        WHERE courses.course_id = d.course_id
          AND (courses.workshop_url IS DISTINCT FROM d.workshop_url OR courses.languages IS DISTINCT FROM d.languages)""")


def resolve_course_titles(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Set ``courses.title``/``title_source`` as described above, and ``workshop_url``/``languages``
    from the workshop pages; the ids of the courses whose title changed."""
    _fill_from_workshop_pages(con)
    sessions_sql = AGREED_SESSIONS_SQL if _has_table(con, "sessions") else \
        "SELECT NULL::VARCHAR AS course_id, NULL::VARCHAR AS title, NULL::VARCHAR AS programme, " \
        "NULL::VARCHAR AS title_source WHERE false"
    # A title with no source yet was written by the catalogue load (new or changed rows).
    desired = f"""
        SELECT c.course_id,
               CASE WHEN own THEN c.title ELSE coalesce(w.title, a.title) END AS title,
               CASE WHEN own THEN 'catalogue' WHEN w.title IS NOT NULL THEN 'workshop page'
                    ELSE a.title_source END AS title_source
        FROM (SELECT *, title IS NOT NULL AND (title_source IS NULL OR title_source = 'catalogue') AS own
              FROM courses) c
        LEFT JOIN ({_workshop_titles_sql(con)}) w USING (course_id)
        LEFT JOIN ({sessions_sql}) a USING (course_id)"""
    changed = [cid for cid, in con.execute(f"""
        SELECT d.course_id FROM ({desired}) d JOIN courses c USING (course_id)
        WHERE c.title IS DISTINCT FROM d.title OR c.title_source IS DISTINCT FROM d.title_source""").fetchall()]
    if not changed:
        return []
    con.execute(f"""
        UPDATE courses SET title = d.title, title_source = d.title_source
        FROM ({desired}) d
        WHERE courses.course_id = d.course_id
          AND (courses.title IS DISTINCT FROM d.title OR courses.title_source IS DISTINCT FROM d.title_source)""")
    # Topics read the title: recompute them for the active courses whose title changed.
    con.register("changed_titles", pa.table({"id": pa.array(changed, pa.string())}))
    try:
        rows = con.execute("""
            SELECT course_id, title, series, description, bullets FROM courses
            WHERE status = 'active' AND course_id IN (SELECT id FROM changed_titles)""").fetchall()
        con.execute("DELETE FROM course_topics WHERE course_id IN (SELECT id FROM changed_titles)")
    finally:
        con.unregister("changed_titles")
    topics = {"course_id": [], "topic": [], "rule": []}
    for cid, title, series, description, bullets in rows:
        for topic, rule in assign_topics(title, series, description or "", list(bullets or [])):
            topics["course_id"].append(cid)
            topics["topic"].append(topic)
            topics["rule"].append(rule)
    if topics["course_id"]:
        con.register("incoming_topics", pa.table({c: pa.array(v, pa.string()) for c, v in topics.items()}))
        try:
            con.execute("INSERT INTO course_topics (course_id, topic, rule) SELECT course_id, topic, rule "
                        "FROM incoming_topics")
        finally:
            con.unregister("incoming_topics")
    return changed
