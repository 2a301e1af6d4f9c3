"""Checks of the warehouse's history tables, computed in Python from their raw rows (not from
the SQL of the views they check)."""
from __future__ import annotations

from collections import defaultdict

import duckdb


def history_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every breach of the history invariants, as readable lines (empty when all hold):

    * every variant of an active course has exactly one open version (valid_to_run null);
    * a variant of a removed course, or no longer on the page, has none;
    * every active course has exactly one open course_history version, a removed one none;
    * the versions of one variant (or course) never overlap: ordered by start, each ends
      (valid_to) no later than the next starts, and only the last may be open.
    """
    problems = []
    started = dict(con.execute("SELECT run_id, started_at FROM runs").fetchall())
    status = dict(con.execute("SELECT course_id, status FROM courses").fetchall())
    current_variants = {vid: cid for vid, cid in con.execute("SELECT variant_id, course_id FROM course_variants").fetchall()}
    for table, key in (("variant_history", "variant_id"), ("course_history", "course_id")):
        versions = defaultdict(list)
        for k, cid, frm, to in con.execute(
                f"SELECT {key}, course_id, valid_from_run, valid_to_run FROM {table}").fetchall():
            versions[k].append((started[frm], frm, to, cid))
        if table == "variant_history":
            expected_open = {vid for vid, cid in current_variants.items() if status.get(cid) == "active"}
        else:
            expected_open = {cid for cid, s in status.items() if s == "active"}
        for k in expected_open - set(versions):
            problems.append(f"{table}: {k} is current and has no version at all")
        for k, vs in versions.items():
            vs.sort()
            n_open = sum(1 for v in vs if v[2] is None)
            if k in expected_open and n_open != 1:
                problems.append(f"{table}: {k} is current and has {n_open} open versions")
            if k not in expected_open and n_open:
                problems.append(f"{table}: {k} is not current and has {n_open} open versions")
            for a, b in zip(vs, vs[1:]):
                if a[2] is None:
                    problems.append(f"{table}: {k}: version from {a[1]} is open but another starts at {b[1]}")
                elif started[a[2]] > b[0]:
                    problems.append(f"{table}: {k}: version from {a[1]} ends at {a[2]}, after the next began ({b[1]})")
                if a[2] is not None and a[2] == a[1]:
                    problems.append(f"{table}: {k}: version from {a[1]} ends in the run it began")
    return problems
