"""Per-host politeness shared by the fetchers of one run.

Sources are fetched concurrently (one Fetcher per source, each in its own task thread). Two
sources on the same host must still look like one polite client to that host: one request at
a time, and the per-host delay (or robots.txt's Crawl-delay) between the end of one request and
the start of the next, whichever fetcher made it. ``HostGate`` holds, per host, a lock and the
time the last request to it ended; every Fetcher of a run is given the same gate.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class HostBusy(Exception):
    """The host's lock was not free within the time the caller could wait."""


class HostGate:
    """One lock and one "last request ended at" clock reading per host name."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}

    def _lock(self, host: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(host)
            if lock is None:
                lock = self._locks[host] = threading.Lock()
            return lock

    @contextmanager
    def hold(self, host: str, timeout: float | None = None) -> Iterator[None]:
        """Hold the host for one request (its politeness wait included); HostBusy after ``timeout`` s."""
        lock = self._lock(host)
        if not lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
            raise HostBusy(host)
        try:
            yield
        finally:
            lock.release()

    def last_request(self, host: str) -> float | None:
        """When the last request to ``host`` ended (the fetchers' clock), or None if none was made."""
        return self._last.get(host)

    def mark(self, host: str, when: float) -> None:
        self._last[host] = when


def wait_time(gate: HostGate, host: str, delay: float, clock: Callable[[], float]) -> float:
    """Seconds still to wait before the next request to ``host``, given the delay it asks for."""
    last = gate.last_request(host)
    return 0.0 if last is None else delay - (clock() - last)
