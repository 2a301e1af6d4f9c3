"""How many GC-tracked objects the parse path holds after a catalogue of pages: the old path
(raw listings, then one normalise into models) against the columnar one (normalise_batch).

    .venv/bin/python -m bench.gc_objects
"""
import gc
from bench import stages
from normalise.listing import normalise
from sources import load_sources
pages = [p for p in stages._pages(20000) if p.source == "cupe-workshops"]
po = stages._our_parsers()["cupe-workshops"]
src = [s for s in load_sources() if s.name == "cupe-workshops"][0]
base = len(gc.get_objects())
raws = []
for p in pages: raws.extend(po(p.html, p.url).listings)
print("old path: GC-tracked objects held after parsing", len(pages), "pages:", len(gc.get_objects()) - base)
ls = normalise(raws, provider=src.provider, source=src.name, conventions=src.conventions, prefixes={})
print("old path: + listings as models:", len(gc.get_objects()) - base)
del raws, ls; gc.collect(); base = len(gc.get_objects())
out = stages._parse_normalise(pages, stages._our_parsers())
print("new path: GC-tracked objects held after parse+normalise_batch:", len(gc.get_objects()) - base)
s = gc.get_stats(); print("collections", [x["collections"] for x in s])
