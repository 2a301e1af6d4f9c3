"""Measure how alike the texts of *different* courses are, to place the similarity threshold.

    .venv/bin/python -m bench.calibrate_grouping ../shared/seeds/004_f2b4f38a1485bd1c.txt

Prints the most similar pairs of listings whose texts differ (rapidfuzz ratio on the
folded description key, the measure grouping uses), within one programme and across all.
"""
from __future__ import annotations

import sys
from pathlib import Path

from rapidfuzz import fuzz

from grouping.keys import description_key
from normalise.listing import normalise
from parsers import cupe_workshops


def main(path: str) -> None:
    result = cupe_workshops.parse(Path(path).read_text(encoding="utf-8"), "seed")
    listings = normalise(result.listings, provider="CUPE", source="cupe-workshops",
                         prefixes=cupe_workshops.PROGRAMME_PREFIXES)
    keys = [description_key(l.description, l.bullets) for l in listings]
    same_block, any_block = [], []
    for i in range(len(listings)):
        for j in range(i + 1, len(listings)):
            if keys[i] == keys[j]:
                continue
            score = fuzz.ratio(keys[i], keys[j])
            any_block.append((score, i, j))
            if listings[i].series == listings[j].series:
                same_block.append((score, i, j))
    for label, pairs in (("same programme", same_block), ("any programme", any_block)):
        pairs.sort(reverse=True)
        print(f"{label}: {len(pairs)} pairs of different texts; the five most alike:")
        for score, i, j in pairs[:5]:
            print(f"  {score:5.1f}  #{i} {listings[i].duration_text:>8} {keys[i][:40]!r}")
            print(f"         #{j} {listings[j].duration_text:>8} {keys[j][:40]!r}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds/004_f2b4f38a1485bd1c.txt")
