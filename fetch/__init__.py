"""Polite, defensive fetching of course pages: ``Fetcher(allowed_hosts).get(url) -> Page``."""

from .client import Fetcher, FetchSettings, Page, decode
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

__all__ = [
    "Fetcher",
    "FetchSettings",
    "Page",
    "decode",
    "FetchError",
    "TransientFetchError",
    "HostUnreachable",
    "DeadlineExceeded",
    "RunBudgetSpent",
    "RobotsDisallowed",
    "HostNotAllowed",
    "TooLarge",
    "TooManyRedirects",
    "BadContent",
]
