"""The refresh through a Prefect work pool: a process pool, the flow deployed to it from this
checkout, one `prefect worker start` that picks the run up and runs it in a process of its own,
on the session's real Prefect server (conftest's prefect_server), as README "Running at scale" says.

The pool, the deployment and the run asked of it are made through Prefect's client in this
process (what `prefect work-pool create` and the README's `python -c` deploy call): each of those
as a command is one more process of Prefect's imports, ~3 s of CPU. The worker is the command.
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

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "refresh-pool"


def create_process_pool(name: str) -> None:
    """`prefect work-pool create NAME --type process`: the pool with the process worker's default job template."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(
            name=name, type=ProcessWorker.type, base_job_template=ProcessWorker.get_default_base_job_template()))


@pytest.fixture
def pool():
    """The process pool, removed afterwards with its deployment: the session's server is shared,
    and the scheduling test compares `prefect deployment ls` with the README's block."""
    from prefect.client.orchestration import get_client

    create_process_pool(POOL)
    yield POOL
    with get_client(sync_client=True) as client:
        for deployment in client.read_deployments():
            if deployment.work_pool_name == POOL:
                client.delete_deployment(deployment.id)
        client.delete_work_pool(POOL)


def test_the_refresh_runs_on_a_process_work_pool_worker(prefect_server, pool, tmp_path):
    from prefect import flow
    from prefect.deployments import run_deployment

    db = tmp_path / "pooled.duckdb"
    # The README's deploy, then one run of it asked for (as `prefect deployment run` would).
    deployment_id = flow.from_source(source=str(ROOT), entrypoint="flows/refresh.py:refresh_flow").deploy(
        name="pooled", work_pool_name=POOL, print_next_steps=False,
        parameters={"db_path": str(db), "from_archive": str(SAMPLES), "archive_dir": str(tmp_path / "archive")})
    run_deployment(deployment_id, timeout=0)

    # One poll, then wait for the run it took (--limit makes --run-once wait for it).
    env = {**os.environ, **prefect_server.client_env(), "PREFECT_WORKER_QUERY_SECONDS": "1"}
    cmd = [PREFECT, "worker", "start", "--pool", POOL, "--type", "process", "--run-once", "--limit", "1"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    assert out.returncode == 0, f"{cmd}: {out.stdout[-2000:]}\n{out.stderr[-2000:]}"

    body = {"flow_runs": {"deployment_id": {"any_": [str(deployment_id)]}}}
    runs = httpx.post(f"{prefect_server.api_url}/flow_runs/filter", json=body, timeout=30).json()
    assert [(r["state_type"], r["work_pool_name"]) for r in runs] == [("COMPLETED", POOL)], runs
    # The worker's process loaded the warehouse: the shipped CUPE page holds 84 listings.
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM listings WHERE source = 'cupe-workshops'").fetchone() == (84,)
    assert con.execute("SELECT status, mode FROM runs").fetchall() == [("succeeded", "archive")]
    con.close()
