"""Peak RSS (VmHWM) after each stage of one generated catalogue, as the flow runs them:
parse + normalise_batch, grouping, the grouping as Arrow tables (warehouse.load.columnar),
publish (its own peak: the high-water mark is reset before it).

    .venv/bin/python -m bench.stage_memory 20000
"""
import sys, gc
from bench import stages
from bench.stages import reset_peak_rss, peak_rss_mb
from flows.memory import arrow_from_malloc
arrow_from_malloc()  # as flows.refresh does at the start of a run
n = int(sys.argv[1])
pages = stages._PageFiles(n)  # read one at a time from files, as the flow's archive gives them
gc.collect(); reset_peak_rss(); print("inputs", round(peak_rss_mb()))
ls = stages._parse_normalise(pages, stages._our_parsers())
pages.close()
print("after parse+normalise", round(peak_rss_mb()), {k: v.table.nbytes // 1e6 for k, v in ls.items()})
from grouping import group_listings
from warehouse.load import SourceLoad, columnar, publish
loads = []
for k in list(ls):
    v = ls.pop(k)
    loads.append(columnar(SourceLoad(source=k, status="loaded", pages=[], listings=v, grouping=group_listings(v))))
    del v
print("after grouping (as Arrow tables)", round(peak_rss_mb()))
import tempfile, pathlib
d = pathlib.Path(tempfile.mkdtemp())
gc.collect(); reset_peak_rss()
publish(d / "x.duckdb", stages._run_record(loads), loads, release=True)
print("publish's own peak", round(peak_rss_mb()))
