"""The `courses` command as a user runs it: real files, real exit codes and output streams.

Commands run in this process (tests/clirun.py) unless the test needs a process of its own:
the entry point itself, a read that could hang, a kill.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import typer

from tests.clirun import in_turn_script, run_courses
from tests.conftest import SAMPLES, SEED_CUPE

KEYS = ["provider", "source", "source_url", "position", "title", "series", "duration_text", "duration_value",
        "duration_unit", "duration_hours", "description", "bullets", "audience", "notes", "prerequisites",
        "delivery_mode", "availability", "methods", "learning_outcomes"]


def courses(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`courses *args` in this process."""
    return run_courses(*args, env=env, cwd=cwd)


def courses_process(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`courses *args` in a process of its own (`python -m cli.main`)."""
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd or Path(__file__).parent.parent, timeout=300)


def test_parse_prints_json_lines_with_the_documented_keys():
    out = courses_process("parse", str(SEED_CUPE), "--source", "cupe-workshops")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == 84
    for key in KEYS:
        assert key in rows[0], key
    assert rows[0]["duration_text"] == "6 hours" and rows[0]["series"] == "Bargaining Program"


def test_parse_errors_are_one_line_not_a_traceback(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "bin.html"
    binary.write_bytes(bytes(range(256)) * 20)
    other = tmp_path / "other.html"
    other.write_text("<html><body><main><h1>Recipes</h1><p>Flour and water.</p></main></body></html>")
    for path, expected in [(empty, "empty"), (binary, "binary"), (other, "no listings found")]:
        out = courses("parse", str(path), "--source", "cupe-workshops")
        assert out.returncode == 1, path
        assert "Traceback" not in out.stderr
        assert out.stderr.startswith(f"error: {path}") and expected in out.stderr
    out = courses("parse", str(other), "--source", "nope")
    assert out.returncode == 2 and "unknown source nope" in out.stderr


def test_query_is_read_only_and_formats(tmp_path):
    db = tmp_path / "q.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT 1 AS a, 'x' AS b")
    con.close()
    out = courses("query", "SELECT a, b FROM t", "--db", str(db), "--format", "csv")
    assert out.returncode == 0 and out.stdout.splitlines() == ["a,b", "1,x"]
    out = courses("query", "SELECT a, b FROM t", "--format", "json", env={"COURSES_DB": str(db)})
    assert json.loads(out.stdout) == {"a": 1, "b": "x"}
    out = courses("query", "DROP TABLE t", "--db", str(db))
    assert out.returncode == 1 and "read-only" in out.stderr.lower()
    out = courses("query", "SELECT 1", "--db", str(tmp_path / "missing.duckdb"))
    assert out.returncode == 1 and "does not exist" in out.stderr


@pytest.mark.slow
def test_refresh_from_archive_and_a_failing_refresh(tmp_path, prefect_server):
    # Against the session's Prefect server: the temporary server is started (and killed) in
    # test_a_killed_refresh_takes_its_temporary_server_with_it.
    db = tmp_path / "demo.duckdb"
    env = prefect_server.client_env()
    out = courses("refresh", "--from-archive", str(SAMPLES), "--db", str(db), env=env)
    assert out.returncode == 0, out.stderr
    assert "cupe-workshops: loaded, 4 pages (3 workshop pages), 84 listings, 78 courses" in out.stdout
    before = db.read_bytes()
    missing = tmp_path / "nothing"
    (missing / "cupe-workshops").mkdir(parents=True)
    out = courses("refresh", "--from-archive", str(missing), "--db", str(db), "--source", "cupe-workshops", env=env)
    assert out.returncode == 1
    assert "error: cupe-workshops: archive folder" in out.stderr and "no index.jsonl" in out.stderr
    con = duckdb.connect(str(db), read_only=True)
    # 84 CUPE, 9 AUPE catalogue, 10 Labour School (2 + 2 + 4 + 2 on its four sample pages)
    assert con.execute("SELECT count(*) FROM listings").fetchone() == (103,)
    assert con.execute("SELECT status FROM runs ORDER BY started_at").fetchall() == [("succeeded",), ("failed",)]
    con.close()
    assert before != db.read_bytes()  # the failure itself is recorded in runs


def test_a_refresh_that_cannot_start_stops_before_prefect_and_leaves_no_file(tmp_path):
    db = tmp_path / "x.duckdb"
    for args, expected in [
        (["--from-archive", str(tmp_path / "missing")], f"error: --from-archive {tmp_path / 'missing'}: no such folder"),
        (["--source", "nope"], "error: unknown source nope"),
        (["--sources", str(tmp_path / "none.toml")], f"error: sources file {tmp_path / 'none.toml'} does not exist"),
        (["--reparse"], f"error: {db}: no earlier run to reparse"),
    ]:
        out = courses("refresh", "--db", str(db), *args)
        assert out.returncode == 2, out.stderr
        assert out.stderr.splitlines()[0].startswith(expected) and len(out.stderr.splitlines()) == 1, out.stderr
        assert "Prefect" not in out.stderr
    assert list(tmp_path.iterdir()) == []  # no database, no lock file


def test_a_busy_warehouse_is_refused_before_prefect_starts(tmp_path):
    from warehouse.load import writer_lock

    db = tmp_path / "x.duckdb"
    with writer_lock(db):
        out = courses("refresh", "--from-archive", str(SAMPLES), "--db", str(db))
    assert out.returncode == 1
    assert out.stderr.splitlines() == [f"error: {db}: another refresh is loading it (pid {os.getpid()}); "
                                       "wait for it to finish and try again"]
    assert not db.exists()


def test_serve_without_a_server_stops_at_once():
    out = courses("serve", env={"PREFECT_API_URL": None})
    assert out.returncode == 2
    assert out.stderr.splitlines() == ["error: a schedule needs a Prefect server: start one with "
                                       "`prefect server start` and set PREFECT_API_URL=http://127.0.0.1:4200/api"]


# `courses` commands one after another in one process of their own (what each printed, its exit
# code), for reads that could hang: the process's timeout fails the test instead.
IN_TURN = in_turn_script()


def test_parse_refuses_what_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "page.html"
    os.mkfifo(fifo)
    cases = [(Path("/dev/zero"), "a device"), (fifo, "a FIFO"), (tmp_path, "a directory")]
    commands = [["parse", str(path), "--source", "cupe-workshops"] for path, _ in cases]
    # One process for the three (a process each: ~0.7 s of CPU); a hang or a MemoryError fails here.
    proc = subprocess.run([sys.executable, "-c", IN_TURN, json.dumps(commands)], capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent, timeout=300)
    assert proc.returncode == 0, proc.stderr
    for (path, kind), out in zip(cases, json.loads(proc.stdout.strip().splitlines()[-1]), strict=True):
        assert out["code"] == 2, out
        assert out["stderr"].splitlines() == [f"error: {path}: is {kind}, not a regular file; give a saved page"]


def test_parse_caps_the_bytes_it_reads(tmp_path):
    big = tmp_path / "big.html"
    with open(big, "wb") as fh:
        fh.truncate(20_000_001)  # sparse
    out = courses("parse", str(big), "--source", "cupe-workshops")
    assert out.returncode == 1
    assert out.stderr.splitlines() == [f"error: {big}: 20.0 MB is larger than a catalogue page can be (20 MB); "
                                       "is this the right file?"]
    # A file whose size says little (a /proc file says 0) is still read no further than the cap.
    from cli.common import read_page_file

    assert read_page_file(Path("/proc/self/status"), 10_000).startswith(b"Name:")
    with pytest.raises(typer.Exit):
        read_page_file(Path("/proc/self/maps"), 10)  # st_size 0, more than 10 bytes


def test_query_without_sql_is_one_line():
    out = courses("query", "")
    assert out.returncode == 2 and out.stderr.splitlines()[0].startswith("error: no SQL given")
    assert "Traceback" not in out.stderr


@pytest.mark.slow
def test_a_killed_refresh_takes_its_temporary_server_with_it(tmp_path):
    import signal
    import time

    env = {**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
           "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    run = subprocess.Popen([sys.executable, "-m", "cli.main", "refresh", "--from-archive", str(SAMPLES),
                            "--db", str(tmp_path / "k.duckdb")], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, cwd=Path(__file__).parent.parent)

    def server_children() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text()
                cmd = (entry / "cmdline").read_bytes()
            except (OSError, ValueError):
                continue
            if entry.name.isdigit() and stat.rsplit(")", 1)[1].split()[1] == str(run.pid) and b"uvicorn" in cmd:
                found.append(int(entry.name))
        return found

    deadline = time.monotonic() + 120
    children: list[int] = []
    while not children and time.monotonic() < deadline and run.poll() is None:
        children = server_children()
        time.sleep(0.1)
    assert children, "the refresh never started its temporary server"
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    alive = children
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if Path(f"/proc/{pid}").exists()
                 and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
        time.sleep(0.1)
    assert not alive, f"temporary server {alive} outlived the killed refresh"


def test_progress_lines_count_pages_and_retries_per_source():
    import io

    from cli.run import progress_reporter

    out = io.StringIO()
    report = progress_reporter(out)
    for stage, name in [("fetch", "cupe-workshops"), ("retry", "cupe-workshops"), ("retry", "cupe-workshops"),
                        ("fetch", "cupe-workshops"), ("parse", "aupe-courses")]:
        report(stage, name, 1)
    assert out.getvalue().splitlines() == [
        "fetch cupe-workshops: 1 page", "retry cupe-workshops: 1 retry", "retry cupe-workshops: 2 retries",
        "fetch cupe-workshops: 2 pages", "parse aupe-courses: 1 page"]
