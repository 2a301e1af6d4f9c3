"""Fetch every page of one source: start URLs, then "next" links up to the source's cap.

The listing's own pages (start URLs and their next pages, ``find_pages``) come before the
pages its entries link to (workshop and event pages): a cap spent on linked pages never cuts
the listing short. Where the cap is reached with a next page of the listing still to fetch,
the crawl fails (PageCapReached): loading part of a listing would record its other courses
as removed. Linked pages left over at the cap are named on the result (``CrawledPages.left_out``).

Each fetched page is archived raw before it is handed on. Where the previous run
saw a page, the request is conditional (ETag / Last-Modified); a 304, or the
same bytes again, marks the page unchanged and its text comes from the archive.
A page answering 304 whose links the previous run recorded, found by the same link
rules (``link_rules``), is not read at all: its links are the recorded ones and its
text is read only if the source is parsed after all (``PageRecord.read_text``); on a
night when nothing changed, no page is read or parsed.

A start URL that fails fails the source. A page reached by a link (a next page, a workshop
or event page) that answers 404 or 410 is kept as a record with that status and no text: the
site has a dead link, and the source's other pages still load.
"""
from __future__ import annotations

import hashlib
import inspect
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin

from fetch.archive import ArchiveError, PageRecord, read_stored, store
from fetch.errors import FetchError, PageCapReached

GONE = (404, 410)  # a linked page answering these is left out of the run, not a failure of the source


class CrawledPages(list[PageRecord]):
    """The pages of one crawl, in the order fetched (a list of PageRecord), and the linked pages
    the cap left unfetched (``left_out``, in the order they were found; empty when none)."""

    def __init__(self, pages: Iterable[PageRecord] = (), left_out: list[str] | None = None, max_pages: int = 0) -> None:
        super().__init__(pages)
        self.left_out: list[str] = left_out or []
        self.max_pages = max_pages


def crawl(
    source_name: str,
    start_urls: list[str] | tuple[str, ...],
    fetcher,
    archive_root: Path,
    *,
    max_pages: int,
    find_next: Callable[[str], list[str]],
    find_pages: Callable[[str], list[str]] | None = None,
    previous: Mapping[str, object] | None = None,
    on_page: Callable[[PageRecord], None] | None = None,
) -> CrawledPages:
    """``find_next`` gives every link to follow from a page; ``find_pages`` those of them that
    continue the listing itself (its next pages), fetched first; without it, every link does.
    ``previous`` maps a URL to what the warehouse recorded of it last time (warehouse.state.PreviousPage)."""
    previous = previous or {}
    rules = link_rules(find_next, find_pages)
    listing: deque[str] = deque(start_urls)  # the listing's own pages, fetched first
    linked: deque[str] = deque()  # pages the listing links to
    seen: set[str] = set()
    pages = CrawledPages(max_pages=max_pages)
    while listing or linked:
        queue = listing if listing else linked
        url = queue[0]
        if url in seen:
            queue.popleft()
            continue
        if len(pages) >= max_pages:
            if queue is listing:
                raise PageCapReached(url, f"the source's pages reached max_pages = {max_pages} before this next page "
                                          f"of its listing: loading the {len(pages)} page{'s' if len(pages) != 1 else ''} fetched would cut the "
                                          "listing short; raise max_pages for the source in sources.toml")
            pages.left_out = [u for u in dict.fromkeys(linked) if u not in seen]
            break
        queue.popleft()
        seen.add(url)
        prev = _previous_of(previous, url)
        try:
            record = _fetch_one(source_name, url, fetcher, archive_root, prev, rules)
        except FetchError as exc:
            if url in start_urls or exc.status not in GONE:
                raise
            # A page a link led to is gone: the source's other pages still load, and the parse
            # reports it as a block error naming the page (PageRecord.gone). Gone last time too (the
            # pages table keeps it with no content hash): unchanged, so one dead link does not make
            # the source parse and load again every night.
            record = PageRecord(source=source_name, url=url, text="", content_hash="", encoding="",
                                content_type="", archive_path=None, fetched_at=datetime.now(timezone.utc),
                                status_code=exc.status, unchanged=prev is not None and not prev.content_hash)
            pages.append(record)
            if on_page:
                on_page(record)
            continue
        pages.append(record)
        if on_page:
            on_page(record)
        if record.links is None:  # read now: find its links (next_page_urls answers its second asking of a page from the first)
            record.links = [urljoin(record.url, href) for href in find_next(record.text)]
            own = {urljoin(record.url, href) for href in find_pages(record.text)} if find_pages else None
            record.next_pages = [u for u in record.links if own is None or u in own]
            record.links_by = rules
        own = set(record.next_pages or ())
        for nxt in record.links:
            if nxt not in seen:
                (listing if nxt in own else linked).append(nxt)
    return pages


@lru_cache(maxsize=None)
def link_rules(find_next: Callable, find_pages: Callable | None = None) -> str:
    """Names the link rules of a crawl: the finders' names and a hash of the code of the modules
    that define them. Links recorded under other rules (another version of a parser) are found
    again from the page's text."""
    digest = hashlib.sha256()
    names = []
    for fn in (find_next, find_pages):
        if fn is None:
            continue
        names.append(f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}")
        try:
            digest.update(inspect.getsource(inspect.getmodule(fn)).encode())
        except (OSError, TypeError):
            digest.update(repr(fn).encode())
    return f"{'+'.join(names)}@{digest.hexdigest()[:12]}"


def _previous_of(previous: Mapping[str, object], url: str):
    """What the last run recorded of ``url``: pages are recorded under the URL a redirect led to,
    so a URL that redirects is found by the URL that was asked for (``requested_url``)."""
    prev = previous.get(url)
    if prev is None:
        prev = next((p for p in previous.values() if getattr(p, "requested_url", None) == url), None)
    return prev


def _fetch_one(source_name: str, url: str, fetcher, archive_root: Path, prev, rules: str = "") -> PageRecord:
    if prev is not None and prev.archive_path and (archive_root / prev.archive_path).exists():
        page = fetcher.get(url, etag=prev.etag, last_modified=prev.last_modified, previous_hash=prev.content_hash)
        if page.not_modified and rules and prev.links is not None and prev.links_by == rules:
            # Unchanged, and its links known: nothing to read (the text only if the source is parsed).
            return PageRecord(
                source=source_name, url=page.final_url, text="", content_hash=prev.content_hash,
                encoding=prev.encoding or "", content_type=prev.content_type or "", archive_path=prev.archive_path,
                fetched_at=page.fetched_at, bytes=prev.bytes or 0, status_code=304, etag=page.etag,
                last_modified=page.last_modified, unchanged=True,
                requested_url=url if url != page.final_url else None, links=list(prev.links),
                next_pages=list(prev.next_pages or ()), links_by=rules, text_deferred=True)
        if page.not_modified:
            try:
                record = read_stored(archive_root, source_name, url=page.final_url, archive_path=prev.archive_path,
                                     content_hash=prev.content_hash, encoding=prev.encoding,
                                     content_type=prev.content_type)
            except ArchiveError:
                page = fetcher.get(url)  # the archived copy vanished: fetch it whole
            else:
                record.status_code, record.fetched_at, record.unchanged = 304, page.fetched_at, True
                record.etag, record.last_modified = page.etag, page.last_modified
                record.requested_url = url if url != page.final_url else None
                return record
    else:
        page = fetcher.get(url)
    path = store(archive_root, source_name, url=page.final_url, content=page.content,
                 encoding=page.encoding, content_type=page.content_type,
                 fetched_at=page.fetched_at, etag=page.etag, last_modified=page.last_modified,
                 status=page.status)
    return PageRecord(
        source=source_name, url=page.final_url, text=page.text, content_hash=page.content_hash,
        encoding=page.encoding, content_type=page.content_type, archive_path=path,
        fetched_at=page.fetched_at, bytes=len(page.content), status_code=page.status,
        etag=page.etag, last_modified=page.last_modified,
        unchanged=prev is not None and prev.content_hash == page.content_hash,
        requested_url=url if url != page.final_url else None,
    )
