"""Where the run's Arrow buffers are allocated."""
from __future__ import annotations

import pyarrow as pa


def arrow_from_malloc() -> None:
    """Allocate Arrow buffers from the C library's malloc from now on, not from pyarrow's bundled
    mimalloc. mimalloc keeps the pages of freed buffers for reuse, so each stage's freed Arrow
    intermediates (normalise's columns, the grouping's arrays) stayed resident while the next
    stage ran; malloc returns big blocks at once (and `warehouse.load._trim_heap` the rest).
    Measured at 100,000 listings (bench/RESULTS.md): RSS after parse + normalise -30 MB, peak while
    grouping and building the load's tables -59 MB, the same CPU time. Buffers allocated before
    stay in the pool that made them."""
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
