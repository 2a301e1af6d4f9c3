"""`courses refresh` once its arguments are checked: start Prefect, run the flow, say how it went.

What reaches the terminal: a line when Prefect starts, progress per source and stage, one line
per source, one `error:` line per failure (source, URL, cause), and last the run's id and status.
Prefect's own log lines and tracebacks go to the run's logs (Prefect's API log handler) and
reach the terminal only with --verbose.
"""
from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from contextlib import ExitStack
from pathlib import Path
from typing import NoReturn

import typer

from cli.common import fail, one_line


def quiet_prefect_console(verbose: bool) -> None:
    """Keep Prefect's console handler to CRITICAL unless --verbose; its API handler (the run's logs) is untouched."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if verbose:
        return
    os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"
    from prefect.logging.handlers import PrefectConsoleHandler

    for logger in [logging.getLogger(), *[logging.getLogger(n) for n in logging.root.manager.loggerDict]]:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, PrefectConsoleHandler):
                handler.setLevel(logging.CRITICAL)


def progress_reporter(stream=None):
    """A reporter for flows.progress: plain lines, one per page fetched or parsed (the nightly log shows them)."""
    stream = stream or sys.stderr
    counts: dict[tuple[str, str], int] = {}

    def report(stage: str, name: str, n: int) -> None:
        counts[(stage, name)] = counts.get((stage, name), 0) + n
        k = counts[(stage, name)]
        what = ("retry" if k == 1 else "retries") if stage == "retry" else ("page" if k == 1 else "pages")
        print(f"{stage:5} {name}: {k} {what}", file=stream, flush=True)

    return report


def _died(db_file: Path, exc: BaseException, verbose: bool) -> NoReturn:
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    from warehouse.errors import WarehouseError

    if isinstance(exc, WarehouseError):
        fail(one_line(str(exc)))
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        fail(f"refresh of {db_file} failed{where}: {exc.strerror}; the warehouse is as it was")
    fail(f"refresh of {db_file} failed: {type(exc).__name__}: {one_line(str(exc))}; the warehouse is as it was")


def run_refresh(db_file: Path, *, verbose: bool, **parameters) -> None:
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    quiet_prefect_console(verbose)
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME, temporary_settings

    from flows.progress import set_reporter
    from flows.refresh import local_run_settings, refresh_flow, summary_of
    from flows.tempserver import ServerStartError, temporary_server

    with ExitStack() as stack:
        stack.enter_context(local_run_settings())
        if os.environ.get("PREFECT_API_URL"):
            typer.echo(f"using Prefect at {os.environ['PREFECT_API_URL']}", err=True)
        else:
            typer.echo("starting Prefect (a temporary server for this run) ...", err=True)
            started = time.monotonic()
            log = Path(PREFECT_HOME.value()) / "temporary-server.log"
            try:
                url = stack.enter_context(temporary_server(log))
            except (ServerStartError, OSError) as exc:
                fail(one_line(str(exc)))
            stack.enter_context(temporary_settings(updates={PREFECT_API_URL: url}))
            typer.echo(f"Prefect ready in {time.monotonic() - started:.1f} s", err=True)
        set_reporter(progress_reporter())
        try:
            state = refresh_flow(db_path=str(db_file), **parameters, return_state=True)
            summary = summary_of(state)
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback (unless --verbose)
            _died(db_file, exc, verbose)
        finally:
            set_reporter(None)
    for name, s in summary.sources.items():
        if s.get("articles") is not None:  # a news source
            typer.echo(f"{name}: {s['status']}, {s['pages']} pages, {s['articles']} articles")
            continue
        if "workshop_pages" in s:  # the CUPE catalogue and the workshop pages it links to
            typer.echo(f"{name}: {s['status']}, {s['pages']} pages ({s['workshop_pages']} workshop pages), "
                       f"{s['listings']} listings, {s['courses']} courses, {s['sessions']} sessions on workshop pages "
                       f"({s['linked']} linked to courses), {s['block_errors']} unreadable blocks")
            continue
        if "sessions" in s:  # a session source
            typer.echo(f"{name}: {s['status']}, {s['pages']} pages, {s['sessions']} sessions, {s['linked']} linked "
                       f"to courses, {s['unmatched']} unmatched, {s['block_errors']} unreadable blocks")
            continue
        typer.echo(f"{name}: {s['status']}, {s['pages']} pages, {s['listings']} listings, "
                   f"{s['courses']} courses, {s['block_errors']} unreadable blocks")
    kinds: dict[str, int] = {}
    for change in summary.changes:
        kinds[change["kind"]] = kinds.get(change["kind"], 0) + 1
    typer.echo("changes: " + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"))
    for line in summary.failures:
        typer.echo(f"error: {one_line(line)}", err=True)
    loaded = sum(1 for s in summary.sources.values() if s["status"] != "failed")
    last = (f"run {summary.run_id} {summary.status}: {summary.db_path} "
            f"({loaded} of {len(summary.sources)} sources loaded or unchanged; Prefect state {state.name})")
    if not summary.ok:
        typer.echo(last, err=True)
        raise typer.Exit(1)
    typer.echo(last)
