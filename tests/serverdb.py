"""A migrated, empty Prefect server database, kept for the test sessions' servers.

`make install` builds it (`python -m tests.serverdb`); a session that finds none saves its own
server's database just after the start, for the next.
"""
from __future__ import annotations

import os
from pathlib import Path


def server_db_template() -> Path:
    """Where a migrated, empty Prefect server database is kept for the next sessions: in the
    virtual environment, under the installed Prefect's version (a new Prefect, a new template)."""
    import sys
    from importlib.metadata import version

    return Path(sys.prefix) / "cache" / f"prefect-server-{version('prefect')}.db"


def copy_server_db_template(db: Path) -> bool:
    """Start a server's database from the template if there is one. A server's start on a new
    database runs every migration: ~7 s of its ~15 s of CPU. The server still checks the
    migrations on start (none to run); the template is no more than what it would have made."""
    import shutil

    template = server_db_template()
    if not template.exists():
        return False
    shutil.copyfile(template, db)
    return True


def save_server_db_template(db: Path) -> None:
    """Keep a copy of a server's database just after its first start (migrated, nothing stored
    yet), through SQLite's backup API (the server has it open), for the next sessions' servers."""
    import sqlite3

    template = server_db_template()
    template.parent.mkdir(parents=True, exist_ok=True)
    partial = template.with_name(f"{template.name}.{os.getpid()}.part")
    src, dst = sqlite3.connect(db), sqlite3.connect(partial)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    os.replace(partial, template)  # whole or not at all, whichever session saves it


def build_server_db_template() -> Path:
    """`prefect server database upgrade -y` on a new database, kept as the template (if there is none yet)."""
    import subprocess
    import sys
    import tempfile

    template = server_db_template()
    if template.exists():
        return template
    with tempfile.TemporaryDirectory(prefix="prefect-db-") as home:
        env = {**os.environ, "PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)
        subprocess.run([str(Path(sys.executable).with_name("prefect")), "server", "database", "upgrade", "-y"],
                       env=env, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        save_server_db_template(Path(home) / "prefect.db")
    return template


if __name__ == "__main__":
    print(f"Prefect server database template: {build_server_db_template()}")
