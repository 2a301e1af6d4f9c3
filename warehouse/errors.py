from __future__ import annotations


class WarehouseError(Exception):
    """The warehouse file could not be read or written; names the file and the cause."""


class WarehouseBusy(WarehouseError):
    """Another refresh holds the warehouse's lock."""
