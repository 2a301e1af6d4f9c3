"""Fetch every page of one source: start URLs, then "next" links up to the source's cap.

Each fetched page is archived raw before it is handed on.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

from fetch.archive import PageRecord, store


def crawl(
    source_name: str,
    start_urls: list[str] | tuple[str, ...],
    fetcher,
    archive_root: Path,
    *,
    max_pages: int,
    find_next: Callable[[str], list[str]],
    on_page: Callable[[PageRecord], None] | None = None,
) -> list[PageRecord]:
    queue = list(start_urls)
    seen: set[str] = set()
    pages: list[PageRecord] = []
    while queue and len(pages) < max_pages:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        page = fetcher.get(url)
        path = store(archive_root, source_name, url=page.final_url, content=page.content,
                     encoding=page.encoding, content_type=page.content_type,
                     fetched_at=page.fetched_at, etag=page.etag, last_modified=page.last_modified,
                     status=page.status)
        record = PageRecord(
            source=source_name, url=page.final_url, text=page.text, content_hash=page.content_hash,
            encoding=page.encoding, content_type=page.content_type, archive_path=path,
            fetched_at=page.fetched_at, bytes=len(page.content), status_code=page.status,
            etag=page.etag, last_modified=page.last_modified,
        )
        pages.append(record)
        if on_page:
            on_page(record)
        for href in find_next(page.text):
            nxt = urljoin(page.final_url, href)
            if nxt not in seen:
                queue.append(nxt)
    return pages
