"""The record and its JSON Schema describe the same fields and version."""

from __future__ import annotations

from dataclasses import fields

from newscrawl.items import SCHEMA_VERSION, Story
from newscrawl.schema import story_schema


def test_schema_and_record_agree_on_fields_and_version() -> None:
    schema = story_schema()
    assert [f.name for f in fields(Story)] == list(schema["properties"])
    assert set(schema["required"]) == set(schema["properties"])
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
