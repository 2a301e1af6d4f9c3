"""News through the real flow into a real DuckDB file: articles, mentions linked to the
catalogue's course ids, course_news and length_disagreements; and `courses parse` on the seed.
Expected values counted by hand in the seed article and the sample catalogue."""
from __future__ import annotations

import json
import shutil
from datetime import date

import duckdb
import pytest

from flows.refresh import refresh
from tests.conftest import SAMPLES, empty_warehouse
from tests.test_cli import courses
from tests.test_news import SEED_MENTIONS, SEED_NEWS

NEWS_URL = "https://www.aupe.org/news/direct-impact/power-education"


def archive(tmp_path, workplace_power_heading: str):
    root = tmp_path / "archive"
    (root / "aupe-courses").mkdir(parents=True)
    (root / "aupe-news").mkdir()
    page = (SAMPLES / "aupe-courses" / "courses.html").read_text(encoding="utf-8")
    assert "<h2>Workplace Power (2 days)</h2>" in page
    page = page.replace("<h2>Workplace Power (2 days)</h2>", f"<h2>{workplace_power_heading}</h2>")
    (root / "aupe-courses" / "courses.html").write_text(page, encoding="utf-8")
    shutil.copy(SEED_NEWS, root / "aupe-news" / "power-education.txt")
    return root


@pytest.mark.usefixtures("prefect_harness")
def test_mentions_link_to_catalogue_courses_and_follow_the_catalogue(tmp_path):
    db = tmp_path / "c.duckdb"
    empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    # The catalogue says 1 day where the article says two-day: a disagreement to check.
    first = archive(tmp_path / "one", "Workplace Power (1 day)")
    summary = refresh(db_path=str(db), from_archive=str(first), source_names=["aupe-courses", "aupe-news"])
    assert summary.ok, summary.failures
    assert summary.sources["aupe-news"]["articles"] == 1
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql, *p: con.execute(sql, list(p)).fetchall()
    assert q("SELECT article_url, title, author, published FROM news_articles") == [
        (NEWS_URL, "Power in education", "Rae Carlson", date(2024, 1, 29))]
    rows = q("""SELECT c.title, m.paragraph, m.stated_length, m.article_title, m.published
                FROM course_mentions m JOIN courses c USING (course_id) ORDER BY m.paragraph, m.sentence, c.title""")
    expected = sorted(SEED_MENTIONS, key=lambda r: r[1])
    assert sorted((t, p, l) for t, p, l, *_ in rows) == sorted(expected)
    assert {(r[3], r[4]) for r in rows} == {("Power in education", date(2024, 1, 29))}
    news = {r[0]: r[1:] for r in q("SELECT title, first_mention, latest_mention, mentions, articles, stated_lengths FROM course_news")}
    assert news["Workplace Power"] == (date(2024, 1, 29), date(2024, 1, 29), 4, 1, ["2 days"])
    assert news["Picket Captain Training"] == (date(2024, 1, 29), date(2024, 1, 29), 3, 1, [])
    assert len(news) == 8  # every sample course but Labour History
    assert q("SELECT title, catalogue_lengths, stated_length, stated_length_text, stated_hours FROM length_disagreements") == [
        ("Workplace Power", ["1 day"], "2 days", "two-day", 14.0)]
    con.close()

    # The catalogue corrected; the article unchanged: the mentions are found again, the disagreement is gone.
    second = archive(tmp_path / "two", "Workplace Power (2 days)")
    assert refresh(db_path=str(db), from_archive=str(second), source_names=["aupe-courses", "aupe-news"]).ok
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT status FROM source_runs WHERE source = 'aupe-news' ORDER BY run_id").fetchall() == [
        ("loaded",), ("unchanged",)]
    assert con.execute("SELECT count(*) FROM course_mentions").fetchone() == (13,)
    assert con.execute("SELECT count(*) FROM length_disagreements").fetchone() == (0,)
    assert con.execute("""SELECT count(*) FROM course_mentions m JOIN courses c USING (course_id)
                          WHERE c.title = 'Workplace Power' AND c.status = 'active'""").fetchone() == (4,)
    con.close()


def test_parse_command_prints_the_article_and_its_mentions(tmp_path):
    out = courses("parse", str(SEED_NEWS), "--source", "aupe-news", "--db", str(tmp_path / "none.duckdb"))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    art = rows[0]
    assert (art["kind"], art["title"], art["published"], art["author"]) == (
        "article", "Power in education", "2024-01-29", "Rae Carlson")
    mentions = [(r["course_title"], r["paragraph"], r["stated_length"]) for r in rows[1:]]
    assert mentions == SEED_MENTIONS
    assert "sample catalogue" in out.stderr  # no warehouse: the titles came from samples/
