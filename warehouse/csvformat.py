"""One CSV format for `courses query --format csv` and `courses export --format csv`.

A list (VARCHAR[] columns such as lengths, bullets, notes) is one cell holding a JSON array:
``["3 hours","6 hours"]`` (UTF-8, no spaces between items, ``null`` for a missing item); an
empty list is ``[]`` and a null list an empty cell. A spreadsheet shows the array as text;
DuckDB reads it back with ``read_csv(...)`` then ``CAST(col AS JSON)`` or
``from_json(col, '["VARCHAR"]')``; Python with ``json.loads``. Other values are written as
DuckDB's CSV writer writes them. Both commands write a header line and quote a cell only where
it needs it (a comma, a quote or a line break), quotes doubled.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO


def csv_value(value: object) -> object:
    """A Python value as its CSV cell: lists and dicts as compact JSON, the rest unchanged."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if isinstance(value, bool):  # as DuckDB writes them
        return "true" if value else "false"
    return value


def write_csv(out: TextIO, columns: list[str], rows: Iterable[tuple]) -> None:
    """Rows of a query as CSV, lists as JSON arrays (see the module's docstring)."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([csv_value(v) for v in row])


def csv_select(columns: list[tuple[str, str]], relation_sql: str) -> str:
    """SELECT over a relation with every list column (type ending in []) as its JSON array text,
    for DuckDB's COPY ... (FORMAT csv)."""
    parts = []
    for name, data_type in columns:
        ident = '"' + name.replace('"', '""') + '"'
        parts.append(f"to_json({ident})::VARCHAR AS {ident}" if data_type.endswith("]") else ident)
    return f"SELECT {', '.join(parts)} FROM {relation_sql}"
