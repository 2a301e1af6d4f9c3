"""The nightly run on a real Prefect server: the scheduler creates the run, the served process runs it.

One `prefect server start` for the session (conftest's prefect_server). The README's scheduling
block is run as written; a bad night is checked in the server's own records.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.clirun import run_courses
from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.slow
README = ROOT / "README.md"


def readme_block(marker: str) -> str:
    """The fenced block right after `<!-- marker -->` in the README."""
    text = README.read_text(encoding="utf-8")
    m = re.search(rf"<!-- {re.escape(marker)} -->\n```[a-z]*\n(.*?)```", text, re.S)
    assert m, f"README has no block after <!-- {marker} -->"
    return m.group(1)


UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
RUN_NAME = re.compile(r"\b[a-z]+-[a-z]+\b")  # Prefect's generated run names: adjective-animal
WHEN = re.compile(r"\b(in )?(a few|a|an|\d+) (seconds?|minutes?|hours?)( ago)?\b|\bjust now\b")
BOX = re.compile(r"[─━│┃┏┓┗┛┡┩└┘┌┐├┤┬┴┼┳┻╇╋]")


def normalised(text: str) -> list[str]:
    """Lines as printed, less what differs between runs: ids, run names, times, table widths."""
    out = []
    for line in text.splitlines():
        line = WHEN.sub("<when>", RUN_NAME.sub("<name>", UUID.sub("<id>", line)))
        line = " ".join(BOX.sub(" ", line).split())
        if line:
            out.append(line)
    return out


def flow_runs(server, **flow_run_filter) -> list[dict]:
    body = {"limit": 200, "offset": 0, "sort": "EXPECTED_START_TIME_DESC", "flow_runs": flow_run_filter}
    response = httpx.post(f"{server.api_url}/flow_runs/filter", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def end_group(pgid: int) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left of it after 10 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def test_the_readme_nightly_is_scheduled_and_run_by_a_real_server(prefect_server, tmp_path):
    section = README.read_text(encoding="utf-8").split("### Scheduling the nightly run")[1]
    assert ".venv/bin/prefect server start &" in section  # what conftest's prefect_server runs
    commands, expected = readme_block("nightly-demo:commands"), readme_block("nightly-demo:output")
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    env = {**os.environ, **prefect_server.client_env(),
           "PREFECT_LOGGING_LEVEL": "INFO",  # Prefect's default, which the block's `grep` reads in serve.log
           "PREFECT_RUNNER_POLL_FREQUENCY": "2"}  # the served process looks for due runs every 2 s, not 10
    proc = subprocess.Popen(["bash", "-e", "-c", commands], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=300)  # the next minute, plus the run
    except subprocess.TimeoutExpired:
        out, err = "", f"timed out; serve.log: {(tmp_path / 'serve.log').read_text()[-3000:]}"
    finally:
        end_group(proc.pid)  # the `courses serve` the block started, if still there
    assert proc.returncode == 0, err  # includes `prefect deployment ls` and `prefect flow-run ls`
    assert normalised(out) == normalised(expected), out

    # The run that loaded the warehouse was created by the server's scheduler, not by `deployment run`.
    completed = flow_runs(prefect_server, state={"type": {"any_": ["COMPLETED"]}})
    nightly = [r for r in completed if r["parameters"].get("db_path") == str(tmp_path / "nightly.duckdb")]
    assert nightly and all(r["auto_scheduled"] and r["deployment_id"] for r in nightly), nightly
    # The shipped pages hold 84 CUPE listings (78 courses once length variants are grouped), 9 AUPE
    # catalogue courses and 5 Labour School courses (10 listings: a course named in several years is one).
    con = duckdb.connect(str(tmp_path / "nightly.duckdb"), read_only=True)
    assert con.execute("SELECT provider, count(*) FROM courses GROUP BY 1 ORDER BY 1").fetchall() == [
        ("AUPE", 14), ("CUPE", 78)]
    assert con.execute("SELECT status, mode FROM runs").fetchall()[0] == ("succeeded", "archive")
    con.close()


def test_a_bad_night_ends_failed_in_prefect_with_the_reasons(prefect_server, tmp_path):
    partial, none = tmp_path / "partial", tmp_path / "none"
    shutil.copytree(SAMPLES / "cupe-workshops", partial / "cupe-workshops")
    for folder in (partial / "aupe-courses", none / "cupe-workshops", none / "aupe-courses"):
        folder.mkdir(parents=True)
    results = {}
    for name, archive in [("partial", partial), ("failed", none)]:
        db = tmp_path / f"{name}.duckdb"
        out = run_courses("refresh", "--from-archive", str(archive), "--source", "cupe-workshops",
                          "--source", "aupe-courses", "--db", str(db), env=prefect_server.client_env())
        assert out.returncode == 1, out.stderr
        assert "Traceback" not in out.stderr and "Traceback" not in out.stdout
        results[name] = (db, out.stderr.splitlines())
    aupe_reason = f"aupe-courses: archive folder {partial}/aupe-courses holds no index.jsonl and no .html or .txt pages"
    db, lines = results["partial"]
    assert [l for l in lines if l.startswith("error:")] == [f"error: {aupe_reason}"]
    assert re.fullmatch(rf"run \S+ partial: {db} \(1 of 2 sources loaded or unchanged; Prefect state Partial\)", lines[-1])
    db, lines = results["failed"]
    assert len([l for l in lines if l.startswith("error:")]) == 2
    assert re.fullmatch(rf"run \S+ failed: {db} \(0 of 2 sources loaded or unchanged; Prefect state Failed\)", lines[-1])

    # What the server recorded: Failed-type states, named Partial and Failed, the reasons as the message.
    failed = flow_runs(prefect_server, state={"type": {"any_": ["FAILED"]}})
    by_db = {r["parameters"]["db_path"]: r for r in failed}
    partial_run, failed_run = by_db[str(results["partial"][0])], by_db[str(results["failed"][0])]
    assert (partial_run["state_type"], partial_run["state_name"]) == ("FAILED", "Partial")
    assert partial_run["state"]["message"] == aupe_reason
    assert (failed_run["state_type"], failed_run["state_name"]) == ("FAILED", "Failed")
    assert failed_run["state"]["message"].splitlines() == [
        f"cupe-workshops: archive folder {none}/cupe-workshops holds no index.jsonl and no .html or .txt pages",
        f"aupe-courses: archive folder {none}/aupe-courses holds no index.jsonl and no .html or .txt pages"]
    # `prefect flow-run ls`, run in this process through Prefect's own CLI runner (a process of
    # its own is ~2.5 s of CPU of Prefect's imports).
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.testing.cli import CycloptsCliRunner

    with temporary_settings(updates={PREFECT_API_URL: prefect_server.api_url}):
        ls = CycloptsCliRunner().invoke(["flow-run", "ls", "--state", "Partial"])
    assert ls.exit_code == 0, ls.stderr
    assert "FAILED" in ls.stdout and "COMPLETED" not in ls.stdout
