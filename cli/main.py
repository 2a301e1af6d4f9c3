"""`courses`: refresh the catalogue, parse a saved page, query the warehouse.

    courses refresh                       # fetch both sites into courses.duckdb
    courses refresh --from-archive samples/archive
    courses parse page.html --source cupe-workshops
    courses query "SELECT provider, count(*) FROM courses GROUP BY 1"
"""
from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="A catalogue of union education (AUPE, CUPE) in DuckDB.")

MAX_PAGE_BYTES = 20_000_000  # four times the fetcher's cap on a response
from cli.common import DB_HELP, db_path as _db, fail as _fail


@app.command()
def refresh(
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only this source (repeatable).")] = None,
    sources_file: Annotated[Optional[Path], typer.Option("--sources", help="Sources file (default: sources/default.toml).")] = None,
    from_archive: Annotated[Optional[Path], typer.Option(help="Replay archived pages from this folder instead of fetching.")] = None,
    archive_dir: Annotated[Path, typer.Option(help="Where fetched pages are archived.")] = Path("archive"),
    reparse: Annotated[bool, typer.Option("--reparse", help="Parse the last good run's pages again from the archive, without fetching (after a parser fix).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Load even a source that fails the drift checks or did not change, this once.")] = False,
) -> None:
    """Fetch (or replay) the sources, parse, group and load them into the warehouse.

    Example: courses refresh --from-archive samples/archive --db demo.duckdb
    """
    if reparse and from_archive:
        _fail("--reparse reads the archive of earlier runs (--archive-dir); it does not take --from-archive", 2)
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from flows.progress import set_reporter
    from flows.refresh import local_run_settings, refresh as refresh_flow
    from sources import SourcesError, load_sources
    from warehouse import WarehouseError

    try:
        load_sources(sources_file, source)  # fail fast, before Prefect starts
    except SourcesError as exc:
        _fail(str(exc), 2)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        transient=True, disable=not sys.stderr.isatty())
    bars: dict[tuple[str, str], int] = {}

    def reporter(stage: str, name: str, n: int) -> None:
        key = (stage, name)
        if key not in bars:
            bars[key] = progress.add_task(f"{stage:5} {name}", total=None)
        progress.advance(bars[key], n)

    set_reporter(reporter)
    try:
        with progress, local_run_settings():
            summary = refresh_flow(db_path=str(_db(db)), sources_file=str(sources_file) if sources_file else None,
                                   source_names=source or None,
                                   from_archive=str(from_archive) if from_archive else None,
                                   archive_dir=str(archive_dir), reparse=reparse, force=force)
    except WarehouseError as exc:
        _fail(str(exc))
    finally:
        set_reporter(None)
    for name, s in summary.sources.items():
        if s.get("articles") is not None:
            typer.echo(f"{name}: {s['status']}, {s['pages']} pages, {s['articles']} articles")
            continue
        typer.echo(f"{name}: {s['status']}, {s['pages']} pages, {s['listings']} listings, "
                   f"{s['courses']} courses, {s['block_errors']} unreadable blocks")
    kinds: dict[str, int] = {}
    for change in summary.changes:
        kinds[change["kind"]] = kinds.get(change["kind"], 0) + 1
    typer.echo("changes: " + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"))
    if not summary.ok:
        for line in summary.failures:
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(1)
    typer.echo(f"run {summary.run_id} {summary.status}: {summary.db_path}")


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help="When to run, as a cron expression.")] = "0 3 * * *",
    timezone: Annotated[str, typer.Option(help="Time zone of the cron expression.")] = "America/Edmonton",
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
    sources_file: Annotated[Optional[Path], typer.Option("--sources", help="Sources file.")] = None,
    archive_dir: Annotated[Path, typer.Option(help="Where fetched pages are archived.")] = Path("archive"),
    name: Annotated[str, typer.Option(help="Deployment name.")] = "nightly",
) -> None:
    """Serve the refresh as a Prefect deployment on a schedule (needs a Prefect server: set PREFECT_API_URL).

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api courses serve --cron "0 3 * * *"
    """
    from prefect import serve as prefect_serve

    from flows.schedule import nightly_deployment

    deployment = nightly_deployment(cron=cron, timezone=timezone, db_path=str(_db(db).resolve()),
                                    sources_file=str(sources_file.resolve()) if sources_file else None,
                                    archive_dir=str(archive_dir.resolve()), name=name)
    if not os.environ.get("PREFECT_API_URL"):
        typer.echo("warning: PREFECT_API_URL is not set; a temporary server schedules nothing. "
                   "Start one with `prefect server start` and set PREFECT_API_URL.", err=True)
    prefect_serve(deployment, pause_on_shutdown=False)


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A saved page: HTML or its visible text.")],
    source: Annotated[str, typer.Option("--source", help="Source name: cupe-workshops, aupe-courses, aupe-news, ...")],
    sources_file: Annotated[Optional[Path], typer.Option("--sources", help="Sources file.")] = None,
    url: Annotated[Optional[str], typer.Option(help="URL to record as the page's (default: the source's start URL).")] = None,
    db: Annotated[Optional[Path], typer.Option(help="For a news source: the warehouse whose courses to look for. " + DB_HELP)] = None,
) -> None:
    """Print the listings parsed from one saved page as JSON lines.

    Example: courses parse ../shared/seeds/004_f2b4f38a1485bd1c.txt --source cupe-workshops
    """
    from fetch.client import decode
    from normalise.listing import normalise
    from parsers import ParseError, get_parser
    from sources import SourcesError, load_sources

    try:
        (src,) = load_sources(sources_file, [source])
    except SourcesError as exc:
        _fail(str(exc), 2)
    try:
        size = file.stat().st_size
        if size > MAX_PAGE_BYTES:
            _fail(f"{file}: {size / 1e6:.1f} MB is larger than a catalogue page can be "
                  f"({MAX_PAGE_BYTES / 1e6:.0f} MB); is this the right file?")
        content = file.read_bytes()
    except OSError as exc:
        _fail(f"{file}: cannot read: {exc.strerror}", 2)
    text, _ = decode(content, "text/plain" if file.suffix.lower() == ".txt" else None)
    parser = get_parser(src.parser)
    page_url = url or src.start_urls[0]
    try:
        result = parser.parse(text, page_url)
    except ParseError as exc:
        _fail(f"{file}: {exc.reason}")
    if getattr(parser, "KIND", "listings") == "articles":
        from cli.news import print_article

        for article in result.articles:
            print_article(article, src, _db(db), sources_file)
        return
    for school in getattr(result, "schools", []):  # a school page: the school itself, on stderr
        from dataclasses import asdict

        typer.echo("note: school: " + json.dumps(asdict(school), default=str, ensure_ascii=False), err=True)
    listings = normalise(result.listings, provider=src.provider, source=src.name,
                         conventions=src.conventions, prefixes=getattr(parser, "PROGRAMME_PREFIXES", {}))
    out = sys.stdout
    for listing in listings:
        out.write(json.dumps(listing.model_dump(mode="json"), ensure_ascii=False) + "\n")
    for err in result.errors:
        typer.echo(f"warning: {file}: block {err.position}: {err.reason}", err=True)
    if not listings:
        _fail(f"{file}: no listings found (expected {src.name} course blocks)")


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="One SQL statement, run read-only.")],
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run a read-only SQL query on the warehouse.

    Example: courses query "SELECT * FROM multi_length_courses" --format csv
    """
    from warehouse import WarehouseError, run_query

    if format not in ("table", "csv", "json"):
        _fail(f"--format must be table, csv or json, not {format!r}", 2)
    try:
        cols, rows = run_query(_db(db), sql)
    except WarehouseError as exc:
        _fail(str(exc))
    if format == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(cols)
        w.writerows(rows)
    elif format == "json":
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(cols, row)), default=str, ensure_ascii=False) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(*cols)
        for row in rows:
            table.add_row(*["" if v is None else str(v) for v in row])
        Console(width=200).print(table)


from cli import analyst  # noqa: E402  (search, export, report, dictionary)

analyst.register(app)

if __name__ == "__main__":
    app()
