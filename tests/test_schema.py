import json

from schema.__main__ import SCHEMA_FILE, render
from schema.models import Listing


def test_json_schema_file_is_in_sync():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render(), "run `python -m schema` and commit the result"


def test_json_schema_names_the_keys_scripts_rely_on():
    props = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["properties"]
    for key in ("provider", "source", "source_url", "position", "title", "series", "duration_text",
                "duration_value", "duration_unit", "duration_hours", "description", "bullets", "audience",
                "notes", "prerequisites", "delivery_mode", "availability", "methods", "learning_outcomes"):
        assert key in props, key


def test_unknown_field_is_refused():
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError):
        Listing(provider="CUPE", source="x", source_url="u", position=0, colour="red")
