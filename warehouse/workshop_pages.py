"""CUPE workshop pages in the warehouse: the table ``workshop_pages`` and their sessions.

One row per workshop page (``/mrm-union-education/workshop/<n>``) its source has read. Each
run that loads the source, inside the run's transaction (``write_workshop_pages``):

* a page read and parsed in the run is written as read: ``active``, last_seen_run set,
  first_seen_run kept from its earlier row;
* a page of the source not read in the run any more is marked ``removed``; a page read but not
  readable (a block error) keeps its earlier row as it was;
* ``course_id`` is the catalogue course whose listing links to the page (``listings.link`` ->
  ``listings.course_id``, as loaded in the same transaction); null where no listing links to it
  or the listings linking to it belong to more than one course.

The pages add no course and change no course id: the catalogue stays the source of listings.
Their sessions go to ``sessions`` (page_kind 'workshop page'), linked to the course by the
workshop link (warehouse.sessions.load_sessions).
"""
from __future__ import annotations

import duckdb
import pyarrow as pa

from schema.workshop_pages import WorkshopPage

TABLE = ("workshop_pages",
         "CUPE workshop pages (https://cupe.ca/mrm-union-education/workshop/<n>): one row per workshop page its "
         "source has read, with the workshop's fields as the page gives them and the catalogue course that links "
         "to it. Its upcoming sessions are in sessions (page_kind 'workshop page').", [
    ("workshop_url", "VARCHAR", "URL of the workshop page (its canonical link where it has one)."),
    ("workshop_number", "INTEGER", "The site's own number of the workshop: the <n> of /workshop/<n>; null where the URL does not say."),
    ("course_id", "VARCHAR", "The catalogue course whose listing links to this page (listings.link -> listings.course_id); null where none does, or where listings of more than one course do."),
    ("provider", "VARCHAR", "Union offering the workshop: CUPE."),
    ("source", "VARCHAR", "Source the page was read from, e.g. cupe-workshops."),
    ("source_url", "VARCHAR", "URL the page was read from."),
    ("title", "VARCHAR", "The page's heading without programme prefix; null where the page gives none (text captures drop it)."),
    ("title_as_written", "VARCHAR", "The heading exactly as the page wrote it ('LET - Financial Essentials')."),
    ("programme", "VARCHAR", "Programme the page names ('Local Executive Training'), else the one the title's prefix names; null where neither."),
    ("duration_text", "VARCHAR", "Length in canonical form ('6 hours', '1 day')."),
    ("languages", "VARCHAR[]", "Languages the workshop is given in ('English and French' -> ['English', 'French'])."),
    ("description", "VARCHAR", "Description as plain text; paragraphs separated by a blank line."),
    ("bullets", "VARCHAR[]", "Bullet points of the description, without their markers."),
    ("notes", "VARCHAR[]", "NOTE paragraphs and requirement lines ('LAPTOP REQUIRED-if possible.'), as written."),
    ("n_sessions", "INTEGER", "Upcoming sessions the page lists (each in sessions)."),
    ("first_seen_run", "VARCHAR", "Run in which the page was first read."),
    ("last_seen_run", "VARCHAR", "Last run in which the page was read."),
    ("status", "VARCHAR", "active (read by the source's last loaded run) or removed (no longer read: the catalogue stopped linking to it)."),
])
COLUMNS = [c[0] for c in TABLE[2]]


def ensure_workshop_pages_schema(con: duckdb.DuckDBPyConnection) -> None:
    from warehouse.ddl import create_table

    create_table(con, *TABLE)


def page_row(page: WorkshopPage, *, provider: str, source: str, prefixes: dict[str, str]) -> dict:
    """A page's row, without the run's columns and the course (set at load)."""
    from normalise.listing import split_title

    parts = split_title(page.title, prefixes)
    return {"workshop_url": page.workshop_url, "workshop_number": page.workshop_number, "provider": provider,
            "source": source, "source_url": page.source_url, "title": parts["title"],
            "title_as_written": page.title,
            "programme": page.programmes[0] if page.programmes else parts["series"],
            "duration_text": page.duration.canonical if page.duration else None,
            "languages": list(page.languages), "description": page.description, "bullets": list(page.bullets),
            "notes": list(page.notes), "n_sessions": len(page.sessions)}


def write_workshop_pages(con: duckdb.DuckDBPyConnection, run_id: str, today, loaded: list) -> None:
    """In the load's transaction, after the courses: each loaded source's workshop pages and their sessions."""
    from warehouse.sessions import load_sessions

    for load in loaded:
        rows = getattr(load, "workshop_pages", None)
        if rows is None:
            continue
        courses = dict(con.execute("""
            SELECT link, min(course_id) FROM listings WHERE link IS NOT NULL AND course_id IS NOT NULL
            GROUP BY link HAVING count(DISTINCT course_id) = 1""").fetchall())
        old = dict(con.execute("SELECT workshop_url, first_seen_run FROM workshop_pages WHERE source = ?",
                               [load.source]).fetchall())
        out = []
        for r in rows:
            out.append({**r, "course_id": courses.get(r["workshop_url"]),
                        "first_seen_run": old.get(r["workshop_url"], run_id), "last_seen_run": run_id,
                        "status": "active"})
        read = {p["url"] for p in load.pages} | {r["workshop_url"] for r in rows}
        con.execute("DELETE FROM workshop_pages WHERE source = ? AND list_contains(?, workshop_url)",
                    [load.source, sorted(r["workshop_url"] for r in rows) or [""]])
        gone = [u for u in old if u not in read]
        if gone:
            con.execute("UPDATE workshop_pages SET status = 'removed' WHERE source = ? AND list_contains(?, workshop_url)",
                        [load.source, gone])
        if out:
            con.register("incoming_workshop_pages", pa.table({c: [r[c] for r in out] for c in COLUMNS}))
            try:
                con.execute(f"INSERT INTO workshop_pages ({', '.join(COLUMNS)}) "
                            f"SELECT {', '.join(COLUMNS)} FROM incoming_workshop_pages")
            finally:
                con.unregister("incoming_workshop_pages")
        load.session_counts = load_sessions(con, run_id, today, load.source, load.sessions)
