"""The `sessions` table in a real DuckDB file: history (added, changed, cancelled, removed) and views."""
from __future__ import annotations

from datetime import date, timedelta

import shutil

import duckdb
import pytest

from normalise.sessions import to_sessions
from parsers import cupe_events
from tests.conftest import empty_warehouse
from warehouse.sessions import load_sessions

TODAY = date.today()
STEWARD = ("What does a CUPE steward do? If you are a new steward and want to learn how to help CUPE members "
           "solve workplace problems, this introductory workshop is for you!")
BULLYING = "Bullying hurts everyone. As union members, we have a role to play in combating workplace bullying."


def day(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def listing(*rows: tuple[date, str, str]) -> list:
    page = "\n".join(f"{day(d)} | {place} | English\n{desc}" for d, place, desc in rows)
    result = cupe_events.parse(page, "https://cupe.ca/mrm-union-education/events")
    assert result.errors == []
    return to_sessions(result.sessions, provider="CUPE", source="cupe-events", prefixes=cupe_events.PROGRAMME_PREFIXES)


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory):
    """An empty warehouse (a copy of the session's), each test gets its own copy."""
    return empty_warehouse(tmp_path_factory.mktemp("sessions-schema") / "template.duckdb")


@pytest.fixture()
def con(tmp_path, schema_template):
    shutil.copyfile(schema_template, tmp_path / "w.duckdb")
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def status(con, sid):
    return con.execute("SELECT status FROM sessions WHERE session_id = ?", [sid]).fetchone()[0]


def test_history_of_a_cancelled_and_a_changed_session(con):
    soon, later, gone_by = TODAY + timedelta(days=10), TODAY + timedelta(days=40), TODAY - timedelta(days=3)
    run1 = listing((soon, "Yorkton Area Office, Yorkton, Saskatchewan", STEWARD),
                   (later, "CUPE Saskatchewan Regional Office, Regina, Saskatchewan", STEWARD),
                   (gone_by, "ONLINE, Manitoba", BULLYING))
    counts = load_sessions(con, "r1", TODAY, "cupe-events", run1)
    assert counts["sessions"] == 3
    a, b, c = (s.session_id for s in run1)
    assert [status(con, x) for x in (a, b, c)] == ["active", "active", "past"]
    # run 2: the first moves to another venue in the same city, the second and the past one are gone
    run2 = listing((soon, "Yorkton Public Library, Yorkton, Saskatchewan", STEWARD))
    assert run2[0].session_id == a
    load_sessions(con, "r2", TODAY, "cupe-events", run2)
    assert [status(con, x) for x in (a, b, c)] == ["active", "cancelled", "removed"]
    changes = con.execute("SELECT kind, field, old_value, new_value FROM session_changes WHERE run_id = 'r2' "
                          "ORDER BY kind, field").fetchall()
    assert changes == [("cancelled", None, None, None),
                       ("changed", "venue", "Yorkton Area Office", "Yorkton Public Library"),
                       ("removed", None, None, None)]
    first, last = con.execute("SELECT first_seen_run, last_seen_run FROM sessions WHERE session_id = ?", [a]).fetchone()
    assert (first, last) == ("r1", "r2")
    # run 3: the same page again changes nothing
    load_sessions(con, "r3", TODAY, "cupe-events", run2)
    assert con.execute("SELECT count(*) FROM session_changes WHERE run_id = 'r3'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM sessions").fetchone()[0] == 3


def test_cancelled_session_listed_again_comes_back(con):
    soon = TODAY + timedelta(days=5)
    run1 = listing((soon, "Regina, Saskatchewan", STEWARD))
    load_sessions(con, "r1", TODAY, "cupe-events", run1)
    load_sessions(con, "r2", TODAY, "cupe-events", [])
    assert status(con, run1[0].session_id) == "cancelled"
    load_sessions(con, "r3", TODAY, "cupe-events", run1)
    assert status(con, run1[0].session_id) == "active"
    kinds = [k for (k,) in con.execute("SELECT kind FROM session_changes ORDER BY run_id").fetchall()]
    assert kinds == ["added", "cancelled", "back"]


def test_upcoming_and_by_region_views(con):
    rows = listing((TODAY + timedelta(days=1), "Regina, Saskatchewan", STEWARD),
                   (TODAY + timedelta(days=2), "ONLINE, Manitoba", BULLYING),
                   (TODAY - timedelta(days=30), "Regina, Saskatchewan", BULLYING))
    load_sessions(con, "r1", TODAY, "cupe-events", rows)
    upcoming = con.execute("SELECT province, online FROM upcoming_sessions").fetchall()
    assert upcoming == [("Saskatchewan", False), ("Manitoba", True)]
    by_region = dict(((p, m), n) for p, m, n in con.execute(
        "SELECT province, month, sessions FROM sessions_by_region").fetchall())
    assert sum(by_region.values()) == 3
    assert by_region[("Manitoba", (TODAY + timedelta(days=2)).strftime("%Y-%m"))] == 1


def test_every_session_table_view_and_column_has_a_comment(con):
    missing = con.execute("""SELECT table_name, column_name FROM duckdb_columns()
        WHERE table_name IN ('sessions', 'session_changes', 'upcoming_sessions', 'sessions_by_region', 'course_titles')
          AND (comment IS NULL OR comment = '')""").fetchall()
    assert missing == []
    n = con.execute("""SELECT count(*) FROM duckdb_columns()
        WHERE table_name IN ('sessions', 'session_changes', 'upcoming_sessions', 'sessions_by_region', 'course_titles')""").fetchone()[0]
    assert n > 50
