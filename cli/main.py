"""`courses`: refresh the catalogue, parse a saved page, query the warehouse.

    courses refresh                       # fetch both sites into courses.duckdb
    courses refresh --from-archive samples/archive
    courses parse page.html --source cupe-workshops
    courses query "SELECT provider, count(*) FROM courses GROUP BY 1"
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="A catalogue of union education (AUPE, CUPE) in DuckDB.")

MAX_PAGE_BYTES = 20_000_000  # four times the fetcher's cap on a response
from cli.common import DB_HELP, db_path as _db, fail as _fail, read_page_file


@app.command()
def refresh(
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only this source (repeatable).")] = None,
    sources_file: Annotated[Optional[Path], typer.Option("--sources", help="Sources file (default: sources/default.toml).")] = None,
    from_archive: Annotated[Optional[Path], typer.Option(help="Replay archived pages from this folder instead of fetching.")] = None,
    archive_dir: Annotated[Path, typer.Option(help="Where fetched pages are archived.")] = Path("archive"),
    reparse: Annotated[bool, typer.Option("--reparse", help="Parse the last good run's pages again from the archive, without fetching (after a parser fix).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Load even a source that fails the drift checks or did not change, this once.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Also print Prefect's log lines and tracebacks (always kept in the run's logs).")] = False,
) -> None:
    """Fetch (or replay) the sources, parse, group and load them into the warehouse.

    Example: courses refresh --from-archive samples/archive --db demo.duckdb
    """
    db_file = _db(db)
    # Everything that can be checked without Prefect is checked first: a run that cannot
    # start says so at once and leaves no file behind.
    if reparse and from_archive:
        _fail("--reparse reads the archive of earlier runs (--archive-dir); it does not take --from-archive", 2)
    if from_archive is not None and not from_archive.is_dir():
        _fail(f"--from-archive {from_archive}: " + ("not a folder" if from_archive.exists() else "no such folder"), 2)
    if reparse and not db_file.exists():
        _fail(f"{db_file}: no earlier run to reparse (the database does not exist); run a refresh first", 2)
    from sources import SourcesError, load_sources
    from warehouse.errors import WarehouseError
    from warehouse.load import writer_lock

    try:
        load_sources(sources_file, source)
    except SourcesError as exc:
        _fail(str(exc), 2)
    try:
        with writer_lock(db_file):  # test the lock now; the flow takes it for the run
            pass
    except WarehouseError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{db_file}: cannot take the writer lock ({exc.filename}): {exc.strerror or exc}")

    from cli.run import run_refresh

    run_refresh(db_file, verbose=verbose, sources_file=str(sources_file) if sources_file else None,
                source_names=source or None, from_archive=str(from_archive) if from_archive else None,
                archive_dir=str(archive_dir), reparse=reparse, force=force)


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help="When to run, as a cron expression.")] = "0 3 * * *",
    timezone: Annotated[str, typer.Option(help="Time zone of the cron expression.")] = "America/Edmonton",
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
    sources_file: Annotated[Optional[Path], typer.Option("--sources", help="Sources file.")] = None,
    from_archive: Annotated[Optional[Path], typer.Option(help="Each run replays archived pages from this folder instead of fetching.")] = None,
    archive_dir: Annotated[Path, typer.Option(help="Where fetched pages are archived.")] = Path("archive"),
    name: Annotated[str, typer.Option(help="Deployment name.")] = "nightly",
) -> None:
    """Serve the refresh as a Prefect deployment on a schedule (needs a Prefect server: set PREFECT_API_URL).

    Example: PREFECT_API_URL=http://127.0.0.1:4200/api courses serve --cron "0 3 * * *"
    """
    if not os.environ.get("PREFECT_API_URL"):
        _fail("a schedule needs a Prefect server: start one with `prefect server start` and set "
              "PREFECT_API_URL=http://127.0.0.1:4200/api", 2)
    if from_archive is not None and not from_archive.is_dir():
        _fail(f"--from-archive {from_archive}: no such folder", 2)
    from sources import SourcesError, load_sources

    try:
        load_sources(sources_file)
    except SourcesError as exc:
        _fail(str(exc), 2)
    from prefect import serve as prefect_serve

    from flows.schedule import nightly_deployment

    deployment = nightly_deployment(cron=cron, timezone=timezone, db_path=str(_db(db).resolve()),
                                    sources_file=str(sources_file.resolve()) if sources_file else None,
                                    archive_dir=str(archive_dir.resolve()),
                                    from_archive=str(from_archive.resolve()) if from_archive else None, name=name)
    prefect_serve(deployment, pause_on_shutdown=False)


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A saved page: HTML or its visible text.")],
    source: Annotated[str, typer.Option("--source", help="Source name: cupe-workshops, aupe-courses, cupe-events, aupe-events, aupe-news, aupe-labour-school.")],
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
    content = read_page_file(file, MAX_PAGE_BYTES)
    text, _ = decode(content, "text/plain" if file.suffix.lower() == ".txt" else None)
    parser = get_parser(src.parser)
    page_url = url or src.start_urls[0]
    try:
        result = getattr(parser, "parse_page", parser.parse)(text, page_url)  # a source of several page kinds
    except ParseError as exc:
        _fail(f"{file}: {exc.reason}")
    from schema.workshop_pages import WorkshopPageResult

    if isinstance(result, WorkshopPageResult):  # a CUPE workshop's own page
        from cli.workshop_pages import print_workshop_page

        return print_workshop_page(file, src, parser, result)
    if getattr(parser, "KIND", "courses") == "sessions":
        from cli.sessions import print_sessions

        return print_sessions(file, src, parser, result)
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
    sql: Annotated[str, typer.Argument(help="One SELECT statement, run read-only: no file read or written but the warehouse.")],
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run a read-only SQL query on the warehouse.

    Example: courses query "SELECT * FROM multi_length_courses" --format csv
    """
    from warehouse import WarehouseError, run_query

    if not sql.strip():
        _fail("no SQL given; example: courses query \"SELECT provider, count(*) FROM courses GROUP BY 1\"", 2)
    if format not in ("table", "csv", "json"):
        _fail(f"--format must be table, csv or json, not {format!r}", 2)
    try:
        cols, rows = run_query(_db(db), sql)
    except WarehouseError as exc:
        _fail(str(exc))
    if format == "csv":  # lists as JSON arrays, the same as `courses export --format csv`
        from warehouse.csvformat import write_csv

        write_csv(sys.stdout, cols, rows)
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

from cli import sessions as _sessions  # noqa: E402  (courses sessions)

_sessions.register(app)

if __name__ == "__main__":
    app()
