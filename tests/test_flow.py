"""The refresh flow end to end: real HTTP on loopback, a real DuckDB file, a real Prefect flow run."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest

from tests.helpers import serve_workshop_pages

from fetch.client import FetchSettings
from flows.refresh import refresh
from tests.conftest import SAMPLES, empty_warehouse
from tests.localserver import LocalServer, Response, local_sources_file

pytestmark = pytest.mark.usefixtures("prefect_harness")
FAST = FetchSettings(per_host_delay=0, backoff_base=0.01, attempts=2, connect_timeout=2, read_timeout=5)
CUPE_PATH = "/mrm-union-education/workshops"
AUPE_PATH = "/training/courses"


def html(path: Path) -> Response:
    return Response(body=path.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})


def sources_file(tmp_path: Path, srv: LocalServer) -> Path:
    return local_sources_file(tmp_path / "sources.toml", {"cupe-workshops": srv.url(CUPE_PATH),
                                                          "aupe-courses": srv.url(AUPE_PATH)})


@pytest.fixture
def site():
    with LocalServer() as srv:
        srv.routes[CUPE_PATH] = html(SAMPLES / "cupe-workshops" / "workshops.html")
        srv.routes[AUPE_PATH] = html(SAMPLES / "aupe-courses" / "courses.html")
        serve_workshop_pages(srv)  # the pages its titles link to
        yield srv


def test_refresh_against_local_server(tmp_path, site):
    db = tmp_path / "c.duckdb"
    summary = refresh(db_path=str(db), sources_file=str(sources_file(tmp_path, site)),
                      archive_dir=str(tmp_path / "archive"), fetch_settings=FAST)
    assert summary.status == "succeeded", summary.failures
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql, *p: con.execute(sql, list(p)).fetchall()  # noqa: E731
    assert q("SELECT source, count(*) FROM listings GROUP BY 1 ORDER BY 1") == [("aupe-courses", 9), ("cupe-workshops", 84)]
    assert q("SELECT provider, count(*) FROM courses GROUP BY 1 ORDER BY 1") == [("AUPE", 9), ("CUPE", 78)]
    assert q("SELECT count(*) FROM course_variants") == [(93,)]
    # the two catalogues, and the three workshop pages the CUPE catalogue's titles link to
    assert q("SELECT status, mode, n_pages, n_listings FROM runs") == [("succeeded", "fetch", 5, 93)]
    # Pages are recorded with the hash of what the server sent, and archived raw.
    cupe_bytes = (SAMPLES / "cupe-workshops" / "workshops.html").read_bytes()
    (url, h, path, status, n) = q("SELECT url, content_hash, archive_path, status_code, n_listings FROM pages WHERE url = ?", site.url(CUPE_PATH))[0]
    assert url == site.url(CUPE_PATH) and status == 200 and n == 84
    assert h == hashlib.sha256(cupe_bytes).hexdigest()
    assert (tmp_path / "archive" / path).exists()
    # What the page holds is what the table holds.
    assert q("SELECT title, series, duration_hours, link FROM listings WHERE title IS NOT NULL AND source='cupe-workshops' "
             "ORDER BY link") == [
        ("Introduction to Stewarding", None, 9.0, "https://cupe.ca/mrm-union-education/workshop/12"),
        ("Financial Essentials", "Local Executive Training", 7.0, "https://cupe.ca/mrm-union-education/workshop/38"),
        ("Financial Officers", "Local Executive Training", 7.0, "https://cupe.ca/mrm-union-education/workshop/39")]
    assert q("SELECT duration_text, availability FROM listings WHERE title LIKE 'Labour History%'") == [("2 days", "Currently not available")]
    assert q("SELECT count(*) FROM multi_length_courses") == [(4,)]
    con.close()

    # Replaying the archive the run wrote gives the same catalogue, without the network.
    site.routes.clear()
    again = refresh(db_path=str(db), sources_file=str(sources_file(tmp_path, site)),
                    from_archive=str(tmp_path / "archive"), fetch_settings=FAST)
    assert again.status == "succeeded", again.failures
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM listings").fetchone() == (93,)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)
    assert con.execute("SELECT count(*) FROM courses").fetchone() == (87,)
    con.close()


def test_a_failing_source_keeps_its_previous_data(tmp_path, site):
    db = tmp_path / "c.duckdb"
    empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
    src = str(sources_file(tmp_path, site))
    assert refresh(db_path=str(db), sources_file=src, archive_dir=str(tmp_path / "a"), fetch_settings=FAST).ok
    site.routes[AUPE_PATH] = Response(status=404, body=b"gone")
    summary = refresh(db_path=str(db), sources_file=src, archive_dir=str(tmp_path / "a"), fetch_settings=FAST)
    assert summary.status == "partial"
    assert summary.failures == [f"aupe-courses: {site.url(AUPE_PATH)}: HTTP 404 Not Found"]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT source, count(*) FROM listings GROUP BY 1 ORDER BY 1").fetchall() == [
        ("aupe-courses", 9), ("cupe-workshops", 84)]
    assert con.execute("SELECT status FROM runs ORDER BY started_at").fetchall() == [("succeeded",), ("partial",)]
    assert con.execute("SELECT s.status, s.message FROM source_runs s JOIN runs USING (run_id) "
                       "WHERE source='aupe-courses' ORDER BY started_at").fetchall()[-1] == (
        "failed", f"aupe-courses: {site.url(AUPE_PATH)}: HTTP 404 Not Found")
    con.close()


def test_replay_of_the_shipped_samples(archive_db, archive_db_template):
    db = archive_db  # the session's refresh(from_archive=samples/archive), which asserts summary.ok
    con = duckdb.connect(str(db), read_only=True)
    # 78 CUPE, 9 AUPE catalogue, 5 Labour School (Union Steward, Organizing for Power, Advanced
    # Occupational Health and Safety, OH&S for Union Activists, Labour and Politics)
    assert con.execute("SELECT count(*) FROM courses").fetchone() == (92,)
    school = "https://aupe.org/training/labour-school#"
    assert con.execute("SELECT DISTINCT source_url FROM listings ORDER BY 1").fetchall() == [
        ("https://aupe.org/training/courses",), (school + "2020.html",), (school + "2023.html",),
        (school + "2025.html",), (school + "course-descriptions-and-prerequisites.html",),
        ("https://cupe.ca/mrm-union-education/workshops",)]  # its canonical link (one of the four files)
    assert con.execute("SELECT article_url, title FROM news_articles").fetchall() == [
        ("https://www.aupe.org/news/direct-impact/power-education", "Power in education")]
    con.close()
    # The sources' load tables were spooled beside the warehouse (warehouse.package) and are gone.
    assert sorted(p.name for p in archive_db_template.parent.iterdir()) == ["c.duckdb", "c.duckdb.lock"]


def test_a_run_allocates_arrow_buffers_from_malloc(archive_db):
    """After a run (the session's), Arrow allocates from malloc, not pyarrow's mimalloc, whose
    kept pages of freed buffers cost ~60 MB of peak at 100,000 listings (flows/memory.py)."""
    import pyarrow as pa

    assert pa.default_memory_pool().backend_name == "system"


@pytest.mark.parametrize("entry", ["cli", "flows", "bench", None])
def test_the_kernels_allocate_from_malloc_in_a_process_started_from_an_entry_package(entry):
    """A process started from the CLI, the flows or the bench chooses Arrow's system pool before
    pyarrow is imported, so that the C++ kernels' working memory (here a group_by's hash table and
    a sort) is malloc's too, not mimalloc's: mimalloc allocates nothing. Without it (``None``:
    pyarrow imported first) mimalloc does, even after set_memory_pool."""
    import subprocess
    import sys

    code = (f"import {entry}\n" if entry else "") + (
        "import pyarrow as pa, pyarrow.compute as pc\n"
        "pa.set_memory_pool(pa.system_memory_pool())\n"
        "t = pa.table({'k': pa.array(range(300_000))})\n"
        "t.group_by('k').aggregate([('k', 'count')]); pc.sort_indices(t.column('k'))\n"
        "print(pa.mimalloc_memory_pool().max_memory())\n")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True, check=True)
    mimalloc_bytes = int(out.stdout.split()[-1])
    assert (mimalloc_bytes == 0) if entry else (mimalloc_bytes > 1_000_000)


def test_one_retry_policy_the_fetchers():
    """Prefect does not repeat the fetcher's attempts: a 429 with a long Retry-After is waited out once."""
    from flows.refresh import fetch_source

    assert fetch_source.retries == 0 and fetch_source.retry_condition_fn is None
