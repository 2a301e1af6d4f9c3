"""The one exception a parser raises: the page as a whole could not be read."""
from __future__ import annotations


class ParseError(Exception):
    """A page could not be parsed at all. Carries the page and the reason."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
