"""Exceptions raised by :mod:`fetch`.

Every exception carries the URL the caller asked for (``url``) and a one-line,
operator-readable ``reason``; ``str(exc)`` is ``"{url}: {reason}"``.

    FetchError                  anything that stopped us getting a usable page
    ├── TransientFetchError     retry budget spent on a transient fault
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
