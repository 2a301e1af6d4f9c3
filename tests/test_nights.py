"""Three nights of page edits, through the real refresh (loopback HTTP, Prefect, DuckDB file).

Night 1 is the sample catalogue. Night 2: one course removed, one added, one shortened, one
reworded. Night 3: the removed course is back. Every number an analyst reads as "current" is
checked against counts written here by hand, next to the page edits that cause them; the
history invariants are checked after every night.

Hand counts of samples/archive/cupe-workshops/workshops.html: 84 course blocks. 55 name a
programme, each a course of one length: Steward Learning Series 23, Local Executive Training
12, Bargaining Program 10, Health & Safety Learning Series 10. The 29 without a programme are
23 courses: 19 of one length and 4 of several (2 + 3 + 2 + 3 = 10 blocks). So 78 CUPE
courses. samples/archive/aupe-courses/courses.html: 9 courses, 9 blocks, none in a programme.
"""
from __future__ import annotations

import re

import duckdb
import pytest

from report import build_report
from tests.localserver import LocalServer
from tests.test_flow import AUPE_PATH, CUPE_PATH
from tests.test_history import AUPE, FINANCES, REMOVED, STRUCTURE, V1, html, rows_of, run
from tests.warehouse_checks import history_problems
from warehouse.analyst import search

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]

# Night 2's edits. REMOVED is a 3-hour Steward Learning Series module; STRUCTURE a 9-hour
# Local Executive Training workshop (cut to 6 hours); FINANCES a sentence of the Local
# Executive Training "Financial Essentials" workshop (reworded). The added course is a
# 3-hour Bargaining Program workshop.
ADDED = "Bargaining committee members practise costing a wage proposal line by line."
ADDED_BLOCK = ('\n<div class="field-duration">3 hours</div>\n<div class="field-program">Bargaining Program</div>\n'
               f'<div class="field-body">\n<p>{ADDED}</p>\n</div>\n</div>\n')

# By hand, per night: current CUPE courses per programme ('(none)' for no programme).
NIGHT1 = {"Steward Learning Series": 23, "Local Executive Training": 12, "Bargaining Program": 10,
          "Health & Safety Learning Series": 10, "(none)": 23}
NIGHT2 = {**NIGHT1, "Steward Learning Series": 22, "Bargaining Program": 11}   # -REMOVED, +ADDED
NIGHT3 = {**NIGHT1, "Bargaining Program": 11}                                  # REMOVED back
AUPE_COURSES = 9


def night2_page() -> str:
    head, *rows = rows_of(V1)
    rows = [r for r in rows if REMOVED not in r]
    rows = [r.replace("9 hours", "6 hours") if STRUCTURE in r else r for r in rows]
    rows = [r.replace(FINANCES, "learning the basics of your local’s finances comes first.") for r in rows]
    rows.insert(30, ADDED_BLOCK)
    page = head + "".join('<div class="views-row">' + r for r in rows)
    assert page.count('<div class="views-row">') == 84 and REMOVED not in page
    return page


def night3_page() -> str:
    page = night2_page()
    head, *rows = rows_of(page)
    back = next(r for r in rows_of(V1)[1:] if REMOVED in r)
    rows.insert(5, back)
    return head + "".join('<div class="views-row">' + r for r in rows)


def current_counts(con) -> dict:
    """What the analyst's surfaces say is current, read through each of them."""
    by_prog = {(p, g): n for p, g, n in con.execute(
        "SELECT provider, programme, courses FROM courses_by_programme").fetchall()}
    return {
        "by_programme": by_prog,
        "audience": dict(con.execute("SELECT audience_category, count(*) FROM courses_for_audience "
                                     "WHERE provider = 'CUPE' GROUP BY ALL").fetchall()),
        "topics": {t: (a, c) for t, a, c in con.execute(
            "SELECT topic, aupe_courses, cupe_courses FROM topic_comparison").fetchall()},
        "course_topics": con.execute("SELECT count(DISTINCT course_id) FROM course_topics").fetchone()[0],
        "terms": con.execute("SELECT count(DISTINCT course_id) FROM course_terms").fetchone()[0],
        "facts": con.execute("SELECT count(*) FROM course_facts").fetchone()[0],
        "listings": dict(con.execute("SELECT provider, count(*) FROM listings GROUP BY ALL").fetchall()),
    }


def report_cards(con) -> dict[str, int]:
    page = build_report(con, db_label="c.duckdb")
    return {k: int(v) for k, v in re.findall(r'data-metric="union-courses" data-key="(\w+)">(\d+)<', page)}


def programme_rows(con) -> dict[tuple, int]:
    page = build_report(con, db_label="c.duckdb")
    return {tuple(k.split("|")): int(v) for k, v in re.findall(
        r'data-metric="programme-courses" data-key="([^"]+)">(\d+)<', page.replace("&amp;", "&"))}


@pytest.fixture
def site():
    with LocalServer() as srv:
        srv.routes[CUPE_PATH] = html(V1)
        srv.routes[AUPE_PATH] = html(AUPE)
        yield srv


def test_three_nights_current_means_current(tmp_path, site):
    db = tmp_path / "c.duckdb"

    def connect():
        return duckdb.connect(str(db), read_only=True)

    # Night 1: the sample catalogue.
    run(tmp_path, site)
    con = connect()
    assert history_problems(con) == []
    n1 = current_counts(con)
    assert n1["by_programme"] == {**{("CUPE", p): n for p, n in NIGHT1.items()}, ("AUPE", "(none)"): AUPE_COURSES}
    assert report_cards(con) == {"AUPE": 9, "CUPE": 78}
    assert n1["course_topics"] == n1["terms"] == n1["facts"] == 78 + 9
    assert n1["listings"] == {"CUPE": 84, "AUPE": 9}
    (removed_id,) = con.execute("SELECT course_id FROM courses WHERE description = ?", [REMOVED]).fetchone()
    removed_topics = {t for (t,) in con.execute("SELECT topic FROM course_topics WHERE course_id = ?",
                                                 [removed_id]).fetchall()}
    hits = search(con, "current issues stewards", 3)
    assert hits[0].course_id == removed_id  # its own words find it
    con.close()

    # Night 2: REMOVED gone, ADDED new, STRUCTURE 9 -> 6 hours, FINANCES reworded.
    site.routes[CUPE_PATH] = html(night2_page())
    second = run(tmp_path, site)
    con = connect()
    assert history_problems(con) == []
    n2 = current_counts(con)
    assert n2["by_programme"] == {**{("CUPE", p): n for p, n in NIGHT2.items()}, ("AUPE", "(none)"): AUPE_COURSES}
    assert sum(n for (p, _), n in n2["by_programme"].items() if p == "CUPE") == 78   # 78 - 1 + 1
    assert con.execute("SELECT status, count(*) FROM courses GROUP BY ALL ORDER BY 1").fetchall() == [
        ("active", 87), ("removed", 1)]
    assert report_cards(con) == {"AUPE": 9, "CUPE": 78}
    assert programme_rows(con)[("CUPE", "Steward Learning Series")] == 22
    assert programme_rows(con)[("CUPE", "Bargaining Program")] == 11
    assert n2["course_topics"] == n2["terms"] == n2["facts"] == 78 + 9
    assert n2["listings"] == {"CUPE": 84, "AUPE": 9}
    # The removed course is a Steward Learning Series module: one steward course fewer; the
    # added one is a Bargaining Program workshop for the bargaining committee: one more.
    assert n2["audience"]["stewards"] == n1["audience"]["stewards"] - 1
    assert n2["audience"]["bargaining committee"] == n1["audience"]["bargaining committee"] + 1
    for topic, (aupe, cupe) in n2["topics"].items():
        expected = n1["topics"][topic][1] - (topic in removed_topics) + (topic == "bargaining")
        assert (aupe, cupe) == (n1["topics"][topic][0], expected), topic
    for view in ("course_topics", "course_terms", "course_facts", "courses_for_audience", "multi_length_courses"):
        assert con.execute(f"SELECT count(*) FROM {view} WHERE course_id = ?", [removed_id]).fetchone() == (0,), view
    assert removed_id not in [h.course_id for h in search(con, "current issues stewards", 100)]
    assert sorted(con.execute("SELECT kind, field FROM course_changes WHERE run_id = ?", [second.run_id]).fetchall(),
                  key=str) == sorted([("added", None), ("removed", None), ("changed", "lengths"),
                                      ("changed", "description")], key=str)
    con.close()

    # Night 3: REMOVED back (with its variant), everything else as on night 2.
    site.routes[CUPE_PATH] = html(night3_page())
    third = run(tmp_path, site)
    con = connect()
    assert history_problems(con) == []
    n3 = current_counts(con)
    assert n3["by_programme"] == {**{("CUPE", p): n for p, n in NIGHT3.items()}, ("AUPE", "(none)"): AUPE_COURSES}
    assert con.execute("SELECT status, count(*) FROM courses GROUP BY ALL").fetchall() == [("active", 88)]
    assert report_cards(con) == {"AUPE": 9, "CUPE": 79}
    assert n3["course_topics"] == n3["terms"] == n3["facts"] == 79 + 9
    assert n3["listings"] == {"CUPE": 85, "AUPE": 9}
    assert n3["audience"]["stewards"] == n1["audience"]["stewards"]
    assert search(con, "current issues stewards", 3)[0].course_id == removed_id
    assert con.execute("SELECT kind FROM course_changes WHERE run_id = ?", [third.run_id]).fetchall() == [("added",)]
    # Its one variant (3 hours) is current again: one open version, after a closed one.
    versions = con.execute("SELECT valid_from_run, valid_to_run FROM variant_history WHERE course_id = ? "
                           "ORDER BY valid_from", [removed_id]).fetchall()
    assert [v[1] is None for v in versions] == [False, True] and versions[1][0] == third.run_id
    con.close()
