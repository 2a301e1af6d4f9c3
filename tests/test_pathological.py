"""Pathological pages: each is parsed or refused with one error line, never a hang.

200 pages drawn by ``bench.pathological.pages`` (deep nesting of every kind, huge and
unterminated attributes, thousands of attributes on a tag, NULs, unclosed tags and
comments, lone '<'), some spliced into an ordinary catalogue page. Time is only guarded
generously here (a hang, not a speed target); ``python -m bench.pathological`` prints the
parse time per MB.
"""
from __future__ import annotations

import time

import pytest

from bench.pathological import KINDS, pages, parse_both
from parsers.lines import MAX_DEPTH, nesting_depth
from tests.clirun import run_courses

GUARD_S_PER_MB = 20.0  # generous: the bench measures well under 1 s per MB of ordinary density


@pytest.fixture(scope="module")
def drawn():
    return pages(200, seed=12, max_bytes=20_000)


def test_200_pathological_pages_parse_or_fail_with_one_line(drawn):
    assert len(drawn) == 200 and {k for k, _ in drawn} == set(KINDS)
    refused = 0
    for kind, page in drawn:
        t0 = time.process_time()
        found, error = parse_both(page)
        spent = time.process_time() - t0
        mb = max(len(page) / 1e6, 0.05)
        assert spent < 1.0 + GUARD_S_PER_MB * mb, (kind, len(page), spent)
        if error is not None:
            refused += 1
            assert "\n" not in error and error.startswith("https://example.org/page: "), (kind, error)
    # The deep kinds are refused; the flat ones parse.
    assert 0 < refused < 200


def test_depth_is_read_without_building_a_tree():
    assert nesting_depth("<div><p>x" * 1000) == 1000
    assert nesting_depth("<div><p>x</p></div>" * 1000) <= 2  # shallow pages: a cheap upper bound
    assert nesting_depth("<p>" * 5000 + "<li>" * 5000 + "<br>" * 5000) == 0
    assert nesting_depth('<svg><path d="M 0 0"/>' * 1000) == 1000  # <svg> left open each time
    assert nesting_depth("<path d=1/>" * 5000) == 0
    assert nesting_depth("</div>" * 600 + "<div>" * 600) == 600  # stray end tags hide nothing


def test_a_page_just_under_the_cap_parses():
    page = "<html><body>" + "<div>" * (MAX_DEPTH - 10) + "<p>3 hours</p><p>Learn.</p>" + "</div>" * (MAX_DEPTH - 10)
    found, error = parse_both(page)
    assert error is None and found == 1


@pytest.mark.parametrize("kind", ["unclosed <div><p>", "many attributes"])
def test_cli_refuses_with_one_error_line(tmp_path, kind):
    import random

    f = tmp_path / "page.html"
    f.write_text(KINDS[kind](400_000, random.Random(0)), encoding="utf-8")
    proc = run_courses("parse", str(f), "--source", "cupe-workshops")  # in this process (tests/clirun.py)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "refused as malformed" in lines[0], proc.stderr
