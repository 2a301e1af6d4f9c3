"""`courses report`: the catalogue on one self-contained HTML page.

    from report import build_report
    html = build_report(duckdb.connect("courses.duckdb", read_only=True))

No external assets: inline CSS, an inline SVG chart, every text HTML-escaped. Every number
the page shows about the catalogue carries ``data-metric`` and ``data-key`` attributes, so a
test (or a scraper) can read them back and compare them with the database.
"""
from report.html import build_report, gather

__all__ = ["build_report", "gather"]
