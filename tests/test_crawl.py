"""Pagination: "next" links are followed, within the page cap, and every page is archived."""
from __future__ import annotations

import pytest

from fetch.archive import read_archive
from fetch.client import Fetcher
from fetch.crawl import crawl
from fetch.errors import PageCapReached
from parsers.lines import next_page_urls
from tests.localserver import LocalServer, Response
from tests.test_flow import FAST


def page(n: int, last: bool = False) -> Response:
    nxt = "" if last else f'<nav class="pager"><a rel="next" href="/w?page={n + 1}">Next</a></nav>'
    body = f"<html><body><main><div><div>3 hours</div><p>Workshop {n}.</p></div>{nxt}</main></body></html>"
    return Response(body=body.encode(), headers={"Content-Type": "text/html"})


def test_next_links_followed_up_to_the_cap(tmp_path):
    with LocalServer() as srv:
        for n in range(1, 6):
            srv.routes["/w" if n == 1 else f"/w?page={n}"] = page(n, last=n == 5)
        with Fetcher(["127.0.0.1"], FAST) as f:
            pages = crawl("s", [srv.url("/w")], f, tmp_path, max_pages=20, find_next=next_page_urls)
        assert [p.url for p in pages] == [srv.url("/w")] + [srv.url(f"/w?page={n}") for n in range(2, 6)]
        assert "Workshop 5." in pages[-1].text
        # A cap below the listing's length: loading 3 of its 5 pages would record the rest as
        # removed, so the crawl fails naming the next page it could not fetch.
        with Fetcher(["127.0.0.1"], FAST) as f, pytest.raises(PageCapReached) as info:
            crawl("t", [srv.url("/w")], f, tmp_path, max_pages=3, find_next=next_page_urls)
        assert str(info.value) == (
            f"{srv.url('/w?page=4')}: the source's pages reached max_pages = 3 before this next page of its "
            "listing: loading the 3 pages fetched would cut the listing short; raise max_pages for the source "
            "in sources.toml")
        archived = read_archive(tmp_path, "s", "unused")
        assert sorted(p.url for p in archived) == sorted(p.url for p in pages)
        assert {p.content_hash for p in archived} == {p.content_hash for p in pages}


def test_the_listing_pages_come_before_the_pages_it_links_to_and_the_cap_names_what_is_left(tmp_path):
    """Page 1 links to workshops 1-5 (before its next link, in document order) and page 2 to
    workshop 6. With a cap of 4: both listing pages, then workshops 1 and 2; 3, 4, 5 and 6 left."""
    import re

    def links(text: str) -> list[str]:  # workshop links first, as a page may list them
        return re.findall(r'href="(/workshop/\d+)"', text) + next_page_urls(text)

    def listing_page(workshops: range, nxt: str | None) -> Response:
        body = "".join(f'<p><a href="/workshop/{n}">W{n}</a></p>' for n in workshops)
        body += f'<nav class="pager"><a rel="next" href="{nxt}">Next</a></nav>' if nxt else ""
        return Response(body=f"<html><body><main>{body}</main></body></html>".encode(), headers={"Content-Type": "text/html"})

    with LocalServer() as srv:
        srv.routes["/w"] = listing_page(range(1, 6), "/w?page=2")
        srv.routes["/w?page=2"] = listing_page(range(6, 7), None)
        for n in range(1, 7):
            srv.routes[f"/workshop/{n}"] = Response(body=f"<main><p>Workshop {n}</p></main>".encode(),
                                                    headers={"Content-Type": "text/html"})
        with Fetcher(["127.0.0.1"], FAST) as f:
            pages = crawl("s", [srv.url("/w")], f, tmp_path, max_pages=4, find_next=links, find_pages=next_page_urls)
        assert [p.url for p in pages] == [srv.url(u) for u in ("/w", "/w?page=2", "/workshop/1", "/workshop/2")]
        assert pages.left_out == [srv.url(f"/workshop/{n}") for n in (3, 4, 5, 6)]
        assert pages.max_pages == 4


def test_a_next_link_that_loops_back_is_not_fetched_twice(tmp_path):
    with LocalServer() as srv:
        srv.routes["/a"] = Response(body=b'<main><a rel="next" href="/b">n</a></main>', headers={"Content-Type": "text/html"})
        srv.routes["/b"] = Response(body=b'<main><a rel="next" href="/a">n</a></main>', headers={"Content-Type": "text/html"})
        with Fetcher(["127.0.0.1"], FAST) as f:
            pages = crawl("s", [srv.url("/a")], f, tmp_path, max_pages=20, find_next=next_page_urls)
        assert [p.url for p in pages] == [srv.url("/a"), srv.url("/b")]
        assert srv.hits.count("/a") == 1


def test_a_plain_archive_folder_replays_each_page_under_its_canonical_url(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    base = "https://cupe.ca/mrm-union-education/workshops"
    pages = {
        "a.html": '<head><link href="/mrm-union-education/workshop/38" rel="canonical"></head><main>38</main>',
        "b.html": "<head><link rel='canonical' href='https://cupe.ca/mrm-union-education/workshop/39'></head>",
        "c.html": '<head><link rel="canonical" href="https://elsewhere.example/x"></head>',  # another host
        "d.html": '<head><link rel="canonical" href="https://cupe.ca/dup"></head>',
        "e.html": '<head><link rel="canonical" href="https://cupe.ca/dup"></head>',  # two claim one URL
        "f.txt": '<link rel="canonical" href="https://cupe.ca/text">',  # a text capture has no markup
    }
    for name, body in pages.items():
        (folder / name).write_text(body, encoding="utf-8")
    assert [p.url for p in read_archive(tmp_path, "s", base)] == [
        "https://cupe.ca/mrm-union-education/workshop/38", "https://cupe.ca/mrm-union-education/workshop/39",
        base + "#c.html", base + "#d.html", base + "#e.html", base + "#f.txt"]


def _previous(pages) -> dict:
    """What the warehouse would record of a crawl's pages (warehouse.state.PreviousPage), by URL."""
    from warehouse.state import PreviousPage

    return {p.url: PreviousPage(source=p.source, url=p.url, etag=p.etag, last_modified=p.last_modified,
                                content_hash=p.content_hash, encoding=p.encoding, content_type=p.content_type,
                                archive_path=p.archive_path, bytes=p.bytes,
                                links=None if p.links is None else tuple(p.links),
                                next_pages=None if p.next_pages is None else tuple(p.next_pages), links_by=p.links_by)
            for p in pages}


def test_an_unchanged_page_is_read_again_only_when_its_links_were_found_by_other_rules(tmp_path):
    """Three pages of a listing, each answering 304 to its own ETag. The second crawl, with the
    links recorded by the same rules, reads no page (texts deferred) and fetches the same pages
    in the same order; ``read_text`` then gives the page's text. Recorded under other rules (an
    earlier version of the parser), each page is read and its links found again."""
    from dataclasses import replace

    from tests.test_history import conditional

    with LocalServer() as srv:
        for n in range(1, 4):
            srv.routes["/w" if n == 1 else f"/w?page={n}"] = conditional(page(n, last=n == 3).body, f'"p{n}"')
        with Fetcher(["127.0.0.1"], FAST) as f:
            first = crawl("s", [srv.url("/w")], f, tmp_path, max_pages=20, find_next=next_page_urls)
            assert [p.links for p in first] == [[srv.url("/w?page=2")], [srv.url("/w?page=3")], []]
            assert [p.next_pages for p in first] == [p.links for p in first]
            again = crawl("s", [srv.url("/w")], f, tmp_path, max_pages=20, find_next=next_page_urls,
                          previous=_previous(first))
            assert [(p.url, p.status_code, p.unchanged, p.text_deferred, p.text) for p in again] == [
                (p.url, 304, True, True, "") for p in first]
            again[2].read_text(tmp_path)
            assert "Workshop 3." in again[2].text and again[2].text == first[2].text and not again[2].text_deferred
            other = {url: replace(p, links_by="parsers.lines.next_page_urls@000000000000")
                     for url, p in _previous(first).items()}
            reread = crawl("s", [srv.url("/w")], f, tmp_path, max_pages=20, find_next=next_page_urls, previous=other)
        assert [(p.status_code, p.text_deferred, p.text) for p in reread] == [(304, False, p.text) for p in first]
        assert [p.links for p in reread] == [p.links for p in first]
        assert [r.path for r in srv.requests if r.path != "/robots.txt"] == ["/w", "/w?page=2", "/w?page=3"] * 3
