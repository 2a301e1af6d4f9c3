"""The DuckDB warehouse: table definitions with their documentation, the
transactional, atomically published load, and read-only queries."""
from warehouse.errors import WarehouseBusy, WarehouseError
from warehouse.load import SourceLoad, RunRecord, publish
from warehouse.query import connect_read_only, run_query

__all__ = ["WarehouseBusy", "WarehouseError", "SourceLoad", "RunRecord", "publish",
           "connect_read_only", "run_query"]
