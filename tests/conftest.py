from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the whole session, started on first use."""
    from prefect.testing.utilities import prefect_test_harness

    from flows.refresh import local_run_settings

    with prefect_test_harness(server_startup_timeout=120), local_run_settings():
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
