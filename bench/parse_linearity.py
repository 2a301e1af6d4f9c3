"""Does a page cost more the more pages came before it? CPU time of each page's parse +
normalise across one run over a generated catalogue, by fifths of the run.

    .venv/bin/python -m bench.parse_linearity --size 50000

Pages are parsed and normalised one at a time as ``bench.stages`` does (batches kept until
the end, so memory grows as in the stage). A cost that grows with the pages before it shows
as a rising CPU per page from the first fifth to the last; the stage's linearity row compares
two separate runs (1,000 and 100,000), which on a shared machine also compares two moments
of the machine's load.
"""
from __future__ import annotations

import argparse
import resource
import time


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.parse_linearity")
    ap.add_argument("--size", type=int, default=50_000)
    a = ap.parse_args(argv)
    from bench import stages
    from normalise.listing import normalise_batch
    from parsers import get_parser
    from sources import load_sources

    pages = stages._pages(a.size)
    parse_of = stages._our_parsers()
    sources = {s.name: s for s in load_sources()}
    kept, per_page = [], []
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    for page in pages:
        s = sources[page.source]
        c = time.process_time()
        raws = parse_of[page.source](page.html, page.url).listings
        kept.append(normalise_batch(raws, provider=s.provider, source=s.name, conventions=s.conventions,
                                    prefixes=getattr(get_parser(s.parser), "PROGRAMME_PREFIXES", {})))
        per_page.append((page.n_listings, time.process_time() - c))
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    n = sum(k for k, _ in per_page)
    print(f"{len(pages)} pages, {n:,} listings: user {r1.ru_utime - r0.ru_utime:.2f} s, "
          f"sys {r1.ru_stime - r0.ru_stime:.2f} s")
    fifth = max(1, len(per_page) // 5)
    for i in range(0, len(per_page), fifth):
        chunk = per_page[i:i + fifth]
        listings, cpu = sum(k for k, _ in chunk), sum(t for _, t in chunk)
        print(f"pages {i + 1:>4}-{i + len(chunk):<4} {listings:>7,} listings  "
              f"CPU {cpu:6.2f} s = {1e6 * cpu / listings:6.1f} us a listing")


if __name__ == "__main__":
    main()
