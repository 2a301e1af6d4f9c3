"""The analyst's commands of `courses`: search, export, report, dictionary.

cli/main.py adds them with ``analyst.register(app)``. Each opens the warehouse read-only;
each error is one line (``error: ...``) and exit status 1, never a traceback.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cli.common import DB_HELP, db_path as _db, fail as _fail


def _connect(db: Optional[Path]):
    from warehouse.errors import WarehouseError
    from warehouse.query import connect_read_only

    try:
        return connect_read_only(_db(db))
    except WarehouseError as exc:
        _fail(str(exc))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def search(
    words: Annotated[list[str], typer.Argument(help="Words to look for in titles and descriptions.")],
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many courses.", min=1)] = 10,
) -> None:
    """Rank courses by relevance (BM25 over title, description and bullets) and show their lengths.

    Example: courses search grievance arbitration --limit 5 --db demo.duckdb
    """
    import duckdb
    from rich.console import Console
    from rich.table import Table

    from warehouse.analyst import query_terms
    from warehouse.analyst import search as run_search

    text = " ".join(words)
    con = _connect(db)
    try:
        if not query_terms(con, text):
            _fail(f"nothing to search for in {text!r}: only stop words or punctuation")
        hits = run_search(con, text, limit)
        from report.sessions import next_sessions, titles

        ids = [h.course_id for h in hits]
        named, upcoming = titles(con, ids), next_sessions(con, ids)
    except duckdb.Error as exc:
        _fail(f"{_db(db)}: search failed: {_one_line(exc)}")
    finally:
        con.close()
    if not hits:
        typer.echo(f"no course matches {text!r}")
        return
    table = Table("score", "union", "programme", "course", "lengths", "next session", "matched")
    for h in hits:
        name = h.title or named.get(h.course_id) or (h.description_start + "…")
        table.add_row(f"{h.score:.2f}", h.provider, h.series or "", name, ", ".join(h.lengths or []) or "?",
                      upcoming.get(h.course_id, ""), " ".join(h.matched))
    Console(width=200).print(table)


def export(
    folder: Annotated[Path, typer.Argument(help="Folder to write into (created if missing; files overwritten).")],
    format: Annotated[str, typer.Option("--format", help="parquet, csv or json.")] = "parquet",
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
) -> None:
    """Write every table and view to FOLDER/<name>.<format> (DuckDB COPY ... TO).

    Example: courses export out/ --format csv --db demo.duckdb
    """
    import duckdb

    from warehouse.analyst import EXPORT_FORMATS
    from warehouse.analyst import export as run_export

    if format not in EXPORT_FORMATS:
        _fail(f"--format must be parquet, csv or json, not {format!r}")
    if folder.exists() and not folder.is_dir():
        _fail(f"{folder} exists and is not a folder")
    con = _connect(db)
    try:
        written = run_export(con, folder, format)
    except duckdb.Error as exc:
        _fail(f"{folder}: export failed: {_one_line(exc)}")
    except OSError as exc:
        _fail(f"{folder}: cannot write: {exc.strerror or exc}")
    finally:
        con.close()
    for name, path, n in written:
        typer.echo(f"{name}: {n} rows -> {path}")


def report(
    out: Annotated[Path, typer.Argument(help="HTML file to write, e.g. report.html.")],
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
) -> None:
    """Write the catalogue report: one self-contained HTML page (counts by union, programme and
    topic, a chart of lengths, courses with several lengths, the last run's changes).

    Example: courses report report.html --db demo.duckdb
    """
    import duckdb

    from report import build_report

    db_path = _db(db)
    con = _connect(db)
    try:
        page = build_report(con, db_label=db_path.name)
    except duckdb.Error as exc:
        _fail(f"{db_path}: cannot build the report: {_one_line(exc)}")
    finally:
        con.close()
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        _fail(f"{out}: cannot write: {exc.strerror or exc}")
    typer.echo(f"report written: {out}")


def dictionary(
    db: Annotated[Optional[Path], typer.Option(help=DB_HELP)] = None,
    out: Annotated[Path, typer.Option(help="Markdown file to write; '-' prints it.")] = Path("docs/data-dictionary.md"),
) -> None:
    """Write the data dictionary (every table and view, its columns, types and comments) from the database itself.

    Example: courses dictionary --db demo.duckdb --out docs/data-dictionary.md
    (the committed file is regenerated from the samples with: .venv/bin/python tools/data_dictionary.py)
    """
    import duckdb

    from warehouse.analyst import data_dictionary

    con = _connect(db)
    try:
        text = data_dictionary(con)
    except duckdb.Error as exc:
        _fail(f"{_db(db)}: cannot read the catalogue: {_one_line(exc)}")
    finally:
        con.close()
    if str(out) == "-":
        typer.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"{out}: cannot write: {exc.strerror or exc}")
    typer.echo(f"data dictionary written: {out}")


def register(app: typer.Typer) -> None:
    """Add the analyst's commands (search, export, report, dictionary) to `app`."""
    app.command()(search)
    app.command()(export)
    app.command()(report)
    app.command()(dictionary)
