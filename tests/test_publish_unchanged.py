"""A run that loaded nothing (every source 304 or the same bytes) is recorded in the warehouse
file itself: no copy, no definitions applied, one transaction; and it keeps every promise of the
copy-and-rename publish. Every other process here is a real one."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SAMPLES
from tests.test_publish_safety import rows, session
from warehouse.errors import WarehouseBusy, WarehouseError
from warehouse.load import RunRecord, SourceLoad, publish

pytestmark = pytest.mark.slow

SOURCES = ["cupe-workshops", "aupe-courses"]
SAMPLE_RUN = "20260101T000000Z-sample"


def unchanged_loads() -> list[SourceLoad]:
    now = datetime(2026, 1, 2, tzinfo=timezone.utc)
    return [SourceLoad(source=s, status="unchanged", pages=[{
        "source": s, "url": f"https://example.org/{s}", "status_code": 304, "fetched_at": now,
        "content_hash": "0" * 64, "encoding": "utf-8", "content_type": "text/html", "bytes": 0, "etag": '"e"',
        "last_modified": None, "archive_path": f"{s}/page.html.gz", "n_listings": 0}]) for s in SOURCES]


def run_record(run_id: str, mode: str = "fetch") -> RunRecord:
    now = datetime(2026, 1, 2, tzinfo=timezone.utc)
    return RunRecord(run_id=run_id, started_at=now, finished_at=now, mode=mode, sources=SOURCES,
                     status="succeeded")


CURRENT = "SELECT (SELECT count(*) FROM listings), (SELECT count(*) FROM courses), (SELECT count(*) FROM course_history)"


def test_an_unchanged_run_is_recorded_in_the_file_itself(sample_db):
    db = sample_db
    con = duckdb.connect(str(db))
    con.execute("COMMENT ON TABLE runs IS 'marker: applying the definitions rewrites this'")
    con.close()
    ino, current = db.stat().st_ino, rows(db, CURRENT)
    sample_run = rows(db, "SELECT * FROM runs")
    publish(db, run_record("r2"), unchanged_loads())
    assert db.stat().st_ino == ino  # no copy was renamed over it
    assert sorted(p.name for p in db.parent.iterdir()) == ["c.duckdb", "c.duckdb.lock"]
    assert rows(db, "SELECT comment FROM duckdb_tables() WHERE table_name = 'runs'") == [
        ("marker: applying the definitions rewrites this",)]  # no DDL ran
    assert rows(db, f"SELECT * FROM runs WHERE run_id = '{SAMPLE_RUN}'") == sample_run
    assert rows(db, "SELECT run_id, status, n_pages, n_listings, n_courses FROM runs WHERE run_id = 'r2'") == [
        ("r2", "succeeded", 2, 0, 0)]
    assert rows(db, "SELECT source, status, n_pages FROM source_runs WHERE run_id = 'r2' ORDER BY 1") == [
        ("aupe-courses", "unchanged", 1), ("cupe-workshops", "unchanged", 1)]
    assert rows(db, "SELECT count(*) FROM pages WHERE run_id = 'r2' AND status_code = 304") == [(2,)]
    assert rows(db, CURRENT) == current


def test_new_definitions_take_the_copy_and_are_applied(sample_db):
    db = sample_db
    con = duckdb.connect(str(db))
    con.execute("CREATE OR REPLACE MACRO warehouse_definitions() AS 'an older version'")
    con.close()
    ino = db.stat().st_ino
    publish(db, run_record("r2"), unchanged_loads())
    assert db.stat().st_ino != ino
    assert rows(db, "SELECT warehouse_definitions() != 'an older version'") == [(True,)]
    assert rows(db, "SELECT count(*) FROM runs") == [(2,)]


def test_an_unchanged_run_stops_while_a_session_has_the_file_open_for_writing(sample_db):
    db = sample_db
    proc, pid = session(db)
    try:
        with pytest.raises(WarehouseBusy, match=rf"open for writing \(PID {pid}, ") as err:
            publish(db, run_record("r2"), unchanged_loads())
        assert "\n" not in str(err.value)
        proc.stdin.write("more\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "closed"
    finally:
        proc.kill()
        proc.wait()
    assert rows(db, "SELECT note FROM analyst_notes ORDER BY note") == [("first note",), ("second note",)]
    assert rows(db, "SELECT run_id FROM runs") == [(SAMPLE_RUN,)]
    publish(db, run_record("r2"), unchanged_loads())
    assert rows(db, "SELECT note FROM analyst_notes ORDER BY note") == [("first note",), ("second note",)]
    assert rows(db, "SELECT count(*) FROM runs") == [(2,)]


def test_a_dead_sessions_wal_is_replayed_before_the_run_is_recorded(sample_db):
    db = sample_db
    proc, _ = session(db)
    proc.stdin.write("die\n")
    proc.stdin.flush()
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert db.with_name("c.duckdb.wal").exists()
    publish(db, run_record("r2"), unchanged_loads())
    assert not db.with_name("c.duckdb.wal").exists()
    assert rows(db, "SELECT note FROM analyst_notes") == [("first note",)]
    assert rows(db, "SELECT count(*) FROM runs") == [(2,)]


READER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("SELECT count(*) FROM runs").fetchone()[0], flush=True)
    sys.stdin.readline()
    print(con.execute("SELECT count(*) FROM runs").fetchone()[0], flush=True)
""")


def test_a_reader_keeps_its_view_and_the_run_takes_the_copy(sample_db):
    db = sample_db
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, cwd=ROOT)
    try:
        assert reader.stdout.readline().strip() == "1"
        ino = db.stat().st_ino
        publish(db, run_record("r2"), unchanged_loads())
        assert db.stat().st_ino != ino  # the reader's lock stands: the run went through a copy
        reader.stdin.write("again\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"  # the reader's view is the file it opened
    finally:
        reader.kill()
        reader.wait()
    assert rows(db, "SELECT count(*) FROM runs") == [(2,)]


def test_a_failed_record_changes_nothing(sample_db):
    db = sample_db
    before = rows(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM source_runs), "
                      "(SELECT count(*) FROM pages)")
    with pytest.raises(WarehouseError, match="recording the run failed and nothing was changed"):
        publish(db, run_record("bad", mode="guesswork"), unchanged_loads())  # runs.mode has a CHECK
    assert rows(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM source_runs), "
                    "(SELECT count(*) FROM pages)") == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["c.duckdb", "c.duckdb.lock"]


KILLED_AT_COMMIT = textwrap.dedent("""
    import os, signal, sys, duckdb
    from pathlib import Path
    import warehouse.load as load
    from tests.test_publish_unchanged import run_record, unchanged_loads

    real_connect = duckdb.connect

    class Stopping:
        def __init__(self, con):
            self.con = con
        def execute(self, sql, *args):
            if sql == "COMMIT":
                print("inserted", os.getpid(), flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            return self.con.execute(sql, *args)
        def __getattr__(self, name):
            return getattr(self.con, name)

    load.duckdb.connect = lambda path, *a, **kw: Stopping(real_connect(path, *a, **kw))
    load.duckdb.Error = duckdb.Error
    load.publish(Path(sys.argv[1]), run_record("killed"), unchanged_loads())
""")


def test_a_run_killed_before_commit_leaves_the_file_as_it_was(sample_db):
    db = sample_db
    before = rows(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM pages)")
    proc = subprocess.run([sys.executable, "-c", KILLED_AT_COMMIT, str(db)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert proc.stdout.startswith("inserted")
    assert rows(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM pages)") == before
    publish(db, run_record("r2"), unchanged_loads())
    assert rows(db, "SELECT run_id FROM runs ORDER BY run_id") == [(SAMPLE_RUN,), ("r2",)]


@pytest.mark.usefixtures("prefect_harness")
def test_a_refresh_of_unchanged_pages_records_the_run_in_place(archive_db):
    from flows.refresh import refresh  # here, not at the top: the killed-load scripts import this module
    db = archive_db  # a refresh of samples/archive
    ino, current = db.stat().st_ino, rows(db, CURRENT)
    summary = refresh(db_path=str(db), from_archive=str(SAMPLES))
    assert summary.ok and {s["status"] for s in summary.sources.values()} == {"unchanged"}
    assert db.stat().st_ino == ino
    assert rows(db, CURRENT) == current
    assert rows(db, "SELECT count(*), count(*) FILTER (WHERE status = 'succeeded') FROM runs") == [(2, 2)]
