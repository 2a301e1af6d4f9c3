"""The analyst's layer on a warehouse built from samples/: topics table, views, comments,
data dictionary, search, export and the CLI commands."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from cli import analyst as analyst_cli
from tests.conftest import copy_sample_db
from tools.data_dictionary import DICTIONARY, sample_loads
from topics import TOPICS
from warehouse.analyst import (AUDIENCE_CATEGORIES, AUDIENCE_RULES, data_dictionary, ensure_analyst_schema,
                               missing_comments, query_terms, relations, search, topic_rows)

MY_OBJECTS = ["course_topics", "topic_taxonomy", "courses_by_programme", "courses_for_audience",
              "topic_comparison", "course_terms"]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory, sample_db_template) -> Path:
    return copy_sample_db(sample_db_template, tmp_path_factory.mktemp("analyst") / "sample.duckdb")


@pytest.fixture
def con(sample_db):
    c = duckdb.connect(str(sample_db), read_only=True)
    yield c
    c.close()


@pytest.fixture
def writable(sample_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db, path)
    c = duckdb.connect(str(path))
    yield c
    c.close()


def test_schema_is_idempotent_and_keeps_rows(writable):
    before = writable.execute("SELECT count(*) FROM course_topics").fetchone()
    ensure_analyst_schema(writable)
    ensure_analyst_schema(writable)
    assert writable.execute("SELECT count(*) FROM course_topics").fetchone() == before
    names = {n for n, _, _ in relations(writable)}
    assert set(MY_OBJECTS) <= names


def test_every_course_has_a_topic_and_rows_match_topic_rows(con):
    assert con.execute("SELECT count(*) FROM courses WHERE course_id NOT IN (SELECT course_id FROM course_topics)"
                       ).fetchone() == (0,)
    courses = [c for load in sample_loads() for c in load.grouping.courses]
    expected = sorted((r["course_id"], r["topic"], r["rule"]) for r in topic_rows(courses))
    assert sorted(con.execute("SELECT course_id, topic, rule FROM course_topics").fetchall()) == expected
    assert {t for (t,) in con.execute("SELECT DISTINCT topic FROM course_topics").fetchall()} <= set(TOPICS)


def test_courses_by_programme_counts_the_courses(con):
    rows = con.execute("SELECT provider, programme, courses, multi_length_courses FROM courses_by_programme").fetchall()
    direct = con.execute("""SELECT provider, coalesce(series, '(none)'), count(*), count(*) FILTER (WHERE len(lengths) > 1)
                            FROM courses GROUP BY ALL""").fetchall()
    assert sorted(rows) == sorted(direct)
    assert ("CUPE", "Steward Learning Series", 23, 0) in rows
    assert sum(r[2] for r in rows) == con.execute("SELECT count(*) FROM courses").fetchone()[0]


def test_courses_for_audience(con):
    rows = con.execute("SELECT audience_category, rule, provider, series, title, audience FROM courses_for_audience"
                       ).fetchall()
    assert {r[0] for r in rows} == set(AUDIENCE_CATEGORIES)
    assert {r[1] for r in rows} <= {name for _, name, _ in AUDIENCE_RULES}
    by_cat = Counter(r[0] for r in rows)
    assert by_cat["stewards"] >= 23 and by_cat["health and safety"] >= 10 and by_cat["local executive"] >= 12
    # AUPE's steward course is placed by its audience note, CUPE's H&S series by its programme
    assert ("stewards", "audience:steward", "AUPE", None, "Foundations for Union Stewards",
            "New and prospective stewards.") in rows
    assert all(r[1] == "programme:health-and-safety" for r in rows
               if r[0] == "health and safety" and r[3] == "Health & Safety Learning Series")
    # picket captains and strike committee are bargaining committee work
    assert any(r[0] == "bargaining committee" and r[4] == "Picket Captain Training" for r in rows)
    # one row per (course, category)
    pairs = con.execute("SELECT course_id, audience_category FROM courses_for_audience").fetchall()
    assert len(pairs) == len(set(pairs))


def test_topic_comparison_matches_course_topics(con):
    rows = con.execute("SELECT topic, aupe_courses, cupe_courses, aupe_titles, cupe_titles FROM topic_comparison"
                       ).fetchall()
    assert [r[0] for r in rows] == list(TOPICS)
    counts = Counter(con.execute("SELECT t.topic, c.provider FROM course_topics t JOIN courses c USING (course_id)"
                                 ).fetchall())
    for topic, aupe, cupe, aupe_titles, cupe_titles in rows:
        assert (aupe, cupe) == (counts[(topic, "AUPE")], counts[(topic, "CUPE")])
        assert len(aupe_titles) == aupe and len(cupe_titles) == cupe
    hs = dict((r[0], r) for r in rows)["health and safety"]
    assert "Introduction to Occupational Health and Safety" in hs[3]


def test_my_tables_views_and_columns_carry_comments(con):
    missing = [m for m in missing_comments(con) if m.split()[1].split(".")[0] in MY_OBJECTS]
    assert missing == []


def test_every_table_view_and_column_has_a_comment(con):
    missing = missing_comments(con)
    assert not missing, ("without a COMMENT ON (add one in warehouse/ddl.py or warehouse/analyst.py): "
                         + ", ".join(missing))


def test_committed_data_dictionary_is_current(con):
    generated = data_dictionary(con)
    committed = DICTIONARY.read_text(encoding="utf-8") if DICTIONARY.exists() else ""
    assert committed == generated, (
        "docs/data-dictionary.md differs from what the database says now; regenerate it with "
        "`.venv/bin/python tools/data_dictionary.py` and commit it")


def test_data_dictionary_lists_every_relation_and_column(con):
    text = data_dictionary(con)
    for name, _, comment in relations(con):
        assert f"### {name}\n" in text
    assert "| `rule` | `VARCHAR` | The rule that assigned the topic" in text


def test_search_ranks_by_bm25_and_stems(con):
    assert query_terms(con, "Stewards handling the grievances") == ["grievanc", "handl", "steward"]
    assert query_terms(con, "the and of") == []
    hits = search(con, "grievance arbitration", limit=5)
    assert len(hits) == 5
    assert all(h.matched for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    top2 = {h.description_start[:30] for h in hits[:2]}
    assert top2 == {"The union wins most grievances", "Although most grievances get s"}
    assert set(hits[0].matched) == {"arbitration", "grievanc"}
    # titles count: AUPE's courses have them
    (first,) = search(con, "picket captain", limit=1)
    assert first.title == "Picket Captain Training" and first.lengths == ["1 day"]
    assert search(con, "zzzzqqq", limit=5) == []


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
def test_export_writes_every_table_and_view(sample_db, tmp_path, fmt):
    before = sample_db.read_bytes()
    c = duckdb.connect(str(sample_db), read_only=True)
    try:
        from warehouse.analyst import export
        written = export(c, tmp_path / "out", fmt)
        names = {n for n, _, _ in relations(c)}
        counts = {n: c.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        c.close()
    assert {n for n, _, _ in written} == names
    reader = {"parquet": "read_parquet", "csv": "read_csv_auto", "json": "read_json_auto"}[fmt]
    mem = duckdb.connect()
    for name, path, n in written:
        assert path == tmp_path / "out" / f"{name}.{fmt}" and path.exists()
        assert n == counts[name]
        if n:
            assert mem.execute(f"SELECT count(*) FROM {reader}('{path}')").fetchone() == (n,), name
    if fmt == "json":
        assert isinstance(json.loads((tmp_path / "out" / "topic_taxonomy.json").read_text()), list)
    assert sample_db.read_bytes() == before


# --- the CLI commands, registered on a fresh app ---------------------------------------


@pytest.fixture(scope="module")
def app():
    a = typer.Typer()
    analyst_cli.register(a)
    return a


def run(app, *args):
    result = CliRunner().invoke(app, list(args))
    return result


def test_cli_search_shows_lengths(app, sample_db):
    r = run(app, "search", "grievance", "arbitration", "--limit", "3", "--db", str(sample_db))
    assert r.exit_code == 0, r.output
    assert "3 hours" in r.output and "Steward Learning Series" in r.output and "arbitration" in r.output
    r = run(app, "search", "pension", "--db", str(sample_db))
    assert r.exit_code == 0 and "9 hours, 1 week" in r.output


def test_cli_commands_write_files(app, sample_db, tmp_path):
    r = run(app, "export", str(tmp_path / "csv"), "--format", "csv", "--db", str(sample_db))
    assert r.exit_code == 0, r.output
    assert "topic_comparison: 7 rows" in r.output
    r = run(app, "report", str(tmp_path / "r.html"), "--db", str(sample_db))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    r = run(app, "dictionary", "--db", str(sample_db), "--out", str(tmp_path / "dd.md"))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "dd.md").read_text().startswith("# Data dictionary")


def test_cli_errors_are_one_line(app, sample_db, tmp_path):
    missing = tmp_path / "missing.duckdb"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    cases = [
        (["search", "steward", "--db", str(missing)], "does not exist"),
        (["search", "the", "--db", str(sample_db)], "nothing to search for"),
        (["export", str(tmp_path / "o"), "--format", "xml", "--db", str(sample_db)], "--format must be"),
        (["export", str(a_file), "--db", str(sample_db)], "is not a folder"),
        (["report", str(tmp_path / "nodir" / "r.html"), "--db", str(sample_db)], "cannot write"),
        (["report", str(tmp_path / "r.html"), "--db", str(missing)], "does not exist"),
        (["dictionary", "--db", str(missing)], "does not exist"),
    ]
    for args, expected in cases:
        r = run(app, *args)
        assert r.exit_code == 1, (args, r.output)
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], (args, r.output)


def test_every_command_docstring_has_an_example():
    for fn in (analyst_cli.search, analyst_cli.export, analyst_cli.report, analyst_cli.dictionary):
        assert "Example: courses " in fn.__doc__


def test_the_duckdb_shell_opens_a_file_the_pipeline_wrote(tmp_path, sample_db_template):
    """The duckdb-cli package pinned beside duckdb reads the warehouse (same storage version)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    shell = Path(sys.executable).with_name("duckdb")
    shell = shell if shell.exists() else shutil.which("duckdb")
    assert shell, "the duckdb shell (duckdb-cli) is not installed beside the Python package"
    db = copy_sample_db(sample_db_template, tmp_path / "shell.duckdb")  # tools.data_dictionary.build_sample_db
    out = subprocess.run([str(shell), "-readonly", "-csv", str(db), "-c",
                          "SELECT provider, count(*) FROM courses GROUP BY 1 ORDER BY 1"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["provider,count_star()", "AUPE,9", "CUPE,78"]
