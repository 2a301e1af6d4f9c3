"""Keys, NOT NULL and CHECK constraints: a bad load fails loudly and changes nothing; an older
warehouse without them is upgraded in place, its rows kept."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone

import duckdb
import pytest

from tests.conftest import copy_sample_db
from tools.data_dictionary import sample_loads
from warehouse.errors import WarehouseError
from warehouse.load import RunRecord, publish


@pytest.fixture(scope="module")
def sample(tmp_path_factory, sample_db_template):
    return copy_sample_db(sample_db_template, tmp_path_factory.mktemp("constraints") / "c.duckdb")


@pytest.fixture
def db(sample, tmp_path):
    path = tmp_path / "c.duckdb"
    shutil.copyfile(sample, path)
    return path


def run_record(run_id: str, mode: str = "archive") -> RunRecord:
    now = datetime.now(timezone.utc)
    return RunRecord(run_id=run_id, started_at=now, finished_at=now, mode=mode,
                     sources=["cupe-workshops", "aupe-courses"], status="succeeded")


def constraints(path) -> set[tuple[str, str, str]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {(t, k, ",".join(c)) for t, k, c in con.execute(
            "SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints()").fetchall()}
    finally:
        con.close()


def test_keys_and_checks_are_declared(sample):
    got = constraints(sample)
    for table, cols in [("runs", "run_id"), ("source_runs", "run_id,source"), ("listings", "listing_id"),
                        ("courses", "course_id"), ("course_variants", "variant_id"),
                        ("course_history", "course_id,valid_from_run"), ("variant_history", "variant_id,valid_from_run"),
                        ("course_topics", "course_id,topic")]:
        assert (table, "PRIMARY KEY", cols) in got, table
    for table, col in [("courses", "status"), ("courses", "key_kind"), ("runs", "status"), ("runs", "mode"),
                       ("source_runs", "status"), ("listings", "delivery_mode"), ("listings", "duration_unit"),
                       ("course_variants", "delivery_mode"), ("course_variants", "join_reason")]:
        assert (table, "CHECK", col) in got, (table, col)
    assert ("courses", "NOT NULL", "status") in got and ("listings", "NOT NULL", "source_url") in got


@pytest.mark.parametrize("sql", [
    "UPDATE courses SET status = 'gone' WHERE provider = 'AUPE'",
    "UPDATE courses SET status = NULL WHERE provider = 'AUPE'",
    "UPDATE listings SET delivery_mode = 'hybrid' WHERE provider = 'AUPE'",
    "INSERT INTO courses SELECT * FROM courses LIMIT 1",
    "UPDATE runs SET mode = 'magic'",
    "UPDATE course_variants SET n_listings = 0",
])
def test_nonsense_is_refused(db, sql):
    con = duckdb.connect(str(db))
    try:
        with pytest.raises(duckdb.ConstraintException):
            con.execute(sql)
    finally:
        con.close()


def test_a_bad_load_fails_and_changes_nothing(db):
    before = db.read_bytes()
    loads = sample_loads()
    aupe = next(l for l in loads if l.source == "aupe-courses")
    aupe.listings[0] = aupe.listings[0].model_copy(update={"delivery_mode": "carrier pigeon"})
    with pytest.raises(WarehouseError, match="the load failed and nothing was changed.*delivery_mode"):
        publish(db, run_record("bad"), loads)
    with pytest.raises(WarehouseError, match="the load failed and nothing was changed"):
        publish(db, run_record("bad", mode="guesswork"), sample_loads())
    assert db.read_bytes() == before


def test_an_older_warehouse_is_upgraded_and_keeps_its_rows(db):
    con = duckdb.connect(str(db))
    tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    con.execute("DROP MACRO IF EXISTS warehouse_definitions")  # an older warehouse had other definitions
    for t in tables:  # as an older warehouse was: no key, no check
        con.execute(f"CREATE TABLE {t}_old AS SELECT * FROM {t}")
        con.execute(f"DROP TABLE {t}")
        con.execute(f"ALTER TABLE {t}_old RENAME TO {t}")
    con.close()
    assert constraints(db) == set()
    publish(db, run_record("20270101T000000Z-upgrade"), sample_loads())
    got = constraints(db)
    assert ("courses", "PRIMARY KEY", "course_id") in got and ("courses", "CHECK", "status") in got
    con = duckdb.connect(str(db), read_only=True)
    after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    con.close()
    # Same pages loaded again: one more run (and its pages and source rows), all else as it was.
    assert after == {**counts, "runs": counts["runs"] + 1, "source_runs": counts["source_runs"] + 2,
                     "pages": counts["pages"]}


def test_a_column_added_later_is_added_to_an_older_warehouse(db):
    con = duckdb.connect(str(db))
    con.execute("ALTER TABLE pages DROP COLUMN last_modified")
    con.execute("DROP MACRO IF EXISTS warehouse_definitions")  # as written by an older version
    con.close()
    publish(db, run_record("20270101T000000Z-later"), sample_loads())
    con = duckdb.connect(str(db), read_only=True)
    assert "last_modified" in [c for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'pages'").fetchall()]
    con.close()
