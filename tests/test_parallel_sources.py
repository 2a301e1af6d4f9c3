"""Sources are fetched concurrently, and politely: the refresh flow on the thread-pool task runner,
real HTTP on two loopback hosts (127.0.0.1 and 127.0.0.2), a real DuckDB file.

Every request is logged by the server with the time it arrived and the time it was answered
(each answer takes LATENCY s). Two sources on one host must never have requests in flight at
the same time, and must leave the per-host delay between one answer and the next request; a
source on another host must be fetched meanwhile. No timings are asserted, only the order of
the logged intervals.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import pytest

from fetch.client import FetchSettings
from flows.refresh import refresh
from tests.conftest import SAMPLES, empty_warehouse
from tests.helpers import without_workshop_links
from tests.localserver import LocalServer, Request, Response

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]
LATENCY = 0.3
DELAY = 0.2
POLITE = FetchSettings(per_host_delay=DELAY, backoff_base=0.01, attempts=2, connect_timeout=2, read_timeout=5)
# 84 CUPE listings; its links to workshop pages taken out (this server serves none)
PAGE = without_workshop_links((SAMPLES / "cupe-workshops" / "workshops.html").read_text(encoding="utf-8")).encode()


class RequestLog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: list[tuple[str, str, float, float]] = []  # host, path, arrived, answered

    def route(self, host: str, response: Response):
        def answer(request: Request) -> Response:
            arrived = time.monotonic()
            time.sleep(LATENCY)
            with self.lock:
                self.entries.append((host, request.path, arrived, time.monotonic()))
            return response
        return answer

    def of(self, host: str) -> list[tuple[float, float]]:
        return sorted((a, b) for h, _, a, b in self.entries if h == host)


def serve(srv: LocalServer, log: RequestLog, paths: list[str]) -> None:
    srv.routes["/robots.txt"] = log.route(srv.address, Response(status=404, body=b"none"))
    for path in paths:
        srv.routes[path] = log.route(srv.address, Response(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"}))


def sources_file(path: Path, entries: dict[str, tuple[LocalServer, str]]) -> Path:
    lines = []
    for name, (srv, page) in entries.items():
        # Each source its own provider: the same page under one provider would be the same courses.
        lines += ["[[source]]", f'name = "{name}"', f'provider = "{name.upper()}"', 'parser = "cupe_workshops"',
                  f'start_urls = ["{srv.url(page)}"]', f'allowed_hosts = ["{srv.address}"]', "max_pages = 5",
                  "hours_per_day = 7", "days_per_week = 5", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_sources_on_one_host_take_turns_and_sources_on_other_hosts_run_meanwhile(tmp_path):
    log = RequestLog()
    with LocalServer("127.0.0.1") as one, LocalServer("127.0.0.2") as two:
        serve(one, log, ["/a", "/b"])
        serve(two, log, ["/c"])
        src = sources_file(tmp_path / "sources.toml",
                           {"cupe-a": (one, "/a"), "cupe-b": (one, "/b"), "cupe-c": (two, "/c")})
        db = tmp_path / "c.duckdb"
        empty_warehouse(db)  # the session's empty warehouse, copied (no DDL run here)
        summary = refresh(db_path=str(db), sources_file=str(src), archive_dir=str(tmp_path / "archive"),
                          fetch_settings=POLITE)
    assert summary.status == "succeeded", summary.failures

    # Host 127.0.0.1 served two sources (robots.txt and one page each): 4 requests, one at a
    # time, each arriving at least the per-host delay after the previous one was answered.
    first = log.of("127.0.0.1")
    assert len(first) == 4, log.entries
    for (_, answered), (arrived, _) in zip(first, first[1:]):
        assert arrived >= answered + DELAY * 0.9, first
    # Host 127.0.0.2's source was fetched while host 127.0.0.1 was busy.
    second = log.of("127.0.0.2")
    assert len(second) == 2, log.entries
    assert any(a1 < b2 and a2 < b1 for a1, b1 in first for a2, b2 in second), (first, second)

    # The three sources loaded in one run, each with the page's 84 listings.
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT source, count(*) FROM listings GROUP BY 1 ORDER BY 1").fetchall() == [
        ("cupe-a", 84), ("cupe-b", 84), ("cupe-c", 84)]
    assert con.execute("SELECT count(*), min(status) FROM runs").fetchone() == (1, "succeeded")
    con.close()
