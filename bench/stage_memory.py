"""Peak RSS (VmHWM) after each stage of one generated catalogue: parse + normalise_batch,
grouping, rows_for, publish.

    .venv/bin/python -m bench.stage_memory 20000
"""
import sys, gc
from bench import stages
from bench.stages import reset_peak_rss, peak_rss_mb
n = int(sys.argv[1])
pages = stages._pages(n)
gc.collect(); reset_peak_rss(); print("inputs", round(peak_rss_mb()))
ls = stages._parse_normalise(pages, stages._our_parsers())
print("after parse+normalise", round(peak_rss_mb()), {k: v.table.nbytes // 1e6 for k, v in ls.items()})
from grouping import group_listings
g = {k: group_listings(v) for k, v in ls.items()}
print("after grouping", round(peak_rss_mb()))
from warehouse.load import SourceLoad, publish, rows_for
loads = [SourceLoad(source=k, status="loaded", pages=[], listings=v, grouping=g[k]) for k, v in ls.items()]
rows = [rows_for(l) for l in loads]
print("after rows_for", round(peak_rss_mb()))
del rows
import tempfile, pathlib
d = pathlib.Path(tempfile.mkdtemp())
publish(d / "x.duckdb", stages._run_record(loads), loads)
print("after publish", round(peak_rss_mb()))
