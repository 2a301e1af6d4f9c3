"""The refresh flow's stage for school sources (``KIND = "school"``): pages -> the school and its
courses. The courses go the catalogue's way (normalise, drift checks, grouping) and carry the
id of their page's school."""
from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from fetch.archive import PageRecord
from flows.progress import report
from grouping import group_listings
from normalise.checks import drift_problem
from normalise.listing import normalise
from parsers import ParseError, get_parser
from sources import Source
from warehouse import SourceLoad
from warehouse.schools import school_row


def is_school(source: Source) -> bool:
    return getattr(get_parser(source.parser), "KIND", "listings") == "school"


@task(cache_policy=NO_CACHE)
def parse_school_source(source: Source, pages: list[PageRecord], previous_listings: int | None,
                        force: bool) -> SourceLoad:
    from flows.refresh import SourceFailed

    parser = get_parser(source.parser)
    raws, errors, page_rows, schools = [], [], [], []
    for page in pages:
        try:
            result = parser.parse(page.text, page.url)
        except ParseError as exc:
            raise SourceFailed(f"{source.name}: {exc.url}: could not parse the page: {exc.reason}") from exc
        raws.extend(result.listings)
        errors.extend(result.errors)
        schools += [(school, len(result.listings)) for school in result.schools]
        page_rows.append({**page.row(), "n_listings": len(result.listings)})
        report("parse", source.name)
    listings = normalise(raws, provider=source.provider, source=source.name, conventions=source.conventions,
                         prefixes=getattr(parser, "PROGRAMME_PREFIXES", {}))
    rows = [school_row(source.provider, source.name, s, n) for s, n in schools]
    by_page = {r["source_url"]: r["school_id"] for r in rows}
    for listing in listings:
        listing.school_id = by_page.get(listing.source_url)
    where = pages[0].url if pages else source.start_urls[0]
    problem = drift_problem(len(listings), len(errors), previous_listings,
                            min_listings_ratio=source.min_listings_ratio,
                            max_unreadable_share=source.max_unreadable_share)
    if problem and not force:
        return SourceLoad(source=source.name, status="failed", pages=page_rows, errors=errors,
                          message=f"{source.name}: {where}: {problem} (nothing loaded; `courses refresh --force` loads it anyway)")
    load = SourceLoad(source=source.name, status="loaded", pages=page_rows, listings=listings,
                      grouping=group_listings(listings), errors=errors)
    load.schools = rows
    return load
