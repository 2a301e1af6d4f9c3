"""Write the JSON Schema of the models next to them: python -m schema"""
from __future__ import annotations

import json
from pathlib import Path

from schema.models import Listing

SCHEMA_FILE = Path(__file__).with_name("listing.schema.json")


def render() -> str:
    return json.dumps(Listing.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
