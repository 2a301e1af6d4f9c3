from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.serverdb import copy_server_db_template, save_server_db_template

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED_CUPE = SHARED / "seeds" / "004_f2b4f38a1485bd1c.txt"
SAMPLES = ROOT / "samples" / "archive"
CUPE_URL = "https://cupe.ca/mrm-union-education/workshops"
AUPE_URL = "https://aupe.org/training/courses"

# Prefect: a home of our own for the session, quiet, no telemetry.
_home = tempfile.mkdtemp(prefix="prefect-home-")
os.environ.setdefault("PREFECT_HOME", _home)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# No test reads a run's logs from the server: they are not shipped to it (nor stored by it).
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_harness(prefect_server):
    """Flow runs in this process go to the session's one Prefect server (prefect_server, below).

    One server, not a test harness's beside it: each server's start migrates a new database,
    ~10 s of CPU of its ~15 s. Settings as `courses refresh` runs with (local_run_settings).
    """
    import prefect.context
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.refresh import local_run_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server.api_url}), local_run_settings():
        # Also the process-global settings, as prefect_test_harness does: code in a context
        # copied before this fixture ran reaches the same server.
        with prefect.context._temporary_global_settings_context(prefect.context.get_settings_context()):
            yield


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED_CUPE.exists():
        pytest.fail(f"{SEED_CUPE} is missing: CI must have ../shared beside the repository")
    return SEED_CUPE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def cupe_html() -> str:
    return (SAMPLES / "cupe-workshops" / "workshops.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def aupe_html() -> str:
    return (SAMPLES / "aupe-courses" / "courses.html").read_text(encoding="utf-8")


# The server's services that no test reads the work of: with them on, every task run's events
# are recorded as task runs and events (and matched against automations) in the server's
# database, and each service polls it every few seconds. Kept: the scheduler
# (tests/test_schedule.py). Flow runs, their states, deployments and work pools are the API's
# own, not a service's. Measured on tests/test_flow.py and tests/test_history.py: the server's
# CPU 26.4 s -> 18.5 s (of which its start: ~17 s -> ~14 s).
UNUSED_SERVICES_OFF = {f"PREFECT_SERVER_SERVICES_{name}_ENABLED": "false" for name in (
    "TASK_RUN_RECORDER", "EVENT_PERSISTER", "TRIGGERS", "FOREMAN", "LATE_RUNS", "PAUSE_EXPIRATIONS",
    "CANCELLATION_CLEANUP", "REPOSSESSOR", "CLEANUP_RECONCILER")} | {"PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "[]",
    # Block types are not registered at start (~1.7 s of CPU): no test stores or reads a block.
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false"}


class PrefectServer:
    """A real `prefect server start` on a free loopback port, with a PREFECT_HOME of its own."""

    def __init__(self, home: Path, port: int):
        import subprocess
        import sys

        self.home, self.port = home, port
        self.api_url = f"http://127.0.0.1:{port}/api"
        env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_LOGGING_LEVEL": "WARNING", **UNUSED_SERVICES_OFF}
        env.pop("PREFECT_API_URL", None)
        self.log = home / "server.log"
        self.from_template = copy_server_db_template(home / "prefect.db")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("prefect")), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdin=subprocess.DEVNULL, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_healthy(self, timeout: float = 180) -> None:
        import time

        import httpx

        deadline = time.monotonic() + timeout
        # One client for every poll: each httpx.get makes a client of its own, and with it an SSL
        # context that loads the CA certificates (~0.1 s of CPU a poll, for a plain-HTTP URL).
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    pytest.fail(f"prefect server exited with {self.proc.returncode}: {self.log.read_text()[-2000:]}")
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        if not self.from_template:
                            save_server_db_template(self.home / "prefect.db")
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
        pytest.fail(f"prefect server did not answer within {timeout} s: {self.log.read_text()[-2000:]}")

    def client_env(self) -> dict[str, str]:
        """Environment for a client process of this server (a `courses` or `prefect` command)."""
        return {"PREFECT_API_URL": self.api_url, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "COLUMNS": "120"}

    def stop(self) -> None:
        import signal
        import subprocess

        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


_early_server: PrefectServer | None = None


def _start_server(home: Path) -> PrefectServer:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return PrefectServer(home, port)


def pytest_collection_finish(session):
    """Start the real server as soon as a collected test needs it: it boots while earlier tests run."""
    global _early_server
    if any("prefect_server" in getattr(item, "fixturenames", ()) for item in session.items):
        _early_server = _start_server(Path(tempfile.mkdtemp(prefix="prefect-server-home-")))


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """One real Prefect server for the session (scheduler, API, `prefect ... ls`), started at collection."""
    server = _early_server or _start_server(tmp_path_factory.mktemp("prefect-server-home"))
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


def pytest_sessionfinish(session, exitstatus):
    if _early_server is not None and _early_server.proc.poll() is None:
        _early_server.stop()  # the session ended before (or without) the fixture's own teardown


def copy_sample_db(template: Path, path: Path) -> Path:
    """A copy of the session's sample warehouse at `path` (a module's or a test's own)."""
    import shutil

    shutil.copyfile(template, path)
    return path


@pytest.fixture(scope="session")
def sample_db_template(tmp_path_factory) -> Path:
    """The warehouse of samples/ (tools.data_dictionary.build_sample_db), built once a session."""
    from tools.data_dictionary import build_sample_db

    # Loaded into a copy of the session's empty warehouse: the definitions are applied once a session.
    return build_sample_db(empty_warehouse(tmp_path_factory.mktemp("sample-db") / "c.duckdb"))


@pytest.fixture
def sample_db(sample_db_template, tmp_path) -> Path:
    """A copy of the session's sample warehouse at tmp_path/c.duckdb, the test's own."""
    import shutil

    db = tmp_path / "c.duckdb"
    shutil.copyfile(sample_db_template, db)
    return db


@pytest.fixture(scope="session")
def archive_db_template(tmp_path_factory, prefect_harness) -> Path:
    """The warehouse a real flow run makes of samples/archive (`courses refresh --from-archive`),
    run once a session."""
    from flows.refresh import refresh

    db = empty_warehouse(tmp_path_factory.mktemp("archive-db") / "c.duckdb")  # no DDL run here
    summary = refresh(db_path=str(db), from_archive=str(SAMPLES))
    assert summary.ok, summary.failures
    return db


@pytest.fixture
def archive_db(archive_db_template, tmp_path) -> Path:
    """A copy of the session's flow-run warehouse at tmp_path/c.duckdb, the test's own."""
    return copy_sample_db(archive_db_template, tmp_path / "c.duckdb")


_EMPTY_WAREHOUSE: Path | None = None


def empty_warehouse(path: Path) -> Path:
    """A warehouse file at `path` with every definition applied and no rows: a copy of one built
    once a session (warehouse.ddl.ensure_schema, ~1,400 statements), for tests (a hypothesis state
    machine among them) that start many warehouses from nothing."""
    import shutil

    import duckdb

    from warehouse.ddl import ensure_schema

    global _EMPTY_WAREHOUSE
    if _EMPTY_WAREHOUSE is None:
        template = Path(tempfile.mkdtemp(prefix="empty-warehouse-")) / "empty.duckdb"
        con = duckdb.connect(str(template))
        try:
            ensure_schema(con)
        finally:
            con.close()
        _EMPTY_WAREHOUSE = template
    shutil.copyfile(_EMPTY_WAREHOUSE, path)
    return path
