"""Scheduled sessions in the warehouse: the `sessions` table with its history, and its views.

A session is keyed by ``session_id`` (schema.sessions.Session). Each run that loads a
session source upserts its sessions inside the run's transaction:

* seen in this run: ``active`` (or ``past`` once its last day is before the run's day);
  first_seen_run kept, last_seen_run set; a change of spaces, venue, fees, dates or
  linked course is a row in ``session_changes``;
* listed before, missing now: ``cancelled`` when it disappeared before its first day,
  ``removed`` after it.

Sessions are linked to the courses loaded in the same transaction (grouping.sessions).
"""
from __future__ import annotations

import json
from datetime import date

import duckdb
import pyarrow as pa

from grouping.sessions import CourseRef, link_sessions
from schema.sessions import Session
from warehouse.titles import AGREED_SESSIONS_SQL

# (column, type, comment)
SESSION_COLUMNS: list[tuple[str, str, str]] = [
    ("session_id", "VARCHAR", "Stable key of the session: provider, event or page, course text, first day and place (not spaces, fees or venue)."),
    ("source", "VARCHAR", "Source the session was read from ('cupe-events', 'aupe-events')."),
    ("provider", "VARCHAR", "Union offering the session: CUPE or AUPE."),
    ("source_url", "VARCHAR", "URL of the page the session was last read from."),
    ("page_kind", "VARCHAR", "Kind of page: 'events listing', 'event page' or 'workshop page' (a workshop's own page, read by cupe-workshops)."),
    ("position", "INTEGER", "0-based position of the session on its page."),
    ("title", "VARCHAR", "Workshop title without programme prefix; null where the page gives none."),
    ("title_as_written", "VARCHAR", "The title exactly as the page wrote it ('LET - Financial Essentials')."),
    ("programme", "VARCHAR", "Programme named by the title's prefix ('LET' -> 'Local Executive Training')."),
    ("start_date", "DATE", "First day of the session."),
    ("end_date", "DATE", "Last day of the session."),
    ("meetings", "VARCHAR", "The meetings as JSON: [{date, end_date, start_time, end_time, timezone, timezone_text}]."),
    ("date_text", "VARCHAR", "The date line(s) as written."),
    ("venue", "VARCHAR", "Venue ('Yorkton Area Office', 'ONLINE', 'Virtual event')."),
    ("city", "VARCHAR", "City, where the page names one."),
    ("province", "VARCHAR", "Province in English ('MB' -> 'Manitoba'); AUPE in-person sessions default to Alberta."),
    ("online", "BOOLEAN", "True for online sessions."),
    ("language", "VARCHAR", "Language of instruction: English, French, or English and French."),
    ("fee_affiliate", "DOUBLE", "Fee in dollars for affiliated members; a single fee fills both fee columns."),
    ("fee_non_affiliate", "DOUBLE", "Fee in dollars for non-affiliates."),
    ("spaces_available", "INTEGER", "Spaces available as last read; can be negative (overbooked)."),
    ("description", "VARCHAR", "Description as clean text."),
    ("notes", "VARCHAR[]", "NOTE paragraphs, without the label."),
    ("bullets", "VARCHAR[]", "Bullet points of the description."),
    ("prerequisites", "VARCHAR", "Pre-requisite as written."),
    ("length_text", "VARCHAR", "A self-paced length as written ('Two-week course; complete at your own pace.')."),
    ("workshop_url", "VARCHAR", "URL of the workshop's catalogue page, where the markup links to it."),
    ("event_url", "VARCHAR", "URL of the session's event page."),
    ("event_name", "VARCHAR", "Name of the event (a school) the session belongs to."),
    ("course_id", "VARCHAR", "The catalogue course the session is an offering of (courses.course_id); null when none matched."),
    ("match_method", "VARCHAR", "How course_id was found: 'workshop link', 'description' or 'title'; null when unmatched."),
    ("match_score", "DOUBLE", "Similarity of the match, 0-100 (100 for a link)."),
    ("first_seen_run", "VARCHAR", "Run in which the session was first listed."),
    ("last_seen_run", "VARCHAR", "Last run in which the session was listed."),
    ("status", "VARCHAR", "active (listed, not over), past (listed, over), cancelled (no longer listed, before its first day), removed (no longer listed, after it began)."),
    ("duplicate_of", "VARCHAR", "The session_id of the same session read from another source (same course, first day and city or venue; an event page's row is kept before an events listing's, which is kept before a workshop page's); null for the row that stands for the session. Views and `courses sessions` count only rows where this is null."),
]
CHANGE_COLUMNS: list[tuple[str, str, str]] = [
    ("run_id", "VARCHAR", "The run that saw the change."),
    ("session_id", "VARCHAR", "The session (sessions.session_id)."),
    ("kind", "VARCHAR", "added, changed, cancelled, removed, or back (listed again)."),
    ("field", "VARCHAR", "For changed: the field (spaces_available, venue, city, fee_affiliate, ...); null otherwise."),
    ("old_value", "VARCHAR", "For changed: the value before, as text."),
    ("new_value", "VARCHAR", "For changed: the value after, as text."),
]
TRACKED = ("title", "start_date", "end_date", "meetings", "venue", "city", "province", "online", "language",
           "fee_affiliate", "fee_non_affiliate", "spaces_available", "course_id")

VIEWS: list[tuple[str, str, str, dict[str, str]]] = [
    ("course_titles",
     "The title of every current course and where it comes from (courses.title and title_source: the catalogue's own, else its workshop page's, else the one title its linked sessions agree on), with the programme, else the sessions' programme prefix.",
     f"""WITH agreed AS ({AGREED_SESSIONS_SQL})
        SELECT c.course_id, c.provider, c.title, c.title_source,
               coalesce(c.series, a.programme) AS programme
        FROM courses c LEFT JOIN agreed a USING (course_id)
        WHERE c.status = 'active'""",
     {"course_id": "The course (courses.course_id).", "provider": "CUPE or AUPE.",
      "title": "courses.title: the catalogue's title, else its workshop page's, else the title its linked sessions agree on; null when none.",
      "title_source": "'catalogue', 'workshop page', 'event page' or 'events listing'; null when the course has no title.",
      "programme": "The catalogue's programme, else the programme of the sessions' title prefix."}),
    ("upcoming_sessions",
     "Sessions listed now whose first day is today or later, with the course's title, lengths and programme.",
     """SELECT s.start_date, s.end_date, s.provider, coalesce(s.title, t.title) AS title,
               coalesce(s.programme, t.programme) AS programme, c.lengths,
               s.venue, s.city, s.province, s.online, s.language, s.fee_affiliate, s.fee_non_affiliate,
               s.spaces_available, s.course_id, s.event_url, s.session_id
        FROM sessions s LEFT JOIN courses c USING (course_id) LEFT JOIN course_titles t USING (course_id)
        WHERE s.status = 'active' AND s.start_date >= current_date AND s.duplicate_of IS NULL
        ORDER BY s.start_date, s.province, title""",
     {"start_date": "First day.", "end_date": "Last day.", "provider": "CUPE or AUPE.",
      "title": "The session's title, else its course's (course_titles).", "programme": "Programme.",
      "lengths": "The course's lengths ('6 hours', '1 week'); null for an unmatched session.",
      "venue": "Venue.", "city": "City.", "province": "Province.", "online": "True for online sessions.",
      "language": "Language of instruction.", "fee_affiliate": "Fee for affiliates, dollars.",
      "fee_non_affiliate": "Fee for non-affiliates, dollars.", "spaces_available": "Spaces available (can be negative).",
      "course_id": "The linked course; null when unmatched.", "event_url": "The event page.",
      "session_id": "The session (sessions.session_id)."}),
    ("sessions_by_region",
     "Sessions listed in any run (not cancelled or removed) per province and month of their first day.",
     """SELECT provider, coalesce(province, '(not stated)') AS province, strftime(start_date, '%Y-%m') AS month,
               count(*) AS sessions, count(*) FILTER (WHERE online) AS online_sessions
        FROM sessions WHERE status IN ('active', 'past') AND duplicate_of IS NULL
        GROUP BY ALL ORDER BY provider, province, month""",
     {"provider": "CUPE or AUPE.", "province": "Province, '(not stated)' where the page names none.",
      "month": "Month of the first day, YYYY-MM.", "sessions": "Number of sessions.",
      "online_sessions": "Of which online."}),
]


def ensure_session_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the session tables and views where missing; (re)write every comment. Idempotent."""
    from warehouse.ddl import create_table, create_view

    for table, comment, cols in (
        ("sessions", "One row per scheduled session ever listed (CUPE events, AUPE events), with its status and its linked course.", SESSION_COLUMNS),
        ("session_changes", "What changed in each run for each session: added, changed (one row per field), cancelled, removed, back.", CHANGE_COLUMNS),
    ):
        create_table(con, table, comment, cols)
    for view, comment, sql, cols in VIEWS:
        create_view(con, view, comment, cols, sql)


def current_courses(con: duckdb.DuckDBPyConnection, providers: list[str] | None = None) -> list[CourseRef]:
    """The active courses (of these providers; all when None), with the workshop links of their
    listings, as linking needs them."""
    if providers is not None and not providers:
        return []
    where = "" if providers is None else " AND c.provider IN (SELECT unnest(?::VARCHAR[]))"
    rows = con.execute(f"""
        SELECT c.course_id, c.provider, c.title, c.series, c.description, c.bullets,
               coalesce(list(DISTINCT l.link) FILTER (WHERE l.link IS NOT NULL), [])
        FROM courses c LEFT JOIN listings l USING (course_id)
        WHERE c.status = 'active'{where} GROUP BY ALL""", [] if providers is None else [providers]).fetchall()
    return [CourseRef(course_id=r[0], provider=r[1], title=r[2], series=r[3], description=r[4] or "",
                      bullets=tuple(r[5] or ()), links=tuple(r[6])) for r in rows]


def _row(s: Session) -> dict:
    d = s.model_dump(mode="python")
    d["meetings"] = json.dumps([m.model_dump(mode="json") for m in s.meetings], sort_keys=True)
    return d


def _text(v) -> str | None:
    return None if v is None else str(v)


def load_sessions(con: duckdb.DuckDBPyConnection, run_id: str, today: date, source: str,
                  sessions: list[Session]) -> dict:
    """Link and upsert one source's sessions inside the caller's transaction; returns counts.

    The schema must exist (warehouse.ddl.ensure_schema creates it)."""
    # Only the sessions' providers' courses can be candidates (grouping.sessions); none to link, none read.
    linked = link_sessions(sessions, current_courses(con, sorted({s.provider for s in sessions})))
    names = [n for n, _, _ in SESSION_COLUMNS]
    old = {r[0]: dict(zip(names, r)) for r in con.execute(
        f"SELECT {', '.join(names)} FROM sessions WHERE source = ?", [source]).fetchall()}
    changes: list[dict] = []
    rows: list[dict] = []
    seen = set()
    for s in linked:
        row = _row(s)
        seen.add(s.session_id)
        prev = old.get(s.session_id)
        row["status"] = "active" if s.end_date >= today else "past"
        row["last_seen_run"] = run_id
        if prev is None:
            row["first_seen_run"] = run_id
            changes.append({"run_id": run_id, "session_id": s.session_id, "kind": "added"})
        else:
            row["first_seen_run"] = prev["first_seen_run"]
            if prev["status"] in ("cancelled", "removed"):
                changes.append({"run_id": run_id, "session_id": s.session_id, "kind": "back"})
            for f in TRACKED:
                if _text(prev[f]) != _text(row[f]):
                    changes.append({"run_id": run_id, "session_id": s.session_id, "kind": "changed",
                                    "field": f, "old_value": _text(prev[f]), "new_value": _text(row[f])})
        rows.append(row)
    gone = []
    for sid, prev in old.items():
        if sid in seen or prev["status"] in ("cancelled", "removed"):
            continue
        status = "cancelled" if prev["start_date"] > today else "removed"
        gone.append((status, sid))
        changes.append({"run_id": run_id, "session_id": sid, "kind": status})
    if seen:
        con.execute("DELETE FROM sessions WHERE list_contains(?, session_id)", [sorted(seen)])
    _insert(con, "sessions", rows, names)
    for status, sid in gone:
        con.execute("UPDATE sessions SET status = ? WHERE session_id = ?", [status, sid])
    _insert(con, "session_changes", changes, [n for n, _, _ in CHANGE_COLUMNS])
    return {"sessions": len(linked), "linked": sum(1 for s in linked if s.course_id),
            "unmatched": sum(1 for s in linked if not s.course_id), "cancelled": sum(1 for g in gone if g[0] == "cancelled")}


# The same session read from two sources (a workshop page and the events listing): one row
# stands for it, the others point to it. Ranked: event page, events listing, workshop page.
_SAME_SESSION = """
    SELECT s.session_id, CASE WHEN d.source <> s.source THEN d.session_id END AS duplicate_of
    FROM sessions s LEFT JOIN (
        SELECT session_id, source, first_value(session_id) OVER w AS first_id, first_value(source) OVER w AS first_source,
               row_number() OVER w AS k
        FROM sessions
        WHERE course_id IS NOT NULL AND status IN ('active', 'past') AND coalesce(city, venue) IS NOT NULL
        WINDOW w AS (PARTITION BY course_id, start_date, lower(coalesce(city, venue))
                     ORDER BY CASE page_kind WHEN 'event page' THEN 0 WHEN 'events listing' THEN 1 ELSE 2 END, session_id)
    ) r USING (session_id)
    LEFT JOIN (SELECT session_id, source FROM sessions) d ON d.session_id = CASE WHEN r.k > 1 THEN r.first_id END"""


def mark_duplicate_sessions(con: duckdb.DuckDBPyConnection) -> int:
    """Point every copy of a session read from another source to the row that stands for it
    (``duplicate_of``); run after every session source of the load is written. Returns how
    many rows are copies."""
    con.execute(f"""
        UPDATE sessions SET duplicate_of = d.duplicate_of FROM ({_SAME_SESSION}) d
        WHERE sessions.session_id = d.session_id AND sessions.duplicate_of IS DISTINCT FROM d.duplicate_of""")
    return con.execute("SELECT count(duplicate_of) FROM sessions").fetchone()[0]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], cols: list[str]) -> None:
    if not rows:
        return
    types = {"sessions": SESSION_COLUMNS, "session_changes": CHANGE_COLUMNS}[table]
    data = pa.table({c: [r.get(c) for r in rows] for c in cols})
    con.register("incoming_sessions", data)
    try:
        casts = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t, _ in types if c in cols)
        con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {casts} FROM incoming_sessions")
    finally:
        con.unregister("incoming_sessions")
