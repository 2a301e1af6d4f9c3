"""What every `courses` command shares: where the database is, and how an error is said."""
from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn, Optional

import typer

DB_HELP = "DuckDB file (env COURSES_DB; default courses.duckdb)."


def db_path(db: Optional[Path]) -> Path:
    return db or Path(os.environ.get("COURSES_DB", "courses.duckdb"))


def fail(message: str, code: int = 1) -> NoReturn:
    """One line an operator can act on, then a non-zero exit; never a traceback."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def one_line(text: str) -> str:
    """A message as one line: its lines joined, its runs of blanks collapsed."""
    return " ".join(str(text).split())


def read_page_file(path: Path, limit: int) -> bytes:
    """The bytes of a saved page: a regular file only, never more than `limit` bytes read.

    The file is opened without blocking and checked on the open descriptor, so a FIFO, a
    device (/dev/zero) or a directory is refused at once, and a file that grows while it is
    read stops at the cap whatever its stat size said.
    """
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror}", 2)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a file")
        fail(f"{path}: is {kind}, not a regular file; give a saved page", 2)
    size = os.fstat(fd).st_size
    if size > limit:
        os.close(fd)
        fail(f"{path}: {size / 1e6:.1f} MB is larger than a catalogue page can be "
             f"({limit / 1e6:.0f} MB); is this the right file?")
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as fh:
        try:
            content = fh.read(limit + 1)
        except OSError as exc:
            fail(f"{path}: cannot read: {exc.strerror}", 2)
    if len(content) > limit:
        fail(f"{path}: more than {limit / 1e6:.1f} MB read, larger than a catalogue page can be "
             f"({limit / 1e6:.0f} MB); is this the right file?")
    return content
