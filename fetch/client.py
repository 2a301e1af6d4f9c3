"""A polite, defensive HTTP fetcher for HTML pages.

One :class:`Fetcher` owns one ``httpx.Client`` and adds what a crawler needs on
top of it: an allowed-hosts fence, robots.txt, a per-host politeness delay,
retries with backoff, conditional requests, hand-followed redirects, a body
size cap (on decoded bytes, content codings inflated incrementally), content
checks and charset detection.

Time is bounded whatever the server does. Each request has an overall deadline
(``page_deadline``: connect to last byte; a server trickling one byte a second
cannot extend it), and all the fetching of a run shares one budget
(``run_budget``, a monotonic ``run_deadline`` set once per run by
:meth:`FetchSettings.for_run`): every wait (backoff, ``Retry-After``, politeness
delay) and every request is cut to what is left of it. The retry policy lives
here and nowhere else: transient faults are retried ``attempts`` times; a
``Retry-After`` longer than ``retry_after_max`` or than the budget left, a page
past its deadline, and a host whose name does not resolve fail at once.

``allowed_hosts`` entries are either a bare host name (``"cupe.ca"``,
``"127.0.0.1"``), which matches that host on ANY port, or ``"host:port"``
(``"127.0.0.1:8123"``), which matches only that port (the scheme's default port
when the URL has none).  Matching is exact and case-insensitive: ``cupe.ca`` does
not admit ``www.cupe.ca``; list both.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import random
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx
from protego import Protego

from .codings import ACCEPT_ENCODING, BodyDecoder, CodingError, content_coding
from .deadline import DeadlineBackend, deadline_transport
from .hosts import HostBusy, HostGate, wait_time
from .errors import (
    BadContent,
    DeadlineExceeded,
    FetchError,
    HostNotAllowed,
    HostUnreachable,
    RobotsDisallowed,
    RunBudgetSpent,
    TooLarge,
    TooManyRedirects,
    TransientFetchError,
)

__all__ = ["FetchSettings", "Page", "Fetcher", "decode"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
ROBOTS_MAX_BYTES = 512_000  # RFC 9309: parse at least the first 500 KiB
_DRAIN_MAX = 65_536  # a status-only answer this short is read to its end, keeping the connection
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = "union-courses/0.1 (+https://github.com/union-courses/union-courses)"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    attempts: int = 4  # total tries per URL (per redirect hop)
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    jitter: float = 0.3  # +/- fraction applied to each backoff
    retry_after_max: float = 120.0  # longest Retry-After honoured; a longer one fails the page at once
    per_host_delay: float = 1.0  # min seconds between two requests to one host
    max_bytes: int = 5_000_000  # cap on the decoded body
    max_redirects: int = 5
    obey_robots: bool = True
    page_deadline: float = 30.0  # one request, connect to last byte; exceeded: the page fails, not retried
    run_budget: float = 1200.0  # seconds for all the fetching of one run, waits included
    run_deadline: float | None = None  # time.monotonic() when the run's budget ends (see for_run)

    def for_run(self, now: float | None = None) -> FetchSettings:
        """These settings with the run's budget starting now; share the result between the run's fetchers.

        Settings that already carry a ``run_deadline`` are returned unchanged. A Fetcher given
        settings without one starts its own budget when it is created.
        """
        if self.run_deadline is not None:
            return self
        return replace(self, run_deadline=(time.monotonic() if now is None else now) + self.run_budget)

    def for_source(self, source: object) -> FetchSettings:
        """These settings with the source's own ``page_deadline`` (a sources-file key, default 30 s).

        The source's value wins over the settings' own: the sources file is where a deadline is set.
        """
        deadline = getattr(source, "page_deadline", None)
        return self if deadline is None else replace(self, page_deadline=float(deadline))

    @property
    def robots_agent(self) -> str:
        """The product token robots.txt rules are matched against ("union-courses")."""
        token = self.user_agent.split("/", 1)[0].split()
        return token[0] if token else self.user_agent


@dataclass
class Page:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content: bytes  # raw (content-decoded) body; b"" for 304
    text: str  # decoded body; "" for 304
    encoding: str  # codec used for ``text`` ("utf-8", "windows-1252", ...); "" for 304
    content_type: str  # the Content-Type header as sent ("" if absent)
    content_hash: str  # sha256 hex of ``content``; for 304 the caller's previous_hash
    etag: str | None
    last_modified: str | None
    fetched_at: datetime  # UTC, tz-aware
    not_modified: bool = False  # True on 304


# --------------------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
# WHATWG: these labels mean windows-1252 in practice (pages say latin-1 and use 0x93).
_AS_WINDOWS_1252 = {"latin_1", "iso8859-1", "iso-8859-1", "ascii", "us-ascii", "cp1252"}
_PRETTY = {"cp1252": "windows-1252", "latin_1": "iso-8859-1", "ascii": "us-ascii"}


def _codec(label: str | None) -> str | None:
    """Normalise a charset label to a codec name Python knows, or None."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if name in _AS_WINDOWS_1252:
        return "cp1252"
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return "utf-8"  # an ASCII-compatible declaration can't be UTF-16; WHATWG says utf-8
    return name


def _charset_param(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _try(content: bytes, codec: str) -> tuple[str, str] | None:
    try:
        return content.decode(codec), _PRETTY.get(codec, codec)
    except UnicodeDecodeError:
        return None


def decode(content: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode an HTML/text body; return ``(text, encoding_used)``.

    Order: byte-order mark; ``charset`` in the Content-Type header; a
    ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` in the first 4 KB;
    then utf-8, falling back to windows-1252.  ISO-8859-1 and ASCII labels are
    read as windows-1252, as browsers do.  A declared charset that fails to decode
    falls through to the next step; the last resort is windows-1252 with
    replacement characters.
    """
    if content.startswith(codecs.BOM_UTF8):
        return content[3:].decode("utf-8", errors="replace"), "utf-8"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", errors="replace"), "utf-16"

    candidates: list[str] = []
    for label in (_charset_param(content_type), _meta_charset(content[:4096])):
        codec = _codec(label)
        if codec and codec not in candidates:
            candidates.append(codec)
    for codec in ("utf-8", "cp1252"):
        if codec not in candidates:
            candidates.append(codec)
    for codec in candidates:
        result = _try(content, codec)
        if result is not None:
            return result
    return content.decode("cp1252", errors="replace"), "windows-1252"


def _meta_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


# --------------------------------------------------------------------------- helpers


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


_DNS_MESSAGES = ("name or service not known", "temporary failure in name resolution", "nodename nor servname",
                 "no address associated with hostname", "getaddrinfo failed")


def _unreachable(host: str, exc: BaseException) -> str | None:
    """The reason a connect error means the host cannot be reached in this run, else None.

    A failed DNS lookup (``socket.gaierror`` under httpx's ConnectError) or a network with
    no route at all: neither is a fault a few seconds of backoff repair.
    """
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return f"cannot reach {host}: DNS lookup failed ({cause.strerror or _one_line(cause)})"
        if isinstance(cause, OSError) and cause.errno == errno.ENETUNREACH:
            return f"cannot reach {host}: no route to the network ({cause.strerror})"
        cause = cause.__cause__ or cause.__context__
    text = _one_line(exc)
    if any(m in text.lower() for m in _DNS_MESSAGES):
        return f"cannot reach {host}: DNS lookup failed ({text})"
    return None


def _status_text(status: int, phrase: str = "") -> str:
    phrase = phrase or httpx.codes.get_reason_phrase(status)
    return f"HTTP {status} {phrase}".rstrip()


@dataclass
class _Raw:
    """One finished HTTP exchange (body already read and checked)."""

    url: str
    status: int
    phrase: str
    headers: httpx.Headers
    content: bytes = b""


@dataclass
class _Exchange:
    """The time limit of one request and how far it got (for the message when it is cut)."""

    deadline: float  # clock() value
    limit: float  # seconds allowed
    by_run: bool  # the run's budget, not the page deadline, set the limit
    received: int = 0  # bytes on the wire so far
    expected: int | None = None  # Content-Length


@dataclass
class _Robots:
    parser: Protego | None = None  # None: everything allowed
    refusal: str | None = None  # set: host treated as fully disallowed, with this reason


class _RobotsRedirect(Exception):
    pass


# --------------------------------------------------------------------------- fetcher


class Fetcher:
    """Fetch HTML pages politely from a fixed set of hosts.

    Use as a context manager (or call :meth:`close`).  See the module docstring for
    the ``allowed_hosts`` rule.
    """

    def __init__(
        self,
        allowed_hosts: Iterable[str],
        settings: FetchSettings = FetchSettings(),
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        hosts: HostGate | None = None,
        on_retry: Callable[[str, str, float], None] | None = None,
    ) -> None:
        self.settings = settings
        # Told (url, problem, wait in s) before each retry: progress for an operator.
        self._on_retry = on_retry
        # Per-host lock and last-request time; the fetchers of one run share one gate (fetch/hosts.py).
        self._hosts = hosts if hosts is not None else HostGate()
        self._sleep = sleep
        self._clock = clock
        self._run_deadline = settings.run_deadline if settings.run_deadline is not None else (
            clock() + settings.run_budget)
        self._unreachable_hosts: dict[str, str] = {}  # host -> reason (DNS failed): later URLs fail at once
        # Each request's deadline is enforced on the socket (fetch/deadline.py); a transport given
        # by the caller (tests of odd transports) has only the check between body chunks.
        self._deadlines: DeadlineBackend | None = None
        if transport is None:
            self._deadlines = DeadlineBackend(clock)
            transport = deadline_transport(self._deadlines)
        self._allowed: list[str] = []
        self._any_port: set[str] = set()
        self._exact: set[tuple[str, int]] = set()
        for entry in allowed_hosts:
            self._add_allowed(entry)
        if not self._allowed:
            raise ValueError("allowed_hosts is empty: the fetcher could fetch nothing")
        self._robots: dict[str, _Robots] = {}
        self._crawl_delay: dict[str, float] = {}
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            follow_redirects=False,
        )

    # -- lifecycle
    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- allowed hosts
    def _add_allowed(self, entry: str) -> None:
        text = entry.strip().lower()
        if not text or "/" in text or "@" in text:
            raise ValueError(f"allowed host {entry!r} must be 'host' or 'host:port', not a URL")
        try:
            url = httpx.URL(f"http://{text}/")
        except httpx.InvalidURL as exc:
            raise ValueError(f"allowed host {entry!r} is not a host name: {exc}") from None
        host = url.host
        if url.port is None and not text.endswith(":80"):
            self._any_port.add(host)
        else:
            self._exact.add((host, url.port or 80))
        if text not in self._allowed:
            self._allowed.append(text)

    def _is_allowed(self, url: httpx.URL) -> bool:
        port = url.port or _DEFAULT_PORTS.get(url.scheme, 0)
        return url.host in self._any_port or (url.host, port) in self._exact

    def _check_url(self, requested: str, url: httpx.URL, *, redirect: bool) -> None:
        what = f"redirect to {url}" if redirect else "host"
        if url.scheme not in _DEFAULT_PORTS:
            raise HostNotAllowed(
                requested, f"{what}: only http and https URLs are fetched, not {url.scheme or 'no scheme'!s}"
            )
        if not url.host or not self._is_allowed(url):
            allowed = ", ".join(self._allowed)
            if redirect:
                reason = f"redirect to {url} leaves the allowed hosts ({allowed})"
            else:
                reason = f"host {url.netloc.decode('ascii', 'replace')} is not in the allowed hosts ({allowed})"
            raise HostNotAllowed(requested, reason)

    # -- public API
    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        previous_hash: str | None = None,
    ) -> Page:
        """GET ``url`` and return a :class:`Page`, or raise a :class:`FetchError` subclass.

        With ``etag`` / ``last_modified`` the request is conditional; a 304 answer
        returns ``Page(not_modified=True, status=304, content_hash=previous_hash)``.
        """
        try:
            current = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(url, f"invalid URL: {_one_line(exc)}") from None
        self._check_url(url, current, redirect=False)

        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified

        seen = {str(current)}
        redirects = 0
        while True:
            self._check_robots(url, current)
            raw = self._send(url, current, headers, robots=False)
            if raw.status in REDIRECT_STATUSES:
                target = self._redirect_target(url, raw)
                redirects += 1
                if str(target) in seen:
                    raise TooManyRedirects(url, f"redirect loop: {raw.url} redirects back to {target}")
                if redirects > self.settings.max_redirects:
                    raise TooManyRedirects(
                        url, f"more than {self.settings.max_redirects} redirects (last one to {target})"
                    )
                self._check_url(url, target, redirect=True)
                seen.add(str(target))
                current = target
                continue
            return self._page(url, raw, etag, last_modified, previous_hash)

    # -- steps
    def _redirect_target(self, requested: str, raw: _Raw) -> httpx.URL:
        location = raw.headers.get("location")
        if not location:
            raise FetchError(
                requested, f"{_status_text(raw.status, raw.phrase)} without a Location header", status=raw.status
            )
        try:
            return httpx.URL(raw.url).join(location.strip())
        except httpx.InvalidURL as exc:
            raise FetchError(requested, f"redirect to an invalid URL {location!r}: {_one_line(exc)}") from None

    def _page(
        self, requested: str, raw: _Raw, etag: str | None, last_modified: str | None, previous_hash: str | None
    ) -> Page:
        now = datetime.now(timezone.utc)
        if raw.status == 304:
            if not (etag or last_modified):
                raise FetchError(requested, "HTTP 304 Not Modified to a request that was not conditional", status=304)
            return Page(
                url=requested,
                final_url=raw.url,
                status=304,
                content=b"",
                text="",
                encoding="",
                content_type=raw.headers.get("content-type", ""),
                content_hash=previous_hash or "",
                etag=raw.headers.get("etag") or etag,
                last_modified=raw.headers.get("last-modified") or last_modified,
                fetched_at=now,
                not_modified=True,
            )
        if not 200 <= raw.status < 300:
            where = "" if raw.url == requested else f" (at {raw.url})"
            raise FetchError(requested, _status_text(raw.status, raw.phrase) + where, status=raw.status)
        content_type = raw.headers.get("content-type", "")
        text, encoding = decode(raw.content, content_type)
        return Page(
            url=requested,
            final_url=raw.url,
            status=raw.status,
            content=raw.content,
            text=text,
            encoding=encoding,
            content_type=content_type,
            content_hash=hashlib.sha256(raw.content).hexdigest(),
            etag=raw.headers.get("etag"),
            last_modified=raw.headers.get("last-modified"),
            fetched_at=now,
            not_modified=False,
        )

    # -- robots.txt
    def _check_robots(self, requested: str, url: httpx.URL) -> None:
        if not self.settings.obey_robots:
            return
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        rules = self._robots.get(origin)
        if rules is None:
            try:
                rules = self._robots[origin] = self._load_robots(origin)
            except (HostUnreachable, RunBudgetSpent) as exc:  # about the host or the run, not robots.txt
                raise type(exc)(requested, exc.reason, status=exc.status) from None
        hop = "" if str(url) == requested else f" (redirect target {url})"
        if rules.refusal:
            raise RobotsDisallowed(requested, rules.refusal + hop)
        if rules.parser is not None and not rules.parser.can_fetch(str(url), self.settings.robots_agent):
            raise RobotsDisallowed(
                requested, f"robots.txt disallows this URL for user agent {self.settings.robots_agent}{hop}"
            )

    def _load_robots(self, origin: str) -> _Robots:
        robots_url = httpx.URL(origin + "/robots.txt")
        seen = {str(robots_url)}
        try:
            for _ in range(self.settings.max_redirects + 1):
                raw = self._send(str(robots_url), robots_url, {}, robots=True)
                if raw.status not in REDIRECT_STATUSES:
                    break
                location = raw.headers.get("location")
                if not location:
                    return _Robots()
                robots_url = robots_url.join(location.strip())
                if str(robots_url) in seen or robots_url.scheme not in _DEFAULT_PORTS or not self._is_allowed(robots_url):
                    return _Robots()  # RFC 9309: unusable redirects -> "unavailable" -> allow all
                seen.add(str(robots_url))
            else:
                return _Robots()
        except (HostUnreachable, RunBudgetSpent):
            raise
        except TransientFetchError as exc:
            problem = exc.reason.split(": ", 1)[-1]
            answer = f"answered {problem}" if exc.status else f"could not be fetched ({problem})"
            return _Robots(
                refusal=f"robots.txt {answer} after {max(1, self.settings.attempts)} attempts; "
                f"treating {origin} as fully disallowed"
            )
        except DeadlineExceeded as exc:
            return _Robots(refusal=f"robots.txt could not be fetched ({exc.reason}); "
                           f"treating {origin} as fully disallowed")
        except (FetchError, httpx.InvalidURL):
            return _Robots()
        if 200 <= raw.status < 300:
            text, _ = decode(raw.content, raw.headers.get("content-type"))
            parser = Protego.parse(text)
            delay = parser.crawl_delay(self.settings.robots_agent)
            if delay:
                host = self._host_key(httpx.URL(origin))
                self._crawl_delay[host] = max(self._crawl_delay.get(host, 0.0), float(delay))
            return _Robots(parser=parser)
        if raw.status >= 500:  # e.g. 501, not in the retry set
            return _Robots(
                refusal=f"robots.txt answered {_status_text(raw.status, raw.phrase)}; "
                f"treating {origin} as fully disallowed"
            )
        return _Robots()  # 4xx (404, 410, 403 ...) or odd 1xx/3xx: no rules

    # -- politeness
    @staticmethod
    def _host_key(url: httpx.URL) -> str:
        return url.host

    def _wait_for_host(self, requested: str, url: httpx.URL) -> None:
        key = self._host_key(url)
        delay = max(self.settings.per_host_delay, self._crawl_delay.get(key, 0.0))
        wait = wait_time(self._hosts, key, delay, self._clock)
        if wait > 0:
            left = self._budget_left()
            if wait >= left:
                raise RunBudgetSpent(
                    requested, f"the run's {self.settings.run_budget:g} s fetch budget has {max(0.0, left):.1f} s "
                    f"left, less than the {wait:.1f} s delay before the next request to {key}")
            self._sleep(wait)

    # -- the run's budget
    def _budget_left(self) -> float:
        return self._run_deadline - self._clock()

    def _budget_spent(self, requested: str) -> RunBudgetSpent:
        return RunBudgetSpent(
            requested, f"the run's {self.settings.run_budget:g} s fetch budget ran out before this page was fetched")

    # -- HTTP with retries
    def _backoff(self, attempt: int) -> float:
        s = self.settings
        base = min(s.backoff_max, s.backoff_base * 2 ** (attempt - 1))
        return max(0.0, base * (1 + random.uniform(-s.jitter, s.jitter)))

    def _send(self, requested: str, url: httpx.URL, headers: dict[str, str], *, robots: bool) -> _Raw:
        """One URL (one redirect hop) with the retry policy: the only retries of a fetch."""
        s = self.settings
        attempts = max(1, s.attempts)
        where = "" if str(url) == requested else f" (at {url})"
        known = self._unreachable_hosts.get(url.host)
        if known:
            raise HostUnreachable(requested, f"{known}; not retried{where}")
        for attempt in range(1, attempts + 1):
            if self._budget_left() <= 0:
                raise self._budget_spent(requested)
            retry_after: float | None = None
            status: int | None = None
            try:
                raw = self._send_once(requested, url, headers, robots=robots)
            except httpx.TimeoutException as exc:
                problem = self._describe_timeout(exc)
            except httpx.RemoteProtocolError as exc:
                problem = f"connection closed before the response was complete ({_one_line(exc)})"
            except httpx.ConnectError as exc:
                unreachable = _unreachable(url.host, exc)
                if unreachable:
                    self._unreachable_hosts[url.host] = unreachable
                    raise HostUnreachable(requested, f"{unreachable}; not retried{where}") from None
                problem = f"connection failed ({_one_line(exc)})"
            except httpx.NetworkError as exc:  # ReadError, WriteError, CloseError
                problem = f"network error ({type(exc).__name__}: {_one_line(exc)})"
            else:
                if raw.status not in RETRY_STATUSES:
                    return raw
                status = raw.status
                problem = _status_text(raw.status, raw.phrase)
                retry_after = _parse_retry_after(raw.headers.get("retry-after"))
            if attempt == attempts:
                raise TransientFetchError(
                    requested, f"gave up after {attempts} attempts: {problem}{where}", status=status
                )
            if retry_after is not None and retry_after > s.retry_after_max:
                raise TransientFetchError(
                    requested, f"{problem} asks to retry after {retry_after:.0f} s, longer than the "
                    f"{s.retry_after_max:g} s the fetcher waits; not retried{where}", status=status)
            wait = retry_after if retry_after is not None else self._backoff(attempt)
            left = self._budget_left()
            if wait >= left:
                asked = (f"asks to retry after {retry_after:.0f} s" if retry_after is not None
                         else f"(attempt {attempt} of {attempts}) would be retried after {wait:.1f} s")
                raise RunBudgetSpent(
                    requested, f"{problem} {asked}, longer than the {max(0.0, left):.0f} s left of the run's "
                    f"{s.run_budget:g} s fetch budget; not retried{where}", status=status)
            if self._on_retry is not None:
                self._on_retry(requested, problem, wait)
            self._sleep(wait)
        raise AssertionError("unreachable")

    def _describe_timeout(self, exc: httpx.TimeoutException) -> str:
        s = self.settings
        if isinstance(exc, httpx.ConnectTimeout):
            return f"connect timeout (no connection within {s.connect_timeout:g} s)"
        if isinstance(exc, httpx.ReadTimeout):
            return f"read timeout (no data for {s.read_timeout:g} s)"
        if isinstance(exc, httpx.WriteTimeout):
            return f"write timeout ({s.read_timeout:g} s)"
        return f"timeout ({type(exc).__name__})"

    def _send_once(self, requested: str, url: httpx.URL, headers: dict[str, str], *, robots: bool) -> _Raw:
        """One request, holding the host: no other fetcher of the run talks to it meanwhile."""
        key = self._host_key(url)
        try:
            with self._hosts.hold(key, timeout=self._budget_left()):
                return self._send_held(requested, url, headers, robots=robots)
        except HostBusy:
            raise RunBudgetSpent(
                requested, f"the run's {self.settings.run_budget:g} s fetch budget ran out while waiting for "
                f"another source's request to {key}") from None

    def _send_held(self, requested: str, url: httpx.URL, headers: dict[str, str], *, robots: bool) -> _Raw:
        self._wait_for_host(requested, url)
        s = self.settings
        cap = min(s.max_bytes, ROBOTS_MAX_BYTES) if robots else s.max_bytes
        now = self._clock()
        run_left = self._run_deadline - now
        if run_left <= 0:
            raise self._budget_spent(requested)
        limit = min(s.page_deadline, run_left)
        exchange = _Exchange(deadline=now + limit, limit=limit, by_run=run_left < s.page_deadline)
        if self._deadlines is not None:
            self._deadlines.deadline = exchange.deadline
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                raw = _Raw(str(url), response.status_code, response.reason_phrase, response.headers)
                if not 200 <= response.status_code < 300:
                    # Status-only answers: the body is not needed. A bodyless or short one is read
                    # to its end all the same, so the connection is kept for the next request (an
                    # unread body closes it: a nightly of 304s would open a connection per page).
                    length = response.headers.get("content-length", "").strip()
                    if response.status_code in (204, 304) or (length.isdigit() and int(length) <= _DRAIN_MAX):
                        try:
                            response.read()
                        except httpx.HTTPError:
                            pass  # the status is the answer; the connection closes as it would unread
                    return raw
                if not robots:
                    self._check_headers(requested, url, response)
                length = response.headers.get("content-length", "").strip()
                exchange.expected = int(length) if length.isdigit() else None
                raw.content = self._read_body(requested, url, response, cap, exchange, truncate=robots)
                if not raw.content and not robots:
                    raise BadContent(requested, f"empty body ({_status_text(raw.status, raw.phrase)} with 0 bytes)")
                return raw
        except httpx.TimeoutException:
            if self._clock() >= exchange.deadline - 0.01:  # the wait was cut to the deadline
                raise self._late(requested, url, exchange) from None
            raise
        finally:
            if self._deadlines is not None:
                self._deadlines.deadline = None
            self._hosts.mark(self._host_key(url), self._clock())

    def _late(self, requested: str, url: httpx.URL, exchange: _Exchange) -> FetchError:
        """The error for a request cut by its deadline, or by the run's budget."""
        got = f"{exchange.received:,} bytes received"
        if exchange.expected is not None:
            got += f" of {exchange.expected:,}"
        where = "" if str(url) == requested else f" (at {url})"
        if exchange.by_run:
            return RunBudgetSpent(
                requested, f"the run's {self.settings.run_budget:g} s fetch budget ran out while fetching this page "
                f"({got} in {exchange.limit:.1f} s){where}")
        return DeadlineExceeded(
            requested, f"page not received within its {self.settings.page_deadline:g} s deadline ({got}); "
            f"not retried{where}")

    def _check_headers(self, requested: str, url: httpx.URL, response: httpx.Response) -> None:
        media = _media_type(response.headers.get("content-type"))
        if media and media not in TEXT_TYPES:
            raise BadContent(requested, f"content type {media} is not HTML or text")
        length = response.headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > self.settings.max_bytes:
            raise TooLarge(
                requested,
                f"response larger than the {self.settings.max_bytes:,}-byte cap (Content-Length {int(length):,})",
            )

    def _read_body(
        self, requested: str, url: httpx.URL, response: httpx.Response, cap: int, exchange: _Exchange,
        *, truncate: bool
    ) -> bytes:
        """Read the raw body, decode its content coding as it arrives, stop past ``cap`` decoded bytes.

        Every socket read waits at most what is left of the request's deadline (fetch/deadline.py),
        and the deadline is checked after each chunk: a server sending a byte at a time is cut at
        the deadline, not a read timeout per byte later.
        """
        try:
            decoder = BodyDecoder(content_coding(response.headers.get("content-encoding")))
        except CodingError as exc:
            raise BadContent(requested, str(exc)) from None
        body = bytearray()
        for chunk in response.iter_raw():
            exchange.received += len(chunk)
            now = self._clock()
            if now >= exchange.deadline:
                raise self._late(requested, url, exchange)
            try:
                body += decoder.feed(chunk, cap - len(body))
            except CodingError as exc:
                raise BadContent(requested, str(exc)) from None
            if len(body) > cap or exchange.received > cap:
                if truncate:
                    return bytes(body[:cap])
                if decoder.coding == "identity":
                    detail = f"stopped reading at {exchange.received:,} bytes"
                else:
                    detail = (f"{decoder.coding}-coded; stopped at {len(body):,} decoded bytes "
                              f"from {exchange.received:,} bytes received")
                raise TooLarge(requested, f"response larger than the {cap:,}-byte cap ({detail})")
        try:
            decoder.finish()
        except CodingError as exc:
            raise BadContent(requested, str(exc)) from None
        return bytes(body)
