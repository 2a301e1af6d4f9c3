"""The refresh through a Prefect work pool: a process pool, the flow deployed to it from this
checkout, one `prefect worker start` that picks the run up and runs it in a process of its own,
on the session's real Prefect server (conftest's prefect_server), as README "Running at scale" says.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.slow
PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "refresh-pool"

# The README's deploy, then one run of it asked for (as `prefect deployment run` would: one
# process of Prefect's imports, ~4 s of CPU, fewer).
DEPLOY = """
import sys
from prefect import flow
from prefect.deployments import run_deployment
deployment_id = flow.from_source(source=sys.argv[1], entrypoint="flows/refresh.py:refresh_flow").deploy(
    name="pooled", work_pool_name=sys.argv[2], print_next_steps=False,
    parameters={"db_path": sys.argv[3], "from_archive": sys.argv[4], "archive_dir": sys.argv[5]})
run_deployment(deployment_id, timeout=0)
print(deployment_id)
"""


def test_the_refresh_runs_on_a_process_work_pool_worker(prefect_server, tmp_path):
    env = {**os.environ, **prefect_server.client_env(), "PREFECT_WORKER_QUERY_SECONDS": "1"}

    def run(*cmd: str, timeout: float = 240) -> str:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)
        assert out.returncode == 0, f"{cmd}: {out.stdout[-2000:]}\n{out.stderr[-2000:]}"
        return out.stdout

    db = tmp_path / "pooled.duckdb"
    run(PREFECT, "work-pool", "create", POOL, "--type", "process")
    deployment_id = run(sys.executable, "-c", DEPLOY, str(ROOT), POOL, str(db), str(SAMPLES),
                        str(tmp_path / "archive")).strip().splitlines()[-1]
    # One poll, then wait for the run it took (--limit makes --run-once wait for it).
    run(PREFECT, "worker", "start", "--pool", POOL, "--type", "process", "--run-once", "--limit", "1", timeout=600)

    body = {"flow_runs": {"deployment_id": {"any_": [deployment_id]}}}
    runs = httpx.post(f"{prefect_server.api_url}/flow_runs/filter", json=body, timeout=30).json()
    assert [(r["state_type"], r["work_pool_name"]) for r in runs] == [("COMPLETED", POOL)], runs
    # The worker's process loaded the warehouse: the shipped CUPE page holds 84 listings.
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM listings WHERE source = 'cupe-workshops'").fetchone() == (84,)
    assert con.execute("SELECT status, mode FROM runs").fetchall() == [("succeeded", "archive")]
    con.close()
