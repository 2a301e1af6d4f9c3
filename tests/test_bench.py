"""The benchmark keeps working: its generator, its BeautifulSoup baseline, its table.

No test here asserts a time: timings belong in bench/RESULTS.md, not in CI.
"""
from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from urllib.parse import urljoin

import pytest

from parsers.lines import next_page_urls

from bench import bs4_baseline
from bench.__main__ import STAGE_NAMES
from bench.generate import catalogue
from parsers import aupe_courses, cupe_workshops
from tests.conftest import AUPE_URL, CUPE_URL

PARSERS = {"cupe-workshops": cupe_workshops.parse, "aupe-courses": aupe_courses.parse}


@pytest.mark.parametrize("fixture, ours, theirs, url", [
    ("cupe_html", cupe_workshops.parse, bs4_baseline.parse_cupe, CUPE_URL),
    ("aupe_html", aupe_courses.parse, bs4_baseline.parse_aupe, AUPE_URL),
])
def test_beautifulsoup_baseline_reads_the_samples_as_our_parsers_do(request, fixture, ours, theirs, url):
    page = request.getfixturevalue(fixture)
    a, b = ours(page, url), theirs(page, url)
    assert a.listings and a.listings == b.listings
    assert a.errors == b.errors


def test_generated_catalogue_is_seeded_and_read_whole_by_both():
    pages = catalogue(1000)
    assert [p.html for p in pages] == [p.html for p in catalogue(1000)]
    assert [p.html for p in pages] != [p.html for p in catalogue(1000, seed=8)]
    assert sum(p.n_listings for p in pages) == 1000
    assert sum(p.n_listings for p in pages if p.source == "cupe-workshops") == 900
    for page in pages:
        ours = PARSERS[page.source](page.html, page.url)
        assert len(ours.listings) == page.n_listings and not ours.errors
        assert ours.listings == bs4_baseline.PARSERS[page.source](page.html, page.url).listings
    # Pages link to the next one, as the sites' pagers do.
    paged = catalogue(2500, per_page=1000)
    cupe = [p for p in paged if p.source == "cupe-workshops"]
    assert len(cupe) == 3
    assert [urljoin(cupe[0].url, u) for u in next_page_urls(cupe[0].html)] == [cupe[1].url]


def test_generated_catalogue_has_length_variants():
    from grouping import group_listings
    from normalise.listing import normalise

    page = next(p for p in catalogue(1000) if p.source == "cupe-workshops")
    raws = cupe_workshops.parse(page.html, page.url).listings
    grouping = group_listings(normalise(raws, provider="CUPE", source="cupe-workshops",
                                        prefixes=cupe_workshops.PROGRAMME_PREFIXES))
    in_multi = sum(c.n_listings for c in grouping.courses if c.n_variants > 1)
    assert 0.05 * len(raws) <= in_multi <= 0.2 * len(raws)  # about one listing in ten


def test_quick_benchmark_prints_every_stage(capsys):
    # 20 listings: every stage and baseline still runs. `python -m bench` runs each in a process
    # of its own (bench.__main__.run_job); here the first job does, the others run bench.stages'
    # same entry point in this process (a process each cost ~10 s of CPU for the eight, most of
    # it imports). A job that breaks raises here, where the bench would print ERROR.
    import bench.__main__ as bench_main
    from bench import stages

    apart: list[tuple[str, str]] = []

    def run_job(stage: str, what: str, size: int, repeat: int) -> dict:
        if not apart:
            apart.append((stage, what))
            return real_run_job(stage, what, size, repeat)
        with redirect_stdout(io.StringIO()) as out:
            stages.main([stage, what, "--size", str(size), "--repeat", str(repeat)])
        return json.loads(out.getvalue().strip().splitlines()[-1])

    real_run_job = bench_main.run_job
    bench_main.run_job = run_job
    try:
        code = bench_main.main(["--sizes", "20", "--quick"])
    finally:
        bench_main.run_job = real_run_job
    printed = capsys.readouterr()
    assert code == 0, printed.err[-3000:]
    assert apart == [("parse", "ours")]  # parse+normalise, ours: measured in a process of its own
    rows = [line.split(" | ")[0].lstrip("| ") for line in printed.out.splitlines() if line.startswith("| ")]
    for stage in STAGE_NAMES:
        assert stage in rows, f"no row for {stage!r} in:\n{printed.out}"
    assert "ERROR" not in printed.out
    assert "BeautifulSoup" in printed.out and "executemany" in printed.out


def _measured(wall: float, cpu: float) -> dict:
    return {"median_s": wall, "cpu_s": cpu, "times": [wall], "cpu_times": [cpu], "peak_rss_mb": 50.0}


def test_parse_rows_are_judged_by_cpu_time():
    """On a shared machine the wall clock measures the other processes: the parse targets are
    judged by CPU time, and the row shows both ratios."""
    from bench.__main__ import table

    # ours 0.2 s wall / 0.08 s CPU against BeautifulSoup 1.0 s wall / 0.72 s CPU, at 1,000:
    # 5.0x by wall, 9.0x by CPU: missed. 100,000 listings in 8 s CPU: 12,500/s against
    # BeautifulSoup's 1,389/s = 9.0x by CPU; linearity 12,500 / 12,500 = 100%.
    results = {("parse", "ours", 1000): _measured(0.2, 0.08), ("parse", "bs4", 1000): _measured(1.0, 0.72),
               ("parse", "ours", 100_000): _measured(40.0, 8.0)}
    rows = {(r[1], r[2]): r for r in table(results, [1000, 100_000], quick=True)}
    first = rows[("ours: parsers.*.parse + normalise", "1,000")]
    assert "5.0x BeautifulSoup; CPU time: 9.0x" in first[6] and first[8] == "**NO**"
    assert "0.200 (1), CPU 0.080" in first[3]
    big = rows[("ours: parsers.*.parse + normalise", "100,000")]
    assert "CPU time: 9.0x" in big[6] and big[8] == "**NO**"
    linear = rows[("linearity: rate at 100,000 / rate at 1,000", "100,000")]
    assert "(CPU time: 100%)" in linear[6] and linear[8] == "yes"  # 50% by wall, 100% by CPU
    # 0.06 s CPU at 1,000: 12.0x by CPU, met (still 5.0x by wall).
    results[("parse", "ours", 1000)] = _measured(0.2, 0.06)
    first = {(r[1], r[2]): r for r in table(results, [1000, 100_000], quick=True)}[
        ("ours: parsers.*.parse + normalise", "1,000")]
    assert "CPU time: 12.0x" in first[6] and first[8] == "yes"


def test_grouping_rows_are_judged_by_cpu_time():
    """Grouping 100,000 listings in 3.0 s wall but 1.4 s CPU meets the 1.5 s target; 1,000,000 in
    15.4 s CPU is 11.0x the 100k CPU time (20.0x by wall): met."""
    from bench.__main__ import table

    results = {("group", "ours", 100_000): _measured(3.0, 1.4), ("group", "ours", 1_000_000): _measured(60.0, 15.4)}
    rows = {r[2]: r for r in table(results, [100_000, 1_000_000], quick=True) if r[1] == "grouping.group_listings"}
    assert rows["100,000"][7] == "<= 1.5 s (CPU time)" and rows["100,000"][8] == "yes"
    assert rows["1,000,000"][6] == "11.0x the 100k time" and rows["1,000,000"][8] == "yes"
    results[("group", "ours", 100_000)] = _measured(1.0, 1.6)  # 1.6 s CPU: missed, though 1.0 s wall
    rows = {r[2]: r for r in table(results, [100_000, 1_000_000], quick=True) if r[1] == "grouping.group_listings"}
    assert rows["100,000"][8] == "**NO**"
