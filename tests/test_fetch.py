"""fetch.Fetcher against a real loopback HTTP server (tests/localserver.py)."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
import time
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from fetch import (
    BadContent,
    DeadlineExceeded,
    FetchError,
    Fetcher,
    FetchSettings,
    HostNotAllowed,
    HostUnreachable,
    RobotsDisallowed,
    RunBudgetSpent,
    TooLarge,
    TooManyRedirects,
    TransientFetchError,
    decode,
)

try:
    from tests.localserver import LocalServer, Request, Response, gzip_bytes, gzip_zeros, sequence
except ImportError:  # tests/ on sys.path instead of the project root
    from localserver import LocalServer, Request, Response, gzip_bytes, gzip_zeros, sequence

HTML = {"Content-Type": "text/html; charset=utf-8"}
FAST = FetchSettings(
    connect_timeout=1.0,
    read_timeout=1.0,
    attempts=3,
    backoff_base=0.01,
    backoff_max=0.05,
    per_host_delay=0.0,
)
CURLY_1252 = b"<html><body><p>\x93Bargaining\x94 isn\x92t easy</p></body></html>"
CURLY_TEXT = "\u201cBargaining\u201d isn\u2019t easy"


class SleepRecorder:
    """A fake ``sleep`` that records the requested delays and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def fetcher(server: LocalServer, sleeps: SleepRecorder, **overrides) -> Fetcher:
    return Fetcher(["127.0.0.1"], replace(FAST, **overrides), sleep=sleeps)


# ------------------------------------------------------------------ retries


def test_500_then_200_succeeds_on_second_attempt(server, sleeps):
    server.routes["/page"] = sequence(Response(500), Response(body=b"<p>ok</p>", headers=HTML))
    with fetcher(server, sleeps) as f:
        page = f.get(server.url("/page"))
    assert page.status == 200
    assert page.text == "<p>ok</p>"
    assert server.hits_for("/page") == 2
    assert len(sleeps.calls) == 1 and 0.005 <= sleeps.calls[0] <= 0.015  # backoff_base +/- 30 %


def test_each_retry_is_told_to_the_progress_callback(server, sleeps):
    server.routes["/page"] = sequence(Response(500), Response(503), Response(body=b"<p>ok</p>", headers=HTML))
    told: list[tuple[str, str, float]] = []
    with Fetcher(["127.0.0.1"], FAST, sleep=sleeps, on_retry=lambda *a: told.append(a)) as f:
        assert f.get(server.url("/page")).status == 200
    assert [(url, problem.split()[0]) for url, problem, _ in told] == [
        (server.url("/page"), "HTTP"), (server.url("/page"), "HTTP")]
    assert [w for _, _, w in told] == sleeps.calls  # told before each wait, with that wait


def test_429_honours_retry_after_seconds(server, sleeps):
    server.routes["/page"] = sequence(
        Response(429, headers={"Retry-After": "2"}), Response(body=b"<p>ok</p>", headers=HTML)
    )
    with fetcher(server, sleeps) as f:
        page = f.get(server.url("/page"))
    assert page.status == 200
    assert sleeps.calls == [pytest.approx(2.0)]


def test_retry_after_longer_than_the_fetcher_waits_fails_at_once(server, sleeps):
    server.routes["/page"] = sequence(
        Response(503, headers={"Retry-After": "3600"}), Response(body=b"<p>ok</p>", headers=HTML)
    )
    with fetcher(server, sleeps, retry_after_max=7.0) as f, pytest.raises(TransientFetchError) as info:
        f.get(server.url("/page"))
    assert info.value.reason == (
        "HTTP 503 Service Unavailable asks to retry after 3600 s, longer than the 7 s the fetcher waits; not retried"
    )
    assert sleeps.calls == [] and server.hits_for("/page") == 1


def test_503_forever_gives_up_after_attempts(server, sleeps):
    server.routes["/page"] = Response(503, body=b"busy")
    with fetcher(server, sleeps, attempts=4) as f, pytest.raises(TransientFetchError) as info:
        f.get(server.url("/page"))
    assert server.hits_for("/page") == 4
    assert len(sleeps.calls) == 3
    assert info.value.url == server.url("/page")
    assert info.value.reason == "gave up after 4 attempts: HTTP 503 Service Unavailable"
    assert str(info.value) == f"{server.url('/page')}: gave up after 4 attempts: HTTP 503 Service Unavailable"


def test_read_timeout_is_transient(server, sleeps):
    server.routes["/slow"] = Response(body=b"<p>late</p>", headers=HTML, delay=1.0)
    with fetcher(server, sleeps, read_timeout=0.2, attempts=2) as f, pytest.raises(TransientFetchError) as info:
        f.get(server.url("/slow"))
    assert "timeout" in info.value.reason
    assert "gave up after 2 attempts" in info.value.reason
    assert server.hits_for("/slow") == 2


def test_connection_closed_mid_body_is_retried_then_transient(server, sleeps):
    server.routes["/cut"] = Response(body=b"<p>only part", headers=HTML, content_length=10_000)
    with fetcher(server, sleeps, attempts=2) as f, pytest.raises(TransientFetchError) as info:
        f.get(server.url("/cut"))
    assert "connection closed before the response was complete" in info.value.reason
    assert server.hits_for("/cut") == 2


def test_connection_closed_mid_body_then_recovers(server, sleeps):
    server.routes["/cut"] = sequence(
        Response(body=b"<p>only", headers=HTML, content_length=500), Response(body=b"<p>whole</p>", headers=HTML)
    )
    with fetcher(server, sleeps) as f:
        assert f.get(server.url("/cut")).text == "<p>whole</p>"


def test_404_fails_at_once(server, sleeps):
    with fetcher(server, sleeps) as f, pytest.raises(FetchError) as info:
        f.get(server.url("/missing"))
    assert type(info.value) is FetchError
    assert info.value.reason == "HTTP 404 Not Found" and info.value.status == 404
    assert server.hits_for("/missing") == 1 and sleeps.calls == []


def test_connection_refused_is_transient(sleeps):
    with LocalServer() as srv:
        url = srv.url("/page")
    with Fetcher(["127.0.0.1"], replace(FAST, attempts=2, obey_robots=False), sleep=sleeps) as f:
        with pytest.raises(TransientFetchError, match="connection failed"):
            f.get(url)


# ------------------------------------------------------------------ redirects and hosts


def test_redirect_is_followed(server, sleeps):
    server.routes["/old"] = Response(301, headers={"Location": "/new?x=1"})
    server.routes["/new?x=1"] = Response(body=b"<p>moved</p>", headers=HTML)
    with fetcher(server, sleeps) as f:
        page = f.get(server.url("/old"))
    assert page.url == server.url("/old")
    assert page.final_url == server.url("/new?x=1")
    assert page.text == "<p>moved</p>"


def test_redirect_loop(server, sleeps):
    server.routes["/a"] = Response(302, headers={"Location": "/b"})
    server.routes["/b"] = Response(302, headers={"Location": "/a"})
    with fetcher(server, sleeps) as f, pytest.raises(TooManyRedirects) as info:
        f.get(server.url("/a"))
    assert "loop" in info.value.reason
    assert server.hits.count("/a") == 1 and server.hits.count("/b") == 1


def test_redirect_chain_longer_than_cap(server, sleeps):
    for i in range(10):
        server.routes[f"/r{i}"] = Response(307, headers={"Location": f"/r{i + 1}"})
    with fetcher(server, sleeps, max_redirects=3) as f, pytest.raises(TooManyRedirects, match="more than 3"):
        f.get(server.url("/r0"))
    assert "/r4" not in server.hits


def test_redirect_to_other_host_is_refused(server, sleeps):
    target = f"http://localhost:{server.port}/elsewhere"
    server.routes["/go"] = Response(302, headers={"Location": target})
    server.routes["/elsewhere"] = Response(body=b"<p>nope</p>", headers=HTML)
    with fetcher(server, sleeps) as f, pytest.raises(HostNotAllowed) as info:
        f.get(server.url("/go"))
    assert info.value.reason == f"redirect to {target} leaves the allowed hosts (127.0.0.1)"
    assert "/elsewhere" not in server.hits


def test_url_outside_allowed_hosts_is_refused_without_request(server, sleeps):
    with Fetcher(["cupe.ca", "www.cupe.ca"], FAST, sleep=sleeps) as f, pytest.raises(HostNotAllowed) as info:
        f.get(server.url("/page"))
    assert "(cupe.ca, www.cupe.ca)" in info.value.reason
    assert server.hits == []


def test_allowed_host_with_port_matches_only_that_port(server, sleeps):
    server.routes["/page"] = Response(body=b"<p>ok</p>", headers=HTML)
    with Fetcher([server.host], FAST, sleep=sleeps) as f:
        assert f.get(server.url("/page")).status == 200
        with pytest.raises(HostNotAllowed):
            f.get(f"http://127.0.0.1:{server.port + 1}/page")
    with Fetcher(["127.0.0.1:1"], FAST, sleep=sleeps) as f, pytest.raises(HostNotAllowed):
        f.get(server.url("/page"))


def test_non_http_scheme_is_refused(sleeps):
    with Fetcher(["127.0.0.1"], FAST, sleep=sleeps) as f, pytest.raises(HostNotAllowed, match="only http and https"):
        f.get("ftp://127.0.0.1/file")


# ------------------------------------------------------------------ content checks


def test_empty_body_is_bad_content(server, sleeps):
    server.routes["/empty"] = Response(body=b"", headers=HTML)
    with fetcher(server, sleeps) as f, pytest.raises(BadContent, match="empty body"):
        f.get(server.url("/empty"))


def test_pdf_is_bad_content(server, sleeps):
    server.routes["/doc"] = Response(body=b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"})
    with fetcher(server, sleeps) as f, pytest.raises(BadContent) as info:
        f.get(server.url("/doc"))
    assert info.value.reason == "content type application/pdf is not HTML or text"


def test_too_large_with_content_length(server, sleeps):
    server.routes["/big"] = Response(body=b"x" * 5000, headers=HTML)
    with fetcher(server, sleeps, max_bytes=1000) as f, pytest.raises(TooLarge) as info:
        f.get(server.url("/big"))
    assert "1,000-byte cap" in info.value.reason and "Content-Length 5,000" in info.value.reason


def test_too_large_without_content_length(server, sleeps):
    server.routes["/big"] = Response(body=b"x" * 50_000, headers=HTML, omit_length=True)
    with fetcher(server, sleeps, max_bytes=1000) as f, pytest.raises(TooLarge) as info:
        f.get(server.url("/big"))
    assert "1,000-byte cap" in info.value.reason and "stopped reading" in info.value.reason


def test_body_without_content_length_under_cap_is_read(server, sleeps):
    server.routes["/page"] = Response(body=b"<p>" + b"y" * 500 + b"</p>", headers=HTML, omit_length=True)
    with fetcher(server, sleeps, max_bytes=1000) as f:
        page = f.get(server.url("/page"))
    assert len(page.content) == 507
    assert page.content_hash == hashlib.sha256(page.content).hexdigest()


# ------------------------------------------------------------------ charsets


def test_windows_1252_declared_in_header(server, sleeps):
    server.routes["/p"] = Response(body=CURLY_1252, headers={"Content-Type": "text/html; charset=windows-1252"})
    with fetcher(server, sleeps) as f:
        page = f.get(server.url("/p"))
    assert CURLY_TEXT in page.text
    assert page.encoding == "windows-1252"


def test_windows_1252_declared_in_meta_only(server, sleeps):
    body = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>' + CURLY_1252
    server.routes["/p"] = Response(body=body, headers={"Content-Type": "text/html"})
    with fetcher(server, sleeps) as f:
        page = f.get(server.url("/p"))
    assert CURLY_TEXT in page.text
    assert page.encoding == "windows-1252"


def test_windows_1252_undeclared(server, sleeps):
    server.routes["/p"] = Response(body=CURLY_1252, headers={"Content-Type": "text/html"})
    with fetcher(server, sleeps) as f:
        page = f.get(server.url("/p"))
    assert CURLY_TEXT in page.text
    assert page.encoding == "windows-1252"


def test_decode_rules():
    assert decode("caf\u00e9".encode(), None) == ("caf\u00e9", "utf-8")
    assert decode(b'<meta charset="iso-8859-1">\x93', None)[0].endswith("\u201c")  # latin-1 label read as 1252
    assert decode(b"\x93x\x94", "text/html; charset=utf-8") == ("\u201cx\u201d", "windows-1252")  # wrong label
    assert decode(b"\xef\xbb\xbfhi", "text/html; charset=windows-1252") == ("hi", "utf-8")  # BOM wins


# ------------------------------------------------------------------ robots.txt


def test_robots_disallow_blocks_without_fetching(server, sleeps):
    server.routes["/robots.txt"] = Response(body=b"User-agent: *\nDisallow: /private\n", headers={"Content-Type": "text/plain"})
    server.routes["/private/page"] = Response(body=b"<p>secret</p>", headers=HTML)
    with fetcher(server, sleeps) as f, pytest.raises(RobotsDisallowed) as info:
        f.get(server.url("/private/page"))
    assert info.value.reason == "robots.txt disallows this URL for user agent union-courses"
    assert server.hits == ["/robots.txt"]


def test_robots_is_fetched_once_and_allows_other_paths(server, sleeps):
    server.routes["/robots.txt"] = Response(body=b"User-agent: *\nDisallow: /private\n")
    server.routes["/a"] = Response(body=b"<p>a</p>", headers=HTML)
    server.routes["/b"] = Response(body=b"<p>b</p>", headers=HTML)
    with fetcher(server, sleeps) as f:
        f.get(server.url("/a"))
        f.get(server.url("/b"))
    assert server.hits == ["/robots.txt", "/a", "/b"]


def test_robots_500_disallows_the_host(server, sleeps):
    server.routes["/robots.txt"] = Response(500, body=b"oops")
    server.routes["/page"] = Response(body=b"<p>ok</p>", headers=HTML)
    with fetcher(server, sleeps, attempts=2) as f:
        with pytest.raises(RobotsDisallowed) as info:
            f.get(server.url("/page"))
        with pytest.raises(RobotsDisallowed):  # cached: no second robots.txt round
            f.get(server.url("/page"))
    assert "robots.txt answered HTTP 500" in info.value.reason
    assert "fully disallowed" in info.value.reason
    assert server.hits == ["/robots.txt", "/robots.txt"]


def test_robots_404_allows_everything(server, sleeps):
    server.routes["/page"] = Response(body=b"<p>ok</p>", headers=HTML)
    with fetcher(server, sleeps) as f:
        assert f.get(server.url("/page")).status == 200
    assert server.hits == ["/robots.txt", "/page"]


def test_redirect_into_robots_disallowed_path(server, sleeps):
    server.routes["/robots.txt"] = Response(body=b"User-agent: *\nDisallow: /private\n")
    server.routes["/open"] = Response(302, headers={"Location": "/private/x"})
    with fetcher(server, sleeps) as f, pytest.raises(RobotsDisallowed, match="redirect target"):
        f.get(server.url("/open"))
    assert "/private/x" not in server.hits


def test_crawl_delay_larger_than_per_host_delay_is_honoured(server, sleeps):
    server.routes["/robots.txt"] = Response(body=b"User-agent: *\nCrawl-delay: 3\n")
    server.routes["/page"] = Response(body=b"<p>ok</p>", headers=HTML)
    with fetcher(server, sleeps, per_host_delay=0.5) as f:
        f.get(server.url("/page"))
    assert len(sleeps.calls) == 1 and 2.9 < sleeps.calls[0] <= 3.0


# ------------------------------------------------------------------ conditional requests, headers, politeness


def test_304_on_conditional_request(server, sleeps):
    def route(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, headers={"ETag": '"v1"'})
        return Response(body=b"<p>fresh</p>", headers={**HTML, "ETag": '"v1"'})

    server.routes["/page"] = route
    with fetcher(server, sleeps) as f:
        first = f.get(server.url("/page"))
        second = f.get(server.url("/page"), etag=first.etag, last_modified="Wed, 01 Jan 2025 00:00:00 GMT",
                       previous_hash=first.content_hash)
    assert first.not_modified is False and first.etag == '"v1"'
    assert second.not_modified is True and second.status == 304
    assert second.content == b"" and second.text == ""
    assert second.content_hash == first.content_hash
    sent = server.requests[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert second.fetched_at.tzinfo is not None and second.fetched_at.utcoffset().total_seconds() == 0


def test_a_304_or_a_short_404_keeps_the_connection_for_the_next_page(server, sleeps):
    """A nightly of unchanged pages is hundreds of 304s: each is read to its end, so they all go
    over one connection, not one connection a page."""
    def route(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, headers={"ETag": '"v1"'})
        return Response(body=b"<p>fresh</p>", headers={**HTML, "ETag": '"v1"'})

    for n in range(5):
        server.routes[f"/page{n}"] = route
    server.routes["/gone"] = Response(404, body=b"<p>no such page</p>", headers=HTML)
    with fetcher(server, sleeps) as f:
        first = f.get(server.url("/page0"))
        for n in range(5):
            assert f.get(server.url(f"/page{n}"), etag='"v1"', previous_hash=first.content_hash).not_modified
        with pytest.raises(FetchError):
            f.get(server.url("/gone"))
        assert f.get(server.url("/page1"), etag='"v1"', previous_hash=first.content_hash).not_modified
    assert len(server.requests) == 9  # robots.txt, 6 pages, the 404, one more 304
    assert server.connections == 1


def test_user_agent_names_the_project(server, sleeps):
    server.routes["/page"] = Response(body=b"<p>ok</p>", headers=HTML)
    with fetcher(server, sleeps) as f:
        f.get(server.url("/page"))
    agents = [r.headers.get("user-agent", "") for r in server.requests]
    assert len(agents) == 2  # robots.txt and the page
    assert all(a.startswith("union-courses/") for a in agents)


def test_per_host_delay(server, sleeps):
    server.routes["/a"] = Response(body=b"<p>a</p>", headers=HTML)
    server.routes["/b"] = Response(body=b"<p>b</p>", headers=HTML)
    with fetcher(server, sleeps, per_host_delay=0.5, obey_robots=False) as f:
        f.get(server.url("/a"))
        assert sleeps.calls == []  # first request to the host: no wait
        f.get(server.url("/b"))
    assert len(sleeps.calls) == 1 and 0.4 < sleeps.calls[0] <= 0.5


def test_error_message_format_and_pickling():
    import pickle

    err = TransientFetchError("https://cupe.ca/x", "gave up after 3 attempts:\nHTTP 503", status=503)
    assert str(err) == "https://cupe.ca/x: gave up after 3 attempts: HTTP 503"
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is TransientFetchError and back.status == 503 and str(back) == str(err)


# ------------------------------------------------------------------ deadlines and the run's budget
# A trickle: 400 bytes sent one every 0.05 s under a correct Content-Length take 20 s; the read
# timeout (1 s) never fires because a byte comes every 0.05 s.
TRICKLE = Response(body=b"<p>" + b"x" * 393 + b"</p>", headers=HTML, trickle=0.05)


def test_trickling_body_is_cut_at_the_page_deadline(server, sleeps):
    server.routes["/slow"] = TRICKLE
    with fetcher(server, sleeps, page_deadline=0.5, obey_robots=False) as f, \
            pytest.raises(DeadlineExceeded) as info:
        f.get(server.url("/slow"))
    reason = info.value.reason
    assert reason.startswith("page not received within its 0.5 s deadline (")
    assert reason.endswith(" of 400); not retried")
    received = int(reason.split("(")[1].split(" bytes")[0].replace(",", ""))
    assert 0 < received < 400  # cut part way: the server had not finished
    assert server.hits_for("/slow") == 1 and sleeps.calls == []


def test_trickling_headers_are_cut_at_the_page_deadline(server, sleeps):
    server.routes["/slow"] = replace(TRICKLE, trickle_headers=True)
    with fetcher(server, sleeps, page_deadline=0.5, obey_robots=False) as f, \
            pytest.raises(DeadlineExceeded, match=r"within its 0.5 s deadline \(0 bytes received\)"):
        f.get(server.url("/slow"))


def test_page_deadline_of_a_source_comes_from_the_sources_file(tmp_path):
    from sources import load_sources

    path = tmp_path / "s.toml"
    path.write_text('[[source]]\nname = "x"\nprovider = "CUPE"\nparser = "cupe_workshops"\n'
                    'start_urls = ["http://127.0.0.1/"]\nallowed_hosts = ["127.0.0.1"]\npage_deadline = 2.5\n')
    (source,) = load_sources(path)
    assert FAST.for_source(source).page_deadline == 2.5
    assert load_sources(None)[0].page_deadline == 30  # the default
    path.write_text(path.read_text().replace("2.5", "0"))
    with pytest.raises(ValueError, match="page_deadline must be a number of seconds above 0"):
        load_sources(path)


def test_run_budget_cuts_a_fetch_in_progress_and_refuses_the_next(server, sleeps):
    server.routes["/slow"] = TRICKLE
    server.routes["/fast"] = Response(body=b"<p>ok</p>", headers=HTML)
    settings = replace(FAST, page_deadline=30, run_budget=0.6, obey_robots=False).for_run()
    with Fetcher(["127.0.0.1"], settings, sleep=sleeps) as f, pytest.raises(RunBudgetSpent) as info:
        f.get(server.url("/slow"))
    assert info.value.reason.startswith("the run's 0.6 s fetch budget ran out while fetching this page (")
    # Another source of the same run (its own Fetcher, the same settings) fails at once.
    with Fetcher(["127.0.0.1"], settings, sleep=sleeps) as f, pytest.raises(RunBudgetSpent) as info:
        f.get(server.url("/fast"))
    assert info.value.reason == "the run's 0.6 s fetch budget ran out before this page was fetched"
    assert server.hits == ["/slow"]


def test_crawl_of_a_source_started_after_the_budget_fails_with_one_reason(server, sleeps, tmp_path):
    from fetch.crawl import crawl

    server.routes["/a"] = Response(body=b"<p>a</p>", headers=HTML)
    settings = replace(FAST, obey_robots=False).for_run(now=time.monotonic() - FAST.run_budget - 1)
    with Fetcher(["127.0.0.1"], settings, sleep=sleeps) as f, pytest.raises(RunBudgetSpent) as info:
        crawl("s", [server.url("/a")], f, tmp_path, max_pages=5, find_next=lambda text: [])
    assert str(info.value) == f"{server.url('/a')}: the run's 1200 s fetch budget ran out before this page was fetched"
    assert server.hits == []


def test_retry_after_longer_than_the_budget_left_fails_at_once(server, sleeps):
    server.routes["/page"] = Response(429, headers={"Retry-After": "60"})
    with fetcher(server, sleeps, run_budget=5.0, retry_after_max=120.0) as f, \
            pytest.raises(RunBudgetSpent) as info:
        f.get(server.url("/page"))
    assert info.value.reason.startswith("HTTP 429 Too Many Requests asks to retry after 60 s, longer than the ")
    assert info.value.reason.endswith(" s left of the run's 5 s fetch budget; not retried")
    assert info.value.status == 429
    assert sleeps.calls == [] and server.hits_for("/page") == 1


def test_backoff_is_bounded_by_the_budget(server, sleeps):
    server.routes["/page"] = Response(503)
    with fetcher(server, sleeps, run_budget=5.0, backoff_base=20.0, backoff_max=60.0, jitter=0.0) as f, \
            pytest.raises(RunBudgetSpent, match=r"HTTP 503 Service Unavailable \(attempt 1 of 3\) would be "
                                                r"retried after 20.0 s, longer than the \d s left"):
        f.get(server.url("/page"))
    assert sleeps.calls == [] and server.hits_for("/page") == 1


def test_retry_after_within_budget_and_cap_is_waited(server, sleeps):
    server.routes["/page"] = sequence(Response(429, headers={"Retry-After": "3"}), Response(body=b"<p>ok</p>", headers=HTML))
    with fetcher(server, sleeps, run_budget=60.0) as f:
        assert f.get(server.url("/page")).text == "<p>ok</p>"
    assert sleeps.calls == [pytest.approx(3.0)]


def test_politeness_delay_longer_than_the_budget_left_fails(server, sleeps):
    server.routes["/robots.txt"] = Response(body=b"User-agent: *\nCrawl-delay: 10\n")
    server.routes["/a"] = Response(body=b"<p>a</p>", headers=HTML)
    with fetcher(server, sleeps, run_budget=5.0) as f, \
            pytest.raises(RunBudgetSpent, match=r"fetch budget has \d.\d s left, less than the \d+.\d s delay "
                                                r"before the next request to 127.0.0.1$"):
        f.get(server.url("/a"))  # robots.txt asks 10 s between requests; 5 s are left
    assert server.hits == ["/robots.txt"] and sleeps.calls == []


# ------------------------------------------------------------------ a host that cannot be reached

def test_dns_failure_says_the_host_cannot_be_reached_and_is_not_retried(sleeps):
    with Fetcher(["nonexistent.invalid"], FAST, sleep=sleeps) as f:
        with pytest.raises(HostUnreachable) as info:
            f.get("http://nonexistent.invalid/courses")
        assert type(info.value) is HostUnreachable  # not RobotsDisallowed: robots.txt was never the problem
        assert info.value.url == "http://nonexistent.invalid/courses"
        assert info.value.reason.startswith("cannot reach nonexistent.invalid: DNS lookup failed (")
        assert info.value.reason.endswith("); not retried")
        assert "robots" not in info.value.reason
        with pytest.raises(HostUnreachable, match="DNS lookup failed"):  # known for the rest of the run
            f.get("http://nonexistent.invalid/other")
    assert sleeps.calls == []  # no backoff


def test_dns_failure_without_robots(sleeps):
    with Fetcher(["nonexistent.invalid"], replace(FAST, obey_robots=False), sleep=sleeps) as f, \
            pytest.raises(HostUnreachable, match="^http://nonexistent.invalid/x: cannot reach nonexistent.invalid: DNS"):
        f.get("http://nonexistent.invalid/x")
    assert sleeps.calls == []


# ------------------------------------------------------------------ content codings

PAGE = b"<html><body><p>" + "caf\u00e9 ".encode() * 500 + b"</p></body></html>"


@pytest.mark.parametrize("coding, body", [
    ("gzip", gzip.compress(PAGE)),
    ("x-gzip", gzip.compress(PAGE)),
    ("deflate", zlib.compress(PAGE)),  # zlib-wrapped, as RFC 9110 says
    ("deflate", zlib.compress(PAGE)[2:-4]),  # raw deflate, as some servers send
    ("gzip", gzip.compress(PAGE[:1000]) + gzip.compress(PAGE[1000:])),  # two gzip members
    ("identity", PAGE),
])
def test_content_codings_are_decoded(server, sleeps, coding, body):
    server.routes["/p"] = Response(body=body, headers={**HTML, "Content-Encoding": coding})
    with fetcher(server, sleeps, obey_robots=False) as f:
        page = f.get(server.url("/p"))
    assert page.content == PAGE and page.text == PAGE.decode()
    assert server.requests[-1].headers["accept-encoding"] == "gzip, deflate"


def test_single_gzip_bomb_is_refused_at_the_cap_of_decoded_bytes(server, sleeps):
    server.routes["/bomb"] = Response(body=gzip_zeros(64 << 20), headers={**HTML, "Content-Encoding": "gzip"})
    with fetcher(server, sleeps, max_bytes=1_000_000, obey_robots=False) as f, pytest.raises(TooLarge) as info:
        f.get(server.url("/bomb"))
    assert info.value.reason.startswith(
        "response larger than the 1,000,000-byte cap (gzip-coded; stopped at 1,000,001 decoded bytes from ")


@pytest.mark.parametrize("coding, expected", [
    ("gzip, gzip", "more than one content coding (gzip, gzip) is refused"),
    ("deflate, gzip", "more than one content coding (deflate, gzip) is refused"),
    ("br", "unsupported content coding 'br' (the fetcher asks for gzip, deflate)"),
    ("compress", "unsupported content coding 'compress'"),
])
def test_stacked_and_unknown_codings_are_refused(server, sleeps, coding, expected):
    server.routes["/bomb"] = Response(body=gzip_zeros(16 << 20, layers=2), headers={**HTML, "Content-Encoding": coding})
    with fetcher(server, sleeps, obey_robots=False) as f, pytest.raises(BadContent) as info:
        f.get(server.url("/bomb"))
    assert info.value.reason.startswith(expected)
    assert server.hits_for("/bomb") == 1


@pytest.mark.parametrize("body, expected", [
    (b"this is not gzip at all", "gzip-coded body does not decode"),
    (gzip.compress(PAGE)[:-30], "gzip-coded body ends before its end of stream"),
])
def test_corrupt_coded_body_is_bad_content(server, sleeps, body, expected):
    server.routes["/p"] = Response(body=body, headers={**HTML, "Content-Encoding": "gzip"})
    with fetcher(server, sleeps, obey_robots=False) as f, pytest.raises(BadContent, match=expected):
        f.get(server.url("/p"))


def test_gzipped_robots_txt_is_read(server, sleeps):
    server.routes["/robots.txt"] = Response(body=gzip_bytes(b"User-agent: *\nDisallow: /private\n"),
                                            headers={"Content-Type": "text/plain", "Content-Encoding": "gzip"})
    with fetcher(server, sleeps) as f, pytest.raises(RobotsDisallowed, match="robots.txt disallows"):
        f.get(server.url("/private/x"))


# Peak RSS of this process: VmHWM, which starts afresh at exec. (ru_maxrss would also count
# the pytest process the child was forked from: 364 MB before anything was fetched.)
PEAK_RSS = """
import resource
def peak_rss_mb():
    try:
        with open("/proc/self/status") as status:
            return int(next(l for l in status if l.startswith("VmHWM:")).split()[1]) // 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
"""
_RSS_PROBE = PEAK_RSS + """
import sys
from fetch import Fetcher, FetchSettings, FetchError
with Fetcher(["127.0.0.1"], FetchSettings(obey_robots=False, per_host_delay=0)) as f:
    try:
        f.get(sys.argv[1])
        print("fetched")
    except FetchError as exc:
        print(type(exc).__name__ + ": " + exc.reason)
print(peak_rss_mb())
"""


@pytest.mark.slow
@pytest.mark.parametrize("coding", ["gzip", "gzip, gzip"])
def test_gzip_bombs_stay_small_in_memory(server, coding):
    """1 GiB of zeros in ~1 MB (gzip) or ~2.5 KB (gzip, gzip): refused; the fetching process stays small."""
    server.routes["/bomb"] = Response(body=gzip_zeros(1 << 30, layers=2 if coding == "gzip, gzip" else 1),
                                      headers={**HTML, "Content-Encoding": coding})
    proc = subprocess.run([sys.executable, "-c", _RSS_PROBE, server.url("/bomb")], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, timeout=120)
    assert proc.returncode == 0, proc.stderr
    outcome, peak_mb = proc.stdout.strip().splitlines()
    if coding == "gzip":
        assert outcome.startswith("TooLarge: response larger than the 5,000,000-byte cap (gzip-coded;")
    else:
        assert outcome.startswith("BadContent: more than one content coding (gzip, gzip) is refused")
    # A bare fetch peaks at ~35 MB and these at ~45 MB; inflating a whole 64 KB chunk of the
    # single bomb at once peaked at 160 MB, a stacked 256 MiB bomb at 546 MB (bench/fetch_bombs.py).
    assert int(peak_mb) < 120


# ------------------------------------------------------------------ the budget and deadlines in a real run

@pytest.mark.slow
@pytest.mark.usefixtures("prefect_harness")
def test_refresh_fails_the_slow_source_with_one_reason_and_loads_the_other(tmp_path):
    """Through the refresh flow: the page deadline comes from the sources file, the budget is the run's."""
    from flows.refresh import refresh
    from tests.conftest import SAMPLES, empty_warehouse
    from tests.helpers import without_workshop_links
    from tests.localserver import local_sources_file

    with LocalServer() as srv:
        catalogue = without_workshop_links((SAMPLES / "cupe-workshops" / "workshops.html").read_text(encoding="utf-8"))
        srv.routes["/cupe"] = Response(body=catalogue.encode(), headers=HTML)  # the catalogue alone
        srv.routes["/aupe"] = replace(TRICKLE, body=b"<p>" + b"x" * 993 + b"</p>")  # 50 s at this pace
        # aupe-courses on another host name (localhost): the per-host gate does not make the
        # CUPE fetch wait behind the trickle, whichever source's thread reaches it first.
        aupe_url = srv.url("/aupe").replace("127.0.0.1", "localhost")
        src = local_sources_file(tmp_path / "s.toml", {"cupe-workshops": srv.url("/cupe"), "aupe-courses": aupe_url})
        src.write_text(src.read_text().replace('allowed_hosts = ["127.0.0.1"]', 'allowed_hosts = ["127.0.0.1", "localhost"]'))
        settings = replace(FAST, obey_robots=False)

        # aupe-courses is the file's last entry: a key appended is its own page deadline.
        deadline_src = tmp_path / "deadline.toml"
        deadline_src.write_text(src.read_text() + "page_deadline = 0.5\n")
        summary = refresh(db_path=str(empty_warehouse(tmp_path / "a.duckdb")), sources_file=str(deadline_src),
                          archive_dir=str(tmp_path / "archive"), fetch_settings=settings)
        assert summary.status == "partial" and summary.sources["cupe-workshops"]["status"] == "loaded"
        (line,) = summary.failures
        assert line.startswith(f"aupe-courses: {aupe_url}: page not received within its 0.5 s deadline (")

        # Default page deadline (30 s), a run budget of 6 s: the budget ends the trickle.
        summary = refresh(db_path=str(empty_warehouse(tmp_path / "b.duckdb")), sources_file=str(src),
                          archive_dir=str(tmp_path / "archive"), fetch_settings=replace(settings, run_budget=6.0))
        assert summary.status == "partial" and summary.sources["cupe-workshops"]["status"] == "loaded"
        (line,) = summary.failures
        assert line.startswith(
            f"aupe-courses: {aupe_url}: the run's 6 s fetch budget ran out while fetching this page (")
