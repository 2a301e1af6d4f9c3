"""Is a source's result fit to load? Guards against a site that changed under the parser."""
from __future__ import annotations

from typing import TYPE_CHECKING

from schema.models import BlockError

if TYPE_CHECKING:
    from fetch.archive import PageRecord
    from fetch.crawl import CrawledPages


def drift_problem(n_listings: int, n_unreadable: int, previous_listings: int | None, *,
                  min_listings_ratio: float, max_unreadable_share: float) -> str | None:
    """Why this result looks like site drift, or None when it looks fine.

    Drift is: no listings at all; more than `max_unreadable_share` of blocks unreadable; or
    fewer listings than `min_listings_ratio` of the last good run's.
    """
    blocks = n_listings + n_unreadable
    if not n_listings:
        return f"the pages yielded no listings ({n_unreadable} blocks unreadable); the site may have changed"
    if n_unreadable / blocks > max_unreadable_share:
        return (f"{n_unreadable} of {blocks} blocks could not be read (more than "
                f"{max_unreadable_share:.0%}); the site may have changed")
    if previous_listings and n_listings < min_listings_ratio * previous_listings:
        return (f"{n_listings} listings, fewer than {min_listings_ratio:.0%} of the "
                f"{previous_listings} of the last good run; the site may have changed")
    return None


def gone_page_error(url: str, status: int | None) -> BlockError:
    """The block error for a linked page that answered 404 or 410 (fetch.crawl keeps it as a
    page with no text): the source's other pages load; this one is named, not dropped."""
    return BlockError(source_url=url, position=0, raw_text="",
                      reason=f"the page answered HTTP {status}: a link on the source's pages leads to a page "
                             "that is gone; left out of this run")


def left_out_error(pages: CrawledPages | list[PageRecord]) -> BlockError | None:
    """The block error for the linked pages a crawl left unfetched at the source's page cap
    (fetch.crawl.CrawledPages.left_out): one error naming the first of them and how many, so a
    cap spent before every workshop or event page was read is said, not silent."""
    left = getattr(pages, "left_out", None)
    if not left:
        return None
    return BlockError(source_url=left[0], position=0, raw_text="",
                      reason=f"not fetched: the source's pages reached max_pages = {pages.max_pages} with {len(left)} "
                             f"linked page{'s' if len(left) != 1 else ''} still to read (this one first); raise "
                             "max_pages for the source in sources.toml")
