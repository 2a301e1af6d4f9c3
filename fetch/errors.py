"""Exceptions raised by :mod:`fetch`.

Every exception carries the URL the caller asked for (``url``) and a one-line,
operator-readable ``reason``; ``str(exc)`` is ``"{url}: {reason}"``.

    FetchError                  anything that stopped us getting a usable page
    ├── TransientFetchError     retry budget spent on a transient fault
    ├── HostUnreachable         the host's name does not resolve (DNS) or no route: not retried
    ├── DeadlineExceeded        one page took longer than its deadline (a trickling server)
    ├── RunBudgetSpent          the run's fetch budget ran out (or a wait would pass it)
    ├── PageCapReached          the source's max_pages ran out before the listing's own next page
    ├── RobotsDisallowed        robots.txt forbids the URL (or robots.txt failed)
    ├── HostNotAllowed          URL / redirect outside the allowed hosts
    ├── TooLarge                body over the size cap
    ├── TooManyRedirects        redirect chain too long or looping
    └── BadContent              empty body or a non HTML/text content type

A plain ``FetchError`` is raised for permanent HTTP answers (404, 403, 410 ...)
and invalid URLs; ``status`` holds the HTTP status when one caused the error.
"""

from __future__ import annotations

__all__ = [
    "FetchError",
    "TransientFetchError",
    "HostUnreachable",
    "DeadlineExceeded",
    "RunBudgetSpent",
    "PageCapReached",
    "RobotsDisallowed",
    "HostNotAllowed",
    "TooLarge",
    "TooManyRedirects",
    "BadContent",
]


class FetchError(Exception):
    """Base class: fetching ``url`` failed for ``reason``."""

    def __init__(self, url: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = " ".join(reason.split())  # always one line
        self.status = status

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"

    def __reduce__(self):  # keep ``status`` across pickling (e.g. Prefect results)
        return (_rebuild, (type(self), self.url, self.reason, self.status))


def _rebuild(cls: type[FetchError], url: str, reason: str, status: int | None) -> FetchError:
    return cls(url, reason, status=status)


class TransientFetchError(FetchError):
    """Gave up after the retry budget on connect errors, timeouts, 429, 5xx or a cut body."""


class HostUnreachable(FetchError):
    """The host cannot be reached at all: its DNS lookup failed, or the network has no route to it.

    Not transient within a run, so it is not retried, and later URLs of the host fail at once.
    """


class DeadlineExceeded(FetchError):
    """The page was not received within ``FetchSettings.page_deadline`` seconds (not retried)."""


class RunBudgetSpent(FetchError):
    """The run's fetch budget (``FetchSettings.run_budget``) ran out, or a wait would pass it."""


class PageCapReached(FetchError):
    """The source's page cap (``max_pages``) was reached while the listing itself still had a
    next page (``url``): loading the pages fetched so far would cut the listing short, and its
    courses would be recorded as removed."""


class RobotsDisallowed(FetchError):
    """robots.txt disallows the URL, or robots.txt answered 5xx / was unreachable."""


class HostNotAllowed(FetchError):
    """The URL, or a redirect target, is not on an allowed host (or not http/https)."""


class TooLarge(FetchError):
    """The response body exceeds ``FetchSettings.max_bytes``."""


class TooManyRedirects(FetchError):
    """More than ``FetchSettings.max_redirects`` redirects, or a redirect loop."""


class BadContent(FetchError):
    """HTTP 2xx with an empty body, or a content type that is not HTML or text."""
