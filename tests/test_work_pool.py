"""The refresh through a Prefect work pool: a process pool, the flow deployed to it from this
checkout, one process worker that picks the run up and runs it in a process of its own, on the
session's real Prefect server (conftest's prefect_server), as README "Running at scale" says.

The pool, the deployment, the run asked of it and the worker are made through Prefect's own
classes in this process (what `prefect work-pool create`, the README's `python -c` deploy call
and `prefect worker start --type process` call): each of those as a command is one more process
of Prefect's imports, ~3 s of CPU. The flow run is the process of its own, as on a worker host.
"""
from __future__ import annotations

import asyncio
from contextlib import chdir

import duckdb
import httpx
import pytest

from tests.conftest import ROOT, SAMPLES, empty_warehouse

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]
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
    from prefect.workers.process import ProcessWorker

    db = empty_warehouse(tmp_path / "pooled.duckdb")  # the session's empty warehouse, copied (no DDL run here)
    # The README's deploy, then one run of it asked for (as `prefect deployment run` would).
    deployment_id = flow.from_source(source=str(ROOT), entrypoint="flows/refresh.py:refresh_flow").deploy(
        name="pooled", work_pool_name=POOL, print_next_steps=False,
        parameters={"db_path": str(db), "from_archive": str(SAMPLES), "archive_dir": str(tmp_path / "archive")})
    run_deployment(deployment_id, timeout=0)

    # `prefect worker start --pool POOL --type process --run-once --limit 1`, as that command
    # runs it: the process worker polls once, starts the run it took in a process of its own and
    # waits for that process (--limit makes --run-once wait for it).
    printed: list[str] = []
    with chdir(ROOT):
        asyncio.run(asyncio.wait_for(
            ProcessWorker(work_pool_name=POOL, limit=1).start(run_once=True, printer=printed.append), timeout=600))
    assert printed[-1].endswith("stopped!"), printed

    body = {"flow_runs": {"deployment_id": {"any_": [str(deployment_id)]}}}
    runs = httpx.post(f"{prefect_server.api_url}/flow_runs/filter", json=body, timeout=30).json()
    assert [(r["state_type"], r["work_pool_name"]) for r in runs] == [("COMPLETED", POOL)], runs
    # The worker's process loaded the warehouse: the shipped CUPE page holds 84 listings.
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM listings WHERE source = 'cupe-workshops'").fetchone() == (84,)
    assert con.execute("SELECT status, mode FROM runs").fetchall() == [("succeeded", "archive")]
    con.close()
