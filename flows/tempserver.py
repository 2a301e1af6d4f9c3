"""A temporary Prefect server for one run, that dies with the run.

Without ``PREFECT_API_URL`` Prefect starts a temporary server of its own, as a child process
that outlives its parent when the parent is killed (SIGKILL runs no atexit hook). This module
starts the same server (uvicorn on Prefect's app factory, on a free loopback port) with the
kernel's parent-death signal set in the child, so a killed run takes its server with it, and
stops it at the end of a normal run.
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

PR_SET_PDEATHSIG = 1


class ServerStartError(RuntimeError):
    """The temporary Prefect server did not answer in time; the message says where its log is."""


def _die_with_parent(parent: int) -> None:
    """Runs in the child between fork and exec: SIGKILL when the parent dies, even if it already has."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def temporary_server(log_path: Path, timeout: float = 120.0) -> Iterator[str]:
    """Start a Prefect server bound to this process's life; yield its API URL; stop it on exit.

    Must be called from the main thread: the parent-death signal fires when the thread that
    started the child ends.
    """
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    env.pop("PREFECT_API_URL", None)
    parent = os.getpid()
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            preexec_fn=lambda: _die_with_parent(parent))
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2) as client:
            while True:
                if proc.poll() is not None:
                    raise ServerStartError(f"the temporary Prefect server exited with code {proc.returncode}; "
                                           f"its log is {log_path}")
                try:
                    if client.get(f"{url}/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise ServerStartError(f"the temporary Prefect server did not answer within {timeout:.0f} s; "
                                           f"its log is {log_path}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
