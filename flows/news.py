"""The refresh flow's stage for news sources: pages -> articles, ready to load.

A news source's parser module says ``KIND = "articles"``; its pages hold articles, not
course listings. The mentions of courses in them are found at load time, against the
courses as they are after the load (warehouse/news.py).
"""
from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from fetch.archive import PageRecord
from flows.progress import report
from parsers import ParseError, get_parser
from sources import Source
from warehouse import SourceLoad
from warehouse.news import article_rows


def is_news(source: Source) -> bool:
    return getattr(get_parser(source.parser), "KIND", "listings") == "articles"


@task(cache_policy=NO_CACHE)
def parse_news_source(source: Source, pages: list[PageRecord]) -> SourceLoad:
    """The articles of a news source's pages; a page with no article fails the source, naming it."""
    from flows.refresh import SourceFailed

    parser = get_parser(source.parser)
    articles, page_rows = [], []
    for page in pages:
        try:
            found = parser.parse(page.text, page.url).articles
        except ParseError as exc:
            raise SourceFailed(f"{source.name}: {exc.url}: could not parse the article: {exc.reason}") from exc
        articles.extend(found)
        page_rows.append({**page.row(), "n_listings": 0})
        report("parse", source.name)
    return SourceLoad(source=source.name, status="loaded", pages=page_rows,
                      articles=article_rows(source.name, source.provider, source.conventions, articles))
