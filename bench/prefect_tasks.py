"""How a flow run's time grows with its number of (no-op) task runs, against the temporary server.

    .venv/bin/python -m bench.prefect_tasks [--profile]

Prints the median of 3 runs for flows of 0, 5, 10 and 20 no-op tasks, with the settings
`courses refresh` runs with (flows.refresh.local_run_settings).
"""
from __future__ import annotations

import statistics
import sys
import time

from bench.stages import _prefect_env


def main() -> None:
    _prefect_env()
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE

    from flows.refresh import local_run_settings

    @task(cache_policy=NO_CACHE)
    def noop(k: int) -> int:
        return k

    @flow(name="bench-noop-tasks")
    def tasks(n: int) -> None:
        for k in range(n):
            noop(k)

    with local_run_settings():
        tasks(1)  # start-up, outside the timings
        if "--profile" in sys.argv:  # where a slow flow of 5 tasks spends its time
            import cProfile
            import pstats

            prof = cProfile.Profile()
            t = time.perf_counter()
            prof.runcall(tasks, 5)
            print(f"5 tasks: {time.perf_counter() - t:.3f} s")
            pstats.Stats(prof).sort_stats("tottime").print_stats(3)
            return
        print("tasks  median s (3 runs)")
        for n in (0, 5, 10, 20):
            times = []
            for _ in range(3):
                t = time.perf_counter()
                tasks(n)
                times.append(time.perf_counter() - t)
            print(f"{n:5}  {statistics.median(times):.3f}", flush=True)


if __name__ == "__main__":
    main()
