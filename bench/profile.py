"""Where the time of a stage goes: cProfile over one run of it on a generated catalogue.

    .venv/bin/python -m bench.profile parse --size 10000 [--top 25] [--sort tottime]
    .venv/bin/python -m bench.profile group --size 100000
    .venv/bin/python -m bench.profile load --size 100000

Prints the top functions by own time (tottime) and by cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.profile")
    ap.add_argument("stage", choices=["parse", "group", "load"])
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args(argv)
    from bench import stages

    pages = stages._pages(a.size)
    parse_of = stages._our_parsers()
    if a.stage == "parse":
        def run():
            stages._parse_normalise(pages, parse_of)
    elif a.stage == "group":
        from grouping import group_listings

        listings = stages._parse_normalise(pages, parse_of)

        def run():
            for ls in listings.values():
                group_listings(ls)
    else:
        from warehouse.load import publish

        loads = stages._loads(a.size)
        tmp = Path(tempfile.mkdtemp(prefix="bench-profile-"))

        def run():
            publish(tmp / "p.duckdb", stages._run_record(loads), loads)
    prof = cProfile.Profile()
    prof.runcall(run)
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(key).print_stats(a.top)
        text = out.getvalue()
        print(f"## {a.stage} @ {a.size:,}, sorted by {key}\n")
        print(text[text.index("   ncalls"):] if "   ncalls" in text else text)
    if a.stage == "load":
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
