"""`courses query` is read-only: no file written, none read but the warehouse, no extension,
no ATTACH, no setting changed; one statement at a time. And CSV lists are written one way."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.conftest import copy_sample_db

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory, sample_db_template) -> Path:
    return copy_sample_db(sample_db_template, tmp_path_factory.mktemp("sandbox") / "demo.duckdb")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(db: Path, sql: str, *extra: str):
    return runner.invoke(app, ["query", sql, "--db", str(db), *extra])


def refused(result, *words: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_copy_cannot_overwrite_the_warehouse_or_write_any_file(db, tmp_path):
    before = digest(db)
    refused(query(db, f"COPY (SELECT 'x') TO '{db}' (FORMAT csv)"), "COPY")
    out = tmp_path / "x.csv"
    refused(query(db, f"COPY courses TO '{out}'"), "COPY")
    refused(query(db, f"SELECT * FROM (SELECT 1) t; COPY courses TO '{out}'"), "2 statements")
    assert not out.exists() and digest(db) == before


def test_attach_is_refused(db, tmp_path):
    other = tmp_path / "other.duckdb"
    refused(query(db, f"ATTACH '{other}' (READ_WRITE)"), "ATTACH")
    refused(query(db, f"ATTACH '{db}' AS again (READ_WRITE)"), "ATTACH")
    assert not other.exists()


DISABLED = "file system operations are disabled"


@pytest.mark.parametrize("sql, why", [
    ("SELECT * FROM read_text('/etc/hostname')", DISABLED),
    ("SELECT * FROM glob('/etc/*')", DISABLED),
    ("SELECT * FROM read_csv('/etc/passwd')", DISABLED),
    ("SELECT count(*) FROM '/etc/passwd'", "does not exist"),  # no file read in place of a table
    ("WITH t AS (SELECT * FROM read_text('{repo}/sources/default.toml')) SELECT * FROM t", DISABLED),
])
def test_no_file_but_the_warehouse_is_read(db, sql, why):
    refused(query(db, sql.format(repo=Path(__file__).parent.parent)), why)


@pytest.mark.parametrize("sql, word", [
    ("INSTALL fts", "LOAD"),
    ("LOAD fts", "LOAD"),
    ("SET enable_external_access = true", "SET"),
    ("SET threads = 1", "SET"),
    ("RESET lock_configuration", "SET"),
    ("PRAGMA enable_profiling", "PRAGMA"),
    ("CREATE TABLE t AS SELECT 1", "CREATE"),
    ("DELETE FROM courses", "DELETE"),
    ("CALL duckdb_settings()", "CALL"),
])
def test_statements_that_are_not_queries_are_refused(db, sql, word):
    before = digest(db)
    refused(query(db, sql), "refused", word)
    assert digest(db) == before


@pytest.mark.parametrize("sql", ["", "   "])
def test_no_sql_at_all_is_a_usage_error_of_one_line(db, sql):
    refused(query(db, sql), "no SQL given", code=2)


@pytest.mark.parametrize("sql", [" ; ", " -- nothing\n"])
def test_an_empty_query_is_one_line(db, sql):
    refused(query(db, sql), "empty")


def test_several_statements_are_refused_not_half_shown(db):
    refused(query(db, "SELECT 1; SELECT 2"), "2 statements", "one at a time")


def test_queries_and_views_still_run(db):
    ok = query(db, "SELECT provider, count(*) AS n FROM courses WHERE status = 'active' GROUP BY ALL ORDER BY 1",
               "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert [json.loads(line) for line in ok.output.splitlines()] == [{"provider": "AUPE", "n": 9},
                                                                     {"provider": "CUPE", "n": 78}]
    for sql in ("FROM courses_by_programme", "DESCRIBE courses", "SUMMARIZE listings", "EXPLAIN SELECT 1",
                "WITH x AS (SELECT 1 AS a) SELECT * FROM x", "SELECT * FROM course_facts LIMIT 1"):
        assert query(db, sql).exit_code == 0, sql


def test_csv_lists_are_json_arrays_in_query_and_export_alike(db, tmp_path):
    # The AUPE course "Workplace Power (2 days)": one length, as the page writes it.
    sql = "SELECT course_id, title, lengths, bullets FROM courses ORDER BY course_id"
    out = query(db, sql, "--format", "csv")
    assert out.exit_code == 0, out.output
    queried = list(csv.DictReader(io.StringIO(out.output)))
    exported = runner.invoke(app, ["export", str(tmp_path), "--format", "csv", "--db", str(db)])
    assert exported.exit_code == 0, exported.output
    with open(tmp_path / "courses.csv", newline="", encoding="utf-8") as fh:
        by_id = {r["course_id"]: r for r in csv.DictReader(fh)}
    power = next(r for r in queried if r["title"] == "Workplace Power")
    assert power["lengths"] == '["2 days"]'
    for row in queried:
        assert by_id[row["course_id"]]["lengths"] == row["lengths"]
        assert by_id[row["course_id"]]["bullets"] == row["bullets"]
        assert isinstance(json.loads(row["lengths"]), list)
    # A multi-length course, read back by DuckDB's read_csv and by json.loads.
    con = duckdb.connect()
    back = con.execute(f"SELECT from_json(lengths, '[\"VARCHAR\"]') FROM read_csv('{tmp_path / 'courses.csv'}') "
                       "WHERE lengths LIKE '%,%' ORDER BY 1").fetchall()
    con.close()
    assert (["3 hours", "6 hours", "9 hours"],) in back
