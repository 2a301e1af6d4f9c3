"""The history invariants over random sequences of nights (hypothesis state machine).

Each night the page holds some of six courses, each at some of three lengths; the night is
published into a real DuckDB file with warehouse.load.publish. After every night: every course
on the page is active, every other one removed; each current variant has exactly one open
version; versions never overlap (tests/warehouse_checks.py).
"""
from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from grouping import group_listings
from schema.models import LISTINGS
from tests.conftest import empty_warehouse
from tests.warehouse_checks import history_problems
from warehouse.load import RunRecord, SourceLoad, publish

TEXTS = [
    "Learn to read the collective agreement and to find what it says about your job.",
    "Health and safety committees inspect workplaces and report hazards to the employer.",
    "Plan a campaign, speak to members one on one, and build power at work.",
    "Bookkeeping for local treasurers: budgets, audits and reports to the membership.",
    "Human rights at work: the duty to accommodate and how a steward can help.",
    "Pensions are deferred wages: how plans work and what trustees decide.",
]
LENGTHS = {3: "3 hours", 6: "6 hours", 9: "9 hours"}
PAGE = "https://example.org/workshops"

# A night's page: course number -> the lengths it is offered at (absent = not on the page).
pages = st.dictionaries(st.integers(0, len(TEXTS) - 1), st.sets(st.sampled_from(sorted(LENGTHS)), min_size=1),
                        max_size=len(TEXTS))
rewords = st.sets(st.integers(0, len(TEXTS) - 1), max_size=2)


def listings_of(page: dict[int, set[int]], reworded: set[int]) -> list:
    rows = []
    for course in sorted(page):
        text = TEXTS[course] + (" Reworded." if course in reworded else "")
        for hours in sorted(page[course]):
            rows.append({"provider": "CUPE", "source": "cupe-workshops", "source_url": PAGE, "position": len(rows),
                         "title": f"Course {course}", "series": "Steward Learning Series",
                         "duration_text": LENGTHS[hours], "duration_value": float(hours), "duration_value_max": float(hours),
                         "duration_unit": "hour", "duration_hours": float(hours), "duration_hours_max": float(hours),
                         "description": text})
    return LISTINGS.validate_python(rows)


class Nights(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="nights-"))
        self.db = empty_warehouse(self.dir / "c.duckdb")  # the definitions applied, no rows
        self.night = 0
        self.page: dict[int, set[int]] = {}
        self.seen: set[int] = set()

    def teardown(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(page=pages, reworded=rewords)
    def a_night(self, page, reworded):
        self.night += 1
        started = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=self.night)
        run = RunRecord(run_id=f"{started:%Y%m%d}-{self.night}", started_at=started, finished_at=started,
                        mode="fetch", sources=["cupe-workshops"], status="succeeded")
        listings = listings_of(page, reworded)
        load = SourceLoad(source="cupe-workshops", status="loaded", listings=listings,
                          grouping=group_listings(listings) if listings else None,
                          pages=[{"source": "cupe-workshops", "url": PAGE}])
        publish(self.db, run, [load])
        self.page = page
        self.seen |= set(page)

    @invariant()
    def history_holds(self):
        if not self.night:
            return
        con = duckdb.connect(str(self.db), read_only=True)
        try:
            assert history_problems(con) == []
            status = {int(t.split()[1]): s for t, s in con.execute("SELECT title, status FROM courses").fetchall()}
            assert status == {c: ("active" if c in self.page else "removed") for c in self.seen}
            lengths = {int(t.split()[1]): sorted(h) for t, h in con.execute(
                "SELECT c.title, list(v.duration_hours) FROM course_variants v JOIN courses c USING (course_id) "
                "WHERE c.status = 'active' GROUP BY c.title").fetchall()}
            assert lengths == {c: sorted(float(h) for h in hs) for c, hs in self.page.items()}
        finally:
            con.close()


Nights.TestCase.settings = settings(max_examples=6, stateful_step_count=5, deadline=None,
                                    suppress_health_check=[HealthCheck.too_slow])
test_nights_keep_history_whole = Nights.TestCase
