"""Run a `courses` command in this process, the way a shell would see it: exit code, stdout, stderr.

A process of its own costs ~0.5 s of CPU for the imports alone (a refresh ~3 s, Prefect's);
tests that need a process (a kill, a hang, a crash, the entry point itself) start one.
"""
from __future__ import annotations

import os
import subprocess
import textwrap
import traceback
from contextlib import ExitStack, chdir
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_courses(*args: str, env: dict[str, str | None] | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`courses *args` through typer's runner. `env` is laid over os.environ (None unsets a
    name); os.environ is restored afterwards, whatever the command set. A PREFECT_API_URL in
    `env` is also made Prefect's setting for the call (settings are read at import)."""
    from typer.testing import CliRunner

    from cli.main import app

    saved = dict(os.environ)
    try:
        with ExitStack() as stack:
            stack.enter_context(chdir(cwd or ROOT))
            if env and env.get("PREFECT_API_URL"):
                from prefect.settings import PREFECT_API_URL, temporary_settings

                stack.enter_context(temporary_settings(updates={PREFECT_API_URL: env["PREFECT_API_URL"]}))
            result = CliRunner().invoke(app, list(args), env=env)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    stderr, code = result.stderr, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))  # as the process would print it
        code = code or 1
    return subprocess.CompletedProcess(["courses", *args], code, result.stdout, stderr)


def in_turn_script(preamble: str = "") -> str:
    """A `python -c` script that runs `courses` commands (a JSON list of argument lists, its
    first argument) one after another in its own process, after `preamble`, and prints what each
    printed and its exit code as JSON: for reads that could hang (the process's timeout fails the
    test) and for imports made impossible, one process for several commands."""
    return textwrap.dedent(preamble) + textwrap.dedent("""
        import contextlib, io, json, sys, traceback
        from cli.main import app
        done = []
        for args in json.loads(sys.argv[1]):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = app(args, prog_name="courses", standalone_mode=False) or 0
                except SystemExit as exit:
                    code = exit.code or 0
                except BaseException:
                    traceback.print_exc()
                    code = 1
            done.append({"args": args, "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
        print(json.dumps(done))
    """)
