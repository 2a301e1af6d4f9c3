"""A source's load tables spooled to disk between grouping and the load (warehouse.package):
read back as written, and loaded into the same warehouse as the same tables held in memory,
night after night, however many batches they are cut into."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import warehouse.load as wl
import warehouse.package as package
from grouping import group_listings
from tools.data_dictionary import sample_loads
from warehouse.package import SourceTables

TABLES = ("listings", "courses", "course_variants", "course_history", "variant_history", "course_topics")


def test_a_spooled_table_reads_back_batch_by_batch_and_by_column(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "BATCH_ROWS", 4)
    schema = pa.schema([("k", pa.string()), ("n", pa.int64()), ("words", pa.list_(pa.string()))])
    parts = [pa.table({"k": ["a", "b", "c"], "n": [1, 2, 3], "words": [["x"], [], None]}, schema=schema),
             pa.table({"k": [f"r{i}" for i in range(7)], "n": list(range(7)), "words": [["y", "z"]] * 7},
                      schema=schema)]
    whole = pa.concat_tables(parts)
    tables = SourceTables.spooled(tmp_path / "spool", "src", {"t": iter(parts)}, {"t": schema})
    assert tables.num_rows("t") == 10
    batches = list(tables.batches("t"))
    assert [b.num_rows for b in batches] == [3, 4, 3]  # a part is cut at BATCH_ROWS, never joined to the next
    assert pa.concat_tables(batches).equals(whole)
    assert tables.read("t", ["k", "n"]).equals(whole.select(["k", "n"]))
    assert [b.column_names for b in tables.batches("t", ["n", "words"])] == [["n", "words"]] * 3
    with pytest.raises(ValueError):
        tables.read("t", ["n", "k"])  # not in the file's order: refused, not silently reordered
    path = tmp_path / "spool" / "src.t.arrow"
    assert path.is_file()
    # Read whole and in batches, it stays readable, as a load that starts again reads it again.
    assert path.is_file() and tables.read("t").equals(whole)
    held = SourceTables.in_memory({"t": whole})
    assert held.num_rows("t") == 10 and pa.concat_tables(list(held.batches("t"))).equals(whole)
    assert held.to_tables()["t"].equals(whole)


def _night_two(loads):
    """The sample night again with every third CUPE listing gone and one AUPE description reworded."""
    out = []
    for load in loads:
        listings = list(load.listings)
        if load.source == "cupe-workshops":
            listings = [l for i, l in enumerate(listings) if i % 3]
        else:
            listings[0] = listings[0].model_copy(update={"description": listings[0].description + " Now online."})
        out.append(wl.SourceLoad(source=load.source, status="loaded", listings=listings,
                                 grouping=group_listings(listings)))
    return out


def _publish_nights(db: Path, spool: bool) -> dict[str, list[tuple]]:
    start = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    first = sample_loads()
    nights = [first, _night_two(first), sample_loads()]  # the third night brings the courses back
    for k, loads in enumerate(nights):
        at = start + timedelta(days=k)
        run = wl.RunRecord(run_id=f"r{k}", started_at=at, finished_at=at, mode="archive",
                           sources=[l.source for l in loads], status="succeeded")
        loads = [dataclasses.replace(l) for l in loads]
        for load in loads:
            wl.columnar(load, spool=wl.spool_folder(db) if spool else None)
            if spool:  # the source holds neither its listings nor its grouping: they are on disk
                assert load.listings == [] and load.grouping is None
                assert sorted(p.name for p in wl.spool_folder(db).glob(f"{load.source}.*")) == [
                    f"{load.source}.{t}.arrow" for t in ("course_variants", "courses", "listings")]
        wl.publish(db, run, loads, release=True)
        assert not wl.spool_folder(db).exists()  # the load removes the run's spooled tables
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        con.close()


def test_spooled_tables_load_the_same_warehouse_as_tables_in_memory(tmp_path, monkeypatch):
    """Three nights (all new; a third of CUPE gone and a description changed; everything back),
    loaded from tables in memory, and from spooled tables cut into batches of 5 rows (so that
    every batch has rows to insert and rows to skip)."""
    in_memory = _publish_nights(tmp_path / "a" / "c.duckdb", spool=False)
    monkeypatch.setattr(wl, "SPOOL_LISTINGS", 0)  # (the samples are small sources: kept in memory otherwise)
    monkeypatch.setattr(package, "BATCH_ROWS", 5)
    monkeypatch.setattr(wl, "BATCH_ROWS", 5)
    spooled = _publish_nights(tmp_path / "b" / "c.duckdb", spool=True)
    # The nights did what they say: courses removed on the second, back on the third.
    con = duckdb.connect(str(tmp_path / "b" / "c.duckdb"), read_only=True)
    removed, returned = con.execute(
        "SELECT count(*) FILTER (WHERE valid_to_run = 'r1'), count(*) FILTER (WHERE valid_from_run = 'r2') "
        "FROM course_history").fetchone()
    con.close()
    assert removed > 5 and returned > 5
    for table in TABLES:
        assert len(spooled[table]) == len(in_memory[table]) > 0, table
        assert spooled[table] == in_memory[table], table


def test_the_load_keeps_this_runs_spool_and_removes_a_killed_runs(tmp_path):
    db = tmp_path / "c.duckdb"
    mine = wl.spool_folder(db)
    other = tmp_path / ".c.duckdb.999999.tmp.spool"
    for folder in (mine, other):
        folder.mkdir()
        (folder / "cupe-workshops.listings.arrow").write_bytes(b"x")
    assert wl.remove_stale_files(db, keep=mine) == [other]
    assert mine.is_dir()
    assert wl.remove_stale_files(db) == [mine]


def test_a_load_short_of_its_first_budget_starts_again_with_the_next(tmp_path, monkeypatch, caplog):
    """Unset, COURSES_LOAD_MEMORY_MB gives the load budgets to try in turn: a load that DuckDB
    cannot fit in the first (here 1 MB) is started again from the untouched warehouse and the same
    spooled tables with the next, and loads what a load with the next alone loads. A budget set by
    the operator is kept to: that load fails, changing nothing."""
    monkeypatch.delenv("COURSES_LOAD_MEMORY_MB", raising=False)
    monkeypatch.setattr(wl, "SPOOL_LISTINGS", 0)
    expected = _publish_nights(tmp_path / "a" / "c.duckdb", spool=True)
    monkeypatch.setattr(wl, "DEFAULT_LOAD_MEMORY_MB", (1, 1024))
    with caplog.at_level("WARNING", logger="courses.load"):
        got = _publish_nights(tmp_path / "b" / "c.duckdb", spool=True)
    assert got == expected
    assert sum("starting it again with 1024 MB" in r.getMessage() for r in caplog.records) == 3  # each night
    # Set by the operator: no second attempt.
    monkeypatch.setenv("COURSES_LOAD_MEMORY_MB", "1")
    db = tmp_path / "c" / "c.duckdb"
    with pytest.raises(wl.WarehouseError, match="COURSES_LOAD_MEMORY_MB to more than 1"):
        _publish_nights(db, spool=True)
    assert not db.exists() and sorted(p.name for p in db.parent.iterdir()) == ["c.duckdb.lock"]


def test_a_commit_that_could_not_allocate_is_out_of_memory():
    """DuckDB reports a COMMIT that ran out of its memory limit as a TransactionException (seen
    at a million listings under 160 MB); the load counts it as out of memory (the next budget is
    tried), and other failures not."""
    assert wl._out_of_memory(duckdb.OutOfMemoryException("could not allocate block of size 256.0 KiB"))
    assert wl._out_of_memory(duckdb.TransactionException(
        "TransactionContext Error: Failed to commit: could not allocate block of size 256.0 KiB (583.4 MiB/583.5 MiB used)"))
    assert not wl._out_of_memory(duckdb.TransactionException("TransactionContext Error: Conflict on update"))
    assert not wl._out_of_memory(duckdb.ConstraintException("Duplicate key \"course_id: c_1\""))


def test_a_small_source_keeps_its_tables_in_memory(tmp_path):
    """Spooling is for big sources (SPOOL_LISTINGS): a night's small sources keep theirs in memory."""
    (load, *_rest) = sample_loads()
    wl.columnar(load, spool=wl.spool_folder(tmp_path / "c.duckdb"))
    assert len(load.listings) < wl.SPOOL_LISTINGS and load.tables.spooled_to == []
    assert load.n_listings == len(load.listings) > 0 and not wl.spool_folder(tmp_path / "c.duckdb").exists()


def test_a_night_of_small_sources_held_in_memory_is_started_again_too(tmp_path, monkeypatch, caplog):
    """Small sources keep their tables in memory (SPOOL_LISTINGS) and the flow's load releases
    them as it goes: a load short of its first budget is still started again with the next, from
    the same tables, and loads what one attempt loads."""
    monkeypatch.delenv("COURSES_LOAD_MEMORY_MB", raising=False)
    expected = _publish_nights(tmp_path / "a" / "c.duckdb", spool=False)
    monkeypatch.setattr(wl, "DEFAULT_LOAD_MEMORY_MB", (1, 1024))
    with caplog.at_level("WARNING", logger="courses.load"):
        got = _publish_nights(tmp_path / "b" / "c.duckdb", spool=False)
    assert got == expected
    assert sum("starting it again with 1024 MB" in r.getMessage() for r in caplog.records) == 3
