"""Pathological pages, and the parse time per MB on them.

    .venv/bin/python -m bench.pathological [--sizes 0.25,0.5,1,2]

Each kind of page is built at each size (MB) and parsed by each site parser (``parse`` as
the flow calls it, one parser per page); the table gives the slower parser's CPU seconds per
MB (CPU time, not wall time: the machine is shared, and wall time there measures the
neighbours), which stays flat as the page grows when the parse is linear. A page is either
parsed or refused with one ``ParseError`` line. The last column is the wall time of the
largest page, both parsers together.
``pages(n, seed)`` draws the mixed pages that ``tests/test_pathological.py`` runs.
"""
from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from parsers import aupe_courses, cupe_workshops
from parsers.errors import ParseError

BLOCK = ('<div class="views-row"><div class="len">3 hours</div><div class="prog">Bargaining Program</div>'
         "<p>Learn how bargaining works.</p><ul><li>one</li><li>two</li></ul></div>")


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


# kind -> builder(size in bytes, rng) -> page
KINDS: dict[str, Callable[[int, random.Random], str]] = {
    "unclosed <div><p>": lambda n, r: "<html><body>" + _repeat("<div><p>x", n),
    "nested <section>": lambda n, r: _repeat("<section>", n) + "3 hours",
    "nested <ul><li>": lambda n, r: _repeat("<ul><li>", n),
    "balanced deep <div>": lambda n, r: "<div>" * (n // 11) + "x" + "</div>" * (n // 11),
    "<span><p> ladder": lambda n, r: _repeat("<span><p>a", n),
    "distinct <b> formatting": lambda n, r: "".join(f"<p><b class=c{i}>x</p>" for i in range(n // 24)),
    "huge attribute": lambda n, r: f'<div class="{"a" * n}">3 hours</div><p>text</p>',
    "unterminated attribute": lambda n, r: '<div title="' + "x" * n,
    "many attributes": lambda n, r: "<div " + " ".join(f"a{i}=v" for i in range(n // 8)) + ">3 hours</div>",
    "NULs after the first 4 KB": lambda n, r: "<html><body>" + BLOCK * 30 + _repeat("\x00<p>x\x00", n),
    "unclosed <p> and <li>": lambda n, r: "<body>" + _repeat("<p>3 hours<li>item", n),
    "lone '<'": lambda n, r: "<html>" + _repeat("<a<", n),
    "unterminated comment": lambda n, r: "<html><body>" + BLOCK + "<!--" + "x" * n,
    "unterminated script": lambda n, r: "<html><body>" + BLOCK + "<script>" + _repeat("<div>", n),
    "catalogue rows": lambda n, r: "<html><body><main>" + _repeat(BLOCK, n) + "</main></body></html>",
    "catalogue with a deep stretch": lambda n, r: "<html><body>" + _repeat(BLOCK, n // 2) + _repeat("<div>", n // 2),
}


def parse_both(page: str, url: str = "https://example.org/page") -> tuple[int, str | None]:
    """(listings found, None) or (0, the one-line reason) where the page is refused."""
    found = 0
    for module in (cupe_workshops, aupe_courses):
        try:
            result = module.parse(page, url)
        except ParseError as exc:
            return 0, str(exc)
        found += len(result.listings)
    return found, None


def pages(n: int, seed: int = 12, max_bytes: int = 120_000) -> list[tuple[str, str]]:
    """n pathological pages of every kind, of drawn sizes, some spliced into a catalogue."""
    rng = random.Random(seed)
    names = list(KINDS)
    out = []
    for k in range(n):
        kind = names[k % len(names)]
        size = rng.randint(2_000, max_bytes)
        page = KINDS[kind](size, rng)
        if rng.random() < 0.3:  # spliced into an ordinary catalogue page
            page = "<html><body><main>" + BLOCK * rng.randint(1, 20) + page + BLOCK + "</main></body></html>"
        out.append((kind, page))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0.25,0.5,1,2", help="page sizes in MB, comma-separated")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    rng = random.Random(1)
    print("| page | " + " | ".join(f"{s:g} MB: CPU s/MB" for s in sizes) + " | wall s, largest | outcome |")
    print("|---|" + "---|" * len(sizes) + "---|---|")
    for kind, build in KINDS.items():
        cells, outcome, wall = [], "", 0.0
        for s in sizes:
            page = build(int(s * 1_000_000), rng)
            mb = len(page.encode("utf-8", "surrogatepass")) / 1e6
            worst = 0.0
            w0 = time.perf_counter()
            for module in (cupe_workshops, aupe_courses):
                t0 = time.process_time()
                try:
                    module.parse(page, "https://example.org/page")
                except ParseError:
                    pass
                worst = max(worst, time.process_time() - t0)
            wall = time.perf_counter() - w0
            cells.append(f"{worst / mb:.3f}")
            found, error = parse_both(page) if s == sizes[-1] else (0, None)
            outcome = f"refused: {error.split(': ', 1)[1][:48]}..." if error else f"{found} listings"
        print(f"| {kind} | " + " | ".join(cells) + f" | {wall:.2f} | {outcome} |", flush=True)


if __name__ == "__main__":
    main()
