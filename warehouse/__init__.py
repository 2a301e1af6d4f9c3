"""The DuckDB warehouse: table definitions with their documentation, the
transactional, atomically published load, and read-only queries.

The load (``publish``, ``SourceLoad``, ``RunRecord``) is imported on first use, so that the
read-only side (``run_query``, ``connect_read_only``) imports nothing it does not need: an
analyst's `courses query`, `search`, `export` and `report` never import the writer's lock.
"""
from warehouse.errors import WarehouseBusy, WarehouseError
from warehouse.query import connect_read_only, run_query

__all__ = ["WarehouseBusy", "WarehouseError", "SourceLoad", "RunRecord", "publish",
           "connect_read_only", "run_query"]


def __getattr__(name: str):
    if name in ("SourceLoad", "RunRecord", "publish"):
        from warehouse import load

        return getattr(load, name)
    raise AttributeError(f"module 'warehouse' has no attribute {name!r}")
