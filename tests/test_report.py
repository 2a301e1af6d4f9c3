"""`courses report`: one self-contained HTML page whose numbers are the database's.

The last test renders the page in headless Chromium (Debian's package; installed here when
missing and we are root with apt-get), checks the screenshot is not blank and reads the
numbers back from the DOM Chromium built.
"""
from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from report import build_report
from tests.conftest import copy_sample_db
from topics import TOPICS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory, sample_db_template) -> Path:
    return copy_sample_db(sample_db_template, tmp_path_factory.mktemp("report") / "sample.duckdb")


class _Metrics(HTMLParser):
    """Collects {(data-metric, data-key): number} and the page's visible text."""

    def __init__(self):
        super().__init__()
        self.metrics: dict[tuple[str, str], int] = {}
        self.text: list[str] = []
        self.external: list[str] = []
        self._open: list[tuple[str, str] | None] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for attr in ("src", "href"):
            if a.get(attr) and not a[attr].startswith("#"):
                self.external.append(a[attr])
        if tag in ("link", "script", "img", "iframe"):
            self.external.append(tag)
        self._open.append((a["data-metric"], a["data-key"]) if "data-metric" in a else None)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        self.text.append(data)
        if self._open and self._open[-1] is not None and data.strip():
            key = self._open[-1]
            assert key not in self.metrics, f"metric {key} shown twice"
            self.metrics[key] = int(data.strip())


def metrics_of(html: str) -> _Metrics:
    p = _Metrics()
    p.feed(html)
    p.close()
    return p


def expected_metrics(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """The numbers the page must show, straight from the database."""
    m: dict[tuple[str, str], int] = {}
    for provider, n in con.execute("SELECT provider, count(*) FROM courses GROUP BY ALL").fetchall():
        m[("union-courses", provider)] = n
    for provider, programme, n, multi in con.execute(
            "SELECT provider, programme, courses, multi_length_courses FROM courses_by_programme").fetchall():
        m[("programme-courses", f"{provider}|{programme}")] = n
        m[("programme-multi-length", f"{provider}|{programme}")] = multi
    providers = [p for (p,) in con.execute("SELECT DISTINCT provider FROM courses ORDER BY 1").fetchall()]
    counts = Counter(con.execute("SELECT t.topic, c.provider FROM course_topics t JOIN courses c USING (course_id)"
                                 ).fetchall())
    for topic in TOPICS:
        for p in providers:
            m[("topic-courses", f"{p}|{topic}")] = counts[(topic, p)]
    for hours, provider, n in con.execute(
            """SELECT v.duration_hours, c.provider, count(DISTINCT v.course_id) FROM course_variants v
               JOIN courses c USING (course_id) GROUP BY ALL""").fetchall():
        label = "unknown" if hours is None else f"{hours:g}"
        m[("length-courses", f"{provider}|{label}")] = n
    m[("multi-length-courses", "all")] = con.execute("SELECT count(*) FROM multi_length_courses").fetchone()[0]
    has_changes = con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'course_changes'").fetchone()[0]
    if has_changes:
        for kind, n in con.execute("""SELECT kind, count(*) FROM course_changes WHERE run_id =
                                      (SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1)
                                      GROUP BY ALL""").fetchall():
            m[("change-kind", kind)] = n
    return m


@pytest.fixture(scope="module")
def report(sample_db) -> tuple[str, dict]:
    """The report of the sample warehouse, and the numbers the database itself gives."""
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        return build_report(con, "sample.duckdb"), expected_metrics(con)
    finally:
        con.close()


def test_report_numbers_are_the_databases(report):
    html, expected = report
    page = metrics_of(html)
    assert page.metrics == expected
    assert page.metrics[("union-courses", "CUPE")] == 78 and page.metrics[("union-courses", "AUPE")] == 9
    assert page.metrics[("length-courses", "CUPE|3")] > 0
    assert page.external == [], "the page must not load anything"
    assert "<svg" in html and "<style>" in html


def test_report_escapes_text_and_says_when_there_is_no_history(sample_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_db, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("""UPDATE courses SET title = '<script>alert(1)</script> & "Q"', series = 'A<B',
                       lengths = ['<i>9</i> hours', '1 week'] WHERE len(lengths) > 1""")
        con.execute("DROP VIEW IF EXISTS course_changes")
        html = build_report(con, "<db>")
    finally:
        con.close()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Q&quot;" in html
    assert "<script" not in html and "<i>" not in html and "<db>" not in html
    assert "A&lt;B" in html and "&lt;i&gt;9&lt;/i&gt; hours" in html
    assert "no change history yet" in html


# --- in a real browser ------------------------------------------------------------------


def _chromium() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip(f"{CHROMIUM} missing and cannot install it (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        if done.returncode != 0:
            pytest.skip(f"could not install chromium: {' '.join(cmd)}: {done.stderr.strip()[-300:]}")
    if not os.path.exists(CHROMIUM):
        pytest.skip("apt-get installed chromium but /usr/bin/chromium is missing")
    return CHROMIUM


def png_content_rows(data: bytes) -> tuple[int, int, int]:
    """(width, height, rows that are not one flat colour) of an 8-bit RGB/RGBA PNG.

    Without unfiltering: a flat row filters to one repeated byte (None: the colour; Sub, Up,
    Average, Paeth: zeros after the first pixel), so a row with more than a handful of
    distinct filtered bytes has something drawn on it."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + width * bpp
    assert len(raw) == stride * height
    busy = sum(1 for y in range(height) if len(set(raw[y * stride + 1 + bpp:(y + 1) * stride])) > 4)
    return width, height, busy


def test_report_renders_in_chromium(report, tmp_path):
    chromium = _chromium()
    html, expected = report
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    flags = CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]
    done = subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert shot.exists(), done.stderr[-500:]
    width, height, busy = png_content_rows(shot.read_bytes())
    assert (width, height) == (1200, 2000)
    assert busy > 300, f"only {busy} rows of the screenshot have anything drawn on them"
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-500:]
    assert re.search(r"<svg[^>]*>", dom.stdout), "no chart in the DOM"
    assert metrics_of(dom.stdout).metrics == expected
