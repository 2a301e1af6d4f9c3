"""Wall time of the fetcher against servers that stall it: a trickle, a long Retry-After, no DNS.

    .venv/bin/python -m bench.fetch_faults [--give-up 90] [--fetch-from DIR] [--only CASE ...]

Cases, each one ``Fetcher.get`` with the default FetchSettings (so: the default 30 s page
deadline, 1,200 s run budget, 120 s longest Retry-After, 4 attempts):

  trickle   a 100 KB page sent at 1 byte/s under a correct Content-Length (loopback server)
  retry     HTTP 429 with ``Retry-After: 3600`` on every answer (loopback server)
  dns       each source of sources/default.toml, as it is fetched on a machine without
            network (its host's DNS lookup fails). Skipped for a source whose host resolves.

A case still running after ``--give-up`` seconds is reported as such and left behind (the
process exits without waiting for it). ``--fetch-from DIR`` imports ``fetch`` from DIR (an
export of an older commit) to measure that code; settings it does not know are left out.
"""

from __future__ import annotations

import argparse
import dataclasses
import socket
import sys
import threading
import time


def run_case(name: str, call, give_up: float) -> None:
    outcome: dict[str, str] = {}

    def target() -> None:
        try:
            call()
            outcome["text"] = "fetched"
        except Exception as exc:  # noqa: BLE001 - the outcome is what is measured
            outcome["text"] = f"{type(exc).__name__}: {exc}"

    t0 = time.perf_counter()
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(give_up)
    seconds = time.perf_counter() - t0
    text = outcome.get("text") or f"still running when given up at {give_up:g} s"
    print(f"{name:34} {seconds:>8.2f} s  {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--give-up", type=float, default=90.0, help="stop waiting for a case after this many seconds")
    ap.add_argument("--fetch-from", default="", help="import fetch from this folder instead")
    ap.add_argument("--only", nargs="*", choices=["trickle", "retry", "dns"], default=["trickle", "retry", "dns"])
    args = ap.parse_args(argv)
    if args.fetch_from:
        sys.path.insert(0, args.fetch_from)
    from fetch import Fetcher, FetchSettings
    from sources import load_sources
    from tests.localserver import LocalServer, Response

    known = {f.name for f in dataclasses.fields(FetchSettings)}

    def settings(**overrides) -> FetchSettings:
        return FetchSettings(**{k: v for k, v in overrides.items() if k in known})

    print(f"fetch from {args.fetch_from or 'this tree'}; defaults: "
          + ", ".join(f"{k}={getattr(FetchSettings(), k)}" for k in
                      ("page_deadline", "run_budget", "retry_after_max", "attempts", "read_timeout") if k in known))
    html = {"Content-Type": "text/html; charset=utf-8"}
    with LocalServer() as server:
        if "trickle" in args.only:
            body = b"<p>" + b"x" * (100_000 - 7) + b"</p>"
            server.routes["/trickle"] = Response(body=body, headers=html, trickle=1.0)
            fetcher = Fetcher(["127.0.0.1"], settings(obey_robots=False, per_host_delay=0))
            run_case("trickle, 100 KB at 1 byte/s", lambda: fetcher.get(server.url("/trickle")), args.give_up)
        if "retry" in args.only:
            server.routes["/busy"] = Response(429, body=b"slow down", headers={"Retry-After": "3600"})
            fetcher = Fetcher(["127.0.0.1"], settings(obey_robots=False, per_host_delay=0))
            run_case("429 with Retry-After: 3600", lambda: fetcher.get(server.url("/busy")), args.give_up)
    if "dns" in args.only:
        for source in load_sources(None):
            url = source.start_urls[0]
            host = url.split("/")[2]
            try:
                socket.getaddrinfo(host, 443)
            except OSError:
                pass
            else:
                print(f"{source.name:34} skipped: {host} resolves (the machine has DNS)")
                continue
            fetcher = Fetcher(source.allowed_hosts, settings())
            run_case(f"{source.name}, no DNS", lambda f=fetcher, u=url: f.get(u), args.give_up)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
