"""Small helpers shared by tests: parse a page straight into normalised listings."""
from __future__ import annotations

from normalise.listing import normalise
from parsers import get_parser
from sources import load_sources


def listings_of(content: str, source_name: str, url: str):
    (src,) = load_sources(None, [source_name])
    parser = get_parser(src.parser)
    result = parser.parse(content, url)
    listings = normalise(result.listings, provider=src.provider, source=src.name,
                         conventions=src.conventions, prefixes=getattr(parser, "PROGRAMME_PREFIXES", {}))
    return listings, result


def find(listings, start: str):
    """The one listing whose description starts with `start`."""
    hits = [l for l in listings if l.description.startswith(start)]
    assert len(hits) == 1, f"{len(hits)} listings start with {start!r}"
    return hits[0]
