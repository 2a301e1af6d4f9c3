"""A refresh never loses a committed write, its own or another process's; a killed run leaves
nothing behind that the next one does not clean. Every other process here is a real one."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SAMPLES
from tools.data_dictionary import sample_loads
from warehouse.errors import WarehouseBusy, WarehouseError
from warehouse.load import RunRecord, publish, remove_stale_files

pytestmark = pytest.mark.slow

# An analyst's read-write session (DBeaver's default): writes a note, commits, then waits for
# a line on stdin ("more": write a second note and close; anything else: die without closing).
SESSION = textwrap.dedent("""
    import os, signal, sys, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("CREATE TABLE IF NOT EXISTS analyst_notes (note VARCHAR)")
    con.execute("INSERT INTO analyst_notes VALUES ('first note')")
    print("committed", os.getpid(), flush=True)
    line = sys.stdin.readline().strip()
    if line == "more":
        con.execute("INSERT INTO analyst_notes VALUES ('second note')")
        con.close()
        print("closed", flush=True)
    else:
        os.kill(os.getpid(), signal.SIGKILL)
""")


def session(db: Path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([sys.executable, "-c", SESSION, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=ROOT)
    word, pid = proc.stdout.readline().split()
    assert word == "committed"
    return proc, int(pid)


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def run_record(run_id: str) -> RunRecord:
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    return RunRecord(run_id=run_id, started_at=now, finished_at=now, mode="archive",
                     sources=["cupe-workshops", "aupe-courses"], status="succeeded")


@pytest.mark.usefixtures("prefect_harness")
def test_a_refresh_stops_while_a_session_has_the_warehouse_open_for_writing(archive_db):
    from flows.refresh import refresh  # here, not at the top: the killed-load scripts import this module
    db = archive_db  # a refresh of samples/archive
    proc, pid = session(db)
    try:
        with pytest.raises(WarehouseBusy, match=rf"open for writing \(PID {pid}, ") as err:
            refresh(db_path=str(db), from_archive=str(SAMPLES), force=True)
        assert "\n" not in str(err.value)
        proc.stdin.write("more\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "closed"
    finally:
        proc.kill()
        proc.wait()
    # The session's two committed notes are in the file; a refresh now runs and keeps them.
    assert rows(db, "SELECT note FROM analyst_notes ORDER BY note") == [("first note",), ("second note",)]
    assert refresh(db_path=str(db), from_archive=str(SAMPLES), force=True).ok
    assert rows(db, "SELECT note FROM analyst_notes ORDER BY note") == [("first note",), ("second note",)]
    assert rows(db, "SELECT source, count(*) FROM listings GROUP BY 1 ORDER BY 1") == [
        ("aupe-courses", 9), ("aupe-labour-school", 10), ("cupe-workshops", 84)]


@pytest.mark.usefixtures("prefect_harness")
def test_a_dead_sessions_wal_is_replayed_before_the_copy(archive_db):
    from flows.refresh import refresh  # here, not at the top: the killed-load scripts import this module
    db = archive_db  # a refresh of samples/archive
    tmp_path = db.parent
    proc, _ = session(db)
    proc.stdin.write("die\n")
    proc.stdin.flush()
    assert proc.wait(timeout=30) == -signal.SIGKILL
    wal = tmp_path / "c.duckdb.wal"
    assert wal.exists()  # the dead session's committed note lives only there
    summary = refresh(db_path=str(db), from_archive=str(SAMPLES), force=True)
    assert summary.ok and summary.sources["aupe-courses"]["listings"] == 9
    assert not wal.exists()
    # What the run reported is what the file holds, and the dead session's note is kept.
    assert rows(db, "SELECT source, count(*) FROM listings GROUP BY 1 ORDER BY 1") == [
        ("aupe-courses", 9), ("aupe-labour-school", 10), ("cupe-workshops", 84)]
    assert rows(db, "SELECT note FROM analyst_notes") == [("first note",)]
    # Opening it read-write (as DBeaver would) changes nothing any more.
    duckdb.connect(str(db)).close()
    assert rows(db, "SELECT source, count(*) FROM listings GROUP BY 1 ORDER BY 1") == [
        ("aupe-courses", 9), ("aupe-labour-school", 10), ("cupe-workshops", 84)]


def test_a_wal_that_cannot_be_applied_stops_the_load_and_changes_nothing(sample_db):
    db = sample_db
    tmp_path = db.parent
    before = db.read_bytes()
    (tmp_path / "c.duckdb.wal").write_bytes(b"not a write-ahead log" * 50)
    with pytest.raises(WarehouseError, match=r"c\.duckdb\.wal was left by a session that did not close") as err:
        publish(db, run_record("r2"), sample_loads())
    assert "\n" not in str(err.value)
    assert rows(db, "SELECT count(*) FROM runs") == [(1,)]
    assert len(db.read_bytes()) == len(before)


TRY_TO_WRITE = textwrap.dedent("""
    import sys, duckdb
    try:
        con = duckdb.connect(sys.argv[1])
    except duckdb.Error as exc:
        print("refused:", str(exc).splitlines()[0], flush=True)
    else:
        con.execute("CREATE TABLE analyst_notes AS SELECT 'during the load' AS note")
        con.close()
        print("wrote", flush=True)
""")


def test_no_session_can_open_the_warehouse_for_writing_while_a_load_copies_it(sample_db, monkeypatch):
    import warehouse.load as load

    db = sample_db
    outputs = []
    real_write = load._write

    def write_while_another_process_tries(path, run, loads):
        outputs.append(subprocess.run([sys.executable, "-c", TRY_TO_WRITE, str(db)], capture_output=True,
                                      text=True, cwd=ROOT, timeout=60).stdout.strip())
        real_write(path, run, loads)

    monkeypatch.setattr(load, "_write", write_while_another_process_tries)
    publish(db, run_record("r2"), sample_loads())
    assert len(outputs) == 1 and outputs[0].startswith("refused:") and "Could not set lock" in outputs[0]
    assert rows(db, "SELECT count(*) FROM runs") == [(2,)]
    # Once the load is done, the same session opens and writes.
    out = subprocess.run([sys.executable, "-c", TRY_TO_WRITE, str(db)], capture_output=True, text=True, cwd=ROOT,
                         timeout=60).stdout.strip()
    assert out == "wrote"


# A load killed after it committed into its copy, before the checkpoint: the copy and its
# write-ahead log (.c.duckdb.<pid>.tmp.wal) are left behind.
KILLED_AFTER_COMMIT = textwrap.dedent("""
    import os, signal, sys, duckdb
    from pathlib import Path
    import warehouse.load as load
    from tools.data_dictionary import sample_loads
    from tests.test_publish_safety import run_record

    real_connect = duckdb.connect

    class Stopping:
        def __init__(self, con):
            self.con = con
        def execute(self, sql, *args):
            if sql == "CHECKPOINT":
                print("committed", os.getpid(), flush=True)
                os.kill(os.getpid(), signal.SIGKILL)
            return self.con.execute(sql, *args)
        def __getattr__(self, name):
            return getattr(self.con, name)

    def connect(path=":memory:", *args, **kw):  # the load attaches its working copy (.tmp) to one in memory
        con = real_connect(path, *args, **kw)
        return Stopping(con) if path.endswith(".tmp") or path == ":memory:" else con

    load.duckdb.connect = connect
    load.duckdb.Error = duckdb.Error
    load.publish(Path(sys.argv[1]), run_record("killed"), sample_loads())
""")


def test_every_file_a_killed_load_leaves_is_cleaned(sample_db):
    db = sample_db
    tmp_path = db.parent
    before = rows(db, "SELECT run_id FROM runs")
    proc = subprocess.run([sys.executable, "-c", KILLED_AFTER_COMMIT, str(db)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pid = int(proc.stdout.split()[1])
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".c.duckdb."))
    assert left == [f".c.duckdb.{pid}.tmp", f".c.duckdb.{pid}.tmp.wal"]
    assert rows(db, "SELECT run_id FROM runs") == before  # the warehouse is as it was
    # The same pid again (pids are reused): its stale files must not be replayed into the new copy.
    mine = os.getpid()
    (tmp_path / f".c.duckdb.{mine}.tmp").write_bytes((tmp_path / f".c.duckdb.{pid}.tmp").read_bytes())
    (tmp_path / f".c.duckdb.{mine}.tmp.wal").write_bytes((tmp_path / f".c.duckdb.{pid}.tmp.wal").read_bytes())
    (tmp_path / f".c.duckdb.{mine}.tmp.tmp").mkdir()  # DuckDB's spill folder
    publish(db, run_record("r2"), sample_loads())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.duckdb", "c.duckdb.lock"]
    assert rows(db, "SELECT run_id FROM runs ORDER BY run_id") == [("20260101T000000Z-sample",), ("r2",)]


def test_remove_stale_files_touches_only_working_files(tmp_path):
    db = tmp_path / "c.duckdb"
    keep = ["c.duckdb", "c.duckdb.wal", ".c.duckdb.lock", ".c.duckdb.x.tmp", ".other.duckdb.1.tmp", "c.duckdb.1.tmp"]
    gone = [".c.duckdb.12.tmp", ".c.duckdb.12.tmp.wal", ".c.duckdb.7.tmp.wal"]
    for name in keep + gone:
        (tmp_path / name).write_text("x")
    assert sorted(p.name for p in remove_stale_files(db)) == sorted(gone)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep)


def test_a_load_over_its_memory_budget_changes_nothing_and_names_the_setting(sample_db, monkeypatch):
    """The load caps DuckDB's memory (indexes + a budget) so that a big transaction spills; a load
    that needs more fails whole, with the setting that gives it more."""
    db = sample_db
    before = rows(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM listings), (SELECT count(*) FROM courses)")
    ino = db.stat().st_ino
    monkeypatch.setenv("COURSES_LOAD_MEMORY_MB", "1")
    with pytest.raises(WarehouseError) as err:
        publish(db, run_record("r-small-budget"), sample_loads())
    message = str(err.value)
    assert "COURSES_LOAD_MEMORY_MB" in message and "nothing was changed" in message and "\n" not in message
    assert db.stat().st_ino == ino
    assert rows(db, "SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM listings), (SELECT count(*) FROM courses)") == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["c.duckdb", "c.duckdb.lock"]

    monkeypatch.setenv("COURSES_LOAD_MEMORY_MB", "64")  # as the message says: more memory, and it loads
    publish(db, run_record("r-enough"), sample_loads())
    assert rows(db, "SELECT count(*) FROM runs WHERE run_id = 'r-enough'") == [(1,)]


def test_a_load_memory_setting_that_is_no_number_is_refused(sample_db, monkeypatch):
    monkeypatch.setenv("COURSES_LOAD_MEMORY_MB", "lots")
    with pytest.raises(WarehouseError, match="COURSES_LOAD_MEMORY_MB='lots': expected a whole number of megabytes"):
        publish(sample_db, run_record("r-bad-setting"), sample_loads())
    assert rows(sample_db, "SELECT count(*) FROM runs WHERE run_id = 'r-bad-setting'") == [(0,)]
