"""Work done per listing by parse + normalise, without the machine's load in it: run this
under cachegrind, once with ``--runs 0`` and once with ``--runs R``; the difference over
R x size is the instructions (and simulated cache misses) of one listing.

    valgrind --tool=cachegrind --cache-sim=yes --LL=1048576,16,64 \\
        .venv/bin/python -m bench.parse_work --size 1000 --runs 5

It runs as the parse row does (``bench.stages._parse_normalise`` over a generated
catalogue: one warm-up run, then the runs counted). ``--LL`` sets the simulated last-level
cache to this machine's per-core L2 (1 MiB), the level whose misses separate a catalogue
that fits in it from one that does not. Measured (seed 7), per listing per run:

    size     instructions   1 MiB-cache misses (read + write)
    1,000    298.9k         522 (334 + 188)
    10,000   299.5k         600 (379 + 220)

The work is the same at both sizes (no cost grows with the catalogue). The 1,000 catalogue
(two pages, ~540 kB of HTML, re-parsed run after run) misses a 1 MiB cache 15% less often a
listing, but that does not show in CPU time: writing 64 MiB (evicting the caches) before each
1,000 run, alternating with runs without it in one process, gave the same CPU per listing
(median of 25 each: 85.7 and 85.5 us; min 56.3 and 56.4 us; load average 11).
"""
from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.parse_work")
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args(argv)
    from bench import stages

    pages = stages._pages(a.size)
    parse_of = stages._our_parsers()
    stages._parse_normalise(pages, parse_of)  # warm-up, as the parse row
    for _ in range(a.runs):
        stages._parse_normalise(pages, parse_of)


if __name__ == "__main__":
    main()
