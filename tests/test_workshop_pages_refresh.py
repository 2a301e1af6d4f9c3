"""CUPE workshop pages through the real flow: real HTTP on loopback, a real DuckDB file, a real
Prefect flow run. The sample catalogue's titles link to /workshop/38, /39 and /12; the refresh
follows them, fills workshop_pages and sessions, and changes no course id.

Expected values, counted by hand on samples/text/cupe-workshop-{38,39,12}.txt: 3 workshop pages;
4 sessions (38: March 23 - 24, 2026 in Fredericton and Nov 22, 2025 in Yorkton; 39: March 31 -
April 2, 2026 in Fredericton; 12: November 24 - 25, 2025 in Regina); 38 is given in English and
French, 39 and 12 in English; 38 and 39 are "1 day" of Local Executive Training, 12 is "9 hours"
with no programme line.
"""
from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest

from flows.refresh import refresh
from tests.conftest import SAMPLES, empty_warehouse
from tests.helpers import WORKSHOP_PAGES
from tests.localserver import LocalServer, local_sources_file
from tests.test_flow import CUPE_PATH, FAST
from tests.test_history import conditional

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]
CATALOGUE = (SAMPLES / "cupe-workshops" / "workshops.html").read_bytes()
LIVE = "https://cupe.ca/mrm-union-education/workshop/"


@pytest.fixture(scope="module")
def site():
    """The catalogue and the three workshop pages, each answering 304 to its own ETag."""
    with LocalServer() as srv:
        srv.routes[CUPE_PATH] = conditional(CATALOGUE, '"cat"')
        for number, name in WORKSHOP_PAGES.items():
            srv.routes[f"/mrm-union-education/workshop/{number}"] = conditional(
                (SAMPLES / "cupe-workshops" / name).read_bytes(), f'"w{number}"')
        yield srv


def _first_night(tmp_path, url: str, max_pages: int):
    """A sources file pointing cupe-workshops at `url`, a warehouse (the session's empty one,
    copied: no DDL run here) and the first refresh into it."""
    src = local_sources_file(tmp_path / "sources.toml", {"cupe-workshops": url}, max_pages=max_pages)
    db = tmp_path / "c.duckdb"
    empty_warehouse(db)
    return src, db, refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"),
                            fetch_settings=FAST)


def _count_archive_reads(monkeypatch) -> list[str]:
    """The URLs of the pages the crawl reads back from the archive, from now on."""
    import fetch.crawl

    reads: list[str] = []
    real = fetch.crawl.read_stored

    def counted(*args, **kwargs):
        reads.append(kwargs["url"])
        return real(*args, **kwargs)
    monkeypatch.setattr(fetch.crawl, "read_stored", counted)
    return reads


def test_workshop_pages_are_followed_loaded_linked_and_cheap_when_unchanged(tmp_path, site, monkeypatch):
    src, db, first = _first_night(tmp_path, site.url(CUPE_PATH), max_pages=10)
    assert first.ok, first.failures
    s = first.sources["cupe-workshops"]
    assert (s["pages"], s["workshop_pages"], s["listings"], s["sessions"], s["linked"], s["block_errors"]) == (
        4, 3, 84, 4, 4, 0)
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql, *p: con.execute(sql, list(p)).fetchall()  # noqa: E731
    # Each page names the course whose catalogue title links to it (looked up here by that title).
    assert q("""SELECT w.workshop_number, w.title, c.title, w.programme, w.duration_text, w.languages, w.n_sessions,
                       w.status, w.first_seen_run = w.last_seen_run
                FROM workshop_pages w JOIN courses c USING (course_id) ORDER BY 1""") == [
        (12, "Introduction to Stewarding", "Introduction to Stewarding", None, "9 hours", ["English"], 1, "active", True),
        (38, "Financial Essentials", "Financial Essentials", "Local Executive Training", "1 day", ["English", "French"], 2,
         "active", True),
        (39, "Financial Officers", "Financial Officers", "Local Executive Training", "1 day", ["English"], 1, "active", True)]
    assert q("SELECT workshop_url FROM workshop_pages ORDER BY workshop_number") == [
        (LIVE + "12",), (LIVE + "38",), (LIVE + "39",)]
    # ... and give their courses the workshop URL and languages (samples/text/cupe-workshop-*.txt)
    assert q("SELECT title, title_source, languages, workshop_url FROM courses WHERE workshop_url IS NOT NULL ORDER BY 1") == [
        ("Financial Essentials", "catalogue", ["English", "French"], LIVE + "38"),
        ("Financial Officers", "catalogue", ["English"], LIVE + "39"),
        ("Introduction to Stewarding", "catalogue", ["English"], LIVE + "12")]
    assert q("SELECT notes, bullets[1] FROM workshop_pages WHERE workshop_number = 12") == [
        (["NOTE: See more Stewarding courses under the Steward Learning Series."], "investigating workplace problems;")]
    # Sessions: on the page of their workshop, linked to its course by the link.
    assert q("""SELECT s.start_date, s.end_date, s.city, s.province, c.title, s.match_method, s.match_score, s.page_kind
                FROM sessions s JOIN courses c USING (course_id) ORDER BY 1""") == [
        (dt.date(2025, 11, 22), dt.date(2025, 11, 22), "Yorkton", "Saskatchewan", "Financial Essentials", "workshop link", 100.0, "workshop page"),
        (dt.date(2025, 11, 24), dt.date(2025, 11, 25), "Regina", "Saskatchewan", "Introduction to Stewarding", "workshop link", 100.0, "workshop page"),
        (dt.date(2026, 3, 23), dt.date(2026, 3, 24), "Fredericton", "New Brunswick", "Financial Essentials", "workshop link", 100.0, "workshop page"),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 2), "Fredericton", "New Brunswick", "Financial Officers", "workshop link", 100.0, "workshop page")]
    assert q("SELECT count(*) FROM sessions WHERE course_id IS NULL") == [(0,)]
    with_pages = q("SELECT course_id, title, content_hash FROM courses ORDER BY 1")
    listings = q("SELECT listing_id, course_id, variant_id FROM listings ORDER BY 1")
    assert q("SELECT count(*), count(*) FILTER (WHERE n_listings = 0) FROM pages WHERE run_id = ?", first.run_id) == [(4, 3)]
    con.close()

    # The same catalogue without its workshop pages (replayed alone): the very same courses and listings.
    alone = tmp_path / "alone"
    (alone / "cupe-workshops").mkdir(parents=True)
    shutil.copy(SAMPLES / "cupe-workshops" / "workshops.html", alone / "cupe-workshops" / "workshops.html")
    plain_db = tmp_path / "plain.duckdb"
    empty_warehouse(plain_db)
    plain = refresh(db_path=str(plain_db), sources_file=str(src), from_archive=str(alone))
    assert plain.ok and plain.sources["cupe-workshops"]["workshop_pages"] == 0
    con = duckdb.connect(str(plain_db), read_only=True)
    assert con.execute("SELECT course_id, title, content_hash FROM courses ORDER BY 1").fetchall() == with_pages
    assert con.execute("SELECT listing_id, course_id, variant_id FROM listings ORDER BY 1").fetchall() == listings
    con.close()

    # The next night: every page answers 304, nothing is parsed or written but the run's record;
    # no page is read from the archive either (the catalogue's links were recorded with it).
    hits = len(site.requests)
    reads = _count_archive_reads(monkeypatch)
    again = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert again.ok and again.sources["cupe-workshops"]["status"] == "unchanged"
    assert reads == []
    assert sorted(r.path for r in site.requests[hits:] if r.path != "/robots.txt") == sorted(
        [CUPE_PATH] + [f"/mrm-union-education/workshop/{n}" for n in WORKSHOP_PAGES])
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), count(*) FILTER (WHERE status_code = 304 AND unchanged) FROM pages "
                       "WHERE run_id = ?", [again.run_id]).fetchall() == [(4, 4)]
    # The catalogue's links, recorded the first night and carried to this one: its three workshop
    # pages in the page's order (samples/archive/cupe-workshops/workshops.html: 12 at line 255,
    # 38 at 304, 39 at 312), no next page.
    workshop = site.url("/mrm-union-education/workshop/")
    assert con.execute("SELECT links, next_pages FROM pages WHERE run_id = ? AND url = ?",
                       [again.run_id, site.url(CUPE_PATH)]).fetchall() == [
        ([workshop + "12", workshop + "38", workshop + "39"], [])]
    assert con.execute("SELECT count(*) FROM session_changes WHERE run_id = ?", [again.run_id]).fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM workshop_pages WHERE last_seen_run = ?", [first.run_id]).fetchone() == (3,)
    con.close()

    # --reparse reads the four pages back from the archive: the same rows, seen by the new run.
    reparsed = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), reparse=True)
    assert reparsed.ok, reparsed.failures
    assert reparsed.sources["cupe-workshops"]["workshop_pages"] == 3
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT course_id, title, content_hash FROM courses ORDER BY 1").fetchall() == with_pages
    assert con.execute("SELECT workshop_number, first_seen_run, last_seen_run FROM workshop_pages ORDER BY 1").fetchall() == [
        (n, first.run_id, reparsed.run_id) for n in (12, 38, 39)]
    assert con.execute("SELECT count(*) FROM sessions WHERE last_seen_run = ? AND match_method = 'workshop link'",
                       [reparsed.run_id]).fetchone() == (4,)
    con.close()


def test_a_workshop_page_no_longer_linked_is_marked_removed_and_its_sessions_leave(tmp_path):
    """The catalogue drops its link to /workshop/39: the page is marked removed, its session leaves."""
    with LocalServer() as srv:
        srv.routes[CUPE_PATH] = conditional(CATALOGUE, '"cat"')
        for number, name in WORKSHOP_PAGES.items():
            srv.routes[f"/mrm-union-education/workshop/{number}"] = conditional(
                (SAMPLES / "cupe-workshops" / name).read_bytes(), f'"w{number}"')
        src = local_sources_file(tmp_path / "sources.toml", {"cupe-workshops": srv.url(CUPE_PATH)}, max_pages=10)
        db = tmp_path / "c.duckdb"
        empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
        assert refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST).ok
        unlinked = CATALOGUE.replace(b'<a href="/mrm-union-education/workshop/39">LET - Financial Officers</a>',
                                     b"LET - Financial Officers")
        assert unlinked != CATALOGUE
        srv.routes[CUPE_PATH] = conditional(unlinked, '"cat2"')
        second = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert second.ok, second.failures
    assert second.sources["cupe-workshops"]["workshop_pages"] == 2
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT workshop_number, status FROM workshop_pages ORDER BY 1").fetchall() == [
        (12, "active"), (38, "active"), (39, "removed")]
    # its one session (March 31, 2026) began before today: removed, not cancelled
    assert con.execute("""SELECT s.start_date, s.status FROM sessions s JOIN session_changes c USING (session_id)
                          WHERE c.run_id = ?""", [second.run_id]).fetchall() == [(dt.date(2026, 3, 31), "removed")]
    con.close()


def test_a_dead_workshop_link_is_a_block_error_and_the_catalogue_still_loads(tmp_path):
    """/workshop/39 answers 404: the catalogue and the two other pages load; the dead page is a
    block error naming it, and the next night, with the page back, reads it again."""
    with LocalServer() as srv:
        srv.routes[CUPE_PATH] = conditional(CATALOGUE, '"cat"')
        for number, name in WORKSHOP_PAGES.items():
            if number != 39:
                srv.routes[f"/mrm-union-education/workshop/{number}"] = conditional(
                    (SAMPLES / "cupe-workshops" / name).read_bytes(), f'"w{number}"')
        src = local_sources_file(tmp_path / "sources.toml", {"cupe-workshops": srv.url(CUPE_PATH)}, max_pages=10)
        db = tmp_path / "c.duckdb"
        empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
        first = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
        assert first.ok, first.failures
        s = first.sources["cupe-workshops"]
        assert (s["status"], s["listings"], s["workshop_pages"], s["block_errors"]) == ("loaded", 84, 2, 1)
        con = duckdb.connect(str(db), read_only=True)
        assert con.execute("SELECT source_url, reason FROM block_errors WHERE run_id = ?", [first.run_id]).fetchall() == [
            (srv.url("/mrm-union-education/workshop/39"),
             "the page answered HTTP 404: a link on the source's pages leads to a page that is gone; left out of this run")]
        assert con.execute("SELECT workshop_number FROM workshop_pages ORDER BY 1").fetchall() == [(12,), (38,)]
        con.close()
        # A night with nothing changed, the link still dead: the source is unchanged (not parsed again).
        quiet = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
        assert quiet.ok and quiet.sources["cupe-workshops"]["status"] == "unchanged", quiet.sources
        srv.routes["/mrm-union-education/workshop/39"] = conditional(
            (SAMPLES / "cupe-workshops" / WORKSHOP_PAGES[39]).read_bytes(), '"w39"')
        second = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert second.ok and second.sources["cupe-workshops"]["workshop_pages"] == 3


def test_the_page_cap_reads_the_whole_catalogue_first_and_says_what_it_left(tmp_path, site):
    """max_pages = 2: the catalogue (one page, 84 listings) and its first workshop link (/workshop/12,
    first in document order) are read; /38 and /39 are one block error naming /38 and the count.
    A catalogue with a next page and max_pages = 1 fails the source, naming that page: loading
    the first page alone would record the second page's courses as removed."""
    _, db, run = _first_night(tmp_path, site.url(CUPE_PATH), max_pages=2)
    assert run.ok, run.failures
    s = run.sources["cupe-workshops"]
    assert (s["status"], s["pages"], s["listings"], s["workshop_pages"], s["block_errors"]) == ("loaded", 2, 84, 1, 1)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT source_url, reason FROM block_errors WHERE run_id = ?", [run.run_id]).fetchall() == [
        (site.url("/mrm-union-education/workshop/38"),
         "not fetched: the source's pages reached max_pages = 2 with 2 linked pages still to read (this one "
         "first); raise max_pages for the source in sources.toml")]
    assert con.execute("SELECT workshop_number FROM workshop_pages").fetchall() == [(12,)]
    con.close()

    paged = CATALOGUE.replace(b"</div></main>", b'<nav class="pager"><a rel="next" href="?page=1">Next</a></nav></div></main>')
    assert paged != CATALOGUE
    with LocalServer() as srv:
        srv.routes[CUPE_PATH] = conditional(paged, '"paged"')
        src = local_sources_file(tmp_path / "sources1.toml", {"cupe-workshops": srv.url(CUPE_PATH)}, max_pages=1)
        db = tmp_path / "d.duckdb"
        empty_warehouse(db)
        failed = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "b"), fetch_settings=FAST)
        assert failed.sources["cupe-workshops"]["status"] == "failed"
        assert failed.failures == [
            f"cupe-workshops: {srv.url(CUPE_PATH + '?page=1')}: the source's pages reached max_pages = 1 before this "
            "next page of its listing: loading the 1 page fetched would cut the listing short; raise max_pages for "
            "the source in sources.toml"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM listings").fetchone() == (0,)
    con.close()


def test_a_page_that_changes_after_an_unchanged_night_is_parsed_with_the_pages_not_read(tmp_path, monkeypatch):
    """Night 2: every page answers 304 and the crawl reads none of them back (their links were
    recorded on night 1). Night 3: workshop 12 changes (Regina -> Saskatoon, a new ETag): the
    source is parsed again, the three pages that answered 304 are read from the archive then,
    and the catalogue loads whole: 84 listings, 3 workshop pages, 4 sessions (counted by hand in
    the module's docstring), one of them now in Saskatoon."""
    twelve = (SAMPLES / "cupe-workshops" / WORKSHOP_PAGES[12]).read_bytes()
    with LocalServer() as srv:
        srv.routes[CUPE_PATH] = conditional(CATALOGUE, '"cat"')
        for number, name in WORKSHOP_PAGES.items():
            srv.routes[f"/mrm-union-education/workshop/{number}"] = conditional(
                (SAMPLES / "cupe-workshops" / name).read_bytes(), f'"w{number}"')
        src, db, first = _first_night(tmp_path, srv.url(CUPE_PATH), max_pages=10)
        assert first.ok, first.failures
        reads = _count_archive_reads(monkeypatch)
        night = dict(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
        again = refresh(**night)
        assert again.ok and again.sources["cupe-workshops"]["status"] == "unchanged" and reads == []

        srv.routes["/mrm-union-education/workshop/12"] = conditional(twelve.replace(b"Regina", b"Saskatoon"), '"w12b"')
        third = refresh(**night)
    assert third.ok, third.failures
    s = third.sources["cupe-workshops"]
    assert (s["status"], s["pages"], s["listings"], s["workshop_pages"], s["sessions"], s["block_errors"]) == (
        "loaded", 4, 84, 3, 4, 0)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM listings").fetchone() == (84,)
    assert con.execute("SELECT city FROM sessions WHERE start_date = DATE '2025-11-24'").fetchall() == [("Saskatoon",)]
    assert con.execute("SELECT count(*) FILTER (WHERE status_code = 304), count(*) FILTER (WHERE status_code = 200) "
                       "FROM pages WHERE run_id = ?", [third.run_id]).fetchone() == (3, 1)
    con.close()
