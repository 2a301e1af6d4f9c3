"""Progress events from the stages to whoever shows them (the CLI's progress bars).

Stages call ``report("fetch", source)`` per page; nothing happens unless a
reporter is installed, so library and test use pay nothing.
"""
from __future__ import annotations

from collections.abc import Callable

Reporter = Callable[[str, str, int], None]
_reporter: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    global _reporter
    _reporter = reporter


def report(stage: str, source: str, n: int = 1) -> None:
    if _reporter is not None:
        _reporter(stage, source, n)
