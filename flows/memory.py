"""Where the run's Arrow buffers are allocated."""
from __future__ import annotations

import os

# Arrow's C++ side allocates from the process's default pool, chosen once, when pyarrow is first
# imported: its bundled mimalloc unless this says otherwise. pyarrow.set_memory_pool (below) only
# moves what pyarrow's own Python calls allocate; the kernels' working memory (hash tables of
# unique, index_in and group_by, sorts' buffers) stayed in mimalloc, which kept ~40 MB of freed
# pages resident after a million-listing source's grouping, and the load's peak rose by as much.
# With the system pool chosen here, the 1M pipeline's publish peaked at 933 MB, not 1,046 MB
# (bench/RESULTS.md). Imported by the packages a run starts from (flows, cli, bench) before
# anything imports pyarrow; an operator's own setting wins.
ALLOCATOR_ENV = "ARROW_DEFAULT_MEMORY_POOL"
os.environ.setdefault(ALLOCATOR_ENV, "system")


def arrow_from_malloc() -> None:
    """Allocate Arrow buffers from the C library's malloc from now on, not from pyarrow's bundled
    mimalloc. mimalloc keeps the pages of freed buffers for reuse, so each stage's freed Arrow
    intermediates (normalise's columns, the grouping's arrays) stayed resident while the next
    stage ran; malloc returns big blocks at once (and `warehouse.load._trim_heap` the rest).
    Measured at 100,000 listings (bench/RESULTS.md): RSS after parse + normalise -30 MB, peak while
    grouping and building the load's tables -59 MB, the same CPU time. Buffers allocated before
    stay in the pool that made them. (Where pyarrow was imported before this module, ALLOCATOR_ENV
    came too late for the C++ side: this still moves pyarrow's own allocations.)"""
    import pyarrow as pa

    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())


# A source of more listings than this sets the threshold below for its run (for_a_large_source).
LARGE_SOURCE = 20_000


# Blocks of this size or more are mapped on their own and unmapped when freed (glibc's
# M_MMAP_THRESHOLD). glibc's default starts at 128 KiB but raises itself each time a mapped block
# is freed (up to 32 MiB), after which big arrays come from the heap, whose free middle is not
# given back: at a million listings, grouping's partitions and their merge left ~300 MB of free
# heap resident (bench/RESULTS.md). Setting it fixes it (no raising).
MMAP_THRESHOLD = 256 * 1024
_M_MMAP_THRESHOLD = -3


def for_a_large_source(n_listings: int) -> None:
    """Once a source has more than LARGE_SOURCE listings (from the page that takes it there, so
    that its combined chunks (schema.batch.ListingBatches) are mapped too): fix the mmap threshold
    (for the rest of the process). Not for small sources: with the threshold fixed, every big block is
    mapped and unmapped, and 20 small sources parsed in threads took ~1 s more
    (`python -m bench.parallel_sources`). At 100,000 listings (a 90,000-listing source) it saves
    ~40 MB of peak."""
    if n_listings > LARGE_SOURCE:
        _mmap_big_blocks()


def _mmap_big_blocks() -> None:
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError):  # not glibc
        pass
