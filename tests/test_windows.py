"""What runs on Windows: `courses query`, `search`, `export` and `report` import no POSIX-only
module. Tested by running them where those modules cannot be imported; the writer's lock is
portalocker's (LockFileEx/msvcrt on Windows, flock here)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import in_turn_script
from tests.conftest import ROOT, copy_sample_db

pytestmark = pytest.mark.slow

# POSIX-only modules (and portalocker, which the read-only side must not need) made unimportable,
# then each command given (a JSON list of argument lists) run in turn: what each printed and its
# exit code, as JSON. One process for the four commands, not one each (~0.7 s of CPU a process):
# a module made unimportable stays so for every command, whatever the ones before it imported.
NO_POSIX = in_turn_script("""
    import sys
    for name in ("fcntl", "termios", "resource", "grp", "pwd", "portalocker"):
        sys.modules[name] = None
""")
COMMANDS = [
    (["query", "SELECT count(*) AS n FROM courses WHERE status = 'active'", "--format", "csv"], "n\n87\n"),
    (["search", "grievance", "arbitration", "--limit", "2"], "grievanc"),
    (["report", "{tmp}/r.html"], "report written"),
    (["export", "{tmp}/out", "--format", "csv"], "courses: 87 rows"),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory, sample_db_template) -> Path:
    return copy_sample_db(sample_db_template, tmp_path_factory.mktemp("windows") / "d.duckdb")


@pytest.fixture(scope="module")
def no_posix_runs(db, tmp_path_factory) -> dict[str, dict]:
    """Each of COMMANDS, run with --db in one process where the POSIX-only modules cannot be imported."""
    tmp = tmp_path_factory.mktemp("windows-out")
    commands = [[a.format(tmp=tmp) for a in args] + ["--db", str(db)] for args, _ in COMMANDS]
    out = subprocess.run([sys.executable, "-c", NO_POSIX, json.dumps(commands)], capture_output=True, text=True,
                         cwd=ROOT, timeout=240)
    assert out.returncode == 0, out.stderr
    return {run["args"][0]: run for run in json.loads(out.stdout.strip().splitlines()[-1])}


@pytest.mark.parametrize("args, expect", COMMANDS)
def test_analyst_commands_need_no_posix_module(no_posix_runs, args, expect):
    run = no_posix_runs[args[0]]
    assert run["code"] == 0, run["stderr"]
    assert expect in run["stdout"]


def test_no_module_imports_fcntl():
    for folder in ("cli", "warehouse", "report", "grouping", "normalise", "topics", "schema"):
        for path in (ROOT / folder).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module] if isinstance(node, ast.ImportFrom) else [])
                assert "fcntl" not in names, path
