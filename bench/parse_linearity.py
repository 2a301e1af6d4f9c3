"""Does a page cost more the more pages came before it? CPU time of each page's parse +
normalise across one run over a generated catalogue, by fifths of the run.

    .venv/bin/python -m bench.parse_linearity --size 50000

Pages are parsed and normalised one at a time as ``bench.stages`` does (batches kept until
the end, so memory grows as in the stage). A cost that grows with the pages before it shows
as a rising CPU per page from the first fifth to the last; the stage's linearity row compares
two separate runs (1,000 and 100,000), which on a shared machine also compares two moments
of the machine's load.

    .venv/bin/python -m bench.parse_linearity --size 100000 --against 1000 --repeat 3

``--against N`` measures the two sizes in one process, in turns: one run of the large catalogue,
then as many runs of the small one as give the same number of listings (their order swapped
each turn), as the stage does (``bench.stages._parse_normalise``, one warm-up run each first).
Each turn's two CPU times come from the same minutes of the machine, so its rate ratio is not a
comparison of a quiet moment with a busy one; the listing mix by source and the listings per
page of both catalogues are printed beside it (the same generator gives both).
"""
from __future__ import annotations

import argparse
import resource
import time


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.parse_linearity")
    ap.add_argument("--size", type=int, default=50_000)
    ap.add_argument("--against", type=int, default=0, help="a smaller size, measured in turns with --size")
    ap.add_argument("--repeat", type=int, default=3, help="turns (with --against)")
    a = ap.parse_args(argv)
    if a.against:
        return paired(a.size, a.against, a.repeat)
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


def _mix(pages) -> str:
    by: dict[str, list[int]] = {}
    for p in pages:
        by.setdefault(p.source, []).append(p.n_listings)
    n = sum(sum(v) for v in by.values())
    return ", ".join(f"{s} {sum(v) / n:.1%} of listings in {len(v)} pages of {sum(v) / len(v):,.0f}"
                     for s, v in by.items())


def paired(size: int, small: int, repeat: int) -> None:
    """The rate at `size` over the rate at `small`, measured in turns in this process."""
    import gc
    import statistics

    from bench import stages

    big_pages, small_pages = stages._pages(size), stages._pages(small)
    parse_of = stages._our_parsers()
    for pages in (big_pages, small_pages):  # warm-up, as the stage does
        stages._parse_normalise(pages, parse_of)
    k = max(1, size // small)
    print(f"{size:,}: {_mix(big_pages)}\n{small:,}: {_mix(small_pages)} (x{k} a turn)")

    def cpu(pages, times: int) -> float:
        gc.collect()
        c = time.process_time()
        for _ in range(times):
            stages._parse_normalise(pages, parse_of)
        return time.process_time() - c

    ratios = []
    for turn in range(repeat):
        if turn % 2:
            t_small = cpu(small_pages, k)
            t_big = cpu(big_pages, 1)
        else:
            t_big = cpu(big_pages, 1)
            t_small = cpu(small_pages, k)
        ratio = (size / t_big) / (k * small / t_small)
        ratios.append(ratio)
        print(f"turn {turn + 1}: {size:,} {1e6 * t_big / size:.1f} us a listing, {small:,} "
              f"{1e6 * t_small / (k * small):.1f} us a listing (CPU): rate ratio {ratio:.0%}", flush=True)
    print(f"rate at {size:,} / rate at {small:,}, median of {repeat} turns: {statistics.median(ratios):.0%}")


if __name__ == "__main__":
    main()
