"""What runs on Windows: `courses query`, `search`, `export` and `report` import no POSIX-only
module. Tested by running them where those modules cannot be imported; the writer's lock is
portalocker's (LockFileEx/msvcrt on Windows, flock here)."""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_sample_db

pytestmark = pytest.mark.slow

# POSIX-only modules (and portalocker, which the read-only side must not need) made unimportable.
NO_POSIX = textwrap.dedent("""
    import sys
    for name in ("fcntl", "termios", "resource", "grp", "pwd", "portalocker"):
        sys.modules[name] = None
    sys.argv = ["courses", *sys.argv[1:]]
    from cli.main import app
    app()
""")


@pytest.fixture(scope="module")
def db(tmp_path_factory, sample_db_template) -> Path:
    return copy_sample_db(sample_db_template, tmp_path_factory.mktemp("windows") / "d.duckdb")


@pytest.mark.parametrize("args, expect", [
    (["query", "SELECT count(*) AS n FROM courses WHERE status = 'active'", "--format", "csv"], "n\n87\n"),
    (["search", "grievance", "arbitration", "--limit", "2"], "grievanc"),
    (["report", "{tmp}/r.html"], "report written"),
    (["export", "{tmp}/out", "--format", "csv"], "courses: 87 rows"),
])
def test_analyst_commands_need_no_posix_module(db, tmp_path, args, expect):
    args = [a.format(tmp=tmp_path) for a in args]
    out = subprocess.run([sys.executable, "-c", NO_POSIX, *args, "--db", str(db)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert expect in out.stdout


def test_no_module_imports_fcntl():
    for folder in ("cli", "warehouse", "report", "grouping", "normalise", "topics", "schema"):
        for path in (ROOT / folder).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module] if isinstance(node, ast.ImportFrom) else [])
                assert "fcntl" not in names, path
