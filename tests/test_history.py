"""The nightly refresh over time: incremental fetch, history, course_changes, idempotence, reparse."""
from __future__ import annotations

import duckdb
import pytest

from flows.progress import set_reporter
from flows.refresh import refresh
from flows.schedule import nightly_deployment
from tests.conftest import SAMPLES, empty_warehouse
from tests.helpers import without_workshop_links
from tests.localserver import LocalServer, Response
from tests.test_flow import AUPE_PATH, CUPE_PATH, FAST, sources_file

pytestmark = pytest.mark.usefixtures("prefect_harness")

# The catalogue alone: its links to workshop pages (tests/test_workshop_pages_refresh.py) taken out.
V1 = without_workshop_links((SAMPLES / "cupe-workshops" / "workshops.html").read_text(encoding="utf-8"))
AUPE = (SAMPLES / "aupe-courses" / "courses.html").read_bytes()
REMOVED = "This module is an opportunity for stewards to learn more about current issues."
STRUCTURE = "Learn about CUPE structure and about the values and principles of the labour movement."
FINANCES = "learning about the basics of the local union’s finances is a priority."
ADDED = "Stewards practise explaining the collective agreement to new members in plain words."


def rows_of(page: str) -> list[str]:
    head, *rows = page.split('<div class="views-row">')
    return [head, *rows]


def make_v2() -> str:
    parts = rows_of(V1)
    head, rows = parts[0], parts[1:]
    rows = [r for r in rows if REMOVED not in r]                                   # a course removed
    rows = [r.replace("9 hours", "6 hours") if STRUCTURE in r else r for r in rows]  # a length changed
    rows = [r.replace(FINANCES, "learning the basics of your local’s finances comes first.") for r in rows]  # reworded
    new = ('\n<div class="field-duration">3 hours</div>\n<div class="field-program">Steward Learning Series</div>\n'
           f'<div class="field-body">\n<p>{ADDED}</p>\n</div>\n</div>\n')
    rows.insert(60, new)                                                            # a course added
    page = head + "".join('<div class="views-row">' + r for r in rows)
    assert page.count(REMOVED) == 0 and page.count(ADDED) == 1
    return page


def html(body: str | bytes, etag: str | None = None) -> Response:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    if etag:
        headers["ETag"] = etag
    return Response(body=body.encode() if isinstance(body, str) else body, headers=headers)


def conditional(body: str | bytes, etag: str):
    def route(req):
        if req.headers.get("if-none-match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return html(body, etag)
    return route


def snapshot(db) -> dict:
    """Every table but the run records, sorted, as plain values."""
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall():
        if table in ("runs", "pages", "source_runs"):
            continue
        out[table] = sorted(map(repr, con.execute(f"SELECT * FROM {table}").fetchall()))
    con.close()
    return out


@pytest.fixture
def site():
    with LocalServer() as srv:
        srv.routes[CUPE_PATH] = html(V1)
        srv.routes[AUPE_PATH] = html(AUPE)
        yield srv


def run(tmp_path, srv, **kw):
    db = tmp_path / "c.duckdb"
    if not db.exists():
        empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    summary = refresh(db_path=str(db), sources_file=str(sources_file(tmp_path, srv)),
                      archive_dir=str(tmp_path / "archive"), fetch_settings=FAST, **kw)
    assert summary.status == "succeeded", summary.failures
    return summary


def test_changes_between_runs_history_and_a_quiet_third_run(tmp_path, site):
    db = tmp_path / "c.duckdb"
    first = run(tmp_path, site)
    assert {c["kind"] for c in first.changes} == {"added"} and len(first.changes) == 87
    con = duckdb.connect(str(db), read_only=True)
    ids_before = dict(con.execute("SELECT description, course_id FROM courses").fetchall())
    con.close()

    site.routes[CUPE_PATH] = html(make_v2())
    second = run(tmp_path, site)
    assert second.sources["aupe-courses"]["status"] == "unchanged"
    con = duckdb.connect(str(db), read_only=True)
    changes = con.execute("SELECT c.kind, c.field, c.old_value, c.new_value, k.description FROM course_changes c "
                          "JOIN courses k USING (course_id) WHERE run_id = ? ORDER BY kind, field",
                          [second.run_id]).fetchall()
    assert [(k, f) for k, f, *_ in changes] == [("added", None), ("changed", "description"), ("changed", "lengths"), ("removed", None)]
    added, described, lengths, removed = changes
    assert added[4] == ADDED
    assert FINANCES in described[2] and "comes first" in described[3]
    assert lengths[2:4] == ("9 hours", "6 hours") and lengths[4].startswith(STRUCTURE)
    assert removed[4] == REMOVED

    # History: the removed course is still there, marked with the run that noticed; ids did not move.
    assert con.execute("SELECT status, removed_run FROM courses WHERE description = ?", [REMOVED]).fetchall() == [
        ("removed", second.run_id)]
    ids_after = dict(con.execute("SELECT description, course_id FROM courses").fetchall())
    assert all(ids_after[d] == cid for d, cid in ids_before.items() if d in ids_after)
    assert ids_after[REMOVED] == ids_before[REMOVED]
    versions = con.execute("SELECT h.valid_from_run, h.valid_to_run, h.lengths FROM course_history h JOIN courses c USING (course_id) "
                           "WHERE c.description LIKE ? ORDER BY h.valid_from", [STRUCTURE + "%"]).fetchall()
    assert versions == [(first.run_id, second.run_id, ["9 hours"]), (second.run_id, None, ["6 hours"])]
    life = con.execute("SELECT l.first_seen_run, l.last_seen_run, l.removed_run FROM course_lifecycle l JOIN courses c USING (course_id) "
                       "WHERE c.description = ?", [REMOVED]).fetchone()
    assert life == (first.run_id, first.run_id, second.run_id)
    # last_run_changes shows only the latest run's changes.
    rows = con.execute("SELECT run_id, kind, field, description_start FROM last_run_changes").fetchall()
    assert {r[0] for r in rows} == {second.run_id}
    assert sorted((r[1], r[2]) for r in rows) == [("added", None), ("changed", "description"), ("changed", "lengths"), ("removed", None)]
    assert [r[3] for r in rows if r[1] == "removed"] == [REMOVED[:80]]
    con.close()

    before = snapshot(db)
    third = run(tmp_path, site)
    assert third.changes == []
    assert {s["status"] for s in third.sources.values()} == {"unchanged"}
    assert snapshot(db) == before

    # Forced: parsed and loaded again, and still every table as it was.
    forced = run(tmp_path, site, force=True)
    assert {s["status"] for s in forced.sources.values()} == {"loaded"} and forced.changes == []
    assert snapshot(db) == before

    # The removed course comes back: active again, and 'added' in that run.
    site.routes[CUPE_PATH] = html(V1)
    back = run(tmp_path, site)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT status, removed_run FROM courses WHERE description = ?", [REMOVED]).fetchall() == [("active", None)]
    kinds = con.execute("SELECT c.kind FROM course_changes c JOIN courses k USING (course_id) WHERE run_id = ? AND k.description = ?",
                        [back.run_id, REMOVED]).fetchall()
    assert kinds == [("added",)]
    con.close()


def test_a_304_to_every_page_parses_and_loads_nothing(tmp_path, site):
    site.routes[CUPE_PATH] = conditional(V1, '"c1"')
    site.routes[AUPE_PATH] = conditional(AUPE, '"a1"')
    run(tmp_path, site)
    before = snapshot(tmp_path / "c.duckdb")
    events = []
    set_reporter(lambda stage, source, n: events.append(stage))
    try:
        second = run(tmp_path, site)
    finally:
        set_reporter(None)
    assert events.count("fetch") == 2 and "parse" not in events
    assert {s["status"] for s in second.sources.values()} == {"unchanged"}
    assert site.requests[-1].headers.get("if-none-match") in ('"c1"', '"a1"')
    con = duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True)
    assert con.execute("SELECT status_code, unchanged, n_listings FROM pages WHERE run_id = ?", [second.run_id]).fetchall() == [
        (304, True, None), (304, True, None)]
    con.close()
    assert snapshot(tmp_path / "c.duckdb") == before


def test_reparse_rebuilds_from_the_archive_without_fetching(tmp_path, site):
    run(tmp_path, site)
    hits = len(site.hits)
    site.routes.clear()
    again = run(tmp_path, site, reparse=True)
    assert len(site.hits) == hits  # nothing fetched
    assert {s["status"] for s in again.sources.values()} == {"loaded"}
    con = duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True)
    assert con.execute("SELECT mode FROM runs WHERE run_id = ?", [again.run_id]).fetchone() == ("reparse",)
    assert con.execute("SELECT count(*) FROM listings").fetchone() == (93,)
    con.close()


def test_nightly_deployment_schedule_and_parameters():
    d = nightly_deployment(db_path="/data/courses.duckdb")
    (schedule,) = d.schedules
    assert schedule.schedule.cron == "0 3 * * *"
    assert schedule.schedule.timezone == "America/Edmonton"
    assert d.parameters == {"db_path": "/data/courses.duckdb", "archive_dir": "archive"}
    other = nightly_deployment(cron="30 1 * * 1-5", timezone="UTC", sources_file="/etc/s.toml")
    assert other.schedules[0].schedule.cron == "30 1 * * 1-5" and other.schedules[0].schedule.timezone == "UTC"
    assert other.parameters["sources_file"] == "/etc/s.toml"
