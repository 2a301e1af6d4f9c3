"""The report's "Upcoming sessions" section: sessions per month and province, and the next session per course."""
from __future__ import annotations

from datetime import date
from html import escape

import duckdb

MAX_NEXT_ROWS = 50


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0] > 0


def sessions_section(con: duckdb.DuckDBPyConnection, today: date | None = None) -> str:
    today = today or date.today()
    h = ['<h2 id="sessions">Upcoming sessions</h2>']
    if not _exists(con, "sessions"):
        return h[0] + '<p class="empty">no sessions loaded</p>'
    counts = con.execute("""
        SELECT strftime(start_date, '%Y-%m') AS month, coalesce(province, '(not stated)') AS province, count(*)
        FROM sessions WHERE status = 'active' AND duplicate_of IS NULL AND start_date >= ? GROUP BY ALL ORDER BY 1, 2""", [today]).fetchall()
    total = con.execute("SELECT count(*) FROM sessions WHERE status IN ('active', 'past') AND duplicate_of IS NULL").fetchone()[0]
    if not counts:
        h.append(f'<p class="empty">no upcoming sessions ({total} sessions listed in all, all before {today})</p>')
        return "\n".join(h)
    provinces = sorted({p for _, p, _ in counts})
    months = sorted({m for m, _, _ in counts})
    cell = {(m, p): n for m, p, n in counts}
    h.append("<table><thead><tr><th>month</th>" + "".join(f"<th>{escape(p)}</th>" for p in provinces)
             + "</tr></thead><tbody>")
    for m in months:
        h.append(f"<tr><td>{escape(m)}</td>" + "".join(
            f'<td class="n">{cell.get((m, p), "")}</td>' for p in provinces) + "</tr>")
    h.append("</tbody></table>")
    rows = con.execute("""
        SELECT title, provider, start_date, venue, city, province, online, spaces_available
        FROM (SELECT u.*, row_number() OVER (PARTITION BY coalesce(course_id, session_id) ORDER BY start_date) AS k
              FROM upcoming_sessions u WHERE start_date >= ?)
        WHERE k = 1 ORDER BY start_date, title LIMIT ?""", [today, MAX_NEXT_ROWS]).fetchall()
    h.append("<h3>Next session of each course</h3><table><thead><tr><th>course</th><th>union</th><th>first day</th>"
             "<th>place</th><th>spaces</th></tr></thead><tbody>")
    for title, provider, start, venue, city, province, online, spaces in rows:
        place = ", ".join(p for p in (venue, city, province) if p) or ("online" if online else "")
        h.append(f"<tr><td>{escape(title or '(untitled)')}</td><td>{escape(provider)}</td><td>{start}</td>"
                 f"<td>{escape(place)}</td><td class=\"n\">{'' if spaces is None else spaces}</td></tr>")
    h.append("</tbody></table>")
    return "\n".join(h)


def next_sessions(con: duckdb.DuckDBPyConnection, course_ids: list[str], today: date | None = None) -> dict[str, str]:
    """course_id -> 'YYYY-MM-DD, place' of its next listed session, for the courses that have one."""
    if not course_ids or not _exists(con, "sessions"):
        return {}
    rows = con.execute("""
        SELECT course_id, start_date, concat_ws(', ', venue, city, province)
        FROM (SELECT *, row_number() OVER (PARTITION BY course_id ORDER BY start_date) AS k FROM sessions
              WHERE status = 'active' AND duplicate_of IS NULL AND start_date >= ? AND list_contains(?, course_id))
        WHERE k = 1""", [today or date.today(), course_ids]).fetchall()
    return {cid: f"{start}, {place}" if place else str(start) for cid, start, place in rows}


def titles(con: duckdb.DuckDBPyConnection, course_ids: list[str]) -> dict[str, str]:
    """course_id -> title from course_titles (the catalogue's, else the linked sessions')."""
    if not course_ids or not con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'course_titles'").fetchone()[0]:
        return {}
    return dict(con.execute("SELECT course_id, title FROM course_titles WHERE title IS NOT NULL AND list_contains(?, course_id)",
                            [course_ids]).fetchall())
