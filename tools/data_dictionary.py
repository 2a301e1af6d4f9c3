"""Regenerate docs/data-dictionary.md from a warehouse built from samples/ (no Prefect, no network).

    .venv/bin/python tools/data_dictionary.py          # writes docs/data-dictionary.md
    .venv/bin/python tools/data_dictionary.py --check  # exit 1 when the committed file is stale

The tests build their database with ``build_sample_db`` too, so what this writes is what
tests/test_analyst.py expects.
"""
from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SAMPLES = ROOT / "samples" / "archive"
DICTIONARY = ROOT / "docs" / "data-dictionary.md"
SAMPLE_PAGES = {  # source -> (page in samples/archive, URL it stands for)
    "cupe-workshops": ("cupe-workshops/workshops.html", "https://cupe.ca/mrm-union-education/workshops"),
    "aupe-courses": ("aupe-courses/courses.html", "https://aupe.org/training/courses"),
}


def sample_loads():
    """One SourceLoad per sample page: parsed, normalised and grouped as a refresh does it."""
    from grouping import group_listings
    from normalise.listing import normalise
    from parsers import get_parser
    from sources import load_sources
    from warehouse.load import SourceLoad

    loads = []
    for name, (page, url) in SAMPLE_PAGES.items():
        (src,) = load_sources(None, [name])
        parser = get_parser(src.parser)
        result = parser.parse((SAMPLES / page).read_text(encoding="utf-8"), url)
        listings = normalise(result.listings, provider=src.provider, source=src.name,
                             conventions=src.conventions, prefixes=getattr(parser, "PROGRAMME_PREFIXES", {}))
        loads.append(SourceLoad(source=name, status="loaded", listings=listings,
                                grouping=group_listings(listings), errors=result.errors))
    return loads


def build_sample_db(path: str | Path, run_id: str = "20260101T000000Z-sample") -> Path:
    """A warehouse at `path` loaded from samples/ (the load applies the analyst schema and topics)."""
    from warehouse.load import RunRecord, publish

    path = Path(path)
    loads = sample_loads()
    started = datetime(2026, 1, 1, tzinfo=timezone.utc)
    run = RunRecord(run_id=run_id, started_at=started, finished_at=started, mode="archive",
                    sources=[l.source for l in loads], status="succeeded")
    publish(path, run, loads)
    return path


def generate() -> str:
    import duckdb

    from warehouse.analyst import data_dictionary

    with tempfile.TemporaryDirectory(prefix="data-dictionary-") as tmp:
        db = build_sample_db(Path(tmp) / "sample.duckdb")
        con = duckdb.connect(str(db), read_only=True)
        try:
            return data_dictionary(con)
        finally:
            con.close()


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        if not DICTIONARY.exists() or DICTIONARY.read_text(encoding="utf-8") != text:
            print(f"error: {DICTIONARY.relative_to(ROOT)} is stale; run .venv/bin/python tools/data_dictionary.py",
                  file=sys.stderr)
            return 1
        print(f"{DICTIONARY.relative_to(ROOT)} is up to date")
        return 0
    DICTIONARY.parent.mkdir(parents=True, exist_ok=True)
    DICTIONARY.write_text(text, encoding="utf-8")
    print(f"data dictionary written: {DICTIONARY.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
