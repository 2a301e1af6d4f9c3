"""A run loads a complete, checked result or changes nothing: drift, a busy database, a killed load, bad input."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from flows.refresh import refresh
from parsers import ParseError, aupe_courses, cupe_workshops
from tests.conftest import CUPE_URL, ROOT, SAMPLES, empty_warehouse
from tests.localserver import LocalServer
from tests.test_cli import courses
from tests.test_flow import AUPE_PATH, CUPE_PATH, FAST, sources_file
from tests.test_history import V1, html, rows_of
from warehouse.errors import WarehouseBusy

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def site():
    with LocalServer() as srv:
        srv.routes[CUPE_PATH] = html(V1)
        srv.routes[AUPE_PATH] = html((SAMPLES / "aupe-courses" / "courses.html").read_bytes())
        yield srv


def counts(db) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT source, count(*) FROM listings GROUP BY 1 ORDER BY 1").fetchall()
    finally:
        con.close()


def test_drift_far_fewer_listings_is_not_loaded_until_forced(tmp_path, site):
    db, src = tmp_path / "c.duckdb", str(sources_file(tmp_path, site))
    empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    kw = dict(db_path=str(db), sources_file=src, archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert refresh(**kw).ok
    head, *rows = rows_of(V1)
    site.routes[CUPE_PATH] = html(head + "".join('<div class="views-row">' + r for r in rows[:10]))
    summary = refresh(**kw)
    assert summary.status == "partial"
    assert summary.failures == [f"cupe-workshops: {site.url(CUPE_PATH)}: 10 listings, fewer than 50% of the 84 of the "
                                "last good run; the site may have changed (nothing loaded; `courses refresh --force` loads it anyway)"]
    assert counts(db) == [("aupe-courses", 9), ("cupe-workshops", 84)]
    forced = refresh(force=True, **kw)
    assert forced.ok and counts(db) == [("aupe-courses", 9), ("cupe-workshops", 10)]


def test_drift_unreadable_blocks_are_kept_and_the_source_not_loaded(tmp_path, site):
    db, src = tmp_path / "c.duckdb", str(sources_file(tmp_path, site))
    empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    kw = dict(db_path=str(db), sources_file=src, archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert refresh(**kw).ok
    # A redesign moved every description out of reach: most blocks are a bare length now.
    head, *rows = rows_of(V1)
    broken = [r if i % 3 == 0 else '\n<div class="field-duration">3 hours</div>\n</div>\n' for i, r in enumerate(rows)]
    site.routes[CUPE_PATH] = html(head + "".join('<div class="views-row">' + r for r in broken))
    summary = refresh(**kw)
    assert summary.status == "partial"
    assert "blocks could not be read (more than 20%)" in summary.failures[0]
    assert counts(db) == [("aupe-courses", 9), ("cupe-workshops", 84)]
    con = duckdb.connect(str(db), read_only=True)
    (n, reason, raw) = con.execute("SELECT count(*), any_value(reason), any_value(raw_text) FROM block_errors "
                                   "WHERE run_id = ?", [summary.run_id]).fetchone()
    con.close()
    assert n == 56 and "expected a description" in reason and raw == "3 hours"


ANALYST = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("SELECT count(*) FROM listings").fetchone()[0], flush=True)
    sys.stdin.readline()
    print(con.execute("SELECT count(*) FROM listings").fetchone()[0], flush=True)
""")


def test_refresh_while_an_analyst_holds_the_file_open(tmp_path):
    db = tmp_path / "c.duckdb"
    empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    assert refresh(db_path=str(db), from_archive=str(SAMPLES), source_names=["aupe-courses"]).ok
    analyst = subprocess.Popen([sys.executable, "-c", ANALYST, str(db)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout.readline().strip() == "9"
        summary = refresh(db_path=str(db), from_archive=str(SAMPLES))  # loads CUPE too
        assert summary.ok, summary.failures
        analyst.stdin.write("\n")
        analyst.stdin.flush()
        assert analyst.stdout.readline().strip() == "9"  # the open session keeps its consistent view
        assert analyst.wait(timeout=30) == 0
    finally:
        analyst.kill()
    assert counts(db) == [("aupe-courses", 9), ("aupe-labour-school", 10), ("cupe-workshops", 84)]  # a new session sees the new run


HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from warehouse.load import writer_lock
    with writer_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
""")


def test_a_second_refresh_stops_at_once(archive_db):
    db = archive_db  # a refresh of samples/archive
    before = db.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match="another refresh is loading it"):
            refresh(db_path=str(db), from_archive=str(SAMPLES), force=True)
        assert time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()
    assert db.read_bytes() == before


KILLED = textwrap.dedent("""
    import sys
    from datetime import datetime, timezone
    from pathlib import Path
    from grouping import group_listings
    from tests.helpers import listings_of
    from warehouse.load import RunRecord, SourceLoad, publish
    seed = Path(sys.argv[2]).read_text()
    listings, _ = listings_of(seed, "cupe-workshops", "https://cupe.ca/x")
    many = [l.model_copy(update={"position": i, "description": l.description + f" ({i})"})
            for i in range(300) for l in listings]
    load = SourceLoad(source="cupe-workshops", status="loaded", listings=many, grouping=group_listings(many))
    run = RunRecord(run_id="killed", started_at=datetime.now(timezone.utc), mode="fetch", sources=["cupe-workshops"])
    print("loading", flush=True)
    publish(Path(sys.argv[1]), run, [load])
    print("done", flush=True)
""")


def test_a_load_killed_midway_leaves_the_previous_run(archive_db, seed_text):
    from tests.conftest import SEED_CUPE

    db = archive_db  # a refresh of samples/archive
    tmp_path = db.parent
    before = db.read_bytes()
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(db), str(SEED_CUPE)], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    assert proc.stdout.readline().strip() == "loading"
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".c.duckdb.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert list(tmp_path.glob(".c.duckdb.*.tmp")), "the load never started writing"
    time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert db.read_bytes() == before
    assert counts(db) == [("aupe-courses", 9), ("aupe-labour-school", 10), ("cupe-workshops", 84)]
    # The next run clears what the killed one left and loads.
    assert refresh(db_path=str(db), from_archive=str(SAMPLES), force=True).ok
    assert not list(tmp_path.glob(".c.duckdb.*.tmp"))


# ---- bad input ---------------------------------------------------------------------------

def test_parse_bad_files_gives_clear_errors_or_clean_results(tmp_path, cupe_html):
    truncated = tmp_path / "truncated.html"
    truncated.write_text(cupe_html[: len(cupe_html) // 2])
    out = courses("parse", str(truncated), "--source", "cupe-workshops")
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert 30 < len(out.stdout.splitlines()) < 84

    big = tmp_path / "big.html"
    with open(big, "wb") as fh:
        fh.truncate(50_000_000)
    out = courses("parse", str(big), "--source", "cupe-workshops")
    assert out.returncode == 1 and "50.0 MB is larger than a catalogue page can be" in out.stderr

    aupe_page = SAMPLES / "aupe-courses" / "courses.html"
    out = courses("parse", str(aupe_page), "--source", "cupe-workshops")
    assert out.returncode == 1 and "no listings found" in out.stderr and "Traceback" not in out.stderr

    inject = tmp_path / "inject.html"
    inject.write_text('<main><div><div>3 hours</div><div><p>Hello <script>alert("x")</script>'
                      '<img src=x onerror="alert(1)">world <iframe src="http://evil"></iframe></p></div></div></main>')
    out = courses("parse", str(inject), "--source", "cupe-workshops")
    assert out.returncode == 0
    assert '"description": "Hello world"' in out.stdout
    for bad in ("<script", "onerror", "<img", "<iframe", "alert"):
        assert bad not in out.stdout


PIECES = ["3 hours", "1 day", "(2 days)", "2-3 hours", "Steward Learning Series", "NOTE: This workshop is for x.",
          "Description:", "This course is for:", "Learning outcomes:", "• item", "- item", "o", "", "<p>", "</p>",
          "<div>", "</div>", "<h2>", "</h2>", "<ul><li>", "</li></ul>", "<main>", "<script>x</script>", "&amp;",
          "\x00", "\ufffd", "Our social site pages", "<a href='/workshop/1'>SLS - Notes</a>", "<!--", "]]>"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=60),
       st.sampled_from(["\n", "", " "]))
def test_fuzz_parsers_raise_nothing_but_parse_error(pieces, joiner):
    from normalise.listing import normalise

    page = joiner.join(pieces)
    for parser, provider in ((cupe_workshops, "CUPE"), (aupe_courses, "AUPE")):
        try:
            result = parser.parse(page, CUPE_URL)
        except ParseError:
            continue
        normalise(result.listings, provider=provider, source="fuzz", prefixes=parser.PROGRAMME_PREFIXES)
