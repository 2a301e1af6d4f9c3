"""Compare the grouping of two source trees on the same inputs: every course, variant, id and
join reason, and the courses / course_variants tables the load builds from them.

    git archive f35ddda | tar -x -C /tmp/old_group
    .venv/bin/python tools/compare_grouping.py --old /tmp/old_group [--sizes 1000,10000,100000] [--examples 300]

Inputs (built once here, in this tree, and read by both): the sample archive's course pages and
the seed page, generated catalogues (bench/generate.py) at each size, and listing sets drawn by
the property tests' strategies (tests/test_grouping.py) plus a wider one below, with a fixed
seed. Each tree groups every input in a process of its own (``--dump``); the script then
compares the two dumps and exits 1 on the first difference it reports.
"""
from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COURSE_FIELDS = ("course_id", "provider", "source", "title", "series", "description", "bullets", "audience",
                 "key_kind", "lengths", "min_hours", "max_hours", "n_variants", "n_listings")
VARIANT_FIELDS = ("variant_id", "course_id", "duration_text", "duration_hours", "duration_hours_max",
                  "delivery_mode", "join_reason", "join_score", "n_listings", "listing_indexes")


# --- inputs (this tree) ----------------------------------------------------------------

def _sample_inputs() -> list[tuple[str, list]]:
    from normalise.listing import normalise
    from parsers import get_parser
    from sources import load_sources

    out = []
    seeds = ROOT.parent / "shared" / "seeds" / "004_f2b4f38a1485bd1c.txt"
    for src in load_sources():
        if src.name not in ("cupe-workshops", "aupe-courses", "aupe-labour-school"):
            continue
        parser = get_parser(src.parser)
        files = sorted((ROOT / "samples" / "archive" / src.name).glob("*.html"))
        if src.name == "cupe-workshops" and seeds.exists():
            files.append(seeds)
        listings = []
        for path in files:
            try:
                result = parser.parse(path.read_text(encoding="utf-8"), f"https://example.org/{path.name}")
            except Exception:  # a workshop page, not a catalogue: not an input of grouping
                continue
            page = normalise(result.listings, provider=src.provider, source=src.name, conventions=src.conventions,
                             prefixes=getattr(parser, "PROGRAMME_PREFIXES", {}))
            if page:
                out.append((f"sample {src.name}/{path.name}", list(page)))
                listings += page
        if listings:
            out.append((f"sample {src.name} (all pages)", listings))
    return out


def _generated_inputs(sizes: list[int]) -> list[tuple[str, object]]:
    from bench import stages

    out = []
    for size in sizes:
        pages = stages._PageFiles(size)
        try:
            for name, batch in stages._parse_normalise(pages, stages._our_parsers()).items():
                if len(batch):
                    out.append((f"generated {size} {name}", batch))
        finally:
            pages.close()
    return out


def _property_inputs(examples: int) -> list[tuple[str, list]]:
    from hypothesis import HealthCheck, given, settings, strategies as st

    from normalise.listing import split_title
    from tests.test_grouping import listing, listing_sets

    titles = [None, None, "Notetaking", "Financial Essentials 1 Day", "Financial Essentials 2 Day",
              "Financial Essentials", "Café – “Rôle”", "Level 2 Day Course", "Level 1 Day Course"]
    texts = ["Bullying hurts everyone, and this workshop shows how to stop it at work.",
             "Bullying hurts everyone, and this 6-hour workshop shows how to stop it at work.",
             "Bullying hurts everyone; this workshop shows how to stop it at work!",
             "Conflict is a natural part of our lives. Learn where it comes from.",
             "Conflict is a natural part of our lives. Learn where it comes from, and respond.",
             "Budgets, audits and reports in this one-day workshop.", "", "Ünïcode text – “quoted” 2 wks"]
    lengths = [("3 hours", 3.0, 3.0), ("6 hours", 6.0, 6.0), ("1 week", 35.0, 35.0), ("2-3 hours", 2.0, 3.0),
               ("half day", None, None), ("some time", None, None), (None, None, None)]

    @st.composite
    def wide_sets(draw):
        n = draw(st.integers(min_value=1, max_value=30))
        out = []
        for i in range(n):
            dur, hours, hmax = draw(st.sampled_from(lengths))
            out.append(listing(
                position=i, provider=draw(st.sampled_from(["CUPE", "AUPE"])),
                source_url=draw(st.sampled_from(["u", "v"])),
                series=draw(st.sampled_from([None, "Steward Learning Series", "Bargaining Program"])),
                title=draw(st.sampled_from(titles)), description=draw(st.sampled_from(texts)),
                bullets=draw(st.sampled_from([[], ["Week one"], ["2 wks later", "–dash"]])),
                audience=draw(st.sampled_from([None, "stewards"])),
                delivery_mode=draw(st.sampled_from([None, "online", "in_person"])),
                duration_text=dur, duration_hours=hours, duration_hours_max=hmax))
        return out

    out: list[tuple[str, list]] = []
    for label, strategy in [("property listing_sets", listing_sets()), ("property wide_sets", wide_sets())]:
        @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(strategy, st.sampled_from(["", " - 9 hours", " (2 days)", " – 3 hours"]))
        def collect(listings, suffix):
            if suffix:
                listings = [l.model_copy(update={"title": split_title(l.title + suffix, {})["title"]}) if l.title else l
                            for l in listings]
            out.append((f"{label} #{len(out)}", listings))
        collect()
    return out


def build_inputs(folder: Path, sizes: list[int], examples: int) -> int:
    """Write every input to ``folder/inputs.pickle``: (name, "batch" | "models", Arrow table)."""
    from schema.batch import ListingBatch

    rows = []
    for name, listings in [*_sample_inputs(), *_generated_inputs(sizes), *_property_inputs(examples)]:
        if isinstance(listings, ListingBatch):
            rows.append((name, "batch", listings.table))
        else:
            rows.append((name, "models", ListingBatch.from_models(listings).table))
    with open(folder / "inputs.pickle", "wb") as fh:
        pickle.dump(rows, fh, protocol=5)
    return len(rows)


# --- one tree's output (run in a process of its own, with that tree first on sys.path) ---

def dump(folder: Path, tag: str, part_rows: int | None = None) -> None:
    import grouping.variants
    from grouping import group_listings
    from schema.batch import ListingBatch
    from warehouse.load import SourceLoad, rows_for

    with open(folder / "inputs.pickle", "rb") as fh:
        inputs = pickle.load(fh)
    if part_rows and hasattr(grouping.variants, "_PART_ROWS"):  # a tree that groups by partitions
        grouping.variants._PART_ROWS = part_rows
    out = []
    for name, kind, table in inputs:
        batch = ListingBatch(table)
        listings = batch if kind == "batch" else list(batch)
        g = group_listings(listings)
        tables = rows_for(SourceLoad(source="s", status="loaded", listings=listings, grouping=g))
        out.append((name, {
            "courses": [tuple(getattr(c, f) for f in COURSE_FIELDS) for c in g.courses],
            "variants": [tuple(getattr(v, f) for f in VARIANT_FIELDS) for v in g.variants],
            "course_of": list(g.course_of), "variant_of": list(g.variant_of),
            "courses table": tables["courses"].to_pylist(),
            "course_variants table": tables["course_variants"].to_pylist(),
            "listing ids": tables["listings"].select(["listing_id", "course_id", "variant_id"]).to_pylist(),
        }))
    with open(folder / f"out-{tag}.pickle", "wb") as fh:
        pickle.dump(out, fh, protocol=5)


def _run_dump(tree: Path, folder: Path, tag: str, part_rows: int | None = None) -> None:
    code = (f"import sys; sys.path.insert(0, {str(tree)!r}); sys.path.insert(1, {str(ROOT / 'tools')!r}); "
            f"import compare_grouping as c; c.dump(__import__('pathlib').Path({str(folder)!r}), {tag!r}, {part_rows!r})")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tree)


def compare(folder: Path) -> int:
    with open(folder / "out-old.pickle", "rb") as fh:
        old = pickle.load(fh)
    with open(folder / "out-new.pickle", "rb") as fh:
        new = pickle.load(fh)
    assert [n for n, _ in old] == [n for n, _ in new], "the two dumps hold different inputs"
    bad = 0
    totals = {"inputs": 0, "listings": 0, "courses": 0, "variants": 0}
    for (name, a), (_, b) in zip(old, new):
        totals["inputs"] += 1
        totals["listings"] += len(a["course_of"])
        totals["courses"] += len(a["courses"])
        totals["variants"] += len(a["variants"])
        for part in a:
            if a[part] != b[part]:
                bad += 1
                diff = next((i for i, (x, y) in enumerate(zip(a[part], b[part])) if x != y), None)
                print(f"DIFFERENT {name}: {part} (old {len(a[part])}, new {len(b[part])}; first difference at {diff})")
                if diff is not None:
                    print(f"  old: {a[part][diff]!r}\n  new: {b[part][diff]!r}")
    print(f"compared {totals['inputs']} inputs: {totals['listings']:,} listings, {totals['courses']:,} courses, "
          f"{totals['variants']:,} variants; {'all equal' if not bad else f'{bad} parts differ'}")
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="tools/compare_grouping.py")
    ap.add_argument("--old", type=Path, default=Path("/tmp/old_group"), help="the other tree (git archive REV | tar -x -C DIR)")
    ap.add_argument("--new", type=Path, default=ROOT, help="the tree to compare with it (this one)")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--examples", type=int, default=300, help="listing sets drawn per strategy")
    ap.add_argument("--keep", type=Path, help="a folder to keep the inputs and dumps in")
    ap.add_argument("--part-rows", type=int, help="group by partitions of at most this many rows in the trees "
                    "that do (grouping.variants._PART_ROWS), so that small inputs take the partitions' path")
    a = ap.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    folder = a.keep or Path(tempfile.mkdtemp(prefix="compare-grouping-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "inputs.pickle").exists():
        n = build_inputs(folder, [int(s) for s in a.sizes.split(",") if s], a.examples)
        print(f"{n} inputs written to {folder}")
    _run_dump(a.old.resolve(), folder, "old", a.part_rows)
    _run_dump(a.new.resolve(), folder, "new", a.part_rows)
    return compare(folder)


if __name__ == "__main__":
    sys.exit(main())
