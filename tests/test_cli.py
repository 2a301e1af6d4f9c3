"""The `courses` command as a user runs it: a real process, real files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLES, SEED_CUPE

KEYS = ["provider", "source", "source_url", "position", "title", "series", "duration_text", "duration_value",
        "duration_unit", "duration_hours", "description", "bullets", "audience", "notes", "prerequisites",
        "delivery_mode", "availability", "methods", "learning_outcomes"]


def courses(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd or Path(__file__).parent.parent, timeout=300)


def test_parse_prints_json_lines_with_the_documented_keys():
    out = courses("parse", str(SEED_CUPE), "--source", "cupe-workshops")
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
def test_refresh_from_archive_and_a_failing_refresh(tmp_path):
    db = tmp_path / "demo.duckdb"
    env = {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    out = courses("refresh", "--from-archive", str(SAMPLES), "--db", str(db), env=env)
    assert out.returncode == 0, out.stderr
    assert "cupe-workshops: loaded, 1 pages, 84 listings, 78 courses" in out.stdout
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
