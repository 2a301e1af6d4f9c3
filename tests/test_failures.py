"""Every failure of `courses refresh` is one `error:` line and a failing exit code, never a traceback.

Run in this process (so an OSError can be raised at the very call a full or read-only disk
would fail: a tmpfs cannot be filled nor a directory made read-only for root here), against
the session's real Prefect server.
"""
from __future__ import annotations

import builtins
import errno
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import SAMPLES, empty_warehouse

pytestmark = pytest.mark.slow


@pytest.fixture
def courses(prefect_server, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.setenv("PREFECT_API_URL", prefect_server.api_url)
    monkeypatch.setenv("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    runner = CliRunner()

    def run(*args: str):
        with temporary_settings(updates={PREFECT_API_URL: prefect_server.api_url}):
            return runner.invoke(app, list(args))

    return run


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [l for l in result.stderr.splitlines() if l.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.splitlines()[-1] == errors[0]
    return errors[0]


def test_a_full_disk_during_the_copy(archive_db, courses, monkeypatch):
    db = archive_db  # the session's `refresh --from-archive samples/archive`, copied
    before = db.read_bytes()

    def full(src, dst, *a, **k):  # the copy of the warehouse into its working file
        raise OSError(errno.ENOSPC, "No space left on device", str(getattr(dst, "name", dst)))

    monkeypatch.setattr("warehouse.load.shutil.copyfileobj", full)
    line = one_error_line(courses("refresh", "--from-archive", str(SAMPLES), "--db", str(db), "--force"))
    assert line.startswith(f"error: refresh of {db} failed (") and line.endswith(
        "): No space left on device; the warehouse is as it was")
    assert db.read_bytes() == before


@pytest.mark.parametrize("code, words", [(errno.EROFS, "Read-only file system"), (errno.EPERM, "Operation not permitted")])
def test_a_lock_that_cannot_be_written(courses, tmp_path, monkeypatch, code, words):
    db = tmp_path / "c.duckdb"
    real_open = builtins.open

    def refuse(file, *a, **k):
        if str(file).endswith(".lock"):
            raise OSError(code, words, str(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", refuse)
    line = one_error_line(courses("refresh", "--from-archive", str(SAMPLES), "--db", str(db)))
    assert line == f"error: {db}: cannot take the writer lock ({db}.lock): {words}"
    assert not db.exists()


def test_a_database_cut_short(archive_db, courses):
    # Without its last 4 KB this file still reads (they are free blocks here); cut in half, as a
    # copy stopped by a full disk leaves it, DuckDB cannot read it.
    db = archive_db  # the session's `refresh --from-archive samples/archive`, copied
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    line = one_error_line(courses("refresh", "--from-archive", str(SAMPLES), "--db", str(db), "--force"))
    assert line.startswith("error: ") and str(db) in line and "Could not read enough bytes" in line
    assert db.read_bytes() == data[: len(data) // 2]  # left as it was for someone to look at


def test_verbose_shows_the_traceback(archive_db, courses, monkeypatch):
    db = archive_db  # the session's `refresh --from-archive samples/archive`, copied

    def full(src, dst, *a, **k):  # the copy of the warehouse into its working file
        raise OSError(errno.ENOSPC, "No space left on device", str(getattr(dst, "name", dst)))

    monkeypatch.setattr("warehouse.load.shutil.copyfileobj", full)
    result = courses("refresh", "--from-archive", str(SAMPLES), "--db", str(db), "--force", "--verbose")
    assert result.exit_code == 1 and "Traceback" in result.stderr


def test_reparse_after_a_replay_and_a_failed_reparse_records_nothing(courses, tmp_path, monkeypatch):
    monkeypatch.chdir(SAMPLES.parent.parent)  # as `make demo` runs: a relative --from-archive
    db = empty_warehouse(tmp_path / "demo.duckdb")  # the session's empty warehouse, copied (no DDL run here)
    assert courses("refresh", "--from-archive", "samples/archive", "--db", str(db)).exit_code == 0
    again = courses("refresh", "--reparse", "--db", str(db), "--archive-dir", str(tmp_path / "archive"))
    assert again.exit_code == 0, again.output
    assert "cupe-workshops: loaded, 4 pages (3 workshop pages), 84 listings, 78 courses" in again.stdout

    # A replay from a folder that is gone afterwards: the reparse fails, and is not the latest run.
    copy = tmp_path / "copy"
    shutil.copytree(SAMPLES, copy)
    db2 = empty_warehouse(tmp_path / "gone.duckdb")
    assert courses("refresh", "--from-archive", str(copy), "--db", str(db2)).exit_code == 0
    shutil.rmtree(copy)
    failed = courses("refresh", "--reparse", "--db", str(db2))
    assert failed.exit_code == 1
    # one line per source of the sample archive (six), each naming its missing page
    assert len([l for l in failed.stderr.splitlines() if l.startswith("error:")]) == 6, failed.stderr
    con = duckdb.connect(str(db2), read_only=True)
    assert con.execute("SELECT count(*), min(status) FROM runs").fetchone() == (1, "succeeded")
    assert con.execute("SELECT kind, count(*) FROM last_run_changes GROUP BY 1").fetchall() == [("added", 92)]
    con.close()
