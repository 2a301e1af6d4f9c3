"""Peak memory of the fetcher against gzip bombs, each fetch in a process of its own.

    .venv/bin/python -m bench.fetch_bombs [--size-mib 2048] [--fetch-from DIR]

A loopback server (tests/localserver.py) serves SIZE MiB of zeros gzipped once
(``Content-Encoding: gzip``, ~1 KB on the wire per MiB) and gzipped twice
(``Content-Encoding: gzip, gzip``, ~2.4 KB per GiB), and, as the floor, a 1 KB page. A
child process fetches each with the default FetchSettings and reports its outcome and
peak RSS (``VmHWM`` of /proc/self/status; ``ru_maxrss`` where there is no /proc). Target: every peak under 400 MB.

``--fetch-from DIR`` imports ``fetch`` from DIR instead (an export of an older commit, e.g.
``git archive 7510173 fetch | tar -x -C /tmp/before``) to measure that code. Mind the size:
code that inflates a stacked bomb whole needs about twice SIZE in memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from tests.localserver import LocalServer, Response, gzip_zeros

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 400

PROBE = """
import json, resource, sys, time
def peak_rss_mb():  # VmHWM starts afresh at exec; ru_maxrss also counts the parent it was forked from
    try:
        with open("/proc/self/status") as status:
            return int(next(l for l in status if l.startswith("VmHWM:")).split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if sys.argv[2]:
    sys.path.insert(0, sys.argv[2])
from fetch import Fetcher, FetchSettings, FetchError
t0 = time.perf_counter()
with Fetcher(["127.0.0.1"], FetchSettings(obey_robots=False, per_host_delay=0)) as f:
    try:
        page = f.get(sys.argv[1])
        outcome = f"fetched {len(page.content):,} bytes"
    except FetchError as exc:
        outcome = f"{type(exc).__name__}: {exc.reason}"
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - t0,
                  "peak_mb": peak_rss_mb()}))
"""


def measure(url: str, fetch_from: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", PROBE, url, fetch_from], capture_output=True, text=True,
                          cwd=ROOT, timeout=1800)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"outcome": f"child failed: {tail}", "seconds": float("nan"), "peak_mb": float("nan")}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mib", type=int, default=2048, help="zeros in each bomb, MiB (default 2048)")
    ap.add_argument("--fetch-from", default="", help="import fetch from this folder instead")
    args = ap.parse_args(argv)
    size = args.size_mib << 20
    t0 = time.perf_counter()
    single, stacked = gzip_zeros(size), gzip_zeros(size, layers=2)
    print(f"bombs of {args.size_mib:,} MiB built in {time.perf_counter() - t0:.1f} s; fetch from "
          f"{args.fetch_from or 'this tree'}", flush=True)
    html = {"Content-Type": "text/html; charset=utf-8"}
    cases = [
        ("floor: a 1 KB page", "/small", Response(body=b"<p>" + b"x" * 1017 + b"</p>", headers=html)),
        ("gzip bomb", "/single", Response(body=single, headers={**html, "Content-Encoding": "gzip"})),
        ("stacked bomb (gzip, gzip)", "/stacked", Response(body=stacked, headers={**html, "Content-Encoding": "gzip, gzip"})),
    ]
    worst = 0.0
    with LocalServer() as server:
        print(f"{'case':28} {'on the wire':>12} {'peak RSS':>10} {'time':>8}  outcome")
        for name, path, response in cases:
            server.routes[path] = response
            result = measure(server.url(path), args.fetch_from)
            worst = max(worst, result["peak_mb"]) if result["peak_mb"] == result["peak_mb"] else worst
            print(f"{name:28} {len(response.body):>12,} {result['peak_mb']:>7.0f} MB {result['seconds']:>6.2f} s  "
                  f"{result['outcome']}", flush=True)
    verdict = "under" if worst < TARGET_MB else "OVER"
    print(f"worst peak RSS {worst:.0f} MB: {verdict} the {TARGET_MB} MB target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
