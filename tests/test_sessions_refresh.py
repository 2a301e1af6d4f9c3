"""A refresh over loopback HTTP: the catalogue, the events listing (two pages) and the event pages it links to.

Counts come from the reconstructed pages' text: 7 listing rows (4 + 3), 4 workshop sections on
the two event pages; the one row describing a course missing from the catalogue ("Following the
completion of LET - Financial Essentials ...") stays unmatched."""
from __future__ import annotations

import re
from datetime import date

import duckdb
import pytest

from fetch.client import FetchSettings
from flows.refresh import refresh
from report.html import build_report
from tests.conftest import SAMPLES, empty_warehouse
from tests.helpers import serve_workshop_pages
from tests.localserver import LocalServer, Response, local_sources_file
from tests.test_session_parsers import build, text
from warehouse.analyst import search

pytestmark = pytest.mark.usefixtures("prefect_harness")
FAST = FetchSettings(per_host_delay=0, backoff_base=0.01, attempts=2, connect_timeout=2, read_timeout=5)
EVENTS = "/mrm-union-education/events"


def page(body: str) -> Response:
    return Response(body=body.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture
def site():
    with LocalServer() as srv:
        # The catalogue with one title (Financial Essentials, linked to its workshop page): the
        # courses the event pages name stay untitled there, as in the seed capture.
        catalogue = re.sub(r'<h3 class="workshop-title"><a href="/mrm-union-education/workshop/(?:39|12)">.*?</a></h3>\n?',
                           "", (SAMPLES / "cupe-workshops" / "workshops.html").read_text(encoding="utf-8"))
        assert catalogue.count('class="workshop-title"') == 1
        srv.routes["/mrm-union-education/workshops"] = page(catalogue)
        serve_workshop_pages(srv)
        listing = build.render(text("cupe-events-page0.txt"), kind="listing", next_url=f"{EVENTS}?page=1")
        # two rows link to the event pages, as the live listing's titles do
        listing = listing.replace('<h3 class="event-title">LET - Financial Essentials</h3>',
                                  '<h3 class="event-title"><a href="/mrm-union-education/event/2010">LET - Financial Essentials</a></h3>')
        listing = listing.replace('<h3 class="event-title">Introduction to Stewarding</h3>',
                                  '<h3 class="event-title"><a href="/mrm-union-education/event/1902">Introduction to Stewarding</a></h3>')
        srv.routes[EVENTS] = page(listing)
        srv.routes[f"{EVENTS}?page=1"] = page(build.render(text("cupe-events-page1.txt"), kind="listing"))
        srv.routes["/mrm-union-education/event/1902"] = page(build.render(text("cupe-event-school.txt"), kind="event"))
        srv.routes["/mrm-union-education/event/2010"] = page(build.render(text("cupe-event-finances.txt"), kind="event"))
        yield srv


def test_sessions_are_fetched_linked_titled_and_skipped_when_unchanged(tmp_path, site):
    db = tmp_path / "c.duckdb"
    empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    src = local_sources_file(tmp_path / "sources.toml", {"cupe-workshops": site.url("/mrm-union-education/workshops"),
                                                         "cupe-events": site.url(EVENTS)})
    summary = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert summary.ok, summary.failures
    s = summary.sources["cupe-events"]
    assert (s["pages"], s["sessions"], s["linked"], s["unmatched"]) == (4, 11, 10, 1)
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql: con.execute(sql).fetchall()
    # ... and the two sessions on Financial Essentials' own workshop page (read by cupe-workshops)
    assert q("SELECT page_kind, count(*) FROM sessions GROUP BY 1 ORDER BY 1") == [
        ("event page", 4), ("events listing", 7), ("workshop page", 2)]
    # Financial Essentials' Nov 22, 2025 session in Yorkton is on its workshop page and on the events
    # listing: one row stands for it, the workshop page's points to it
    assert q("""SELECT s.page_kind, s.start_date, s.city, d.page_kind FROM sessions s JOIN sessions d
                ON s.duplicate_of = d.session_id""") == [("workshop page", date(2025, 11, 22), "Yorkton", "events listing")]
    assert q("SELECT sum(sessions) FROM sessions_by_region") == [(12,)]  # 13 rows, one a copy
    assert q("SELECT description LIKE 'Following the completion of LET - Financial Essentials, %' FROM sessions WHERE course_id IS NULL") == [
        (True,)]
    # the event pages name three untitled catalogue workshops; the fourth (Financial Essentials) has its own title
    assert q("SELECT title, title_source, programme FROM course_titles WHERE title_source <> 'catalogue' ORDER BY 1") == [
        ("Financial Officers", "event page", "Local Executive Training"),
        ("How Bargaining Works", "event page", "Bargaining Program"),
        ("Introduction to Stewarding", "event page", None)]
    # ... and the courses table, search, the topic comparison and the report show them by name
    assert q("SELECT title, title_source FROM courses WHERE title_source IN ('event page', 'events listing') ORDER BY 1") == [
        ("Financial Officers", "event page"), ("How Bargaining Works", "event page"),
        ("Introduction to Stewarding", "event page")]
    hits = search(con, "stewarding")
    assert "Introduction to Stewarding" in [h.title for h in hits]
    assert q("SELECT count(*) FROM topic_comparison WHERE list_contains(cupe_titles, 'How Bargaining Works')") == [(1,)]
    report = build_report(con)
    for name in ("Financial Officers", "How Bargaining Works", "Introduction to Stewarding"):
        assert name in report, name
    assert q("SELECT event_url FROM sessions WHERE page_kind = 'events listing' AND event_url IS NOT NULL ORDER BY 1") == [
        (site.url("/mrm-union-education/event/1902"),), (site.url("/mrm-union-education/event/2010"),)]
    con.close()

    again = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert again.ok and again.sources["cupe-events"]["status"] == "unchanged"
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM session_changes WHERE run_id = ?", [again.run_id]).fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM sessions WHERE status IN ('active', 'past')").fetchone() == (13,)  # 11 + 2
    con.close()

    # The school is announced again for next year: its two workshops are upcoming, by name, linked.
    year = date.today().year + 1
    site.routes["/mrm-union-education/event/1902"] = page(build.render(
        text("cupe-event-school.txt").replace("2019", str(year)), kind="event"))
    ahead = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert ahead.ok, ahead.failures
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("""SELECT start_date, end_date, title, programme, spaces_available, course_id IS NOT NULL
                          FROM upcoming_sessions ORDER BY title""").fetchall() == [
        (date(year, 2, 14), date(year, 2, 17), "How Bargaining Works", "Bargaining Program", 9, True),
        (date(year, 2, 14), date(year, 2, 17), "Introduction to Stewarding", None, -2, True)]
    con.close()

    # The listing shrinks to one row and links to nothing: taken for site drift, nothing is cancelled.
    one_row = "\n".join(text("cupe-events-page1.txt").splitlines()[:4])
    site.routes[EVENTS] = page(build.render(one_row, kind="listing"))
    drift = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert drift.status == "partial"
    assert drift.sources["cupe-events"]["status"] == "failed"
    assert "1 sessions, fewer than 50% of the 11 of the last good run" in drift.failures[0]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM sessions WHERE status IN ('active', 'past')").fetchone() == (13,)  # 11 + 2
    assert con.execute("SELECT count(*) FROM session_changes WHERE kind = 'cancelled'").fetchone() == (0,)
    con.close()
