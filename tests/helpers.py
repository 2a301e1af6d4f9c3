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


# The sample workshop pages the sample catalogue's titles link to (samples/archive/cupe-workshops/).
WORKSHOP_PAGES = {38: "workshop-38.html", 39: "workshop-39.html", 12: "workshop-12.html"}


def serve_workshop_pages(srv) -> None:
    """Serve the sample workshop pages at /mrm-union-education/workshop/<n> on a tests.localserver.LocalServer,
    where a refresh of the sample catalogue follows its title links."""
    from tests.conftest import SAMPLES
    from tests.localserver import Response

    for number, name in WORKSHOP_PAGES.items():
        srv.routes[f"/mrm-union-education/workshop/{number}"] = Response(
            body=(SAMPLES / "cupe-workshops" / name).read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})


def without_workshop_links(html: str) -> str:
    """The sample catalogue with its title links to workshop pages taken out (the titles stay): for
    tests of the catalogue alone, which serve no workshop pages."""
    import re

    return re.sub(r'<a href="/mrm-union-education/workshop/\d+">(.*?)</a>', r"\1", html)
